/**
 * The RFC 9293 model of each connection keeps its numbers in a row of a typed-array store
 * (flow/tcp/conn-rows.ts). A tracker that recycles ended connections gives a row back right after
 * the packet or sweep that retired its connection, unless a consumer retained it; otherwise a row
 * goes back once the garbage collector has taken its connection. These tests count the rows in use
 * and read connections after the run, so a row given back too early, or never, shows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateCapture } from '../../bench/gen.js';
import { readCaptureBuffer } from '../../src/capture/source.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { defaultAnalyzers } from '../../src/flow/session.js';
import { connRowsInUse } from '../../src/flow/tcp/conn-rows.js';
import type { TcpConnection } from '../../src/flow/tcp/connection.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../src/flow/tcp/tracker.js';
import { connectionExtras } from '../../src/report/conn-extras.js';
import { type ConnRecord, tcpRecord } from '../../src/report/conns.js';

interface Run {
  /** Each connection's record, taken when it ended. */
  records: ConnRecord[];
  /** The connections `keep` chose, retained when they ended. */
  kept: TcpConnection[];
  /** Most rows in use at once, above the count before the run. */
  peak: number;
}

function run(bytes: Uint8Array, recycleEnded: boolean, keep: (c: TcpConnection) => boolean): Run {
  const records: ConnRecord[] = [];
  const kept: TcpConnection[] = [];
  const before = connRowsInUse();
  const tracker = new TcpTracker(
    { ...DEFAULT_TCP_OPTIONS, analyzers: defaultAnalyzers(), recordTransitions: false, recycleEnded },
    {
      connectionEnd: (c) => {
        records.push(tcpRecord(c, connectionExtras(c)));
        if (keep(c)) {
          c.retain();
          kept.push(c);
        }
      },
    },
  );
  let peak = 0;
  readCaptureBuffer(bytes, {
    frame(f) {
      tracker.process(decodeFrame(f));
      peak = Math.max(peak, connRowsInUse() - before);
    },
    problem() {},
  });
  tracker.finish();
  return { records, kept, peak };
}

async function capture(connections: number, seed: number): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-conn-rows-'));
  try {
    const file = join(dir, 'rows.pcap');
    await generateCapture({ path: file, connections, seed, connectionsPerSecond: 100 });
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('recycling: rows are reused during the capture, all come back, and records are those of a run that keeps every connection', async () => {
  const bytes = await capture(3000, 5);
  const before = connRowsInUse();
  const recycled = run(bytes, true, () => false);
  assert.equal(recycled.records.length, 3000);
  assert.ok(recycled.peak < 1000, `rows in use at once: ${recycled.peak}`);
  assert.equal(connRowsInUse(), before, 'every row went back');
  // The same records when no row is reused before its connection is garbage: nothing read a
  // recycled row while the capture went on.
  const keptAll = run(bytes, false, () => false);
  assert.deepEqual(recycled.records, keptAll.records);
});

test('recycling: a retained connection reads the same after the capture as when it ended; others cannot be retained late', async () => {
  const bytes = await capture(2000, 6);
  // Every 50th: their rows would have been reused many times over by the end.
  const r = run(bytes, true, (c) => c.id % 50 === 0);
  assert.equal(r.kept.length, 40);
  const atEnd = new Map(r.records.map((x) => [x.index, x]));
  for (const c of r.kept) assert.deepEqual(tcpRecord(c, connectionExtras(c)), atEnd.get(c.id));
  // The tracker gave the others' rows back: retaining one now is a programming error.
  let ended: TcpConnection | undefined;
  const t = new TcpTracker(
    { ...DEFAULT_TCP_OPTIONS, recycleEnded: true },
    {
      connectionEnd: (c) => {
        ended = c;
      },
    },
  );
  readCaptureBuffer(bytes.subarray(0, 4096), { frame: (f) => t.process(decodeFrame(f)), problem() {} });
  t.finish();
  assert.ok(ended);
  assert.throws(() => ended?.retain(), /retained after its row went back/);
});

test('without recycling, a row goes back once the garbage collector has taken its connection', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  /** Collect until no more rows come back (FinalizationRegistry callbacks run in later tasks). */
  const settle = async () => {
    for (let i = 0, last = -1; i < 50 && connRowsInUse() !== last; i++) {
      last = connRowsInUse();
      gc();
      await new Promise((done) => setTimeout(done, 10));
    }
  };
  const bytes = await capture(500, 7);
  await settle();
  const before = connRowsInUse();
  const r = run(bytes, false, () => false);
  assert.equal(r.records.length, 500);
  // Nothing goes back while the (synchronous) run goes on: the collector gives rows back later.
  assert.equal(connRowsInUse() - before, 500);
  await settle();
  assert.equal(connRowsInUse(), before, 'every row went back after collection');
});
