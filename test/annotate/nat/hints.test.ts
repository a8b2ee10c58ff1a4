/**
 * NAT hints from one capture. Synthetic hosts behind one address show each signal on its own
 * (TTL families, interleaved host-wide IP ID counters, TCP timestamp rates and clocks); single
 * hosts of each kind (Linux-like per-connection counters and offsets, Windows-like global ones)
 * and every public corpus capture must show none. The lab's outside capture has two Linux
 * clients behind 10.0.2.1: their packets cannot tell them apart, and the hints say so.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  NatHintsCollector,
  natHintsSummary,
  type SeveralHostsHint,
} from '../../../src/annotate/nat-hints.js';
import { finish, sumWords } from '../../../src/decode/checksum.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import { F, tcpFrame } from '../../helpers/build.js';
import { capturesUnder, FIXTURES } from '../../helpers/corpus.js';
import { rng } from '../../helpers/rng.js';
import { hintsOf } from './helpers.js';

/** One simulated host: its initial TTL (minus hops), how it numbers IP IDs, its TSval clock. */
interface Host {
  readonly ttl: number;
  /** IP ID for the next packet of this flow. */
  id(flow: number): number;
  /** TSval at time t for this flow, or undefined (no timestamps). */
  tsval(flow: number, t: number): number | undefined;
}

function globalCounter(start: number): (flow: number) => number {
  let n = start;
  return () => {
    n = (n + 1) & 0xffff;
    return n;
  };
}

function perFlowCounter(): (flow: number) => number {
  const m = new Map<number, number>();
  return (flow) => {
    const v = ((m.get(flow) ?? (flow * 7919 + 1234) & 0xffff) + 1) & 0xffff;
    m.set(flow, v);
    return v;
  };
}

const T0 = 1_700_000_000;

/** A clock at `hz` with `offset` (or an offset per flow) since T0. */
function clock(hz: number, offset: number | ((flow: number) => number)) {
  return (flow: number, t: number) =>
    Math.floor((typeof offset === 'number' ? offset : offset(flow)) + (t - T0) * hz) >>> 0;
}

interface FlowSpec {
  readonly host: Host;
  readonly flow: number;
  readonly dst: string;
  readonly dport: number;
  readonly sport: number;
}

/**
 * Every flow sends `packets` data segments from the shared address, one every `gap` seconds,
 * the flows interleaved; the server answers nothing (hints look at the shared address only).
 */
function capture(src: string, flows: readonly FlowSpec[], packets: number, gap: number) {
  const h = new NatHintsCollector();
  let index = 0;
  for (let k = 0; k < packets; k++) {
    for (const [j, f] of flows.entries()) {
      const t = T0 + k * gap + j * (gap / (flows.length + 1));
      const tsv = f.host.tsval(f.flow, t);
      const options = tsv === undefined ? [] : [1, 1, 8, 10, ...u32(tsv), 0, 0, 0, 0];
      const frame = tcpFrame({
        src,
        dst: f.dst,
        sport: f.sport,
        dport: f.dport,
        seq: 1000 + k * 100,
        ack: 1,
        flags: F.ACK | F.PSH,
        payload: 100,
        options,
        ts: t,
        ttl: f.host.ttl,
      });
      setIpId(frame.data, f.host.id(f.flow));
      h.onPacket(decodeFrame({ ...frame, index: ++index }));
    }
  }
  return natHintsSummary(h);
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function setIpId(d: Uint8Array, id: number): void {
  const o = 14;
  d[o + 4] = id >> 8;
  d[o + 5] = id & 0xff;
  d[o + 10] = 0;
  d[o + 11] = 0;
  const c = finish(sumWords(d, o, o + 20));
  d[o + 10] = c >> 8;
  d[o + 11] = c & 0xff;
}

const NAT = '100.64.7.1';
const S1 = '93.184.216.34';
const S2 = '151.101.1.69';
const S3 = '140.82.121.4';

const linux = (seed: number): Host => ({
  ttl: 63,
  id: perFlowCounter(),
  tsval: clock(1000, (flow) => (flow * 2654435761 + seed) >>> 0),
});
const windows = (idStart: number, offset: number, ts = true): Host => ({
  ttl: 127,
  id: globalCounter(idStart),
  tsval: ts ? clock(1000, offset) : () => undefined,
});

function several(s: ReturnType<typeof capture>): SeveralHostsHint[] {
  return s.hints.filter((h): h is SeveralHostsHint => h.kind === 'several-hosts');
}

function flowsOf(host: Host, first: number, dsts: readonly string[]): FlowSpec[] {
  return dsts.map((dst, i) => ({ host, flow: first + i, dst, dport: 443, sport: 50000 + first + i }));
}

describe('NAT hints: several hosts behind one address', () => {
  test('a Windows and a Linux host: TTL families 128 and 64, each in flows of its own', () => {
    const s = capture(
      NAT,
      [...flowsOf(windows(1000, 5e6, false), 0, [S1, S2]), ...flowsOf(linux(7), 10, [S1, S2])],
      6,
      0.3,
    );
    const [h, ...rest] = several(s);
    assert.equal(rest.length, 0);
    assert.ok(h);
    assert.equal(h.address, NAT);
    assert.deepEqual(h.signals, ['ttl-families']);
    assert.deepEqual(
      h.ttlFamilies?.map((f) => [f.protocol, f.initial, f.flows, f.packets, f.observed]),
      [
        ['tcp', 64, 2, 12, [63]],
        ['tcp', 128, 2, 12, [127]],
      ],
    );
  });

  test('two Windows hosts: two host-wide IP ID counters running at once', () => {
    const s = capture(
      NAT,
      [...flowsOf(windows(1000, 0, false), 0, [S1, S2]), ...flowsOf(windows(30000, 0, false), 10, [S2, S3])],
      6,
      0.3,
    );
    const [h, ...rest] = several(s);
    assert.equal(rest.length, 0);
    assert.ok(h);
    assert.deepEqual(h.signals, ['ip-id-counters']);
    assert.deepEqual(
      h.idCounters?.map((c) => [c.firstId, c.lastId, c.packets, c.flows, c.destinations]),
      [
        [1001, 1012, 12, 2, 2],
        [30001, 30012, 12, 2, 2],
      ],
    );
  });

  test('TSval clocks at 1000 Hz and 100 Hz from one address', () => {
    const fast: Host = { ttl: 63, id: perFlowCounter(), tsval: clock(1000, 123) };
    const slow: Host = { ttl: 63, id: perFlowCounter(), tsval: clock(100, 9_999_999) };
    const s = capture(NAT, [...flowsOf(fast, 0, [S1]), ...flowsOf(slow, 10, [S2])], 8, 0.5);
    const [h] = several(s);
    assert.ok(h);
    assert.deepEqual(h.signals, ['tcp-ts-rates']);
    assert.deepEqual(
      h.tsClocks?.map((c) => c.rateHz),
      [100, 1000],
    );
  });

  test('two hosts, each with one TSval clock shared by connections to different servers', () => {
    const a: Host = { ttl: 63, id: perFlowCounter(), tsval: clock(1000, 1_000_000) };
    const b: Host = { ttl: 63, id: perFlowCounter(), tsval: clock(1000, 3_500_000_000) };
    const s = capture(NAT, [...flowsOf(a, 0, [S1, S2]), ...flowsOf(b, 10, [S2, S3])], 4, 0.2);
    const [h] = several(s);
    assert.ok(h);
    assert.deepEqual(h.signals, ['tcp-ts-clocks']);
    // Each clock's first TSval: its offset plus the milliseconds since T0 of its first packet.
    assert.deepEqual(
      h.tsClocks?.map((c) => [c.connections, c.destinations, Math.floor(c.firstTsval / 1e6)]),
      [
        [2, 2, 1],
        [2, 2, 3500],
      ],
    );
  });
});

/**
 * A busy Linux server: `connections` clients one after the other, a few open at once, each
 * connection's IP IDs counting from a random start (Linux numbers a TCP socket's own). Many starts
 * fall a little above where another connection's IDs stopped, by chance.
 */
function busyServer(connections: number): ReturnType<typeof natHintsSummary> {
  const h = new NatHintsCollector();
  const random = rng(12345);
  const packets: { t: number; conn: number; id: number; k: number }[] = [];
  for (let c = 0; c < connections; c++) {
    const start = Math.floor(random() * 0x10000);
    // A new connection every 10 ms, each sending 6 segments 15 ms apart: about 9 open at once.
    for (let k = 0; k < 6; k++)
      packets.push({ t: T0 + c * 0.01 + k * 0.015, conn: c, id: (start + k) & 0xffff, k });
  }
  packets.sort((a, b) => a.t - b.t || a.conn - b.conn);
  let index = 0;
  for (const p of packets) {
    const frame = tcpFrame({
      src: S1,
      dst: `198.51.${100 + (p.conn >> 8)}.${p.conn & 0xff}`,
      sport: 443,
      dport: 40000 + p.conn,
      seq: 1000 + p.k * 100,
      ack: 1,
      flags: F.ACK | F.PSH,
      payload: 100,
      ts: p.t,
      ttl: 64,
    });
    setIpId(frame.data, p.id);
    h.onPacket(decodeFrame({ ...frame, index: ++index }));
  }
  return natHintsSummary(h);
}

describe('NAT hints: one host is one host', () => {
  test('a busy Linux server: per-connection IP IDs that line up by chance are not host-wide counters', () => {
    const s = busyServer(200);
    assert.deepEqual(several(s), []);
    const p = s.profiles.find((x) => x.address === S1);
    assert.ok(p);
    assert.equal(p.ipId.samples, 512);
    assert.deepEqual(p.ipId.global, []);
    assert.notEqual(p.ipId.behaviour, 'several-global');
  });

  test('a Linux host: per-flow IP IDs and per-connection TSval offsets — cannot tell, no hint', () => {
    const s = capture(NAT, flowsOf(linux(3), 0, [S1, S2, S3, S1, S2]), 6, 0.3);
    assert.deepEqual(several(s), []);
    const p = s.profiles.find((x) => x.address === NAT);
    assert.ok(p);
    assert.equal(p.ipId.behaviour, 'per-flow');
    assert.equal(p.tcpTs.behaviour, 'per-connection');
    assert.equal(p.undetermined, true);
  });

  test('a Windows host: one global IP ID counter and one TSval clock — one host, no hint', () => {
    const s = capture(NAT, flowsOf(windows(500, 77_000), 0, [S1, S2, S3]), 6, 0.3);
    assert.deepEqual(several(s), []);
    const p = s.profiles.find((x) => x.address === NAT);
    assert.ok(p);
    assert.equal(p.ipId.behaviour, 'global');
    assert.equal(p.tcpTs.behaviour, 'shared');
    assert.equal(p.undetermined, false);
  });

  test('a host with a TSval offset per destination (older Linux) is not two clocks', () => {
    const perDst: Host = {
      ttl: 63,
      id: perFlowCounter(),
      tsval: clock(1000, (flow) => (flow < 12 ? 1_000_000 : 2_000_000_000)),
    };
    const flows: FlowSpec[] = [
      { host: perDst, flow: 10, dst: S1, dport: 443, sport: 50010 },
      { host: perDst, flow: 11, dst: S1, dport: 443, sport: 50011 },
      { host: perDst, flow: 12, dst: S2, dport: 443, sport: 50012 },
      { host: perDst, flow: 13, dst: S2, dport: 443, sport: 50013 },
    ];
    assert.deepEqual(several(capture(NAT, flows, 5, 0.3)), []);
  });

  test('a router sending BGP at TTL 255 (RFC 5082) and other TCP at 64 is one host', () => {
    const gtsm: Host = { ttl: 255, id: perFlowCounter(), tsval: () => undefined };
    const plain: Host = { ttl: 64, id: perFlowCounter(), tsval: () => undefined };
    const s = capture(
      NAT,
      [
        { host: gtsm, flow: 1, dst: S1, dport: 179, sport: 179 },
        { host: plain, flow: 2, dst: S2, dport: 443, sport: 50002 },
      ],
      5,
      0.3,
    );
    assert.deepEqual(several(s), []);
    const p = s.profiles.find((x) => x.address === NAT);
    assert.deepEqual(
      p?.ttlFamilies.map((f) => f.initial),
      [64, 255],
    );
  });

  test('no public corpus capture shows several hosts behind one address', () => {
    const files = capturesUnder(join(FIXTURES, 'corpus', 'public'));
    assert.ok(files.length >= 90);
    for (const f of files) assert.deepEqual(several(hintsOf(f)), [], f);
  });

  test('a load balancer answering for its backend (TTL family changes inside one flow) is a note, not a hint', () => {
    const s = hintsOf(join(FIXTURES, 'corpus', 'public', 'zeek-http_zero-length-bodies-with-drops.pcap'));
    assert.deepEqual(several(s), []);
    const p = s.profiles.find((x) => x.address === '75.98.70.31');
    assert.deepEqual(p?.mixedTtl, { flows: 1, firstPacket: 6, initials: [64, 255] });
  });
});

describe('NAT hints: private and CGNAT addresses talking to public ones', () => {
  test('chrissanders-http_google: a private client reaching Google, so a NAT upstream', () => {
    const s = hintsOf(join(FIXTURES, 'corpus', 'public', 'chrissanders-http_google.pcapng'));
    const h = s.hints.find((x) => x.kind === 'translation-upstream');
    assert.ok(h && h.kind === 'translation-upstream');
    assert.equal(h.localClass, 'private');
    assert.equal(h.localCount, 1);
    assert.ok(h.publicPeers >= 1);
    assert.equal(h.examplePackets[0], 1);
  });

  test('chrissanders-icmp_traceroute: one private host, eight public peers (the routers answering)', () => {
    const s = hintsOf(join(FIXTURES, 'corpus', 'public', 'chrissanders-icmp_traceroute.pcapng'));
    const h = s.hints.find((x) => x.kind === 'translation-upstream');
    assert.ok(h && h.kind === 'translation-upstream');
    assert.deepEqual(
      h.locals.map((l) => [l.address, l.peers]),
      [['192.168.100.138', 8]],
    );
  });

  test('a CGNAT address talking to public servers gets its own hint (RFC 6598)', () => {
    const s = capture(NAT, flowsOf(linux(1), 0, [S1, S2]), 2, 0.1);
    const h = s.hints.find((x) => x.kind === 'translation-upstream');
    assert.ok(h && h.kind === 'translation-upstream');
    assert.equal(h.localClass, 'CGNAT');
    assert.equal(h.rfc, 'RFC 6598');
    assert.deepEqual(h.locals, [{ address: NAT, peers: 2, packets: 4, firstPacket: 1 }]);
  });

  test('private to private (the lab) is no hint', () => {
    const s = hintsOf(join(FIXTURES, 'lab', 'nat-inside.pcap'));
    assert.deepEqual(s.hints, []);
  });
});

describe('NAT hints: the lab’s outside capture, two Linux clients behind 10.0.2.1', () => {
  const s = hintsOf(join(FIXTURES, 'lab', 'nat-outside.pcap'));
  const p = s.profiles.find((x) => x.address === '10.0.2.1');

  test('no hint: the evidence does not show the two hosts', () => {
    assert.deepEqual(s.hints, []);
  });

  test('why: one TTL family, an IP ID counter per flow, a TSval offset per connection', () => {
    assert.ok(p);
    assert.deepEqual(
      p.ttlFamilies.map((f) => [f.protocol, f.initial, f.observed]),
      [['tcp', 64, [63]]],
    );
    assert.equal(p.ipId.behaviour, 'per-flow');
    assert.equal(p.tcpTs.behaviour, 'per-connection');
    assert.equal(p.tcpTs.connections, 3);
    assert.equal(p.tcpTs.clocks, 3);
    assert.equal(p.undetermined, true);
  });
});
