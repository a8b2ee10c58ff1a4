/**
 * A connection's times and its endpoints' numbers (TIME-WAIT times, packed sequence numbers,
 * options, counters) live behind accessors, in a row of a typed-array store (flow/tcp/conn-rows.ts).
 * Each accessor must read back what it was given and nothing another one wrote: two names sharing a
 * slot would still type-check.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Seq, seq } from '../../src/core/seq.js';
import { TcpConnection } from '../../src/flow/tcp/connection.js';

/** Every optional time or TSval of a connection, and of its endpoints. */
const OPTIONAL = [
  'synTs',
  'synAckTs',
  'ackTs',
  'endTs',
  'synAckTsval',
  'nextRespTsval',
  'nextRespTs',
  'respSynReceivedTs',
  'respEstablishedTs',
  'respLeftSynReceivedTs',
  'respFinTs',
  'rstFromSynReceivedTs',
] as const;
const ALWAYS = ['startTs', 'lastTs', 'queuedAt', 'dueAt'] as const;

function connection(id: number, ts: number): TcpConnection {
  return new TcpConnection(id, 4, '10.0.0.1', 40000, '192.0.2.1', 80, 'syn', ts, 1);
}

describe('TcpConnection doubles', () => {
  test('a new connection: its start and last time, queuedAt 0, dueAt NaN, nothing else known', () => {
    const c = connection(1, 1700000000.000242);
    assert.equal(c.startTs, 1700000000.000242);
    assert.equal(c.lastTs, 1700000000.000242);
    assert.equal(c.queuedAt, 0);
    assert.ok(Number.isNaN(c.dueAt));
    for (const k of OPTIONAL) assert.equal(c[k], undefined, k);
    for (const ep of [c.orig, c.resp]) {
      assert.equal(ep.timeWaitStart, undefined);
      assert.equal(ep.timeWaitEnd, undefined);
      assert.equal(ep.isn, undefined);
      assert.equal(ep.finSeq, undefined);
    }
  });

  test('every accessor keeps its own value (no two share a slot), per connection', () => {
    const a = connection(1, 1);
    const b = connection(2, 2);
    let v = 1700000000.5;
    const want = new Map<string, number>();
    for (const k of [...OPTIONAL, ...ALWAYS]) {
      a[k] = v;
      want.set(k, v);
      v += 1.25;
    }
    a.orig.timeWaitStart = v;
    a.orig.timeWaitEnd = v + 1;
    a.resp.timeWaitStart = v + 2;
    a.resp.timeWaitEnd = v + 3;
    for (const [k, x] of want) assert.equal(a[k as keyof typeof a], x, k);
    assert.deepEqual(
      [a.orig.timeWaitStart, a.orig.timeWaitEnd, a.resp.timeWaitStart, a.resp.timeWaitEnd],
      [v, v + 1, v + 2, v + 3],
    );
    // The other connection saw none of it.
    for (const k of OPTIONAL) assert.equal(b[k], undefined, k);
    assert.equal(b.startTs, 2);
    assert.equal(b.orig.timeWaitEnd, undefined);
    // Back to unknown.
    for (const k of OPTIONAL) a[k] = undefined;
    for (const k of OPTIONAL) assert.equal(a[k], undefined, k);
    assert.equal(a.startTs, want.get('startTs'));
  });

  test('sequence numbers above 2^31 round-trip, and each endpoint keeps its own', () => {
    const c = connection(1, 1);
    const big = seq(0xfffffff0);
    c.orig.isn = big;
    c.orig.finSeq = seq(0x80000000);
    c.resp.isn = seq(0);
    assert.equal(c.orig.isn, big);
    assert.equal(c.orig.finSeq, 0x80000000 as Seq);
    assert.equal(c.resp.isn, 0 as Seq);
    assert.equal(c.resp.finSeq, undefined);
    c.orig.isn = undefined;
    assert.equal(c.orig.isn, undefined);
    assert.equal(c.orig.finSeq, 0x80000000 as Seq);
  });
});

/** An endpoint's numbers and flags (besides the times and sequence numbers above). */
const ENDPOINT_NUMBERS = [
  'mss',
  'wscale',
  'window',
  'lastTsval',
  'packets',
  'ipBytes',
  'payloadBytes',
  'syns',
  'synAcks',
  'fins',
  'rsts',
] as const;
const ENDPOINT_FLAGS = ['finAcked', 'synAcked', 'sackOk', 'timestamps'] as const;

describe('TcpEndpoint numbers', () => {
  test('a new endpoint: no MSS, window scale or window yet, counters 0, flags off', () => {
    const c = connection(1, 1);
    for (const ep of [c.orig, c.resp]) {
      assert.equal(ep.mss, undefined);
      assert.equal(ep.wscale, -1);
      assert.equal(ep.window, undefined);
      assert.equal(ep.lastTsval, undefined);
      for (const k of ['packets', 'ipBytes', 'payloadBytes', 'syns', 'synAcks', 'fins', 'rsts'] as const)
        assert.equal(ep[k], 0, k);
      for (const k of ENDPOINT_FLAGS) assert.equal(ep[k], false, k);
    }
  });

  test('every number and flag keeps its own value, per endpoint and per connection, across pages of rows', () => {
    // Enough connections to fill several pages of the store: a row on another page reads the same way.
    const conns = Array.from({ length: 9000 }, (_, i) => connection(i + 1, i));
    const value = (i: number, side: number, k: number) => (i * 7 + side * 3 + k) % 30000;
    conns.forEach((c, i) => {
      [c.orig, c.resp].forEach((ep, side) => {
        ENDPOINT_NUMBERS.forEach((k, j) => {
          ep[k] = value(i, side, j);
        });
        ENDPOINT_FLAGS.forEach((k, j) => {
          ep[k] = (i + side + j) % 2 === 0;
        });
      });
    });
    // Bytes and TSvals beyond 32-bit signed integers.
    const last = conns[8999] as TcpConnection;
    last.orig.payloadBytes = 5_000_000_000;
    last.resp.lastTsval = 0xfffffff0;
    conns.forEach((c, i) => {
      [c.orig, c.resp].forEach((ep, side) => {
        ENDPOINT_NUMBERS.forEach((k, j) => {
          if (c === last && ((side === 0 && k === 'payloadBytes') || (side === 1 && k === 'lastTsval')))
            return;
          assert.equal(ep[k], value(i, side, j), `${i} ${side} ${k}`);
        });
        ENDPOINT_FLAGS.forEach((k, j) => {
          assert.equal(ep[k], (i + side + j) % 2 === 0, `${i} ${side} ${k}`);
        });
      });
    });
    assert.equal(last.orig.payloadBytes, 5_000_000_000);
    assert.equal(last.resp.lastTsval, 0xfffffff0);
    // Unset again.
    last.orig.mss = undefined;
    last.orig.window = undefined;
    last.orig.lastTsval = undefined;
    assert.deepEqual(
      [last.orig.mss, last.orig.window, last.orig.lastTsval],
      [undefined, undefined, undefined],
    );
    assert.equal(last.resp.mss, value(8999, 1, 0));
    for (const c of conns) c.recycle();
  });
});
