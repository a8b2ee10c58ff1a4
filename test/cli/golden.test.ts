/**
 * Golden outputs: the CLI run for real (bin/wirelens.js, no colours) on lab fixtures, compared with
 * the files in test/golden/. After an intended change in the output, regenerate them with
 * `UPDATE_GOLDEN=1 node --test dist/test/cli/golden.test.js` and review the diff like code.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/corpus.js';

const GOLDEN = join(ROOT, 'test', 'golden');

/** name → arguments (paths relative to the repository root). */
export const CASES: Record<string, string[]> = {
  'read-http-keepalive': ['read', 'fixtures/lab/http-keepalive.pcap'],
  'read-traceroute-v': [
    'read',
    'fixtures/corpus/public/chrissanders-icmp_traceroute.pcapng',
    '-c',
    '4',
    '-v',
  ],
  'read-dns-x': ['read', 'fixtures/lab/http-keepalive.pcap', 'udp', '-x'],
  'read-malformed': ['read', 'fixtures/corpus/public/tcpdump-tcp_header_heapoverflow.pcap'],
  'conns-http-keepalive': ['conns', 'fixtures/lab/http-keepalive.pcap'],
  'conns-timewait-reuse': ['conns', 'fixtures/lab/timewait-reuse.pcap'],
  'conns-refused': ['conns', 'fixtures/lab/refused.pcap'],
  'conns-json-close-simultaneous': ['conns', '--json', 'fixtures/lab/close-simultaneous.pcap'],
  'explain-close-client-first': ['explain', 'fixtures/lab/close-client-first.pcap'],
  'explain-close-server-first': ['explain', 'fixtures/lab/close-server-first.pcap'],
  'explain-close-simultaneous': ['explain', 'fixtures/lab/close-simultaneous.pcap'],
  'explain-refused': ['explain', 'fixtures/lab/refused.pcap'],
  'explain-abortive-close': ['explain', 'fixtures/lab/abortive-close.pcap'],
  'explain-half-close': ['explain', 'fixtures/lab/half-close.pcap'],
  'explain-timewait-reuse-2': ['explain', 'fixtures/lab/timewait-reuse.pcap', '2'],
  'listeners-syncookies': ['listeners', 'fixtures/lab/syncookies.pcap'],
  'report-http-keepalive': ['report', 'fixtures/lab/http-keepalive.pcap'],
  'http-pipelined': ['http', 'fixtures/lab/http-pipelined.pcap'],
  'report-arppoison': ['report', 'fixtures/corpus/public/chrissanders-arppoison.pcapng'],
  'nat-lab': ['nat', 'fixtures/lab/nat-inside.pcap', 'fixtures/lab/nat-outside.pcap'],
  'arp-arppoison': ['arp', 'fixtures/corpus/public/chrissanders-arppoison.pcapng'],
  'http-hostile-v': ['http', '-v', 'fixtures/lab/http-hostile.pcap'],
  'read-hostile': ['read', 'fixtures/lab/http-hostile.pcap', '-v', '-x'],
  'explain-http-misc': ['explain', 'fixtures/lab/http-misc.pcap'],
  'follow-http-keepalive-2': ['follow', 'fixtures/lab/http-keepalive.pcap', '2'],
  'follow-hostile': ['follow', 'fixtures/lab/http-hostile.pcap', '1'],
  'listeners-backlog-overflow': ['listeners', 'fixtures/lab/backlog-overflow.pcap'],
  addr: ['addr', '192.168.1.10', '100.64.1.2', 'fe80::1', '2001:db8::5', '64:ff9b::c000:221'],
};

describe('golden CLI output', () => {
  const update = process.env.UPDATE_GOLDEN === '1';
  if (update && !existsSync(GOLDEN)) mkdirSync(GOLDEN, { recursive: true });
  for (const [name, args] of Object.entries(CASES)) {
    test(name, () => {
      const r = runCli(args);
      const text = `$ wirelens ${args.join(' ')}\n${r.stdout}${r.stderr ? `--- stderr\n${r.stderr}` : ''}--- exit ${r.status}\n`;
      const file = join(GOLDEN, `${name}.txt`);
      if (update) writeFileSync(file, text);
      assert.ok(existsSync(file), `missing golden file ${name}.txt: run with UPDATE_GOLDEN=1`);
      assert.equal(text, readFileSync(file, 'utf8'));
    });
  }
});
