/**
 * The bounded structures the trackers and views rely on, against plain reference models: LinkedQueue
 * (eviction order) against an array, Deadlines (sweep buckets) against an array scanned in full, FlowTable (hashed 4-tuples) against a Map of text keys, TopK against sort-then-slice, renderTable in chunks against
 * one cli-table3 table.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Table from 'cli-table3';
import { TopK } from '../../src/core/topk.js';
import { Deadlines, type Timed } from '../../src/flow/deadlines.js';
import { LinkedQueue, newLinks, type QueueLinks } from '../../src/flow/queue.js';
import { type EndpointKey, endpointKey, FlowTable, hashPair } from '../../src/flow/table.js';
import { CHUNK_ROWS, NO_BORDER, renderTable } from '../../src/report/table.js';
import { rng } from '../helpers/rng.js';

/** The queue API both ordered sets share, over numbers (LinkedQueue members are wrapped in objects). */
interface NumberQueue {
  readonly size: number;
  add(v: number): void;
  delete(v: number): boolean;
  has(v: number): boolean;
  first(): number | undefined;
  moveToBack(v: number): void;
  values(): Iterable<number>;
  clear(): void;
}

interface Member {
  readonly id: number;
  readonly links: QueueLinks;
}

/** A LinkedQueue seen through numbers: each number is always the same member object. */
function linkedNumbers(): NumberQueue {
  const members = new Map<number, Member>();
  const m = (v: number): Member => {
    let o = members.get(v);
    if (o === undefined) {
      o = { id: v, links: newLinks(1) };
      members.set(v, o);
    }
    return o;
  };
  const q = new LinkedQueue<Member>(0);
  return {
    get size() {
      return q.size;
    },
    add: (v) => q.add(m(v)),
    delete: (v) => q.delete(m(v)),
    has: (v) => q.has(m(v)),
    first: () => q.first()?.id,
    moveToBack: (v) => q.moveToBack(m(v)),
    *values() {
      for (const o of q.values()) yield o.id;
    },
    clear: () => q.clear(),
  };
}

for (const [name, make] of [['LinkedQueue', linkedNumbers]] as const)
  describe(name, () => {
    test('random adds, deletes, moves to the back and head removals match an array model', () => {
      const r = rng(7);
      const set: NumberQueue = make();
      let model: number[] = [];
      let next = 0;
      for (let i = 0; i < 20_000; i++) {
        const op = r();
        if (op < 0.4) {
          set.add(next);
          model.push(next++);
        } else if (op < 0.6 && model.length > 0) {
          const v = model[Math.floor(r() * model.length)] as number;
          assert.equal(set.delete(v), true);
          model = model.filter((x) => x !== v);
        } else if (op < 0.75 && model.length > 0) {
          const v = model[Math.floor(r() * model.length)] as number;
          set.moveToBack(v);
          model = [...model.filter((x) => x !== v), v];
        } else if (model.length > 0) {
          assert.equal(set.first(), model[0]);
          set.delete(model[0] as number);
          model.shift();
        }
        assert.equal(set.size, model.length);
      }
      assert.deepEqual([...set.values()], model);
      assert.equal(set.delete(-1), false);
    });

    test('iterating while removing the current member visits every other member once', () => {
      const set: NumberQueue = make();
      for (let i = 0; i < 100; i++) set.add(i);
      const seen: number[] = [];
      for (const v of set.values()) {
        seen.push(v);
        if (v % 3 === 0) set.delete(v);
      }
      assert.deepEqual(
        seen,
        Array.from({ length: 100 }, (_, i) => i),
      );
      assert.deepEqual(
        [...set.values()],
        Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 3 !== 0),
      );
      // Deleting the current member and the next one.
      const seenEach: number[] = [];
      for (const v of set.values()) {
        seenEach.push(v);
        if (v % 2 === 0) {
          set.delete(v);
          set.delete(v + 1);
        }
      }
      assert.deepEqual(
        seenEach,
        Array.from({ length: 100 }, (_, i) => i).filter(
          (i) => i % 3 !== 0 && (i % 2 === 0 || (i - 1) % 3 === 0),
        ),
      );
    });
    test('a member that leaves keeps no link to the others (a retained member holds none alive)', () => {
      const q = new LinkedQueue<Member>(0);
      const ms: Member[] = Array.from({ length: 5 }, (_, id) => ({ id, links: newLinks(1) }));
      for (const m of ms) q.add(m);
      q.delete(ms[2] as Member);
      q.moveToBack(ms[0] as Member);
      q.delete(ms[4] as Member);
      for (const m of [ms[2], ms[4]] as Member[]) assert.deepEqual(m.links, [undefined, undefined]);
      assert.deepEqual(
        [...q.values()].map((m) => m.id),
        [1, 3, 0],
      );
      // Members deleted ahead of an iteration, and moved behind it, are visited where they are then.
      const seen: number[] = [];
      for (const m of q.values()) {
        seen.push(m.id);
        if (m.id === 1) {
          q.delete(ms[3] as Member);
          q.moveToBack(ms[1] as Member);
        }
      }
      assert.deepEqual(seen, [1, 0, 1]);
      q.clear();
      for (const m of ms) assert.deepEqual(m.links, [undefined, undefined]);
    });
    test('queues in different slots of the same members keep their own order (against arrays)', () => {
      // A connection is in up to three queues at once: each must leave the others' links alone.
      const r = rng(5);
      const ms: Member[] = Array.from({ length: 60 }, (_, id) => ({ id, links: newLinks(3) }));
      const qs = [0, 1, 2].map((slot) => new LinkedQueue<Member>(slot));
      const models: number[][] = [[], [], []];
      for (let step = 0; step < 20_000; step++) {
        const k = Math.floor(r() * 3);
        const q = qs[k] as LinkedQueue<Member>;
        const model = models[k] as number[];
        const m = ms[Math.floor(r() * ms.length)] as Member;
        const at = model.indexOf(m.id);
        const op = r();
        if (op < 0.45) {
          q.add(m);
          if (at < 0) model.push(m.id);
        } else if (op < 0.8) {
          assert.equal(q.delete(m), at >= 0);
          if (at >= 0) model.splice(at, 1);
        } else {
          q.moveToBack(m);
          if (at >= 0) model.push(...model.splice(at, 1));
        }
      }
      for (let k = 0; k < 3; k++) {
        const q = qs[k] as LinkedQueue<Member>;
        assert.deepEqual(
          [...q.values()].map((m) => m.id),
          models[k],
          `slot ${k}`,
        );
        assert.equal(q.size, (models[k] as number[]).length);
        for (const m of ms) assert.equal(q.has(m), (models[k] as number[]).includes(m.id));
      }
    });
    test('clear empties it and its members can come back', () => {
      const set: NumberQueue = make();
      for (let i = 0; i < 10; i++) set.add(i);
      set.add(3);
      assert.equal(set.size, 10);
      set.clear();
      assert.equal(set.size, 0);
      assert.equal(set.has(3), false);
      assert.equal(set.first(), undefined);
      set.add(5);
      set.add(3);
      assert.equal(set.has(3), true);
      assert.deepEqual([...set.values()], [5, 3]);
    });
  });

describe('Deadlines', () => {
  interface Timer extends Timed {
    readonly id: number;
  }

  test('random adds, lowered deadlines, deletes and takes match a model scanned in full', () => {
    const r = rng(11);
    const set = new Deadlines<Timer>();
    const timers = Array.from(
      { length: 300 },
      (_, id): Timer => ({ id, dueAt: Number.NaN, dueNext: undefined, duePrev: undefined }),
    );
    const model = new Map<number, number>(); // id → second of its deadline
    let clock = 1000;
    for (let i = 0; i < 20_000; i++) {
      const op = r();
      const t = timers[Math.floor(r() * timers.length)] as Timer;
      if (op < 0.35) {
        // Fractional deadlines, many in the same second; some before the clock (already due).
        const due = clock - 5 + r() * 60;
        if (model.has(t.id)) set.lower(t, due);
        else set.add(t, due);
        model.set(t.id, Math.min(model.get(t.id) ?? Number.POSITIVE_INFINITY, Math.floor(due)));
      } else if (op < 0.5) {
        set.delete(t);
        model.delete(t.id);
      } else if (op < 0.55) {
        clock += r() * 10;
        const out: Timer[] = [];
        set.takeDue(clock, out);
        const expected = [...model].filter(([, s]) => s <= clock).map(([id]) => id);
        assert.deepEqual(
          out.map((x) => x.id).sort((a, b) => a - b),
          expected.sort((a, b) => a - b),
        );
        for (const id of expected) model.delete(id);
        for (const x of out) assert.ok(Number.isNaN(x.dueAt));
      }
      assert.equal(set.size, model.size);
      if (i % 500 === 0)
        for (const x of timers) {
          assert.equal(!Number.isNaN(x.dueAt), model.has(x.id));
          if (model.has(x.id)) assert.equal(x.dueAt, model.get(x.id));
        }
    }
    set.clear();
    assert.equal(set.size, 0);
    assert.ok(timers.every((x) => Number.isNaN(x.dueAt) && x.dueNext === undefined));
    // Cleared members can come back.
    set.add(timers[0] as Timer, clock);
    const out: Timer[] = [];
    set.takeDue(clock, out);
    assert.deepEqual(
      out.map((x) => x.id),
      [0],
    );
  });
});

describe('TopK', () => {
  for (const k of [1, 5, 100, 1000])
    test(`k=${k}: the first k of 5,000 in order, the rest counted`, () => {
      const r = rng(k);
      const items = Array.from({ length: 5000 }, (_, i) => ({ v: Math.floor(r() * 500), i }));
      const cmp = (a: { v: number; i: number }, b: { v: number; i: number }) => a.v - b.v || a.i - b.i;
      const top = new TopK(k, cmp);
      for (const x of items) top.offer(x);
      assert.deepEqual(top.sorted(), [...items].sort(cmp).slice(0, k));
      assert.equal(top.dropped, items.length - Math.min(k, items.length));
    });
});

describe('renderTable', () => {
  test('a table longer than a chunk prints exactly what one cli-table3 table prints', () => {
    const r = rng(3);
    const head = ['#', 'client', 'state', 'notes'];
    const rows = Array.from({ length: CHUNK_ROWS * 3 + 17 }, (_, i) => [
      String(i + 1),
      `10.0.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}:${Math.floor(r() * 65535)}`,
      r() < 0.5 ? 'ESTABLISHED/CLOSED' : 'TIME-WAIT',
      r() < 0.1 ? '漢字 wide' : r() < 0.2 ? '\u001b[33mstyled\u001b[39m' : '',
    ]);
    const one = new Table({ head, ...NO_BORDER });
    for (const row of rows) one.push(row);
    assert.deepEqual(renderTable({ head }, rows), one.toString().split('\n'));
  });
});

describe('FlowTable', () => {
  interface Entry {
    lo: EndpointKey;
    hi: EndpointKey;
    readonly id: number;
    links: QueueLinks;
    stamp: number;
  }
  test('200,000 random 4-tuples (IPv4 and IPv6), sets, replacements and deletes match a Map model', () => {
    const r = rng(11);
    const table = new FlowTable<Entry>();
    const model = new Map<string, Entry>();
    const keys: [EndpointKey, EndpointKey][] = [];
    const v6 = new Uint8Array(16);
    const key = (): EndpointKey => {
      if (r() < 0.05) {
        v6[15] = Math.floor(r() * 256);
        return endpointKey(v6, Math.floor(r() * 65536));
      }
      // Few addresses and ports, so that 4-tuples share endpoints and hashes collide.
      return endpointKey(Math.floor(r() * 2 ** 32), Math.floor(r() * 65536));
    };
    for (let i = 0; i < 200_000; i++) {
      const op = r();
      if (op < 0.6 || keys.length === 0) {
        const a = key();
        const b = key();
        const [lo, hi] = String(a) < String(b) ? [a, b] : [b, a];
        const e: Entry = { lo, hi, id: i, links: newLinks(1), stamp: 0 };
        table.set(e);
        model.set(`${lo}#${hi}`, e);
        keys.push([lo, hi]);
      } else if (op < 0.8) {
        const [lo, hi] = keys[Math.floor(r() * keys.length)] as [EndpointKey, EndpointKey];
        const e = table.get(lo, hi);
        assert.equal(e, model.get(`${lo}#${hi}`));
        if (e) {
          table.delete(e);
          model.delete(`${lo}#${hi}`);
        }
      } else {
        const [lo, hi] = keys[Math.floor(r() * keys.length)] as [EndpointKey, EndpointKey];
        const e: Entry = { lo, hi, id: i, links: newLinks(1), stamp: 0 };
        table.set(e);
        model.set(`${lo}#${hi}`, e);
      }
    }
    assert.equal(table.size, model.size);
    for (const [lo, hi] of keys) assert.equal(table.get(lo, hi), model.get(`${lo}#${hi}`));
    assert.deepEqual(
      [...table.values()].map((e) => e.id).sort((a, b) => a - b),
      [...model.values()].map((e) => e.id).sort((a, b) => a - b),
    );
  });
  test('4-tuples whose hashes collide are told apart', () => {
    // 100,000 tuples in a 30-bit hash space: a few share a hash (birthday bound), each is found.
    const table = new FlowTable<Entry>();
    const r = rng(5);
    const all: Entry[] = [];
    for (let i = 0; i < 100_000; i++) {
      const lo = endpointKey(Math.floor(r() * 2 ** 31), Math.floor(r() * 65536)) as number;
      const e: Entry = {
        lo,
        hi: lo + 1 + Math.floor(r() * 2 ** 40),
        id: i,
        links: newLinks(1),
        stamp: 0,
      };
      table.set(e);
      all.push(e);
    }
    const hashes = new Set(all.map((e) => hashPair(e.lo as number, e.hi as number)));
    assert.ok(all.length - hashes.size > 0, 'some hashes collide');
    for (const e of all) assert.equal(table.get(e.lo, e.hi), e);
    for (const e of all.slice(0, 50_000)) table.delete(e);
    for (const [i, e] of all.entries()) assert.equal(table.get(e.lo, e.hi), i < 50_000 ? undefined : e);
    assert.equal(table.size, 50_000);
  });
});
