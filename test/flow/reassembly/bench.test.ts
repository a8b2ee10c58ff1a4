/**
 * Throughput of the reassembler alone (no decoding), on synthetic streams of 1448-byte segments:
 * in order, and with 10% of segments delayed by a few places. Skipped unless WIRELENS_BENCH=1:
 *   WIRELENS_BENCH=1 node --test dist/test/flow/reassembly/bench.test.js
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seq, seqAdd } from '../../../src/core/seq.js';
import { ReassemblyBudget, StreamReassembler, type StreamSink } from '../../../src/flow/tcp/reassembly.js';
import { NONE, prng, randomBytes, SYN } from './helpers.js';

const MSS = 1448;

class Counter implements StreamSink {
  bytes = 0;
  sum = 0;
  data(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.sum = (this.sum + (chunk[0] ?? 0)) | 0; // touch the bytes, as a parser would
  }
  gap(): void {}
  end(): void {}
}

/** Segment order: indexes 0..n-1, with `share` of them moved 1..`dist` places later. */
function order(n: number, share: number, dist: number): Int32Array {
  const rnd = prng(42);
  const o = new Int32Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  for (let i = 0; i < n - dist; i++) {
    if (rnd() < share) {
      const j = i + 1 + Math.floor(rnd() * dist);
      const t = o[i] as number;
      o[i] = o[j] as number;
      o[j] = t;
    }
  }
  return o;
}

function measure(total: number, share: number): { mbps: number; delivered: number } {
  const n = Math.floor(total / MSS);
  const data = randomBytes(MSS * 64, 7);
  const ord = order(n, share, 4);
  const sink = new Counter();
  const r = new StreamReassembler(sink, new ReassemblyBudget());
  const isn = seq(2 ** 32 - 1000);
  r.segment(isn, new Uint8Array(0), 0, 0, SYN);
  const views: Uint8Array[] = [];
  for (let k = 0; k < 64; k++) views.push(data.subarray(k * MSS, (k + 1) * MSS));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const k = ord[i] as number;
    r.segment(seqAdd(isn, 1 + k * MSS), views[k & 63] as Uint8Array, i, i, NONE);
  }
  r.close(0, 0);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { mbps: (n * MSS) / 1e6 / s, delivered: sink.bytes };
}

test('throughput (MB/s): in order and with 10% reordering', {
  skip: process.env.WIRELENS_BENCH !== '1',
}, () => {
  const total = 2 ** 30;
  for (let round = 0; round < 3; round++) {
    const a = measure(total, 0);
    const b = measure(total, 0.1);
    assert.equal(a.delivered, Math.floor(total / MSS) * MSS);
    assert.equal(b.delivered, a.delivered);
    console.log(
      `round ${round}: in order ${a.mbps.toFixed(0)} MB/s, 10% reordered ${b.mbps.toFixed(0)} MB/s`,
    );
  }
});
