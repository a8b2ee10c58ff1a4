/**
 * TCP analysis flags on hand-built segment sequences, one scenario per rule of the Wireshark User's
 * Guide ("TCP Analysis"). Client 10.0.0.1:40000, server 10.0.0.2:80; `c(t ms, seq, ack, flags, len,
 * win, wscale)` is a client segment, `s(...)` a server one. Each scenario lists the flags expected
 * per frame (frames not listed: none); the same frames are also given to tshark, which must agree.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TCP_ANALYSIS_FLAGS } from '../../../src/flow/tcp/analysis.js';
import { hasTool } from '../../helpers/corpus.js';
import { analyse, c, type Seg, s, tsharkOn } from './build.js';

interface Scenario {
  readonly name: string;
  readonly segs: readonly Seg[];
  /** Frame number → flags expected on it. */
  readonly expect: Readonly<Record<number, readonly string[]>>;
  /** Further checks on the run (details, iRTT, connections). */
  readonly check?: (r: ReturnType<typeof analyse>) => void;
}

/** Handshake: client ISN `ci`, server ISN `si`, optional window scales; SYN at 0, SYN,ACK at 10, ACK at 20 ms. */
function hs(ci = 1000, si = 5000, cws?: number, sws?: number): Seg[] {
  return [c(0, ci, 0, 'S', 0, 1000, cws), s(10, si, ci + 1, 'SA', 0, 1000, sws), c(20, ci + 1, si + 1, 'A')];
}

const TOP = 2 ** 32;

const SCENARIOS: Scenario[] = [
  {
    name: 'a clean handshake and exchange has no flags; iRTT is SYN to the first ACK',
    segs: [...hs(), c(30, 1001, 5001, 'PA', 100), s(40, 5001, 1101, 'PA', 50), c(50, 1101, 5051, 'A')],
    expect: {},
    check: (r) => assert.equal(r.irtt.get(1), 0.02),
  },
  {
    name: 'retransmission: data below the next expected sequence number, long after it',
    // 4: 1001..1101; 5: the same 300 ms later (an RTO).
    segs: [...hs(), c(30, 1001, 5001, 'PA', 100), c(330, 1001, 5001, 'PA', 100), s(340, 5001, 1101, 'A')],
    expect: { 5: ['retransmission'] },
    check: (r) => assert.deepEqual(r.details[4]?.[0]?.values, { seq: 1001, expected: 1101, frame: 4 }),
  },
  {
    name: 'a SYN sent again is a retransmission (it occupies one sequence number)',
    segs: [c(0, 1000, 0, 'S'), c(1000, 1000, 0, 'S'), s(1010, 5000, 1001, 'SA'), c(1020, 1001, 5001, 'A')],
    expect: { 2: ['retransmission'] },
    check: (r) => assert.equal(r.irtt.get(1), 0.02), // from the most recent SYN
  },
  {
    name: 'out-of-order: below the next expected seq within 3 ms of it when the iRTT is unknown',
    // Mid-stream: 1 then 3 (0.1 ms later), then 2 at 1 ms: out of order; 2 again at 10 ms: retransmission.
    segs: [
      c(0, 1001, 5001, 'A', 100),
      c(0.1, 1201, 5001, 'A', 100),
      c(1, 1101, 5001, 'A', 100),
      c(10, 1101, 5001, 'A', 100),
    ],
    expect: { 2: ['lost_segment'], 3: ['out_of_order'], 4: ['retransmission'] },
  },
  {
    name: 'out-of-order: the threshold is the iRTT once known (20 ms here)',
    segs: [...hs(), c(30, 1001, 5001, 'A', 100), c(31, 1201, 5001, 'A', 100), c(41, 1101, 5001, 'A', 100)],
    expect: { 5: ['lost_segment'], 6: ['out_of_order'] },
  },
  {
    name: 'duplicate ACKs count from the frame that set the ACK; a fast retransmission answers them',
    segs: [
      ...hs(),
      c(30, 1001, 5001, 'A', 100),
      c(31, 1101, 5001, 'A', 100), // lost on the way to the server
      c(32, 1201, 5001, 'A', 100),
      c(33, 1301, 5001, 'A', 100),
      s(40, 5001, 1101, 'A'), // frame 8: ACK 1101
      s(41, 5001, 1101, 'A'),
      s(42, 5001, 1101, 'A'),
      s(43, 5001, 1101, 'A'),
      c(50, 1101, 5001, 'A', 100), // 7 ms after the third duplicate
      s(60, 5001, 1401, 'A'),
    ],
    expect: {
      9: ['duplicate_ack'],
      10: ['duplicate_ack'],
      11: ['duplicate_ack'],
      12: ['fast_retransmission'],
    },
    check: (r) => {
      assert.deepEqual(r.details[10]?.[0]?.values, { number: 3, frame: 8, ack: 1101 });
      assert.equal(r.details[10]?.[0]?.text, 'dup ACK #3 of frame 8');
      assert.equal(r.details[11]?.[0]?.values.dupAcks, 3);
    },
  },
  {
    name: 'no fast retransmission 20 ms or more after the last duplicate ACK',
    segs: [
      ...hs(),
      c(30, 1001, 5001, 'A', 100),
      c(31, 1101, 5001, 'A', 100),
      s(40, 5001, 1001, 'A'),
      s(41, 5001, 1001, 'A'),
      s(42, 5001, 1001, 'A'),
      c(62, 1001, 5001, 'A', 100),
    ],
    // The server's ACKs repeat the SYN,ACK's (frame 2): three duplicates, but the resend is 20 ms late.
    expect: { 6: ['duplicate_ack'], 7: ['duplicate_ack'], 8: ['duplicate_ack'], 9: ['retransmission'] },
    check: (r) => assert.equal(r.details[7]?.[0]?.text, 'dup ACK #3 of frame 2'),
  },
  {
    name: 'duplicate ACK conditions: no data, same window (not 0), same ack, not SYN/FIN/RST',
    segs: [
      ...hs(),
      s(30, 5001, 1001, 'PA', 100),
      c(40, 1001, 5101, 'A'), // ACK 5101: sets the reference
      c(41, 1001, 5101, 'A'), // dup #1
      c(42, 1001, 5101, 'A', 0, 900), // the window changed: a window update, not a duplicate
      c(43, 1001, 5101, 'PA', 10), // data: not a duplicate (and the series goes on)
      c(44, 1011, 5101, 'A'), // dup #2 (window as before the data)
      c(45, 1011, 5101, 'FA'), // FIN: not a duplicate
    ],
    expect: { 6: ['duplicate_ack'], 7: ['window_update'], 9: ['duplicate_ack'] },
    check: (r) => assert.equal(r.details[8]?.[0]?.values.number, 2),
  },
  {
    name: 'spurious retransmission: all of its data was already acknowledged',
    segs: [...hs(), c(30, 1001, 5001, 'PA', 100), s(40, 5001, 1101, 'A'), c(300, 1001, 5001, 'PA', 100)],
    expect: { 6: ['spurious_retransmission'] },
    check: (r) => assert.deepEqual(r.details[5]?.[0]?.values, { seq: 1001, end: 1101, peerAck: 1101 }),
  },
  {
    name: 'previous segment not captured; its ACK then acknowledges unseen data',
    segs: [
      ...hs(),
      c(30, 1101, 5001, 'PA', 100), // 1001..1101 was not captured
      s(40, 5001, 1201, 'A'),
      s(50, 5001, 1201, 'PA', 10),
      c(60, 1201, 5011, 'PA', 10),
      s(70, 5011, 1211, 'A'),
    ],
    expect: { 4: ['lost_segment'], 5: ['ack_lost_segment'] },
    check: (r) => {
      assert.deepEqual(r.details[3]?.[0]?.values, { seq: 1101, expected: 1001, missing: 100 });
      assert.deepEqual(r.details[4]?.[0]?.values, { ack: 1201, expected: 1001 });
    },
  },
  {
    name: 'ACKed unseen segment: acknowledges data never seen, reported once per stall',
    segs: [...hs(), c(30, 1001, 5001, 'PA', 100), s(40, 5001, 1301, 'A'), s(50, 5001, 1301, 'PA', 10)],
    expect: { 5: ['ack_lost_segment'] },
    check: (r) => assert.deepEqual(r.details[4]?.[0]?.values, { ack: 1301, expected: 1101 }),
  },
  {
    name: 'zero window, zero-window probes and their ACKs, then a window update',
    segs: [
      ...hs(),
      c(30, 1001, 5001, 'PA', 100),
      s(40, 5001, 1101, 'A', 0, 0),
      c(240, 1101, 5001, 'A', 1), // probe: 1 byte at the next seq into a zero window
      s(250, 5001, 1101, 'A', 0, 0), // byte not taken: repeats ACK and window 0
      c(650, 1101, 5001, 'A', 1), // the same byte again: still a probe, not a retransmission
      s(660, 5001, 1101, 'A', 0, 0),
      s(900, 5001, 1101, 'A', 0, 500),
      c(910, 1101, 5001, 'PA', 100),
    ],
    expect: {
      5: ['zero_window'],
      6: ['zero_window_probe'],
      7: ['zero_window', 'zero_window_probe_ack'],
      8: ['zero_window_probe'],
      9: ['zero_window', 'zero_window_probe_ack'],
      10: ['window_update'],
    },
    check: (r) => assert.deepEqual(r.details[9]?.[0]?.values, { from: 0, to: 500 }),
  },
  {
    name: "keep-alives (0 or 1 byte at next seq - 1) and their ACKs; a keep-alive's byte is not a retransmission",
    segs: [
      ...hs(),
      c(30, 1001, 5001, 'PA', 100),
      s(40, 5001, 1101, 'A'),
      c(10_000, 1100, 5001, 'A', 0),
      s(10_010, 5001, 1101, 'A'),
      c(20_000, 1100, 5001, 'A', 1),
      s(20_010, 5001, 1101, 'A'),
    ],
    expect: { 6: ['keep_alive'], 7: ['keep_alive_ack'], 8: ['keep_alive'], 9: ['keep_alive_ack'] },
  },
  {
    name: 'window full: the window is shifted by the scale (100 << 3 = 800), not multiplied',
    segs: [
      c(0, 1000, 0, 'S', 0, 1000, 2),
      s(10, 5000, 1001, 'SA', 0, 100, 3),
      c(20, 1001, 5001, 'A'),
      s(25, 5001, 1001, 'A', 0, 100), // the server's window: 100 << 3 = 800 bytes
      c(30, 1001, 5001, 'PA', 300), // 300 = 100 * 3 would be "full" if multiplied: it is not
      c(31, 1301, 5001, 'PA', 500), // ends at 1001 + 800
    ],
    expect: { 4: ['duplicate_ack'], 6: ['window_full'] },
    check: (r) =>
      assert.deepEqual(r.details[5]?.[0]?.values, { end: 1801, peerAck: 1001, peerWindow: 800, shift: 3 }),
  },
  {
    name: "window full: a SYN's window is never scaled (until the peer's first ACK)",
    segs: [
      c(0, 1000, 0, 'S', 0, 1000, 2),
      s(10, 5000, 1001, 'SA', 0, 300, 3),
      c(20, 1001, 5001, 'A'),
      c(30, 1001, 5001, 'PA', 300),
    ],
    expect: { 4: ['window_full'] },
  },
  {
    name: 'window scaling only when both SYNs carry the option (SYN,ACK without: raw windows)',
    segs: [
      c(0, 1000, 0, 'S', 0, 1000, 2),
      s(10, 5000, 1001, 'SA', 0, 300),
      c(20, 1001, 5001, 'A'),
      c(30, 1001, 5001, 'PA', 300),
      s(40, 5001, 1301, 'A', 0, 100),
      c(50, 1301, 5001, 'PA', 100),
    ],
    expect: { 4: ['window_full'], 6: ['window_full'] },
  },
  {
    name: 'window full is not judged when the handshake was not captured (scale unknown)',
    segs: [s(0, 5001, 1001, 'A', 0, 300), c(10, 1001, 5001, 'PA', 300)],
    expect: {},
  },
  {
    name: 'reused ports: a SYN with a new ISN after the connection closed',
    segs: [
      ...hs(),
      c(30, 1001, 5001, 'FA'),
      s(40, 5001, 1002, 'FA'),
      c(50, 1002, 5002, 'A'),
      c(1000, 9000, 0, 'S'),
      s(1010, 7000, 9001, 'SA'),
      c(1020, 9001, 7001, 'A'),
    ],
    expect: { 7: ['reused_ports'] },
    check: (r) => {
      assert.deepEqual(r.details[6]?.[0]?.values, { isn: 9000, previousConnection: 1, previousIsn: 1000 });
      assert.deepEqual(r.conns, [1, 1, 1, 1, 1, 1, 2, 2, 2]);
    },
  },
  {
    name: 'a SYN with the same ISN after a RST continues the old analysis: a retransmission',
    // The tracker starts a new connection at the SYN; tshark keeps one conversation (same ISN).
    segs: [c(0, 1000, 0, 'S'), s(10, 0, 1001, 'RA'), c(1000, 1000, 0, 'S'), s(1010, 5000, 1001, 'SA')],
    // The SYN,ACK's ISN differs from the server's first seq (0, in the RST): reused.
    expect: { 3: ['retransmission'], 4: ['reused_ports'] },
    check: (r) => assert.deepEqual(r.conns, [1, 1, 2, 2]),
  },
  {
    name: 'reused ports: a SYN with a new ISN in the middle of a connection starts afresh',
    segs: [
      ...hs(),
      c(30, 1001, 5001, 'PA', 10),
      c(40, 9000, 0, 'S'),
      s(50, 7000, 9001, 'SA'),
      c(60, 9001, 7001, 'A'),
    ],
    // The SYN,ACK that follows belongs to the fresh analysis: nothing to compare its ISN with.
    expect: { 5: ['reused_ports'] },
  },
  {
    name: 'IP fragments are not analysed (their TCP length is unknown)',
    segs: [...hs(), c(30, 1001, 5001, 'PA', 100), { ...c(330, 1001, 5001, 'PA', 100), mf: true }],
    expect: {},
  },
  {
    name: 'wraparound: ISNs just below 2^32, data across zero, loss and retransmission across it',
    segs: [
      c(0, TOP - 16, 0, 'S'),
      s(10, TOP - 3, TOP - 15, 'SA'),
      c(20, TOP - 15, TOP - 2, 'A'),
      c(30, TOP - 15, TOP - 2, 'PA', 100), // ends at 85
      c(31, 185, TOP - 2, 'PA', 100), // 85..185 not captured
      s(40, TOP - 2, 85, 'PA', 10), // ACK 85; data ends at 8
      s(41, TOP - 2, 85, 'PA', 10), // the same, at once: out of order? no, ends at the next seq: retransmission
      c(50, 85, 8, 'PA', 100), // the missing segment, soon: out of order
      c(400, TOP - 15, 8, 'PA', 100), // all acknowledged already: spurious
      s(410, 8, 285, 'A'),
      c(420, 285, 8, 'PA', 20),
      s(430, 8, 305, 'A'),
      s(431, 8, 305, 'A'),
      s(432, 8, 305, 'A'),
    ],
    expect: {
      5: ['lost_segment'],
      7: ['retransmission'],
      8: ['out_of_order'],
      9: ['spurious_retransmission'],
      13: ['duplicate_ack'],
      14: ['duplicate_ack'],
    },
    check: (r) => assert.deepEqual(r.details[4]?.[0]?.values, { seq: 185, expected: 85, missing: 100 }),
  },
  {
    name: 'a next expected sequence number of exactly 0 counts as "not known yet" (as the guide defines it)',
    segs: [
      c(0, TOP - 101, 0, 'S'),
      s(10, 5000, TOP - 100, 'SA'),
      c(20, TOP - 100, 5001, 'A'),
      c(30, TOP - 100, 5001, 'PA', 100), // ends at 0
      c(500, TOP - 100, 5001, 'PA', 100), // not flagged: the next expected seq is "unknown"
      c(510, 0, 5001, 'PA', 50),
      c(900, 0, 5001, 'PA', 50), // flagged again
    ],
    expect: { 7: ['retransmission'] },
  },
];

describe('TcpAnalysis on hand-built segments', () => {
  for (const sc of SCENARIOS) {
    test(sc.name, () => {
      const r = analyse(sc.segs);
      const got: Record<number, string[]> = {};
      r.flags.forEach((f, i) => {
        if (f.length > 0) got[i + 1] = [...f].sort();
      });
      const want: Record<number, string[]> = {};
      for (const [n, f] of Object.entries(sc.expect)) want[Number(n)] = [...f].sort();
      assert.deepEqual(got, want);
      for (const f of r.flags.flat()) assert.ok((TCP_ANALYSIS_FLAGS as readonly string[]).includes(f));
      sc.check?.(r);
    });
  }

  test('without a shared context a new SYN on a reused 4-tuple is still flagged reused_ports', () => {
    const segs = [...hs(), c(30, 1001, 5001, 'FA'), s(40, 5001, 1002, 'FA'), c(50, 1002, 5002, 'A')];
    const r = analyse([...segs, c(1000, 9000, 0, 'S'), s(1010, 7000, 9001, 'SA')], false);
    assert.deepEqual(r.flags[6], ['reused_ports']);
    assert.deepEqual(r.details[6]?.[0]?.values, { isn: 9000, previousConnection: 1 });
  });
});

describe('tshark agrees on the hand-built segments', {
  skip: hasTool('tshark') ? false : 'tshark not installed',
}, () => {
  for (const sc of SCENARIOS) {
    test(sc.name, () => {
      const theirs = tsharkOn(sc.segs);
      const got: Record<number, string[]> = {};
      for (const [n, p] of theirs) if (p.flags.size > 0) got[n] = [...p.flags].sort();
      const want: Record<number, string[]> = {};
      for (const [n, f] of Object.entries(sc.expect)) want[Number(n)] = [...f].sort();
      assert.deepEqual(got, want);
    });
  }
});
