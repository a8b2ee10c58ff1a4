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

test('report: a slow transaction says what TCP did after a "TCP:" label, without nested parentheses', () => {
  // The lab's lossy transfer: one GET whose response lost segments (tshark flags them too).
  const r = runCli(['report', 'fixtures/lab/loss-retransmit.pcap']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const at = lines.findIndex((l) => l.trim() === 'slowest:');
  assert.ok(at >= 0, r.stdout);
  const line = lines[at + 1] as string;
  assert.match(line, /#1 GET \/big → 200 in [\d.]+ ms; TCP: \d+ lost \(resp\), \d+ dupack \(resp\)/);
  assert.doesNotMatch(line, /\([^()]*\(/);
});
