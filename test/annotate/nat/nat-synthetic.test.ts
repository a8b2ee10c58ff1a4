/**
 * NAT behaviours the lab does not show, on hand-built TCP conversations seen from both sides:
 * endpoint-independent and dependent mapping (RFC 4787), address pools, and a port forward
 * (an inbound connection, destination NAT).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchNat } from '../../../src/annotate/nat.js';
import type { Frame } from '../../../src/capture/types.js';
import { F, tcpFrame } from '../../helpers/build.js';
import { collectFrames } from './helpers.js';

interface Ep {
  readonly addr: string;
  readonly port: number;
}

const T0 = 1_700_000_000;

/**
 * One TCP connection from `client` to `server`, as seen inside (`inClient` → `inServer`) and
 * outside (`outClient` → `outServer`): handshake, a request, a response, 50 µs through the NAT.
 */
function conversation(
  inside: Frame[],
  outside: Frame[],
  t: number,
  seed: number,
  inC: Ep,
  inS: Ep,
  outC: Ep,
  outS: Ep,
  clientInside: boolean,
): void {
  const isn = (seed * 2654435761) >>> 0;
  const sisn = (seed * 40503 + 99) >>> 0;
  const segs: [boolean, number, number, number, number][] = [
    [true, F.SYN, isn, 0, 0],
    [false, F.SYN | F.ACK, sisn, isn + 1, 0],
    [true, F.ACK, isn + 1, sisn + 1, 0],
    [true, F.ACK | F.PSH, isn + 1, sisn + 1, 40 + seed],
    [false, F.ACK | F.PSH, sisn + 1, isn + 41 + seed, 200],
  ];
  segs.forEach(([fromClient, flags, seq, ack, len], j) => {
    const at = t + j * 0.001;
    // The packet crosses the NAT 50 µs after the side it comes from saw it.
    const fromInside = fromClient === clientInside;
    for (const side of ['in', 'out'] as const) {
      const c = side === 'in' ? inC : outC;
      const s = side === 'in' ? inS : outS;
      const late = (side === 'in') !== fromInside ? 0.00005 : 0;
      const f = tcpFrame({
        src: fromClient ? c.addr : s.addr,
        dst: fromClient ? s.addr : c.addr,
        sport: fromClient ? c.port : s.port,
        dport: fromClient ? s.port : c.port,
        seq,
        ack,
        flags,
        payload: len,
        ts: at + late,
      });
      (side === 'in' ? inside : outside).push(f);
    }
  });
}

function number(fs: Frame[]): Frame[] {
  return fs.sort((a, b) => a.ts - b.ts).map((f, i) => ({ ...f, index: i + 1 }));
}

const S1 = { addr: '93.184.216.34', port: 443 };
const S2 = { addr: '151.101.1.69', port: 443 };

describe('nat: mapping behaviour and pools (hand-built)', () => {
  test('one inside endpoint to two servers keeps one outside endpoint: endpoint-independent mapping', () => {
    const inside: Frame[] = [];
    const outside: Frame[] = [];
    const me = { addr: '192.168.1.10', port: 50000 };
    const pub = { addr: '203.0.113.7', port: 50000 };
    conversation(inside, outside, T0, 1, me, S1, pub, S1, true);
    conversation(inside, outside, T0 + 1, 2, me, S2, pub, S2, true);
    const r = matchNat(collectFrames(number(inside)), collectFrames(number(outside)));
    assert.equal(r.translations.length, 2);
    assert.deepEqual(r.mapping, { behaviour: 'independent', endpoints: 1 });
  });

  test('a new outside port per server: address/port-dependent mapping (symmetric NAT)', () => {
    const inside: Frame[] = [];
    const outside: Frame[] = [];
    const me = { addr: '192.168.1.10', port: 50000 };
    conversation(inside, outside, T0, 1, me, S1, { addr: '203.0.113.7', port: 61000 }, S1, true);
    conversation(inside, outside, T0 + 1, 2, me, S2, { addr: '203.0.113.7', port: 61001 }, S2, true);
    const r = matchNat(collectFrames(number(inside)), collectFrames(number(outside)));
    assert.deepEqual(
      r.translations.map((t) => [t.inside, t.outside, t.portPreserved]),
      [
        ['192.168.1.10:50000', '203.0.113.7:61000', false],
        ['192.168.1.10:50000', '203.0.113.7:61001', false],
      ],
    );
    assert.equal(r.mapping.behaviour, 'dependent');
    assert.deepEqual(r.ports.clashes, [], 'no clash forced these changes: the NAT picks ports itself');
  });

  test('a pool of two outside addresses, each inside host always on the same one (paired)', () => {
    const inside: Frame[] = [];
    const outside: Frame[] = [];
    const a = { addr: '192.168.1.10', port: 50000 };
    const b = { addr: '192.168.1.11', port: 50001 };
    conversation(inside, outside, T0, 1, a, S1, { addr: '203.0.113.7', port: 50000 }, S1, true);
    conversation(inside, outside, T0 + 1, 2, b, S1, { addr: '203.0.113.8', port: 50001 }, S1, true);
    conversation(
      inside,
      outside,
      T0 + 2,
      3,
      { ...a, port: 50002 },
      S2,
      { addr: '203.0.113.7', port: 50002 },
      S2,
      true,
    );
    const r = matchNat(collectFrames(number(inside)), collectFrames(number(outside)));
    assert.deepEqual(r.pooling, {
      addresses: [
        { outsideAddr: '203.0.113.7', insideHosts: ['192.168.1.10'], translations: 2 },
        { outsideAddr: '203.0.113.8', insideHosts: ['192.168.1.11'], translations: 1 },
      ],
      paired: true,
      unpairedHosts: [],
    });
  });

  test('a port forward: the remote opens the connection, the NAT rewrites the destination', () => {
    const inside: Frame[] = [];
    const outside: Frame[] = [];
    const remote = { addr: '198.51.100.23', port: 51515 };
    conversation(
      inside,
      outside,
      T0,
      4,
      remote,
      { addr: '192.168.1.20', port: 80 },
      remote,
      { addr: '203.0.113.7', port: 8080 },
      false,
    );
    const r = matchNat(collectFrames(number(inside)), collectFrames(number(outside)));
    assert.deepEqual(
      r.translations.map((t) => [t.initiator, t.inside, t.outside, t.remote, t.portPreserved]),
      [['remote', '192.168.1.20:80', '203.0.113.7:8080', '198.51.100.23:51515', false]],
    );
    const d = r.translations[0]?.delay;
    assert.ok(d && Math.abs(d.min - 0.00005) < 1e-6 && Math.abs(d.max - 0.00005) < 1e-6, JSON.stringify(d));
  });
});
