/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443, RFC 4861): the name of every type and code in the tables,
 * echo identifier and sequence, error messages with the quoted datagram decoded (including a
 * quoted TCP header of only 8 bytes), redirect gateway, MTU, pointer, Neighbor Discovery target
 * and link-layer address options, checksums, unknown types, truncation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ip4ToString, ip6ToString, macToString } from '../../src/core/addr.js';
import {
  anomalyOf,
  decode,
  hex,
  icmp4,
  icmp6,
  ids,
  ipv4Frame,
  ipv6Frame,
  kinds,
  LinkType,
  layer,
  patch,
  sweepCuts,
  V6_DST,
} from './helpers.js';

const ETH = LinkType.ETHERNET;

// fixtures/corpus/public/chrissanders-icmp_echo.pcapng #1
// tcpdump: 00:16:d4:b8:59:b1 > 00:12:80:4b:c0:7f, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 128, id 65277, offset 0, flags [none], proto ICMP (1), length 60) 192.168.100.138 > 192.168.100.1: ICMP echo request, id 1280, seq 13312, length 40
const ECHO_REQUEST = hex(
  '0012804bc07f0016d4b859b108004500003cfefd00008001f1e6c0a8648ac0a8',
  '64010800145c050034006162636465666768696a6b6c6d6e6f70717273747576',
  '77616263646566676869',
);

// fixtures/corpus/public/chrissanders-icmp_echo.pcapng #2
// tcpdump: 00:12:80:4b:c0:7f > 00:16:d4:b8:59:b1, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 255, id 65277, offset 0, flags [none], proto ICMP (1), length 60) 192.168.100.1 > 192.168.100.138: ICMP echo reply, id 1280, seq 13312, length 40
const ECHO_REPLY = hex(
  '0016d4b859b10012804bc07f08004500003cfefd0000ff0172e6c0a86401c0a8',
  '648a00001c5c050034006162636465666768696a6b6c6d6e6f70717273747576',
  '77616263646566676869',
);

// fixtures/corpus/public/chrissanders-icmp_traceroute.pcapng #2: time exceeded, quoting an echo request (28 bytes)
// tcpdump: 00:12:80:4b:c0:7f > 00:16:d4:b8:59:b1, ethertype IPv4 (0x0800), length 70: (tos 0xc0, ttl 255, id 18714, offset 0, flags [none], proto ICMP (1), length 56) 192.168.100.1 > 192.168.100.138: ICMP time exceeded in-transit, length 36 (tos 0x0, ttl 1, id 65361, offset 0, flags [none], proto ICMP (1), length 92) 192.168.100.138 > 4.2.2.1: ICMP echo request, id 1280, seq 14336, length 72
const TIME_EXCEEDED = hex(
  '0016d4b859b10012804bc07f080045c00038491a0000ff01280ec0a86401c0a8',
  '648a0b00f4ff000000004500005cff51000001018f1ac0a8648a040202010800',
  'baff05003800',
);

// fixtures/corpus/public/zeek-icmp_icmp-destunreach-udp.pcap #1: port unreachable quoting a DNS response (cut)
// tcpdump: 00:0b:db:63:58:a6 > 00:19:e3:e7:5d:23, ethertype IPv4 (0x0800), length 194: (tos 0x0, ttl 128, id 10270, offset 0, flags [none], proto ICMP (1), length 176) 192.168.1.102 > 192.168.1.1: ICMP 192.168.1.102 udp port 59207 unreachable, length 156 (tos 0x0, ttl 64, id 14097, offset 0, flags [none], proto UDP (17), length 163) 192.168.1.1.53 > 192.168.1.102.59207: 39076 1/4/0 secure.ed4.net. A 208.94.20.14 (135)
const PORT_UNREACH_DNS = hex(
  '0019e3e75d23000bdb6358a60800450000b0281e000080018e77c0a80166c0a8',
  '0101030303bb00000000450000a3371100004011bf81c0a80101c0a801660035',
  'e747008f76d298a4818000010001000400000673656375726503656434036e65',
  '740000010001c00c000100010000012c0004d05e140ec013000200010000012c',
  '000f05646e7330320665786f647573c017c013000200010000012c000805646e',
  '733031c042c013000200010000012c000805646e733034c042c013000200c914',
  '6f2d',
);

// fixtures/lab/refused.pcap #4: port unreachable quoting a UDP datagram
// tcpdump: 02:00:0a:00:01:01 > 02:00:0a:00:01:02, ethertype IPv4 (0x0800), length 87: (tos 0xc0, ttl 63, id 19965, offset 0, flags [none], proto ICMP (1), length 73) 10.0.2.2 > 10.0.1.2: ICMP 10.0.2.2 udp port 9 unreachable, length 53 (tos 0x0, ttl 63, id 34302, offset 0, flags [DF], proto UDP (17), length 45) 10.0.1.2.40013 > 10.0.2.2.9: UDP, length 17
const PORT_UNREACH_UDP = hex(
  '02000a00010202000a000101080045c000494dfd00003f0115f40a0002020a00',
  '01020303142b000000004500002d85fe40003f119ebe0a0001020a0002029c4d',
  '0009001952ec697320616e79626f64792074686572653f',
);

// Host unreachable quoting the IPv4 header and only the first 8 bytes of a TCP SYN (RFC 792's minimum).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 70: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 56) 10.0.0.1 > 10.0.0.2: ICMP host 10.0.0.3 unreachable, length 36 (tos 0x0, ttl 63, id 4660, offset 0, flags [DF], proto TCP (6), length 60) 10.0.0.2.40000 > 10.0.0.3.443:  [|tcp]
const HOST_UNREACH_TCP8 = hex(
  '66778899aabb00112233445508004500003800010000400166c20a0000010a00',
  '00020301f656000000004500003c123440003f0615840a0000020a0000039c40',
  '01bb12345678',
);

// fixtures/corpus/public/chrissanders-icmpv6_neighbor_solicitation.pcapng #1
// tcpdump: 00:0c:29:2f:80:31 > 33:33:ff:00:10:00, ethertype IPv6 (0x86dd), length 86: (hlim 255, next-header ICMPv6 (58) payload length: 32) 2001:db8:1:2::1003 > ff02::1:ff00:1000: [icmp6 sum ok] ICMP6, neighbor solicitation, length 32, who has 2001:db8:1:2::1000 source link-address option (1), length 8 (1): 00:0c:29:2f:80:31
const NS = hex(
  '3333ff001000000c292f803186dd6000000000203aff20010db8000100020000',
  '000000001003ff0200000000000000000001ff001000870044b7000000002001',
  '0db80001000200000000000010000101000c292f8031',
);

// fixtures/corpus/public/chrissanders-icmpv6_neighbor_solicitation.pcapng #2
// tcpdump: 00:0c:29:1f:a7:55 > 00:0c:29:2f:80:31, ethertype IPv6 (0x86dd), length 86: (hlim 255, next-header ICMPv6 (58) payload length: 32) 2001:db8:1:2::1000 > 2001:db8:1:2::1003: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32, tgt is 2001:db8:1:2::1000, Flags [solicited, override] destination link-address option (2), length 8 (1): 00:0c:29:1f:a7:55
const NA = hex(
  '000c292f8031000c291fa75586dd6000000000203aff20010db8000100020000',
  '00000000100020010db800010002000000000000100388008beb600000002001',
  '0db80001000200000000000010000201000c291fa755',
);

// fixtures/corpus/public/chrissanders-icmpv6_neighbor_solicitation.pcapng #3
// tcpdump: 78:31:c1:cb:b2:56 > 00:0c:29:2f:80:31, ethertype IPv6 (0x86dd), length 118: (hlim 64, next-header ICMPv6 (58) payload length: 64) 2001:db8:1:2::1000 > 2001:db8:1:2::1003: [icmp6 sum ok] ICMP6, echo reply, id 60149, seq 1
const ECHO6_REPLY = hex(
  '000c292f80317831c1cbb25686dd6000000000403a4020010db8000100020000',
  '00000000100020010db800010002000000000000100381007ccfeaf50001d488',
  '065400000000f5930c0000000000101112131415161718191a1b1c1d1e1f2021',
  '22232425262728292a2b2c2d2e2f3031323334353637',
);

/** A quoted IPv4/UDP datagram (the 28 bytes RFC 792 asks for): 10.0.0.2:40000 → 10.0.0.3:9. */
const QUOTED_V4_UDP = hex('4500002c123440003f1115890a0000020a0000039c4000090018abcd');
/** A quoted IPv6/UDP datagram (48 bytes): [2001:db8::2]:40000 → [2001:db8::3]:9. */
const V6_QUOTE =
  '6000000000101140 20010db8000000000000000000000002 20010db8000000000000000000000003 9c4000090010abcd';

const ERRORS4 = new Set([3, 4, 5, 11, 12]);

// biome-ignore format: one row per type and code
const ICMP4_NAMES: readonly [number, number, string, string][] = [
  [0, 0, 'echo-reply', ''],
  [3, 0, 'destination-unreachable', 'net-unreachable'],
  [3, 1, 'destination-unreachable', 'host-unreachable'],
  [3, 2, 'destination-unreachable', 'protocol-unreachable'],
  [3, 3, 'destination-unreachable', 'port-unreachable'],
  [3, 4, 'destination-unreachable', 'fragmentation-needed'],
  [3, 5, 'destination-unreachable', 'source-route-failed'],
  [3, 6, 'destination-unreachable', 'dest-net-unknown'],
  [3, 7, 'destination-unreachable', 'dest-host-unknown'],
  [3, 8, 'destination-unreachable', 'source-host-isolated'],
  [3, 9, 'destination-unreachable', 'net-prohibited'],
  [3, 10, 'destination-unreachable', 'host-prohibited'],
  [3, 11, 'destination-unreachable', 'net-unreachable-for-tos'],
  [3, 12, 'destination-unreachable', 'host-unreachable-for-tos'],
  [3, 13, 'destination-unreachable', 'communication-prohibited'],
  [3, 14, 'destination-unreachable', 'host-precedence-violation'],
  [3, 15, 'destination-unreachable', 'precedence-cutoff'],
  [4, 0, 'source-quench', ''],
  [5, 0, 'redirect', 'redirect-net'],
  [5, 1, 'redirect', 'redirect-host'],
  [5, 2, 'redirect', 'redirect-tos-net'],
  [5, 3, 'redirect', 'redirect-tos-host'],
  [8, 0, 'echo-request', ''],
  [9, 0, 'router-advertisement', ''],
  [10, 0, 'router-solicitation', ''],
  [11, 0, 'time-exceeded', 'ttl-exceeded-in-transit'],
  [11, 1, 'time-exceeded', 'fragment-reassembly-time-exceeded'],
  [12, 0, 'parameter-problem', 'pointer-indicates-error'],
  [12, 1, 'parameter-problem', 'missing-option'],
  [12, 2, 'parameter-problem', 'bad-length'],
  [13, 0, 'timestamp', ''],
  [14, 0, 'timestamp-reply', ''],
  [15, 0, 'information-request', ''],
  [16, 0, 'information-reply', ''],
  [17, 0, 'address-mask-request', ''],
  [18, 0, 'address-mask-reply', ''],
  [30, 0, 'traceroute', ''],
  [40, 0, 'photuris', ''],
  [42, 0, 'extended-echo-request', ''],
  [43, 0, 'extended-echo-reply', ''],
];

// biome-ignore format: one row per type and code
const ICMP6_NAMES: readonly [number, number, string, string][] = [
  [1, 0, 'destination-unreachable', 'no-route'],
  [1, 1, 'destination-unreachable', 'administratively-prohibited'],
  [1, 2, 'destination-unreachable', 'beyond-scope-of-source'],
  [1, 3, 'destination-unreachable', 'address-unreachable'],
  [1, 4, 'destination-unreachable', 'port-unreachable'],
  [1, 5, 'destination-unreachable', 'source-address-failed-policy'],
  [1, 6, 'destination-unreachable', 'reject-route'],
  [1, 7, 'destination-unreachable', 'source-routing-header-error'],
  [2, 0, 'packet-too-big', ''],
  [3, 0, 'time-exceeded', 'hop-limit-exceeded-in-transit'],
  [3, 1, 'time-exceeded', 'fragment-reassembly-time-exceeded'],
  [4, 0, 'parameter-problem', 'erroneous-header-field'],
  [4, 1, 'parameter-problem', 'unrecognized-next-header'],
  [4, 2, 'parameter-problem', 'unrecognized-ipv6-option'],
  [128, 0, 'echo-request', ''],
  [129, 0, 'echo-reply', ''],
  [130, 0, 'multicast-listener-query', ''],
  [131, 0, 'multicast-listener-report', ''],
  [132, 0, 'multicast-listener-done', ''],
  [133, 0, 'router-solicitation', ''],
  [134, 0, 'router-advertisement', ''],
  [135, 0, 'neighbor-solicitation', ''],
  [136, 0, 'neighbor-advertisement', ''],
  [137, 0, 'redirect', ''],
  [138, 0, 'router-renumbering', ''],
  [139, 0, 'node-information-query', ''],
  [140, 0, 'node-information-response', ''],
  [141, 0, 'inverse-nd-solicitation', ''],
  [142, 0, 'inverse-nd-advertisement', ''],
  [143, 0, 'multicast-listener-report-v2', ''],
  [144, 0, 'home-agent-discovery-request', ''],
  [145, 0, 'home-agent-discovery-reply', ''],
  [146, 0, 'mobile-prefix-solicitation', ''],
  [147, 0, 'mobile-prefix-advertisement', ''],
  [151, 0, 'multicast-router-advertisement', ''],
  [152, 0, 'multicast-router-solicitation', ''],
  [153, 0, 'multicast-router-termination', ''],
  [155, 0, 'rpl-control', ''],
  [160, 0, 'extended-echo-request', ''],
  [161, 0, 'extended-echo-reply', ''],
];

describe('ICMPv4', () => {
  test('echo request and reply: identifier, sequence, checksum verified (real frames)', () => {
    const q = decode(ETH, ECHO_REQUEST);
    assert.deepEqual(kinds(q), ['eth', 'ipv4', 'icmp4']);
    const e = layer(q, 'icmp4');
    assert.deepEqual(
      [
        e.type,
        e.code,
        e.typeName,
        e.codeName,
        e.echoId,
        e.echoSeq,
        e.checksumStatus,
        e.offset,
        e.headerLength,
      ],
      [8, 0, 'echo-request', '', 1280, 13312, 'good', 34, 8],
    );
    assert.deepEqual([q.payloadOffset, q.payloadLength], [42, 32]);
    const r = layer(decode(ETH, ECHO_REPLY), 'icmp4');
    assert.deepEqual(
      [r.typeName, r.echoId, r.echoSeq, r.checksumStatus],
      ['echo-reply', 1280, 13312, 'good'],
    );
  });

  test('every type and code in the table has its name', () => {
    for (const [type, code, typeName, codeName] of ICMP4_NAMES) {
      const rest = type === 3 && code === 4 ? '000005dc' : '00000000';
      const p = decode(
        ETH,
        ipv4Frame(1, icmp4(type, code, rest, ERRORS4.has(type) ? QUOTED_V4_UDP : undefined)),
      );
      const l = layer(p, 'icmp4');
      const what = `type ${type} code ${code}`;
      assert.deepEqual([l.typeName, l.codeName], [typeName, codeName], what);
      assert.equal(l.checksumStatus, 'good', what);
      assert.deepEqual(ids(p), [], what);
      if (ERRORS4.has(type)) assert.deepEqual(kinds(l.quoted ?? []), ['ipv4', 'udp'], what);
      else assert.equal(l.quoted, undefined, what);
    }
  });

  test('echo-like types carry identifier and sequence; timestamp and mask messages too', () => {
    for (const type of [0, 8, 13, 14, 15, 16, 17, 18]) {
      const l = layer(decode(ETH, ipv4Frame(1, icmp4(type, 0, '1234abcd'))), 'icmp4');
      assert.deepEqual([l.echoId, l.echoSeq], [0x1234, 0xabcd], `type ${type}`);
    }
  });

  test('unknown codes and types are data: code-N, type-N, a note', () => {
    const c = decode(ETH, ipv4Frame(1, icmp4(3, 99, '00000000', QUOTED_V4_UDP)));
    assert.deepEqual(
      [layer(c, 'icmp4').typeName, layer(c, 'icmp4').codeName],
      ['destination-unreachable', 'code-99'],
    );
    assert.deepEqual(ids(c), []);
    const e = layer(decode(ETH, ipv4Frame(1, icmp4(8, 7, '00010001'))), 'icmp4');
    assert.equal(e.codeName, 'code-7');
    for (const type of [1, 2, 7, 44, 200, 255]) {
      const p = decode(ETH, ipv4Frame(1, icmp4(type, 3, '00000000')));
      const l = layer(p, 'icmp4');
      assert.deepEqual([l.typeName, l.codeName], [`type-${type}`, 'code-3']);
      assert.deepEqual(ids(p), ['icmp.unknown-type']);
      assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['icmp', 34]);
      assert.equal(p.status, 'decoded');
    }
  });

  test('a wrong checksum is a warning at the checksum field', () => {
    const p = decode(ETH, patch(ECHO_REQUEST, [37, 0x5d]));
    assert.equal(layer(p, 'icmp4').checksumStatus, 'bad');
    assert.deepEqual(ids(p), ['icmp.bad-checksum']);
    assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['icmp', 36]);
    assert.equal(p.status, 'decoded');
  });

  test('time exceeded: the quoted IPv4 and ICMP echo are decoded (real frame)', () => {
    const p = decode(ETH, TIME_EXCEEDED);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'icmp4[ipv4,icmp4]']);
    const l = layer(p, 'icmp4');
    assert.deepEqual(
      [l.typeName, l.codeName, l.checksumStatus],
      ['time-exceeded', 'ttl-exceeded-in-transit', 'good'],
    );
    const q = l.quoted ?? [];
    const qip = layer(q, 'ipv4');
    assert.deepEqual(
      [ip4ToString(qip.src), ip4ToString(qip.dst), qip.ttl, qip.totalLength],
      ['192.168.100.138', '4.2.2.1', 1, 92],
    );
    const qicmp = layer(q, 'icmp4');
    assert.deepEqual(
      [qicmp.typeName, qicmp.echoId, qicmp.echoSeq, qicmp.checksumStatus],
      ['echo-request', 1280, 14336, 'unverified'],
    );
    // The packet's own IP is the outer header.
    assert.equal(p.ip, layer(p, 'ipv4'));
    assert.deepEqual(ids(p), []);
    assert.equal(p.status, 'decoded');
  });

  test('port unreachable: the quoted UDP (and the DNS in it) are decoded (real frames)', () => {
    const u = decode(ETH, PORT_UNREACH_UDP);
    assert.deepEqual(kinds(u), ['eth', 'ipv4', 'icmp4[ipv4,udp]']);
    const qu = layer(layer(u, 'icmp4').quoted ?? [], 'udp');
    assert.deepEqual([qu.srcPort, qu.dstPort, qu.length], [40013, 9, 25]);
    assert.equal(u.udp, undefined);
    assert.deepEqual(ids(u), []);
    const d = decode(ETH, PORT_UNREACH_DNS);
    assert.deepEqual(kinds(d), ['eth', 'ipv4', 'icmp4[ipv4,udp,dns]']);
    const dns = layer(layer(d, 'icmp4').quoted ?? [], 'dns');
    assert.deepEqual([dns.id, dns.response, dns.questions[0]?.name], [39076, true, 'secure.ed4.net']);
    assert.equal(d.status, 'decoded');
  });

  test('a quoted TCP header of only 8 bytes: ports and sequence number, marked partial', () => {
    const p = decode(ETH, HOST_UNREACH_TCP8);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'icmp4[ipv4,tcp]']);
    const l = layer(p, 'icmp4');
    assert.deepEqual([l.codeName, l.checksumStatus], ['host-unreachable', 'good']);
    const t = layer(l.quoted ?? [], 'tcp');
    assert.deepEqual(
      [t.srcPort, t.dstPort, t.seq, t.partial, t.headerLength, t.offset],
      [40000, 443, 0x12345678, true, 8, 62],
    );
    assert.equal(p.tcp, undefined);
    assert.deepEqual(ids(p), []);
    assert.equal(p.status, 'decoded');
  });

  test('an error quoting fewer bytes than an IP header and 8 bytes: a note, the rest decoded as far as it goes', () => {
    const p = decode(ETH, ipv4Frame(1, icmp4(3, 3, '00000000', QUOTED_V4_UDP.subarray(0, 24))));
    assert.deepEqual(ids(p), ['icmp.short-quote']);
    assert.equal(anomalyOf(p, 'icmp.short-quote').offset, 42);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'icmp4[ipv4,udp]']);
    assert.equal(layer(layer(p, 'icmp4').quoted ?? [], 'udp').partial, true);
    const empty = decode(ETH, ipv4Frame(1, icmp4(11, 0, '00000000')));
    assert.deepEqual(ids(empty), ['icmp.short-quote']);
    assert.deepEqual(kinds(empty), ['eth', 'ipv4', 'icmp4']);
    assert.equal(empty.status, 'decoded');
  });

  test('a quote cut inside the DNS header is a short quote, not a malformed DNS message', {}, () => {
    // Port unreachable quoting IPv4 + UDP to port 53 + the first 4 bytes of the query.
    const quote = hex('4500003c123440003f1100000a0000020a00000304d20035002800009f0a0100');
    const p = decode(ETH, ipv4Frame(1, icmp4(3, 3, '00000000', quote)));
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'icmp4[ipv4,udp]']);
    assert.equal(p.status, 'decoded');
  });

  test('redirect gateway, fragmentation-needed MTU, parameter-problem pointer', () => {
    const r = layer(decode(ETH, ipv4Frame(1, icmp4(5, 1, 'c0a80001', QUOTED_V4_UDP))), 'icmp4');
    assert.equal(ip4ToString(r.gateway ?? -1), '192.168.0.1');
    const m = layer(decode(ETH, ipv4Frame(1, icmp4(3, 4, '00000578', QUOTED_V4_UDP))), 'icmp4');
    assert.equal(m.mtu, 1400);
    const pp = layer(decode(ETH, ipv4Frame(1, icmp4(12, 0, '14000000', QUOTED_V4_UDP))), 'icmp4');
    assert.equal(pp.pointer, 20);
  });

  test('truncated at every byte of the ICMP header (echo and error)', () => {
    assert.equal(sweepCuts(ETH, ECHO_REQUEST, ['icmp']), 16);
    assert.equal(sweepCuts(ETH, TIME_EXCEEDED, ['icmp']), 16);
  });

  test('cut inside the quote by the snap length: still decoded, the quote was short anyway', () => {
    for (let cut = 42; cut < TIME_EXCEEDED.length; cut++) {
      const p = decode(ETH, TIME_EXCEEDED.slice(0, cut), TIME_EXCEEDED.length);
      assert.notEqual(p.status, 'malformed', `cut at ${cut}: ${JSON.stringify(p.anomalies)}`);
    }
  });
});

describe('ICMPv6', () => {
  test('echo reply: identifier, sequence, checksum over the pseudo-header (real frame)', () => {
    const p = decode(ETH, ECHO6_REPLY);
    const l = layer(p, 'icmp6');
    assert.deepEqual(
      [l.type, l.typeName, l.echoId, l.echoSeq, l.checksumStatus, l.headerLength],
      [129, 'echo-reply', 60149, 1, 'good', 8],
    );
    assert.deepEqual(ids(p), []);
  });

  test('every type and code in the table has its name', () => {
    for (const [type, code, typeName, codeName] of ICMP6_NAMES) {
      // Errors carry a quote; NDP messages their target (and a redirect its destination).
      const body =
        type < 128
          ? hex('00000000', V6_QUOTE)
          : type === 135 || type === 136
            ? hex('00000000', 'fe80000000000000000000000000000a')
            : type === 137
              ? hex('00000000', 'fe80000000000000000000000000000a', V6_DST)
              : hex('00000000');
      const p = decode(ETH, ipv6Frame(58, icmp6(type, code, body)));
      const l = layer(p, 'icmp6');
      const what = `type ${type} code ${code}`;
      assert.deepEqual([l.typeName, l.codeName], [typeName, codeName], what);
      assert.equal(l.checksumStatus, 'good', what);
      assert.deepEqual(ids(p), [], what);
      if (type < 128) assert.deepEqual(kinds(l.quoted ?? []), ['ipv6', 'udp'], what);
    }
  });

  test('unknown types and codes are data', () => {
    const p = decode(ETH, ipv6Frame(58, icmp6(200, 1, hex('00000000'))));
    assert.deepEqual([layer(p, 'icmp6').typeName, layer(p, 'icmp6').codeName], ['type-200', 'code-1']);
    assert.deepEqual(ids(p), ['icmp.unknown-type']);
    assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['icmp6', 54]);
    assert.equal(p.status, 'decoded');
    const c = layer(decode(ETH, ipv6Frame(58, icmp6(1, 42, hex('00000000', V6_QUOTE)))), 'icmp6');
    assert.equal(c.codeName, 'code-42');
  });

  test('packet too big (MTU), parameter problem (32-bit pointer), port unreachable with its quote', () => {
    const big = layer(decode(ETH, ipv6Frame(58, icmp6(2, 0, hex('00000500', V6_QUOTE)))), 'icmp6');
    assert.equal(big.mtu, 1280);
    const pp = layer(decode(ETH, ipv6Frame(58, icmp6(4, 1, hex('00000028', V6_QUOTE)))), 'icmp6');
    assert.equal(pp.pointer, 40);
    const pu = decode(ETH, ipv6Frame(58, icmp6(1, 4, hex('00000000', V6_QUOTE))));
    const q = layer(pu, 'icmp6').quoted ?? [];
    assert.deepEqual(kinds(q), ['ipv6', 'udp']);
    assert.equal(ip6ToString(layer(q, 'ipv6').dst), '2001:db8::3');
    assert.deepEqual([layer(q, 'udp').srcPort, layer(q, 'udp').dstPort], [40000, 9]);
    assert.equal(pu.udp, undefined);
  });

  test('neighbor solicitation: target and source link-layer address (real frame)', () => {
    const p = decode(ETH, NS);
    const l = layer(p, 'icmp6');
    assert.equal(l.typeName, 'neighbor-solicitation');
    assert.equal(ip6ToString(l.ndTarget ?? new Uint8Array(16)), '2001:db8:1:2::1000');
    assert.equal(macToString(l.ndLinkAddr ?? -1), '00:0c:29:2f:80:31');
    assert.deepEqual([l.headerLength, l.checksumStatus], [24, 'good']);
    assert.deepEqual(ids(p), []);
  });

  test('neighbor advertisement: flags, target, target link-layer address (real frame)', () => {
    const l = layer(decode(ETH, NA), 'icmp6');
    assert.deepEqual(l.ndFlags, { router: false, solicited: true, override: true });
    assert.equal(ip6ToString(l.ndTarget ?? new Uint8Array(16)), '2001:db8:1:2::1000');
    assert.equal(macToString(l.ndLinkAddr ?? -1), '00:0c:29:1f:a7:55');
  });

  test('router solicitation and advertisement, redirect: link-layer address options', () => {
    const opt = '0101 00005e005301';
    const rs = layer(decode(ETH, ipv6Frame(58, icmp6(133, 0, hex('00000000', opt)))), 'icmp6');
    assert.equal(macToString(rs.ndLinkAddr ?? -1), '00:00:5e:00:53:01');
    // RA: hop limit 64, flags 0, lifetime 1800, reachable 0, retrans 0; an MTU option first, then the address.
    const ra = layer(
      decode(
        ETH,
        ipv6Frame(58, icmp6(134, 0, hex('40000708', '00000000', '00000000', '0501000000000578', opt))),
      ),
      'icmp6',
    );
    assert.equal(macToString(ra.ndLinkAddr ?? -1), '00:00:5e:00:53:01');
    const redirect = layer(
      decode(
        ETH,
        ipv6Frame(
          58,
          icmp6(
            137,
            0,
            hex(
              '00000000',
              'fe80000000000000000000000000000a',
              '20010db8000000000000000000000063',
              '0201 00005e005302',
            ),
          ),
        ),
      ),
      'icmp6',
    );
    assert.equal(ip6ToString(redirect.ndTarget ?? new Uint8Array(16)), 'fe80::a');
    assert.equal(macToString(redirect.ndLinkAddr ?? -1), '00:00:5e:00:53:02');
    assert.equal(redirect.headerLength, 40);
  });

  test('an NDP option of length 0 or past the message ends the option walk', () => {
    const zero = decode(ETH, ipv6Frame(58, icmp6(133, 0, hex('00000000', '0100 00005e005301'))));
    assert.equal(layer(zero, 'icmp6').ndLinkAddr, undefined);
    assert.equal(zero.status, 'decoded');
    const long = decode(ETH, ipv6Frame(58, icmp6(133, 0, hex('00000000', '0109 00005e005301'))));
    assert.equal(layer(long, 'icmp6').ndLinkAddr, undefined);
  });

  test('a wrong checksum is a warning', () => {
    const p = decode(ETH, patch(NS, [57, 0xb8]));
    assert.deepEqual(ids(p), ['icmp.bad-checksum']);
    assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['icmp6', 56]);
  });

  test('truncated at every byte of the 8-byte ICMPv6 header', () => {
    assert.equal(sweepCuts(ETH, ECHO6_REPLY, ['icmp6']), 16);
    assert.equal(sweepCuts(ETH, NS, [{ name: 'icmp6', from: 54, to: 62 }]), 16);
  });

  test('neighbor solicitation cut inside its target address is truncated', {}, () => {
    assert.equal(sweepCuts(ETH, NS, [{ name: 'icmp6', from: 62, to: 78 }]), 32);
  });

  test('a redirect cut after its target keeps its header inside the frame', {}, () => {
    const full = ipv6Frame(
      58,
      icmp6(137, 0, hex('00000000', 'fe80000000000000000000000000000a', '20010db8000000000000000000000063')),
    );
    for (let cut = 54 + 24; cut < full.length; cut++) decode(ETH, full.slice(0, cut), full.length);
  });
});
