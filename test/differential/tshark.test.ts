/**
 * Differential test: every capture under fixtures/ decoded by wirelens and by tshark; per packet,
 * the fields in tshark-fields.ts must agree, and the packet count must equal capinfos'. Where the two
 * legitimately differ, EXCEPTIONS below says why. Skipped when tshark is not installed.
 */
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, test } from 'node:test';
import { allFixtureCaptures, hasTool, runTool } from '../helpers/corpus.js';
import { FIELDS, type Field, type Fields, tsharkFields, wirelensFields } from './tshark-fields.js';

interface Exception {
  /** File base name. */
  readonly file: string;
  /** Frame numbers, or 'all'. */
  readonly frames: readonly number[] | 'all';
  /** Fields, or 'all'. */
  readonly fields: readonly Field[] | 'all';
  readonly reason: string;
}

/** Legitimate differences, each with its reason. Keep it short. */
export const EXCEPTIONS: readonly Exception[] = [
  {
    file: 'chrissanders-dns_tcp.pcapng',
    frames: [10],
    fields: ['dns.id'],
    reason:
      'DNS over TCP whose 2-byte length prefix came in an earlier segment: tshark reassembles the TCP stream, the packet decoder does not (stream reassembly is the flow layer).',
  },
  {
    file: 'tcpdump-arp-oobr.pcap',
    frames: [1166],
    fields: ['arp.opcode'],
    reason:
      'ARP with hardware type 19 (ATM): tshark switches to its ATMARP dissector and throws on this fuzzed frame; the opcode sits at byte 6 in both layouts and wirelens shows it.',
  },
  {
    file: 'tcpdump-ipv6_invalid_length.pcap',
    frames: [1],
    fields: ['ipv6.src'],
    reason:
      'Only 39 of the 40 IPv6 header bytes exist: wirelens reports the header as too short; tshark prints the source address it could read and stops before the destination.',
  },
  {
    file: 'tcpdump-tcp_header_heapoverflow.pcap',
    frames: [1],
    fields: ['tcp.seq_raw', 'tcp.ack_raw'],
    reason:
      'Only 12 TCP header bytes exist: wirelens keeps the sequence and acknowledgement numbers that are there (as it does for ICMP quotes); tshark shows only the ports when fewer than 20 bytes remain.',
  },
];

/** Files tshark itself cannot read (see the corpus README). */
const TSHARK_CANNOT_READ = new Set(['tcpdump-vtp_asan.pcap']);

function excepted(file: string, frame: number, field: Field): boolean {
  return EXCEPTIONS.some(
    (e) =>
      e.file === file &&
      (e.frames === 'all' || e.frames.includes(frame)) &&
      (e.fields === 'all' || e.fields.includes(field)),
  );
}

const haveTshark = hasTool('tshark');
const files = allFixtureCaptures();

describe('decoding agrees with tshark', { skip: haveTshark ? false : 'tshark not installed' }, () => {
  test('there are captures to compare', () => {
    assert.ok(files.length >= 50, `only ${files.length} captures under fixtures/`);
  });
  for (const file of files) {
    const name = basename(file);
    if (TSHARK_CANNOT_READ.has(name)) continue;
    test(name, () => {
      const ours = wirelensFields(file);
      const cap = runTool('capinfos', ['-c', '-M', file], true);
      const m = /Number of packets:\s*(\d+)/.exec(cap.stdout);
      if (m) assert.equal(ours.frames, Number(m[1]), 'packet count differs from capinfos');
      const theirs = tsharkFields(file);
      assert.equal(ours.frames, theirs.size, 'packet count differs from tshark');
      const mismatches: string[] = [];
      for (const [n, t] of theirs) {
        const w: Fields = ours.fields.get(n) ?? {};
        for (const f of FIELDS) {
          const a = (w[f] ?? []).join(',');
          const b = (t[f] ?? []).join(',');
          if (a !== b && !excepted(name, n, f))
            mismatches.push(`frame ${n} ${f}: wirelens [${a}] tshark [${b}]`);
        }
      }
      assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} mismatches`);
    });
  }
});
