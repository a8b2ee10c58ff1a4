/** Address violations (ids, not English), TTL inference, and --local-net. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyIp } from '../../src/annotate/classify.js';
import { LocalNets } from '../../src/annotate/local-nets.js';
import {
  ADDR_ANOMALIES,
  classViolations,
  crossedRouter,
  destinationViolations,
  hopsTaken,
  inferInitialTtl,
  packetViolations,
  sourceViolations,
  type UpperLayer,
} from '../../src/annotate/violations.js';
import { parseIp4, parseIp6 } from '../../src/core/addr.js';
import { anomalySpec } from '../../src/core/anomaly.js';

function addr(s: string): number | Uint8Array {
  const a = s.includes(':') ? parseIp6(s) : parseIp4(s);
  assert.ok(a !== undefined, s);
  return a;
}

function check(src: string, dst: string, ttl: number, upper?: UpperLayer): readonly string[] {
  return packetViolations({ src: addr(src), dst: addr(dst), ttl, ...(upper ? { upper } : {}) });
}

const TCP: UpperLayer = { proto: 6, srcPort: 40000, dstPort: 443 };
const DHCP_DISCOVER: UpperLayer = { proto: 17, srcPort: 68, dstPort: 67 };

describe('catalogue', () => {
  test('every id is registered with a severity and a summary', () => {
    for (const id of Object.values(ADDR_ANOMALIES)) {
      const spec = anomalySpec(id);
      assert.ok(spec, id);
      assert.ok(spec.summary.length > 10);
      assert.match(id, /^addr\.[a-z0-9-]+$/);
    }
  });
});

describe('sources', () => {
  test('limited broadcast, multicast, class E and loopback are not valid sources', () => {
    assert.deepEqual(check('255.255.255.255', '10.0.0.1', 64), ['addr.bad-source']);
    assert.deepEqual(check('224.0.0.5', '10.0.0.1', 64), ['addr.bad-source']);
    assert.deepEqual(check('240.1.2.3', '10.0.0.1', 64), ['addr.bad-source']);
    assert.deepEqual(check('127.0.0.1', '10.0.0.1', 64), ['addr.bad-source']);
    assert.deepEqual(check('ff02::1', 'fe80::1', 255), ['addr.bad-source']);
    assert.deepEqual(check('::ffff:10.0.0.1', '2606:4700::1', 64), ['addr.bad-source']);
  });

  test('0.0.0.0 is fine for a DHCP client and IGMP, not for anything else', () => {
    assert.deepEqual(check('0.0.0.0', '255.255.255.255', 64, DHCP_DISCOVER), []);
    assert.deepEqual(check('0.0.0.0', '224.0.0.22', 1, { proto: 2 }), []);
    assert.deepEqual(check('0.0.0.0', '10.0.0.1', 64, TCP), ['addr.unspecified-source']);
    assert.deepEqual(check('0.1.2.3', '10.0.0.1', 64, TCP), ['addr.unspecified-source']);
    // Without the upper layer it cannot be decided: no verdict.
    assert.deepEqual(check('0.0.0.0', '10.0.0.1', 64), []);
  });

  test(':: is fine for DAD and MLD, not for TCP', () => {
    assert.deepEqual(check('::', 'ff02::1:ff00:1', 255, { proto: 58, icmpType: 135 }), []);
    assert.deepEqual(check('::', 'ff02::16', 1, { proto: 58, icmpType: 143 }), []);
    assert.deepEqual(check('::', 'ff02::2', 255, { proto: 58, icmpType: 133 }), []);
    assert.deepEqual(check('::', '2606:4700::1', 64, TCP), ['addr.unspecified-source']);
  });

  test('sourceViolations alone', () => {
    assert.deepEqual(sourceViolations(classifyIp(addr('255.255.255.255'))), ['addr.bad-source']);
    assert.deepEqual(sourceViolations(classifyIp(addr('10.0.0.1'))), []);
  });
});

describe('destinations', () => {
  test('0.0.0.0/8 and :: are not valid destinations', () => {
    assert.deepEqual(check('10.0.0.1', '0.0.0.0', 64), ['addr.bad-destination']);
    assert.deepEqual(check('10.0.0.1', '0.1.2.3', 64), ['addr.bad-destination']);
    assert.deepEqual(check('2606:4700::1', '::', 64), ['addr.bad-destination']);
    assert.deepEqual(check('10.0.0.1', '192.0.0.8', 64), ['addr.bad-destination']);
  });

  test('limited broadcast is a valid destination', () => {
    assert.deepEqual(check('10.0.0.1', '255.255.255.255', 64), []);
    assert.deepEqual(destinationViolations(classifyIp(addr('255.255.255.255'))), []);
  });

  test('interface-local multicast never belongs on the wire', () => {
    assert.deepEqual(check('fe80::1', 'ff01::1', 255), ['addr.bad-destination']);
  });
});

describe('documentation, benchmarking, NAT64', () => {
  test('documentation addresses get their own id instead of bad-source/bad-destination', () => {
    assert.deepEqual(check('192.0.2.1', '8.8.8.8', 64), ['addr.documentation']);
    assert.deepEqual(check('8.8.8.8', '198.51.100.7', 64), ['addr.documentation']);
    assert.deepEqual(check('2001:db8::1', '2001:db8::2', 64), ['addr.documentation']);
    assert.deepEqual(check('3fff::1', '2606:4700::1', 64), ['addr.documentation']);
    assert.deepEqual(check('10.0.0.1', '233.252.0.1', 32), ['addr.documentation']);
  });

  test('benchmarking addresses are noted', () => {
    assert.deepEqual(check('198.18.0.1', '198.19.0.1', 64), ['addr.benchmarking']);
    assert.deepEqual(check('2001:2::1', '2606:4700::1', 64), ['addr.benchmarking']);
  });

  test('the NAT64 well-known prefix must not carry a non-global IPv4 address', () => {
    assert.deepEqual(check('2001:4860::1', '64:ff9b::10.0.0.1', 64), ['addr.nat64-non-global']);
    assert.deepEqual(check('2001:4860::1', '64:ff9b::8.8.8.8', 64), []);
    // The local-use prefix is for exactly that.
    assert.deepEqual(check('2001:4860::1', '64:ff9b:1::10.0.0.1', 64), []);
  });

  test('terminated entries have no columns, so no verdict', () => {
    assert.deepEqual(check('192.88.99.1', '8.8.8.8', 64), []);
  });
});

describe('loopback traffic stays inside the host', () => {
  test('loopback to loopback is not held to the two-device columns', () => {
    assert.deepEqual(check('127.0.0.1', '127.0.0.53', 64), []);
    assert.deepEqual(check('::1', '::1', 64), []);
  });

  test('loopback towards the network is', () => {
    assert.deepEqual(check('10.0.0.1', '127.0.0.1', 63), ['addr.bad-destination']);
  });
});

describe('initial TTL and link-local traffic that crossed a router', () => {
  test('initial TTL: the nearest of 1, 32, 64, 128, 255 at or above the observed value', () => {
    const table: [number, number][] = [
      [1, 1],
      [2, 32],
      [32, 32],
      [33, 64],
      [60, 64],
      [64, 64],
      [65, 128],
      [117, 128],
      [128, 128],
      [129, 255],
      [254, 255],
      [255, 255],
    ];
    for (const [ttl, initial] of table) {
      assert.equal(inferInitialTtl(ttl), initial, `ttl ${ttl}`);
      assert.equal(hopsTaken(ttl), initial - ttl, `ttl ${ttl}`);
    }
  });

  test('169.254/16 with its initial TTL is fine, one hop less is not', () => {
    assert.deepEqual(check('169.254.1.1', '169.254.1.2', 64), []);
    assert.deepEqual(check('169.254.1.1', '169.254.1.2', 128), []);
    assert.deepEqual(check('169.254.1.1', '169.254.1.2', 63), ['addr.link-local-routed']);
    assert.deepEqual(check('10.0.0.1', '169.254.169.254', 127), ['addr.link-local-routed']);
    assert.deepEqual(check('169.254.7.7', '8.8.8.8', 60), ['addr.link-local-routed']);
  });

  test('IPv6 link-local unicast and link-scope multicast', () => {
    assert.deepEqual(check('fe80::1', 'ff02::1', 255), []);
    assert.deepEqual(check('fe80::1', 'ff02::1', 254), ['addr.link-local-routed']);
    assert.deepEqual(check('fe80::1', 'fe80::2', 64), []);
    assert.deepEqual(check('2001:4860::1', 'fe80::2', 62), ['addr.link-local-routed']);
    assert.deepEqual(check('2606:4700::1', 'ff05::2', 62), []); // site scope may be routed
  });

  test('224.0.0.0/24 is link-scoped; TTL 1 senders (IGMP, OSPF) are not flagged', () => {
    assert.deepEqual(check('10.0.0.1', '224.0.0.22', 1, { proto: 2 }), []);
    assert.deepEqual(check('10.0.0.1', '224.0.0.5', 1), []);
    assert.deepEqual(check('10.0.0.1', '224.0.0.251', 255), []);
    assert.deepEqual(check('10.0.0.1', '224.0.0.251', 254), ['addr.link-local-routed']);
    assert.deepEqual(check('10.0.0.1', '239.255.255.250', 2), []); // SSDP: not link-scoped
  });

  test('routed traffic between ordinary addresses is not link-local', () => {
    assert.deepEqual(check('10.0.0.1', '8.8.8.8', 50), []);
    assert.equal(crossedRouter(classifyIp(addr('10.0.0.1')), classifyIp(addr('8.8.8.8')), 50), false);
  });

  test('a clean packet returns the shared empty array', () => {
    const a = classViolations(classifyIp(addr('10.0.0.1')), classifyIp(addr('8.8.8.8')), 64);
    const b = classViolations(classifyIp(addr('10.0.0.2')), classifyIp(addr('1.1.1.1')), 63);
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
  });

  test('ids are not repeated when both ends show the same violation', () => {
    assert.deepEqual(check('192.0.2.1', '192.0.2.2', 64), ['addr.documentation']);
  });
});

describe('LocalNets (--local-net)', () => {
  test('parses lists of IPv4 and IPv6 CIDRs, commas or spaces', () => {
    const r = LocalNets.parse(['192.168.1.0/24,10.0.0.0/8', 'fd12:3456::/48  2001:db8:1::/64']);
    assert.ok(r.ok);
    assert.deepEqual(
      r.nets.cidrs.map((c) => c.text),
      ['192.168.1.0/24', '10.0.0.0/8', '2001:db8:1::/64', 'fd12:3456::/48'],
    );
    assert.deepEqual(r.hostBitsCleared, []);
    assert.equal(r.nets.empty, false);
  });

  test('membership and the most specific match, both families', () => {
    const r = LocalNets.parse(['10.0.0.0/8', '10.1.0.0/16', 'fd12:3456::/48', '0.0.0.0/0']);
    assert.ok(r.ok);
    const n = r.nets;
    assert.equal(n.match(addr('10.1.2.3'))?.text, '10.1.0.0/16');
    assert.equal(n.match(addr('10.2.0.1'))?.text, '10.0.0.0/8');
    assert.equal(n.match(addr('8.8.8.8'))?.text, '0.0.0.0/0');
    assert.equal(n.contains(addr('fd12:3456::1')), true);
    assert.equal(n.contains(addr('fd12:3457::1')), false);
    // At an offset inside a larger buffer.
    const frame = new Uint8Array(32);
    frame.set(addr('fd12:3456:0:1::9') as Uint8Array, 16);
    assert.equal(n.contains(frame, 16), true);
  });

  test('odd prefix lengths', () => {
    const r = LocalNets.parse(['172.16.0.0/12', 'fe80::/10', '2001:db8::/33']);
    assert.ok(r.ok);
    assert.equal(r.nets.contains(addr('172.31.255.255')), true);
    assert.equal(r.nets.contains(addr('172.32.0.0')), false);
    assert.equal(r.nets.contains(addr('febf::1')), true);
    assert.equal(r.nets.contains(addr('fec0::1')), false);
    assert.equal(r.nets.contains(addr('2001:db8:7fff::1')), true);
    assert.equal(r.nets.contains(addr('2001:db8:8000::1')), false);
  });

  test('host bits are cleared and reported; a bare address is a /32 or /128', () => {
    const r = LocalNets.parse(['192.168.1.10/24', '10.9.9.9', '[2001:db8::1]']);
    assert.ok(r.ok);
    assert.deepEqual(
      r.nets.cidrs.map((c) => c.text),
      ['10.9.9.9/32', '192.168.1.0/24', '2001:db8::1/128'],
    );
    assert.deepEqual(r.hostBitsCleared, ['192.168.1.10/24']);
  });

  test('every bad item is reported', () => {
    const r = LocalNets.parse(['10.0.0.0/33, 300.1.1.1/8', 'fd00::/129', 'nonsense', '10.0.0.0/8']);
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.errors.map((e) => [e.input, e.reason]),
      [
        ['10.0.0.0/33', 'bad-prefix-length'],
        ['300.1.1.1/8', 'bad-address'],
        ['fd00::/129', 'bad-prefix-length'],
        ['nonsense', 'bad-address'],
      ],
    );
  });

  test('no networks', () => {
    const r = LocalNets.parse([]);
    assert.ok(r.ok);
    assert.equal(r.nets.empty, true);
    assert.equal(r.nets.contains(addr('10.0.0.1')), false);
  });
});
