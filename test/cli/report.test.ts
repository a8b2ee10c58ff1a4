/** The report, run for real: its accounting adds up and it flags registry violations. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';

test('report --json: documentation addresses on a live network are flagged', () => {
  const r = runCli(['report', '--json', 'fixtures/corpus/public/chrissanders-http_ip4and6.pcapng']);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  const v = m.violations.find((x: { id: string }) => x.id === 'addr.documentation');
  assert.ok(v, JSON.stringify(m.violations));
  assert.equal(v.count, 10);
});

test('report --json: packets = decoded + truncated + malformed + unsupported', () => {
  for (const f of [
    'fixtures/corpus/public/tcpdump-arp-oobr.pcap',
    'fixtures/lab/http-keepalive.pcap',
    'fixtures/corpus/public/zeek-tcp_truncated-header.pcap',
  ]) {
    const r = runCli(['report', '--json', f]);
    const c = JSON.parse(r.stdout).capture;
    assert.equal(c.packets, c.decoded + c.truncated + c.malformed + c.unsupported, f);
  }
});
