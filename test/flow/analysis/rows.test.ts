/**
 * Each analysis keeps its numbers in a recycled row of a typed-array store. A row goes back when its
 * connection has ended and its context (for a reused 4-tuple) no longer holds it: these tests count
 * the rows in use, so a row kept too long (or given back while still read) shows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateCapture } from '../../../bench/gen.js';
import { readCaptureBuffer } from '../../../src/capture/source.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import { analysisRowsInUse, TcpAnalysis, TcpAnalysisContext } from '../../../src/flow/tcp/analysis.js';
import type { TcpConnection } from '../../../src/flow/tcp/connection.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../../src/flow/tcp/tracker.js';
import { FIXTURES } from '../../helpers/corpus.js';

interface Run {
  /** Analysis flags per frame, and the most rows in use at once (above the count before the run). */
  flags: Map<number, string[]>;
  peak: number;
  conns: TcpConnection[];
}

function run(file: string, context: TcpAnalysisContext | undefined): Run {
  const flags = new Map<number, string[]>();
  const conns: TcpConnection[] = [];
  const before = analysisRowsInUse();
  const tracker = new TcpTracker(
    { ...DEFAULT_TCP_OPTIONS, analyzers: () => [new TcpAnalysis(context ? { context } : {})] },
    { connectionEnd: (c) => conns.push(c) },
  );
  let peak = 0;
  readCaptureBuffer(new Uint8Array(readFileSync(file)), {
    frame(f) {
      const r = tracker.process(decodeFrame(f));
      if (r && r.seg.analysis.length > 0) flags.set(f.index, [...r.seg.analysis]);
      peak = Math.max(peak, analysisRowsInUse() - before);
    },
    problem() {},
  });
  tracker.finish();
  return { flags, peak, conns };
}

test('analysis rows are reused while the capture goes on, and all come back at its end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-analysis-rows-'));
  try {
    const file = join(dir, 'rows.pcap');
    // 1% of connections retransmit: the flows' numbers matter for the flags below.
    await generateCapture({ path: file, connections: 3000, seed: 11, connectionsPerSecond: 100 });
    const before = analysisRowsInUse();
    const r = run(file, undefined);
    assert.equal(r.conns.length, 3000);
    assert.ok(r.peak < 1000, `rows in use at once: ${r.peak}`);
    assert.equal(analysisRowsInUse(), before, 'every row went back');
    assert.ok(
      [...r.flags.values()].some((f) => f.includes('retransmission')),
      'flags were found',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a context holds at most its limit of finished analyses, and one taken for a reused 4-tuple goes back', () => {
  const file = join(FIXTURES, 'lab', 'timewait-reuse.pcap');
  const alone = run(file, undefined);
  const before = analysisRowsInUse();
  const limit = 2;
  const shared = run(file, new TcpAnalysisContext(limit));
  assert.ok(
    shared.conns.some((c) => c.reusedFrom !== undefined),
    'the capture reuses a 4-tuple',
  );
  // The new SYNs there have new ISNs: a new conversation for tshark, with or without the old one.
  assert.deepEqual(shared.flags, alone.flags);
  assert.ok(analysisRowsInUse() - before <= limit, `rows still in use: ${analysisRowsInUse() - before}`);
});
