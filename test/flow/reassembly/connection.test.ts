/**
 * `ConnectionReassembler` as a tracker analyser, on conversations built as real frames (ISNs just
 * below 2^32): segments go to their sender's stream, ACKs to the other's `ackedUpTo`, a RST the
 * receiver accepts ends both streams, an out-of-window RST ends nothing, anomalies reach the connection.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Packet } from '../../../src/decode/types.js';
import type { TcpConnection } from '../../../src/flow/tcp/connection.js';
import { ConnectionReassembler, ReassemblyBudget } from '../../../src/flow/tcp/reassembly.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../../src/flow/tcp/tracker.js';
import { Conversation, F } from '../../helpers/build.js';
import { Recorder, te } from './helpers.js';

const C = 0xfffffff0;
const S = 0xffffff00;
const A = F.ACK;
const PA = F.PSH | F.ACK;

interface Row {
  c: TcpConnection;
  client: Recorder;
  server: Recorder;
  r: ConnectionReassembler;
}

function run(packets: readonly Packet[], budget = new ReassemblyBudget()): Row[] {
  const rows: Row[] = [];
  const t = new TcpTracker(
    {
      ...DEFAULT_TCP_OPTIONS,
      analyzers: (c) => {
        const client = new Recorder();
        const server = new Recorder();
        const r = new ConnectionReassembler({ orig: client, resp: server }, budget);
        rows.push({ c, client, server, r });
        return [r];
      },
    },
    { connectionEnd: (c) => rows.find((x) => x.c === c)?.r.onEnd(c) },
  );
  for (const p of packets) t.process(p);
  t.finish();
  assert.equal(budget.buffered, 0);
  assert.equal(budget.history, 0);
  return rows;
}

function handshake(cv = new Conversation()): Conversation {
  cv.c(F.SYN, C);
  cv.s(F.SYN | A, S, C + 1);
  cv.c(A, C + 1, S + 1);
  return cv;
}

describe('ConnectionReassembler through the tracker', () => {
  test('request and response, the response reordered, both closed by FIN', () => {
    const cv = handshake();
    cv.c(PA, C + 1, S + 1, { payload: te('GET / HTTP/1.1\r\n\r\n') });
    cv.s(PA, S + 1 + 9, C + 19, { payload: te('200 OK\r\n\r\n') });
    cv.s(PA, S + 1, C + 19, { payload: te('HTTP/1.1 ') });
    cv.c(A, C + 19, S + 20);
    cv.c(F.FIN | A, C + 19, S + 20);
    cv.s(F.FIN | A, S + 20, C + 20);
    cv.c(A, C + 20, S + 21);
    const [row] = run(cv.packets);
    assert.ok(row);
    assert.equal(row.client.text(), 'GET / HTTP/1.1\r\n\r\n');
    assert.equal(row.server.text(), 'HTTP/1.1 200 OK\r\n\r\n');
    assert.equal(row.client.ended, 'fin');
    assert.equal(row.server.ended, 'fin');
    assert.deepEqual(row.c.anomalies, []);
  });

  test('a lost server segment the client acknowledged: a gap on the connection, reported by the client ACK', () => {
    const cv = handshake();
    cv.c(PA, C + 1, S + 1, { payload: te('GET /') });
    cv.s(PA, S + 1, C + 6, { payload: te('abc') });
    // S+4..S+7 never captured
    cv.s(PA, S + 7, C + 6, { payload: te('ghi') });
    cv.c(A, C + 6, S + 10);
    const [row] = run(cv.packets);
    assert.ok(row);
    assert.equal(row.server.text(), 'abc<3>ghi');
    assert.deepEqual(
      row.c.anomalies.map((a) => a.id),
      ['tcp.reassembly.gap'],
    );
    assert.match(row.c.anomalies[0]?.detail ?? '', /^resp: packet 7: 3 bytes .* acknowledged by the peer/);
  });

  test('a RST ends both streams; data crossing it is left out', () => {
    const cv = handshake();
    cv.c(PA, C + 1, S + 1, { payload: te('hello') });
    cv.s(F.RST | A, S + 1, C + 6);
    cv.c(PA, C + 6, S + 1, { payload: te('late') });
    const [row] = run(cv.packets);
    assert.ok(row);
    assert.equal(row.client.text(), 'hello');
    assert.equal(row.client.ended, 'rst');
    assert.equal(row.server.ended, 'rst');
    assert.deepEqual(
      row.c.anomalies.map((a) => a.id),
      ['tcp.reassembly.data-after-end'],
    );
  });

  test('a RST outside the receive window ends nothing', () => {
    const cv = handshake();
    cv.c(PA, C + 1, S + 1, { payload: te('hello') });
    cv.s(A, S + 1, C + 6, { win: 100 });
    cv.c(F.RST, C + 1_000_000, 0); // far outside the server's window
    cv.c(PA, C + 6, S + 1, { payload: te(' world') });
    const [row] = run(cv.packets);
    assert.ok(row);
    assert.ok(row.c.anomalies.some((a) => a.id === 'tcp.rst-out-of-window'));
    assert.equal(row.client.text(), 'hello world');
    assert.equal(row.client.ended, 'close');
  });

  test('capture begins at the SYN,ACK: the client stream is anchored by its ACK', () => {
    const cv = new Conversation();
    cv.s(F.SYN | A, S, C + 1);
    cv.c(A, C + 1, S + 1);
    cv.c(PA, C + 1, S + 1, { payload: te('GET /') });
    const [row] = run(cv.packets);
    assert.ok(row);
    assert.equal(row.client.text(), 'GET /');
    assert.equal(row.r.orig.origin, 'ack');
    assert.equal(row.r.resp.origin, 'syn');
  });

  test('a connection retired by the tracker (capture end) closes both streams with the held bytes', () => {
    const cv = handshake();
    cv.c(PA, C + 1, S + 1, { payload: te('ab') });
    cv.c(PA, C + 5, S + 1, { payload: te('ef') });
    const [row] = run(cv.packets);
    assert.ok(row);
    assert.deepEqual(row.client.events, ['data 2', 'gap 2', 'data 2', 'end close']);
    assert.deepEqual(row.server.events, ['end close']);
  });
});
