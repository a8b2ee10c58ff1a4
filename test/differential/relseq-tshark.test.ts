/**
 * The relative sequence and acknowledgement numbers `read` shows (`relSeq`, `relAck`) against
 * tshark's `tcp.seq` and `tcp.ack` (relative by default), packet by packet: connections seen from
 * their SYN, picked up mid-stream from either side, refused, reset, reopened on the same 4-tuple,
 * and a SYN scan.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { hasTool, runTool } from '../helpers/corpus.js';

const CAPTURES = [
  'fixtures/lab/http-keepalive.pcap',
  'fixtures/lab/refused.pcap',
  'fixtures/lab/timewait-reuse.pcap',
  'fixtures/lab/close-simultaneous.pcap',
  'fixtures/corpus/public/chrissanders-tcp_retransmissions.pcapng',
  'fixtures/corpus/public/chrissanders-tcp_refuseconnection.pcapng',
  'fixtures/corpus/public/chrissanders-synscan.pcapng',
  'fixtures/corpus/public/tcpdump-tcp_rst_data.pcap',
  'fixtures/corpus/public/zeek-tcp_missing-syn.pcap',
  'fixtures/corpus/public/zeek-redis_start-with-server.pcapng',
  'fixtures/zeek/core.tcp.rxmit-history.wikipedia/wikipedia.pcap',
  'fixtures/zeek/core.local-flip/zeek-image-post-1080-8000-x.pcap',
];

/** tshark's relative numbers of every TCP packet of a capture (ack: only with the ACK flag). */
function tsharkNumbers(file: string): Map<number, { seq: number; ack: number | undefined }> {
  const fields = ['frame.number', 'tcp.seq', 'tcp.ack', 'tcp.flags.ack'];
  const out = runTool('tshark', [
    '-r',
    file,
    '-Y',
    'tcp && !icmp && !icmpv6',
    '-T',
    'fields',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  const want = new Map<number, { seq: number; ack: number | undefined }>();
  for (const line of out.stdout.trim().split('\n')) {
    const [n, s, a, hasAck] = line.split('\t');
    want.set(Number(n), { seq: Number(s), ack: hasAck === '1' ? Number(a) : undefined });
  }
  return want;
}

test('explain shows them too, for connections seen from the SYN and picked up mid-stream', {
  skip: !hasTool('tshark'),
}, () => {
  const file = 'fixtures/zeek/core.tcp.rxmit-history.wikipedia/wikipedia.pcap';
  const want = tsharkNumbers(file);
  let compared = 0;
  for (const conn of ['1', '2']) {
    const r = runCli(['explain', file, conn]);
    assert.equal(r.status, 0, r.stderr);
    for (const m of r.stdout.matchAll(/^ +(\d+) +[\d.]+ .*? seq=(\d+)(?: ack=(\d+))?/gm)) {
      const w = want.get(Number(m[1]));
      assert.ok(w, `packet ${m[1]}`);
      assert.deepEqual(
        [Number(m[2]), m[3] === undefined ? undefined : Number(m[3])],
        [w.seq, w.ack],
        `packet ${m[1]}`,
      );
      compared++;
    }
  }
  assert.ok(compared >= 8, `${compared} packets`);
});

test('relative sequence numbers are tshark’s', { skip: !hasTool('tshark') }, () => {
  let compared = 0;
  let acks = 0;
  for (const file of CAPTURES) {
    const want = tsharkNumbers(file);
    const r = runCli(['read', '--json', file]);
    assert.equal(r.status, 0, r.stderr);
    let seen = 0;
    for (const line of r.stdout.trim().split('\n')) {
      const p = JSON.parse(line) as { n: number; relSeq?: number; relAck?: number };
      const w = want.get(p.n);
      if (w === undefined) continue;
      seen++;
      assert.equal(p.relSeq, w.seq, `${file}: packet ${p.n}: seq`);
      assert.equal(p.relAck, w.ack, `${file}: packet ${p.n}: ack`);
      if (w.ack !== undefined) acks++;
    }
    assert.equal(seen, want.size, `${file}: TCP packets`);
    compared += seen;
  }
  assert.ok(compared > 2000 && acks > 200, `${compared} packets, ${acks} with an ACK`);
});
