/** Spot checks of well-known addresses, multicast scope, and embedded IPv4 unwrapping. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AddressClass,
  classifyIp,
  classifyIp4,
  classifyIp6,
  enclosingBlocks,
  ipv6ScopeName,
  rfc6052Extract,
} from '../../src/annotate/classify.js';
import { ip4ToString, parseIp4, parseIp6 } from '../../src/core/addr.js';

function v4(s: string): number {
  const a = parseIp4(s);
  assert.ok(a !== undefined, s);
  return a;
}

function v6(s: string): Uint8Array {
  const a = parseIp6(s);
  assert.ok(a !== undefined, s);
  return a;
}

function cls(s: string): AddressClass {
  return s.includes(':') ? classifyIp6(v6(s)) : classifyIp4(v4(s));
}

describe('well-known addresses', () => {
  const cases: [string, string, string][] = [
    // address, tag, matching prefix
    ['8.8.8.8', 'public', '0.0.0.0/0'],
    ['10.1.2.3', 'private', '10.0.0.0/8'],
    ['172.31.255.255', 'private', '172.16.0.0/12'],
    ['172.32.0.0', 'public', '0.0.0.0/0'],
    ['192.168.0.1', 'private', '192.168.0.0/16'],
    ['100.64.0.1', 'CGNAT', '100.64.0.0/10'],
    ['100.128.0.1', 'public', '0.0.0.0/0'],
    ['169.254.1.1', 'link-local', '169.254.0.0/16'],
    ['192.0.2.1', 'doc', '192.0.2.0/24'],
    ['198.51.100.7', 'doc', '198.51.100.0/24'],
    ['203.0.113.200', 'doc', '203.0.113.0/24'],
    ['198.19.255.255', 'benchmark', '198.18.0.0/15'],
    ['127.0.0.1', 'loopback', '127.0.0.0/8'],
    ['0.0.0.0', 'unspecified', '0.0.0.0/32'],
    ['0.1.2.3', 'this-network', '0.0.0.0/8'],
    ['255.255.255.255', 'broadcast', '255.255.255.255/32'],
    ['255.255.255.254', 'reserved', '240.0.0.0/4'],
    ['240.0.0.1', 'reserved', '240.0.0.0/4'],
    ['224.0.0.251', 'multicast', '224.0.0.251/32'],
    ['239.1.2.3', 'multicast', '239.0.0.0/8'],
    ['233.252.0.9', 'doc', '233.252.0.0/24'],
    ['192.0.0.9', 'anycast', '192.0.0.9/32'],
    ['192.0.0.170', 'nat64', '192.0.0.170/32'],
    ['192.0.0.171', 'nat64', '192.0.0.171/32'],
    ['192.0.0.172', 'reserved', '192.0.0.0/24'],
    ['192.88.99.1', '6to4', '192.88.99.0/24'],
    ['8.8.4.4', 'public', '0.0.0.0/0'],
    ['fe80::1', 'link-local', 'fe80::/10'],
    ['fd12::1', 'private', 'fc00::/7'],
    ['2001:db8::1', 'doc', '2001:db8::/32'],
    ['3fff:abc::1', 'doc', '3fff::/20'],
    ['2001:2::1', 'benchmark', '2001:2::/48'],
    ['::1', 'loopback', '::1/128'],
    ['::', 'unspecified', '::/128'],
    ['2606:4700::1111', 'public', '2000::/3'],
    ['2001:4860:4860::8888', 'public', '2000::/3'],
    ['2001:20::1', 'orchid', '2001:20::/28'],
    ['2001:10::1', 'orchid', '2001:10::/28'],
    ['5f00::1', 'srv6', '5f00::/16'],
    ['100::1', 'discard', '100::/64'],
    ['100:0:0:1::1', 'dummy', '100:0:0:1::/64'],
    ['fec0::1', 'reserved', 'fec0::/10'],
    ['4000::1', 'reserved', '::/0'],
    ['ff02::1', 'multicast', 'ff02::1/128'],
  ];
  for (const [addr, tag, prefix] of cases) {
    test(`${addr} is ${tag} (${prefix})`, () => {
      const c = cls(addr);
      assert.equal(c.tag, tag);
      assert.equal(c.prefix, prefix);
      assert.ok(Object.isFrozen(c));
    });
  }

  test('RFC 1918 and ULA read as private, with the registry names', () => {
    assert.equal(cls('10.0.0.1').name, 'Private-Use');
    assert.equal(cls('fd12::1').name, 'Unique-Local');
    assert.deepEqual(cls('10.0.0.1').rfcs, ['RFC 1918']);
  });

  test('attributes keep N/A and empty cells', () => {
    assert.equal(cls('2001::1').attrs.globallyReachable, 'n/a');
    assert.equal(cls('2002:808:808::1').attrs.globallyReachable, 'n/a');
    assert.equal(cls('192.88.99.1').attrs.source, 'blank');
    assert.equal(cls('192.88.99.2').attrs.source, true);
  });

  test('classifyIp dispatches on the type, classifyIp6 reads at an offset', () => {
    assert.equal(classifyIp(v4('10.0.0.1')).tag, 'private');
    assert.equal(classifyIp(v6('fe80::1')).tag, 'link-local');
    const frame = new Uint8Array(40);
    frame.set(v6('2001:db8::1'), 8);
    frame.set(v6('fd00::5'), 24);
    assert.equal(classifyIp6(frame, 8).tag, 'doc');
    assert.equal(classifyIp6(frame, 24).tag, 'private');
  });

  test('fixed answers are shared, not rebuilt', () => {
    assert.equal(cls('10.1.1.1'), cls('10.200.0.1'));
    assert.equal(cls('ff02::1'), cls('ff02::1'));
  });

  test('enclosingBlocks lists the nesting, most specific first', () => {
    assert.deepEqual(
      enclosingBlocks(v4('224.0.0.251')).map((b) => b.prefix),
      ['224.0.0.251/32', '224.0.0.0/24', '224.0.0.0/4', '0.0.0.0/0'],
    );
    assert.deepEqual(
      enclosingBlocks(v6('2001:0:4136:e378:8000:63bf:3fff:fdd2')).map((b) => b.prefix),
      ['2001::/32', '2001::/23', '2000::/3', '::/0'],
    );
  });
});

describe('multicast scope', () => {
  test('224.0.0.251 (mDNS) is link-local scope and never routed', () => {
    const c = cls('224.0.0.251');
    assert.equal(c.name, 'mDNS');
    assert.equal(c.multicast?.scope, 'link-local');
    assert.equal(c.linkLocal, true);
    assert.equal(c.attrs.source, false);
    assert.equal(c.attrs.forwardable, false);
  });

  test('IPv4 blocks: internetwork control is global, 239/8 is administratively scoped', () => {
    assert.equal(cls('224.0.1.1').multicast?.scope, 'global');
    assert.equal(cls('224.0.1.1').name, 'NTP Network Time Protocol');
    assert.equal(cls('232.1.1.1').multicast?.scope, 'global');
    assert.equal(cls('239.1.1.1').multicast?.scope, 'admin-scoped');
    assert.equal(cls('239.192.0.1').multicast?.scope, 'organization-local');
    assert.equal(cls('239.255.255.250').multicast?.scope, 'local');
    assert.equal(cls('239.255.255.250').name, 'SSDP');
    assert.equal(cls('239.1.1.1').attrs.globallyReachable, false);
    assert.equal(cls('224.0.1.1').linkLocal, false);
  });

  test('unicast has no multicast info', () => {
    assert.equal(cls('10.0.0.1').multicast, undefined);
    assert.equal(cls('2001:db8::1').multicast, undefined);
  });

  test('ff02::1 is link-local scope, ff05::2 site-local', () => {
    const a = cls('ff02::1');
    assert.equal(a.name, 'All Nodes Address');
    assert.equal(a.multicast?.scope, 'link-local');
    assert.equal(a.multicast?.scopeValue, 2);
    assert.equal(a.linkLocal, true);
    assert.equal(a.attrs.forwardable, false);
    const b = cls('ff05::2');
    assert.equal(b.name, 'All Routers Address');
    assert.equal(b.multicast?.scope, 'site-local');
    assert.equal(b.attrs.forwardable, true);
    assert.equal(b.attrs.globallyReachable, false);
    assert.equal(b.linkLocal, false);
  });

  test('every scope nibble is decoded (RFC 4291, RFC 7346)', () => {
    const names = Array.from({ length: 16 }, (_, i) => ipv6ScopeName(i));
    assert.deepEqual(names, [
      'reserved',
      'interface-local',
      'link-local',
      'realm-local',
      'admin-local',
      'site-local',
      'unassigned',
      'unassigned',
      'organization-local',
      'unassigned',
      'unassigned',
      'unassigned',
      'unassigned',
      'unassigned',
      'global',
      'reserved',
    ]);
    for (let s = 0; s < 16; s++) {
      const c = cls(`ff0${s.toString(16)}::1234`);
      assert.equal(c.multicast?.scopeValue, s);
      assert.equal(c.multicast?.scope, ipv6ScopeName(s));
      assert.equal(c.tag, 'multicast');
    }
    assert.equal(cls('ff01::1').attrs.destination, false); // interface-local: loopback only
    assert.equal(cls('ff0e::101').attrs.globallyReachable, true);
  });

  test('flags nibble: transient, prefix-based, embedded RP', () => {
    assert.deepEqual(cls('ff3e:30:2001:db8::1').multicast?.flags, {
      value: 3,
      transient: true,
      prefixBased: true,
      embeddedRp: false,
      reservedBit: false,
    });
    assert.equal(cls('ff7e:140:2001:db8::1').multicast?.flags?.embeddedRp, true);
    assert.equal(cls('ff12::1').multicast?.scope, 'link-local');
  });

  test('solicited-node groups', () => {
    const c = cls('ff02::1:ff12:3456');
    assert.equal(c.name, 'Solicited-Node Address');
    assert.equal(c.prefix, 'ff02::1:ff00:0/104');
  });
});

describe('embedded IPv4', () => {
  test('::ffff:10.0.0.1 is IPv4-mapped, embedding a private address', () => {
    const c = cls('::ffff:10.0.0.1');
    assert.equal(c.tag, 'ipv4-mapped');
    assert.equal(c.embedded?.kind, 'ipv4-mapped');
    assert.equal(ip4ToString(c.embedded?.ipv4 as number), '10.0.0.1');
    assert.equal(c.embedded?.class.tag, 'private');
    assert.equal(c.embedded?.bits, 'bits 96-127');
    assert.ok(Object.isFrozen(c.embedded));
  });

  test('64:ff9b::8.8.8.8 is NAT64 (well-known prefix) embedding public 8.8.8.8', () => {
    const c = cls('64:ff9b::8.8.8.8');
    assert.equal(c.tag, 'nat64');
    assert.equal(c.embedded?.kind, 'nat64-wkp');
    assert.equal(ip4ToString(c.embedded?.ipv4 as number), '8.8.8.8');
    assert.equal(c.embedded?.class.tag, 'public');
    assert.equal(c.embedded?.assumed, false);
  });

  test('64:ff9b:1::/48 reads the RFC 6052 /96 layout and says it is an assumption', () => {
    const c = cls('64:ff9b:1:abcd::c000:201');
    assert.equal(c.embedded?.kind, 'nat64-local');
    assert.equal(ip4ToString(c.embedded?.ipv4 as number), '192.0.2.1');
    assert.equal(c.embedded?.assumed, true);
  });

  test('2002:c000:0204::1 is 6to4 embedding 192.0.2.4', () => {
    const c = cls('2002:c000:0204::1');
    assert.equal(c.tag, '6to4');
    assert.equal(c.embedded?.bits, 'bits 16-47');
    assert.equal(ip4ToString(c.embedded?.ipv4 as number), '192.0.2.4');
    assert.equal(c.embedded?.class.tag, 'doc');
  });

  test('Teredo: server, client and port unwrapped (RFC 4380 section 4 example)', () => {
    // Server 65.54.227.120, client 192.0.2.45 port 40000, cone NAT.
    const c = cls('2001:0000:4136:e378:8000:63bf:3fff:fdd2');
    assert.equal(c.tag, 'teredo');
    const e = c.embedded;
    assert.equal(e?.kind, 'teredo');
    assert.equal(ip4ToString(e?.ipv4 as number), '192.0.2.45');
    assert.equal(e?.class.tag, 'doc');
    assert.equal(ip4ToString(e?.teredo?.server as number), '65.54.227.120');
    assert.equal(e?.teredo?.serverClass.tag, 'public');
    assert.equal(e?.teredo?.clientPort, 40000);
    assert.equal(e?.teredo?.flags, 0x8000);
    assert.equal(e?.teredo?.cone, true);
  });

  test('deprecated IPv4-compatible ::a.b.c.d, but not :: or ::1', () => {
    const c = cls('::10.0.0.1');
    assert.equal(c.tag, 'ipv4-compat');
    assert.equal(c.embedded?.class.tag, 'private');
    assert.equal(cls('::').embedded, undefined);
    assert.equal(cls('::1').embedded, undefined);
  });

  test('repeated tunnel addresses are answered from the bounded cache, distinct ones are not mixed up', () => {
    const a = cls('2002:c000:0204::1');
    assert.equal(cls('2002:c000:0204::1'), a);
    for (let i = 0; i < 2000; i++) {
      const b = v6(`2002:${(i >> 8).toString(16)}:${(i & 0xff).toString(16)}::1`);
      const c = classifyIp6(b);
      assert.equal(c.embedded?.ipv4, ((i >> 8) << 16) | (i & 0xff));
    }
  });

  test('rfc6052Extract reads every RFC 6052 prefix length, skipping the u octet', () => {
    // RFC 6052 section 2.4 examples: 192.0.2.33 embedded in 2001:db8:.../n.
    const ex: [string, 32 | 40 | 48 | 56 | 64 | 96][] = [
      ['2001:db8:c000:221::', 32],
      ['2001:db8:1c0:2:21::', 40],
      ['2001:db8:122:c000:2:2100::', 48],
      ['2001:db8:122:3c0:0:221::', 56],
      ['2001:db8:122:344:c0:2:2100:0', 64],
      ['2001:db8:122:344::192.0.2.33', 96],
    ];
    for (const [addr, len] of ex)
      assert.equal(ip4ToString(rfc6052Extract(v6(addr), len)), '192.0.2.33', addr);
  });
});
