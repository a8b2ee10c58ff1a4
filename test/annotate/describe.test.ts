/** The `wirelens addr` view model, its text lines, and the inline short tag. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { registryBlocks } from '../../src/annotate/classify.js';
import {
  type AddrOk,
  describeAddress,
  describeAddresses,
  describeAllLines,
  describeLines,
  MAX_COLUMNS,
  shortTag,
} from '../../src/annotate/describe.js';
import { LocalNets } from '../../src/annotate/local-nets.js';
import { parseIp4, parseIp6 } from '../../src/core/addr.js';

function ok(input: string, local?: LocalNets): AddrOk {
  const r = describeAddress(input, local);
  assert.ok(r.ok, `${input}: ${r.ok ? '' : r.message}`);
  return r;
}

function addr(s: string): number | Uint8Array {
  const a = s.includes(':') ? parseIp6(s) : parseIp4(s);
  assert.ok(a !== undefined, s);
  return a;
}

const LOCAL = (() => {
  const r = LocalNets.parse(['192.168.1.0/24', 'fd12:3456::/48']);
  assert.ok(r.ok);
  return r.nets;
})();

describe('view model', () => {
  test('10.1.2.3: block, registry edition, attributes as yes/no', () => {
    const r = ok('10.1.2.3');
    assert.equal(r.family, 4);
    assert.equal(r.address, '10.1.2.3');
    assert.equal(r.tag, 'private');
    const c = r.classification;
    assert.equal(c.prefix, '10.0.0.0/8');
    assert.equal(c.name, 'Private-Use');
    assert.deepEqual(c.rfcs, ['RFC 1918']);
    assert.equal(c.registry, 'IANA IPv4 Special-Purpose Address Registry');
    assert.equal(c.edition, '2025-10-09');
    assert.equal(c.allocated, '1996-02');
    assert.deepEqual(c.attributes, {
      source: 'yes',
      destination: 'yes',
      forwardable: 'yes',
      globallyReachable: 'no',
      reservedByProtocol: 'no',
    });
    assert.equal(c.attributesFrom, 'registry');
    assert.deepEqual(c.within, []);
    assert.deepEqual(r.embedded, []);
  });

  test('N/A and footnotes', () => {
    const c = ok('2001::1').classification;
    assert.equal(c.attributes.globallyReachable, 'n/a');
    assert.deepEqual(c.footnotes, ['[2] on globally reachable: See Section 5 of RFC 4380 for details.']);
    assert.deepEqual(
      c.within.map((w) => w.prefix),
      ['2001::/23', '2000::/3'],
    );
  });

  test('multicast: scope, flags, the blocks it sits in, inherited attributes', () => {
    const a = ok('224.0.0.251');
    assert.equal(a.tag, 'multicast/link-local');
    assert.deepEqual(a.classification.multicast, { scope: 'link-local' });
    assert.equal(a.classification.attributesFrom, 'inherited');
    assert.deepEqual(
      a.classification.within.map((w) => w.prefix),
      ['224.0.0.0/24', '224.0.0.0/4'],
    );
    const b = ok('ff02::1');
    assert.equal(b.classification.multicast?.scope, 'link-local');
    assert.equal(b.classification.multicast?.scopeValue, 2);
    assert.equal(b.classification.attributesFrom, 'multicast-scope');
    assert.equal(ok('ff05::2').tag, 'multicast/site-local');
  });

  test('embedded IPv4 with its own classification', () => {
    const r = ok('::ffff:10.0.0.1');
    assert.equal(r.tag, 'ipv4-mapped/private');
    assert.equal(r.embedded.length, 1);
    assert.equal(r.embedded[0]?.role, 'ipv4');
    assert.equal(r.embedded[0]?.address, '10.0.0.1');
    assert.equal(r.embedded[0]?.classification.prefix, '10.0.0.0/8');
    const n = ok('64:ff9b::8.8.8.8');
    assert.equal(n.tag, 'nat64/public');
    assert.equal(n.address, '64:ff9b::808:808');
    assert.equal(ok('64:ff9b:1::808:808').embedded[0]?.assumed, true);
  });

  test('Teredo: server and client, port and flags', () => {
    const r = ok('2001:0:4136:e378:8000:63bf:3fff:fdd2');
    assert.equal(r.tag, 'teredo/doc');
    assert.deepEqual(
      r.embedded.map((e) => [e.role, e.address, e.classification.tag]),
      [
        ['teredo-server', '65.54.227.120', 'public'],
        ['teredo-client', '192.0.2.45', 'doc'],
      ],
    );
    assert.deepEqual(r.teredo, { clientPort: 40000, flags: 0x8000, cone: true });
  });

  test('--local-net adds "local" in front of the tag', () => {
    const r = ok('192.168.1.5', LOCAL);
    assert.equal(r.tag, 'local private');
    assert.equal(r.local, '192.168.1.0/24');
    assert.equal(ok('192.168.2.5', LOCAL).tag, 'private');
    assert.equal(ok('fd12:3456::9', LOCAL).tag, 'local private');
    const m = ok('::ffff:192.168.1.7', LOCAL);
    assert.equal(m.tag, 'ipv4-mapped/local private');
    assert.equal(m.embedded[0]?.local, '192.168.1.0/24');
  });

  test('brackets and zones', () => {
    assert.equal(ok('[2001:db8::1]').address, '2001:db8::1');
    const z = ok('fe80::1%eth0');
    assert.equal(z.zone, 'eth0');
    assert.equal(z.tag, 'link-local');
    assert.equal(ok('2001:0DB8:0000::0001').address, '2001:db8::1');
  });

  test('invalid arguments are clear errors, escaped for the terminal', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['10.0.0.0/8', 'prefix-not-address'],
      ['256.1.1.1', 'invalid'],
      ['1.2.3', 'invalid'],
      ['2001:db8::1::2', 'invalid'],
      ['fe80::1%', 'invalid'],
      ['10.0.0.1%eth0', 'invalid'],
      ['example.com', 'invalid'],
    ];
    for (const [input, kind] of cases) {
      const r = describeAddress(input);
      assert.equal(r.ok, false, input);
      assert.ok(!r.ok);
      assert.equal(r.error, kind, input);
    }
    const evil = describeAddress('\x1b]0;pwned\x07');
    assert.ok(!evil.ok);
    assert.ok(!evil.message.includes('\x1b'));
    assert.ok(!evil.message.includes('\x07'));
    assert.match(evil.message, /not an IPv4 or IPv6 address/);
  });

  test('describeAddresses keeps argument order and mixes results and errors', () => {
    const rs = describeAddresses(['8.8.8.8', 'bogus', '::1']);
    assert.deepEqual(
      rs.map((r) => (r.ok ? r.tag : r.error)),
      ['public', 'invalid', 'loopback'],
    );
  });

  test('the view model is plain data (JSON round trip keeps it)', () => {
    const r = ok('2001:0:4136:e378:8000:63bf:3fff:fdd2', LOCAL);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  });
});

describe('text lines', () => {
  test('10.1.2.3', () => {
    const lines = describeLines(ok('10.1.2.3'));
    assert.equal(lines[0], '10.1.2.3 IPv4: private');
    assert.ok(lines.some((l) => /^ {2}block +10\.0\.0\.0\/8 Private-Use \(RFC 1918\)$/.test(l)));
    assert.ok(lines.some((l) => l.includes('edition 2025-10-09')));
    assert.ok(lines.some((l) => l.includes('source yes, destination yes, forwardable yes')));
  });

  test('errors are one line', () => {
    assert.deepEqual(describeLines(describeAddress('nope')), ['nope: not an IPv4 or IPv6 address']);
  });

  test('no line is wider than 100 columns and none carries an escape code, for every registry block', () => {
    assert.equal(MAX_COLUMNS, 100);
    const inputs = registryBlocks().flatMap((b) =>
      b.family === 4
        ? [ipv4Text(b.first as number), ipv4Text(b.last as number)]
        : [ipv6Text(b.first as Uint8Array), ipv6Text(b.last as Uint8Array)],
    );
    inputs.push('2001:0:4136:e378:8000:63bf:3fff:fdd2', '64:ff9b:1::808:808', 'ff3e:30:2001:db8::1');
    const lines = describeAllLines(describeAddresses(inputs, LOCAL));
    assert.ok(lines.length > 500);
    for (const l of lines) {
      assert.ok(l.length <= MAX_COLUMNS, `${l.length}: ${l}`);
      assert.ok(!/[\x00-\x1f\x7f]/.test(l), l);
    }
  });
});

describe('shortTag', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'CGNAT'],
    ['169.254.1.1', 'link-local'],
    ['192.0.2.1', 'doc'],
    ['127.0.0.1', 'loopback'],
    ['224.0.0.251', 'multicast/link-local'],
    ['239.255.255.250', 'multicast/local'],
    ['224.0.1.1', 'multicast/global'],
    ['255.255.255.255', 'broadcast'],
    ['0.0.0.0', 'unspecified'],
    ['ff02::1', 'multicast/link-local'],
    ['ff05::2', 'multicast/site-local'],
    ['fe80::1', 'link-local'],
    ['fd12::1', 'private'],
    ['2001:db8::1', 'doc'],
    ['::ffff:10.0.0.1', 'ipv4-mapped/private'],
    ['64:ff9b::8.8.8.8', 'nat64/public'],
    ['2002:c000:0204::1', '6to4/doc'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo/doc'],
    ['::', 'unspecified'],
  ];
  for (const [a, tag] of cases) {
    test(`${a} -> ${tag}`, () => assert.equal(shortTag(addr(a)), tag));
  }
  test('with --local-net', () => {
    assert.equal(shortTag(addr('192.168.1.1'), LOCAL), 'local private');
    assert.equal(shortTag(addr('8.8.8.8'), LOCAL), 'public');
  });
});

function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

function ipv6Text(b: Uint8Array): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push((((b[i] as number) << 8) | (b[i + 1] as number)).toString(16));
  return g.join(':');
}
