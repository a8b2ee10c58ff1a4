/**
 * The bench's floors (bench/floor.ts) must do the work they are timed for: every record read, and
 * in decode mode every frame decoded. Counted against tshark on fixtures of both file formats.
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
];
const HAVE_TSHARK = hasTool('tshark');

/** Frames tshark reads, and those it finds TCP in (quoted TCP inside ICMP errors aside: none here). */
function tsharkCounts(file: string): { packets: number; tcp: number } {
  const all = runTool('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number']).stdout;
  const tcp = runTool('tshark', ['-n', '-r', file, '-Y', 'tcp', '-T', 'fields', '-e', 'frame.number']).stdout;
  const count = (s: string) => s.split('\n').filter((l) => l.trim() !== '').length;
  return { packets: count(all), tcp: count(tcp) };
}

for (const file of CAPTURES) {
  test(`floor on ${file.slice(FIXTURES.length + 1)}: every record read, every TCP frame decoded`, {
    skip: HAVE_TSHARK ? false : 'tshark not installed',
  }, async () => {
    const want = tsharkCounts(file);
    assert.ok(want.tcp > 0, 'the fixture has TCP');
    const read = await floor('read', file);
    assert.deepEqual(read, { mode: 'read', packets: want.packets, tcp: 0 });
    const decode = await floor('decode', file);
    assert.deepEqual(decode, { mode: 'decode', packets: want.packets, tcp: want.tcp });
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
