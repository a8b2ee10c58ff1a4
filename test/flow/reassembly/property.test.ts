/**
 * Properties over many seeded random inputs (mulberry32, fixed seeds: failures reproduce):
 *   - any split of a stream into segments, duplicated, re-split and reordered, delivers the stream
 *     exactly, with no gap and no conflict, and gives all memory back;
 *   - under tight limits every delivered byte is still the right byte at the right offset, and
 *     delivered + skipped bytes account for the whole stream;
 *   - garbage (random sequence numbers, flags and ACKs) never throws and never holds more than the limits;
 *   - a 1 GiB one-direction transfer with one early hole that never fills holds at most the limit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seq } from '../../../src/core/seq.js';
import {
  ReassemblyBudget,
  type ReassemblyOptions,
  StreamReassembler,
  type StreamSink,
} from '../../../src/flow/tcp/reassembly.js';
import { FIN, NONE, prng, RST, randomBytes, SYN, shuffle } from './helpers.js';

/** Checks each delivered byte against the expected stream at its offset. */
class Verifier implements StreamSink {
  pos = 0;
  delivered = 0;
  gaps = 0;
  ended = '';
  constructor(readonly expected: Uint8Array) {}
  data(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== this.expected[this.pos + i])
        throw new Error(`byte ${this.pos + i}: got ${chunk[i]}, want ${this.expected[this.pos + i]}`);
    }
    this.pos += chunk.length;
    this.delivered += chunk.length;
  }
  gap(n: number): void {
    this.pos += n;
    this.gaps += n;
  }
  end(_ts: number, _p: number, reason: string): void {
    this.ended = reason;
  }
}

/** Counts bytes and records gap sizes (keeps nothing else). */
class Tally implements StreamSink {
  bytes = 0;
  readonly gaps: number[] = [];
  data(chunk: Uint8Array): void {
    this.bytes += chunk.length;
  }
  gap(n: number): void {
    this.gaps.push(n);
  }
  end(): void {}
}

interface Seg {
  off: number;
  len: number;
}

/** Split [0, n) into segments of 1..max bytes. */
function split(n: number, max: number, rnd: () => number): Seg[] {
  const out: Seg[] = [];
  for (let off = 0; off < n; ) {
    const len = Math.min(n - off, 1 + Math.floor(rnd() * max));
    out.push({ off, len });
    off += len;
  }
  return out;
}

/** Duplicates (same boundaries) and re-splits (other boundaries over the same bytes) of some segments. */
function withRetransmissions(segs: Seg[], n: number, rnd: () => number): Seg[] {
  const out = segs.slice();
  for (const s of segs) {
    const r = rnd();
    if (r < 0.1) out.push({ ...s });
    else if (r < 0.15) {
      const a = Math.max(0, s.off - Math.floor(rnd() * 700));
      const b = Math.min(n, s.off + s.len + Math.floor(rnd() * 700));
      out.push({ off: a, len: b - a });
    }
  }
  return out;
}

/** Move each segment by up to `d` places (d = Infinity: full shuffle). */
function reorder(segs: Seg[], d: number, rnd: () => number): Seg[] {
  if (!Number.isFinite(d)) return shuffle(segs.slice(), rnd);
  const keyed = segs.map((s, i) => ({ s, k: i + rnd() * d }));
  keyed.sort((a, b) => a.k - b.k);
  return keyed.map((x) => x.s);
}

function run(
  stream: Uint8Array,
  segs: Seg[],
  isn: number,
  opts: Partial<ReassemblyOptions>,
  budget = new ReassemblyBudget(),
): { v: Verifier; r: StreamReassembler } {
  const v = new Verifier(stream);
  const r = new StreamReassembler(v, budget, opts);
  const scratch = new Uint8Array(8192);
  r.segment(seq(isn), new Uint8Array(0), 0, 1, SYN);
  let p = 1;
  for (const s of segs) {
    scratch.set(stream.subarray(s.off, s.off + s.len));
    r.segment(seq(isn + 1 + s.off), scratch.subarray(0, s.len), p, ++p, NONE);
    scratch.fill(0xee);
    assert.ok(r.buffered <= (opts.maxBufferedBytes ?? Number.POSITIVE_INFINITY));
    assert.ok(r.bufferedPieces <= (opts.maxBufferedSegments ?? Number.POSITIVE_INFINITY));
  }
  r.segment(seq(isn + 1 + stream.length), new Uint8Array(0), p, ++p, FIN);
  r.close(p, ++p);
  return { v, r };
}

describe('random splits and reorderings of a 100 KB stream', () => {
  const N = 100_000;
  for (const [name, d] of [
    ['nearly in order (moves of up to 3 places)', 3],
    ['heavily reordered (moves of up to 40 places)', 40],
    ['fully shuffled', Number.POSITIVE_INFINITY],
  ] as const) {
    test(`${name}, with duplicates and re-split retransmissions: the exact stream, 40 seeds`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const rnd = prng(seed);
        const stream = randomBytes(N, seed);
        const isn = seed % 2 === 0 ? 2 ** 32 - 1 - Math.floor(rnd() * 50_000) : Math.floor(rnd() * 2 ** 32);
        const segs = reorder(withRetransmissions(split(N, 1500, rnd), N, rnd), d, rnd);
        const budget = new ReassemblyBudget();
        const { v, r } = run(stream, segs, isn, {}, budget);
        assert.equal(v.delivered, N, `seed ${seed}`);
        assert.equal(v.gaps, 0, `seed ${seed}`);
        assert.equal(v.ended, 'fin', `seed ${seed}`);
        assert.equal(r.stats.conflicts, 0, `seed ${seed}`);
        assert.deepEqual(r.anomalies, [], `seed ${seed}`);
        assert.equal(budget.buffered, 0);
        assert.equal(budget.history, 0);
      }
    });
  }

  test('under tight limits every delivered byte is right and delivered + skipped = the stream, 40 seeds', () => {
    for (let seed = 100; seed < 140; seed++) {
      const rnd = prng(seed);
      const stream = randomBytes(N, seed);
      const segs = reorder(withRetransmissions(split(N, 1500, rnd), N, rnd), 60, rnd);
      const opts = { maxBufferedBytes: 8000 + Math.floor(rnd() * 8000), maxBufferedSegments: 6 };
      const budget = new ReassemblyBudget(12_000);
      const { v, r } = run(stream, segs, 2 ** 32 - 7, opts, budget);
      assert.equal(v.delivered + v.gaps, N, `seed ${seed}`);
      assert.equal(r.stats.delivered, v.delivered);
      assert.equal(r.stats.gapBytes, v.gaps);
      assert.ok(r.stats.limitSkips > 0, `seed ${seed}`);
      assert.ok(budget.peakBuffered <= 12_000);
      assert.equal(budget.buffered, 0);
    }
  });
});

describe('garbage never breaks the limits', () => {
  test('random sequence numbers, lengths, flags and ACKs: bounded memory, no throw, 20 seeds', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = prng(seed);
      const budget = new ReassemblyBudget(200_000, 50_000);
      const opts = { maxBufferedBytes: 100_000, maxBufferedSegments: 50, historyBytes: 16_384 };
      const rs = [0, 1, 2].map(
        () => new StreamReassembler({ data() {}, gap() {}, end() {} }, budget, { ...opts }),
      );
      const buf = randomBytes(3000, seed);
      let base = Math.floor(rnd() * 2 ** 32);
      for (let i = 0; i < 20_000; i++) {
        let r = rs[i % 3] as StreamReassembler;
        if (r.ended) {
          // A RST or FIN ended it: a fresh one takes its place (its memory must be back already).
          r = new StreamReassembler({ data() {}, gap() {}, end() {} }, budget, { ...opts });
          rs[i % 3] = r;
        }
        const x = rnd();
        // Mostly near a moving base (so pieces pile up), sometimes anywhere.
        const s = x < 0.7 ? base + Math.floor(rnd() * 200_000) : Math.floor(rnd() * 2 ** 32);
        if (x < 0.05) base += Math.floor(rnd() * 100_000);
        const len = Math.floor(rnd() * 3000);
        const f = rnd();
        const flags = f < 0.002 ? RST : f < 0.004 ? FIN : f < 0.006 ? SYN : NONE;
        r.segment(seq(s), buf.subarray(0, len), i, i, flags);
        if (rnd() < 0.3) r.ackedUpTo(seq(base + Math.floor(rnd() * 300_000)), i, i);
        assert.ok(r.buffered <= opts.maxBufferedBytes);
        assert.ok(r.bufferedPieces <= opts.maxBufferedSegments);
        assert.ok(r.anomalies.length <= 32);
        assert.ok(budget.buffered <= budget.maxBuffered);
        assert.ok(budget.history <= budget.maxHistory);
      }
      for (const r of rs) r.close(0, 0);
      assert.equal(budget.buffered, 0);
      assert.equal(budget.history, 0);
    }
  });
});

describe('a long transfer with one early hole', () => {
  test('1 GiB in one direction, one segment never captured and no ACKs: at most 1 MiB held, one gap', () => {
    const MSS = 1448;
    const limit = 1024 * 1024;
    const sink = new Tally();
    const budget = new ReassemblyBudget();
    const r = new StreamReassembler(sink, budget, { maxBufferedBytes: limit });
    const isn = 2 ** 32 - 10;
    r.segment(seq(isn), new Uint8Array(0), 0, 0, SYN);
    const payload = new Uint8Array(MSS).fill(0x5a);
    const total = 2 ** 30;
    let peak = 0;
    for (let off = 0; off < total; off += MSS) {
      if (off === 10 * MSS) continue;
      r.segment(seq(isn + 1 + off), payload.subarray(0, Math.min(MSS, total - off)), 0, 0, NONE);
      if (r.buffered > peak) peak = r.buffered;
    }
    r.close(0, 0);
    assert.ok(peak <= limit);
    assert.equal(sink.bytes, total - MSS);
    assert.deepEqual(sink.gaps, [MSS]);
    assert.equal(r.stats.limitBytes, MSS);
    assert.deepEqual(
      r.anomalies.map((a) => a.id),
      ['tcp.reassembly.limit'],
    );
    assert.equal(budget.buffered, 0);
    assert.equal(r.offset, total);
  });
});
