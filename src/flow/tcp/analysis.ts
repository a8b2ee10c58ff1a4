/**
 * Wireshark's TCP analysis flags (`tcp.analysis.*`), segment by segment in capture order, for one
 * connection of the tracker.
 *
 * Definitions: the Wireshark User's Guide, "TCP Analysis" (ChAdvTCPAnalysis), which judges every
 * segment by three numbers kept per direction ("flow"), each "initially zero" (0 = not known yet):
 *   - next expected sequence number (`nextSeq`): the highest seq + len (+1 for SYN/FIN) seen;
 *   - next expected acknowledgement number (`maxSeqToBeAcked`): where the contiguous data ends;
 *   - last-seen acknowledgement number (`lastAck`), updated by every segment.
 * Where the guide is silent (order of checks, what a flag resets), what tshark 4.0 prints decides:
 * observed on the fixtures and on hand-built and random segments (test/flow/analysis/). In order:
 *   0. port reuse: a SYN whose seq differs from its sender's ISN starts afresh (`reused_ports`); the
 *      same SYN again falls back to the end of the contiguous data;
 *   1. zero-window probe (ends step 1) · zero window · previous segment not captured · keep-alive ·
 *      window update · window full · keep-alive ACK (ends) · zero-window-probe ACK (ends) ·
 *      duplicate ACK;
 *   2. ACKed unseen segment;
 *   3. for data, SYN or FIN that is not a keep-alive, the first of: spurious retransmission, fast
 *      retransmission, out-of-order, retransmission.
 * Windows are compared raw; a window *size* is the raw value shifted left (never multiplied) by the
 * scale its sender announced, used only when both SYNs carried the option; a SYN's own window is
 * never scaled. When the handshake was not captured the scale is unknown and, as with tshark's
 * default ("not known"), window-full is not judged. Sequence comparisons are modular (core/seq.ts).
 * Times are exact nanoseconds from the frame's seconds and nanoseconds fields.
 *
 * Each flag comes with the numbers that triggered it: see `analysisDetails` / `detailsOf`.
 */
import { unlessNaN } from '../../core/doubles.js';
import { type Seq, seqAdd, seqGt, seqLe, seqLt, seqPack, seqRel, seqUnpack } from '../../core/seq.js';
import { RowStore, setBit } from '../rows.js';
import type { SegmentAnalyzer, TcpConnection } from './connection.js';
import { addFlag, type Segment } from './segment.js';

/** Stable flag ids: Wireshark's field names without the `tcp.analysis.` prefix. */
export const TCP_ANALYSIS_FLAGS = [
  'retransmission',
  'fast_retransmission',
  'spurious_retransmission',
  'out_of_order',
  'lost_segment',
  'ack_lost_segment',
  'duplicate_ack',
  'zero_window',
  'zero_window_probe',
  'zero_window_probe_ack',
  'window_full',
  'window_update',
  'keep_alive',
  'keep_alive_ack',
  'reused_ports',
] as const;

export type TcpAnalysisFlag = (typeof TCP_ANALYSIS_FLAGS)[number];

/** The flags that mean "this segment carries data (or SYN/FIN) sent before". */
export const RETRANSMISSION_FLAGS: ReadonlySet<TcpAnalysisFlag> = new Set([
  'retransmission',
  'fast_retransmission',
  'spurious_retransmission',
]);

/** One flag on one segment, with the numbers that triggered it (raw sequence numbers; times in seconds). */
export interface TcpAnalysisDetail {
  readonly flag: TcpAnalysisFlag;
  /** One plain sentence, e.g. "dup ACK #2 of frame 57". Tests assert `values`, not this. */
  readonly text: string;
  readonly values: Readonly<Record<string, number>>;
}

/**
 * Details of every flagged segment, keyed by the segment. (A proposed `Segment.analysisDetails`
 * field would replace this side table.)
 */
export const analysisDetails = new WeakMap<Segment, readonly TcpAnalysisDetail[]>();

/** The details of `seg`'s flags, in the order the flags were pushed (empty when none). */
export function detailsOf(seg: Segment): readonly TcpAnalysisDetail[] {
  return analysisDetails.get(seg) ?? [];
}

/** Window scale of one direction: a shift (0..14), or unknown, or known not to be used. */
const WS_UNKNOWN = -1;
const WS_NONE = -2;

/** Fast retransmission: within this long (ns) after the duplicate ACKs (guide: "less than 20ms ago"). */
export const FAST_RETRANSMISSION_WINDOW_NS = 20_000_000;
/** Out-of-order threshold (ns) while the initial RTT is not known (guide: "default value of 3ms"). */
export const DEFAULT_OUT_OF_ORDER_THRESHOLD_NS = 3_000_000;

/**
 * `a - b` is non-negative and below `limit` (all in ns). tshark holds these differences in an
 * unsigned integer, so a timestamp that goes backwards is never "within" a threshold.
 */
function within(a: number, b: number, limit: number): boolean {
  const d = a - b;
  return d >= 0 && d < limit;
}

/** Bits for the flags of a flow's last segment (only keep-alive and zero-window probe are read back). */
const LAST_KEEP_ALIVE = 1;
const LAST_ZWP = 2;

/** `Flow.window` before the flow's first segment. */
const NO_WINDOW = -1;

/**
 * Where an analysis's numbers are. Every analysis has a slot in one store of rows (below): its own
 * doubles, then its two flows' (FD each), then the flows' 32-bit integers (FI each; sequence
 * numbers packed, see `seqPack`). The flows are views of a row (three for the process, bound at
 * each use): the two flow objects and the array of times of each analysis took about 470 bytes of
 * heap per connection, all of it copied by the scavenger and promoted.
 */
const AD = { t0: 0, synTs: 1, irtt: 2, flows: 3 } as const;
const FD = { nextSeqTs: 0, lastAckTs: 1, nextSeqFrame: 2, lastNonDupAck: 3, size: 4 } as const;
const FI = {
  base: 0,
  nextSeq: 1,
  maxSeqToBeAcked: 2,
  lastAck: 3,
  window: 4,
  winScale: 5,
  lastFlags: 6,
  dupAcks: 7,
  bits: 8,
  size: 9,
} as const;
const FLOW_BASE_SET = 1;
const FLOW_FIRST_ACK = 2;
/** Doubles of a row. */
const ROW_DOUBLES = AD.flows + 2 * FD.size;

/** A new row's doubles: times not known (NaN), each flow's times -∞ (before the first segment). */
const NEW_ROW_DOUBLES = Float64Array.from({ length: ROW_DOUBLES }, (_, i) => {
  if (i < AD.flows) return Number.NaN;
  const k = (i - AD.flows) % FD.size;
  return k === FD.nextSeqTs || k === FD.lastAckTs ? Number.NEGATIVE_INFINITY : 0;
});
/** A flow's integers before its first segment. */
const NEW_FLOW_INTS = Int32Array.from({ length: FI.size }, (_, k) =>
  k === FI.window ? NO_WINDOW : k === FI.winScale ? WS_UNKNOWN : 0,
);

/** The rows (see flow/rows.ts), in pages that never move: a view holds the page of its row. */
const STORE = new RowStore(ROW_DOUBLES, 2 * FI.size);

/** Analysis rows in use (tests check that finished analyses give theirs back). */
export function analysisRowsInUse(): number {
  return STORE.inUse;
}

function flowDoubles(slot: number, flow: number): number {
  return STORE.doublesAt(slot) + AD.flows + flow * FD.size;
}
function flowInts(slot: number, flow: number): number {
  return STORE.intsAt(slot) + flow * FI.size;
}

function allocRow(): number {
  const slot = STORE.alloc();
  const f64 = STORE.f64Of(slot);
  const d = STORE.doublesAt(slot);
  for (let k = 0; k < ROW_DOUBLES; k++) f64[d + k] = NEW_ROW_DOUBLES[k] as number;
  for (let flow = 0; flow < 2; flow++) resetFlow(slot, flow);
  return slot;
}

/** Copy a flow's numbers from one row to another (`reset`: from a new row's). */
function copyFlow(slot: number, flow: number, fromSlot: number, fromFlow: number): void {
  const f64 = STORE.f64Of(slot);
  const from64 = STORE.f64Of(fromSlot);
  const d = flowDoubles(slot, flow);
  const fd = flowDoubles(fromSlot, fromFlow);
  for (let k = 0; k < FD.size; k++) f64[d + k] = from64[fd + k] as number;
  const i32 = STORE.i32Of(slot);
  const from32 = STORE.i32Of(fromSlot);
  const n = flowInts(slot, flow);
  const fn = flowInts(fromSlot, fromFlow);
  for (let k = 0; k < FI.size; k++) i32[n + k] = from32[fn + k] as number;
}

function resetFlow(slot: number, flow: number): void {
  const f64 = STORE.f64Of(slot);
  const d = flowDoubles(slot, flow);
  for (let k = 0; k < FD.size; k++) f64[d + k] = NEW_ROW_DOUBLES[AD.flows + k] as number;
  const i32 = STORE.i32Of(slot);
  const n = flowInts(slot, flow);
  for (let k = 0; k < FI.size; k++) i32[n + k] = NEW_FLOW_INTS[k] as number;
}

/**
 * What the analysis knows about one direction of the connection: a view of one flow of a row
 * (`bindTo`). Every value is a number or a boolean, never `undefined` (0: not known yet).
 */
class Flow {
  private f64: Float64Array = new Float64Array(0);
  private i32: Int32Array = new Int32Array(0);
  private f = 0;
  private i = 0;

  bindTo(slot: number, flow: number): this {
    this.f64 = STORE.f64Of(slot);
    this.i32 = STORE.i32Of(slot);
    this.f = flowDoubles(slot, flow);
    this.i = flowInts(slot, flow);
    return this;
  }

  /** Base sequence number (when `baseSet`): the ISN from a SYN, else the first seq - 1 (or the peer's ack - 1). */
  get base(): Seq {
    return seqUnpack(this.i32[this.i + FI.base] as number);
  }
  set base(s: Seq) {
    this.i32[this.i + FI.base] = seqPack(s);
  }
  /** The base came from a SYN or a segment of this flow (Wireshark's TCP_S_BASE_SET). */
  get baseSet(): boolean {
    return ((this.i32[this.i + FI.bits] as number) & FLOW_BASE_SET) !== 0;
  }
  set baseSet(v: boolean) {
    setBit(this.i32, this.i + FI.bits, FLOW_BASE_SET, v);
  }
  /** Next expected sequence number (0: not known yet, as the guide defines it), when/where it last moved. */
  get nextSeq(): Seq {
    return seqUnpack(this.i32[this.i + FI.nextSeq] as number);
  }
  set nextSeq(s: Seq) {
    this.i32[this.i + FI.nextSeq] = seqPack(s);
  }
  get nextSeqTs(): number {
    return this.f64[this.f + FD.nextSeqTs] as number;
  }
  set nextSeqTs(v: number) {
    this.f64[this.f + FD.nextSeqTs] = v;
  }
  get nextSeqFrame(): number {
    return this.f64[this.f + FD.nextSeqFrame] as number;
  }
  set nextSeqFrame(v: number) {
    this.f64[this.f + FD.nextSeqFrame] = v;
  }
  /** Next expected acknowledgement number: end of the contiguous data (0: not known yet). */
  get maxSeqToBeAcked(): Seq {
    return seqUnpack(this.i32[this.i + FI.maxSeqToBeAcked] as number);
  }
  set maxSeqToBeAcked(s: Seq) {
    this.i32[this.i + FI.maxSeqToBeAcked] = seqPack(s);
  }
  /** Last-seen acknowledgement number (the raw field of its last segment; 0: not known) and when. */
  get lastAck(): Seq {
    return seqUnpack(this.i32[this.i + FI.lastAck] as number);
  }
  set lastAck(s: Seq) {
    this.i32[this.i + FI.lastAck] = seqPack(s);
  }
  get lastAckTs(): number {
    return this.f64[this.f + FD.lastAckTs] as number;
  }
  set lastAckTs(v: number) {
    this.f64[this.f + FD.lastAckTs] = v;
  }
  /** Last raw window field; NO_WINDOW before the first segment. */
  get window(): number {
    return this.i32[this.i + FI.window] as number;
  }
  set window(v: number) {
    this.i32[this.i + FI.window] = v;
  }
  /** Window scale: a shift, WS_UNKNOWN or WS_NONE. */
  get winScale(): number {
    return this.i32[this.i + FI.winScale] as number;
  }
  set winScale(v: number) {
    this.i32[this.i + FI.winScale] = v;
  }
  /** Its last SYN was not yet followed by one of its ACKs: its last window is a SYN's, unscaled. */
  get firstAck(): boolean {
    return ((this.i32[this.i + FI.bits] as number) & FLOW_FIRST_ACK) !== 0;
  }
  set firstAck(v: boolean) {
    setBit(this.i32, this.i + FI.bits, FLOW_FIRST_ACK, v);
  }
  /** LAST_* bits of its last segment. */
  get lastFlags(): number {
    return this.i32[this.i + FI.lastFlags] as number;
  }
  set lastFlags(v: number) {
    this.i32[this.i + FI.lastFlags] = v;
  }
  /**
   * Duplicate ACKs with this acknowledgement number so far, and the frame where it last changed.
   * -1: the peer's "ACKed unseen segment" was reported against this flow's ACK stall already.
   */
  get dupAcks(): number {
    return this.i32[this.i + FI.dupAcks] as number;
  }
  set dupAcks(v: number) {
    this.i32[this.i + FI.dupAcks] = v;
  }
  get lastNonDupAck(): number {
    return this.f64[this.f + FD.lastNonDupAck] as number;
  }
  set lastNonDupAck(v: number) {
    this.f64[this.f + FD.lastNonDupAck] = v;
  }
}

/** The flow views: the analysis at work's two, and its predecessor's (a reused 4-tuple). */
const ORIG_FLOW = new Flow();
const RESP_FLOW = new Flow();
const PREV_FLOW = new Flow();

/**
 * Shared by the analysers of one tracker, so that a connection that reuses a 4-tuple can look at
 * the one before it: tshark keeps one analysis across a reused 4-tuple unless the new SYN's
 * sequence number differs from the old ISN (and flags `reused_ports` when it does).
 */
export class TcpAnalysisContext {
  private readonly byId = new Map<number, TcpAnalysis>();
  /**
   * One iterator over `byId` kept across evictions. A Map iterator stays live through insertions and
   * deletions, and every entry it has passed was evicted, so its next entry is the oldest still
   * registered. (A fresh `keys().next()` walks over every entry deleted from the front since V8
   * last compacted the table: microseconds per eviction.)
   */
  private oldest: Iterator<number> = this.byId.keys();

  /** At most this many finished analyses are remembered (oldest dropped first). */
  constructor(readonly limit = 65_536) {}

  register(id: number, a: TcpAnalysis): void {
    if (this.byId.size >= this.limit) {
      let oldest = this.oldest.next();
      if (oldest.done) {
        // An iterator that reached the end (the table was empty) stays there: start another.
        this.oldest = this.byId.keys();
        oldest = this.oldest.next();
      }
      if (!oldest.done) {
        this.byId.get(oldest.value)?.leaveContext();
        this.byId.delete(oldest.value);
      }
    }
    const had = this.byId.get(id);
    if (had !== undefined && had !== a) had.leaveContext();
    this.byId.set(id, a);
    a.enterContext();
  }

  /**
   * The analysis of connection `id`, removed from the table (a 4-tuple is reused once). The caller
   * calls its `leaveContext` once done with it.
   */
  take(id: number): TcpAnalysis | undefined {
    const a = this.byId.get(id);
    if (a) this.byId.delete(id);
    return a;
  }
}

/** `analyzers` option for `TcpTracker`: one `TcpAnalysis` per connection, sharing one context. */
export function tcpAnalysisAnalyzers(
  context = new TcpAnalysisContext(),
): (c: TcpConnection) => SegmentAnalyzer[] {
  return () => [new TcpAnalysis({ context })];
}

export interface TcpAnalysisOptions {
  /** Lets a reused 4-tuple see the previous connection (for `reused_ports` and tshark's continuity). */
  readonly context?: TcpAnalysisContext;
}

/** Is the segment inside an IP fragment? Then its length is unknown and tshark does not analyse it. */
function inFragment(seg: Segment): boolean {
  const ip = seg.packet.ip;
  if (!ip) return false;
  if (ip.kind === 'ipv4') return ip.moreFragments || ip.fragmentOffset > 0;
  // An atomic fragment (offset 0, no more) is a whole datagram.
  return ip.fragment !== undefined && (ip.fragment.more || ip.fragment.offset > 0);
}

/** An endpoint of the connection, as the analysis tells its two flows apart. */
interface Sender {
  // A string: flows are matched by `===` (an address held as bytes would need a content comparison).
  readonly addr: string;
  readonly port: number;
}

export class TcpAnalysis implements SegmentAnalyzer {
  /**
   * Its row in the store (flow 0 the originator's, flow 1 the responder's), -1 once given back: when
   * its connection has ended and its context no longer holds it for a reuse of the 4-tuple.
   */
  private slot = allocRow();
  private inContext = false;
  private ended = false;
  /** The originator's address and port, to match flows across incarnations of a 4-tuple. */
  private origAddr = '';
  private origPort = 0;
  /**
   * Times are integer nanoseconds since the start of the second of the first segment: exact for
   * 104 days (a double of Unix seconds is only good to a quarter of a microsecond).
   */
  private get t0(): number | undefined {
    return this.optional(AD.t0);
  }
  private set t0(v: number | undefined) {
    this.setOptional(AD.t0, v);
  }
  /** Time of the most recent SYN (without ACK), and the initial RTT (ns) once known. */
  private get synTs(): number | undefined {
    return this.optional(AD.synTs);
  }
  private set synTs(v: number | undefined) {
    this.setOptional(AD.synTs, v);
  }
  private get irtt(): number | undefined {
    return this.optional(AD.irtt);
  }
  private set irtt(v: number | undefined) {
    this.setOptional(AD.irtt, v);
  }
  /** A double of its row (NaN when absent). */
  private optional(k: number): number | undefined {
    return unlessNaN(STORE.f64Of(this.slot)[STORE.doublesAt(this.slot) + k] as number);
  }
  private setOptional(k: number, v: number | undefined): void {
    STORE.f64Of(this.slot)[STORE.doublesAt(this.slot) + k] = v ?? Number.NaN;
  }
  private started = false;
  /** Set on the first segment of a connection that reuses a 4-tuple with a new ISN. */
  private reuse: { previousIsn: Seq | undefined; previous: number } | undefined;
  private readonly context: TcpAnalysisContext | undefined;
  /** The flags found on the current segment (made on the first: most segments have none). */
  private out: TcpAnalysisDetail[] | undefined;

  constructor(opts: TcpAnalysisOptions = {}) {
    this.context = opts.context;
  }

  /**
   * tshark's `tcp.analysis.initial_rtt` in seconds: from the most recent SYN (without ACK) to the
   * first segment with ACK and without SYN, from either side; undefined until then.
   */
  get initialRtt(): number | undefined {
    return this.irtt === undefined ? undefined : this.irtt / 1e9;
  }

  onSegment(seg: Segment, conn: TcpConnection): void {
    if (!this.started) this.start(seg, conn);
    if (inFragment(seg)) return;
    const f = seg.packet.frame;
    let t0 = this.t0;
    if (t0 === undefined) {
      t0 = f.tsSec;
      this.t0 = t0;
    }
    // Capture time, ns since t0.
    const ts = (f.tsSec - t0) * 1e9 + f.tsNsec;
    const orig = ORIG_FLOW.bindTo(this.slot, 0);
    const resp = RESP_FLOW.bindTo(this.slot, 1);
    const fwd = seg.fromOrig ? orig : resp;
    const rev = seg.fromOrig ? resp : orig;
    if (seg.syn || this.reuse !== undefined) this.portReuse(seg, fwd);
    this.setBases(seg, fwd, rev);
    // The forward checks' LAST_* bits (zero-window probe, keep-alive) are what later steps need.
    const last = this.forward(seg, fwd, rev);
    this.ackedUnseen(seg, fwd, rev);
    if ((seg.len > 0 || seg.syn || seg.fin) && (last & LAST_KEEP_ALIVE) === 0) this.resent(seg, fwd, rev, ts);
    this.advance(seg, fwd, ts, last);
    this.afterwards(seg, fwd, rev, ts);
    const out = this.out;
    if (out !== undefined) {
      this.out = undefined;
      for (const d of out) addFlag(seg, d.flag);
      analysisDetails.set(seg, out);
    }
  }

  /** The tracker let the connection go: its row goes back unless its context still holds it. */
  onEnd(): void {
    this.ended = true;
    if (!this.inContext) this.release();
  }

  /** Its context holds it (for a reuse of the 4-tuple). */
  enterContext(): void {
    this.inContext = true;
  }

  /** Its context let it go, or whoever took it from there is done with it. */
  leaveContext(): void {
    this.inContext = false;
    if (this.ended) this.release();
  }

  private release(): void {
    if (this.slot === -1) return;
    STORE.release(this.slot);
    this.slot = -1;
  }

  /** Records a flag of the current segment with the numbers that triggered it. */
  private push(flag: TcpAnalysisFlag, text: string, values: Record<string, number>): void {
    const d: TcpAnalysisDetail = { flag, text, values };
    if (this.out === undefined) this.out = [d];
    else this.out.push(d);
  }

  /** Did `ep` originate this analysis' connection? */
  private originatedBy(ep: Sender): boolean {
    return ep.addr === this.origAddr && ep.port === this.origPort;
  }

  /** First segment: set up both flows, or carry on from the connection whose 4-tuple this one reuses. */
  private start(seg: Segment, conn: TcpConnection): void {
    this.started = true;
    const orig: Sender = conn.orig;
    this.origAddr = orig.addr;
    this.origPort = orig.port;
    this.context?.register(conn.id, this);
    if (conn.reusedFrom === undefined) return;
    const newSyn = seg.syn && !seg.hasAck;
    const prev = this.context?.take(conn.reusedFrom);
    if (!prev) {
      // No context to look back with: a new SYN on a reused 4-tuple is taken as a reuse.
      if (newSyn) this.reuse = { previousIsn: undefined, previous: conn.reusedFrom };
      return;
    }
    // Would tshark start a new conversation here? Only for a SYN whose sequence number differs
    // from the ISN its sender had in the old one; otherwise the old analysis goes on.
    const pf = PREV_FLOW.bindTo(prev.slot, prev.originatedBy(seg.fromOrig ? conn.orig : conn.resp) ? 0 : 1);
    if (newSyn && pf.baseSet && pf.base !== seg.seq) {
      this.reuse = { previousIsn: pf.base, previous: conn.reusedFrom };
    } else {
      const same = prev.originatedBy(conn.orig);
      copyFlow(this.slot, 0, prev.slot, same ? 0 : 1);
      copyFlow(this.slot, 1, prev.slot, same ? 1 : 0);
      this.t0 = prev.t0;
      this.synTs = prev.synTs;
      this.irtt = prev.irtt;
    }
    prev.leaveContext();
  }

  /**
   * Port reuse, decided before the sequence analysis as in tshark: a SYN whose sequence number
   * differs from its sender's ISN starts the analysis afresh; a SYN,ACK with a new ISN is flagged.
   */
  private portReuse(seg: Segment, fwd: Flow): void {
    const s = seg.seq;
    if (this.reuse) {
      const { previousIsn, previous } = this.reuse;
      this.reuse = undefined;
      const values: Record<string, number> = { isn: s, previousConnection: previous };
      if (previousIsn !== undefined) values.previousIsn = previousIsn;
      const was = previousIsn === undefined ? '' : `, the previous connection's was ${previousIsn}`;
      this.push('reused_ports', `a new connection on this 4-tuple: ISN ${s}${was}`, values);
      return;
    }
    if (!seg.syn || !fwd.baseSet) return;
    if (fwd.base === s) {
      // The same SYN again (a retransmission, or a retry after a RST whose seq broke the flow, e.g.
      // RFC 9293's RST with seq = the ACK received): the next expected seq falls back to the end
      // of the contiguous data.
      if (!seg.hasAck) fwd.nextSeq = fwd.maxSeqToBeAcked;
      return;
    }
    const previousIsn = fwd.base;
    if (seg.hasAck) {
      fwd.base = s;
    } else {
      resetFlow(this.slot, 0);
      resetFlow(this.slot, 1);
      this.synTs = undefined;
      this.irtt = undefined;
    }
    this.push(
      'reused_ports',
      `${seg.hasAck ? 'SYN,ACK' : 'SYN'} with ISN ${s}, the previous one was ${previousIsn}`,
      { isn: s, previousIsn },
    );
  }

  /** Base sequence numbers: a SYN's, else the first seq - 1; the peer's from an ACK - 1. */
  private setBases(seg: Segment, fwd: Flow, rev: Flow): void {
    if (!fwd.baseSet) {
      fwd.base = seg.syn ? seg.seq : seqAdd(seg.seq, -1);
      fwd.baseSet = true;
    }
    if (!rev.baseSet && seg.hasAck) {
      rev.base = seqAdd(seg.ack, -1);
      rev.baseSet = true;
    }
  }

  /**
   * Checks on what the segment says about its own direction, in Wireshark's order. Returns the
   * LAST_* bits of the segment: zero-window probe, keep-alive.
   */
  private forward(seg: Segment, fwd: Flow, rev: Flow): number {
    const s = seg.seq;
    const ack = seg.ack;
    const len = seg.len;
    const win = seg.tcp.window;
    const sfr = seg.syn || seg.fin || seg.rst;
    const next = fwd.nextSeq;
    const atNext = s === next;
    const sameAck = ack === fwd.lastAck;
    // ZERO WINDOW PROBE: 1 byte at the next expected sequence number into a zero window.
    if (len === 1 && atNext && rev.window === 0) {
      this.push('zero_window_probe', `1 byte at the next expected sequence number ${s} into a zero window`, {
        seq: s,
      });
      return LAST_ZWP;
    }
    // ZERO WINDOW: a window of 0, and none of SYN, FIN, RST.
    if (win === 0 && !sfr) this.push('zero_window', 'the receive window is 0', { window: 0 });
    // PREVIOUS SEGMENT NOT CAPTURED: beyond the next expected sequence number (RST excepted).
    if (next !== 0 && seqGt(s, next) && !seg.rst)
      this.push(
        'lost_segment',
        `seq ${s} is beyond the next expected ${next}: ${seqRel(s, next)} bytes not seen`,
        {
          seq: s,
          expected: next,
          missing: seqRel(s, next),
        },
      );
    // KEEP-ALIVE: 0 or 1 byte, one below the next expected sequence number; not SYN, FIN, RST.
    const keepAlive = len <= 1 && s === seqAdd(next, -1) && !sfr;
    if (keepAlive)
      this.push('keep_alive', `seq ${s} is one below the next expected ${next}`, { seq: s, expected: next });
    const last = keepAlive ? LAST_KEEP_ALIVE : 0;
    // WINDOW UPDATE: no data, same seq and ack, a new non-zero window.
    if (len === 0 && win !== 0 && win !== fwd.window && atNext && sameAck && !sfr) {
      const from = fwd.window === NO_WINDOW ? 0 : fwd.window;
      this.push('window_update', `window ${from} → ${win}, nothing else new`, { from, to: win });
    }
    // WINDOW FULL: the data ends exactly at the right edge of the peer's advertised window.
    if (len > 0 && rev.winScale !== WS_UNKNOWN && rev.window !== NO_WINDOW && !sfr) {
      // The peer's last window is unscaled while it came in its SYN (no ACK of its own since).
      const shift = rev.firstAck || rev.winScale === WS_NONE ? 0 : rev.winScale;
      const size = rev.window * 2 ** shift;
      const edge = seqAdd(rev.lastAck, size);
      if (seqAdd(s, len) === edge)
        this.push('window_full', `the data ends at ${edge}, the edge of the peer's ${size}-byte window`, {
          end: edge,
          peerAck: rev.lastAck,
          peerWindow: size,
          shift,
        });
    }
    // The remaining checks are for a bare repeat of the last ACK.
    if (len !== 0 || win !== fwd.window || !atNext || !sameAck || sfr) return last;
    // KEEP-ALIVE ACK: after the peer's keep-alive (window non-zero).
    if (win !== 0 && (rev.lastFlags & LAST_KEEP_ALIVE) !== 0) {
      this.push('keep_alive_ack', `repeats ACK ${ack} after the peer's keep-alive`, { ack });
      return last;
    }
    // ZERO WINDOW PROBE ACK: after the peer's probe, still a zero window.
    if (win === 0 && (rev.lastFlags & LAST_ZWP) !== 0) {
      this.push('zero_window_probe_ack', `repeats ACK ${ack} and window 0 after the peer's probe`, { ack });
      return last;
    }
    // DUPLICATE ACK: window non-zero.
    if (win !== 0) {
      fwd.dupAcks = fwd.dupAcks === -1 ? 1 : fwd.dupAcks + 1;
      this.push('duplicate_ack', `dup ACK #${fwd.dupAcks} of frame ${fwd.lastNonDupAck}`, {
        number: fwd.dupAcks,
        frame: fwd.lastNonDupAck,
        ack,
      });
    }
    return last;
  }

  /**
   * ACKED UNSEEN SEGMENT: acknowledges beyond where the peer's contiguous data ends. Once reported,
   * that end jumps to the peer's next expected seq. When the gap lies behind the peer's next
   * expected seq (data the capture missed), it is reported; when it does not (the peer's own data
   * was seen, the ACK runs ahead of it), it is reported once until the peer's ACK number moves.
   */
  private ackedUnseen(seg: Segment, fwd: Flow, rev: Flow): void {
    const ack = seg.ack;
    // A new acknowledgement number starts a new series of duplicate ACKs.
    if (ack !== fwd.lastAck) {
      fwd.lastNonDupAck = seg.n;
      fwd.dupAcks = 0;
    }
    const end = rev.maxSeqToBeAcked;
    if (!seg.hasAck || end === 0 || !seqGt(ack, end)) return;
    // tshark compares these two as plain unsigned numbers (so across 2^32 too).
    const behind = end > rev.nextSeq;
    if (behind || rev.dupAcks !== -1)
      this.push('ack_lost_segment', `ACK ${ack} is beyond the peer's next expected ${end}`, {
        ack,
        expected: end,
      });
    if (!behind) rev.dupAcks = -1;
    rev.maxSeqToBeAcked = rev.nextSeq;
  }

  /** A segment with data, SYN or FIN (not a keep-alive): old data sent again, and why. */
  private resent(seg: Segment, fwd: Flow, rev: Flow, ts: number): void {
    const s = seg.seq;
    const len = seg.len;
    const next = fwd.nextSeq;
    const end = seqAdd(s, len);
    // SPURIOUS RETRANSMISSION: all of its data was already acknowledged.
    if (len > 0 && rev.lastAck !== 0 && seqLe(end, rev.lastAck)) {
      this.push(
        'spurious_retransmission',
        `ends at ${end}, already acknowledged by the peer (ACK ${rev.lastAck})`,
        {
          seq: s,
          end,
          peerAck: rev.lastAck,
        },
      );
      return;
    }
    // Below the next expected seq; but new data one byte below it follows a probe not taken.
    const notAdvanced = next !== 0 && seqLt(s, next) && !(len > 1 && s === seqAdd(next, -1));
    if (!notAdvanced) return;
    // FAST RETRANSMISSION: at the peer's ACK, after >= 2 duplicate ACKs, within 20 ms of the last.
    if (rev.dupAcks >= 2 && rev.lastAck === s && within(ts, rev.lastAckTs, FAST_RETRANSMISSION_WINDOW_NS)) {
      this.push('fast_retransmission', `resends seq ${s} after ${rev.dupAcks} duplicate ACKs`, {
        seq: s,
        dupAcks: rev.dupAcks,
        sinceAck: (ts - rev.lastAckTs) / 1e9,
      });
      return;
    }
    // OUT-OF-ORDER: soon (within the initial RTT, else 3 ms) after the next expected seq moved,
    // and not ending exactly there.
    const threshold =
      this.irtt === undefined ? DEFAULT_OUT_OF_ORDER_THRESHOLD_NS : this.irtt < 0 ? Infinity : this.irtt;
    if (within(ts, fwd.nextSeqTs, threshold) && next !== seqAdd(end, seg.syn || seg.fin ? 1 : 0)) {
      this.push('out_of_order', `seq ${s} is below the next expected ${next} and came soon after it`, {
        seq: s,
        expected: next,
        since: (ts - fwd.nextSeqTs) / 1e9,
        threshold: threshold / 1e9,
      });
      return;
    }
    // RETRANSMISSION: anything else below the next expected sequence number.
    this.push(
      'retransmission',
      `seq ${s} is below the next expected ${next} (set by frame ${fwd.nextSeqFrame})`,
      {
        seq: s,
        expected: next,
        frame: fwd.nextSeqFrame,
      },
    );
  }

  /**
   * Move the flow on (a zero-window probe does not advance the next expected sequence number).
   * `last`: the segment's LAST_* bits.
   */
  private advance(seg: Segment, fwd: Flow, ts: number, last: number): void {
    if ((last & LAST_ZWP) === 0) {
      const end = seqAdd(seg.seq, seg.seqLen);
      if (fwd.nextSeq === 0 || seqGt(end, fwd.nextSeq)) {
        fwd.nextSeq = end;
        fwd.nextSeqTs = ts;
        fwd.nextSeqFrame = seg.n;
      }
      if (fwd.maxSeqToBeAcked === 0 || seg.seq === fwd.maxSeqToBeAcked) fwd.maxSeqToBeAcked = fwd.nextSeq;
    }
    fwd.window = seg.tcp.window;
    fwd.lastAck = seg.ack;
    fwd.lastAckTs = ts;
    fwd.lastFlags = last;
  }

  /** What tshark's dissector does after the analysis: SYN bookkeeping, initial RTT, window scale. */
  private afterwards(seg: Segment, fwd: Flow, rev: Flow, ts: number): void {
    if (seg.syn) {
      fwd.firstAck = true;
      if (!seg.hasAck) this.synTs = ts;
    } else if (seg.hasAck) {
      // A zero difference leaves it unknown (tshark tests the stored time for zero).
      if (this.irtt === undefined && this.synTs !== undefined && ts !== this.synTs)
        this.irtt = ts - this.synTs;
      fwd.firstAck = false;
    }
    if (!seg.syn) return;
    for (const o of seg.tcp.options) if (o.kind === 'wscale') fwd.winScale = Math.min(o.shift, 14);
    if (fwd.winScale === WS_UNKNOWN) {
      // No option in this SYN: neither side scales (RFC 7323 §2.2).
      fwd.winScale = WS_NONE;
      rev.winScale = WS_NONE;
    } else if (seg.hasAck && rev.winScale === WS_NONE) {
      // The SYN had none: the SYN,ACK's option is not in force.
      fwd.winScale = WS_NONE;
    }
  }
}
