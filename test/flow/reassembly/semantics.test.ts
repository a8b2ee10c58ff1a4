/**
 * Stream reassembly, case by case. Streams start at ISN = 2^32 - 10 unless said otherwise, so
 * every case crosses the sequence-number wraparound; segments are fed from a reused buffer that is
 * overwritten after each call. Assertions name stream text, sink events and anomaly ids.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seq } from '../../../src/core/seq.js';
import { ReassemblyBudget, StreamReassembler } from '../../../src/flow/tcp/reassembly.js';
import { FIN, Harness, ISN, NONE, permutations, Recorder, RST, SYN, te } from './helpers.js';

describe('in order', () => {
  test('segments in order are delivered at once, one chunk each, then FIN ends the stream', () => {
    const h = new Harness();
    h.send(0, 'GET / ');
    assert.deepEqual(h.out.events, ['data 6']);
    h.send(6, 'HTTP/1.1\r\n');
    h.fin(16);
    assert.equal(h.out.text(), 'GET / HTTP/1.1\r\n');
    assert.deepEqual(h.out.events, ['data 6', 'data 10', 'end fin']);
    assert.equal(h.r.stats.delivered, 16);
    assert.equal(h.r.origin, 'syn');
    assert.deepEqual(h.ids(), []);
  });

  test('in-order chunks are views of the caller buffer (no copy), with their own packet numbers', () => {
    const seen: Uint8Array[] = [];
    const r = new StreamReassembler(
      { data: (c) => seen.push(c), gap: () => {}, end: () => {} },
      new ReassemblyBudget(),
    );
    const buf = te('xxhello');
    r.segment(seq(ISN), new Uint8Array(0), 0, 1, SYN);
    r.segment(seq(ISN + 1), buf.subarray(2), 0, 2, NONE);
    assert.equal(seen[0]?.buffer, buf.buffer);
  });

  test('the FIN may carry the last bytes', () => {
    const h = new Harness();
    h.send(0, 'abc');
    h.fin(3, 'def');
    assert.equal(h.out.text(), 'abcdef');
    assert.equal(h.out.ended, 'fin');
  });

  test('data on the SYN (TCP Fast Open) is byte 0, and its retransmission after the handshake is a duplicate', () => {
    const h = new Harness({}, ISN, new ReassemblyBudget(), false);
    h.r.segment(seq(ISN), te('GET /tfo'), 0, 1, SYN);
    h.send(0, 'GET /tfo');
    h.send(8, ' HTTP/1.1');
    assert.equal(h.out.text(), 'GET /tfo HTTP/1.1');
    assert.equal(h.r.stats.retransmissions, 1);
    assert.deepEqual(h.ids(), []);
  });
});

describe('out of order', () => {
  test('reversed order: nothing until the first segment arrives, then everything', () => {
    const h = new Harness();
    h.send(8, 'ijkl');
    h.send(4, 'efgh');
    assert.deepEqual(h.out.events, []);
    assert.equal(h.r.buffered, 8);
    h.send(0, 'abcd');
    assert.equal(h.out.text(), 'abcdefghijkl');
    assert.equal(h.r.buffered, 0);
    assert.equal(h.budget.buffered, 0);
    assert.equal(h.r.stats.outOfOrder, 2);
  });

  test('buffered bytes are delivered with the packet that completed them', () => {
    const h = new Harness();
    h.send(4, 'efgh'); // packet 2
    h.send(0, 'abcd'); // packet 3
    assert.deepEqual(h.out.packets, [3, 3]);
  });

  const parts = ['Hel', 'lo, ', 'wor', 'ld!', ' :-)'];
  const offsets = parts.map((_, i) => parts.slice(0, i).join('').length);
  test(`every order of ${parts.length} segments (${permutations(parts).length}) delivers the same stream`, () => {
    for (const order of permutations([0, 1, 2, 3, 4])) {
      const h = new Harness();
      for (const i of order) h.send(offsets[i] as number, parts[i] as string);
      h.fin(parts.join('').length);
      assert.equal(h.out.text(), 'Hello, world! :-)', `order ${order}`);
      assert.equal(h.out.ended, 'fin');
      assert.equal(h.budget.buffered, 0);
      assert.deepEqual(h.ids(), []);
    }
  });

  test('every order of 4 overlapping segments and a FIN delivers the same stream', () => {
    // [0,6) [4,10) [8,14) [12,16) and a bare FIN at 16: each overlaps its neighbours by 2 bytes.
    const text = 'abcdefghijklmnop';
    const segs: Array<[number, number]> = [
      [0, 6],
      [4, 10],
      [8, 14],
      [12, 16],
      [16, 16],
    ];
    for (const order of permutations([0, 1, 2, 3, 4])) {
      const h = new Harness();
      for (const i of order) {
        const [a, b] = segs[i] as [number, number];
        h.send(a, text.slice(a, b), a === 16 ? FIN : NONE);
      }
      assert.equal(h.out.text(), text, `order ${order}`);
      assert.equal(h.out.ended, 'fin');
      assert.equal(h.r.stats.conflicts, 0);
      assert.deepEqual(h.ids(), []);
    }
  });
});

describe('retransmissions and overlaps (first copy wins)', () => {
  test('an identical retransmission is dropped and counted', () => {
    const h = new Harness();
    h.send(0, 'abcdef');
    h.send(0, 'abcdef');
    h.send(6, 'gh');
    assert.equal(h.out.text(), 'abcdefgh');
    assert.equal(h.r.stats.retransmissions, 1);
    assert.equal(h.r.stats.retransmittedBytes, 6);
    assert.equal(h.r.stats.conflicts, 0);
    assert.deepEqual(h.ids(), []);
  });

  test('a conflicting retransmission of delivered bytes is dropped, with the offsets that differ', () => {
    const h = new Harness();
    h.send(0, 'abcdef');
    h.send(0, 'abXYef');
    assert.equal(h.out.text(), 'abcdef');
    assert.deepEqual(h.ids(), ['tcp.reassembly.overlap-conflict']);
    assert.match(h.r.anomalies[0]?.detail ?? '', /2 of 6 repeated bytes differ .*offsets 2-4/);
    assert.equal(h.r.stats.conflicts, 1);
    assert.equal(h.r.stats.conflictBytes, 2);
  });

  test('a conflicting copy of buffered bytes loses to the buffered one', () => {
    const h = new Harness();
    h.send(4, 'EFGH');
    h.send(4, 'efgh');
    h.send(0, 'abcd');
    assert.equal(h.out.text(), 'abcdEFGH');
    assert.deepEqual(h.ids(), ['tcp.reassembly.overlap-conflict']);
  });

  test('an in-order segment overlapping buffered bytes keeps the buffered copy for the overlap', () => {
    const h = new Harness();
    h.send(4, 'EF');
    h.send(0, 'abcdefgh');
    assert.equal(h.out.text(), 'abcdEFgh');
    assert.deepEqual(h.ids(), ['tcp.reassembly.overlap-conflict']);
    assert.equal(h.r.stats.overlaps, 1);
  });

  test('partial overlap at the front: the old part is compared, the new part delivered', () => {
    const h = new Harness();
    h.send(0, 'abcdef');
    h.send(4, 'efghij');
    assert.equal(h.out.text(), 'abcdefghij');
    assert.equal(h.r.stats.overlaps, 1);
    assert.equal(h.r.stats.retransmittedBytes, 2);
    assert.deepEqual(h.ids(), []);
  });

  test('partial overlap at the back of buffered bytes, and a segment spanning two buffered pieces', () => {
    const h = new Harness();
    h.send(10, 'klmn');
    h.send(4, 'efgh');
    h.send(6, 'ghijkl'); // overlaps the back of [4,8) and the front of [10,14)
    h.send(2, 'cdefghijklmnopq'); // spans both pieces, sticks out at both ends
    assert.equal(h.r.bufferedPieces, 5);
    h.send(0, 'ab');
    assert.equal(h.out.text(), 'abcdefghijklmnopq');
    assert.deepEqual(h.ids(), []);
    assert.equal(h.r.stats.conflicts, 0);
  });

  test('a conflicting partial overlap is reported once for the segment', () => {
    const h = new Harness();
    h.send(0, 'abcdef');
    h.send(8, 'ijkl');
    h.send(4, 'eXghiJkl'); // 'X' differs from delivered, 'gh' fills the hole, 'J' differs from buffered
    assert.equal(h.out.text(), 'abcdefghijkl');
    const a = h.r.anomalies.filter((x) => x.id === 'tcp.reassembly.overlap-conflict');
    assert.equal(a.length, 1);
    assert.match(a[0]?.detail ?? '', /2 of 6 repeated bytes differ/);
  });

  test('a one-byte keep-alive probe just before the next byte is not a conflict', () => {
    const h = new Harness();
    h.send(0, 'abc');
    h.send(2, '\0');
    h.send(3, 'd');
    assert.equal(h.out.text(), 'abcd');
    assert.equal(h.r.stats.keepalives, 1);
    assert.deepEqual(h.ids(), []);
  });

  test('retransmissions older than the history ring are counted as unverified', () => {
    const h = new Harness({ historyBytes: 1024 });
    const big = new Uint8Array(4096).fill(0x41);
    h.send(0, big);
    h.send(0, new Uint8Array(100).fill(0x42));
    h.send(4000, new Uint8Array(96).fill(0x43));
    assert.equal(h.r.stats.unverifiedBytes, 100);
    assert.equal(h.r.stats.conflicts, 1);
    assert.equal(h.r.historySize, 1024);
  });
});

describe('gaps', () => {
  test('a hole filled later: no gap', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.send(4, 'ef');
    h.send(2, 'cd');
    h.close();
    assert.equal(h.out.text(), 'abcdef');
    assert.equal(h.r.stats.gapBytes, 0);
    assert.deepEqual(h.out.events, ['data 2', 'data 2', 'data 2', 'end close']);
  });

  test('a hole never filled is skipped at the end of the connection', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.send(5, 'fg');
    h.close();
    assert.equal(h.out.text(), 'ab<3>fg');
    assert.deepEqual(h.out.events, ['data 2', 'gap 3', 'data 2', 'end close']);
    assert.deepEqual(h.ids(), ['tcp.reassembly.gap']);
    assert.match(
      h.r.anomalies[0]?.detail ?? '',
      /3 bytes at stream offset 2 \(seq 4294967289\) never captured/,
    );
    assert.equal(h.r.stats.gapBytes, 3);
  });

  test('a FIN after a hole: the hole is skipped when the stream ends, and the end is the FIN', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.fin(5, 'fg');
    assert.deepEqual(h.out.events, ['data 2']);
    h.close();
    assert.deepEqual(h.out.events, ['data 2', 'gap 3', 'data 2', 'end fin']);
  });

  test('missing bytes right before a FIN are a gap up to the FIN', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.fin(6);
    h.close();
    assert.equal(h.out.text(), 'ab<4>');
    assert.equal(h.out.ended, 'fin');
  });

  test('the peer acknowledging past a hole skips it at once (the capture missed it)', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.send(5, 'fg');
    h.ack(2);
    assert.deepEqual(h.out.events, ['data 2']);
    h.ack(7);
    assert.deepEqual(h.out.events, ['data 2', 'gap 3', 'data 2']);
    assert.match(h.r.anomalies[0]?.detail ?? '', /acknowledged by the peer but never captured/);
    h.send(7, 'h');
    assert.equal(h.out.text(), 'ab<3>fgh');
  });

  test('an ACK past a hole with nothing after it yet: the hole is skipped when data after it comes', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.ack(5);
    assert.deepEqual(h.out.events, ['data 2']);
    h.send(5, 'fg');
    assert.deepEqual(h.out.events, ['data 2', 'gap 3', 'data 2']);
    assert.equal(h.r.buffered, 0);
  });

  test('bytes acknowledged but never seen at the end: a gap (one less when no FIN was seen: it may be the FIN)', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.ack(6);
    h.close();
    assert.deepEqual(h.out.events, ['data 2', 'gap 3', 'end close']);
    const g = new Harness();
    g.send(0, 'ab');
    g.ack(3); // the ACK of a FIN the capture missed
    g.close();
    assert.deepEqual(g.out.events, ['data 2', 'end close']);
  });

  test('an ACK of the FIN after a hole ends the stream with the gap', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.fin(5);
    h.ack(6);
    assert.deepEqual(h.out.events, ['data 2', 'gap 3', 'end fin']);
  });

  test('flush delivers buffered bytes across holes without ending the stream', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.send(4, 'ef');
    h.send(8, 'ij');
    h.r.flush(1, 99);
    assert.deepEqual(h.out.events, ['data 2', 'gap 2', 'data 2', 'gap 2', 'data 2']);
    h.send(10, 'kl');
    assert.equal(h.out.text(), 'ab<2>ef<2>ijkl');
    assert.equal(h.out.ended, undefined);
  });

  test('bytes arriving for a hole that was already skipped are dropped', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.send(5, 'fg');
    h.ack(7);
    h.send(2, 'cde');
    assert.equal(h.out.text(), 'ab<3>fg');
    assert.equal(h.r.stats.unverifiedBytes, 3);
  });

  test('a segment cut by the snap length: the missing tail is a gap at once', () => {
    const h = new Harness();
    h.send(0, 'abcd', NONE, 10);
    assert.deepEqual(h.out.events, ['data 4', 'gap 6']);
    assert.deepEqual(h.ids(), ['tcp.reassembly.truncated']);
    h.send(10, 'klm');
    assert.equal(h.out.text(), 'abcd<6>klm');
    assert.equal(h.r.stats.truncatedBytes, 6);
  });
});

describe('the start of the stream', () => {
  test('without a SYN the first data segment anchors the stream', () => {
    const h = new Harness({}, 1000, new ReassemblyBudget(), false);
    h.send(50, 'mid');
    h.send(53, 'stream');
    assert.equal(h.out.text(), 'midstream');
    assert.equal(h.r.origin, 'data');
    assert.equal(h.r.startSeq, seq(1051));
  });

  test('without a SYN an earlier ACK from the peer anchors the stream: later bytes after a hole wait', () => {
    const h = new Harness({}, 1000, new ReassemblyBudget(), false);
    h.ack(40);
    h.send(45, 'world');
    assert.deepEqual(h.out.events, []);
    h.send(40, 'hello');
    assert.equal(h.out.text(), 'helloworld');
    assert.equal(h.r.origin, 'ack');
  });

  test('pure ACKs (no payload) do not anchor the stream', () => {
    const h = new Harness({}, 1000, new ReassemblyBudget(), false);
    h.send(10, '');
    h.send(20, 'x');
    assert.equal(h.r.startSeq, seq(1021));
  });
});

describe('wraparound', () => {
  test('ISN = 2^32 - 10: reordered segments across the wrap', () => {
    const h = new Harness({}, 2 ** 32 - 10);
    h.send(12, 'mnop');
    h.send(4, 'efghijkl'); // crosses 2^32 (offset 9 is seq 0)
    h.send(0, 'abcd');
    h.fin(16);
    assert.equal(h.out.text(), 'abcdefghijklmnop');
    assert.equal(h.out.ended, 'fin');
    assert.equal(h.r.nextSeq, seq(7));
  });

  test('every ISN near the wrap delivers the same stream', () => {
    for (let d = 1; d <= 20; d++) {
      const h = new Harness({}, 2 ** 32 - d);
      h.send(6, 'ghij');
      h.send(0, 'abc');
      h.ack(6); // the peer got everything before offset 6: 'def' was never captured
      h.fin(10);
      assert.equal(h.out.text(), 'abc<3>ghij', `ISN 2^32-${d}`);
    }
  });

  test('a stream longer than 4 GiB of sequence space (offsets keep counting)', () => {
    const h = new Harness({ historyBytes: 0 });
    const chunk = new Uint8Array(64 * 1024);
    let off = 0;
    // 2^32 + 1 MiB through gaps: skipped bytes move sequence numbers just like delivered ones.
    while (off < 2 ** 32 + 2 ** 20) {
      h.send(off, chunk);
      off += chunk.length;
      h.ack(off + 2 ** 29);
      h.send(off + 2 ** 29, chunk);
      off += 2 ** 29 + chunk.length;
    }
    assert.equal(h.r.offset, off);
    assert.equal(h.r.nextSeq, h.seqAt(off));
    assert.ok(h.r.offset > 2 ** 32);
  });
});

describe('FIN and RST', () => {
  test('data after the FIN is left out, with an anomaly', () => {
    const h = new Harness();
    h.fin(0, 'abc');
    h.send(3, 'def');
    assert.equal(h.out.text(), 'abc');
    assert.deepEqual(h.ids(), ['tcp.reassembly.data-after-fin']);
    assert.equal(h.r.stats.afterFinBytes, 3);
  });

  test('buffered data beyond a FIN that arrives later is dropped', () => {
    const h = new Harness();
    h.send(6, 'ghi');
    h.fin(3, 'def');
    assert.equal(h.r.buffered, 3); // 'def' waits, 'ghi' is gone
    h.send(0, 'abc');
    assert.equal(h.out.text(), 'abcdef');
    assert.equal(h.out.ended, 'fin');
    assert.deepEqual(h.ids(), ['tcp.reassembly.data-after-fin']);
  });

  test('a segment straddling the FIN is cut at the FIN', () => {
    const h = new Harness();
    h.fin(4);
    h.send(0, 'abcdefg');
    assert.equal(h.out.text(), 'abcd');
    assert.equal(h.r.stats.afterFinBytes, 3);
  });

  test('a retransmitted FIN after the end is not data after FIN', () => {
    const h = new Harness();
    h.fin(0, 'abc');
    h.fin(0, 'abc');
    assert.deepEqual(h.ids(), []);
    assert.equal(h.out.ends, 1);
  });

  test('a RST ends delivery: buffered bytes are delivered across holes, later data is left out', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.send(4, 'ef');
    h.send(8, '', RST);
    assert.deepEqual(h.out.events, ['data 2', 'gap 2', 'data 2', 'end rst']);
    h.send(6, 'gh');
    assert.deepEqual(h.ids(), ['tcp.reassembly.gap', 'tcp.reassembly.data-after-end']);
    assert.equal(h.r.stats.afterEndBytes, 2);
    assert.equal(h.budget.buffered, 0);
    assert.equal(h.budget.history, 0);
  });

  test('close is idempotent and ends a stream that never started', () => {
    const out = new Recorder();
    const r = new StreamReassembler(out, new ReassemblyBudget());
    r.close(1, 1);
    r.close(1, 1);
    assert.deepEqual(out.events, ['end close']);
  });

  test('a segment far beyond any window is ignored', () => {
    const h = new Harness();
    h.send(0, 'ab');
    h.send(2 ** 30 + 100, 'zz');
    h.send(2, 'cd');
    assert.equal(h.out.text(), 'abcd');
    assert.deepEqual(h.ids(), ['tcp.reassembly.out-of-window']);
  });
});
