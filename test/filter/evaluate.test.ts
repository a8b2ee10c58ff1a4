/**
 * Evaluator specification on decoded packets: each synthetic frame (see synthetic.ts for its
 * bytes and what tcpdump prints for it) against the expressions that tell libpcap's semantics
 * apart. Every expectation agrees with tcpdump 4.99 / libpcap 1.10 on the same frame.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex } from '../../src/core/bytes.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { compileFilter } from '../../src/filter/index.js';
import { frameOf } from './pcap-for-tests.js';
import { syntheticFrame } from './synthetic.js';

/** [frame, expression, selected?] */
export const CASES: readonly (readonly [string, string, boolean])[] = [
  ['tcp-syn-80', 'tcp port 80', true],
  ['tcp-syn-80', 'port 80', true],
  ['tcp-syn-80', 'udp port 80', false],
  ['tcp-syn-80', 'portrange 79-81', true],
  ['tcp-syn-80', 'tcp src portrange 40000-40000', true],
  ['tcp-syn-80', 'host 10.0.0.1', true],
  ['tcp-syn-80', 'src host 10.0.0.2', false],
  ['tcp-syn-80', 'dst host 10.0.0.2', true],
  ['tcp-syn-80', 'src and dst net 10.0.0.0/8', true],
  ['tcp-syn-80', 'ether src 00:11:22:33:44:55', true],
  ['tcp-syn-80', 'ether dst 00:11:22:33:44:55', false],
  ['tcp-syn-80', 'tcp[tcpflags] & tcp-syn != 0', true],
  ['tcp-syn-80', 'tcp[13] = 2', true],
  ['tcp-syn-80', 'ip[9] = 6', true],
  ['tcp-syn-80', 'vlan', false],
  ['tcp-syn-80', 'less 54', true],
  ['tcp-syn-80', 'less 53', false],
  ['tcp-syn-80', 'greater 54', true],
  ['tcp-syn-80', 'len = 54', true],
  ['tcp-syn-80', 'ether broadcast or multicast or ip6', false],
  // Division by zero at run time rejects the packet, under `not` too (TOS is 0 here).
  ['tcp-syn-80', 'ip[1] / ip[1] = 1', false],
  ['tcp-syn-80', 'not ip[1] / ip[1] = 1', false],
  ['ipv4-tos-nonzero', 'ip[1] / ip[1] = 1', true],
  // Shifts by 32 or more give 0.
  ['tcp-syn-80', '1 << (len - 14) = 0', true],
  // Plain `ip` and `port` see the outermost EtherType: 0x8100.
  ['vlan100-tcp-80', 'ip', false],
  ['vlan100-tcp-80', 'tcp port 80', false],
  ['vlan100-tcp-80', 'vlan', true],
  ['vlan100-tcp-80', 'vlan 100', true],
  ['vlan100-tcp-80', 'vlan 101', false],
  ['vlan100-tcp-80', 'vlan and ip', true],
  ['vlan100-tcp-80', 'vlan 100 and tcp port 80', true],
  ['vlan100-tcp-80', 'vlan and ip[9] = 6', true],
  ['vlan100-tcp-80', 'vlan and ether[12:2] = 0x8100', true],
  ['vlan100-tcp-80', 'not vlan and tcp', false],
  ['vlan100-tcp-80', 'tcp port 80 or vlan', true],
  ['qinq-200-300-udp-53', 'vlan 200 and vlan 300 and udp port 53', true],
  ['qinq-200-300-udp-53', 'vlan 300', false],
  ['qinq-200-300-udp-53', 'vlan and vlan 300 and ip', true],
  ['qinq-200-300-udp-53', 'vlan and udp', false],
  // IPv4 fragments: `port` and `tcp[...]` need offset 0; `tcp` (ip proto 6) does not.
  ['ipv4-frag-offset-tcp', 'port 80', false],
  ['ipv4-frag-offset-tcp', 'tcp[0:2] = 80', false],
  ['ipv4-frag-offset-tcp', 'tcp', true],
  ['ipv4-frag-offset-tcp', 'ip[6:2] & 0x1fff != 0', true],
  ['ipv4-first-frag-tcp-80', 'port 80', true],
  ['ipv4-first-frag-tcp-80', 'tcp[2:2] = 80', true],
  // IPv6: no walk of the extension-header chain, except one fragment header for `proto`.
  ['ipv6-hbh-tcp-80', 'ip6', true],
  ['ipv6-hbh-tcp-80', 'tcp', false],
  ['ipv6-hbh-tcp-80', 'port 80', false],
  ['ipv6-hbh-tcp-80', 'ip6 proto 0', true],
  ['ipv6-hbh-tcp-80', 'ip6[40] = 6', true],
  ['ipv6-frag-udp-53', 'udp', true],
  ['ipv6-frag-udp-53', 'ip6 proto 44', true],
  ['ipv6-frag-udp-53', 'port 53', false],
  // The datagram quoted by an ICMP error is never looked into.
  ['icmp-unreach-quoting-udp-53', 'icmp', true],
  ['icmp-unreach-quoting-udp-53', 'udp', false],
  ['icmp-unreach-quoting-udp-53', 'port 53', false],
  ['icmp-unreach-quoting-udp-53', 'icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 3', true],
  ['icmp-unreach-quoting-udp-53', 'icmp[8 + 9] = 17', true],
  ['icmp-unreach-quoting-udp-53', 'host 10.0.0.9', true],
  // Reading past the captured bytes rejects the packet, whatever surrounds the read.
  ['ipv4-cut-at-30', 'ip', true],
  ['ipv4-cut-at-30', 'host 10.0.0.1', true],
  ['ipv4-cut-at-30', 'host 10.0.0.2', false],
  ['ipv4-cut-at-30', 'not host 10.0.0.2', false],
  ['ipv4-cut-at-30', 'ip or host 10.0.0.2', true],
  ['ipv4-cut-at-30', 'host 10.0.0.2 or ip', false],
  ['ipv4-cut-at-30', 'tcp', true],
  ['ipv4-cut-at-30', 'not port 80', false],
  ['ipv4-cut-at-30', 'len = 54 and ip[2:2] = 40', true],
  ['tcp-cut-after-src-port', 'src port 80', true],
  ['tcp-cut-after-src-port', 'port 80', true],
  ['tcp-cut-after-src-port', 'port 40000', false],
  ['tcp-cut-after-src-port', 'not dst port 40000', false],
  ['runt-10-bytes', 'ip', false],
  ['runt-10-bytes', 'not ip', false],
  ['runt-10-bytes', 'len = 10 and ether[9] = 9', true],
  ['runt-10-bytes', 'not ether[10] = 10', false],
  ['runt-10-bytes', 'not ether multicast', true],
  // libpcap checks neither the version nibble nor the header length.
  ['ipv4-ihl-4', 'tcp port 80', true],
  ['ipv4-ihl-4', 'dst host 10.0.0.2', false],
  ['ipv4-ihl-4', 'ip[0] & 0xf = 4', true],
  ['ethertype-ip-version-6', 'ip', true],
  ['ethertype-ip-version-6', 'ip6', false],
  ['ethertype-ip-version-6', 'host 10.0.0.1 and tcp port 80', true],
  ['ipv4-options-tcp-80', 'tcp port 80 and ip[0] & 0xf != 5 and tcp[2:2] = 80', true],
  // 802.3 frames: the type field is a length, so SNAP-encapsulated IP is not `ip`.
  ['8023-snap-ipv4-udp-53', 'ip', false],
  ['8023-snap-ipv4-udp-53', 'port 53', false],
  ['8023-snap-ipv4-udp-53', 'ether proto 0x0800', false],
  ['8023-snap-ipv4-udp-53', 'ether proto 0xaa', true],
  ['8023-snap-ipv4-udp-53', 'ether[12:2] <= 1500', true],
  ['8023-llc-stp', 'stp', true],
  ['8023-llc-stp', 'ether proto \\stp', true],
  ['8023-llc-stp', 'iso', false],
  ['8023-llc-stp', 'ether multicast and not ether broadcast', true],
  ['arp-request', 'arp and broadcast', true],
  ['arp-request', 'arp host 10.0.0.2', true],
  ['arp-request', 'arp src host 10.0.0.1', true],
  ['arp-request', 'arp dst host 10.0.0.1', false],
  ['arp-request', 'host 10.0.0.1', true],
  ['arp-request', 'arp[7] = 1', true],
  ['arp-request', 'ether dst ff:ff:ff:ff:ff:ff', true],
  ['ipv6-ns-multicast', 'icmp6 and ip6 multicast and ether multicast', true],
  ['ipv6-ns-multicast', 'icmp6[icmp6type] = icmp6-neighborsolicit', true],
  ['ipv6-ns-multicast', 'ip6 net fe80::/10', true],
  ['ipv6-ns-multicast', 'ip6 dst net ff02::/16', true],
  ['ipv6-ns-multicast', 'host fe80::1', true],
  ['ipv6-ns-multicast', 'src host fe80::2', false],
  ['ipv4-multicast-udp', 'ip multicast and udp port 5353', true],
  ['ipv4-multicast-udp', 'ip broadcast', false],
  ['ipv4-broadcast-udp', 'ip broadcast and ether broadcast', true],
  ['ipv4-broadcast-udp', 'udp port bootps and port bootpc', true],
  ['ipv4-sctp', 'sctp port 3868', true],
  ['ipv4-sctp', 'port 3868', true],
  ['ipv4-sctp', 'tcp port 3868', false],
  ['vlan123-ipv6-tcp-80', 'vlan 123 and ip6 and tcp port 80', true],
  ['vlan123-ipv6-tcp-80', 'ip6', false],
  // Linux cooked captures, BSD loopback, raw IP.
  ['sll-llc-stp', 'stp', true],
  ['sll-llc-stp', 'ip', false],
  ['sll-tcp-80', 'ip and tcp port 80 and host 10.0.0.2', true],
  ['sll-tcp-80', 'ether[0:2] = 4', true],
  ['sll-ipv6-udp-53', 'ip6 and udp port 53', true],
  ['sll2-udp-53', 'ip and udp port 53', true],
  ['sll2-arp', 'arp host 10.0.0.2', true],
  ['null-ipv4-tcp-80', 'ip and tcp port 80', true],
  ['null-ipv4-tcp-80', 'arp or ip6', false],
  ['null-ipv6-udp-53', 'ip6 and udp port 53', true],
  ['null-family-linux-10', 'ip6 or ip or udp', false],
  ['raw-ipv4-tcp-80', 'ip and tcp port 80', true],
  ['raw-ipv4-tcp-80', 'ip6', false],
  ['raw-ipv6-tcp-80', 'ip6 and tcp port 80', true],
  // `tcp[...]` is IPv4-only in libpcap.
  ['raw-ipv6-tcp-80', 'tcp[0:2] = 40000', false],
];

describe('libpcap semantics on decoded packets', () => {
  for (const [name, expr, want] of CASES)
    test(`${name}: ${expr} → ${want}`, () => {
      const p = decodeFrame(syntheticFrame(name));
      assert.equal(compileFilter(expr).matches(p), want);
    });
});

test('a hand-built frame', () => {
  // 172.16.16.128.2826 > 212.58.226.142.80: Flags [S], seq 3691127924, win 8192, options [mss 1460,nop,wscale 2,nop,nop,sackOK]
  const data = fromHex(
    '00055d21994c00216a5b7d4a08004500 0034317f4000800655ebac101080d43a e28e0b0a0050dc0224740000000080022000cfeb0000020405b40103030201010402',
  );
  const p = decodeFrame(frameOf(data));
  const yes = ['tcp dst port http', 'src net 172.16', 'tcp[tcpflags] = tcp-syn', 'ip[8] = 128', 'greater 66'];
  const no = ['udp', 'dst host 172.16.16.128', 'tcp[tcpflags] & tcp-ack != 0', 'greater 67'];
  for (const e of yes) assert.equal(compileFilter(e).matches(p), true, e);
  for (const e of no) assert.equal(compileFilter(e).matches(p), false, e);
});

test('one compiled filter gives independent answers packet after packet', () => {
  const f = compileFilter('not host 10.0.0.2');
  const cut = decodeFrame(syntheticFrame('ipv4-cut-at-30'));
  const arp = decodeFrame(syntheticFrame('sll2-udp-53'));
  const tcp = decodeFrame(syntheticFrame('ipv6-hbh-tcp-80'));
  assert.deepEqual(
    [cut, tcp, cut, tcp, arp].map((p) => f.matches(p)),
    [false, true, false, true, false],
  );
});

describe('link types', () => {
  test('libpcap refuses Ethernet-only primitives on other link types', () => {
    assert.equal(compileFilter('vlan and tcp').linkTypeError(1), undefined);
    assert.match(
      compileFilter('tcp or vlan').linkTypeError(113) ?? '',
      /'vlan' needs Ethernet framing.*linux-sll/,
    );
    assert.match(
      compileFilter('ether host 00:11:22:33:44:55').linkTypeError(276) ?? '',
      /Ethernet addresses/,
    );
    assert.match(compileFilter('broadcast').linkTypeError(0) ?? '', /broadcast/);
    assert.match(compileFilter('not multicast').linkTypeError(101) ?? '', /multicast/);
    assert.equal(compileFilter('ip broadcast or ip6 multicast').linkTypeError(113), undefined);
    assert.equal(compileFilter('tcp port 80 and ether[0] = 0').linkTypeError(276), undefined);
  });

  test('link types wirelens filters do not know', () => {
    assert.match(compileFilter('tcp').linkTypeError(105) ?? '', /do not support link type 105/);
    assert.equal(compileFilter('len > 100 and link[0] = 8').linkTypeError(105), undefined);
    assert.equal(compileFilter('').linkTypeError(105), undefined);
  });

  test('DLT_IPV4 and DLT_IPV6 carry one IP version each', () => {
    const v4 = decodeFrame({ ...syntheticFrame('raw-ipv4-tcp-80'), linkType: 228 });
    const v6 = decodeFrame({ ...syntheticFrame('raw-ipv6-tcp-80'), linkType: 229 });
    assert.deepEqual(
      ['ip', 'ip6', 'tcp port 80'].map((e) => [compileFilter(e).matches(v4), compileFilter(e).matches(v6)]),
      [
        [true, false],
        [false, true],
        [true, true],
      ],
    );
  });
});
