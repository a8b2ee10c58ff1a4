/**
 * The Zeek model keeps each live conn.log row in a recycled slot of a typed-array store, and a row's
 * facts once it is done. Both halves of that must hold: what a connection says about itself must not
 * change when its slot goes to a later connection, and every slot must come back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateCapture } from '../../../bench/gen.js';
import { readCaptureBuffer } from '../../../src/capture/source.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import type { TcpConnection } from '../../../src/flow/tcp/connection.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../../src/flow/tcp/tracker.js';
import {
  type ZeekConnSummary,
  ZeekTcpSummary,
  zeekRowsInUse,
  zeekSummaries,
} from '../../../src/flow/tcp/zeek.js';
import { FIXTURES } from '../../helpers/corpus.js';

/** Every connection's rows as read when the tracker retires it, and the connections themselves. */
function run(file: string): { atEnd: Map<TcpConnection, ZeekConnSummary[]>; rowsDuring: number } {
  const atEnd = new Map<TcpConnection, ZeekConnSummary[]>();
  const tracker = new TcpTracker(
    { ...DEFAULT_TCP_OPTIONS, analyzers: () => [new ZeekTcpSummary()] },
    { connectionEnd: (c) => atEnd.set(c, zeekSummaries(c)) },
  );
  let rowsDuring = 0;
  readCaptureBuffer(new Uint8Array(readFileSync(file)), {
    frame(f) {
      tracker.process(decodeFrame(f));
      rowsDuring = Math.max(rowsDuring, zeekRowsInUse());
    },
    problem() {},
  });
  tracker.finish();
  return { atEnd, rowsDuring };
}

test('a retired connection reads the same conn.log rows after its slot was reused, and every slot comes back', async () => {
  // Thousands of short connections, a few hundred open at once: slots are reused many times over.
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-zeek-rows-'));
  try {
    const file = join(dir, 'rows.pcap');
    await generateCapture({ path: file, connections: 3000, seed: 7, connectionsPerSecond: 100 });
    const before = zeekRowsInUse();
    const { atEnd, rowsDuring } = run(file);
    assert.equal(atEnd.size, 3000);
    assert.ok(rowsDuring - before < 1000, `rows in use at once: ${rowsDuring - before}`);
    assert.equal(zeekRowsInUse(), before, 'every row went back to the store');
    let rows = 0;
    for (const [c, then] of atEnd) {
      assert.deepEqual(zeekSummaries(c), then, `connection ${c.id}`);
      rows += then.length;
    }
    assert.ok(rows >= 3000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rows split by Zeek (a reused 4-tuple, timers) keep their facts too', () => {
  // Zeek's own regression traces with connections it splits into several rows.
  let split = 0;
  for (const path of [
    'core.expire-all-timers/retransmit-timeout.pcapng',
    'scripts.base.protocols.ncp.frame_size_tuning/ncp.pcap',
    'core.tcp.rxmit-history.wikipedia/wikipedia.pcap',
  ]) {
    const before = zeekRowsInUse();
    const { atEnd } = run(join(FIXTURES, 'zeek', path));
    assert.equal(zeekRowsInUse(), before, path);
    for (const [c, then] of atEnd) {
      assert.deepEqual(zeekSummaries(c), then, `${path}: connection ${c.id}`);
      if (then.length > 1) split++;
    }
  }
  assert.ok(split > 0, 'some connection was split into several rows');
});
