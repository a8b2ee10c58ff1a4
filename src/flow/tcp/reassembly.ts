/**
 * TCP stream reassembly, one direction of a connection at a time: turns the segments one side sent
 * (in capture order, with retransmissions, overlaps, reordering and capture loss) into the in-order
 * byte stream its peer's application read, with explicit gaps where the capture lacks bytes.
 *
 * Positions. The reassembler works in *stream offsets*: a plain number counting bytes from the
 * first byte of the stream (0 = ISN+1 when the SYN was seen). A segment's sequence number becomes an
 * offset once, on entry, by its signed modular distance from the next expected sequence number
 * (`seqDiff`), so wraparound is handled in one place and streams may exceed 4 GiB.
 *
 * Where the stream starts (the heuristic for captures that begin mid-connection):
 *   1. a SYN (or SYN,ACK) from this side: the ISN + 1 (data on the SYN, TCP Fast Open, is byte 0);
 *   2. otherwise, an ACK from the peer seen before any data from this side (`ackedUpTo`): the peer
 *      had received everything before it, so that is where the unseen part of the stream ends;
 *   3. otherwise the first segment from this side that carries data or a FIN.
 *   Segments without payload (pure ACKs) never anchor the stream: a keep-alive probe sits one byte
 *   *before* the next byte. Bytes before the start are treated as already delivered (not verifiable).
 *
 * Semantics:
 *   - In-order bytes are delivered at once, as views of the caller's buffer (no copy): the sink must
 *     consume (or copy) a chunk during the call.
 *   - First copy wins. Bytes already delivered or buffered are dropped when seen again; they are
 *     compared with the first copy (a bounded ring of recently delivered bytes, or the buffered
 *     copy), and a difference is a `tcp.reassembly.overlap-conflict` anomaly.
 *   - Out-of-order bytes are copied into a sorted list of non-overlapping pieces until the hole
 *     before them fills. Bytes delivered from that list carry the time and packet number of the
 *     segment that completed them (when the receiving application could read them, as Wireshark's
 *     "reassembled in").
 *   - A hole that is never filled is skipped (`sink.gap`) with an anomaly when: the stream ends
 *     (FIN, RST, close) [`tcp.reassembly.gap`]; the peer acknowledges bytes past it, so it got them
 *     and the capture did not [`tcp.reassembly.gap`]; a buffering limit is reached
 *     [`tcp.reassembly.limit`]; the capture cut a segment short [`tcp.reassembly.truncated`].
 *   - The FIN's sequence number ends the stream: bytes after it are dropped
 *     (`tcp.reassembly.data-after-fin`), and `end(…, 'fin')` follows the last byte before it.
 *   - A RST ends the stream at once: buffered bytes are delivered with gaps, then `end(…, 'rst')`.
 *     Its payload (diagnostic text, RFC 9293 §3.5.3) is not stream data.
 *
 * Limits (principle 13; see `DEFAULT_REASSEMBLY` and `ReassemblyBudget`): out-of-order bytes and
 * pieces per direction, out-of-order bytes across all reassemblers, recently delivered bytes kept
 * for conflict checks, the distance ahead a segment may be, and recorded anomalies. When buffering
 * would exceed a limit, the reassembler skips the hole before the earliest buffered data, delivers
 * what follows and frees it; memory stays bounded whatever the input. When the history budget is
 * full, a stream that has sent no data for `HISTORY_IDLE` seconds gives its ring to the stream that
 * needs one; only when every ring is that recent is a stream refused (`tcp.reassembly.history-limit`).
 *
 * Hot path: an in-order segment with nothing buffered costs a sequence subtraction, the sink call
 * and a copy into the history ring; no allocation, no closure.
 */
import { type Anomaly, anomaly } from '../../core/anomaly.js';
import { type Seq, seqAdd, seqDiff } from '../../core/seq.js';
import { FA } from '../anomalies.js';
import { LinkedQueue, newLinks } from '../queue.js';
import type { SegmentAnalyzer, TcpConnection } from './connection.js';
import { RA } from './reassembly-anomalies.js';
import type { Segment } from './segment.js';

export type StreamEndReason = 'fin' | 'rst' | 'close';

/** Receives one direction's byte stream. */
export interface StreamSink {
  /** In-order bytes. `chunk` is only valid during the call: copy what must outlive it. */
  data(chunk: Uint8Array, ts: number, packet: number): void;
  /** `bytes` bytes of the stream are missing here (never captured); the stream goes on after them. */
  gap(bytes: number, ts: number, packet: number): void;
  /** No more bytes will come. Called once. */
  end(ts: number, packet: number, reason: StreamEndReason): void;
}

/** The TCP flags the reassembler needs (a tracker `Segment` fits as is). */
export interface StreamFlags {
  readonly syn: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
}

export interface ReassemblyOptions {
  /** Out-of-order payload bytes held per direction. */
  readonly maxBufferedBytes: number;
  /** Out-of-order pieces held per direction (bounds per-piece overhead for tiny segments). */
  readonly maxBufferedSegments: number;
  /** Recently delivered bytes kept per direction to check retransmissions (rounded down to a power of 2; 0 = none). */
  readonly historyBytes: number;
  /** A segment (or ACK) further ahead than this of the next expected byte is out of any window: ignored. */
  readonly maxAhead: number;
  /** Anomalies recorded per direction (the last slot says more were dropped); counters keep counting. */
  readonly maxAnomalies: number;
  /** Prefix for anomaly details, e.g. 'orig' or 'resp'. */
  readonly label?: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Defaults. 4 MiB out of order per direction covers a 100 Mbit/s path with 300 ms RTT (Linux's
 * default tcp_rmem maximum is 6 MiB); 4096 pieces is 4 MiB of ~1 KiB segments. 32 KiB of history
 * covers the last ~22 full-size segments, where spurious retransmissions fall. 2^30 is the largest
 * window TCP can announce (65535 << 14).
 */
export const DEFAULT_REASSEMBLY: ReassemblyOptions = {
  maxBufferedBytes: 4 * MiB,
  maxBufferedSegments: 4096,
  historyBytes: 32 * KiB,
  maxAhead: 2 ** 30,
  maxAnomalies: 32,
};

/** Spare history rings a budget keeps for reuse, in bytes. */
const MAX_SPARE_RINGS = 4 * MiB;

/**
 * Capture seconds a stream must have sent no data before its history ring may be taken back for
 * another stream (`ReassemblyBudget.reclaimHistory`). A retransmission comes one retransmission
 * timeout after the sender last sent the bytes: at least 200 ms on Linux, 1 s initially (RFC 6298
 * §2), doubling with each loss. 5 s covers the first retransmissions after the initial RTO.
 */
export const HISTORY_IDLE = 5;

/** Bytes charged to the shared budget per buffered piece on top of its payload (object + view). */
export const PIECE_OVERHEAD = 96;

/**
 * Memory shared by every reassembler of a run: out-of-order bytes (charged with `PIECE_OVERHEAD`
 * per piece) and history rings. A reservation that would pass a limit is refused; the reassembler
 * then skips a hole (buffering) or keeps a smaller ring (history).
 */
export class ReassemblyBudget {
  buffered = 0;
  history = 0;
  peakBuffered = 0;
  peakHistory = 0;
  /** Reservations refused. */
  refusedBuffered = 0;
  refusedHistory = 0;
  /** History rings taken back from streams idle for `historyIdle` seconds, for other streams. */
  reclaimedHistory = 0;
  /**
   * The streams holding a history ring, least recently queued first (kept lazily: a stream that
   * sent data since it was queued goes to the back when met at the front).
   */
  private readonly holders = new LinkedQueue<StreamReassembler>(0);

  /**
   * History rings given back by ended streams, by size (index log2), for the next streams to reuse:
   * a run meets two rings per connection, and allocating (and collecting) that many array buffers
   * cost more than the rest of reassembly. At most `MAX_SPARE_RINGS` bytes are kept.
   */
  private readonly spare: Uint8Array[][] = [];
  private spareBytes = 0;

  constructor(
    readonly maxBuffered: number = 64 * MiB,
    readonly maxHistory: number = 32 * MiB,
    readonly historyIdle: number = HISTORY_IDLE,
  ) {}

  /**
   * A ring of `size` bytes (a power of 2), reused if one is spare. A reused ring keeps its old bytes:
   * a reassembler reads only what it wrote since it took the ring (see `histLow`).
   */
  takeRing(size: number): Uint8Array {
    const ring = this.spare[Math.log2(size)]?.pop();
    if (ring === undefined) return new Uint8Array(size);
    this.spareBytes -= size;
    return ring;
  }

  /** A ring no longer used (its bytes are not read again). */
  giveRing(ring: Uint8Array): void {
    if (this.spareBytes + ring.length > MAX_SPARE_RINGS) return;
    this.spareBytes += ring.length;
    const k = Math.log2(ring.length);
    let list = this.spare[k];
    if (list === undefined) {
      list = [];
      this.spare[k] = list;
    }
    list.push(ring);
  }

  reserveBuffered(n: number): boolean {
    if (this.buffered + n > this.maxBuffered) {
      this.refusedBuffered++;
      return false;
    }
    this.buffered += n;
    if (this.buffered > this.peakBuffered) this.peakBuffered = this.buffered;
    return true;
  }

  releaseBuffered(n: number): void {
    this.buffered -= n;
  }

  reserveHistory(n: number): boolean {
    if (this.history + n > this.maxHistory) {
      this.refusedHistory++;
      return false;
    }
    this.history += n;
    if (this.history > this.peakHistory) this.peakHistory = this.history;
    return true;
  }

  releaseHistory(n: number): void {
    this.history -= n;
  }

  /** `r` now holds a history ring (it competes for the budget with the others). */
  holdHistory(r: StreamReassembler): void {
    this.holders.add(r);
  }

  /** `r` gave its ring back. */
  dropHistory(r: StreamReassembler): void {
    this.holders.delete(r);
  }

  /**
   * Make room for `need` more bytes of history at capture time `now` by taking the rings of streams
   * that have sent no data for `historyIdle` seconds, longest idle first (approximately: the order
   * is kept lazily, as the connection table's). Without it, streams that go quiet and stay open (an
   * idle keep-alive connection) would hold the budget until the end of the capture, and every later
   * stream would go without history.
   */
  reclaimHistory(need: number, now: number, requester: StreamReassembler): void {
    const q = this.holders;
    for (let r = q.first(); r !== undefined && this.history + need > this.maxHistory; r = q.first()) {
      if (r.histQueuedAt < r.lastData) {
        r.histQueuedAt = r.lastData;
        q.moveToBack(r);
        continue;
      }
      if (r === requester || now - r.lastData < this.historyIdle) break;
      r.releaseRing();
      this.reclaimedHistory++;
    }
  }
}

/** Counters of one direction (all in bytes unless named otherwise). */
export interface ReassemblyStats {
  /** Bytes handed to `sink.data`. */
  delivered: number;
  /** Bytes skipped as gaps (all causes), and the number of gaps. */
  gapBytes: number;
  gaps: number;
  /** Of `gapBytes`: skipped because a limit was reached, because the capture cut segments short. */
  limitBytes: number;
  truncatedBytes: number;
  /** Bytes seen again after a first copy (delivered or buffered), and how many of them could not be compared. */
  retransmittedBytes: number;
  unverifiedBytes: number;
  /** Segments carrying only bytes seen before; segments carrying old and new bytes. */
  retransmissions: number;
  overlaps: number;
  /** Segments whose repeated bytes differed from the first copy, and the differing bytes. */
  conflicts: number;
  conflictBytes: number;
  /** Segments buffered out of order; the most bytes buffered at once. */
  outOfOrder: number;
  peakBuffered: number;
  /** Holes skipped because a limit was reached. */
  limitSkips: number;
  /** Bytes beyond the FIN; bytes arriving after the end (RST, close). */
  afterFinBytes: number;
  afterEndBytes: number;
  /** Keep-alive probes (one byte just before the next expected byte); segments out of any window. */
  keepalives: number;
  outOfWindow: number;
  /** Anomalies not recorded because of `maxAnomalies`. */
  anomaliesDropped: number;
}

function newStats(): ReassemblyStats {
  return {
    delivered: 0,
    gapBytes: 0,
    gaps: 0,
    limitBytes: 0,
    truncatedBytes: 0,
    retransmittedBytes: 0,
    unverifiedBytes: 0,
    retransmissions: 0,
    overlaps: 0,
    conflicts: 0,
    conflictBytes: 0,
    outOfOrder: 0,
    peakBuffered: 0,
    limitSkips: 0,
    afterFinBytes: 0,
    afterEndBytes: 0,
    keepalives: 0,
    outOfWindow: 0,
    anomaliesDropped: 0,
  };
}

/** A buffered out-of-order piece: stream offsets [start, end), its own copy of the bytes. */
interface Piece {
  readonly start: number;
  end: number;
  data: Uint8Array;
}

enum St {
  /** Nothing anchors the stream yet. */
  Waiting = 0,
  Open = 1,
  Ended = 2,
}

/** Why a hole is skipped (selects the anomaly and its wording). */
enum Skip {
  /** The stream ended (FIN, RST, close) or was flushed. */
  End = 0,
  /** The peer acknowledged bytes past the hole. */
  Acked = 1,
  /** A buffering limit. */
  Limit = 2,
  /** The capture cut the segment short. */
  Truncated = 3,
}

const MIN_RING = 1024;
const EMPTY = new Uint8Array(0);
/** The anomaly list of a stream without any (shared, never written). */
const NO_ANOMALIES: readonly Anomaly[] = Object.freeze([]);
/** The out-of-order pieces of a stream that has none (shared and frozen: see `pending`). */
const NO_PIECES = Object.freeze([]) as unknown as Piece[];

/** Option objects already merged with the defaults: used as they are (they are frozen). */
const complete = new WeakSet<ReassemblyOptions>();

function withDefaults(opts: Partial<ReassemblyOptions>): ReassemblyOptions {
  if (complete.has(opts as ReassemblyOptions)) return opts as ReassemblyOptions;
  const o = Object.freeze({ ...DEFAULT_REASSEMBLY, ...opts });
  complete.add(o);
  return o;
}

/** The options of both directions of a connection with default limits, merged once for all. */
const ORIG_DEFAULTS = withDefaults({ label: 'orig' });
const RESP_DEFAULTS = withDefaults({ label: 'resp' });

function floorPow2(n: number): number {
  if (n < 1) return 0;
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** One direction of a TCP connection, reassembled. */
export class StreamReassembler {
  readonly opts: ReassemblyOptions;
  /**
   * Counters other than `delivered`, made on the first one a stream needs: most streams only ever
   * deliver in order, and a stream's 19 counters took an object of their own (with boxed numbers).
   */
  private stat: ReassemblyStats | undefined;
  private deliveredBytes = 0;
  /** Made on the first anomaly (see `anomalies`). */
  private anomalyList: readonly Anomaly[] = NO_ANOMALIES;
  /** How the start of the stream was found (see the module comment); undefined before. */
  origin: 'syn' | 'ack' | 'data' | undefined;
  /** Sequence number of stream offset 0. */
  startSeq: Seq | undefined;
  /** Why the stream ended, once it did. */
  endReason: StreamEndReason | undefined;

  private state = St.Waiting;
  /** Next stream offset to deliver, and its sequence number. */
  private off = 0;
  private nxt = 0 as Seq;
  /** Stream offset of the FIN (-1: not seen). */
  private finOff = -1;
  /** Highest stream offset the peer acknowledged. */
  private ackedOff = 0;
  /**
   * Pieces buffered out of order, sorted and disjoint. Most streams never buffer one: until the first
   * (`store`), this is the shared empty list, frozen so that a write to it would throw; every other
   * write (splice, pop, clear) happens only when there are pieces.
   */
  private pending: Piece[] = NO_PIECES;
  private bufBytes = 0;
  /**
   * History ring: byte at stream offset o is at ring[o & mask], valid for o in
   * [max(histStart, histLow, off - size), off).
   */
  private ring: Uint8Array | undefined;
  private mask = 0;
  private histStart = 0;
  /** The lowest offset the ring has held since it was made or last grew (bytes before it were never kept). */
  private histLow = 0;
  private readonly histMax: number;
  private histRefused = false;
  /** No ring growth before this offset (after a refusal; never when history is off). */
  private histRetryAt = 0;
  /** Capture time of the last segment from this side that carried data (see `reclaimHistory`). */
  lastData = Number.NEGATIVE_INFINITY;
  /** Its links in the budget's queue of ring holders (slot 0), and `lastData` when queued. */
  readonly links = newLinks(1);
  histQueuedAt = Number.NEGATIVE_INFINITY;
  /** Per-segment scratch: old bytes seen, how many differed, where. */
  private segOld = 0;
  private segDiff = 0;
  private segDiffLo = 0;
  private segDiffHi = 0;
  /** Why the last buffering attempt did not fit; new bytes it found. */
  private refused = '';
  private planBytes = 0;

  constructor(
    private readonly sink: StreamSink,
    private readonly budget: ReassemblyBudget,
    opts: Partial<ReassemblyOptions> = {},
  ) {
    this.opts = withDefaults(opts);
    this.histMax = floorPow2(this.opts.historyBytes);
    if (this.histMax === 0) this.histRetryAt = Number.POSITIVE_INFINITY;
  }

  /** Recorded anomalies (at most `maxAnomalies`). */
  get anomalies(): readonly Anomaly[] {
    return this.anomalyList;
  }

  /** This direction's counters (a copy when none but `delivered` has counted yet). */
  get stats(): Readonly<ReassemblyStats> {
    const s = this.stat ?? newStats();
    s.delivered = this.deliveredBytes;
    return s;
  }

  private counters(): ReassemblyStats {
    if (this.stat === undefined) this.stat = newStats();
    return this.stat;
  }

  /** Next stream offset to deliver (= bytes delivered + bytes skipped). */
  get offset(): number {
    return this.off;
  }

  /** Sequence number of the next byte expected (undefined before the stream is anchored). */
  get nextSeq(): Seq | undefined {
    return this.state === St.Waiting ? undefined : this.nxt;
  }

  /** Out-of-order bytes and pieces held now. */
  get buffered(): number {
    return this.bufBytes;
  }

  get bufferedPieces(): number {
    return this.pending.length;
  }

  /** Bytes of history held now. */
  get historySize(): number {
    return this.ring === undefined ? 0 : this.ring.length;
  }

  get ended(): boolean {
    return this.state === St.Ended;
  }

  /**
   * A segment sent by this side. `payload` is what the capture holds (a view, not kept);
   * `wireLen` the payload length the IP header declares when the capture cut it (snap length).
   */
  segment(
    s: Seq,
    payload: Uint8Array,
    ts: number,
    packet: number,
    flags: StreamFlags,
    wireLen: number = payload.length,
  ): void {
    if (flags.rst) {
      this.close(ts, packet, 'rst');
      return;
    }
    if (wireLen > 0) this.lastData = ts;
    let at = s;
    if (flags.syn) {
      at = seqAdd(s, 1);
      if (this.state === St.Waiting) this.anchor(at, 'syn');
    }
    if (this.state === St.Waiting) {
      if (wireLen === 0 && !flags.fin) return;
      this.anchor(at, 'data');
    }
    const start = this.off + seqDiff(at, this.nxt);
    // Fast path: the next bytes, nothing buffered, nothing special.
    if (
      start === this.off &&
      this.pending.length === 0 &&
      this.state === St.Open &&
      !flags.fin &&
      wireLen === payload.length &&
      this.finOff < 0
    ) {
      if (payload.length > 0) this.emit(payload, ts, packet);
      return;
    }
    this.accept(start, payload, wireLen, flags.fin, ts, packet);
  }

  /**
   * The peer acknowledged everything before `ack` (call with every ACK the *other* direction
   * sends). Holes below it were received by the peer, so the capture missed them: they are skipped
   * as soon as data after them is known; a trailing one when the stream ends.
   */
  ackedUpTo(ack: Seq, ts: number, packet: number): void {
    if (this.state === St.Waiting) {
      this.anchor(ack, 'ack');
      return;
    }
    if (this.state === St.Ended) return;
    const a = this.off + seqDiff(ack, this.nxt);
    if (a <= this.ackedOff || a <= this.off) return;
    if (a - this.off > this.opts.maxAhead) return;
    this.ackedOff = this.finOff >= 0 && a > this.finOff ? this.finOff : a;
    this.skipAcked(ts, packet);
    this.checkFin(ts, packet);
  }

  /** Deliver everything buffered now, skipping the holes before it (the stream stays open). */
  flush(ts: number, packet: number): void {
    if (this.state !== St.Open) return;
    this.skipAllHoles(Skip.End, ts, packet);
    this.checkFin(ts, packet);
  }

  /**
   * End of the stream: buffered bytes are delivered (holes skipped), bytes known to be missing up to
   * the FIN or the peer's last ACK are reported as a gap, then `sink.end`. A stream whose FIN was
   * seen ends with reason 'fin' even when closed for another cause ('close'). Idempotent.
   */
  close(ts: number, packet: number, reason: StreamEndReason = 'close'): void {
    if (this.state === St.Ended) return;
    if (this.state === St.Open) {
      this.skipAllHoles(Skip.End, ts, packet);
      if (this.finOff >= 0) {
        if (this.finOff > this.off) this.skipTo(this.finOff, Skip.End, ts, packet);
        if (reason === 'close') reason = 'fin';
      } else if (this.ackedOff > this.off + 1) {
        // Acknowledged but never captured. Without a FIN seen, the last acknowledged sequence
        // number may be a FIN the capture missed rather than a byte: one less is reported.
        this.skipTo(this.ackedOff - 1, Skip.Acked, ts, packet);
      }
    }
    this.finish(ts, packet, reason);
  }

  // ---------------------------------------------------------------------------------------------

  private anchor(at: Seq, how: 'syn' | 'ack' | 'data'): void {
    this.state = St.Open;
    this.origin = how;
    this.startSeq = at;
    this.nxt = at;
    this.off = 0;
  }

  /** The general path: anything but the next bytes with nothing buffered. */
  private accept(
    start: number,
    payload: Uint8Array,
    wireLen: number,
    fin: boolean,
    ts: number,
    packet: number,
  ): void {
    const off0 = this.off;
    if (start - off0 > this.opts.maxAhead) {
      this.counters().outOfWindow++;
      this.note(
        RA['tcp.reassembly.out-of-window'],
        `packet ${packet}: ${start - off0} bytes ahead of the next expected byte (seq ${this.nxt})`,
      );
      return;
    }
    let data = payload;
    let end = start + data.length;
    let cutEnd = start + wireLen;
    if (this.state === St.Ended) {
      this.afterEnd(start, data, packet);
      return;
    }
    if (fin) this.noteFin(cutEnd, packet);
    if (this.finOff >= 0) {
      if (end > this.finOff) {
        const from = Math.max(start, this.finOff);
        this.afterFin(end - from, packet);
        end = from;
        data = data.subarray(0, end - start);
      }
      if (cutEnd > this.finOff) cutEnd = this.finOff;
    }
    // A keep-alive probe: one byte (garbage, by design) just before the next expected byte.
    if (data.length === 1 && start === this.off - 1 && wireLen === 1) {
      this.counters().keepalives++;
      return;
    }
    this.segOld = 0;
    this.segDiff = 0;
    let newBytes = false;
    for (;;) {
      if (start < this.off) {
        const oldEnd = Math.min(end, this.off);
        if (oldEnd > start) this.compareHistory(start, data.subarray(0, oldEnd - start));
        if (end <= this.off) break;
        data = data.subarray(this.off - start);
        start = this.off;
      }
      if (data.length === 0) break;
      newBytes = true;
      if (start > this.off) {
        if (this.ackedOff >= start) {
          // The peer already acknowledged the hole before these bytes: the capture missed it.
          this.skipAcked(ts, packet);
          if (this.off < start) this.skipTo(start, Skip.Acked, ts, packet);
          this.drain(ts, packet);
          continue;
        }
        if (this.fits(start, end)) {
          if (this.planBytes === 0) newBytes = false;
          else this.counters().outOfOrder++;
          this.store(start, data);
          break;
        }
        // A limit: skip to the earliest buffered byte (this segment's or an older one), then retry.
        const first = this.pending[0];
        const to = first !== undefined && first.start < start ? first.start : start;
        this.counters().limitSkips++;
        this.skipTo(to, Skip.Limit, ts, packet);
        this.drain(ts, packet);
        continue;
      }
      this.deliverInOrder(data, ts, packet);
      break;
    }
    // The capture cut this segment: what it lacks right after the delivered bytes is a gap.
    if (cutEnd > end && this.off === end) {
      const first = this.pending[0];
      const to = first !== undefined && first.start < cutEnd ? first.start : cutEnd;
      if (to > this.off) {
        this.skipTo(to, Skip.Truncated, ts, packet);
        this.drain(ts, packet);
      }
    }
    if (this.segOld > 0) {
      const st = this.counters();
      if (newBytes) st.overlaps++;
      else st.retransmissions++;
      if (this.segDiff > 0) {
        st.conflicts++;
        st.conflictBytes += this.segDiff;
        this.note(
          RA['tcp.reassembly.overlap-conflict'],
          `packet ${packet}: ${this.segDiff} of ${this.segOld} repeated bytes differ from the first copy, stream offsets ${this.segDiffLo}-${this.segDiffHi}`,
        );
      }
    }
    this.checkFin(ts, packet);
  }

  /** Deliver `data`, which starts at the next offset, interleaved with buffered pieces it meets (first copy wins). */
  private deliverInOrder(data: Uint8Array, ts: number, packet: number): void {
    const base = this.off;
    const end = base + data.length;
    const P = this.pending;
    const first = P[0];
    if (first === undefined || first.start >= end) {
      this.emit(data, ts, packet);
    } else {
      let cur = base;
      let i = 0;
      while (cur < end) {
        const p = P[i];
        if (p === undefined || p.start >= end) {
          this.emit(data.subarray(cur - base), ts, packet);
          break;
        }
        if (p.start > cur) this.emit(data.subarray(cur - base, p.start - base), ts, packet);
        const ob = Math.min(end, p.end);
        this.compare(data, p.start - base, p.data, 0, ob - p.start, p.start);
        this.release(p);
        this.emit(p.data, ts, packet);
        cur = p.end;
        i++;
      }
      P.splice(0, i);
    }
    this.drain(ts, packet);
  }

  /** Deliver the buffered pieces that now start at the next offset (one splice, not a shift per piece). */
  private drain(ts: number, packet: number): void {
    const P = this.pending;
    let i = 0;
    for (let p = P[0]; p !== undefined && p.start <= this.off; p = P[++i]) {
      this.release(p);
      // Pieces never overlap what was delivered before them: a skip lands on a piece's start.
      if (p.end > this.off)
        this.emit(p.start < this.off ? p.data.subarray(this.off - p.start) : p.data, ts, packet);
    }
    if (i > 0) P.splice(0, i);
  }

  /** Skip every hole before buffered data (a FIN's position aside). */
  private skipAllHoles(why: Skip, ts: number, packet: number): void {
    for (let p = this.pending[0]; p !== undefined; p = this.pending[0]) {
      if (p.start > this.off) this.skipTo(p.start, why, ts, packet);
      this.drain(ts, packet);
    }
  }

  /** Skip holes the peer acknowledged, as far as data after them is known. */
  private skipAcked(ts: number, packet: number): void {
    for (let p = this.pending[0]; p !== undefined && p.start <= this.ackedOff; p = this.pending[0]) {
      if (p.start > this.off) this.skipTo(p.start, Skip.Acked, ts, packet);
      this.drain(ts, packet);
    }
    if (this.finOff >= 0 && this.ackedOff >= this.finOff && this.off < this.finOff)
      this.skipTo(this.finOff, Skip.Acked, ts, packet);
  }

  private checkFin(ts: number, packet: number): void {
    if (this.state === St.Open && this.finOff >= 0 && this.off >= this.finOff) this.finish(ts, packet, 'fin');
  }

  private noteFin(at: number, packet: number): void {
    if (this.finOff >= 0) return; // the first FIN's position stands; bytes past it are trimmed as data after FIN
    if (at < this.off) {
      this.afterFin(this.off - at, packet);
      at = this.off;
    }
    this.finOff = at;
    if (this.ackedOff > at) this.ackedOff = at;
    // Buffered bytes beyond the FIN were not part of the stream.
    const P = this.pending;
    let dropped = 0;
    while (P.length > 0) {
      const last = P[P.length - 1] as Piece;
      if (last.end <= at) break;
      if (last.start >= at) {
        P.pop();
        dropped += last.end - last.start;
        this.release(last);
      } else {
        const keep = at - last.start;
        const cut = last.end - at;
        last.data = last.data.slice(0, keep);
        last.end = at;
        this.bufBytes -= cut;
        this.budget.releaseBuffered(cut);
        dropped += cut;
      }
    }
    if (dropped > 0) this.afterFin(dropped, packet);
  }

  private afterFin(bytes: number, packet: number): void {
    this.counters().afterFinBytes += bytes;
    this.note(
      RA['tcp.reassembly.data-after-fin'],
      `packet ${packet}: ${bytes} bytes beyond the FIN at stream offset ${this.finOff >= 0 ? this.finOff : this.off}`,
    );
  }

  /** A segment after the end: old bytes are counted, new ones reported. */
  private afterEnd(start: number, data: Uint8Array, packet: number): void {
    const end = start + data.length;
    if (data.length === 0) return;
    const old = Math.min(end, this.off) - start;
    if (old > 0) {
      const st = this.counters();
      st.retransmittedBytes += old;
      st.unverifiedBytes += old;
      st.retransmissions++;
    }
    if (end <= this.off) return;
    const fresh = end - Math.max(start, this.off);
    if (this.endReason === 'fin') {
      this.afterFin(fresh, packet);
    } else {
      this.counters().afterEndBytes += fresh;
      this.note(
        RA['tcp.reassembly.data-after-end'],
        `packet ${packet}: ${fresh} bytes after the stream ended (${this.endReason})`,
      );
    }
  }

  private finish(ts: number, packet: number, reason: StreamEndReason): void {
    if (this.pending.length > 0) {
      for (const p of this.pending) this.release(p);
      this.pending = NO_PIECES;
    }
    this.releaseRing();
    this.state = St.Ended;
    this.endReason = reason;
    this.sink.end(ts, packet, reason);
  }

  /** Hand bytes to the sink and remember them. */
  private emit(chunk: Uint8Array, ts: number, packet: number): void {
    const n = chunk.length;
    this.sink.data(chunk, ts, packet);
    this.remember(chunk, ts);
    this.off += n;
    this.nxt = seqAdd(this.nxt, n);
    this.deliveredBytes += n;
  }

  /** Skip the hole [off, to): `sink.gap` and an anomaly. */
  private skipTo(to: number, why: Skip, ts: number, packet: number): void {
    const n = to - this.off;
    if (n <= 0) return;
    const at = this.off;
    const atSeq = this.nxt;
    this.sink.gap(n, ts, packet);
    this.off = to;
    this.nxt = seqAdd(this.nxt, n);
    this.histStart = to;
    if (this.ackedOff < to) this.ackedOff = to;
    const st = this.counters();
    st.gapBytes += n;
    st.gaps++;
    const where = `${n} bytes at stream offset ${at} (seq ${atSeq})`;
    switch (why) {
      case Skip.End:
        this.note(RA['tcp.reassembly.gap'], `packet ${packet}: ${where} never captured`);
        break;
      case Skip.Acked:
        this.note(
          RA['tcp.reassembly.gap'],
          `packet ${packet}: ${where} acknowledged by the peer but never captured`,
        );
        break;
      case Skip.Limit:
        st.limitBytes += n;
        this.note(RA['tcp.reassembly.limit'], `packet ${packet}: ${this.refused}: skipped ${where}`);
        break;
      case Skip.Truncated:
        st.truncatedBytes += n;
        this.note(RA['tcp.reassembly.truncated'], `packet ${packet}: ${where} cut by the snap length`);
        break;
    }
  }

  // --- out-of-order pieces ----------------------------------------------------------------------

  /** Index of the first piece ending after `s`. */
  private firstEndingAfter(s: number): number {
    const P = this.pending;
    const n = P.length;
    if (n === 0 || (P[n - 1] as Piece).end <= s) return n;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((P[mid] as Piece).end <= s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Can the new bytes of [s, e) be buffered? Reserves their share of the shared budget if so. */
  private fits(s: number, e: number): boolean {
    const P = this.pending;
    let bytes = 0;
    let pieces = 0;
    let cur = s;
    for (let i = this.firstEndingAfter(s); cur < e; i++) {
      const p = P[i];
      if (p === undefined || p.start >= e) {
        bytes += e - cur;
        pieces++;
        break;
      }
      if (p.start > cur) {
        bytes += p.start - cur;
        pieces++;
      }
      cur = p.end;
    }
    this.planBytes = bytes;
    if (pieces === 0) return true;
    const o = this.opts;
    if (this.bufBytes + bytes > o.maxBufferedBytes) {
      this.refused = `over ${o.maxBufferedBytes} buffered bytes`;
      return false;
    }
    if (P.length + pieces > o.maxBufferedSegments) {
      this.refused = `over ${o.maxBufferedSegments} buffered segments`;
      return false;
    }
    if (!this.budget.reserveBuffered(bytes + pieces * PIECE_OVERHEAD)) {
      this.refused = `shared budget of ${this.budget.maxBuffered} bytes exhausted`;
      return false;
    }
    this.bufBytes += bytes;
    const st = this.counters();
    if (this.bufBytes > st.peakBuffered) st.peakBuffered = this.bufBytes;
    return true;
  }

  /** Buffer the bytes of [s, s + data.length) not buffered yet (copies), comparing the rest. */
  private store(s: number, data: Uint8Array): void {
    if (this.pending === NO_PIECES) this.pending = [];
    const P = this.pending;
    const e = s + data.length;
    let i = this.firstEndingAfter(s);
    if (i === P.length) {
      P.push({ start: s, end: e, data: data.slice() });
      return;
    }
    let cur = s;
    while (cur < e) {
      const p = P[i];
      if (p === undefined || p.start >= e) {
        P.splice(i, 0, { start: cur, end: e, data: data.slice(cur - s) });
        break;
      }
      if (p.start > cur) {
        P.splice(i, 0, { start: cur, end: p.start, data: data.slice(cur - s, p.start - s) });
        i++;
      }
      const oa = Math.max(cur, p.start);
      const ob = Math.min(e, p.end);
      this.compare(data, oa - s, p.data, oa - p.start, ob - oa, oa);
      cur = ob;
      i++;
    }
  }

  private release(p: Piece): void {
    const n = p.end - p.start;
    this.bufBytes -= n;
    this.budget.releaseBuffered(n + PIECE_OVERHEAD);
  }

  // --- history and comparisons --------------------------------------------------------------------

  /** Compare `n` repeated bytes a[ai..] with the first copy b[bi..]; `at` is the stream offset of a[ai]. */
  private compare(a: Uint8Array, ai: number, b: Uint8Array, bi: number, n: number, at: number): void {
    this.segOld += n;
    this.counters().retransmittedBytes += n;
    let diff = 0;
    let lo = -1;
    let hi = -1;
    for (let k = 0; k < n; k++) {
      if (a[ai + k] !== b[bi + k]) {
        if (lo < 0) lo = k;
        hi = k;
        diff++;
      }
    }
    if (diff > 0) this.addDiff(diff, at + lo, at + hi + 1);
  }

  /** Compare bytes already delivered, at stream offset `at`, with the history ring. */
  private compareHistory(at: number, bytes: Uint8Array): void {
    const n = bytes.length;
    this.segOld += n;
    this.counters().retransmittedBytes += n;
    const ring = this.ring;
    const size = ring === undefined ? 0 : ring.length;
    const lo = Math.max(this.histStart, this.histLow, this.off - size, at);
    const end = at + n;
    if (lo > at) this.counters().unverifiedBytes += Math.min(lo, end) - at;
    if (ring === undefined || lo >= end) return;
    const mask = this.mask;
    let diff = 0;
    let dlo = -1;
    let dhi = -1;
    for (let o = lo; o < end; o++) {
      if (ring[o & mask] !== bytes[o - at]) {
        if (dlo < 0) dlo = o;
        dhi = o;
        diff++;
      }
    }
    if (diff > 0) this.addDiff(diff, dlo, dhi + 1);
  }

  private addDiff(n: number, lo: number, hi: number): void {
    if (this.segDiff === 0) {
      this.segDiffLo = lo;
      this.segDiffHi = hi;
    } else {
      if (lo < this.segDiffLo) this.segDiffLo = lo;
      if (hi > this.segDiffHi) this.segDiffHi = hi;
    }
    this.segDiff += n;
  }

  /** Copy delivered bytes (about to sit at the current offset) into the history ring, growing it as needed. */
  private remember(chunk: Uint8Array, ts: number): void {
    let ring = this.ring;
    const n = chunk.length;
    if (
      (ring === undefined || (ring.length < this.histMax && ring.length < this.off + n - this.histStart)) &&
      this.off >= this.histRetryAt
    ) {
      ring = this.growRing(this.off + n - this.histStart, ts);
    }
    if (ring === undefined) return;
    const size = ring.length;
    if (n >= size) {
      const tail = chunk.subarray(n - size);
      const p = (this.off + n - size) & this.mask;
      ring.set(tail.subarray(0, size - p), p);
      if (p > 0) ring.set(tail.subarray(size - p), 0);
      return;
    }
    const p = this.off & this.mask;
    const first = size - p;
    if (n <= first) ring.set(chunk, p);
    else {
      ring.set(chunk.subarray(0, first), p);
      ring.set(chunk.subarray(first), 0);
    }
  }

  private growRing(want: number, ts: number): Uint8Array | undefined {
    const old = this.ring;
    const oldSize = old === undefined ? 0 : old.length;
    let size = Math.max(MIN_RING, oldSize);
    while (size < want && size < this.histMax) size *= 2;
    if (size > this.histMax) size = this.histMax;
    if (size <= oldSize) return old;
    const budget = this.budget;
    budget.reclaimHistory(size - oldSize, ts, this);
    if (!budget.reserveHistory(size - oldSize)) {
      // Ask again only after another ring's worth of stream.
      this.histRetryAt = this.off + this.histMax;
      if (!this.histRefused) {
        this.histRefused = true;
        this.note(
          RA['tcp.reassembly.history-limit'],
          `shared budget of ${this.budget.maxHistory} bytes: history kept to ${oldSize} bytes`,
          true,
        );
      }
      return old;
    }
    const ring = budget.takeRing(size);
    const mask = size - 1;
    if (old === undefined) {
      this.histLow = this.off;
      this.histQueuedAt = this.lastData;
      budget.holdHistory(this);
    } else {
      // Copy the valid bytes [lo, off) in runs contiguous in both rings (each may wrap).
      this.histLow = Math.max(this.histStart, this.histLow, this.off - oldSize);
      for (let o = this.histLow; o < this.off; ) {
        const from = o & this.mask;
        const to = o & mask;
        const n = Math.min(this.off - o, oldSize - from, size - to);
        ring.set(old.subarray(from, from + n), to);
        o += n;
      }
      this.budget.giveRing(old);
    }
    this.ring = ring;
    this.mask = mask;
    return ring;
  }

  /**
   * Give the history ring back to the budget (at the end of the stream, or taken back for another
   * stream by `ReassemblyBudget.reclaimHistory`): bytes delivered so far can no longer be checked;
   * a ring made later vouches for what comes after it.
   */
  releaseRing(): void {
    const ring = this.ring;
    if (ring === undefined) return;
    this.budget.releaseHistory(ring.length);
    this.budget.giveRing(ring);
    this.budget.dropHistory(this);
    this.ring = undefined;
    this.mask = 0;
    this.histStart = this.off;
  }

  /** Record an anomaly; `shared`: its text repeats across streams, so one frozen record serves them all. */
  private note(id: string, detail: string, shared = false): void {
    if (this.anomalyList === NO_ANOMALIES) this.anomalyList = [];
    const a = this.anomalyList as Anomaly[];
    const max = this.opts.maxAnomalies;
    const label = this.opts.label;
    if (a.length < max - 1) {
      const text = label === undefined ? detail : `${label}: ${detail}`;
      a.push(shared ? sharedAnomaly(id, text) : anomaly(id, 'tcp', -1, text));
    } else if (a.length === max - 1) {
      a.push(anomaly(RA['tcp.reassembly.anomalies-truncated'], 'tcp', -1, `more than ${max - 1}`));
      this.counters().anomaliesDropped++;
    } else {
      this.counters().anomaliesDropped++;
    }
  }
}

/**
 * One record per text for anomalies that repeat on stream after stream (the history limit, once the
 * shared budget is spent: a long capture of idle connections gives tens of thousands), shared
 * (records are never changed) instead of one object and one string per stream. Bounded.
 */
const SHARED_ANOMALIES = new Map<string, Anomaly>();
const MAX_SHARED_ANOMALIES = 256;

function sharedAnomaly(id: string, detail: string): Anomaly {
  const key = `${id} ${detail}`;
  let a = SHARED_ANOMALIES.get(key);
  if (a === undefined) {
    a = Object.freeze(anomaly(id, 'tcp', -1, detail));
    if (SHARED_ANOMALIES.size < MAX_SHARED_ANOMALIES) SHARED_ANOMALIES.set(key, a);
  }
  return a;
}

function isIgnoredRst(a: Anomaly): boolean {
  return a.id === FA['tcp.rst-out-of-window'];
}

/** Sinks for the two directions of a connection. */
export interface ConnectionSinks {
  /** Bytes the originator (client) sent. */
  readonly orig: StreamSink;
  /** Bytes the responder (server) sent. */
  readonly resp: StreamSink;
}

/**
 * Both directions of one connection, as a tracker analyser: each segment goes to its sender's
 * reassembler, its ACK to the other one's `ackedUpTo`; a RST the state machine accepted ends both
 * directions; `end` (from the tracker when it retires the connection) closes both. New anomalies
 * are appended to the connection's list as they happen.
 */
export class ConnectionReassembler implements SegmentAnalyzer {
  readonly orig: StreamReassembler;
  readonly resp: StreamReassembler;
  private seenOrig = 0;
  private seenResp = 0;

  constructor(sinks: ConnectionSinks, budget: ReassemblyBudget, opts?: Partial<ReassemblyOptions>) {
    this.orig = new StreamReassembler(sinks.orig, budget, opts ? { ...opts, label: 'orig' } : ORIG_DEFAULTS);
    this.resp = new StreamReassembler(sinks.resp, budget, opts ? { ...opts, label: 'resp' } : RESP_DEFAULTS);
  }

  onSegment(seg: Segment, conn: TcpConnection): void {
    const from = seg.fromOrig ? this.orig : this.resp;
    const to = seg.fromOrig ? this.resp : this.orig;
    const tcp = seg.tcp;
    if (seg.rst) {
      // A RST the receiver ignores (outside its window, RFC 5961) ends nothing, and its ACK is not evidence.
      if (!seg.anomalies.some(isIgnoredRst)) {
        if (seg.hasAck) to.ackedUpTo(seg.ack, seg.ts, seg.n);
        from.close(seg.ts, seg.n, 'rst');
        to.close(seg.ts, seg.n, 'rst');
      }
    } else {
      if (seg.hasAck) to.ackedUpTo(seg.ack, seg.ts, seg.n);
      const at = tcp.offset + tcp.headerLength;
      const payload =
        tcp.capturedPayload > 0 ? seg.packet.frame.data.subarray(at, at + tcp.capturedPayload) : EMPTY;
      from.segment(seg.seq, payload, seg.ts, seg.n, seg, seg.len);
    }
    this.collect(conn);
  }

  /** The connection is retired: close both directions (call once, with its last time and packet). */
  end(conn: TcpConnection, ts: number, packet: number): void {
    this.orig.close(ts, packet);
    this.resp.close(ts, packet);
    this.collect(conn);
  }

  /** The same, as a tracker hook called when the tracker retires the connection (`SegmentAnalyzer.onEnd`, proposed). */
  onEnd(conn: TcpConnection): void {
    this.end(conn, conn.lastTs, conn.lastPacket);
  }

  private collect(conn: TcpConnection): void {
    const o = this.orig.anomalies;
    const r = this.resp.anomalies;
    while (this.seenOrig < o.length) conn.recordAnomaly(o[this.seenOrig++] as Anomaly);
    while (this.seenResp < r.length) conn.recordAnomaly(r[this.seenResp++] as Anomaly);
  }
}
