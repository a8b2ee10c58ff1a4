/** The host table's per-address lists: source MACs and initial TTL families, distinct, in order, bounded. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostTable } from '../../src/annotate/hosts.js';
import { macToString } from '../../src/core/addr.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { F, tcpFrame } from '../helpers/build.js';

/** A segment from 10.0.0.1 to 10.0.0.2 sent from source MAC 02:00:00:00:00:<mac> with `ttl`. */
function from(mac: number, ttl: number, ts: number) {
  const f = tcpFrame({
    src: '10.0.0.1',
    dst: '10.0.0.2',
    sport: 40000,
    dport: 80,
    seq: 1,
    flags: F.ACK,
    ttl,
    ts,
  });
  f.data[11] = mac;
  return decodeFrame(f);
}

function hostOf(t: HostTable, addr: string) {
  const h = t.top(t.size).find((x) => x.addr === addr);
  assert.ok(h, `no host ${addr}`);
  return h;
}

test('a source keeps its MACs distinct, in order of first use, at most 8', () => {
  const t = new HostTable();
  for (const mac of [1, 1, 2, 1, 3, 2, 4, 5, 6, 7, 8, 9, 10, 3]) t.add(from(mac, 64, 1));
  const h = hostOf(t, '10.0.0.1');
  assert.deepEqual(
    h.macs.map(macToString),
    [1, 2, 3, 4, 5, 6, 7, 8].map((m) => `02:00:00:00:00:0${m.toString(16)}`),
  );
  assert.equal(h.sentPackets, 14);
  // The destination sent nothing: no MACs, no TTLs.
  const d = hostOf(t, '10.0.0.2');
  assert.deepEqual([d.macs, d.initialTtls, d.recvPackets], [[], [], 14]);
});

test('a source keeps the initial TTL families it sends with, distinct, in order, at most 4', () => {
  const t = new HostTable();
  // 64 and 60 are one family (64); 128, 255, 32 and 200 (255) follow.
  for (const ttl of [64, 60, 128, 64, 255, 32, 200, 1]) t.add(from(1, ttl, 1));
  assert.deepEqual(hostOf(t, '10.0.0.1').initialTtls, [64, 128, 255, 32]);
});
