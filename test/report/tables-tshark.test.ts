/**
 * The report's conversation and host tables against tshark's `-z conv,ip` / `-z conv,ipv6` and
 * `-z endpoints,ip` / `-z endpoints,ipv6` on real captures: the same address pairs and addresses,
 * with the same frames and bytes each way (tshark prints small byte counts exactly: those are compared).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { hasTool, runTool } from '../helpers/corpus.js';

const CAPTURES = [
  'fixtures/corpus/public/chrissanders-http_ip4and6.pcapng',
  'fixtures/corpus/public/chrissanders-arppoison.pcapng',
  'fixtures/corpus/public/chrissanders-synscan.pcapng',
  'fixtures/corpus/public/chrissanders-dns_query_response.pcapng',
  'fixtures/corpus/public/zeek-communityid_ipv6.pcap',
  'fixtures/lab/nat-inside.pcap',
  'fixtures/lab/sll2-any.pcap',
  'fixtures/lab/http-large-loss.pcap',
  'fixtures/lab/ipv6-http.pcap',
  'fixtures/zeek/core.tcp.rxmit-history.wikipedia/wikipedia.pcap',
  'fixtures/corpus/public/chrissanders-icmp_traceroute.pcapng',
  'fixtures/zeek/scripts.base.protocols.dhcp.dhcp-all-msg-types/dhcp.pcap',
  'fixtures/lab/backlog-overflow.pcap',
];

/**
 * The numbers of a row of tshark's table, each with the unit printed after it if any: tshark
 * prints small byte counts exactly ("843 bytes", or "843") and larger ones rounded ("12 kB").
 */
function numbers(tokens: readonly string[]): { value: number; exact: boolean }[] {
  const out: { value: number; exact: boolean }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (!/^[\d,.]+$/.test(t)) continue;
    const unit = tokens[i + 1];
    const exact = unit === undefined || unit === 'bytes' || /^[\d,.]+$/.test(unit);
    out.push({ value: Number(t.replace(/,/g, '')), exact });
  }
  return out;
}

interface Counts {
  readonly frames: number;
  readonly bytes: number | undefined;
}

function counts(frames: { value: number }, bytes: { value: number; exact: boolean }): Counts {
  return { frames: frames.value, bytes: bytes.exact ? bytes.value : undefined };
}

/** tshark's conversations: "A B" to [frames and bytes from A to B, from B to A]. */
function tsharkConversations(file: string): Map<string, [Counts, Counts]> {
  const out = runTool('tshark', ['-r', file, '-n', '-q', '-z', 'conv,ip', '-z', 'conv,ipv6']).stdout;
  const m = new Map<string, [Counts, Counts]>();
  for (const line of out.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    if (tokens[1] !== '<->') continue;
    const n = numbers(tokens.slice(3));
    // "<-" (B to A) frames and bytes, then "->" (A to B).
    m.set(`${tokens[0]} ${tokens[2]}`, [
      counts(n[2] as { value: number }, n[3] as { value: number; exact: boolean }),
      counts(n[0] as { value: number }, n[1] as { value: number; exact: boolean }),
    ]);
  }
  return m;
}

/** tshark's endpoints: address to [sent, received]. */
function tsharkEndpoints(file: string): Map<string, [Counts, Counts]> {
  const out = runTool('tshark', [
    '-r',
    file,
    '-n',
    '-q',
    '-z',
    'endpoints,ip',
    '-z',
    'endpoints,ipv6',
  ]).stdout;
  const m = new Map<string, [Counts, Counts]>();
  for (const line of out.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    if (!/^[\da-f]*[.:][\da-f.:]+$/.test(tokens[0] as string)) continue;
    // Packets, bytes, then sent ("Tx") and received ("Rx") packets and bytes.
    const n = numbers(tokens.slice(1));
    m.set(tokens[0] as string, [
      counts(n[2] as { value: number }, n[3] as { value: number; exact: boolean }),
      counts(n[4] as { value: number }, n[5] as { value: number; exact: boolean }),
    ]);
  }
  return m;
}

function same(what: string, ours: Counts, theirs: Counts): void {
  assert.equal(ours.frames, theirs.frames, `${what}: frames`);
  if (theirs.bytes !== undefined) assert.equal(ours.bytes, theirs.bytes, `${what}: bytes`);
}

interface ReportTables {
  conversations: {
    total: number;
    shown: { a: string; b: string; packets: number; aToB: number; bToA: number }[];
  };
  hosts: {
    total: number;
    shown: { addr: string; sentPackets: number; sentBytes: number; recvPackets: number; recvBytes: number }[];
  };
}

function report(file: string): ReportTables {
  const r = runCli(['report', '--json', '--top', '100000', file]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ReportTables;
}

test('conversations and hosts are tshark’s conv,ip and endpoints,ip', { skip: !hasTool('tshark') }, () => {
  let pairs = 0;
  let hosts = 0;
  for (const file of CAPTURES) {
    const m = report(file);
    const convs = tsharkConversations(file);
    assert.equal(m.conversations.total, convs.size, `${file}: conversations`);
    for (const c of m.conversations.shown) {
      const fwd = convs.get(`${c.a} ${c.b}`);
      const rev = convs.get(`${c.b} ${c.a}`);
      const t = fwd ?? (rev ? ([rev[1], rev[0]] as [Counts, Counts]) : undefined);
      assert.ok(t, `${file}: ${c.a} <-> ${c.b} not in tshark's conversations`);
      assert.equal(c.packets, t[0].frames + t[1].frames, `${file}: ${c.a} <-> ${c.b}: frames`);
      if (t[0].bytes !== undefined) assert.equal(c.aToB, t[0].bytes, `${file}: ${c.a} -> ${c.b}: bytes`);
      if (t[1].bytes !== undefined) assert.equal(c.bToA, t[1].bytes, `${file}: ${c.b} -> ${c.a}: bytes`);
      pairs++;
    }
    const ends = tsharkEndpoints(file);
    assert.equal(m.hosts.total, ends.size, `${file}: hosts`);
    for (const h of m.hosts.shown) {
      const t = ends.get(h.addr);
      assert.ok(t, `${file}: ${h.addr} not in tshark's endpoints`);
      same(`${file}: ${h.addr} sent`, { frames: h.sentPackets, bytes: h.sentBytes }, t[0]);
      same(`${file}: ${h.addr} received`, { frames: h.recvPackets, bytes: h.recvBytes }, t[1]);
      hosts++;
    }
  }
  // The captures hold a few dozen of each: a parse that found nothing would not pass unnoticed.
  assert.ok(pairs >= 20 && hosts >= 20, `${pairs} pairs, ${hosts} hosts compared`);
});
