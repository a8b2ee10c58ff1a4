/**
 * IPv6 (RFC 8200) and its extension headers: hop-by-hop, routing, fragment (first, non-first,
 * atomic), destination options, AH, ESP (decoding stops), mobility; jumbograms and super-frames;
 * payload length against the frame; RFC 5952 address text.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ip6ToString, parseIp6 } from '../../src/core/addr.js';
import { packetJson } from '../../src/report/packet-json.js';
import {
  anomalyOf,
  decode,
  fixturePackets,
  hex,
  ids,
  kinds,
  LinkType,
  layer,
  patch,
  put16,
  sweepCuts,
} from './helpers.js';

const ETH = LinkType.ETHERNET;

// fixtures/corpus/public/zeek-ipv6-http-atomic-frag.pcap #23: hop-by-hop options (PadN) before TCP
// tcpdump: 00:10:18:95:31:6a > aa:00:04:00:0a:04, ethertype IPv6 (0x86dd), length 82: (hlim 64, next-header Options (0) payload length: 28) 2001:db8:1::2 > 2001:db8:1::1: HBH (padn) 27393 > 80: Flags [S], cksum 0xcbd9 (correct), seq 1365224417, win 8192, length 0
const HBH_TCP = hex(
  'aa0004000a0400101895316a86dd60000000001c004020010db8000100000000',
  '00000000000220010db800010000000000000000000106000104000000006b01',
  '0050515fabe10000000050022000cbd90000',
);

// fixtures/corpus/public/zeek-ipv6-http-atomic-frag.pcap #33: type 0 routing header, no segments left
// tcpdump: 00:10:18:95:31:6a > aa:00:04:00:0a:04, ethertype IPv6 (0x86dd), length 82: (hlim 64, next-header Routing (43) payload length: 28) 2001:db8:1::2 > 2001:db8:1::1: RT6 (len=0, type=0 [Deprecated], segleft=0, rsv=0x0) 45805 > 80: Flags [S], cksum 0xfa87 (correct), seq 466053855, win 8192, length 0
const ROUTING0_TCP = hex(
  'aa0004000a0400101895316a86dd60000000001c2b4020010db8000100000000',
  '00000000000220010db80001000000000000000000010600000000000000b2ed',
  '00501bc76adf0000000050022000fa870000',
);

// fixtures/corpus/public/zeek-ipv6-http-atomic-frag.pcap #4: destination options
// tcpdump: 00:10:18:95:31:6a > aa:00:04:00:0a:04, ethertype IPv6 (0x86dd), length 82: (hlim 64, next-header unknown (60) payload length: 28) 2001:db8:1::2 > 2001:db8:1::1: DSTOPT (padn) 36951 > 80: Flags [S], cksum 0x0357 (correct), seq 3810442574, win 8192, length 0
const DSTOPT_TCP = hex(
  'aa0004000a0400101895316a86dd60000000001c3c4020010db8000100000000',
  '00000000000220010db800010000000000000000000106000104000000009057',
  '0050e31ebd4e000000005002200003570000',
);

// fixtures/corpus/public/zeek-ipv6-http-atomic-frag.pcap #16: atomic fragment (offset 0, no more fragments)
// tcpdump: 00:10:18:95:31:6a > aa:00:04:00:0a:04, ethertype IPv6 (0x86dd), length 97: (hlim 64, next-header Fragment (44) payload length: 43) 2001:db8:1::2 > 2001:db8:1::1: frag (0x00000000:0|35) 59694 > 80: Flags [P.], seq 1:16, ack 1, win 8192, length 15: HTTP, length: 15 GET /bad.html
const ATOMIC_FRAG_TCP = hex(
  'aa0004000a0400101895316a86dd60000000002b2c4020010db8000100000000',
  '00000000000220010db80001000000000000000000010600000000000000e92e',
  '005069817906fe46320c50182000f2dd0000474554202f6261642e68746d6c0d',
  '0a',
);

// fixtures/corpus/public/chrissanders-ipv6_fragments.pcapng #2: the second fragment of an echo request
// tcpdump: 00:0c:29:2f:80:31 > 78:31:c1:cb:b2:56, ethertype IPv6 (0x86dd), length 122: (hlim 64, next-header Fragment (44) payload length: 68) 2001:db8:1:2::1003 > 2001:db8:1:2::1000: frag (0xcde00817:1448|60)
const FRAG_NONFIRST = hex(
  '7831c1cbb256000c292f803186dd6000000000442c4020010db8000100020000',
  '00000000100320010db80001000200000000000010003a0005a8cde00817a0a1',
  'a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1',
  'c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadb',
);

// A chain: destination options, routing, fragment (first, more follow), destination options, UDP.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 98: (hlim 64, next-header unknown (60) payload length: 44) 2001:db8::1 > 2001:db8::2: DSTOPT (padn) RT6 (len=0, type=0 [Deprecated], segleft=0, rsv=0x0) frag (0x00000007:0|20) DSTOPT (padn) 1234 > 9: UDP, length 4
const CHAIN_UDP = hex(
  '66778899aabb00112233445586dd60000000002c3c4020010db8000000000000',
  '00000000000120010db80000000000000000000000022b000104000000002c00',
  '0000000000003c00000100000007110001040000000004d20009000c12346162',
  '6364',
);

// Hop-by-hop, then a non-first fragment (offset 16, last).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 78: (hlim 64, next-header Options (0) payload length: 24) 2001:db8::1 > 2001:db8::2: HBH (padn) frag (0x00000009:16|8)
const HBH_FRAG_NONFIRST = hex(
  '66778899aabb00112233445586dd600000000018004020010db8000000000000',
  '00000000000120010db80000000000000000000000022c000104000000001100',
  '0010000000090001020304050607',
);

// Segment routing header (type 4), two segments left: the final destination is segment 0, 2001:db8::3.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 106: (hlim 64, next-header Routing (43) payload length: 52) 2001:db8::1 > 2001:db8::2: RT6 (len=4, type=4, segleft=2, last-entry=1, flags=0x0, tag=0, [0]2001:db8::3, [1]2001:db8::2) 1234 > 9: [udp sum ok] UDP, length 4
const SRH_UDP = hex(
  '66778899aabb00112233445586dd6000000000342b4020010db8000000000000',
  '00000000000120010db800000000000000000000000211040402010000002001',
  '0db800000000000000000000000320010db800000000000000000000000204d2',
  '0009000cdabe61626364',
);

// AH with a 12-byte ICV, then UDP.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 90: (hlim 64, next-header AH (51) payload length: 36) 2001:db8::1 > 2001:db8::2: AH(length=4(24-bytes),spi=0x00001000,seq=0x1,icv=0x0102030405060708090a0b0c): 1234 > 9: [udp sum ok] UDP, length 4
const AH_UDP = hex(
  '66778899aabb00112233445586dd600000000024334020010db8000000000000',
  '00000000000120010db800000000000000000000000211040000000010000000',
  '00010102030405060708090a0b0c04d20009000cdabf61626364',
);

// ESP: everything after the SPI and sequence number is ciphertext.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 78: (hlim 64, next-header ESP (50) payload length: 24) 2001:db8::1 > 2001:db8::2: ESP(spi=0x00002000,seq=0x1), length 24
const ESP = hex(
  '66778899aabb00112233445586dd600000000018324020010db8000000000000',
  '00000000000120010db800000000000000000000000200002000000000010011',
  '2233445566778899aabbccddeeff',
);

// Mobility header (binding refresh request), no next header.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 62: (hlim 64, next-header Mobility (135) payload length: 8) 2001:db8::1 > 2001:db8::2: mobility: BRR
const MOBILITY = hex(
  '66778899aabb00112233445586dd600000000008874020010db8000000000000',
  '00000000000120010db80000000000000000000000023b00000000000000',
);

// No next header (59), empty payload.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 54: (hlim 64, next-header unknown (59) payload length: 0) 2001:db8::1 > 2001:db8::2: no next header
const NO_NEXT = hex(
  '66778899aabb00112233445586dd6000000000003b4020010db8000000000000',
  '00000000000120010db8000000000000000000000002',
);

// Next header 253 (experimentation): data.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 58: (hlim 64, next-header unknown (253) payload length: 4) 2001:db8::1 > 2001:db8::2: ip-proto-253 4
const UNKNOWN_NH = hex(
  '66778899aabb00112233445586dd600000000004fd4020010db8000000000000',
  '00000000000120010db8000000000000000000000002deadbeef',
);

// Jumbogram shape: payload length 0 and a hop-by-hop jumbo payload option (value 20, too small to be legal).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 74: (hlim 64, next-header Options (0) payload length: 0) 2001:db8::1 > 2001:db8::2: HBH (jumbo: 20 - < 65536)  [No valid Jumbo Payload Hop-by-Hop option found] (invalid)
const JUMBO_SMALL = hex(
  '66778899aabb00112233445586dd600000000000004020010db8000000000000',
  '00000000000120010db80000000000000000000000021100c2040000001404d2',
  '00090000dacb61626364',
);

// fixtures/corpus/public/tcpdump-ipv6-bad-version.pcap #2: version 0 under EtherType IPv6
// tcpdump: 24:84:3f:eb:3c:ee > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: version error: 0 != 6
const BAD_VERSION = hex(
  '33330000000124843feb3cee86dd0000000000203afffe80000000000000020c',
  '29fffe766c14ff0200000000000000000000000000018800ab1300000000fe80',
  '000000000000020c29fffe766c14020124843feb3cee',
);

// fixtures/corpus/public/tcpdump-ipv6_invalid_length.pcap #1: 39 bytes of a 40-byte header, not cut
// tcpdump: f0:4d:a2:3d:5d:a3 > c0:d6:82:36:03:2b, ethertype IPv6 (0x86dd), length 53: [|ip6]
const SHORT_HEADER = hex(
  'c0d68236032bf04da23d5da386dd6009d8d8004011402605bc80301001040000',
  '00008cd309ce26003c00e000001900000000000000',
);

/** A jumbogram (RFC 2675): payload length 0, jumbo option with the real length, UDP length 0. */
function jumbogram(data: number): Uint8Array {
  const jumbo = 8 + 8 + data;
  const head = hex(
    '66778899aabb00112233445586dd600000000000004020010db8000000000000',
    '00000000000120010db8000000000000000000000002',
    '1100c204',
    jumbo.toString(16).padStart(8, '0'),
    '04d2000900001234',
  );
  const out = new Uint8Array(head.length + data);
  out.set(head);
  return out;
}

describe('IPv6: fixed header and extension headers', () => {
  test('fixed header fields and RFC 5952 addresses', () => {
    const p = decode(ETH, HBH_TCP);
    const ip = layer(p, 'ipv6');
    assert.deepEqual(
      [
        ip.offset,
        ip.headerLength,
        ip.trafficClass,
        ip.flowLabel,
        ip.payloadLength,
        ip.nextHeader,
        ip.hopLimit,
      ],
      [14, 40, 0, 0, 28, 0, 64],
    );
    assert.deepEqual([ip6ToString(ip.src), ip6ToString(ip.dst)], ['2001:db8:1::2', '2001:db8:1::1']);
    assert.equal(ip.superFrame, false);
  });

  test('hop-by-hop: option types listed, TCP after it verified', () => {
    const p = decode(ETH, HBH_TCP);
    const ip = layer(p, 'ipv6');
    assert.deepEqual(
      ip.extensions.map((e) => [e.kind, e.code, e.offset, e.length, e.nextHeader, e.optionTypes]),
      [['hop-by-hop', 0, 54, 8, 6, [1]]],
    );
    assert.equal(ip.protocol, 6);
    assert.equal(layer(p, 'tcp').offset, 62);
    assert.equal(layer(p, 'tcp').checksumStatus, 'good');
    assert.deepEqual(ids(p), []);
  });

  test('routing (type 0, no segments left) and destination options', () => {
    const r = layer(decode(ETH, ROUTING0_TCP), 'ipv6').extensions[0];
    assert.deepEqual([r?.kind, r?.routingType, r?.segmentsLeft, r?.length], ['routing', 0, 0, 8]);
    const rp = decode(ETH, ROUTING0_TCP);
    assert.equal(layer(rp, 'tcp').checksumStatus, 'good');
    const d = decode(ETH, DSTOPT_TCP);
    assert.deepEqual(
      layer(d, 'ipv6').extensions.map((e) => [e.kind, e.code]),
      [['destination', 60]],
    );
    assert.equal(layer(d, 'tcp').checksumStatus, 'good');
  });

  test('a chain of five headers, walked in order to UDP', () => {
    const p = decode(ETH, CHAIN_UDP);
    const ip = layer(p, 'ipv6');
    assert.deepEqual(
      ip.extensions.map((e) => [e.kind, e.offset]),
      [
        ['destination', 54],
        ['routing', 62],
        ['fragment', 70],
        ['destination', 78],
      ],
    );
    assert.deepEqual(ip.fragment, { offset: 0, more: true, id: 7 });
    assert.equal(ip.protocol, 17);
    assert.deepEqual(kinds(p), ['eth', 'ipv6', 'udp']);
    assert.equal(layer(p, 'udp').checksumStatus, 'unverified');
    assert.deepEqual(ids(p), ['ipv6.fragment']);
  });

  test('AH: SPI kept, the protocol after it decoded', () => {
    const p = decode(ETH, AH_UDP);
    const ah = layer(p, 'ipv6').extensions[0];
    assert.deepEqual([ah?.kind, ah?.code, ah?.length, ah?.spi, ah?.nextHeader], ['ah', 51, 24, 0x1000, 17]);
    assert.deepEqual(kinds(p), ['eth', 'ipv6', 'udp']);
    assert.equal(layer(p, 'udp').checksumStatus, 'good');
  });

  test('ESP: decoding stops, with a note; the protocol is 50', () => {
    const p = decode(ETH, ESP);
    const ip = layer(p, 'ipv6');
    const esp = ip.extensions[0];
    assert.deepEqual(
      [esp?.kind, esp?.spi, esp?.offset, esp?.length, esp?.nextHeader],
      ['esp', 0x2000, 54, 24, 59],
    );
    assert.equal(ip.protocol, 50);
    assert.deepEqual(kinds(p), ['eth', 'ipv6']);
    assert.deepEqual(ids(p), ['ipv6.esp']);
    assert.equal(p.status, 'decoded');
    // ESP with fewer than 4 bytes: no SPI, still no throw.
    const tiny = decode(ETH, put16(ESP.slice(0, 56), 18, 2));
    assert.equal(layer(tiny, 'ipv6').extensions[0]?.spi, undefined);
  });

  test('mobility header, no next header, unknown next header', () => {
    const m = decode(ETH, MOBILITY);
    assert.deepEqual(
      layer(m, 'ipv6').extensions.map((e) => [e.kind, e.nextHeader]),
      [['mobility', 59]],
    );
    assert.equal(m.status, 'decoded');
    const n = decode(ETH, NO_NEXT);
    assert.deepEqual([kinds(n), layer(n, 'ipv6').protocol, n.status], [['eth', 'ipv6'], 59, 'decoded']);
    const u = decode(ETH, UNKNOWN_NH);
    assert.deepEqual(kinds(u), ['eth', 'ipv6', 'undecoded']);
    assert.equal(layer(u, 'undecoded').what, 'ip proto 253');
    assert.deepEqual(ids(u), []);
  });

  test('routing header with segments left: the checksum uses the final destination (RFC 8200 §8.1)', {}, () => {
    const p = decode(ETH, SRH_UDP);
    const r = layer(p, 'ipv6').extensions[0];
    assert.deepEqual([r?.routingType, r?.segmentsLeft], [4, 2]);
    assert.equal(layer(p, 'udp').checksumStatus, 'good');
    assert.deepEqual(ids(p), []);
  });
});

describe('IPv6: fragments', () => {
  test('atomic fragment (offset 0, last): the transport header is decoded', () => {
    const p = decode(ETH, ATOMIC_FRAG_TCP);
    const ip = layer(p, 'ipv6');
    assert.deepEqual(ip.fragment, { offset: 0, more: false, id: 0 });
    assert.deepEqual(kinds(p), ['eth', 'ipv6', 'tcp']);
    assert.equal(layer(p, 'tcp').payloadLength, 15);
    assert.deepEqual(ids(p), ['ipv6.fragment']);
  });

  test('first fragment of a real echo request: ICMPv6 decoded, checksum unverifiable', () => {
    // fixtures/corpus/public/chrissanders-ipv6_fragments.pcapng #1
    // tcpdump: 00:0c:29:2f:80:31 > 78:31:c1:cb:b2:56, ethertype IPv6 (0x86dd), length 1510: (hlim 64, next-header Fragment (44) payload length: 1456) 2001:db8:1:2::1003 > 2001:db8:1:2::1000: frag (0xcde00817:0|1448) ICMP6, echo request, id 59968, seq 1
    const p = fixturePackets('corpus/public/chrissanders-ipv6_fragments.pcapng')[0];
    assert.ok(p);
    assert.deepEqual(layer(p, 'ipv6').fragment, { offset: 0, more: true, id: 0xcde00817 });
    assert.deepEqual(kinds(p), ['eth', 'ipv6', 'icmp6']);
    assert.deepEqual(
      [layer(p, 'icmp6').typeName, layer(p, 'icmp6').checksumStatus],
      ['echo-request', 'unverified'],
    );
    assert.deepEqual(ids(p), ['ipv6.fragment']);
  });

  test('non-first fragment: no transport header; the payload is data', () => {
    const p = decode(ETH, FRAG_NONFIRST);
    assert.deepEqual(layer(p, 'ipv6').fragment, { offset: 1448, more: false, id: 0xcde00817 });
    assert.equal(layer(p, 'ipv6').protocol, 58);
    assert.deepEqual(kinds(p), ['eth', 'ipv6']);
    assert.deepEqual([p.payloadOffset, p.payloadLength], [62, 60]);
    assert.deepEqual(ids(p), ['ipv6.fragment']);
    assert.equal(p.status, 'decoded');
  });

  test('non-first fragment after a hop-by-hop header', () => {
    const p = decode(ETH, HBH_FRAG_NONFIRST);
    assert.deepEqual(
      layer(p, 'ipv6').extensions.map((e) => e.kind),
      ['hop-by-hop', 'fragment'],
    );
    assert.deepEqual(layer(p, 'ipv6').fragment, { offset: 16, more: false, id: 9 });
    assert.deepEqual(kinds(p), ['eth', 'ipv6']);
  });

  test('the fragment note points at the fragment header, not at the first extension header', {}, () => {
    const p = decode(ETH, HBH_FRAG_NONFIRST);
    assert.equal(anomalyOf(p, 'ipv6.fragment').offset, 62);
  });
});

describe('IPv6: lengths, jumbograms, super-frames', () => {
  test('jumbogram shape: payload length 0 with a jumbo option is a super-frame; UDP length 0 is allowed', () => {
    const p = decode(ETH, JUMBO_SMALL);
    const ip = layer(p, 'ipv6');
    assert.equal(ip.superFrame, true);
    assert.deepEqual(ip.extensions[0]?.optionTypes, [0xc2]);
    assert.deepEqual(ids(p), ['ipv6.super-frame']);
    const udp = layer(p, 'udp');
    assert.deepEqual([udp.length, udp.payloadLength, udp.checksumStatus], [0, 4, 'unverified']);
    assert.equal(p.status, 'decoded');
  });

  test('a real-size jumbogram (70 000 bytes of UDP data)', () => {
    const p = decode(ETH, jumbogram(70000));
    assert.equal(layer(p, 'ipv6').superFrame, true);
    assert.deepEqual([layer(p, 'udp').payloadLength, layer(p, 'udp').capturedPayload], [70000, 70000]);
    assert.deepEqual(ids(p), ['ipv6.super-frame']);
  });

  test('payload length above the Ethernet MTU: a GRO super-frame note', () => {
    const big = new Uint8Array(14 + 40 + 3000);
    big.set(NO_NEXT);
    const p = decode(ETH, put16(patch(big, [20, 0xfd]), 18, 3000));
    assert.equal(layer(p, 'ipv6').superFrame, true);
    assert.deepEqual(ids(p), ['ipv6.super-frame']);
    assert.equal(anomalyOf(p, 'ipv6.super-frame').offset, 18);
  });

  test('payload length beyond the frame: malformed, unless the snap length cut it', () => {
    const p = decode(ETH, put16(HBH_TCP, 18, 200));
    assert.deepEqual(ids(p), ['ipv6.bad-payload-length']);
    assert.equal(anomalyOf(p, 'ipv6.bad-payload-length').offset, 18);
    assert.equal(p.status, 'malformed');
    assert.deepEqual(kinds(p), ['eth', 'ipv6', 'tcp']);
    const cut = decode(ETH, put16(HBH_TCP, 18, 200), 254);
    assert.deepEqual(ids(cut), []);
    assert.equal(cut.status, 'decoded');
  });

  test('payload length shorter than the frame: the rest is padding', () => {
    const padded = new Uint8Array(HBH_TCP.length + 6);
    padded.set(HBH_TCP);
    const p = decode(ETH, padded);
    assert.deepEqual([layer(p, 'tcp').capturedPayload, layer(p, 'tcp').checksumStatus], [0, 'good']);
    assert.deepEqual([p.payloadOffset, p.payloadLength], [82, 0]);
  });

  test('payload length 0 with no next header in a padded 60-byte frame is an empty packet, not a super-frame', {}, () => {
    const padded = new Uint8Array(60);
    padded.set(NO_NEXT);
    const p = decode(ETH, padded);
    assert.equal(layer(p, 'ipv6').superFrame, false);
    assert.deepEqual(ids(p), []);
    assert.deepEqual([p.payloadOffset, p.payloadLength], [54, 0]);
  });

  test('an extension header longer than the payload: bad-extension (truncated when cut)', () => {
    // Hop-by-hop length byte 0xff: 2048 bytes.
    const p = decode(ETH, patch(HBH_TCP, [55, 0xff]));
    assert.deepEqual(ids(p), ['ipv6.bad-extension']);
    assert.deepEqual(
      [anomalyOf(p, 'ipv6.bad-extension').layer, anomalyOf(p, 'ipv6.bad-extension').offset],
      ['ipv6', 54],
    );
    assert.equal(p.status, 'malformed');
    assert.deepEqual(kinds(p), ['eth', 'ipv6']);
    const q = decode(ETH, HBH_TCP.slice(0, 58), HBH_TCP.length);
    assert.deepEqual(ids(q), ['truncated']);
    assert.equal(q.status, 'truncated');
  });

  test('an extension header announced with an empty payload', () => {
    const p = decode(ETH, put16(HBH_TCP.slice(0, 54), 18, 0));
    assert.deepEqual(ids(p), ['ipv6.bad-extension']);
  });

  test('more than 16 extension headers: too deep, not a loop', () => {
    const n = 20;
    const exts = `${'3c00010400000000'.repeat(n - 1)}3b00010400000000`;
    const len = (n * 8).toString(16).padStart(4, '0');
    const p = decode(ETH, hex('66778899aabb00112233445586dd', `60000000${len}3c40`, '00'.repeat(32), exts));
    assert.ok(ids(p).includes('too-deep'));
    assert.equal(anomalyOf(p, 'too-deep').layer, 'ipv6');
    assert.equal(layer(p, 'ipv6').extensions.length, 16);
    assert.equal(p.status, 'malformed');
  });

  test('version other than 6 under EtherType IPv6 (real corpus frame)', () => {
    const p = decode(ETH, BAD_VERSION);
    assert.deepEqual(ids(p), ['ipv6.bad-version']);
    assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['ipv6', 14]);
    assert.equal(p.status, 'malformed');
  });

  test('a 39-byte header that the capture did not cut (real corpus frame): too short', () => {
    const p = decode(ETH, SHORT_HEADER);
    assert.deepEqual(ids(p), ['too-short']);
    assert.equal(p.anomalies[0]?.layer, 'ipv6');
    assert.equal(p.status, 'malformed');
  });
});

describe('IPv6: truncated at every byte', () => {
  test('fixed header and every extension header', () => {
    assert.equal(sweepCuts(ETH, HBH_TCP, ['ipv6']), 80);
    // Cut inside each extension header of the chain, and inside the AH and ESP headers.
    assert.ok(sweepCuts(ETH, CHAIN_UDP, [{ name: 'ipv6', from: 54, to: 86 }]) > 0);
    assert.ok(sweepCuts(ETH, AH_UDP, [{ name: 'ipv6', from: 54, to: 78 }]) > 0);
    assert.ok(sweepCuts(ETH, HBH_FRAG_NONFIRST, [{ name: 'ipv6', from: 54, to: 70 }]) > 0);
  });

  test('every layer of the real frames', () => {
    for (const f of [HBH_TCP, ROUTING0_TCP, DSTOPT_TCP, ATOMIC_FRAG_TCP, FRAG_NONFIRST])
      assert.ok(sweepCuts(ETH, f) > 0);
  });
});

describe('IPv6 addresses: RFC 5952 text', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0000', '2001:db8::'],
    ['fe80:0000:0000:0000:0a00:27ff:fef4:4dcf', 'fe80::a00:27ff:fef4:4dcf'],
    // Leading zeros dropped in every group.
    ['2001:0db8:0001:0002:0003:0004:0005:0010', '2001:db8:1:2:3:4:5:10'],
    // A single zero group is not compressed (section 4.2.2).
    ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'],
    // The longest run wins (4.2.3); on a tie, the first.
    ['2001:0000:0000:0001:0000:0000:0000:0001', '2001:0:0:1::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    // Lowercase (4.3).
    ['2001:0DB8:ABCD:0000:0000:0000:0000:00EF', '2001:db8:abcd::ef'],
    // IPv4-mapped keeps the dotted quad (section 5).
    ['0000:0000:0000:0000:0000:ffff:c000:0201', '::ffff:192.0.2.1'],
  ];
  for (const [full, text] of cases) {
    test(`${full} → ${text}`, () => {
      const b = parseIp6(full);
      assert.ok(b);
      assert.equal(ip6ToString(b), text);
    });
  }

  test('addresses of a decoded packet reach the JSON in RFC 5952 form', () => {
    // Real ::1 → ::1 over BSD loopback (fixtures/corpus/public/zeek-irc-353.pcap #1).
    // tcpdump: AF IPv6 (30), length 88: ::1.65388 > ::1.6666: Flags [S], seq 1705058225, win 65535, options [mss 16324,nop,wscale 5,nop,nop,TS val 851844144 ecr 0,sackOK,eol], length 0
    const p = decode(
      LinkType.NULL,
      hex(
        '1e000000600709f1002c06400000000000000000000000000000000100000000',
        '000000000000000000000001ff6c1a0a65a11fb100000000b002ffff00340000',
        '02043fc4010303050101080a32c61c300000000004020000',
      ),
    );
    const ip = (packetJson(p).layers as { src?: string; dst?: string; flowLabel?: number }[])[1];
    assert.deepEqual([ip?.src, ip?.dst, ip?.flowLabel], ['::1', '::1', 0x709f1]);
  });
});
