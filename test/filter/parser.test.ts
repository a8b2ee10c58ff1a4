/**
 * Parser specification: precedence, libpcap's qualifier inheritance, every primitive (through its
 * normalised description), arithmetic precedence, tokenizer corner cases and error messages.
 * Every expectation here was checked against tcpdump 4.99 / libpcap 1.10 (`tcpdump -d`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExitCode, UserError } from '../../src/core/errors.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import type { Expr } from '../../src/filter/index.js';
import {
  compileFilter,
  describeFilter,
  FilterSyntaxError,
  isValidFilter,
  validateFilter,
} from '../../src/filter/index.js';
import { tokenize } from '../../src/filter/lexer.js';
import { syntheticFrame } from './synthetic.js';

const d = (e: string): string => describeFilter(compileFilter(e));

function syntaxError(expr: string): FilterSyntaxError {
  const e = validateFilter(expr);
  assert.ok(e, `expected '${expr}' to be rejected`);
  return e;
}

describe('boolean structure', () => {
  test('and and or have equal precedence and associate left to right', () => {
    assert.equal(d('tcp or udp and icmp'), '(tcp or udp) and icmp');
    assert.equal(d('tcp and udp or icmp'), '(tcp and udp) or icmp');
    assert.equal(d('tcp || udp && icmp'), '(tcp or udp) and icmp');
    assert.equal(d('tcp or (udp and icmp)'), 'tcp or (udp and icmp)');
    assert.equal(d('tcp and udp and icmp'), 'tcp and udp and icmp');
  });

  test('not binds tightest', () => {
    assert.equal(d('not tcp and udp'), 'not tcp and udp');
    assert.equal(d('!tcp || udp'), 'not tcp or udp');
    assert.equal(d('not (tcp and udp)'), 'not (tcp and udp)');
    assert.equal(d('not not tcp'), 'not not tcp');
  });

  test('the AST of a mixed chain', () => {
    const ast = compileFilter('tcp or udp and not icmp').ast;
    assert.ok(ast.kind === 'and');
    assert.equal(ast.left.kind, 'or');
    assert.equal(ast.right.kind, 'not');
  });

  test('the empty expression matches everything', () => {
    const f = compileFilter('');
    assert.deepEqual(f.ast, { kind: 'true' });
    assert.equal(describeFilter(f), '');
    assert.equal(f.matches(decodeFrame(syntheticFrame('runt-10-bytes'))), true);
    assert.equal(compileFilter('   ').matches(decodeFrame(syntheticFrame('arp-request'))), true);
  });
});

describe('qualifier inheritance (libpcap "implicit qualifier" rule)', () => {
  const cases: [string, string][] = [
    ['host 10.0.0.1 or 10.0.0.2', 'host 10.0.0.1 or host 10.0.0.2'],
    ['tcp port 80 or 443', 'tcp port 80 or tcp port 443'],
    // The pcap-filter(7) example.
    ['tcp dst port ftp or ftp-data or domain', 'tcp dst port 21 or tcp dst port 20 or tcp dst port 53'],
    // "not host vs and ace" is "not host vs and host ace", not "not (host vs or ace)".
    ['not host 10.0.0.1 and 10.0.0.2', 'not host 10.0.0.1 and host 10.0.0.2'],
    ['ip host 10.0.0.1 and not 10.0.0.2', 'ip host 10.0.0.1 and not ip host 10.0.0.2'],
    ['host 10.0.0.1 and (10.0.0.2 or 10.0.0.3)', 'host 10.0.0.1 and (host 10.0.0.2 or host 10.0.0.3)'],
    [
      'host 10.0.0.1 and not (10.0.0.2 or 10.0.0.3)',
      'host 10.0.0.1 and not (host 10.0.0.2 or host 10.0.0.3)',
    ],
    ['host (10.0.0.1 or 10.0.0.2)', 'host 10.0.0.1 or host 10.0.0.2'],
    ['host not 10.0.0.1', 'not host 10.0.0.1'],
    ['port (80 or 443)', 'port 80 or port 443'],
    ['src net 10 or 172.16', 'src net 10.0.0.0/8 or src net 172.16.0.0/16'],
    ['ip proto 6 or 17', 'ip proto 6 or ip proto 17'],
    [
      'ether src 00:11:22:33:44:55 or 66:77:88:99:aa:bb',
      'ether src 00:11:22:33:44:55 or ether src 66:77:88:99:aa:bb',
    ],
    ['host 10.0.0.1 or (80)', 'host 10.0.0.1 or host 0.0.0.80'],
    ['host 10.0.0.1 or ((80))', 'host 10.0.0.1 or host 0.0.0.80'],
    // A new head replaces all qualifiers: `src 10.0.0.1` is `src host`, not `src port`.
    ['port 80 or src 10.0.0.1', 'port 80 or src host 10.0.0.1'],
    // A parenthesised term passes on the qualifiers in force before it.
    ['port 80 and (host 10.0.0.1) or 81', '(port 80 and host 10.0.0.1) or port 81'],
    // A relation between a term and a value is arithmetic, not an inherited value.
    ['host 10.0.0.1 and 80 = 80', 'host 10.0.0.1 and 80 = 80'],
    ['host 10.0.0.1 and (80) = 80', 'host 10.0.0.1 and 80 = 80'],
  ];
  for (const [input, want] of cases) test(input, () => assert.equal(d(input), want));

  test('primitives without qualifiers pass none on', () => {
    for (const e of [
      'tcp or 80',
      'tcp and 10.0.0.1',
      'len > 5 or 6',
      'vlan 100 or 200',
      '(host 10.0.0.1) or 10.0.0.2',
    ]) {
      assert.match(syntaxError(e).reason, /has no qualifier to repeat/, e);
    }
  });

  test('a bare value cannot start an expression', () => {
    for (const e of ['10.0.0.1', '80', '(10.0.0.1)']) assert.ok(!isValidFilter(e), e);
  });

  test('the first value in parentheses cannot itself be parenthesised (unless a number)', () => {
    assert.ok(!isValidFilter('host 10.0.0.1 or ((10.0.0.2))'));
    assert.ok(!isValidFilter('host ((10.0.0.1))'));
    assert.ok(isValidFilter('host 10.0.0.1 or (10.0.0.2 or (10.0.0.3))'));
    assert.ok(isValidFilter('host 10.0.0.1 or (not (10.0.0.2))'));
  });
});

describe('every primitive', () => {
  const cases: [string, string][] = [
    ['host 10.0.0.1', 'host 10.0.0.1'],
    ['src host 10.0.0.1', 'src host 10.0.0.1'],
    ['dst 10.0.0.1', 'dst host 10.0.0.1'],
    ['src or dst 10.0.0.1', 'host 10.0.0.1'],
    ['src and dst host 10.0.0.1', 'src and dst host 10.0.0.1'],
    ['dst and src host 10.0.0.1', 'src and dst host 10.0.0.1'],
    ['ip host 10.0.0.1', 'ip host 10.0.0.1'],
    ['arp host 10.0.0.1', 'arp host 10.0.0.1'],
    ['rarp src 10.0.0.1', 'rarp src host 10.0.0.1'],
    ['host 010.2.3.04', 'host 10.2.3.4'],
    // Partial addresses are networks, for `host` too.
    ['host 10.1', 'net 10.1.0.0/16'],
    ['host 10', 'host 0.0.0.10'],
    ['net 10', 'net 10.0.0.0/8'],
    ['net 256', 'net 1.0.0.0/16'],
    ['net 10.1', 'net 10.1.0.0/16'],
    ['net 192.168.1', 'net 192.168.1.0/24'],
    ['net 10.0.0.0/8', 'net 10.0.0.0/8'],
    ['net 10.1/16', 'net 10.1.0.0/16'],
    ['net 0.0.0.0/0', 'net 0.0.0.0/0'],
    ['net 10.0.0.0 mask 255.0.0.0', 'net 10.0.0.0/8'],
    ['net 10.0.0.0 mask 255.0.255.0', 'net 10.0.0.0 mask 255.0.255.0'],
    ['dst net 10.0 mask 255.0.0.0', 'dst net 10.0.0.0/8'],
    ['host fe80::1', 'host fe80::1'],
    ['ip6 host FE80:0::1', 'host fe80::1'],
    ['host ::', 'host ::'],
    ['host ::ffff:1.2.3.4', 'host ::ffff:1.2.3.4'],
    ['ip6 net fd00::/8', 'net fd00::/8'],
    ['ip6 src net fe80::/10', 'src net fe80::/10'],
    ['host fe80::1/128', 'host fe80::1'],
    ['host \\10.0.0.1', 'host 10.0.0.1'],
    ['ether host 00:11:22:33:44:55', 'ether host 00:11:22:33:44:55'],
    ['ether host 00-11-22-33-44-55', 'ether host 00:11:22:33:44:55'],
    ['ether src 0011.2233.4455', 'ether src 00:11:22:33:44:55'],
    ['ether dst 001122334455', 'ether dst 00:11:22:33:44:55'],
    ['ether dst 1:2:3:4:5:6', 'ether dst 01:02:03:04:05:06'],
    ['ether src and dst 1.2.3.4.5.6', 'ether src and dst 01:02:03:04:05:06'],
    ['fddi host aa:bb:cc:dd:ee:ff', 'ether host aa:bb:cc:dd:ee:ff'],
    ['port 80', 'port 80'],
    ['port 010', 'port 8'],
    ['port 0x50', 'port 80'],
    ['port (80)', 'port 80'],
    ['port http', 'tcp port 80'],
    ['port www', 'tcp port 80'],
    ['port domain', 'port 53'],
    ['port syslog', 'port 514'],
    ['port ntp', 'udp port 123'],
    ['tcp port domain', 'tcp port 53'],
    ['udp dst port 53', 'udp dst port 53'],
    ['tcp src or dst port 80', 'tcp port 80'],
    ['sctp port 3868', 'sctp port 3868'],
    ['portrange 6000-6010', 'portrange 6000-6010'],
    ['portrange 21-20', 'portrange 20-21'],
    ['portrange 010-020', 'portrange 10-20'],
    ['portrange 80', 'portrange 80-80'],
    ['portrange http-https', 'portrange 80-443'],
    ['portrange 1-http', 'portrange 1-80'],
    ['tcp dst portrange 1-1023', 'tcp dst portrange 1-1023'],
    ['ip', 'ip'],
    ['ip6', 'ip6'],
    ['arp', 'arp'],
    ['rarp', 'rarp'],
    ['tcp', 'tcp'],
    ['udp', 'udp'],
    ['icmp', 'icmp'],
    ['icmp6', 'icmp6'],
    ['sctp', 'sctp'],
    ['igmp', 'igmp'],
    ['pim', 'pim'],
    ['vrrp', 'vrrp'],
    ['ah', 'ah'],
    ['esp', 'esp'],
    ['stp', 'stp'],
    ['iso', 'iso'],
    ['netbeui', 'netbeui'],
    ['decnet', 'decnet'],
    ['ether proto 0x800', 'ether proto 0x0800'],
    ['ether proto \\arp', 'ether proto 0x0806'],
    ['ether proto \\ip6', 'ether proto 0x86dd'],
    ['ether proto \\stp', 'ether proto 66'],
    ['link proto 6', 'ether proto 6'],
    ['ip proto 17', 'ip proto 17'],
    ['ip proto \\udp', 'ip proto 17'],
    ['ip proto \\IPv6-ICMP', 'ip proto 58'],
    ['ip6 proto \\ipv6-icmp', 'ip6 proto 58'],
    ['proto \\tcp', 'proto 6'],
    ['ip6 proto 6 or 17', 'ip6 proto 6 or ip6 proto 17'],
    ['broadcast', 'ether broadcast'],
    ['ether broadcast', 'ether broadcast'],
    ['multicast', 'ether multicast'],
    ['ether multicast', 'ether multicast'],
    ['ip broadcast', 'ip broadcast'],
    ['ip multicast', 'ip multicast'],
    ['ip6 multicast', 'ip6 multicast'],
    ['vlan', 'vlan'],
    ['vlan 100', 'vlan 100'],
    ['vlan (0x10)', 'vlan 16'],
    ['less 100', 'less 100'],
    ['greater 1000', 'greater 1000'],
    ['len >= 100', 'len >= 100'],
    ['tcp[13] & 2 != 0', 'tcp[13] & 2 != 0'],
    ['tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', 'tcp[13] & (2 | 1) != 0'],
    ['tcp[tcpflags] & (tcp-rst|tcp-ack) == (tcp-rst|tcp-ack)', 'tcp[13] & (4 | 16) = 4 | 16'],
    ['ip[6:2] & 0x1fff = 0', 'ip[6:2] & 8191 = 0'],
    ['icmp[icmptype] = icmp-echo', 'icmp[0] = 8'],
    ['icmp6[icmp6type] = icmp6-neighborsolicit', 'icmp6[0] = 135'],
    ['ether[0] & 1 != 0', 'ether[0] & 1 != 0'],
    ['link[12:2] = 0x8100', 'ether[12:2] = 33024'],
    ['arp[6:2] = 2', 'arp[6:2] = 2'],
    ['rarp[6:2] = 4', 'rarp[6:2] = 4'],
    ['ip6[6] == 44', 'ip6[6] = 44'],
    ['udp[4:2] > 100', 'udp[4:2] > 100'],
    ['sctp[0:2] < 1024', 'sctp[0:2] < 1024'],
    ['ip[len - 1] <= 255', 'ip[len - 1] <= 255'],
    ['-ip[0] = 4', '-ip[0] = 4'],
    ['ip[0:4] >= 0xffffffff', 'ip[0:4] >= 4294967295'],
  ];
  for (const [input, want] of cases) test(input, () => assert.equal(d(input), want));

  test('each vlan keyword shifts everything written after it by one tag', () => {
    const ast = compileFilter('vlan 100 and ip and vlan and tcp port 80').ast;
    const depths: [string, number][] = [];
    const walk = (e: Expr): void => {
      if (e.kind === 'and' || e.kind === 'or') {
        walk(e.left);
        walk(e.right);
      } else if (e.kind === 'not') walk(e.expr);
      else if ('depth' in e) depths.push([e.kind, e.depth]);
    };
    walk(ast);
    assert.deepEqual(depths, [
      ['vlan', 0],
      ['link-proto', 1],
      ['vlan', 1],
      ['port', 2],
    ]);
    // Even across `or`, as in libpcap: the `ip` here looks inside the tag.
    const or = compileFilter('vlan or ip').ast;
    assert.ok(or.kind === 'or');
    assert.deepEqual(or.right, { kind: 'link-proto', value: 0x800, abbrev: 'ip', depth: 1, pos: 8, end: 10 });
  });
});

describe('arithmetic', () => {
  // [expression, grouping] — each relation is true, as tcpdump's optimizer confirms.
  const cases: [string, string][] = [
    ['1 + 2 * 3 = 7', '1 + (2 * 3) = 7'],
    ['6 - 2 - 1 = 3', '(6 - 2) - 1 = 3'],
    ['16 / 4 / 2 = 2', '(16 / 4) / 2 = 2'],
    ['2 | 1 & 0 = 2', '2 | (1 & 0) = 2'],
    ['1 & 3 << 1 = 0', '1 & (3 << 1) = 0'],
    ['1 + 1 << 1 = 4', '(1 + 1) << 1 = 4'],
    ['4 >> 1 + 1 = 1', '4 >> (1 + 1) = 1'],
    ['16 >> 1 >> 1 = 4', '(16 >> 1) >> 1 = 4'],
    // `%` and `^` have no precedence in libpcap's grammar: tight on the left, loose on the right.
    ['2 * 3 % 4 = 6', '2 * (3 % 4) = 6'],
    ['8 % 3 * 2 = 2', '8 % (3 * 2) = 2'],
    ['1 + 8 % 3 = 3', '1 + (8 % 3) = 3'],
    ['1 ^ 1 | 1 = 0', '1 ^ (1 | 1) = 0'],
    ['1 | 1 ^ 1 = 1', '1 | (1 ^ 1) = 1'],
    ['1 ^ 1 & 0 = 1', '1 ^ (1 & 0) = 1'],
    ['2 * 3 ^ 1 + 1 = 2', '2 * (3 ^ (1 + 1)) = 2'],
    ['1 << 2 ^ 1 = 8', '1 << (2 ^ 1) = 8'],
    ['-2 ^ 1 = 4294967293', '-(2 ^ 1) = 4294967293'],
    ['- 2 % 3 = 4294967294', '-(2 % 3) = 4294967294'],
    ['-2 * 3 = -6', '-2 * 3 = -6'],
    ['-1 = 0xffffffff', '-1 = 4294967295'],
    ['0xffffffff + 1 = 0', '4294967295 + 1 = 0'],
    ['3 - 5 > 0', '3 - 5 > 0'],
    ['1 << 31 = 0x80000000', '1 << 31 = 2147483648'],
    ['1 << (31 + 1) = 0', '1 << (31 + 1) = 0'],
    ['(1 + 2) = 3', '1 + 2 = 3'],
    ['(len > 5) or 1 = 1', 'len > 5 or 1 = 1'],
  ];
  const pkt = decodeFrame(syntheticFrame('tcp-syn-80'));
  for (const [input, want] of cases)
    test(input, () => {
      const f = compileFilter(input);
      assert.equal(describeFilter(f), want);
      assert.equal(f.matches(pkt), true);
    });

  test('comparisons are unsigned', () => {
    assert.equal(compileFilter('0x80000000 > 0').matches(pkt), true);
    assert.equal(compileFilter('0xffffffff > 0').matches(pkt), true);
    assert.equal(compileFilter('1 = 2').matches(pkt), false);
  });
});

describe('tokenizer', () => {
  const kinds = (s: string) => tokenize(s).map((t) => `${t.kind}:${t.text}`);

  test('longest match: len-20 is one name, len - 20 is arithmetic', () => {
    assert.deepEqual(kinds('len-20'), ['id:len-20', 'eof:']);
    assert.deepEqual(kinds('len - 20'), ['kw:len', 'op:-', 'num:20', 'eof:']);
  });

  test('named constants are numbers; && || ! are and or not', () => {
    assert.deepEqual(kinds('tcp-syn|tcp-fin'), ['num:tcp-syn', 'op:|', 'num:tcp-fin', 'eof:']);
    assert.deepEqual(kinds('a&&b||!c'), ['id:a', 'kw:and', 'id:b', 'kw:or', 'kw:not', 'id:c', 'eof:']);
    assert.deepEqual(kinds('1!=2'), ['num:1', 'op:!=', 'num:2', 'eof:']);
  });

  test('addresses', () => {
    assert.deepEqual(kinds('10.0.0.0/8'), ['hid:10.0.0.0', 'op:/', 'num:8', 'eof:']);
    assert.deepEqual(kinds('fe80::1/64'), ['hid6:fe80::1', 'op:/', 'num:64', 'eof:']);
    assert.deepEqual(kinds('::'), ['hid6:::', 'eof:']);
    assert.deepEqual(kinds('aabbccddeeff 0011.2233.4455'), [
      'eid:aabbccddeeff',
      'eid:0011.2233.4455',
      'eof:',
    ]);
    assert.deepEqual(kinds('ip[2:2]'), ['kw:ip', 'op:[', 'num:2', 'op::', 'num:2', 'op:]', 'eof:']);
    assert.deepEqual(kinds('1.2.3.4.5'), ['id:1.2.3.4.5', 'eof:']);
  });

  test('numbers: hex, octal, 32-bit limit', () => {
    assert.equal(tokenize('0x1fff')[0]?.value, 0x1fff);
    assert.equal(tokenize('010')[0]?.value, 8);
    assert.equal(tokenize('4294967295')[0]?.value, 4294967295);
    assert.equal(tokenize('4294967296')[0]?.kind, 'bad');
    assert.equal(tokenize('09')[0]?.kind, 'bad');
  });

  test('backslash escapes a keyword into a name', () => {
    assert.deepEqual(kinds('proto \\tcp'), ['kw:proto', 'id:tcp', 'eof:']);
  });
});

describe('errors point at the offending token', () => {
  // [expression, caret position, caret length, reason pattern]
  const cases: [string, number, number, RegExp][] = [
    ['tcp port htp', 9, 3, /^expected a port number after 'port', got 'htp'/],
    ['host', 4, 1, /^expected a host address after 'host', got end of expression$/],
    ['tcp and', 7, 1, /after 'and', got end of expression/],
    ['port 70000', 5, 5, /port number 70000 is greater than 65535/],
    ['ip[0:3] = 1', 5, 1, /data size must be 1, 2 or 4/],
    ['ip[0] / 0 = 1', 8, 1, /division by zero/],
    ['ip[0] % (2 - 2) = 1', 8, 7, /modulus by zero/],
    ['1 << 32 = 0', 5, 2, /shifts are limited to 31 bits/],
    ['host 1.2.3.256', 5, 9, /invalid IPv4 address '1.2.3.256'/],
    ['net 10.1.2.3/8', 4, 8, /non-network bits set in '10.1.2.3\/8'/],
    ['host 10.0.0.0/8', 5, 8, /only allowed for networks: write 'net 10.0.0.0\/8'/],
    ['tcp or 80', 7, 2, /'80' has no qualifier to repeat/],
    ['host example.com', 5, 11, /host names are not supported: wirelens does no DNS/],
    ['udp port http', 9, 4, /port 'http' is tcp only/],
    ['ip port 80', 0, 2, /'ip' cannot qualify 'port'/],
    ['tcp host 10.0.0.1', 0, 3, /'tcp' cannot qualify a host/],
    ['ip host ::1', 8, 3, /'ip' cannot be used with an IPv6 address/],
    ['ether host 10.0.0.1', 11, 8, /expected a MAC address after 'host'/],
    ['host 00:11:22:33:44:55', 5, 17, /MAC address can only be used with 'ether host'/],
    ['vlan 5000', 5, 4, /VLAN ID 5000 is greater than the maximum, 4095/],
    ['(tcp', 4, 1, /^expected '\)' or 'and'\/'or', got end of expression$/],
    ['tcp)', 3, 1, /unbalanced '\)'/],
    ['tcp port 80 443', 12, 3, /^expected 'and', 'or' or end of expression, got '443'$/],
    ['port 080', 5, 3, /invalid number 080: a leading 0 makes it octal/],
    ['host 10.0.0.1 # comment', 14, 1, /unexpected character '#'/],
    ['len-20 > 0', 0, 6, /put spaces around '-'/],
    ['TCP port 80', 0, 3, /keywords are lowercase: 'tcp'/],
    ['host 10.0.0.1 AND host 10.0.0.2', 14, 3, /keywords are lowercase: 'and'/],
    ['src or port 80', 7, 4, /expected 'dst'/],
    ['ip6 broadcast', 0, 3, /only link-layer and IPv4 broadcast/],
    ['ether', 0, 5, /'ether' alone is not a primitive/],
    ['arp proto 6', 0, 3, /ARP does not encapsulate another protocol/],
    ['ip proto \\bogus', 9, 6, /unknown ip proto 'bogus'/],
    ['ether proto \\bogus', 12, 6, /unknown ether proto 'bogus'/],
    ['less (10)', 5, 1, /expected a packet length \(a number\) after 'less'/],
    ['gateway router', 0, 7, /not implemented by wirelens filters/],
    ['mpls 100', 0, 4, /MPLS filters are not supported/],
    ['tcp[13] & 2', 11, 1, /expected a comparison operator/],
    ['1 = 1 = 1', 6, 1, /expected 'and', 'or' or end of expression, got '='/],
  ];
  for (const [expr, pos, len, reason] of cases)
    test(expr, () => {
      const e = syntaxError(expr);
      assert.match(e.reason, reason);
      assert.deepEqual([e.position, e.length], [pos, len], `caret for '${expr}': ${e.message}`);
    });

  test('the message is the expression, a caret line, then what was expected', () => {
    const e = syntaxError('tcp port htp');
    assert.equal(
      e.message,
      [
        'tcp port htp',
        '         ^^^',
        "expected a port number after 'port', got 'htp' (not a known service name such as http, https, domain, ssh)",
      ].join('\n'),
    );
  });

  test('a FilterSyntaxError is a usage error', () => {
    assert.throws(
      () => compileFilter('port'),
      (e: unknown) =>
        e instanceof FilterSyntaxError && e instanceof UserError && e.exitCode === ExitCode.usage,
    );
  });

  test('control characters in the expression do not shift the caret', () => {
    const e = syntaxError('tcp\tport\thtp');
    assert.equal(e.message.split('\n')[0], 'tcp port htp');
    assert.equal(e.message.split('\n')[1], '         ^^^');
  });
});

describe('validity for libpcap', () => {
  test('isValidFilter is true exactly when the expression compiles', () => {
    assert.equal(isValidFilter('tcp port 80 and not host 10.0.0.1'), true);
    assert.equal(isValidFilter('tcp port'), false);
    assert.equal(isValidFilter('host router.example'), false);
  });

  test('ip broadcast needs a known netmask, like libpcap', () => {
    assert.equal(isValidFilter('ip broadcast', { netmask: 0xffffffff }), false);
    const f = compileFilter('ip broadcast', { netmask: 0xffffff00 });
    const p = decodeFrame(syntheticFrame('ipv4-broadcast-udp'));
    assert.equal(f.matches(p), true);
  });
});
