/**
 * Hand-made frames for the cases the public corpus lacks: VLAN stacks, fragments, IPv6
 * extension headers, 802.3/LLC, truncation, malformed IPv4, every link type the filter knows.
 * Each is preceded by what `tcpdump -nn -e -t` prints for it. They feed the evaluator tests and
 * the differential test against tcpdump (generated once with a script, checked with tcpdump).
 */

import type { Frame } from '../../src/capture/types.js';
import { fromHex } from '../../src/core/bytes.js';

export interface SyntheticFrame {
  readonly name: string;
  readonly linkType: number;
  /** Hex of the captured bytes. */
  readonly hex: readonly string[];
  /** Length on the wire when the frame was cut by a snap length. */
  readonly origlen?: number;
}

export const SYNTHETIC: readonly SyntheticFrame[] = [
  // Plain Ethernet/IPv4/TCP to port 80.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 54: 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'tcp-syn-80',
    linkType: 1,
    hex: [
      '66778899aabb00112233445508004500002812340000400600000a0000010a00',
      '00029c400050000003e8000000005002200000000000',
    ],
  },
  // 802.1Q tag 100 around IPv4/TCP port 80: plain `ip`/`port 80` do not match, `vlan and port 80` does.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype 802.1Q (0x8100), length 58: vlan 100, p 0, ethertype IPv4 (0x0800), 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'vlan100-tcp-80',
    linkType: 1,
    hex: [
      '66778899aabb0011223344558100006408004500002812340000400600000a00',
      '00010a0000029c400050000003e8000000005002200000000000',
    ],
  },
  // 802.1ad tag 200 then 802.1Q tag 300, IPv4/UDP to port 53.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype 802.1Q-QinQ (0x88a8), length 54: vlan 200, p 0, ethertype 802.1Q (0x8100), vlan 300, p 0, ethertype IPv4 (0x0800), 10.0.0.1.5353 > 10.0.0.2.53: domain [length 4 < 12] (invalid)
  {
    name: 'qinq-200-300-udp-53',
    linkType: 1,
    hex: [
      '66778899aabb00112233445588a800c88100012c080045000020123400004011',
      '00000a0000010a00000214e90035000c000061626364',
    ],
  },
  // IPv4 fragment at offset 1480 (protocol TCP) whose data happens to read 80, 80 where ports would be: `port 80` must not match.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 58: 10.0.0.1 > 10.0.0.2: ip-proto-6
  {
    name: 'ipv4-frag-offset-tcp',
    linkType: 1,
    hex: [
      '66778899aabb00112233445508004500002c123400b9400600000a0000010a00',
      '0002005000500000000000000000000000000000000000000000',
    ],
  },
  // First IPv4 fragment (MF set, offset 0) carrying TCP to port 80: `port 80` matches.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 54: 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'ipv4-first-frag-tcp-80',
    linkType: 1,
    hex: [
      '66778899aabb00112233445508004500002812342000400600000a0000010a00',
      '00029c400050000003e8000000005002200000000000',
    ],
  },
  // IPv6 hop-by-hop header, then TCP to port 80: libpcap does not walk the extension chain, so `tcp` and `port 80` do not match.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 82: 2001:db8::1 > 2001:db8::2: HBH 40000 > 80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'ipv6-hbh-tcp-80',
    linkType: 1,
    hex: [
      '66778899aabb00112233445586dd60000000001c004020010db8000000000000',
      '00000000000120010db800000000000000000000000206000104000000009c40',
      '0050000003e8000000005002200000000000',
    ],
  },
  // IPv6 fragment header (offset 0), then UDP to port 53: `udp` matches (libpcap checks for a fragment header), `port 53` does not.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 72: 2001:db8::1 > 2001:db8::2: frag (0|10) 5353 > 53: domain [length 2 < 12] (invalid)
  {
    name: 'ipv6-frag-udp-53',
    linkType: 1,
    hex: [
      '66778899aabb00112233445586dd6000000000122c4020010db8000000000000',
      '00000000000120010db8000000000000000000000002110000010000abcd14e9',
      '0035000a00007879',
    ],
  },
  // ICMP port unreachable quoting UDP to port 53: `port 53` never looks inside the quote.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 71: 10.0.0.9 > 10.0.0.2: ICMP 10.0.0.9 udp port 53 unreachable, length 37
  {
    name: 'icmp-unreach-quoting-udp-53',
    linkType: 1,
    hex: [
      '66778899aabb00112233445508004500003912340000400100000a0000090a00',
      '000203030000000000004500001d12340000401100000a0000020a00000914e9',
      '00350009000071',
    ],
  },
  // IPv4/TCP cut by a 30-byte snap length: any read past byte 30 rejects the packet, even under `not`.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 54:  [|ip]
  {
    name: 'ipv4-cut-at-30',
    linkType: 1,
    origlen: 54,
    hex: ['66778899aabb00112233445508004500002812340000400600000a000001'],
  },
  // IPv4 header length field 4 (16 bytes, invalid): libpcap finds TCP at 16 bytes anyway.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 50: bad-hlen 16
  {
    name: 'ipv4-ihl-4',
    linkType: 1,
    hex: [
      '66778899aabb00112233445508004400002412340000400600000a0000019c40',
      '0050000003e8000000005002200000000000',
    ],
  },
  // EtherType IPv4 but version nibble 6: libpcap checks only the EtherType.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 54: IP6, wrong link-layer encapsulation (invalid)
  {
    name: 'ethertype-ip-version-6',
    linkType: 1,
    hex: [
      '66778899aabb00112233445508006500002812340000400600000a0000010a00',
      '00029c400050000003e8000000005002200000000000',
    ],
  },
  // 802.3 length field, LLC/SNAP, IPv4/UDP to port 53: not `ip` for libpcap (EtherType field is a length).
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, 802.3, length 36: LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) Command, ctrl 0x03: oui Ethernet (0x000000), ethertype IPv4 (0x0800), length 28: 10.0.0.1.1 > 10.0.0.2.53: domain [length 0 < 12] (invalid)
  {
    name: '8023-snap-ipv4-udp-53',
    linkType: 1,
    hex: [
      '66778899aabb0011223344550024aaaa0300000008004500001c123400004011',
      '00000a0000010a0000020001003500080000',
    ],
  },
  // 802.3 length field, LLC DSAP/SSAP 0x42: spanning tree (`stp`).
  // tcpdump: 00:11:22:33:44:55 > 01:80:c2:00:00:00, 802.3, length 38: LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: STP 802.1d, Config, Flags [none], bridge-id 0000.00:00:00:00:00:00.0000, length 35
  {
    name: '8023-llc-stp',
    linkType: 1,
    hex: [
      '0180c20000000011223344550026424203000000000000000000000000000000',
      '0000000000000000000000000000000000000000',
    ],
  },
  // IPv4 with 4 bytes of options (IHL 6), TCP to port 80.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 58: 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'ipv4-options-tcp-80',
    linkType: 1,
    hex: [
      '66778899aabb00112233445508004600002c12340000400600000a0000010a00',
      '0002010101009c400050000003e8000000005002200000000000',
    ],
  },
  // ARP request to the Ethernet broadcast address.
  // tcpdump: 00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Request who-has 10.0.0.2 tell 10.0.0.1, length 46
  {
    name: 'arp-request',
    linkType: 1,
    hex: [
      'ffffffffffff001122334455080600010800060400010011223344550a000001',
      '0000000000000a000002000000000000000000000000000000000000',
    ],
  },
  // A 10-byte frame: every header read is out of range.
  // tcpdump: [|ether]
  {
    name: 'runt-10-bytes',
    linkType: 1,
    hex: ['00010203040506070809'],
  },
  // IPv4/TCP cut 2 bytes into the TCP header: the source port is there, the destination port is not.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 54: 10.0.0.1 > 10.0.0.2: [|tcp]
  {
    name: 'tcp-cut-after-src-port',
    linkType: 1,
    origlen: 54,
    hex: ['66778899aabb00112233445508004500002812340000400600000a0000010a00', '00020050'],
  },
  // ICMPv6 neighbour solicitation to a solicited-node multicast address.
  // tcpdump: 00:11:22:33:44:55 > 33:33:ff:00:00:02, ethertype IPv6 (0x86dd), length 78: fe80::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has ::, length 24
  {
    name: 'ipv6-ns-multicast',
    linkType: 1,
    hex: [
      '3333ff00000200112233445586dd6000000000183afffe800000000000000000',
      '000000000001ff0200000000000000000001ff00000287000000000000000000',
      '0000000000000000000000000000',
    ],
  },
  // IPv4/UDP to 224.0.0.251 (mDNS).
  // tcpdump: 00:11:22:33:44:55 > 01:00:5e:00:00:fb, ethertype IPv4 (0x0800), length 43: 10.0.0.1.5353 > 224.0.0.251.5353: domain [length 1 < 12] (invalid)
  {
    name: 'ipv4-multicast-udp',
    linkType: 1,
    hex: ['01005e0000fb00112233445508004500001d12340000401100000a000001e000', '00fb14e914e9000900006d'],
  },
  // IPv4/UDP to 255.255.255.255 (DHCP).
  // tcpdump: 00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 43: 10.0.0.1.68 > 255.255.255.255.67: BOOTP/DHCP, unknown (0x62) [|bootp]
  {
    name: 'ipv4-broadcast-udp',
    linkType: 1,
    hex: ['ffffffffffff00112233445508004500001d12340000401100000a000001ffff', 'ffff004400430009000062'],
  },
  // IPv4 with TOS 0xb8 (for `ip[1] / ip[1]`: no division by zero).
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 43: 10.0.0.1.1000 > 10.0.0.2.2000: UDP, length 1
  {
    name: 'ipv4-tos-nonzero',
    linkType: 1,
    hex: ['66778899aabb001122334455080045b8001d12340000401100000a0000010a00', '000203e807d0000900007a'],
  },
  // IPv4/SCTP between ports 3868.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 46: 10.0.0.1.3868 > 10.0.0.2.3868: sctp
  {
    name: 'ipv4-sctp',
    linkType: 1,
    hex: ['66778899aabb00112233445508004500002012340000408400000a0000010a00', '00020f1c0f1c0000000000000000'],
  },
  // 802.1Q tag 123 around IPv6/TCP port 80.
  // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype 802.1Q (0x8100), length 78: vlan 123, p 0, ethertype IPv6 (0x86dd), 2001:db8::1.40000 > 2001:db8::2.80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'vlan123-ipv6-tcp-80',
    linkType: 1,
    hex: [
      '66778899aabb0011223344558100007b86dd600000000014064020010db80000',
      '0000000000000000000120010db80000000000000000000000029c4000500000',
      '03e8000000005002200000000000',
    ],
  },
  // Linux cooked v1, protocol 4 (802.2 LLC), spanning tree.
  // tcpdump: In 00:11:22:33:44:55 802.2, length 54: LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: STP 802.1d, Config, Flags [none], bridge-id 0000.00:00:00:00:00:00.0000, length 35
  {
    name: 'sll-llc-stp',
    linkType: 113,
    hex: [
      '0000000100060011223344550000000442420300000000000000000000000000',
      '00000000000000000000000000000000000000000000',
    ],
  },
  // Linux cooked v1, outgoing IPv4/TCP to port 80.
  // tcpdump: Out 00:11:22:33:44:55 ethertype IPv4 (0x0800), length 56: 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'sll-tcp-80',
    linkType: 113,
    hex: [
      '000400010006001122334455000008004500002812340000400600000a000001',
      '0a0000029c400050000003e8000000005002200000000000',
    ],
  },
  // Linux cooked v1, IPv6/UDP to port 53.
  // tcpdump: In 00:11:22:33:44:55 ethertype IPv6 (0x86dd), length 65: 2001:db8::1.5353 > 2001:db8::2.53: domain [length 1 < 12] (invalid)
  {
    name: 'sll-ipv6-udp-53',
    linkType: 113,
    hex: [
      '000000010006001122334455000086dd600000000009114020010db800000000',
      '000000000000000120010db800000000000000000000000214e9003500090000',
      '71',
    ],
  },
  // Linux cooked v2, IPv4/UDP to port 53.
  // tcpdump: ifb0  In  ifindex 2 00:11:22:33:44:55 ethertype IPv4 (0x0800), length 49: 10.0.0.1.5353 > 10.0.0.2.53: domain [length 1 < 12] (invalid)
  {
    name: 'sll2-udp-53',
    linkType: 276,
    hex: [
      '08000000000000020001000600112233445500004500001d1234000040110000',
      '0a0000010a00000214e900350009000071',
    ],
  },
  // Linux cooked v2, ARP request.
  // tcpdump: ifb0  In  ifindex 2 00:11:22:33:44:55 ethertype ARP (0x0806), length 48: Request who-has 10.0.0.2 tell 10.0.0.1, length 28
  {
    name: 'sll2-arp',
    linkType: 276,
    hex: [
      '0806000000000002000100060011223344550000000108000604000100112233',
      '44550a0000010000000000000a000002',
    ],
  },
  // BSD loopback, family 2 (IPv4), TCP to port 80.
  // tcpdump: AF IPv4 (2), length 44: 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'null-ipv4-tcp-80',
    linkType: 0,
    hex: ['020000004500002812340000400600000a0000010a0000029c400050000003e8', '000000005002200000000000'],
  },
  // BSD loopback, family 30 (macOS AF_INET6), UDP to port 53.
  // tcpdump: AF IPv6 (30), length 53: 2001:db8::1.5353 > 2001:db8::2.53: domain [length 1 < 12] (invalid)
  {
    name: 'null-ipv6-udp-53',
    linkType: 0,
    hex: [
      '1e000000600000000009114020010db800000000000000000000000120010db8',
      '00000000000000000000000214e900350009000071',
    ],
  },
  // BSD loopback with family 10 (Linux AF_INET6): libpcap's `ip6` accepts only 24, 28 and 30.
  // tcpdump: AF Unknown (10), length 53:
  {
    name: 'null-family-linux-10',
    linkType: 0,
    hex: [
      '0a000000600000000009114020010db800000000000000000000000120010db8',
      '00000000000000000000000214e900350009000071',
    ],
  },
  // Raw IP (link type 101), IPv4/TCP to port 80.
  // tcpdump: ip: 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'raw-ipv4-tcp-80',
    linkType: 101,
    hex: ['4500002812340000400600000a0000010a0000029c400050000003e800000000', '5002200000000000'],
  },
  // Raw IP (link type 101), IPv6/TCP to port 80.
  // tcpdump: ip: 2001:db8::1.40000 > 2001:db8::2.80: Flags [S], seq 1000, win 8192, length 0
  {
    name: 'raw-ipv6-tcp-80',
    linkType: 101,
    hex: [
      '600000000014064020010db800000000000000000000000120010db800000000',
      '00000000000000029c400050000003e8000000005002200000000000',
    ],
  },
];

/** The synthetic frame called `name`, as a Frame numbered `index`. */
export function syntheticFrame(name: string, index = 1): Frame {
  const s = SYNTHETIC.find((f) => f.name === name);
  if (!s) throw new Error(`no synthetic frame ${name}`);
  const data = fromHex(s.hex.join(''));
  return {
    index,
    tsSec: 1000 + index,
    tsNsec: 0,
    ts: 1000 + index,
    caplen: data.length,
    origlen: s.origlen ?? data.length,
    linkType: s.linkType,
    interfaceId: 0,
    data,
    fileOffset: 0,
  };
}
