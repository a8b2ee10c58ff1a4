/**
 * IPv4 (RFC 791): header checksum (good, bad, offloaded), options (and impossible option lengths),
 * fragments, total length against the frame (padding trimmed, TSO super-frames, cut or short),
 * IHL, version, unknown protocols.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ip4ToString } from '../../src/core/addr.js';
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

// fixtures/corpus/public/chrissanders-tcp_handshake.pcapng #1
// tcpdump: 00:21:6a:5b:7d:4a > 00:05:5d:21:99:4c, ethertype IPv4 (0x0800), length 66: (tos 0x0, ttl 128, id 12671, offset 0, flags [DF], proto TCP (6), length 52) 172.16.16.128.2826 > 212.58.226.142.80: Flags [S], cksum 0xcfeb (correct), seq 3691127924, win 8192, options [mss 1460,nop,wscale 2,nop,nop,sackOK], length 0
const TCP_SYN = hex(
  '00055d21994c00216a5b7d4a080045000034317f4000800655ebac101080d43a',
  'e28e0b0a0050dc0224740000000080022000cfeb0000020405b4010303020101',
  '0402',
);

// fixtures/corpus/public/chrissanders-tcp_teardown.pcapng #1: IPv4 length 40 in a 60-byte frame (6 bytes of non-zero padding)
// tcpdump: 00:05:5d:21:99:4c > 00:21:6a:5b:7d:4a, ethertype IPv4 (0x0800), length 60: (tos 0x0, ttl 54, id 48272, offset 0, flags [none], proto TCP (6), length 40) 67.228.110.120.80 > 172.16.16.128.3363: Flags [F.], cksum 0x279b (correct), seq 822643295, ack 2079380537, win 71, length 0
const PADDED_FIN = hex(
  '00216a5b7d4a00055d21994c080045000028bc9000003606595343e46e78ac10',
  '108000500d2331088a5f7bf0d43950110047279b0000170301004856',
);

// fixtures/corpus/public/tcpdump-dns-badcookie.pcap #1: checksum 0, written by the sending host (offload)
// tcpdump: AF IPv4 (2), length 72: (tos 0x0, ttl 64, id 15, offset 0, flags [none], proto UDP (17), length 68, bad cksum 0 (->7c98)!) 127.0.0.1.54954 > 127.0.0.1.53: 63147+ [1au] SOA? . (40)
const NULL_OFFLOAD = hex(
  '0200000045000044000f0000401100007f0000017f000001d6aa00350030fe43',
  'f6ab012000010000000000010000060001000029100000000000000c000a0008',
  '36bf111fef2e0109',
);

// Options: NOP, record route with two empty slots, router alert.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 62: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 48, options (NOP,RR 0.0.0.0 0.0.0.0,RA)) 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const OPTIONS = hex(
  '66778899aabb001122334455080049000030000100004011c2aa0a0000010a00',
  '000201070b0400000000000000009404000004d20009000c223261626364',
);

// The same with the record-route length 1 (below the minimum of 2).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 62: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 48, options (NOP,RR [bad length 1])) 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const OPT_LEN_1 = hex(
  '66778899aabb001122334455080049000030000100004011ccaa0a0000010a00',
  '00020107010400000000000000009404000004d20009000c223261626364',
);

// The same with the record-route length 40 (past the 16 bytes of options).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 62: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 48, options (NOP,RR [bad length 40])) 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const OPT_LEN_40 = hex(
  '66778899aabb001122334455080049000030000100004011a5aa0a0000010a00',
  '00020107280400000000000000009404000004d20009000c223261626364',
);

// A multi-byte option type in the last option byte: no room for its length.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 50: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 36, options (NOP,NOP,NOP,RR [bad length 4])) 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const OPT_NO_LENGTH = hex(
  '66778899aabb00112233445508004600002400010000401163be0a0000010a00',
  '00020101010704d20009000c223261626364',
);

// Unknown option 158, length 4.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 50: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 36, options (unknown 158)) 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const OPT_UNKNOWN = hex(
  '66778899aabb001122334455080046000024000100004011c7c10a0000010a00',
  '00029e04000004d20009000c223261626364',
);

// Router alert, then end-of-options followed by bytes that are never parsed.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 54: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 40, options (RA,EOL)) 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const OPT_EOL = hex(
  '66778899aabb001122334455080047000028000100004011cfbe0a0000010a00',
  '00029404000000ffffff04d20009000c223261626364',
);

// A UDP datagram in three fragments.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 58: (tos 0x0, ttl 64, id 7, offset 0, flags [+], proto UDP (17), length 44) 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 48
const FRAG_FIRST = hex(
  '66778899aabb00112233445508004500002c00072000401146b80a0000010a00',
  '000204d200090038abcd000102030405060708090a0b0c0d0e0f',
);
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 58: (tos 0x0, ttl 64, id 7, offset 24, flags [+], proto UDP (17), length 44) 10.0.0.1 > 10.0.0.2: ip-proto-17
const FRAG_MIDDLE = hex(
  '66778899aabb00112233445508004500002c00072003401146b50a0000010a00',
  '0002101112131415161718191a1b1c1d1e1f2021222324252627',
);
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 42: (tos 0x0, ttl 64, id 7, offset 48, flags [none], proto UDP (17), length 28) 10.0.0.1 > 10.0.0.2: ip-proto-17
const FRAG_LAST = hex(
  '66778899aabb00112233445508004500001c00070006401166c20a0000010a00',
  '000228292a2b2c2d2e2f',
);

// TSO super-frame: total length 0, left for the NIC to fill in.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 65: bad-len 0
const TSO_ZERO = hex(
  '66778899aabb00112233445508004500000000014000400626f50a0000010a00',
  '00029c400050000003e8000007d0501801f55fb3000068656c6c6f20776f726c',
  '64',
);

// Reserved ("evil") flag bit.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 46: (tos 0x0, ttl 64, id 1, offset 0, flags [rsvd], proto UDP (17), length 32) 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const RESERVED_FLAG = hex(
  '66778899aabb001122334455080045000020000180004011e6c90a0000010a00',
  '000204d20009000c223261626364',
);

// IPv4 in IPv4 (protocol 4).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 66: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto IPIP (4), length 52) 10.0.0.1 > 10.0.0.2: (tos 0x0, ttl 64, id 2, offset 0, flags [none], proto UDP (17), length 32) 10.0.0.3.1234 > 10.0.0.4.9: UDP, length 4
const IPIP = hex(
  '66778899aabb00112233445508004500003400010000400466c30a0000010a00',
  '00024500002000020000401166c50a0000030a00000404d20009000c222e6162',
  '6364',
);

// GRE (protocol 47): not decoded here.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 46: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto GRE (47), length 32) 10.0.0.1 > 10.0.0.2: GREv0, Flags [none], proto IPv4 (0x0800), length 12 IP13 (invalid)
const GRE = hex(
  '66778899aabb00112233445508004500002000010000402f66ac0a0000010a00',
  '000200000800deadbeefcafebabe',
);

// fixtures/corpus/public/tcpdump-bad-ipv4-version-pgm-heapoverflow.pcap #1 (cut to 34 of 262144 bytes)
// tcpdump: 30:30:30:30:30:30 > 30:30:30:30:30:30, ethertype IPv4 (0x0800), length 262144: IP6, wrong link-layer encapsulation (invalid)
const BAD_VERSION = hex('3030303030303030303030300800653030303030000030713030303030303030', '3030');

// fixtures/corpus/public/tcpdump-tcp_header_heapoverflow.pcap #1 (cut to 46 of 262144 bytes)
// tcpdump: 30:30:30:30:30:30 > 30:30:30:30:30:30, ethertype IPv4 (0x0800), length 262144: (tos 0x30, ttl 48, id 12336, offset 0, flags [none], proto TCP (6), length 12336, bad cksum 3030 (->69a8)!) 48.48.48.48.12336 > 48.48.48.48.12336: [|tcp]
const BAD_CHECKSUM_CUT = hex(
  '3030303030303030303030300800453030303030000030063030303030303030',
  '3030303030303030303030303030',
);

describe('IPv4: valid headers', () => {
  test('fields of a real header; checksum verified', () => {
    const p = decode(ETH, TCP_SYN);
    const ip = layer(p, 'ipv4');
    assert.deepEqual(
      [ip.offset, ip.headerLength, ip.totalLength, ip.id, ip.ttl, ip.protocol, ip.dscp, ip.ecn],
      [14, 20, 52, 0x317f, 128, 6, 0, 0],
    );
    assert.deepEqual(
      [ip.dontFragment, ip.moreFragments, ip.reservedFlag, ip.fragmentOffset],
      [true, false, false, 0],
    );
    assert.deepEqual([ip4ToString(ip.src), ip4ToString(ip.dst)], ['172.16.16.128', '212.58.226.142']);
    assert.deepEqual([ip.checksum, ip.checksumStatus], [0x55eb, 'good']);
    assert.deepEqual(ip.options, []);
    assert.equal(ip.superFrame, false);
    assert.equal(p.ip, ip);
    assert.deepEqual(ids(p), []);
  });

  test('Ethernet padding after the total length is trimmed, not decoded as payload', () => {
    const p = decode(ETH, PADDED_FIN);
    assert.equal(layer(p, 'ipv4').totalLength, 40);
    const tcp = layer(p, 'tcp');
    assert.deepEqual([tcp.payloadLength, tcp.capturedPayload, tcp.checksumStatus], [0, 0, 'good']);
    assert.deepEqual([p.payloadOffset, p.payloadLength], [54, 0]);
    assert.equal(p.status, 'decoded');
  });

  test('options: NOP, record route, router alert, with their offsets', () => {
    const p = decode(ETH, OPTIONS);
    const ip = layer(p, 'ipv4');
    assert.equal(ip.headerLength, 36);
    assert.deepEqual(
      ip.options.map((o) => [o.name, o.type, o.length, o.offset]),
      [
        ['nop', 1, 1, 34],
        ['rr', 7, 11, 35],
        ['ra', 148, 4, 46],
      ],
    );
    assert.equal(ip.checksumStatus, 'good');
    assert.equal(layer(p, 'udp').offset, 50);
    assert.equal(layer(p, 'udp').checksumStatus, 'good');
    assert.deepEqual(ids(p), []);
  });

  test('end of options stops parsing; unknown option types are named opt-N', () => {
    assert.deepEqual(
      layer(decode(ETH, OPT_EOL), 'ipv4').options.map((o) => o.name),
      ['ra', 'eol'],
    );
    const u = decode(ETH, OPT_UNKNOWN);
    assert.deepEqual(
      layer(u, 'ipv4').options.map((o) => [o.name, o.length]),
      [['opt-158', 4]],
    );
    assert.equal(u.status, 'decoded');
  });

  test('IPv4 in IPv4: the inner header is decoded too; the packet’s IP is the outer one', () => {
    const p = decode(ETH, IPIP);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'ipv4', 'udp']);
    assert.equal(ip4ToString(layer(p, 'ipv4', 1).src), '10.0.0.3');
    assert.equal(p.ip, layer(p, 'ipv4', 0));
    assert.equal(layer(p, 'udp').checksumStatus, 'good');
  });

  test('an unknown protocol is data, not an anomaly', () => {
    const p = decode(ETH, GRE);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'undecoded']);
    assert.equal(layer(p, 'undecoded').what, 'ip proto 47 (gre)');
    assert.deepEqual(ids(p), []);
    // Protocol 253 (experimental); the header checksum is then wrong, which is only a warning.
    const q = decode(ETH, patch(GRE, [23, 253]));
    assert.equal(layer(q, 'undecoded').what, 'ip proto 253');
    assert.deepEqual(ids(q), ['ipv4.bad-checksum']);
    assert.equal(q.status, 'decoded');
  });
});

describe('IPv4: checksum', () => {
  test('good, bad (warning only), and 0 on the capturing host (offload, a note)', () => {
    assert.equal(layer(decode(ETH, TCP_SYN), 'ipv4').checksumStatus, 'good');
    const bad = decode(ETH, put16(TCP_SYN, 24, 0x1234));
    assert.equal(layer(bad, 'ipv4').checksumStatus, 'bad');
    assert.deepEqual(ids(bad), ['ipv4.bad-checksum']);
    assert.deepEqual(
      [anomalyOf(bad, 'ipv4.bad-checksum').layer, anomalyOf(bad, 'ipv4.bad-checksum').offset],
      ['ipv4', 24],
    );
    assert.equal(bad.status, 'decoded');
    const off = decode(LinkType.NULL, NULL_OFFLOAD);
    assert.equal(layer(off, 'ipv4').checksumStatus, 'offload');
    assert.ok(ids(off).includes('ipv4.checksum-offload'));
    assert.equal(anomalyOf(off, 'ipv4.checksum-offload').offset, 14);
    assert.equal(off.status, 'decoded');
  });

  test('real bad checksum from the corpus, in a frame cut by the snap length', () => {
    const p = decode(ETH, BAD_CHECKSUM_CUT, 262144);
    assert.equal(layer(p, 'ipv4').checksumStatus, 'bad');
    assert.ok(ids(p).includes('ipv4.bad-checksum'));
    assert.equal(p.status, 'truncated');
    assert.equal(anomalyOf(p, 'truncated').layer, 'tcp');
  });
});

describe('IPv4: impossible lengths', () => {
  test('option length 1, option length past the header, and no room for the length byte', () => {
    const cases: [Uint8Array, number][] = [
      [OPT_LEN_1, 35],
      [OPT_LEN_40, 35],
      [OPT_NO_LENGTH, 37],
    ];
    for (const [bytes, at] of cases) {
      const p = decode(ETH, bytes);
      assert.deepEqual(ids(p), ['ipv4.bad-option']);
      const a = anomalyOf(p, 'ipv4.bad-option');
      assert.deepEqual([a.layer, a.offset, a.severity], ['ipv4', at, 'malformed']);
      assert.equal(p.status, 'malformed');
      // The options before the bad one are kept; what follows the header is still decoded.
      assert.equal(layer(p, 'udp').checksumStatus, 'good');
    }
    assert.deepEqual(
      layer(decode(ETH, OPT_LEN_1), 'ipv4').options.map((o) => o.name),
      ['nop'],
    );
  });

  test('IHL below 5: bad-ihl, no IPv4 layer', () => {
    for (const ihl of [0, 1, 4]) {
      const p = decode(ETH, patch(TCP_SYN, [14, 0x40 | ihl]));
      assert.deepEqual(ids(p), ['ipv4.bad-ihl'], `ihl ${ihl}`);
      assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['ipv4', 14]);
      assert.deepEqual(kinds(p), ['eth']);
      assert.equal(p.status, 'malformed');
    }
  });

  test('IHL beyond the frame: too short (or truncated when the snap length cut it)', () => {
    const p = decode(ETH, patch(TCP_SYN, [14, 0x4f]));
    assert.deepEqual(ids(p), ['too-short']);
    assert.equal(p.anomalies[0]?.layer, 'ipv4');
    const q = decode(ETH, patch(TCP_SYN, [14, 0x4f]).slice(0, 60), 200);
    assert.deepEqual(ids(q), ['truncated']);
  });

  test('total length smaller than the header: bad-total-length, nothing decoded after it', () => {
    for (const len of [1, 19, 35]) {
      const p = decode(ETH, put16(OPTIONS, 16, len));
      assert.ok(ids(p).includes('ipv4.bad-total-length'), `length ${len}: ${ids(p)}`);
      assert.equal(anomalyOf(p, 'ipv4.bad-total-length').offset, 16);
      assert.deepEqual(kinds(p), ['eth', 'ipv4']);
      assert.equal(p.status, 'malformed');
    }
  });

  test('total length beyond the frame: malformed when the capture did not cut it', () => {
    const p = decode(ETH, put16(TCP_SYN, 16, 1000));
    assert.ok(ids(p).includes('ipv4.bad-total-length'));
    assert.equal(p.status, 'malformed');
    // What follows is still decoded, as far as the bytes go, without more malformations.
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'tcp']);
    assert.equal(layer(p, 'tcp').payloadLength, 1000 - 20 - 32);
    assert.equal(layer(p, 'tcp').checksumStatus, 'unverified');
  });

  test('total length beyond the frame is normal when the snap length cut it', () => {
    // The real SYN with 10 bytes of payload claimed, the capture keeping only the headers.
    const cut = put16(TCP_SYN, 16, 62);
    const p = decode(ETH, cut, 76);
    assert.deepEqual(
      ids(p).filter((i) => i !== 'ipv4.bad-checksum'),
      [],
    );
    assert.equal(p.status, 'decoded');
    assert.equal(layer(p, 'tcp').payloadLength, 10);
    assert.equal(layer(p, 'tcp').capturedPayload, 0);
  });

  test('total length 0 is a TSO super-frame: a note; the frame’s bytes are the payload', () => {
    const p = decode(ETH, TSO_ZERO);
    const ip = layer(p, 'ipv4');
    assert.deepEqual([ip.totalLength, ip.superFrame, ip.checksumStatus], [0, true, 'good']);
    assert.deepEqual(ids(p), ['ipv4.super-frame']);
    assert.equal(anomalyOf(p, 'ipv4.super-frame').offset, 16);
    const tcp = layer(p, 'tcp');
    assert.deepEqual([tcp.payloadLength, tcp.capturedPayload, tcp.checksumStatus], [11, 11, 'unverified']);
    assert.equal(p.status, 'decoded');
  });

  test('total length above the Ethernet MTU (a real GRO super-frame) is a note', () => {
    // fixtures/corpus/public/tcpdump-mptcp-v1.pcap #4
    // tcpdump: In 32:32:87:aa:04:02 ethertype IPv4 (0x0800), length 7192: 10.0.1.1.33306 > 10.0.2.1.10004: Flags [P.], seq 1:7101, ack 1, win 256, options [nop,nop,TS val 464494241 ecr 3275212179,mptcp 22 capable v1 {0x1fdb5df328bc3def,0x29a6c86981ad933c},nop,nop], length 7100
    const p = fixturePackets('corpus/public/tcpdump-mptcp-v1.pcap')[3];
    assert.ok(p);
    const ip = layer(p, 'ipv4');
    assert.deepEqual([ip.totalLength, ip.superFrame], [7176, true]);
    assert.deepEqual(ids(p), ['ipv4.super-frame']);
    assert.deepEqual([layer(p, 'tcp').payloadLength, layer(p, 'tcp').checksumStatus], [7100, 'unverified']);
    assert.equal(p.status, 'decoded');
  });
});

describe('IPv4: fragments', () => {
  test('first fragment: transport decoded, checksum not verifiable', () => {
    const p = decode(ETH, FRAG_FIRST);
    const ip = layer(p, 'ipv4');
    assert.deepEqual([ip.moreFragments, ip.fragmentOffset, ip.id], [true, 0, 7]);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'udp']);
    const udp = layer(p, 'udp');
    assert.deepEqual([udp.length, udp.checksumStatus], [56, 'unverified']);
    assert.deepEqual(ids(p), ['ipv4.fragment']);
    assert.equal(p.status, 'decoded');
  });

  test('middle and last fragments: no transport header, the payload is data', () => {
    const mid = decode(ETH, FRAG_MIDDLE);
    assert.deepEqual([layer(mid, 'ipv4').fragmentOffset, layer(mid, 'ipv4').moreFragments], [24, true]);
    assert.deepEqual(kinds(mid), ['eth', 'ipv4']);
    assert.deepEqual(ids(mid), ['ipv4.fragment']);
    assert.deepEqual([mid.payloadOffset, mid.payloadLength], [34, 24]);
    const last = decode(ETH, FRAG_LAST);
    assert.deepEqual([layer(last, 'ipv4').fragmentOffset, layer(last, 'ipv4').moreFragments], [48, false]);
    assert.deepEqual(kinds(last), ['eth', 'ipv4']);
    assert.equal(anomalyOf(last, 'ipv4.fragment').offset, 20);
    assert.equal(last.status, 'decoded');
  });

  test('a real fragmented ICMP echo (fixtures/corpus/public/chrissanders-ip_frag_source.pcapng)', () => {
    // tcpdump -v: IP (tos 0x0, ttl 128, id 29812, offset 0, flags [+], proto ICMP (1), length 1500, bad cksum 0 (->d577)!) 10.10.0.3 > 192.168.0.128: ICMP echo request, id 1, seq 57, length 1480
    // tcpdump -v: IP (tos 0x0, ttl 128, id 29812, offset 1480, flags [+], proto ICMP (1), length 1500, bad cksum 0 (->d4be)!) 10.10.0.3 > 192.168.0.128: ip-proto-1
    // tcpdump -v: IP (tos 0x0, ttl 128, id 29812, offset 2960, flags [none], proto ICMP (1), length 568, bad cksum 0 (->f7a9)!) 10.10.0.3 > 192.168.0.128: ip-proto-1
    const ps = fixturePackets('corpus/public/chrissanders-ip_frag_source.pcapng');
    const [first, middle, last] = ps;
    assert.ok(first && middle && last);
    assert.deepEqual(kinds(first), ['eth', 'ipv4', 'icmp4']);
    assert.equal(layer(first, 'icmp4').typeName, 'echo-request');
    assert.equal(layer(first, 'icmp4').checksumStatus, 'unverified');
    assert.deepEqual(
      [first, middle, last].map((p) => [layer(p, 'ipv4').fragmentOffset, layer(p, 'ipv4').moreFragments]),
      [
        [0, true],
        [1480, true],
        [2960, false],
      ],
    );
    assert.deepEqual(kinds(middle), ['eth', 'ipv4']);
    for (const p of [first, middle, last]) {
      assert.deepEqual(ids(p), ['ipv4.checksum-offload', 'ipv4.fragment']);
      assert.equal(p.status, 'decoded');
    }
  });
});

describe('IPv4: other header values', () => {
  test('the reserved flag is a warning', () => {
    const p = decode(ETH, RESERVED_FLAG);
    assert.equal(layer(p, 'ipv4').reservedFlag, true);
    assert.deepEqual(ids(p), ['ipv4.reserved-flag']);
    assert.equal(anomalyOf(p, 'ipv4.reserved-flag').offset, 20);
    assert.equal(p.status, 'decoded');
  });

  test('a version other than 4 under EtherType IPv4: bad-version, nothing decoded (real corpus frame)', () => {
    const p = decode(ETH, BAD_VERSION, 262144);
    assert.deepEqual(ids(p), ['ipv4.bad-version']);
    assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['ipv4', 14]);
    assert.deepEqual(kinds(p), ['eth']);
    assert.equal(p.status, 'malformed');
  });
});

describe('IPv4: truncated at every byte of the header', () => {
  test('plain header, header with options, fragment', () => {
    assert.equal(sweepCuts(ETH, TCP_SYN, ['ipv4']), 40);
    assert.equal(sweepCuts(ETH, OPTIONS, ['ipv4']), 72);
    assert.equal(sweepCuts(ETH, FRAG_MIDDLE, ['ipv4']), 40);
  });

  test('every layer of a padded frame, an IP-in-IP frame and a super-frame', () => {
    assert.ok(sweepCuts(ETH, PADDED_FIN) > 0);
    assert.ok(sweepCuts(ETH, IPIP) > 0);
    assert.ok(sweepCuts(ETH, TSO_ZERO, ['eth', 'ipv4']) > 0);
  });
});
