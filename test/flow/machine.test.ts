/**
 * Both endpoints' RFC 9293 state machines, scenario by scenario. ISNs sit just below 2^32 so every
 * scenario also crosses the sequence-number wraparound. Assertions name states and event ids.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Packet } from '../../src/decode/types.js';
import type { TcpConnection } from '../../src/flow/tcp/connection.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../src/flow/tcp/tracker.js';
import { Conversation, F, opt } from '../helpers/build.js';

const C = 0xfffffff0; // client ISN: wraps after 16 bytes
const S = 0xffffff00; // server ISN
const A = F.ACK;

function track(packets: readonly Packet[], msl = 30): TcpConnection[] {
  const ended: TcpConnection[] = [];
  const t = new TcpTracker({ ...DEFAULT_TCP_OPTIONS, msl }, { connectionEnd: (c) => ended.push(c) });
  for (const p of packets) t.process(p);
  t.finish();
  return ended.sort((a, b) => a.id - b.id);
}

/** States of one side after each transition, in packet order. */
function path(c: TcpConnection, side: 'orig' | 'resp'): string[] {
  return [
    c.endpoint(side).initialState,
    ...c
      .orderedTransitions()
      .filter((t) => t.side === side && t.from !== t.to)
      .map((t) => t.to),
  ];
}

function events(c: TcpConnection, side: 'orig' | 'resp'): string[] {
  return c
    .orderedTransitions()
    .filter((t) => t.side === side)
    .map((t) => `${t.packet ?? 'timer'}:${t.event}`);
}

/** Handshake with 16 bytes of client data (crossing 2^32), then the given close. */
function opened(cv = new Conversation()): Conversation {
  cv.c(F.SYN, C);
  cv.s(F.SYN | A, S, C + 1);
  cv.c(A, C + 1, S + 1);
  cv.c(F.PSH | A, C + 1, S + 1, { payload: 20 });
  cv.s(A, S + 1, C + 21);
  return cv;
}

describe('three-way handshake', () => {
  test('client CLOSED → SYN-SENT → ESTABLISHED, server LISTEN → SYN-RECEIVED → ESTABLISHED', () => {
    const [c] = track(opened().packets);
    assert.ok(c);
    assert.deepEqual(path(c, 'orig'), ['CLOSED', 'SYN-SENT', 'ESTABLISHED']);
    assert.deepEqual(path(c, 'resp'), ['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED']);
    assert.deepEqual(events(c, 'orig'), ['1:send-syn', '2:recv-synack']);
    assert.deepEqual(events(c, 'resp'), ['1:recv-syn', '3:recv-ack-of-syn']);
    assert.equal(c.orig.seqBytes(), 20);
    assert.equal(c.origin, 'syn');
    assert.ok(c.irtt !== undefined && c.irtt > 0);
  });

  test('a retransmitted SYN (same ISN) stays in the same connection', () => {
    const cv = new Conversation();
    cv.c(F.SYN, C);
    cv.c(F.SYN, C, 0, {}, 1);
    cv.s(F.SYN | A, S, C + 1);
    cv.c(A, C + 1, S + 1);
    const cs = track(cv.packets);
    assert.equal(cs.length, 1);
    assert.equal(cs[0]?.orig.syns, 2);
    assert.deepEqual(path(cs[0] as TcpConnection, 'resp'), ['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED']);
  });

  test('simultaneous open: both SYN-SENT → SYN-RECEIVED → ESTABLISHED', () => {
    const cv = new Conversation();
    cv.c(F.SYN, C);
    cv.s(F.SYN, S);
    cv.c(F.SYN | A, C, S + 1);
    cv.s(F.SYN | A, S, C + 1);
    cv.c(A, C + 1, S + 1);
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.deepEqual(path(c, 'orig'), ['CLOSED', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED']);
    assert.deepEqual(path(c, 'resp'), ['CLOSED', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED']);
  });

  test('refused: SYN answered by RST,ACK — the server was CLOSED all along', () => {
    const cv = new Conversation();
    cv.c(F.SYN, C);
    cv.s(F.RST | A, 0, C + 1);
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.equal(c.resp.initialState, 'CLOSED');
    assert.deepEqual(path(c, 'orig'), ['CLOSED', 'SYN-SENT', 'CLOSED']);
    assert.deepEqual(events(c, 'resp'), ['2:refuse']);
    assert.deepEqual(events(c, 'orig'), ['1:send-syn', '2:recv-rst']);
  });

  test('unanswered SYNs: the client stays SYN-SENT, the server never created the connection', () => {
    const cv = new Conversation();
    cv.c(F.SYN, C);
    cv.c(F.SYN, C, 0, {}, 1);
    cv.c(F.SYN, C, 0, {}, 2);
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.equal(c.orig.state, 'SYN-SENT');
    assert.equal(c.resp.state, 'CLOSED');
    assert.deepEqual(events(c, 'resp'), ['timer:no-connection']);
  });

  test('a SYN,ACK retransmitted after the client ACK shows the server dropped the ACK', () => {
    const cv = new Conversation();
    cv.c(F.SYN, C);
    cv.s(F.SYN | A, S, C + 1);
    cv.c(A, C + 1, S + 1);
    cv.s(F.SYN | A, S, C + 1, {}, 1);
    cv.c(A, C + 1, S + 1);
    cv.s(F.SYN | A, S, C + 1, {}, 2);
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.deepEqual(c.ackDropped, [3, 5]);
    assert.equal(c.orig.state, 'ESTABLISHED');
    assert.equal(c.resp.state, 'SYN-RECEIVED');
  });
});

describe('close', () => {
  test('client closes first: client ends in TIME-WAIT, server in CLOSED (four-way close)', () => {
    const cv = opened();
    cv.c(F.FIN | A, C + 21, S + 1); // 6
    cv.s(A, S + 1, C + 22); // 7
    cv.s(F.FIN | A, S + 1, C + 22); // 8
    cv.c(A, C + 22, S + 2); // 9
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.deepEqual(path(c, 'orig'), [
      'CLOSED',
      'SYN-SENT',
      'ESTABLISHED',
      'FIN-WAIT-1',
      'FIN-WAIT-2',
      'TIME-WAIT',
    ]);
    assert.deepEqual(path(c, 'resp'), [
      'LISTEN',
      'SYN-RECEIVED',
      'ESTABLISHED',
      'CLOSE-WAIT',
      'LAST-ACK',
      'CLOSED',
    ]);
    assert.equal(c.closer, 'orig');
    const tw = c.orig.timeWaitStart as number;
    assert.equal(c.orig.timeWaitEnd, tw + 60);
    assert.equal(c.resp.timeWaitStart, undefined);
  });

  test('server closes first: the server holds TIME-WAIT; --msl changes 2×MSL', () => {
    const cv = opened();
    cv.s(F.FIN | A, S + 1, C + 21);
    cv.c(F.FIN | A, C + 21, S + 2);
    cv.s(A, S + 2, C + 22);
    const [c] = track(cv.packets, 10);
    assert.ok(c);
    assert.equal(c.closer, 'resp');
    assert.equal(c.resp.state, 'TIME-WAIT');
    assert.equal(c.orig.state, 'CLOSED');
    assert.equal((c.resp.timeWaitEnd as number) - (c.resp.timeWaitStart as number), 20);
  });

  test('simultaneous close: FINs cross, both go FIN-WAIT-1 → CLOSING → TIME-WAIT', () => {
    const cv = opened();
    cv.c(F.FIN | A, C + 21, S + 1); // 6
    cv.s(F.FIN | A, S + 1, C + 21); // 7: does not ACK the client's FIN
    cv.c(A, C + 22, S + 2); // 8
    cv.s(A, S + 2, C + 22); // 9
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.deepEqual(path(c, 'orig'), [
      'CLOSED',
      'SYN-SENT',
      'ESTABLISHED',
      'FIN-WAIT-1',
      'CLOSING',
      'TIME-WAIT',
    ]);
    assert.deepEqual(path(c, 'resp'), [
      'LISTEN',
      'SYN-RECEIVED',
      'ESTABLISHED',
      'FIN-WAIT-1',
      'CLOSING',
      'TIME-WAIT',
    ]);
    assert.equal(c.closer, 'both');
    assert.ok(events(c, 'resp').includes('7:recv-fin-crossed'));
  });

  test('half-close: the server keeps sending after the client FIN', () => {
    const cv = opened();
    cv.c(F.FIN | A, C + 21, S + 1); // 6
    cv.s(A, S + 1, C + 22); // 7
    cv.s(F.PSH | A, S + 1, C + 22, { payload: 1000 }); // 8
    cv.c(A, C + 22, S + 1001); // 9
    cv.s(F.FIN | A, S + 1001, C + 22); // 10
    cv.c(A, C + 22, S + 1002); // 11
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.equal(c.resp.seqBytes(), 1000);
    assert.deepEqual(path(c, 'orig'), [
      'CLOSED',
      'SYN-SENT',
      'ESTABLISHED',
      'FIN-WAIT-1',
      'FIN-WAIT-2',
      'TIME-WAIT',
    ]);
    assert.deepEqual(path(c, 'resp'), [
      'LISTEN',
      'SYN-RECEIVED',
      'ESTABLISHED',
      'CLOSE-WAIT',
      'LAST-ACK',
      'CLOSED',
    ]);
  });

  test('a retransmitted FIN changes nothing', () => {
    const cv = opened();
    cv.c(F.FIN | A, C + 21, S + 1);
    cv.c(F.FIN | A, C + 21, S + 1, {}, 0.3);
    cv.s(F.FIN | A, S + 1, C + 22);
    cv.c(A, C + 22, S + 2);
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.equal(c.orig.fins, 2);
    assert.equal(c.orig.state, 'TIME-WAIT');
    assert.equal(c.resp.state, 'CLOSED');
  });

  test('TIME-WAIT ends after 2×MSL of capture time', () => {
    const cv = opened();
    cv.c(F.FIN | A, C + 21, S + 1);
    cv.s(F.FIN | A, S + 1, C + 22);
    cv.c(A, C + 22, S + 2);
    // Unrelated traffic 70 s later advances the capture clock.
    const other = new Conversation(
      { addr: '10.0.0.9', port: 5555 },
      { addr: '10.0.0.2', port: 22 },
      1_700_000_070,
    );
    other.c(F.SYN, 1);
    const [c] = track([...cv.packets, ...other.packets]);
    assert.ok(c);
    assert.equal(c.orig.state, 'CLOSED');
    assert.ok(events(c, 'orig').includes('timer:timewait-expired'));
  });
});

describe('RST in every state', () => {
  const rstCases: [string, (cv: Conversation) => void, 'orig' | 'resp', string][] = [
    [
      'SYN-RECEIVED (server aborts after its SYN,ACK)',
      (cv) => {
        cv.c(F.SYN, C);
        cv.s(F.SYN | A, S, C + 1);
        cv.s(F.RST, S + 1);
      },
      'resp',
      'SYN-RECEIVED',
    ],
    [
      'ESTABLISHED (client aborts)',
      (cv) => {
        opened(cv);
        cv.c(F.RST | A, C + 21, S + 1);
      },
      'orig',
      'ESTABLISHED',
    ],
    [
      'FIN-WAIT-1 (server resets the closing client)',
      (cv) => {
        opened(cv);
        cv.c(F.FIN | A, C + 21, S + 1);
        cv.s(F.RST | A, S + 1, C + 22);
      },
      'resp',
      'CLOSE-WAIT',
    ],
    [
      'FIN-WAIT-2',
      (cv) => {
        opened(cv);
        cv.c(F.FIN | A, C + 21, S + 1);
        cv.s(A, S + 1, C + 22);
        cv.s(F.RST | A, S + 1, C + 22);
      },
      'resp',
      'CLOSE-WAIT',
    ],
    [
      'LAST-ACK (the passive closer aborts while waiting for the last ACK)',
      (cv) => {
        opened(cv);
        cv.c(F.FIN | A, C + 21, S + 1);
        cv.s(F.FIN | A, S + 1, C + 22);
        cv.s(F.RST | A, S + 2, C + 22, {}, 0.5);
      },
      'resp',
      'LAST-ACK',
    ],
  ];
  for (const [name, build, sender, senderFrom] of rstCases) {
    test(name, () => {
      const cv = new Conversation();
      build(cv);
      const [c] = track(cv.packets);
      assert.ok(c);
      const last = cv.packets.length;
      const sent = c.orderedTransitions().find((t) => t.side === sender && t.event === 'send-rst');
      assert.ok(sent, 'sender moves to CLOSED');
      assert.equal(sent.from, senderFrom);
      assert.equal(sent.packet, last);
      assert.equal(c.endpoint(sender).state, 'CLOSED');
      assert.equal(c.endpoint(sender === 'orig' ? 'resp' : 'orig').state, 'CLOSED');
    });
  }

  test('RST in TIME-WAIT ends it early (Linux; RFC 1337)', () => {
    const cv = opened();
    cv.c(F.FIN | A, C + 21, S + 1);
    cv.s(F.FIN | A, S + 1, C + 22);
    cv.c(A, C + 22, S + 2);
    cv.s(F.RST, S + 2, 0, {}, 1);
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.equal(c.orig.state, 'CLOSED');
    assert.ok(events(c, 'orig').includes('9:recv-rst'));
  });

  test('a RST outside the receive window is ignored and flagged', () => {
    const cv = opened();
    cv.s(F.RST, S + 1 + 5_000_000);
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.equal(c.orig.state, 'ESTABLISHED');
    assert.equal(c.resp.state, 'CLOSED');
    assert.ok(c.anomalies.some((a) => a.id === 'tcp.rst-out-of-window'));
  });

  test('a RST,ACK to a SYN that does not acknowledge it is ignored', () => {
    const cv = new Conversation();
    cv.c(F.SYN, C);
    cv.s(F.RST | A, 0, C + 100);
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.equal(c.orig.state, 'SYN-SENT');
  });
});

describe('mid-stream pickup and reuse', () => {
  test('a capture that starts mid-connection assumes ESTABLISHED and guesses the server by port', () => {
    const cv = new Conversation({ addr: '10.0.0.2', port: 80 }, { addr: '10.0.0.1', port: 40000 });
    cv.c(F.PSH | A, S + 1, C + 21, { payload: 100 }); // from port 80 first
    cv.s(A, C + 21, S + 101);
    const [c] = track(cv.packets);
    assert.ok(c);
    assert.equal(c.origin, 'midstream');
    assert.equal(c.resp.port, 80);
    assert.equal(c.orig.state, 'ESTABLISHED');
    assert.ok(c.anomalies.some((a) => a.id === 'tcp.midstream'));
  });

  test('a new SYN during TIME-WAIT with a higher ISN is a legitimate reuse', () => {
    const cv = opened();
    cv.c(F.FIN | A, C + 21, S + 1);
    cv.s(F.FIN | A, S + 1, C + 22);
    cv.c(A, C + 22, S + 2);
    cv.c(F.SYN, C + 22 + 65537, 0, {}, 0.05);
    const cs = track(cv.packets);
    assert.equal(cs.length, 2);
    const [old, next] = cs as [TcpConnection, TcpConnection];
    assert.equal(next.reusedFrom, old.id);
    assert.ok(next.timeWaitReuse);
    assert.equal(next.timeWaitReuse.holder, 'orig');
    assert.equal(next.timeWaitReuse.legitimate, true);
    assert.ok(next.timeWaitReuse.beforeDeadline > 59 && next.timeWaitReuse.beforeDeadline < 60);
    assert.ok(events(old, 'orig').includes('9:timewait-reused'));
  });

  test('a reuse with a lower ISN and no timestamps is flagged as not safe', () => {
    const cv = opened();
    cv.c(F.FIN | A, C + 21, S + 1);
    cv.s(F.FIN | A, S + 1, C + 22);
    cv.c(A, C + 22, S + 2);
    cv.c(F.SYN, C - 1000, 0, {}, 0.05);
    const [, next] = track(cv.packets);
    assert.equal(next?.timeWaitReuse?.legitimate, false);
  });

  test('a reuse with a newer TCP timestamp is legitimate even with a lower ISN (RFC 6191)', () => {
    const cv = new Conversation();
    const o = (v: number) => ({ options: [...opt.mss(1460), ...opt.ts(v, 0)] });
    cv.c(F.SYN, C, 0, o(1000));
    cv.s(F.SYN | A, S, C + 1, o(5000));
    cv.c(A, C + 1, S + 1, { options: opt.ts(1001, 5000) });
    cv.c(F.FIN | A, C + 1, S + 1, { options: opt.ts(1002, 5000) });
    cv.s(F.FIN | A, S + 1, C + 2, { options: opt.ts(5001, 1002) });
    cv.c(A, C + 2, S + 2, { options: opt.ts(1003, 5001) });
    cv.c(F.SYN, C - 5000, 0, o(1100), 0.1);
    const [, next] = track(cv.packets);
    assert.equal(next?.timeWaitReuse?.legitimate, true);
    assert.match(next?.timeWaitReuse?.reason ?? '', /6191/);
  });
});
