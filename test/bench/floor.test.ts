/**
 * The bench's floors (bench/floor.ts) must do the work they are timed for: every record read, and
 * in decode mode every frame decoded, in table mode every connection counted once (a 4-tuple
 * reopened by a new SYN counts again, as tshark numbers a new stream), in tracker, models, http and
 * tables modes every connection tracked by the session to its end, and in the last two every HTTP
 * request paired with its response. Counted against tshark on fixtures of both file formats.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { floor } from '../../bench/floor.js';
import { FIXTURES, hasTool, runTool } from '../helpers/corpus.js';

const CAPTURES = [
  join(FIXTURES, 'lab', 'http-keepalive.pcap'),
  join(FIXTURES, 'corpus', 'public', 'chrissanders-http_google.pcapng'),
  // Two connections reusing a 4-tuple within seconds of its close: new SYNs, new connections.
  join(FIXTURES, 'lab', 'timewait-reuse.pcap'),
];
const HAVE_TSHARK = hasTool('tshark');

/**
 * Frames tshark reads, those it finds TCP in (quoted TCP inside ICMP errors aside: none here), and
 * its TCP streams (the fixtures are IPv4 over Ethernet, the bare table's only kind).
 */
function tsharkCounts(file: string): {
  packets: number;
  tcp: number;
  streams: number;
  requests: number;
  responses: number;
} {
  const all = runTool('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number']).stdout;
  const tcp = runTool('tshark', ['-n', '-r', file, '-Y', 'tcp', '-T', 'fields', '-e', 'tcp.stream']).stdout;
  const http = (filter: string) =>
    runTool('tshark', ['-n', '-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number']).stdout;
  const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
  return {
    packets: lines(all).length,
    tcp: lines(tcp).length,
    streams: new Set(lines(tcp)).size,
    requests: lines(http('http.request')).length,
    responses: lines(http('http.response')).length,
  };
}

for (const file of CAPTURES) {
  test(`floor on ${file.slice(FIXTURES.length + 1)}: every record read, every TCP frame decoded, every connection counted`, {
    skip: HAVE_TSHARK ? false : 'tshark not installed',
  }, async () => {
    const want = tsharkCounts(file);
    assert.ok(want.tcp > 0, 'the fixture has TCP');
    const read = await floor('read', file);
    assert.deepEqual(read, { mode: 'read', packets: want.packets, tcp: 0 });
    const decode = await floor('decode', file);
    assert.deepEqual(decode, { mode: 'decode', packets: want.packets, tcp: want.tcp });
    for (const mode of ['table', 'tracker', 'models'] as const) {
      const got = await floor(mode, file);
      assert.deepEqual(got, { mode, packets: want.packets, tcp: want.tcp, connections: want.streams });
    }
    // Every request of these fixtures is answered: one transaction each.
    assert.equal(want.requests, want.responses);
    for (const mode of ['http', 'tables'] as const) {
      const got = await floor(mode, file);
      assert.deepEqual(got, {
        mode,
        packets: want.packets,
        tcp: want.tcp,
        connections: want.streams,
        transactions: want.requests,
      });
    }
  });
}

test('floor as a script prints its result as one line of JSON, and refuses a bad mode', () => {
  const script = join(FIXTURES, '..', 'dist', 'bench', 'floor.js');
  const ok = spawnSync(process.execPath, [script, 'decode', CAPTURES[0] as string], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const r = JSON.parse(ok.stdout) as { mode: string; packets: number };
  assert.equal(r.mode, 'decode');
  assert.ok(r.packets > 0);
  const bad = spawnSync(process.execPath, [script, 'parse', CAPTURES[0] as string], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /usage/);
});
