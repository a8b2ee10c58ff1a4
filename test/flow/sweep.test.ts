/**
 * The trackers' sweeps: connections (and UDP flows) are retired when their idle time is up (by
 * capture time), in table order, and only then. The sweep looks only at connections whose deadline may have come
 * (flow/due-heap.ts); these scenarios pin down what a walk of the whole table would do.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { finish, sumWords } from '../../src/decode/checksum.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import type { Packet } from '../../src/decode/types.js';
import type { TcpConnection } from '../../src/flow/tcp/connection.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../src/flow/tcp/tracker.js';
import { DEFAULT_UDP_OPTIONS, UdpTracker } from '../../src/flow/udp.js';
import { Conversation, etherFrame, F } from '../helpers/build.js';

const T0 = 1_700_000_000;
const C = 1000;
const S = 5000;
const A = F.ACK;

function conv(port: number, start: number): Conversation {
  return new Conversation({ addr: '10.0.0.1', port }, { addr: '10.0.0.2', port: 80 }, start);
}

/** Handshake, then (if `close`) a client-first four-way close `close` seconds after it began. */
function connection(port: number, start: number, close?: number): Packet[] {
  const cv = conv(port, start);
  cv.c(F.SYN, C, 0, {}, 0);
  cv.s(F.SYN | A, S, C + 1);
  cv.c(A, C + 1, S + 1);
  if (close !== undefined) {
    cv.c(F.FIN | A, C + 1, S + 1, {}, close - 0.002);
    cv.s(F.FIN | A, S + 1, C + 2);
    cv.c(A, C + 2, S + 2);
  }
  return cv.packets;
}

/** A lone packet of an unrelated conversation at `t`: it only moves the capture clock on. */
function tick(t: number, port = 50000): Packet {
  return conv(port, t).c(F.SYN, 1, 0, {}, 0);
}

/** Run the packets in time order; note which connections had ended after each one. */
function run(packets: readonly Packet[]) {
  const ended: TcpConnection[] = [];
  const t = new TcpTracker(DEFAULT_TCP_OPTIONS, { connectionEnd: (c) => ended.push(c) });
  const after = new Map<Packet, number[]>();
  for (const p of [...packets].sort((a, b) => a.frame.ts - b.frame.ts)) {
    t.process(p);
    after.set(
      p,
      ended.map((c) => c.orig.port),
    );
  }
  return { tracker: t, ended, after };
}

describe('sweep', () => {
  test('connections due in the same sweep are retired in table order, not deadline order', () => {
    // A is created first but closes last; B's close (and so its deadline) comes earlier.
    const a = connection(40001, T0, 3);
    const b = connection(40002, T0 + 1, 0.5);
    const later = tick(T0 + 20);
    const { after } = run([...a, ...b, later]);
    assert.deepEqual(after.get(later), [40001, 40002]);
  });

  test('a closed connection goes 5 s after its last packet, not at the idle timeout it had while open', () => {
    const c = connection(40001, T0, 10);
    const early = tick(T0 + 10 + 4);
    const late = tick(T0 + 10 + 6, 50001);
    const { after } = run([...c, early, late]);
    assert.deepEqual(after.get(early), []);
    assert.deepEqual(after.get(late), [40001]);
  });

  test('an established connection with a packet every 100 s never expires; 300 s of silence ends it', () => {
    const cv = conv(40001, T0);
    cv.c(F.SYN, C, 0, {}, 0);
    cv.s(F.SYN | A, S, C + 1);
    cv.c(A, C + 1, S + 1);
    for (let i = 1; i <= 6; i++) cv.c(A, C + 1, S + 1, { payload: 1 }, 100);
    const last = cv.packets.at(-1) as Packet;
    const before = tick(last.frame.ts + 299);
    const after300 = tick(last.frame.ts + 301, 50001);
    const { tracker, ended, after } = run([...cv.packets, before, after300]);
    assert.deepEqual(after.get(last), []);
    assert.deepEqual(after.get(before), []);
    assert.deepEqual(after.get(after300), [40001]);
    assert.equal(ended[0]?.endReason, 'expired');
    assert.ok(ended[0]?.anomalies.some((x) => x.id === 'flow.expired' && /idle 301 s/.test(x.detail ?? '')));
    assert.equal(tracker.expired, 1);
  });

  test('an unanswered SYN expires after the opening timeout (120 s), strictly after it', () => {
    const syn = tick(T0, 40001);
    const at120 = tick(T0 + 120, 50001);
    const past = tick(T0 + 121, 50002);
    const { after } = run([syn, at120, past]);
    assert.deepEqual(after.get(at120), []);
    assert.deepEqual(after.get(past), [40001]);
  });
});

/** A UDP datagram 10.0.0.`host`:`port` → 10.0.0.9:53 at capture time `ts` (UDP checksum 0: none). */
function datagram(host: number, port: number, ts: number): Packet {
  const d = new Uint8Array(14 + 20 + 8 + 4);
  d.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00], 0);
  const ip = 14;
  d.set([0x45, 0, 0, 32, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, host, 10, 0, 0, 9], ip);
  const c = finish(sumWords(d, ip, ip + 20));
  d[ip + 10] = c >> 8;
  d[ip + 11] = c & 0xff;
  d.set([port >> 8, port & 0xff, 0, 53, 0, 12, 0, 0], ip + 20);
  return decodeFrame(etherFrame(d, ts));
}

describe('UDP sweep', () => {
  /** Run datagrams in time order; note which flows (by client host) had ended after each one. */
  function runUdp(packets: readonly Packet[]) {
    const ended: number[] = [];
    const t = new UdpTracker(DEFAULT_UDP_OPTIONS, (f) => ended.push(Number(f.origAddr.split('.')[3])));
    const after = new Map<Packet, number[]>();
    for (const p of packets) {
      t.process(p);
      after.set(p, [...ended]);
    }
    return after;
  }

  test('flows idle more than 60 s end at the next sweep, in table order', () => {
    // Flow 1 starts first and is last heard at +10 s; flow 2 starts second, last heard at +5 s.
    const a = [
      datagram(1, 1000, T0),
      datagram(2, 1000, T0 + 1),
      datagram(2, 1000, T0 + 5),
      datagram(1, 1000, T0 + 10),
    ];
    const at62 = datagram(3, 1000, T0 + 62);
    const at80 = datagram(4, 1000, T0 + 80);
    const after = runUdp([...a, at62, at80]);
    assert.deepEqual(after.get(at62), []);
    assert.deepEqual(after.get(at80), [1, 2]);
  });

  test('a flow heard from again is not expired by its earlier deadline', () => {
    const first = datagram(1, 1000, T0);
    const again = datagram(1, 1000, T0 + 50);
    const at70 = datagram(2, 1000, T0 + 70);
    const at111 = datagram(3, 1000, T0 + 111);
    const after = runUdp([first, again, at70, at111]);
    assert.deepEqual(after.get(at70), []);
    assert.deepEqual(after.get(at111), [1]);
  });
});
