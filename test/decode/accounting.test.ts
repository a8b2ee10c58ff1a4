/**
 * The accounting invariant: every packet gets exactly one status, the one its anomalies imply
 * (malformed beats truncated beats unsupported; warnings and notes leave it decoded). Checked on
 * every frame of every capture under fixtures/, plus the precedence rules themselves.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { anomaly } from '../../src/core/anomaly.js';
import { DA } from '../../src/decode/anomalies.js';
import { decodeFrame, statusOf } from '../../src/decode/pipeline.js';
import type { PacketStatus } from '../../src/decode/types.js';
import { checkPacket, decode, fixtureFrames, hex, ids, LinkType } from './helpers.js';

describe('accounting', () => {
  test('every fixture packet has exactly one status, and the counts add up', (t) => {
    const frames = fixtureFrames();
    assert.ok(frames.length > 1000, `only ${frames.length} fixture frames`);
    const counts: Record<PacketStatus, number> = { decoded: 0, truncated: 0, malformed: 0, unsupported: 0 };
    const files = new Set<string>();
    for (const { file, frame } of frames) {
      files.add(file);
      const p = decodeFrame(frame);
      checkPacket(p, `${file} #${frame.index}`);
      counts[p.status]++;
    }
    assert.equal(
      counts.decoded + counts.truncated + counts.malformed + counts.unsupported,
      frames.length,
      JSON.stringify(counts),
    );
    // The corpus holds all four kinds.
    for (const s of Object.keys(counts) as PacketStatus[])
      assert.ok(counts[s] > 0, `no ${s} packet in the corpus`);
    t.diagnostic(`${frames.length} packets in ${files.size} captures: ${JSON.stringify(counts)}`);
  });

  test('precedence: malformed > truncated > unsupported > decoded; warnings and notes do not count', () => {
    const a = (id: string) => anomaly(id, 'x', 0);
    assert.equal(statusOf([]), 'decoded');
    assert.equal(statusOf([a(DA['tcp.bad-checksum']), a(DA['ipv4.super-frame'])]), 'decoded');
    assert.equal(statusOf([a(DA['unsupported-linktype'])]), 'unsupported');
    assert.equal(statusOf([a(DA['unsupported-linktype']), a(DA.truncated)]), 'truncated');
    assert.equal(statusOf([a(DA.truncated), a(DA['too-short']), a(DA['unsupported-linktype'])]), 'malformed');
    assert.equal(statusOf([a(DA['dns.pointer-loop']), a(DA.truncated)]), 'malformed');
  });

  test('a frame of every link type with no bytes at all still gets one status', () => {
    for (const linkType of [0, 1, 12, 14, 101, 108, 113, 147, 228, 229, 276]) {
      for (const origlen of [0, 64]) {
        const p = decodeFrame({
          index: 1,
          tsSec: 0,
          tsNsec: 0,
          ts: 0,
          caplen: 0,
          origlen,
          linkType,
          interfaceId: 0,
          data: new Uint8Array(0),
          fileOffset: -1,
        });
        checkPacket(p, `linktype ${linkType}, origlen ${origlen}`);
      }
    }
  });

  test('a header cut short by its IP datagram’s end is malformed, even if the snap length cut the frame later', {}, () => {
    // IPv4 total length 24: the datagram holds only 4 bytes of a UDP header, then 20 bytes of trailer.
    // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 58: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 24) 10.0.0.1.1234 > 10.0.0.2.9: truncated-udp 4
    const d = hex(
      '66778899aabb0011223344550800',
      '4500001800010000401166d20a0000010a000002',
      '04d20009',
      '00'.repeat(20),
    );
    const whole = decode(LinkType.ETHERNET, d);
    assert.deepEqual([whole.status, ids(whole)], ['malformed', ['too-short']]);
    // The same bytes from a capture whose snap length cut the trailer: the UDP header was not cut by it.
    const cut = decode(LinkType.ETHERNET, d, 100);
    assert.deepEqual([cut.status, ids(cut)], ['malformed', ['too-short']]);
  });
});
