/**
 * The TIME-WAIT table: what the tracker keeps of a closed connection once it is retired while one
 * side is still in TIME-WAIT. First through the tracker (reuse checks and late packets after the
 * connection itself has gone), then the table alone against a plain model under random operations.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Packet } from '../../src/decode/types.js';
import type { TcpConnection } from '../../src/flow/tcp/connection.js';
import { type ClosedConnection, type ReuseFacts, TimeWaitTable } from '../../src/flow/tcp/timewait.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../src/flow/tcp/tracker.js';
import { Conversation, F } from '../helpers/build.js';
import { rng } from '../helpers/rng.js';

const C = 0xfffffff0;
const S = 0xffffff00;
const A = F.ACK;

/** A connection with a little data, closed by the client (which goes to TIME-WAIT), from `start`. */
function closedByClient(port = 40000, start = 1_700_000_000): Conversation {
  const cv = new Conversation({ addr: '10.0.0.1', port }, { addr: '10.0.0.2', port: 80 }, start);
  cv.c(F.SYN, C);
  cv.s(F.SYN | A, S, C + 1);
  cv.c(A, C + 1, S + 1);
  cv.c(F.PSH | A, C + 1, S + 1, { payload: 20 });
  cv.s(A, S + 1, C + 21);
  cv.c(F.FIN | A, C + 21, S + 1);
  cv.s(F.FIN | A, S + 1, C + 22);
  cv.c(A, C + 22, S + 2);
  return cv;
}

function run(packets: readonly Packet[], maxConnections = DEFAULT_TCP_OPTIONS.maxConnections) {
  const ended: TcpConnection[] = [];
  const t = new TcpTracker(
    { ...DEFAULT_TCP_OPTIONS, maxConnections },
    { connectionEnd: (c) => ended.push(c) },
  );
  for (const p of [...packets].sort((a, b) => a.frame.ts - b.frame.ts)) t.process(p);
  t.finish();
  return { tracker: t, conns: ended.sort((a, b) => a.id - b.id) };
}

describe('TIME-WAIT after the connection is retired', () => {
  test('a new SYN 10 s after the close is judged against the retired connection (higher ISN: safe)', () => {
    const cv = closedByClient();
    cv.c(F.SYN, C + 22 + 65537, 0, {}, 10);
    const { conns } = run(cv.packets);
    assert.equal(conns.length, 2);
    const [old, next] = conns as [TcpConnection, TcpConnection];
    // The first one was retired (closed) before the SYN came, so its own log does not end in reuse.
    assert.equal(old.endReason, 'closed');
    assert.equal(next.reusedFrom, old.id);
    assert.equal(next.timeWaitReuse?.holder, 'orig');
    assert.equal(next.timeWaitReuse?.legitimate, true);
    const before = next.timeWaitReuse?.beforeDeadline ?? 0;
    assert.ok(before > 49 && before < 50, `${before}`);
  });

  test('a lower ISN without timestamps is not safe, from the retired connection too', () => {
    const cv = closedByClient();
    cv.c(F.SYN, C - 1000, 0, {}, 10);
    const { conns } = run(cv.packets);
    assert.equal(conns[1]?.timeWaitReuse?.legitimate, false);
    assert.equal(conns[1]?.reusedFrom, conns[0]?.id);
  });

  test('a late non-SYN packet starts a mid-stream connection and is counted as late', () => {
    const cv = closedByClient();
    cv.c(F.FIN | A, C + 21, S + 1, {}, 10);
    const { tracker, conns } = run(cv.packets);
    assert.equal(conns.length, 2);
    assert.equal(conns[1]?.origin, 'midstream');
    assert.equal(conns[1]?.reusedFrom, undefined);
    assert.equal(tracker.late, 1);
  });

  test('after 2×MSL the 4-tuple is free: a new SYN is no reuse', () => {
    const cv = closedByClient();
    cv.c(F.SYN, C - 1000, 0, {}, 61);
    const { tracker, conns } = run(cv.packets);
    assert.equal(conns.length, 2);
    assert.equal(conns[1]?.reusedFrom, undefined);
    assert.equal(conns[1]?.timeWaitReuse, undefined);
    assert.equal(tracker.late, 0);
  });

  test('at most maxConnections entries: the oldest goes first', () => {
    // Three connections close one second apart; the table keeps two TIME-WAIT entries.
    const convs = [40001, 40002, 40003].map((port, k) => closedByClient(port, 1_700_000_000 + k));
    const packets = convs.flatMap((cv) => cv.packets);
    // Fifteen seconds later all three have been retired; SYNs reopen the first and the last 4-tuples.
    const late = 1_700_000_020;
    const reopen = (port: number, dt: number) => {
      const cv = new Conversation({ addr: '10.0.0.1', port }, { addr: '10.0.0.2', port: 80 }, late);
      cv.c(F.SYN, C + 100_000, 0, {}, dt);
      return cv.packets;
    };
    const { conns } = run([...packets, ...reopen(40001, 0.1), ...reopen(40003, 0.2)], 2);
    const byPort = (port: number) => conns.filter((c) => c.orig.port === port);
    assert.equal(byPort(40001)[1]?.reusedFrom, undefined, 'the oldest entry was dropped');
    assert.equal(byPort(40003)[1]?.reusedFrom, byPort(40003)[0]?.id);
  });
});

/** A closed connection as the table stores it. */
interface Entry {
  readonly c: ClosedConnection;
  readonly until: number;
}

function facts(rand: () => number): ReuseFacts {
  const pick = <T>(v: T): T | undefined => (rand() < 0.2 ? undefined : v);
  return {
    timeWaitEnd: pick(rand() * 100),
    sndNxt: pick(Math.floor(rand() * 2 ** 32)) as ReuseFacts['sndNxt'],
    lastTsval: pick(Math.floor(rand() * 2 ** 32)),
  };
}

describe('TimeWaitTable against a model', () => {
  test('random adds, finds, deletes, expiries and drops of the oldest agree with an ordered list', () => {
    const rand = rng(7);
    const table = new TimeWaitTable(16);
    let model: Entry[] = [];
    let id = 0;
    // Few distinct 4-tuples, so finds hit and hash chains form; some IPv6 (text) keys.
    const key = (k: number): [number | string, number | string] =>
      k % 5 === 0
        ? [`fe80${k}|1`, `fe80${k}|2`]
        : [(0x0a000001 + k) * 65536 + 40000, (0x0a000002 + (k % 3)) * 65536 + 80];
    const check = () => {
      assert.equal(table.size, model.length);
      for (let k = 0; k < 400; k++) {
        const [lo, hi] = key(k);
        const e = model.find((m) => m.c.lo === lo && m.c.hi === hi);
        const r = table.find(lo, hi);
        assert.equal(r !== -1, e !== undefined, `key ${k}`);
        if (e === undefined) continue;
        const s = table.source(r);
        assert.equal(s.id, e.c.id);
        assert.equal(s.origKey, e.c.origKey);
        assert.deepEqual(s.endpoint('orig'), e.c.orig);
        assert.deepEqual(s.endpoint('resp'), e.c.resp);
      }
    };
    for (let step = 0; step < 6000; step++) {
      const op = rand();
      if (op < 0.55) {
        const [lo, hi] = key(Math.floor(rand() * 400));
        const c: ClosedConnection = {
          id: ++id,
          lo,
          hi,
          origKey: rand() < 0.5 ? lo : hi,
          orig: facts(rand),
          resp: facts(rand),
        };
        const until = rand() * 100;
        table.add(c, until);
        model = [...model.filter((m) => m.c.lo !== lo || m.c.hi !== hi), { c, until }];
      } else if (op < 0.8) {
        const [lo, hi] = key(Math.floor(rand() * 400));
        const r = table.find(lo, hi);
        if (r !== -1) table.delete(r);
        model = model.filter((m) => m.c.lo !== lo || m.c.hi !== hi);
      } else if (op < 0.9) {
        table.deleteOldest();
        model = model.slice(1);
      } else {
        const now = rand() * 100;
        table.expire(now);
        model = model.filter((m) => now <= m.until);
      }
      if (step % 50 === 0) check();
    }
    check();
    // The order: dropping the oldest one at a time gives the model's order.
    while (model.length > 0) {
      const first = model.shift() as Entry;
      assert.notEqual(table.find(first.c.lo, first.c.hi), -1);
      table.deleteOldest();
      assert.equal(table.find(first.c.lo, first.c.hi), -1);
    }
    assert.equal(table.size, 0);
  });
});
