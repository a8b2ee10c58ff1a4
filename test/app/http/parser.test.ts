/**
 * Every fixture message, fed whole, split in two at every byte, in one-byte chunks and in
 * random cuts, must give the same events (body progress merged, packet stamps aside), and every
 * event must carry the packet that held the byte that caused it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FIXTURES, type MessageFixture } from './fixtures.js';
import {
  assertMessageStructure,
  assertStamps,
  cut,
  type FeedOptions,
  feed,
  normalize,
  pieces,
  trace,
} from './harness.js';

function optionsOf(f: MessageFixture): FeedOptions {
  const o: { expect?: readonly string[]; limits?: MessageFixture['limits'] } = {};
  if (f.expect !== undefined) o.expect = f.expect;
  if (f.limits !== undefined) o.limits = f.limits;
  return o as FeedOptions;
}

/** Split positions: all of them for small inputs; edges, 64 KiB boundaries and an even spread otherwise. */
function splitPositions(f: MessageFixture): number[] {
  const n = f.data.length;
  if (!f.sampleSplits) return Array.from({ length: n - 1 }, (_, k) => k + 1);
  const set = new Set<number>();
  for (let k = 1; k < Math.min(n, 80); k++) set.add(k);
  for (let k = Math.max(1, n - 80); k < n; k++) set.add(k);
  for (let b = 65536; b < n; b += 65536) for (let d = -3; d <= 3; d++) set.add(b + d);
  const step = Math.max(1, Math.floor(n / 150));
  for (let k = step; k < n; k += step) set.add(k);
  return [...set].filter((k) => k > 0 && k < n).sort((a, b) => a - b);
}

/** Deterministic PRNG (mulberry32) for random cuts. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const f of FIXTURES) {
  describe(`${f.side}: ${f.name}`, () => {
    const opts = optionsOf(f);
    const whole = feed(f.side, [f.data], opts);
    const want = normalize(whole.events);

    test('produces the expected events', () => {
      assert.deepEqual(trace(whole.events), f.trace);
      assertStamps(whole, 'whole');
      assertMessageStructure(whole.events, 'whole');
    });

    test('same events split in two at every position', () => {
      for (const p of splitPositions(f)) {
        const r = feed(f.side, cut(f.data, p), opts);
        assert.deepEqual(normalize(r.events), want, `split at ${p}`);
        assertStamps(r, `split at ${p}`);
      }
    });

    test('same events in one-byte chunks', () => {
      const size = f.data.length > 200_000 ? 7 : 1;
      const r = feed(f.side, pieces(f.data, size), opts);
      assert.deepEqual(normalize(r.events), want);
      assertStamps(r, `${size}-byte chunks`);
      assertMessageStructure(r.events, `${size}-byte chunks`);
    });

    test('same events in random cuts', () => {
      const rand = rng(f.data.length);
      const rounds = f.sampleSplits ? 10 : 60;
      for (let round = 0; round < rounds; round++) {
        const cuts = new Set<number>();
        const k = 1 + Math.floor(rand() * 6);
        for (let c = 0; c < k; c++) cuts.add(1 + Math.floor(rand() * (f.data.length - 1)));
        const at = [...cuts].sort((a, b) => a - b);
        const r = feed(f.side, cut(f.data, ...at), opts);
        assert.deepEqual(normalize(r.events), want, `cuts at ${at.join(',')}`);
        assertStamps(r, `cuts at ${at.join(',')}`);
      }
    });
  });
}
