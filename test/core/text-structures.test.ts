/**
 * The two hot-path structures behind `read --json`, against plain reference models: TextBuffer
 * (bytes written in place) against string concatenation, TupleMap (numeric flow keys in typed
 * arrays) against a Map keyed by `src|sport|dst|dport` text, with the same insertion order and
 * oldest-first eviction.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ip4ToString, macToString } from '../../src/core/addr.js';
import { fragment, TextBuffer } from '../../src/core/text-buffer.js';
import type { Ipv4Layer, Ipv6Layer } from '../../src/decode/types.js';
import { TupleMap } from '../../src/flow/tuple-map.js';
import { rng } from '../helpers/rng.js';

describe('TextBuffer', () => {
  test('random writes of every kind match the same text built as a string, across growth and take()', () => {
    const r = rng(3);
    const frags = [
      '{',
      ',"srcPort":',
      '"layers":[{"layer":"eth","offset":0,"length":14,"src":"',
      'x'.repeat(70),
      '',
    ];
    const words = ['GET', 'héllo', '日本語', 'a\u{1F600}b', 'plain ascii text', ''];
    // A small initial capacity, so that lines outgrow it.
    const b = new TextBuffer(64);
    let model = '';
    const taken: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const op = Math.floor(r() * 10);
      if (op === 0) {
        const f = frags[Math.floor(r() * frags.length)] as string;
        b.put(fragment(f));
        model += f;
      } else if (op === 1 || op === 2) {
        const w = words[Math.floor(r() * words.length)] as string;
        if (op === 1) b.text(w);
        else b.utf8(w);
        model += w;
      } else if (op === 3) {
        // Integers of every size class, and non-integers.
        const n = [
          Math.floor(r() * 10_000),
          Math.floor(r() * 1e8),
          Math.floor(r() * 2 ** 32),
          r() * 1000,
          -Math.floor(r() * 100),
          2 ** 40,
        ][Math.floor(r() * 6)] as number;
        b.num(n);
        model += `${n}`;
      } else if (op === 4) {
        const n = Math.floor(r() * 1e9);
        b.nine(n);
        model += String(n).padStart(9, '0');
      } else if (op === 5) {
        const v = r() < 0.5;
        b.bool(v);
        model += String(v);
      } else if (op === 6) {
        const a = Math.floor(r() * 2 ** 32);
        b.ip4(a);
        model += ip4ToString(a);
      } else if (op === 7) {
        const m = Math.floor(r() * 2 ** 48);
        b.mac(m);
        model += macToString(m);
      } else if (op === 8) {
        b.byte(0x0a);
        model += '\n';
      } else {
        if (r() < 0.1) {
          taken.push(b.take().toString());
          expected.push(model);
          model = '';
        } else assert.equal(b.toString(), model);
      }
    }
    assert.equal(b.toString(), model);
    assert.deepEqual(taken, expected);
  });

  test('num writes non-integers exactly as String does (times in microseconds and every other kind)', () => {
    const r = rng(7);
    const b = new TextBuffer(64);
    const cases: number[] = [
      1700000000.000242,
      1700000060.004776,
      0.000001,
      0.0000005,
      1e-7,
      0.1,
      0.5,
      4294967295.999999,
      4294967296.5,
      2 ** 33 + 0.25,
      123.456,
      -1.5,
      -0.000001,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ];
    for (let i = 0; i < 200_000; i++) {
      const sec = Math.floor(r() * 2 ** (1 + Math.floor(r() * 33)));
      const kind = Math.floor(r() * 4);
      // Whole microseconds (as capture times are), whole nanoseconds, milliseconds, any double.
      if (kind === 0) cases.push(sec + Math.floor(r() * 1e6) / 1e6);
      else if (kind === 1) cases.push(sec + Math.floor(r() * 1e9) / 1e9);
      else if (kind === 2) cases.push(sec + Math.floor(r() * 1e3) / 1e3);
      else cases.push(r() * 10 ** Math.floor(r() * 12 - 6));
    }
    for (const n of cases) {
      b.truncate();
      b.num(n);
      assert.equal(b.toString(), String(n), `num(${n})`);
    }
  });

  test('truncate forgets what was written after a point', () => {
    const b = new TextBuffer(16);
    b.text('keep this');
    const at = b.length;
    b.text(' and not this, which is longer than the buffer');
    b.truncate(at);
    b.text('!');
    assert.equal(b.toString(), 'keep this!');
    b.truncate();
    assert.equal(b.toString(), '');
  });
});

describe('TupleMap', () => {
  const v4 = (src: number, dst: number) => ({ kind: 'ipv4', src, dst }) as unknown as Ipv4Layer;
  const v6 = (s: number, d: number) => {
    const a = new Uint8Array(16);
    const b = new Uint8Array(16);
    a[0] = 0x20;
    a[15] = s;
    b[0] = 0x20;
    b[15] = d;
    return { kind: 'ipv6', src: a, dst: b } as unknown as Ipv6Layer;
  };
  const text = (ip: Ipv4Layer | Ipv6Layer | undefined, sp: number, dp: number) =>
    ip === undefined ? 'none' : `${String(ip.src)}|${sp}|${String(ip.dst)}|${dp}`;

  test('random sets, gets (both directions) and oldest-first evictions match a Map model', () => {
    const r = rng(9);
    const m = new TupleMap();
    const model = new Map<string, number>();
    const keys: [Ipv4Layer | Ipv6Layer | undefined, number, number][] = [];
    for (let i = 0; i < 300_000; i++) {
      const op = r();
      if (op < 0.55 || keys.length === 0) {
        const kind = r();
        // Few addresses and ports: directions repeat, and a reverse often exists.
        const ip =
          kind < 0.8
            ? v4(Math.floor(r() * 50) * 16777259, Math.floor(r() * 50) * 16777259)
            : kind < 0.97
              ? v6(Math.floor(r() * 20), Math.floor(r() * 20))
              : undefined;
        const sp = Math.floor(r() * 40) * 1637;
        const dp = Math.floor(r() * 40) * 1637;
        const v = Math.floor(r() * 2 ** 32);
        m.set(ip, sp, dp, v);
        model.set(text(ip, sp, dp), v);
        keys.push([ip, sp, dp]);
      } else if (op < 0.99) {
        const [ip, sp, dp] = keys[Math.floor(r() * keys.length)] as [Ipv4Layer | undefined, number, number];
        assert.equal(m.get(ip, sp, dp, false), model.get(text(ip, sp, dp)));
        const rev = ip === undefined ? undefined : ({ ...ip, src: ip.dst, dst: ip.src } as Ipv4Layer);
        assert.equal(m.get(ip, sp, dp, true), model.get(text(rev, dp, sp)));
      } else {
        const n = Math.floor(r() * model.size * 0.6);
        m.evictOldest(n);
        let k = 0;
        for (const key of model.keys()) {
          if (k++ >= n) break;
          model.delete(key);
        }
      }
      if (i % 10_000 === 0) assert.equal(m.size, model.size);
    }
    assert.equal(m.size, model.size);
    for (const [ip, sp, dp] of keys) assert.equal(m.get(ip, sp, dp, false), model.get(text(ip, sp, dp)));
  });
});
