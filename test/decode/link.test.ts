/**
 * Link layers: Ethernet II and IEEE 802.3 with LLC/SNAP, 802.1Q / 802.1ad VLAN tags (stacked),
 * Linux cooked captures v1 and v2, BSD NULL (both byte orders) and OpenBSD LOOP, raw IP.
 * Real frames from fixtures/ where the corpus has them, each under the line tcpdump prints for it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { macToString } from '../../src/core/addr.js';
import { anomalyOf, decode, hex, ids, kinds, LinkType, layer, patch, put16, sweepCuts } from './helpers.js';

// fixtures/corpus/public/chrissanders-tcp_handshake.pcapng #1
// tcpdump: 00:21:6a:5b:7d:4a > 00:05:5d:21:99:4c, ethertype IPv4 (0x0800), length 66: 172.16.16.128.2826 > 212.58.226.142.80: Flags [S], seq 3691127924, win 8192, options [mss 1460,nop,wscale 2,nop,nop,sackOK], length 0
const ETH_TCP_SYN = hex(
  '00055d21994c00216a5b7d4a080045000034317f4000800655ebac101080d43a',
  'e28e0b0a0050dc0224740000000080022000cfeb0000020405b4010303020101',
  '0402',
);

// fixtures/corpus/public/zeek-snap-arp.pcapng #1 (802.3 length 36, then 24 bytes of padding)
// tcpdump: c2:3d:19:6c:00:01 > ff:ff:ff:ff:ff:ff, 802.3, length 36: LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) Command, ctrl 0x03: oui Ethernet (0x000000), ethertype ARP (0x0806), length 28: Request who-has 10.0.0.2 tell 10.0.0.1, length 28
const SNAP_ARP = hex(
  'ffffffffffffc23d196c00010024aaaa0300000008060006080006040001c23d',
  '196c00010a0000010000000000000a00000200000000000000000000',
);

// Spanning tree BPDU: 802.3 with a plain (non-SNAP) LLC header.
// tcpdump: 00:11:22:33:44:55 > 01:80:c2:00:00:00, 802.3, length 38: LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: STP 802.1d, Config, Flags [none], bridge-id 8000.00:11:22:33:44:55.8001, length 35
const STP = hex(
  '0180c20000000011223344550026424203000000000080000011223344550000',
  '000080000011223344558001000014000200000000000000000000',
);

// LLDP: an EtherType nobody here decodes.
// tcpdump: 00:11:22:33:44:55 > 01:80:c2:00:00:0e, ethertype LLDP (0x88cc), length 35: LLDP, length 21 [|lldp]
const LLDP = hex('0180c200000e00112233445588cc020704001122334455040305657430060200', '780000');

// fixtures/corpus/public/zeek-http-vlan-0.pcap #1
// tcpdump: c8:bc:c8:96:d2:a0 > 00:10:db:88:d2:ef, ethertype 802.1Q (0x8100), length 82: vlan 0, p 5, DEI, ethertype IPv4 (0x0800), 141.142.228.5.59856 > 192.150.187.43.80: Flags [S], seq 4263588410, win 65535, options [mss 1460,nop,wscale 4,nop,nop,TS val 374005024 ecr 0,sackOK,eol], length 0
const VLAN_TCP = hex(
  '0010db88d2efc8bcc896d2a08100b000080045000040df8e400040066dd38d8e',
  'e405c096bb2be9d00050fe21323a00000000b002ffff3bc00000020405b40103',
  '03040101080a164add200000000004020000',
);

// fixtures/corpus/public/tcpdump-802.1ad_QinQ.pcap #1
// tcpdump: 00:20:d2:5a:fb:3f > ff:ff:ff:ff:ff:ff, ethertype 802.1Q-QinQ (0x88a8), length 64: vlan 200, p 0, ethertype 802.1Q (0x8100), vlan 2001, p 0, ethertype ARP (0x0806), Request who-has 172.21.79.100 tell 172.21.79.97, length 42
const QINQ_ARP = hex(
  'ffffffffffff0020d25afb3f88a800c8810007d1080600010800060400010020',
  'd25afb3fac154f61000000000000ac154f640000000000000000000000000000',
);

// fixtures/corpus/public/zeek-http-qinq-0.pcap #1: two 802.1Q tags
// tcpdump: c8:bc:c8:96:d2:a0 > 00:10:db:88:d2:ef, ethertype 802.1Q (0x8100), length 86: vlan 0, p 5, DEI, ethertype 802.1Q (0x8100), vlan 0, p 5, DEI, ethertype IPv4 (0x0800), 141.142.228.5.59856 > 192.150.187.43.80: Flags [S], seq 4263588410, win 65535, options [mss 1460,nop,wscale 4,nop,nop,TS val 374005024 ecr 0,sackOK,eol], length 0
const DOT1Q_DOT1Q_TCP = hex(
  '0010db88d2efc8bcc896d2a08100b0008100b000080045000040df8e40004006',
  '6dd38d8ee405c096bb2be9d00050fe21323a00000000b002ffff3bc000000204',
  '05b4010303040101080a164add200000000004020000',
);

// Legacy QinQ TPID 0x9100.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype 802.1Q-9100 (0x9100), length 50: vlan 100, p 0, ethertype IPv4 (0x0800), 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const VLAN9100_UDP = hex(
  '66778899aabb0011223344559100006408004500002000010000401166ca0a00',
  '00010a00000204d20009000c223261626364',
);

// Three stacked tags: S-tag 10 (p 5), C-tag 11 (p 1), C-tag 4095.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype 802.1Q-QinQ (0x88a8), length 58: vlan 10, p 5, ethertype 802.1Q (0x8100), vlan 11, p 1, ethertype 802.1Q (0x8100), vlan 4095, p 0, ethertype IPv4 (0x0800), 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const TRIPLE_TAG_UDP = hex(
  '66778899aabb00112233445588a8a00a8100200b81000fff0800450000200001',
  '0000401166ca0a0000010a00000204d20009000c223261626364',
);

// fixtures/corpus/public/zeek-linuxsll-arp.pcap #1
// tcpdump: B cc:2d:e0:26:19:99 ethertype ARP (0x0806), length 62: Request who-has 192.168.22.160 tell 192.168.22.1, length 46
const SLL_ARP = hex(
  '000100010006cc2de0261999000008060001080006040001cc2de0261999c0a8',
  '1601000000000000c0a816a0000000000000000000000000000000000000',
);

// fixtures/corpus/public/tcpdump-mptcp-v1.pcap #1
// tcpdump: In 32:32:87:aa:04:02 ethertype IPv4 (0x0800), length 80: 10.0.1.1.33306 > 10.0.2.1.10004: Flags [S], seq 2180756989, win 65535, options [mss 1460,sackOK,TS val 464494241 ecr 0,nop,wscale 8,mptcp 4 capable v1], length 0
const SLL_TCP = hex(
  '000000010006323287aa04020000080045000040ad7f4000400676370a000101',
  '0a000201821a271481fbb5fd00000000b002ffff17340000020405b40402080a',
  '1baf9ea100000000010303081e040101',
);

// fixtures/lab/sll2-any.pcap #1
// tcpdump: ifb1 B ifindex 3 02:00:0a:00:01:02 ethertype ARP (0x0806), length 48: Request who-has 10.0.1.1 tell 10.0.1.2, length 28
const SLL2_ARP = hex(
  '08060000000000030001010602000a0001020000000108000604000102000a00',
  '01020a0001020000000000000a000101',
);

// fixtures/corpus/public/zeek-linux_dlt_sll2.pcap #1 (loopback: ARPHRD_LOOPBACK 772)
// tcpdump: lo In ifindex 1 00:00:00:00:00:00 ethertype IPv4 (0x0800), length 104: 192.0.2.1 > 192.0.2.1: ICMP echo request, id 8, seq 1, length 64
const SLL2_ICMP = hex(
  '080000000000000103040006000000000000000045000054af8c40004001071a',
  'c0000201c0000201080066b400080001e9bdf96200000000e24e0d0000000000',
  '101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f',
  '3031323334353637',
);

// fixtures/corpus/public/tcpdump-dns-badcookie.pcap #1 (NULL, AF_INET little-endian)
// tcpdump: AF IPv4 (2), length 72: 127.0.0.1.54954 > 127.0.0.1.53: 63147+ [1au] SOA? . (40)
const NULL_LE_AF2 = hex(
  '0200000045000044000f0000401100007f0000017f000001d6aa00350030fe43',
  'f6ab012000010000000000010000060001000029100000000000000c000a0008',
  '36bf111fef2e0109',
);

// fixtures/corpus/public/tcpdump-icmpv6-RFC2894-RR.pcap #1 (NULL, AF_INET6 = 28, FreeBSD)
// tcpdump: AF IPv6 (28), length 116: 2001:db8:1:0:a00:27ff:fef4:4dcf > 2001:db8:1:0:a00:27ff:fef4:4dcf: ICMP6, router renumbering, command, seq=0 match(add,fec0::/48) use(3ffe:501:fffe::/48/16), length 72
const NULL_LE_AF28 = hex(
  '1c0000006000000000483a4020010db8000100000a0027fffef44dcf20010db8',
  '000100000a0027fffef44dcf8a00df3a00000000001000000000000001070030',
  '00800000fec000000000000000000000000000003010000000278d0000093a80',
  '000000003ffe0501fffe00000000000000000000',
);

// fixtures/corpus/public/zeek-irc-353.pcap #1 (NULL, AF_INET6 = 30, macOS)
// tcpdump: AF IPv6 (30), length 88: ::1.65388 > ::1.6666: Flags [S], seq 1705058225, win 65535, options [mss 16324,nop,wscale 5,nop,nop,TS val 851844144 ecr 0,sackOK,eol], length 0
const NULL_LE_AF30 = hex(
  '1e000000600709f1002c06400000000000000000000000000000000100000000',
  '000000000000000000000001ff6c1a0a65a11fb100000000b002ffff00340000',
  '02043fc4010303050101080a32c61c300000000004020000',
);

// NULL written by a big-endian host: AF_INET as 00 00 00 02.
// tcpdump: AF IPv4 (2), length 36: 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const NULL_BE_AF2 = hex('000000024500002000010000401166ca0a0000010a00000204d20009000c2232', '61626364');

// NULL, AF_INET6 = 24 (NetBSD/OpenBSD), little-endian.
// tcpdump: AF IPv6 (24), length 56: 2001:db8::1.1234 > 2001:db8::2.9: UDP, length 4
const NULL_LE_AF24 = hex(
  '1800000060000000000c114020010db800000000000000000000000120010db8',
  '00000000000000000000000204d20009000cdabf61626364',
);

// LOOP (OpenBSD): always network byte order, AF_INET6 = 24.
// tcpdump: AF IPv6 (24), length 56: 2001:db8::1.1234 > 2001:db8::2.9: UDP, length 4
const LOOP_AF24 = hex(
  '0000001860000000000c114020010db800000000000000000000000120010db8',
  '00000000000000000000000204d20009000cdabf61626364',
);

// NULL with address family 7 (AF_ISO): not decoded.
// tcpdump: AF ISO (7), length 36: OSI NLPID Unknown (0x45): length: 32
const NULL_AF7 = hex('070000004500002000010000401166ca0a0000010a00000204d20009000c2232', '61626364');

// fixtures/corpus/public/zeek-tcp_payload-syn.pcap #1 (LINKTYPE_RAW)
// tcpdump: ip: 192.168.0.1.80 > 192.168.0.2.80: Flags [S], seq 10:110, win 8192, length 100: HTTP: GET //index.php?page=../../../etc/passwd HTTP/1.1
const RAW_TCP = hex(
  '4500008c000100004006f917c0a80001c0a80002005000500000000a00000000',
  '50022000c4e20000474554202f2f696e6465782e7068703f706167653d2e2e2f',
  '2e2e2f2e2e2f6574632f70617373776420485454502f312e310d0a557365722d',
  '4167656e743a20637a787432730d0a4163636570743a202a2f2a0d0a0d0a0000',
  '000000000000000000000000',
);

// LINKTYPE_IPV4 / LINKTYPE_IPV6 (and LINKTYPE_RAW carrying IPv6).
// tcpdump: ip: 10.0.0.1.1234 > 10.0.0.2.9: UDP, length 4
const RAW4_UDP = hex('4500002000010000401166ca0a0000010a00000204d20009000c223261626364');
// tcpdump: ip: 2001:db8::1.1234 > 2001:db8::2.9: UDP, length 4
const RAW6_UDP = hex(
  '60000000000c114020010db800000000000000000000000120010db800000000',
  '000000000000000204d20009000cdabf61626364',
);

describe('Ethernet II', () => {
  test('valid: addresses, EtherType, and the IPv4/TCP that follows', () => {
    const p = decode(LinkType.ETHERNET, ETH_TCP_SYN);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'tcp']);
    const e = layer(p, 'eth');
    assert.equal(macToString(e.src), '00:21:6a:5b:7d:4a');
    assert.equal(macToString(e.dst), '00:05:5d:21:99:4c');
    assert.equal(e.etherType, 0x0800);
    assert.deepEqual([e.offset, e.headerLength], [0, 14]);
    assert.equal(p.status, 'decoded');
    assert.deepEqual(ids(p), []);
  });

  test('truncated at every byte of the header: truncated when cut, malformed when not', () => {
    assert.equal(sweepCuts(LinkType.ETHERNET, ETH_TCP_SYN, ['eth']), 28);
    const p = decode(LinkType.ETHERNET, hex('00055d21994c00216a5b7d4a08'), 66);
    assert.deepEqual(ids(p), ['truncated']);
    assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['eth', 0]);
    assert.deepEqual(ids(decode(LinkType.ETHERNET, hex('00055d21994c00216a5b7d4a08'))), ['too-short']);
    assert.deepEqual(ids(decode(LinkType.ETHERNET, new Uint8Array(0), 60)), ['truncated']);
  });

  test('unknown EtherType: the rest is data, not an anomaly', () => {
    const p = decode(LinkType.ETHERNET, LLDP);
    assert.deepEqual(kinds(p), ['eth', 'undecoded']);
    const u = layer(p, 'undecoded');
    assert.equal(u.what, 'ethertype 0x88cc (lldp)');
    assert.deepEqual([u.offset, u.headerLength], [14, 21]);
    assert.equal(p.status, 'decoded');
    const q = decode(LinkType.ETHERNET, put16(LLDP, 12, 0x1234));
    assert.equal(layer(q, 'undecoded').what, 'ethertype 0x1234');
    assert.equal(q.status, 'decoded');
  });

  test('an Ethernet header with nothing after it is complete', () => {
    const p = decode(LinkType.ETHERNET, LLDP.slice(0, 14));
    assert.deepEqual(kinds(p), ['eth']);
    assert.equal(p.status, 'decoded');
  });
});

describe('IEEE 802.3 + LLC', () => {
  test('valid SNAP: the OUI 0 protocol id is an EtherType, padding after the 802.3 length is dropped', () => {
    const p = decode(LinkType.ETHERNET, SNAP_ARP);
    assert.deepEqual(kinds(p), ['eth', 'llc', 'arp']);
    assert.equal(layer(p, 'eth').etherType, 36);
    const l = layer(p, 'llc');
    assert.deepEqual(
      [l.dsap, l.ssap, l.control, l.oui, l.pid, l.offset, l.headerLength],
      [0xaa, 0xaa, 0x03, 0, 0x0806, 14, 8],
    );
    const a = layer(p, 'arp');
    assert.equal(a.hwType, 6);
    assert.equal(a.arpKind, 'request');
    assert.equal(a.offset + a.headerLength, 14 + 36);
    assert.equal(p.status, 'decoded');
  });

  test('valid plain LLC (spanning tree): dsap/ssap/control, payload not decoded', () => {
    const p = decode(LinkType.ETHERNET, STP);
    assert.deepEqual(kinds(p), ['eth', 'llc']);
    const l = layer(p, 'llc');
    assert.deepEqual([l.dsap, l.ssap, l.control, l.headerLength], [0x42, 0x42, 0x03, 3]);
    assert.equal(l.oui, undefined);
    assert.equal(p.status, 'decoded');
    assert.deepEqual([p.payloadOffset, p.payloadLength], [17, 35]);
  });

  test('I-format LLC has a two-byte control field', () => {
    const p = decode(LinkType.ETHERNET, patch(STP, [16, 0x00], [17, 0x02]));
    const l = layer(p, 'llc');
    assert.deepEqual([l.control, l.headerLength], [0x0002, 4]);
  });

  test('SNAP with a vendor OUI: kept as data', () => {
    // Cisco OUI 0x00000c, pid 0x2000 (CDP).
    const p = decode(LinkType.ETHERNET, patch(SNAP_ARP, [19, 0x0c], [20, 0x20], [21, 0x00]));
    const l = layer(p, 'llc');
    assert.deepEqual([l.oui, l.pid], [0x0c, 0x2000]);
    assert.deepEqual(kinds(p), ['eth', 'llc']);
    assert.equal(p.status, 'decoded');
  });

  test('truncated at every byte of the Ethernet and LLC/SNAP headers', () => {
    assert.ok(sweepCuts(LinkType.ETHERNET, SNAP_ARP, ['eth', 'llc']) > 0);
    assert.ok(sweepCuts(LinkType.ETHERNET, STP, ['eth', 'llc']) > 0);
  });

  test('impossible lengths: an 802.3 length shorter than the LLC header it announces', () => {
    for (const len of [0, 1, 2]) {
      const p = decode(LinkType.ETHERNET, put16(STP, 12, len));
      assert.equal(p.status, 'malformed', `length ${len}`);
      assert.deepEqual(ids(p), ['too-short']);
      assert.equal(anomalyOf(p, 'too-short').layer, 'llc');
      assert.equal(anomalyOf(p, 'too-short').offset, 14);
    }
    // SNAP needs 8 bytes.
    const p = decode(LinkType.ETHERNET, put16(SNAP_ARP, 12, 5));
    assert.deepEqual(ids(p), ['too-short']);
    assert.equal(p.anomalies[0]?.layer, 'llc');
  });

  test('802.3 length 1500 (the largest length) and 1536 (the smallest EtherType)', () => {
    const p = decode(LinkType.ETHERNET, put16(STP, 12, 1500));
    assert.deepEqual(kinds(p), ['eth', 'llc']);
    const q = decode(LinkType.ETHERNET, put16(STP, 12, 0x0600));
    assert.deepEqual(kinds(q), ['eth', 'undecoded']);
    assert.equal(q.status, 'decoded');
  });
});

describe('VLAN 802.1Q / 802.1ad', () => {
  test('valid 802.1Q tag: TPID, priority, drop-eligible, id, inner EtherType', () => {
    const p = decode(LinkType.ETHERNET, VLAN_TCP);
    assert.deepEqual(kinds(p), ['eth', 'vlan', 'ipv4', 'tcp']);
    const v = layer(p, 'vlan');
    assert.deepEqual(
      [v.tpid, v.pcp, v.dei, v.vid, v.etherType, v.offset, v.headerLength],
      [0x8100, 5, true, 0, 0x0800, 14, 4],
    );
    assert.equal(p.status, 'decoded');
  });

  test('valid 802.1ad S-tag then 802.1Q C-tag (QinQ)', () => {
    const p = decode(LinkType.ETHERNET, QINQ_ARP);
    assert.deepEqual(kinds(p), ['eth', 'vlan', 'vlan', 'arp']);
    const s = layer(p, 'vlan', 0);
    const c = layer(p, 'vlan', 1);
    assert.deepEqual([s.tpid, s.vid, s.etherType], [0x88a8, 200, 0x8100]);
    assert.deepEqual([c.tpid, c.vid, c.etherType, c.offset], [0x8100, 2001, 0x0806, 18]);
    assert.equal(layer(p, 'arp').offset, 22);
  });

  test('two 802.1Q tags, the legacy 0x9100 TPID, and three stacked tags', () => {
    const two = decode(LinkType.ETHERNET, DOT1Q_DOT1Q_TCP);
    assert.deepEqual(kinds(two), ['eth', 'vlan', 'vlan', 'ipv4', 'tcp']);
    assert.equal(two.status, 'decoded');
    const old = decode(LinkType.ETHERNET, VLAN9100_UDP);
    assert.deepEqual(kinds(old), ['eth', 'vlan', 'ipv4', 'udp']);
    assert.deepEqual([layer(old, 'vlan').tpid, layer(old, 'vlan').vid], [0x9100, 100]);
    const three = decode(LinkType.ETHERNET, TRIPLE_TAG_UDP);
    assert.deepEqual(kinds(three), ['eth', 'vlan', 'vlan', 'vlan', 'ipv4', 'udp']);
    assert.deepEqual(
      [0, 1, 2].map((i) => [
        layer(three, 'vlan', i).tpid,
        layer(three, 'vlan', i).vid,
        layer(three, 'vlan', i).pcp,
      ]),
      [
        [0x88a8, 10, 5],
        [0x8100, 11, 1],
        [0x8100, 4095, 0],
      ],
    );
    assert.equal(three.status, 'decoded');
  });

  test('truncated at every byte of every tag', () => {
    assert.ok(sweepCuts(LinkType.ETHERNET, VLAN_TCP, ['vlan']) > 0);
    assert.ok(sweepCuts(LinkType.ETHERNET, QINQ_ARP, ['vlan']) > 0);
    assert.ok(sweepCuts(LinkType.ETHERNET, TRIPLE_TAG_UDP, ['eth', 'vlan']) > 0);
  });

  test('a tag whose EtherType is a length: LLC follows, bounded by it', () => {
    // VLAN 100 carrying the STP BPDU's LLC (length 0x26).
    const tagged = hex('0180c2000000001122334455', '81000064', '0026', '424203', '00'.repeat(35));
    const p = decode(LinkType.ETHERNET, tagged);
    assert.deepEqual(kinds(p), ['eth', 'vlan', 'llc']);
    assert.equal(layer(p, 'vlan').etherType, 0x26);
  });

  test('an unknown EtherType inside a tag is data', () => {
    const p = decode(LinkType.ETHERNET, put16(VLAN_TCP, 16, 0x88cc));
    assert.deepEqual(kinds(p), ['eth', 'vlan', 'undecoded']);
    assert.equal(p.status, 'decoded');
  });

  test('an endless chain of tags stops at the depth limit without throwing', () => {
    const tags = '81000001'.repeat(40);
    const p = decode(LinkType.ETHERNET, hex('66778899aabb001122334455', '8100', tags.slice(4), '0800'));
    assert.ok(ids(p).includes('too-deep'), JSON.stringify(ids(p)));
    assert.equal(p.status, 'malformed');
  });
});

describe('Linux cooked capture v1 (SLL)', () => {
  test('valid: broadcast ARP, hardware type, address, protocol', () => {
    const p = decode(LinkType.LINUX_SLL, SLL_ARP);
    assert.deepEqual(kinds(p), ['sll', 'arp']);
    const s = layer(p, 'sll');
    assert.deepEqual(
      [s.packetType, s.arphrd, s.addrLength, s.addr, s.protocol, s.headerLength],
      [1, 1, 6, 'cc:2d:e0:26:19:99', 0x0806, 16],
    );
    assert.equal(p.status, 'decoded');
  });

  test('valid: incoming IPv4/TCP', () => {
    const p = decode(LinkType.LINUX_SLL, SLL_TCP);
    assert.deepEqual(kinds(p), ['sll', 'ipv4', 'tcp']);
    assert.equal(layer(p, 'sll').packetType, 0);
    assert.equal(p.status, 'decoded');
  });

  test('truncated at every byte of the header', () => {
    assert.equal(sweepCuts(LinkType.LINUX_SLL, SLL_TCP, ['sll']), 32);
  });

  test('impossible and unknown values: a huge address length, protocol 0x0004 (802.2), a non-EtherType protocol, netlink', () => {
    const big = decode(LinkType.LINUX_SLL, put16(SLL_TCP, 4, 0xffff));
    assert.equal(layer(big, 'sll').addr, '32:32:87:aa:04:02:00:00');
    assert.equal(big.status, 'decoded');
    const llc = decode(
      LinkType.LINUX_SLL,
      hex('00040001000600112233445500000004', '424203', '00'.repeat(35)),
    );
    assert.deepEqual(kinds(llc), ['sll', 'llc']);
    const other = decode(LinkType.LINUX_SLL, put16(SLL_TCP, 14, 0x0003));
    assert.deepEqual(kinds(other), ['sll']);
    assert.equal(other.status, 'decoded');
    const netlink = decode(LinkType.LINUX_SLL, put16(SLL_TCP, 2, 824));
    assert.deepEqual(kinds(netlink), ['sll']);
  });
});

describe('Linux cooked capture v2 (SLL2)', () => {
  test('valid: ARP on interface 3, broadcast', () => {
    const p = decode(LinkType.LINUX_SLL2, SLL2_ARP);
    assert.deepEqual(kinds(p), ['sll2', 'arp']);
    const s = layer(p, 'sll2');
    assert.deepEqual(
      [s.protocol, s.ifindex, s.arphrd, s.packetType, s.addrLength, s.addr, s.headerLength],
      [0x0806, 3, 1, 1, 6, '02:00:0a:00:01:02', 20],
    );
  });

  test('valid: loopback ICMP echo (ARPHRD_LOOPBACK)', () => {
    const p = decode(LinkType.LINUX_SLL2, SLL2_ICMP);
    assert.deepEqual(kinds(p), ['sll2', 'ipv4', 'icmp4']);
    assert.deepEqual([layer(p, 'sll2').ifindex, layer(p, 'sll2').arphrd], [1, 772]);
    assert.equal(layer(p, 'icmp4').typeName, 'echo-request');
    assert.equal(p.status, 'decoded');
  });

  test('truncated at every byte of the header', () => {
    assert.equal(sweepCuts(LinkType.LINUX_SLL2, SLL2_ICMP, ['sll2']), 40);
  });

  test('address length 255 shows at most 8 bytes; an unknown protocol is data', () => {
    const p = decode(LinkType.LINUX_SLL2, patch(SLL2_ARP, [11, 0xff]));
    assert.equal(layer(p, 'sll2').addr, '02:00:0a:00:01:02:00:00');
    const q = decode(LinkType.LINUX_SLL2, put16(SLL2_ARP, 0, 0x88cc));
    assert.deepEqual(kinds(q), ['sll2', 'undecoded']);
    assert.equal(q.status, 'decoded');
  });
});

describe('BSD NULL and OpenBSD LOOP', () => {
  test('NULL little-endian: AF 2, 24, 28, 30', () => {
    const cases: [Uint8Array, number, string[]][] = [
      [NULL_LE_AF2, 2, ['null', 'ipv4', 'udp', 'dns']],
      [NULL_LE_AF24, 24, ['null', 'ipv6', 'udp']],
      [NULL_LE_AF28, 28, ['null', 'ipv6', 'icmp6']],
      [NULL_LE_AF30, 30, ['null', 'ipv6', 'tcp']],
    ];
    for (const [bytes, family, ks] of cases) {
      const p = decode(LinkType.NULL, bytes);
      const n = layer(p, 'null');
      assert.deepEqual([n.family, n.byteOrder, n.loop, n.headerLength], [family, 'little', false, 4]);
      assert.deepEqual(kinds(p), ks);
    }
  });

  test('NULL big-endian (written on a big-endian host): AF 2 and AF 24', () => {
    const p = decode(LinkType.NULL, NULL_BE_AF2);
    assert.deepEqual([layer(p, 'null').family, layer(p, 'null').byteOrder], [2, 'big']);
    assert.deepEqual(kinds(p), ['null', 'ipv4', 'udp']);
    const q = decode(LinkType.NULL, LOOP_AF24);
    assert.deepEqual([layer(q, 'null').family, layer(q, 'null').byteOrder], [24, 'big']);
    assert.deepEqual(kinds(q), ['null', 'ipv6', 'udp']);
  });

  test('LOOP is always big-endian', () => {
    const p = decode(LinkType.LOOP, LOOP_AF24);
    const n = layer(p, 'null');
    assert.deepEqual([n.family, n.byteOrder, n.loop], [24, 'big', true]);
    assert.deepEqual(kinds(p), ['null', 'ipv6', 'udp']);
    // A little-endian family in a LOOP header is a huge number: unknown, data.
    const q = decode(LinkType.LOOP, NULL_LE_AF2);
    assert.equal(layer(q, 'null').family, 0x02000000);
    assert.deepEqual(ids(q), ['null.unknown-family']);
    assert.equal(q.anomalies[0]?.layer, 'null');
  });

  test('truncated at every byte of the 4-byte header (NULL and LOOP)', () => {
    assert.equal(sweepCuts(LinkType.NULL, NULL_LE_AF2, ['null']), 8);
    assert.equal(sweepCuts(LinkType.LOOP, LOOP_AF24, ['loop']), 8);
  });

  test('unknown address family: a note, the rest is not decoded', () => {
    const p = decode(LinkType.NULL, NULL_AF7);
    assert.equal(layer(p, 'null').family, 7);
    assert.deepEqual(kinds(p), ['null']);
    assert.deepEqual(ids(p), ['null.unknown-family']);
    assert.equal(p.status, 'decoded');
  });
});

describe('raw IP', () => {
  test('LINKTYPE_RAW: IPv4 by the version nibble (no link layer)', () => {
    const p = decode(LinkType.RAW, RAW_TCP);
    assert.deepEqual(kinds(p), ['ipv4', 'tcp']);
    assert.equal(layer(p, 'ipv4').offset, 0);
    assert.equal(layer(p, 'tcp').payloadLength, 100);
  });

  test('LINKTYPE_RAW with IPv6, LINKTYPE_IPV4, LINKTYPE_IPV6, and the BSD DLT_RAW numbers 12 and 14', () => {
    assert.deepEqual(kinds(decode(LinkType.RAW, RAW6_UDP)), ['ipv6', 'udp']);
    assert.deepEqual(kinds(decode(LinkType.IPV4, RAW4_UDP)), ['ipv4', 'udp']);
    assert.deepEqual(kinds(decode(LinkType.IPV6, RAW6_UDP)), ['ipv6', 'udp']);
    assert.deepEqual(kinds(decode(12, RAW4_UDP)), ['ipv4', 'udp']);
    assert.deepEqual(kinds(decode(14, RAW6_UDP)), ['ipv6', 'udp']);
  });

  test('a version nibble other than 4 or 6: undecoded, malformed, named at byte 0', () => {
    for (const v of [0, 5, 7, 15]) {
      const p = decode(LinkType.RAW, patch(RAW4_UDP, [0, (v << 4) | 5]));
      assert.deepEqual(kinds(p), ['undecoded'], `version ${v}`);
      assert.equal(layer(p, 'undecoded').what, `ip version ${v}`);
      assert.deepEqual(ids(p), ['ipv4.bad-version']);
      assert.equal(p.anomalies[0]?.offset, 0);
      assert.equal(p.status, 'malformed');
    }
  });

  test('cut at every byte of the IP header', () => {
    // From byte 1: a raw frame with no byte at all is the bug below.
    assert.equal(sweepCuts(LinkType.RAW, RAW4_UDP, [{ name: 'ipv4', from: 1, to: 20 }]), 38);
    assert.equal(sweepCuts(LinkType.RAW, RAW6_UDP, [{ name: 'ipv6', from: 1, to: 40 }]), 78);
  });

  test('a raw frame with no bytes at all, cut by the snap length, is truncated', {}, () => {
    const p = decode(LinkType.RAW, new Uint8Array(0), 40);
    assert.equal(p.status, 'truncated');
    assert.equal(decode(LinkType.RAW, new Uint8Array(0)).status, 'malformed');
  });
});

describe('unsupported link types', () => {
  test('an unknown link type is unsupported, kept as data', () => {
    const p = decode(147, RAW4_UDP);
    assert.deepEqual(kinds(p), ['undecoded']);
    assert.deepEqual(ids(p), ['unsupported-linktype']);
    assert.equal(p.status, 'unsupported');
    assert.equal(layer(p, 'undecoded').headerLength, RAW4_UDP.length);
  });
});
