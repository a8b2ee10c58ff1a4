/** The listener analysis's fact rows: what goes in comes out, and peaks match a plain event sweep. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ConnFact, ListenerFacts, peakOverlap } from '../../src/flow/tcp/listener-facts.js';
import { rng } from '../helpers/rng.js';

/** The model: every interval as a +1 and a -1 event, sorted by time (ends first on ties), swept. */
function modelPeak(
  intervals: readonly (readonly [number, number])[],
): { count: number; at: number } | undefined {
  if (intervals.length === 0) return undefined;
  const ev: [number, number][] = [];
  for (const [a, b] of intervals) ev.push([a, 1], [Math.max(a, b), -1]);
  ev.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let cur = 0;
  let best = 0;
  let at = ev[0]?.[0] ?? 0;
  for (const [t, d] of ev) {
    cur += d;
    if (cur > best) {
      best = cur;
      at = t;
    }
  }
  // No interval was ever open (all empty): no peak.
  return best > 0 ? { count: best, at } : undefined;
}

function randomFact(r: () => number, id: number): ConnFact {
  // Coarse times: many ties between starts and ends, and empty intervals.
  const t = () => 1_700_000_000 + Math.floor(r() * 20) / 4;
  const start = t();
  const interval = (): [number, number] | undefined => (r() < 0.6 ? [t(), t()] : undefined);
  return {
    id,
    clientAddr: `10.0.${Math.floor(r() * 4)}.${Math.floor(r() * 250)}`,
    clientPort: Math.floor(r() * 65536),
    start,
    end: start + Math.floor(r() * 8) / 4,
    synRetrans: r() < 0.1 ? 1 + Math.floor(r() * 2) : 0,
    synAcked: r() < 0.7,
    refused: r() < 0.1,
    established: r() < 0.6,
    ackDropped: r() < 0.1 ? 1 + Math.floor(r() * 3) : 0,
    abortAfterHandshake: r() < 0.05,
    cookieEvidence: r() < 0.05 ? `evidence ${id}` : undefined,
    halfOpen: interval(),
    unserved: interval(),
  };
}

/** The facts a finding can name, by the rule each finding uses (see `summarise` in listeners.ts). */
function nameable(f: ConnFact): boolean {
  return (
    f.synRetrans > 0 || // syn-dropped
    f.ackDropped > 0 || // ack-dropped
    f.abortAfterHandshake || // abort-on-overflow
    (!f.synAcked && !f.refused) || // lone-syns, and every fact of a silent listener (no-answer)
    f.cookieEvidence !== undefined // syn-cookies
  );
}

test('every fact counts; those a finding can name read back whole, in order, past the first growth', () => {
  const r = rng(7);
  const facts = new ListenerFacts();
  const input: ConnFact[] = [];
  for (let id = 1; id <= 300; id++) {
    const f = randomFact(r, id);
    input.push(f);
    facts.push(f);
  }
  assert.equal(facts.length, input.length);
  const answered = input.filter((f) => f.synAcked);
  assert.equal(facts.answeredFrom, Math.min(...answered.map((f) => f.start)));
  assert.equal(facts.answeredTo, Math.max(...answered.map((f) => f.end)));
  const rows = Array.from({ length: facts.rowCount }, (_, i) => ({
    id: facts.id(i),
    clientAddr: facts.clientAddr(i),
    clientPort: facts.clientPort(i),
    start: facts.start(i),
    end: facts.end(i),
    synRetrans: facts.synRetrans(i),
    synAcked: facts.synAcked(i),
    refused: facts.refused(i),
    established: facts.established(i),
    ackDropped: facts.ackDropped(i),
    abortAfterHandshake: facts.abortAfterHandshake(i),
    cookieEvidence: facts.cookieEvidence(i),
  }));
  // Every nameable fact is there, in order; whatever else is kept is at least unanswered or refused.
  assert.deepEqual(
    rows.filter((x) => nameable({ ...x, halfOpen: undefined, unserved: undefined })).map((x) => x.id),
    input.filter(nameable).map((f) => f.id),
  );
  const byId = new Map(input.map((f) => [f.id, f]));
  for (const x of rows) {
    const f = byId.get(x.id);
    assert.ok(f);
    const { halfOpen: _h, unserved: _u, ...whole } = f;
    assert.deepEqual(x, whole, `fact ${x.id}`);
  }
  assert.ok(input.filter((f) => !nameable(f) && !f.refused).length > 100, 'most facts are ordinary');
  assert.ok(rows.length < input.length, 'ordinary facts are not kept whole');
});

test('peaks of the half-open and unserved intervals match the event sweep', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const r = rng(seed);
    const facts = new ListenerFacts();
    const input: ConnFact[] = [];
    const n = Math.floor(r() * 40);
    for (let id = 1; id <= n; id++) {
      const f = randomFact(r, id);
      input.push(f);
      facts.push(f);
    }
    const half = input.flatMap((f) => (f.halfOpen ? [f.halfOpen] : []));
    const unserved = input.flatMap((f) => (f.unserved ? [f.unserved] : []));
    assert.deepEqual(facts.peakHalfOpen(), modelPeak(half), `seed ${seed} half-open`);
    assert.deepEqual(facts.peakUnserved(), modelPeak(unserved), `seed ${seed} unserved`);
  }
});

test('peakOverlap: touching intervals do not overlap; empty ones never count', () => {
  assert.equal(peakOverlap(new Float64Array(0), new Float64Array(0)), undefined);
  assert.deepEqual(peakOverlap(Float64Array.of(1, 2), Float64Array.of(2, 3)), { count: 1, at: 1 });
  assert.deepEqual(peakOverlap(Float64Array.of(1, 2, 2.5), Float64Array.of(3, 4, 2.6)), {
    count: 3,
    at: 2.5,
  });
  assert.equal(
    peakOverlap(Float64Array.of(5, 5), Float64Array.of(5, 5)),
    undefined,
    'only empty intervals: no peak',
  );
  assert.deepEqual(peakOverlap(Float64Array.of(5, 5, 6), Float64Array.of(5, 5, 7)), { count: 1, at: 6 });
});
