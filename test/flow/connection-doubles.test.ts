/**
 * A connection's times, its endpoints' TIME-WAIT times and packed sequence numbers live behind
 * accessors, in shared arrays of doubles (core/doubles.ts) or packed int32 fields. Each accessor
 * must read back what it was given and nothing another one wrote: two names sharing a slot would
 * still type-check.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { doublesTemplate, maybe, setMaybe } from '../../src/core/doubles.js';
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

describe('core/doubles', () => {
  test('a template copies its values, and absent values round-trip as undefined', () => {
    const t = doublesTemplate([0, 1, -2.5, Number.NaN, 1700000000.000242]);
    const d = t.slice();
    assert.deepEqual(d, [0, 1, -2.5, Number.NaN, 1700000000.000242]);
    assert.equal(maybe(d, 3), undefined);
    assert.equal(maybe(d, 0), 0);
    setMaybe(d, 0, undefined);
    assert.equal(maybe(d, 0), undefined);
    setMaybe(d, 3, -0.5);
    assert.equal(maybe(d, 3), -0.5);
  });
});

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
