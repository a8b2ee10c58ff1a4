/**
 * Limits (ARCHITECTURE principle 13): per-direction bytes and pieces, the shared budget for
 * out-of-order bytes and for history rings, the anomaly cap. Hitting one skips the hole before the
 * earliest buffered data with `tcp.reassembly.limit`, and the memory comes back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HISTORY_IDLE, PIECE_OVERHEAD, ReassemblyBudget } from '../../../src/flow/tcp/reassembly.js';
import { Harness } from './helpers.js';

const x = (n: number, c = 'x') => c.repeat(n);

describe('per-direction limits', () => {
  test('buffered bytes: the hole before the earliest buffered byte is skipped, what follows delivered', () => {
    const h = new Harness({ maxBufferedBytes: 100 });
    h.send(10, x(30, 'a'));
    h.send(40, x(30, 'b'));
    h.send(70, x(30, 'c'));
    assert.equal(h.r.buffered, 90);
    assert.deepEqual(h.out.events, []);
    h.send(100, x(30, 'd')); // 120 > 100
    assert.deepEqual(h.out.events, ['gap 10', 'data 30', 'data 30', 'data 30', 'data 30']);
    assert.deepEqual(h.ids(), ['tcp.reassembly.limit']);
    assert.match(
      h.r.anomalies[0]?.detail ?? '',
      /over 100 buffered bytes: skipped 10 bytes at stream offset 0/,
    );
    assert.equal(h.r.buffered, 0);
    assert.equal(h.budget.buffered, 0);
    assert.equal(h.r.stats.limitSkips, 1);
    assert.equal(h.r.stats.limitBytes, 10);
    assert.equal(h.r.stats.peakBuffered, 90);
  });

  test('a segment before the buffered ones is the earliest: only its hole is skipped', () => {
    const h = new Harness({ maxBufferedBytes: 50 });
    h.send(60, x(40, 'b'));
    h.send(20, x(20, 'a')); // 60 > 50: the earliest buffered byte would be this segment's
    assert.deepEqual(h.out.events, ['gap 20', 'data 20']);
    assert.equal(h.r.buffered, 40);
    h.send(40, x(20, 'm'));
    assert.equal(h.out.text(), `<20>${x(20, 'a')}${x(20, 'm')}${x(40, 'b')}`);
  });

  test('buffered pieces: too many small segments skip a hole', () => {
    const h = new Harness({ maxBufferedSegments: 3 });
    h.send(2, 'c');
    h.send(4, 'e');
    h.send(6, 'g');
    h.send(8, 'i');
    assert.deepEqual(h.out.events, ['gap 2', 'data 1']);
    assert.match(h.r.anomalies[0]?.detail ?? '', /over 3 buffered segments/);
    assert.equal(h.r.bufferedPieces, 3);
  });

  test('a segment larger than the limit alone is delivered after skipping its hole', () => {
    const h = new Harness({ maxBufferedBytes: 10 });
    h.send(5, x(20));
    assert.deepEqual(h.out.events, ['gap 5', 'data 20']);
  });

  test('limit 0: every hole is skipped at once', () => {
    const h = new Harness({ maxBufferedBytes: 0 });
    h.send(0, 'ab');
    h.send(4, 'ef');
    h.send(2, 'cd');
    assert.equal(h.out.text(), 'ab<2>ef');
  });
});

describe('the shared budget', () => {
  test('one direction holding the budget makes another skip its holes; freed at close', () => {
    const budget = new ReassemblyBudget(100 + PIECE_OVERHEAD);
    const a = new Harness({}, 2 ** 32 - 10, budget);
    const b = new Harness({}, 5000, budget);
    a.send(10, x(100, 'a'));
    assert.equal(budget.buffered, 100 + PIECE_OVERHEAD);
    b.send(10, x(5, 'b')); // nothing left in the budget: b skips its own hole
    assert.deepEqual(b.out.events, ['gap 10', 'data 5']);
    assert.deepEqual(b.ids(), ['tcp.reassembly.limit']);
    assert.match(b.r.anomalies[0]?.detail ?? '', /shared budget of 196 bytes exhausted/);
    assert.equal(budget.refusedBuffered, 1);
    a.close();
    assert.equal(budget.buffered, 0);
    b.send(20, x(5, 'c'));
    assert.equal(b.r.buffered, 5);
    b.close();
    assert.equal(budget.buffered, 0);
    assert.equal(budget.history, 0);
    assert.equal(budget.peakBuffered, 100 + PIECE_OVERHEAD);
  });

  test('history rings grow with the stream up to their limit and come back at the end', () => {
    const budget = new ReassemblyBudget();
    const h = new Harness({ historyBytes: 8192 }, 1, budget);
    h.send(0, x(100));
    assert.equal(h.r.historySize, 1024);
    h.send(100, x(3000));
    assert.equal(h.r.historySize, 4096);
    // Growing kept the bytes: a conflicting retransmission of byte 50 is still caught.
    h.send(50, 'Y');
    assert.deepEqual(h.ids(), ['tcp.reassembly.overlap-conflict']);
    h.send(3100, x(9000));
    assert.equal(h.r.historySize, 8192);
    assert.equal(budget.history, 8192);
    h.send(12100 - 8192, 'Y'); // the oldest byte kept
    h.send(12100 - 8193, 'Y'); // one older: no longer kept
    assert.equal(h.r.stats.conflicts, 2);
    assert.equal(h.r.stats.unverifiedBytes, 1);
    h.fin(12100);
    assert.equal(budget.history, 0);
  });

  test('history budget exhausted: a note, and retransmissions go unverified', () => {
    const budget = new ReassemblyBudget(64 * 1024 * 1024, 1024);
    const a = new Harness({}, 1, budget);
    const b = new Harness({}, 2, budget);
    a.send(0, x(10));
    b.send(0, x(10));
    b.send(0, x(10, 'y'));
    assert.deepEqual(b.ids(), ['tcp.reassembly.history-limit']);
    assert.equal(b.r.stats.unverifiedBytes, 10);
    assert.equal(b.r.stats.conflicts, 0);
  });

  test('a full budget takes the ring of a stream idle for HISTORY_IDLE seconds, not of one still sending', () => {
    const budget = new ReassemblyBudget(64 * 1024 * 1024, 2048);
    const idle = new Harness({ historyBytes: 1024 }, 1, budget);
    const busy = new Harness({ historyBytes: 1024 }, 2, budget);
    const late = new Harness({ historyBytes: 1024 }, 3, budget);
    idle.send(0, x(10)); // t = 0.001, then quiet
    busy.ts = HISTORY_IDLE - 1;
    busy.send(0, x(10)); // the budget is now full
    late.ts = HISTORY_IDLE + 0.5;
    late.send(0, x(10)); // idle has sent nothing for HISTORY_IDLE s; busy sent 1.5 s ago
    assert.deepEqual(late.ids(), []);
    assert.equal(late.r.historySize, 1024);
    assert.equal(idle.r.historySize, 0);
    assert.equal(busy.r.historySize, 1024);
    assert.equal(budget.reclaimedHistory, 1);
    assert.equal(budget.refusedHistory, 0);
    assert.equal(budget.history, 2048);
    // The idle stream's old bytes can no longer be checked: unverified, not a conflict.
    idle.ts = late.ts;
    idle.send(0, x(10, 'y'));
    assert.equal(idle.r.stats.unverifiedBytes, 10);
    assert.equal(idle.r.stats.conflicts, 0);
    // The busy stream kept its ring: a conflicting copy is still caught.
    busy.send(5, 'Y');
    assert.equal(busy.r.stats.conflicts, 1);
    // New data on the idle stream: busy and late are recent, so it goes without history, with a note.
    idle.send(10, x(10));
    assert.equal(idle.r.historySize, 0);
    assert.deepEqual(idle.ids(), ['tcp.reassembly.history-limit']);
    assert.equal(budget.refusedHistory, 1);
    // Ending streams give their rings back; nothing is left held.
    for (const h of [idle, busy, late]) h.close();
    assert.equal(budget.history, 0);
  });

  test('a retransmission counts as sending: its stream keeps its ring for HISTORY_IDLE seconds more', () => {
    const budget = new ReassemblyBudget(64 * 1024 * 1024, 1024);
    const a = new Harness({ historyBytes: 1024 }, 1, budget);
    const b = new Harness({ historyBytes: 1024 }, 2, budget);
    a.send(0, x(10));
    a.ts = HISTORY_IDLE - 1;
    a.send(0, x(10)); // a retransmission carries data: a is active at HISTORY_IDLE - 1
    b.ts = HISTORY_IDLE + 0.5;
    b.send(0, x(10));
    assert.equal(a.r.historySize, 1024);
    assert.deepEqual(b.ids(), ['tcp.reassembly.history-limit']);
    b.ts = 2 * HISTORY_IDLE;
    b.send(10, x(1030)); // up to its retry point (a ring's worth of stream after the refusal)…
    assert.equal(b.r.historySize, 0);
    b.send(1040, x(10)); // …past it: b asks again, and a has now been quiet long enough
    assert.equal(b.r.historySize, 1024);
    assert.equal(a.r.historySize, 0);
    assert.equal(budget.reclaimedHistory, 1);
  });

  test('a ring made after a refusal vouches only for what came after it', () => {
    const budget = new ReassemblyBudget(64 * 1024 * 1024, 1024);
    const a = new Harness({ historyBytes: 1024 }, 1, budget);
    const b = new Harness({ historyBytes: 1024 }, 2, budget);
    a.send(0, x(10));
    b.send(0, x(10)); // refused: a holds the whole budget
    a.fin(10); // a's ring goes back to the budget (and to the spare rings)
    b.send(10, x(1014));
    b.send(1024, x(10)); // b asks again and gets a ring, from offset 1024 on
    assert.equal(b.r.historySize, 1024);
    // A faithful copy of byte 500, which b's ring never held: unverified, not a conflict.
    b.send(500, 'x');
    assert.equal(b.r.stats.conflicts, 0);
    assert.equal(b.r.stats.unverifiedBytes, 1);
    // A byte the ring did keep is still checked.
    b.send(1030, 'Y');
    assert.equal(b.r.stats.conflicts, 1);
  });
});

describe('anomaly cap', () => {
  test('at most maxAnomalies recorded, the last one says more were dropped; counters keep counting', () => {
    const h = new Harness({ maxAnomalies: 4 });
    h.send(0, x(10));
    for (let i = 0; i < 10; i++) h.send(i, 'z');
    assert.deepEqual(h.ids(), [
      'tcp.reassembly.overlap-conflict',
      'tcp.reassembly.overlap-conflict',
      'tcp.reassembly.overlap-conflict',
      'tcp.reassembly.anomalies-truncated',
    ]);
    assert.equal(h.r.stats.conflicts, 9); // the 1-byte segment at offset 9 is a keep-alive probe
    assert.equal(h.r.stats.keepalives, 1);
    assert.equal(h.r.stats.anomaliesDropped, 6);
  });
});
