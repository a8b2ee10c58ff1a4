/**
 * A per-connection summary compatible with Zeek's conn.log: `conn_state`, `history`, byte and packet
 * counts, computed with Zeek's own model of a TCP connection, independent of our RFC 9293 states.
 *
 * The model follows Zeek's documented behaviour and its TCP analyzer (zeek/zeek, BSD licence; the
 * rules were re-implemented here, no code was copied):
 *
 * - Endpoint states TCP_INACTIVE … TCP_RESET and their transitions: `TCPSessionAdapter::Update*State`
 *   (src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc).
 * - History letters and when they repeat: `update_history` there, `TCP_Endpoint::CheckHistory`,
 *   `Connection::ScaledHistoryEntry` (src/Conn.cc) and the `history` field doc of
 *   scripts/base/protocols/conn/main.zeek: a d i q once per direction; f h r s again only with a new
 *   sequence number; c g t w at the 1st, 10th, 100th … occurrence.
 * - Sizes from sequence numbers (`TCP_Endpoint::Size`), packet and IP byte counts (the ConnSize
 *   analyzer), `conn_state()` (main.zeek), durations (last time stops once both sides closed).
 * - Who is the originator: the first packet's sender, flipped (`^`) when that packet is not a bare SYN
 *   and its source port is a likely server port (`TCPAnalyzer::WantConnection`), or — Zeek PR #2191 —
 *   when a connection that began with a SYN-ACK continues, as its second packet, with an ACK or data.
 * - Where Zeek starts a new connection on the same 5-tuple (`TCPSessionAdapter::IsReuse`) and when it
 *   forgets one (attempt, inactivity, close and expire timers). Our tracker decides its own connection
 *   boundaries; this analyzer splits a tracker connection into the several conn.log rows Zeek would
 *   write for it (`zeekSummaries`). It cannot merge what the tracker split.
 * - Content gaps (`G`/`g`, missed_bytes) from a sequence-only model of Zeek's reassembler: bytes the
 *   peer acknowledged that were never seen in full.
 *
 * Letters that need Zeek's application analyzers (`x`) are never produced.
 */
import { unlessNaN } from '../../core/doubles.js';
import { type Seq, seq, seqAdd, seqDiff, seqPack, seqUnpack } from '../../core/seq.js';
import type { ChecksumStatus } from '../../decode/types.js';
import { RowStore, setBit } from '../rows.js';
import type { SegmentAnalyzer, TcpConnection } from './connection.js';
import type { Segment } from './segment.js';

export type ZeekTcpState =
  | 'TCP_INACTIVE'
  | 'TCP_SYN_SENT'
  | 'TCP_SYN_ACK_SENT'
  | 'TCP_PARTIAL'
  | 'TCP_ESTABLISHED'
  | 'TCP_CLOSED'
  | 'TCP_RESET';

export type ZeekConnState =
  | 'S0'
  | 'S1'
  | 'SF'
  | 'REJ'
  | 'S2'
  | 'S3'
  | 'RSTO'
  | 'RSTR'
  | 'RSTOS0'
  | 'RSTRH'
  | 'SH'
  | 'SHR'
  | 'OTH';

/** Zeek's default timer settings (init-bare.zeek), in seconds. */
export interface ZeekTcpTimeouts {
  /** tcp_attempt_delay: an unanswered SYN (or SYN-ACK) is forgotten after this. */
  readonly attemptDelay: number;
  /** tcp_close_delay: a closed (or reset) connection is forgotten this long after its last packet. */
  readonly closeDelay: number;
  /** tcp_connection_linger and tcp_session_timer (the expire timer's period). */
  readonly connectionLinger: number;
  readonly sessionTimer: number;
  /** tcp_SYN_timeout: first run of the expire timer. */
  readonly synTimeout: number;
  /** tcp_partial_close_delay. */
  readonly partialCloseDelay: number;
  /** tcp_inactivity_timeout, in force once the handshake is over. */
  readonly inactivity: number;
  /** Until then Zeek uses udp_inactivity_timeout. */
  readonly handshakeInactivity: number;
}

export const ZEEK_TCP_TIMEOUTS: ZeekTcpTimeouts = {
  attemptDelay: 5,
  closeDelay: 5,
  connectionLinger: 5,
  sessionTimer: 6,
  synTimeout: 5,
  partialCloseDelay: 3,
  inactivity: 300,
  handshakeInactivity: 60,
};

export interface ZeekTcpOptions {
  /**
   * TCP ports in Zeek's `likely_server_ports`. It depends on the scripts loaded: empty with `zeek -b`
   * and only the conn scripts, the union of every base protocol's ports in a default run.
   */
  readonly likelyServerPorts: ReadonlySet<number>;
  /**
   * Like `zeek -C`: checksums are not checked. When false, as Zeek does without `-C`, a segment with a
   * bad TCP checksum only adds `C`/`c`, and a packet with a bad IPv4 header checksum is ignored.
   */
  readonly ignoreChecksums: boolean;
  /**
   * Count checksums left for the NIC to fill in (`offload`: outgoing packets on the capturing host) as
   * bad, as Zeek does (it cannot tell them apart). Default false: they are good.
   */
  readonly offloadIsBad: boolean;
  /** Model Zeek's connection timers (new rows after an idle gap, a close or an unanswered SYN). */
  readonly timers: boolean;
  readonly timeouts: ZeekTcpTimeouts;
  /** tcp_max_above_hole_without_any_acks: beyond it the reassembler stops (no more gaps). */
  readonly maxAboveHoleWithoutAcks: number;
  /** tcp_excessive_data_without_further_acks (0 = no limit). */
  readonly excessiveDataWithoutAcks: number;
}

/** TCP ports the base protocol scripts add to `likely_server_ports` (ports registered in Zeek 8/9). */
export const ZEEK_BASE_TCP_SERVER_PORTS: Readonly<Record<string, readonly number[]>> = {
  'dce-rpc': [135],
  dnp3: [20000],
  dns: [53],
  ftp: [21, 2811],
  http: [80, 81, 631, 1080, 3128, 8000, 8080, 8888],
  imap: [143],
  irc: [6666, 6667, 6668, 6669],
  krb: [88],
  ldap: [389, 3268],
  modbus: [502],
  mysql: [1434, 3306],
  pop3: [110],
  rdp: [3389],
  redis: [6379],
  smb: [139, 445],
  smtp: [25, 587],
  socks: [1080],
  ssh: [22],
  ssl: [443, 563, 585, 614, 636, 989, 990, 992, 993, 995, 5223],
  xmpp: [5222, 5269],
};

/** `likely_server_ports` (TCP part) for a run that loads the given base protocols. */
export function zeekTcpServerPorts(protocols: readonly string[], extra: readonly number[] = []): Set<number> {
  const s = new Set<number>(extra);
  for (const p of protocols) for (const port of ZEEK_BASE_TCP_SERVER_PORTS[p] ?? []) s.add(port);
  return s;
}

/** A default (full scripts) Zeek run. */
export const ZEEK_FULL_TCP_SERVER_PORTS: ReadonlySet<number> = zeekTcpServerPorts(
  Object.keys(ZEEK_BASE_TCP_SERVER_PORTS),
);

export const DEFAULT_ZEEK_TCP_OPTIONS: ZeekTcpOptions = {
  likelyServerPorts: ZEEK_FULL_TCP_SERVER_PORTS,
  ignoreChecksums: true,
  offloadIsBad: false,
  timers: true,
  timeouts: ZEEK_TCP_TIMEOUTS,
  maxAboveHoleWithoutAcks: 16384,
  excessiveDataWithoutAcks: 10 * 1024 * 1024,
};

/** One conn.log row, as Zeek would write it for (part of) a tracker connection. */
export interface ZeekConnSummary {
  /** A stable identifier in Zeek's style (not Zeek's own uid, which comes from its random seed). */
  readonly uidHint?: string;
  /** Zeek's orientation (after any flip). */
  readonly origAddr: string;
  readonly origPort: number;
  readonly respAddr: string;
  readonly respPort: number;
  readonly connState: ZeekConnState;
  readonly history: string;
  /** Payload bytes from sequence numbers. Zeek logs them only when `duration > 0`. */
  readonly origBytes: number;
  readonly respBytes: number;
  readonly origPkts: number;
  readonly respPkts: number;
  readonly origIpBytes: number;
  readonly respIpBytes: number;
  readonly missedBytes: number;
  /** The originator is not the first packet's sender (history has an odd number of `^`). */
  readonly flipped: boolean;
  readonly duration: number;
  /** Capture time of the first packet (Zeek's `ts`). */
  readonly startTs: number;
  readonly origState: ZeekTcpState;
  readonly respState: ZeekTcpState;
  /** Frame numbers of the first and last packet of this row. */
  readonly firstPacket: number;
  readonly lastPacket: number;
  /** Position among the rows Zeek would write for one tracker connection, and their number. */
  readonly part: number;
  readonly parts: number;
}

// --- conn_state ---------------------------------------------------------------------------------

const RSTOS0 = /^\^?S[^HAFGIQ]*R.*$/;

/**
 * Zeek's `conn_state()` for TCP (scripts/base/protocols/conn/main.zeek), from the final endpoint
 * states, their sizes and the history.
 */
export function zeekConnState(
  os: ZeekTcpState,
  rs: ZeekTcpState,
  origSize: number,
  respSize: number,
  history: string,
): ZeekConnState {
  const oInactive = os === 'TCP_INACTIVE' || os === 'TCP_PARTIAL';
  const rInactive = rs === 'TCP_INACTIVE' || rs === 'TCP_PARTIAL';
  if (rs === 'TCP_RESET') {
    if (
      os === 'TCP_SYN_SENT' ||
      os === 'TCP_SYN_ACK_SENT' ||
      (os === 'TCP_RESET' && origSize === 0 && respSize === 0)
    )
      return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === 'TCP_RESET') {
    if (rInactive) return RSTOS0.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === 'TCP_CLOSED' && os === 'TCP_CLOSED') return 'SF';
  if (os === 'TCP_CLOSED') return rInactive ? 'SH' : 'S2';
  if (rs === 'TCP_CLOSED') return oInactive ? 'SHR' : 'S3';
  if (os === 'TCP_SYN_SENT' && rs === 'TCP_INACTIVE') return 'S0';
  if (os === 'TCP_ESTABLISHED' && rs === 'TCP_ESTABLISHED') return 'S1';
  return 'OTH';
}

/** The conn.log columns for a summary, with Zeek's unset fields as `-` (bytes and duration need duration > 0). */
export function zeekConnLogFields(s: ZeekConnSummary): Record<string, string | number> {
  const timed = s.duration > 0;
  return {
    'id.orig_h': s.origAddr,
    'id.orig_p': s.origPort,
    'id.resp_h': s.respAddr,
    'id.resp_p': s.respPort,
    proto: 'tcp',
    duration: timed ? s.duration.toFixed(6) : '-',
    orig_bytes: timed ? s.origBytes : '-',
    resp_bytes: timed ? s.respBytes : '-',
    conn_state: s.connState,
    missed_bytes: s.missedBytes,
    history: s.history === '' ? '-' : s.history,
    orig_pkts: s.origPkts,
    orig_ip_bytes: s.origIpBytes,
    resp_pkts: s.respPkts,
    resp_ip_bytes: s.respIpBytes,
  };
}

// --- history masks (TCP_Endpoint::HistoryMasks); the responder's are shifted left by 16 ----------

const HIST_SYN = 0x1;
const HIST_FIN = 0x2;
const HIST_RST = 0x4;
const HIST_FIN_RST = 0x8;
const HIST_DATA = 0x10;
const HIST_ACK = 0x20;
const HIST_MULTI_FLAG = 0x40;

/** Sequence deltas beyond this are not trusted for SYNs and RSTs (TOO_LARGE_SEQ_DELTA). */
const TOO_LARGE_SEQ_DELTA = 1048576;
const TWO32 = 2 ** 32;

const HANDSHAKE: ReadonlySet<ZeekTcpState> = new Set(['TCP_INACTIVE', 'TCP_SYN_SENT', 'TCP_SYN_ACK_SENT']);

/** Counters whose letter is recorded at the 1st, 10th, 100th … occurrence: is `n` one of those? */
function scaledHit(n: number): boolean {
  let t = 1;
  while (t < n) t *= 10;
  return t === n;
}

/**
 * Where each connection's numbers are: every live conn.log row has a slot in one store of typed
 * arrays (below), doubles and 32-bit integers, recycled when the row is done. The classes of the
 * model are views over a slot (one set, bound to the row being worked on), so a connection costs
 * no objects of its own and nothing for the garbage collector to copy: an object per endpoint,
 * stream and row took about 1 KB of heap per connection, all of it promoted to the old generation.
 *
 * Doubles of a row: its times and timers (NaN: not set), packet numbers and missed bytes, then each
 * endpoint's (ZF: relative positions of its FIN and last SYN/FIN/RST, its stream's two, IP bytes).
 */
const ZF = {
  finSeq: 0,
  histLastSyn: 1,
  histLastFin: 2,
  histLastRst: 3,
  reasm: 4,
  ipBytes: 6,
  size: 7,
} as const;
const FZ = {
  startTs: 0,
  lastTime: 1,
  attemptAt: 2,
  deleteAt: 3,
  partialCloseAt: 4,
  inactivityTimeout: 5,
  firstPacket: 6,
  lastPacket: 7,
  missedBytes: 8,
  /** The earliest time of the expire timer's chains (+∞: none runs). */
  chainsDue: 9,
  ep: 10,
  size: 10 + 2 * ZF.size,
} as const;
/** 32-bit integers of an endpoint: states (codes into STATES), packed sequence numbers, counters, bits. */
const ZI = {
  state: 0,
  prevState: 1,
  startSeq: 2,
  lastSeq: 3,
  ackSeq: 4,
  seqWraps: 5,
  ackWraps: 6,
  finCnt: 7,
  rstCnt: 8,
  chk: 9,
  rxmt: 10,
  win0: 11,
  gap: 12,
  pkts: 13,
  bits: 14,
  size: 15,
} as const;
/** Endpoint bits. */
const EP_DID_CLOSE = 1;
const EP_IS_ORIG = 2;
const EP_TRACKER_ORIG = 4;
const EP_SKIP = 8;
/** Its stream holds pieces above a hole (HELD has them). */
const EP_HELD = 16;
/** 32-bit integers of a row, then each endpoint's. */
const IZ = {
  histSeen: 0,
  flips: 1,
  packets: 2,
  firstPacketSeen: 3,
  bits: 4,
  ep: 5,
  size: 5 + 2 * ZI.size,
} as const;
/** Row bits. */
const ROW_REMOVED = 1;
const ROW_ACTIVE = 2;
const ROW_PARTIAL = 4;
const ROW_FIRST_WAS_SYN_ACK = 8;
/** Endpoint region 1 is the originator (after an odd number of flips). */
const ROW_SWAPPED = 16;

const STATES: readonly ZeekTcpState[] = [
  'TCP_INACTIVE',
  'TCP_SYN_SENT',
  'TCP_SYN_ACK_SENT',
  'TCP_PARTIAL',
  'TCP_ESTABLISHED',
  'TCP_CLOSED',
  'TCP_RESET',
];
/**
 * A state's code: its place in STATES, found by comparing the names, not by reading a record with
 * the name as key (a property lookup by name on every state change: the read sees all seven).
 */
function stateCode(s: ZeekTcpState): number {
  return STATES.indexOf(s);
}

/** A new row's doubles: times unset, each stream at relative position 1, the rest 0. */
const NEW_ROW_DOUBLES = Float64Array.from({ length: FZ.size }, (_, i) => {
  if (i < FZ.inactivityTimeout) return Number.NaN;
  if (i === FZ.chainsDue) return Number.POSITIVE_INFINITY;
  const k = (i - FZ.ep) % ZF.size;
  return i >= FZ.ep && (k === ZF.reasm || k === ZF.reasm + 1) ? 1 : 0;
});

/** No pieces held: shared by every stream until its first hole. */
const NO_HELD: ReadonlyArray<[number, number]> = Object.freeze([]);
/**
 * The rows (flow/rows.ts): a row's doubles (FZ) then its integers (IZ); what does not fit a number (the history, the expire timer's chains, the pieces each stream holds
 * above a hole) sits in plain arrays by slot. In pages that never move; released slots are reused first.
 */
const STORE = new RowStore(FZ.size, IZ.size);
/**
 * The page of the row at work (set by `allocRow` and `ZeekTcpConn.bind`): one row is bound at a
 * time, and every use binds its row first.
 */
let F64: Float64Array = new Float64Array(0);
let I32: Int32Array = new Int32Array(0);
const HISTORY: string[] = [];
const CHAINS: (readonly number[])[] = [];
/** By slot × 2 + endpoint region. */
const HELD: ReadonlyArray<[number, number]>[] = [];
/** Rows in use (tests check that ended connections give theirs back). */
export function zeekRowsInUse(): number {
  return STORE.inUse;
}

function allocRow(): number {
  const slot = STORE.alloc();
  F64 = STORE.f64Of(slot);
  I32 = STORE.i32Of(slot);
  const f = STORE.doublesAt(slot);
  for (let k = 0; k < FZ.size; k++) F64[f + k] = NEW_ROW_DOUBLES[k] as number;
  const n = STORE.intsAt(slot);
  for (let k = 0; k < IZ.size; k++) I32[n + k] = 0;
  I32[n + IZ.bits] = ROW_ACTIVE;
  HISTORY[slot] = '';
  CHAINS[slot] = NO_TIMERS;
  HELD[2 * slot] = NO_HELD;
  HELD[2 * slot + 1] = NO_HELD;
  return slot;
}

function releaseRow(slot: number): void {
  HISTORY[slot] = '';
  CHAINS[slot] = NO_TIMERS;
  HELD[2 * slot] = NO_HELD;
  HELD[2 * slot + 1] = NO_HELD;
  STORE.release(slot);
}

/**
 * Zeek's reassembler reduced to sequence numbers (relative, 64-bit, plain numbers). Bytes from
 * `trimSeq` (acknowledged up to there) to `lastReassem` (the next byte to deliver in order) are held
 * and delivered; `held` keeps the pieces above a hole as Zeek keeps blocks: one per stored piece of a
 * segment, sorted and disjoint. A view of one endpoint region of the bound row.
 */
class Reassembly {
  /** Where its two doubles are, its endpoint's integers, and its slot in HELD. */
  f = 0;
  i = 0;
  h = 0;

  get lastReassem(): number {
    return F64[this.f] as number;
  }
  set lastReassem(v: number) {
    F64[this.f] = v;
  }
  get trimSeq(): number {
    return F64[this.f + 1] as number;
  }
  set trimSeq(v: number) {
    F64[this.f + 1] = v;
  }
  /** Made on the first piece held above a hole (most streams never have one). */
  get held(): ReadonlyArray<[number, number]> {
    return ((I32[this.i + ZI.bits] as number) & EP_HELD) !== 0
      ? (HELD[this.h] as ReadonlyArray<[number, number]>)
      : NO_HELD;
  }
  set held(v: ReadonlyArray<[number, number]>) {
    const some = v.length > 0;
    HELD[this.h] = some ? v : NO_HELD;
    setBit(I32, this.i + ZI.bits, EP_HELD, some);
  }
  get skip(): boolean {
    return ((I32[this.i + ZI.bits] as number) & EP_SKIP) !== 0;
  }
  set skip(v: boolean) {
    setBit(I32, this.i + ZI.bits, EP_SKIP, v);
  }

  /** Bytes stored (delivered but not yet acknowledged, and held above a hole). */
  dataSize(): number {
    let n = Math.max(0, this.lastReassem - this.trimSeq);
    const held = this.held;
    for (let i = 0; i < held.length; i++) {
      const [a, b] = held[i] as [number, number];
      n += b - a;
    }
    return n;
  }

  undeliveredBytes(): number {
    const held = this.held;
    // Not `held[held.length - 1]` on an empty list: a read at index -1 is a property lookup by name.
    return held.length > 0 ? (held[held.length - 1] as [number, number])[1] - this.lastReassem : 0;
  }

  /** Reassembler::NewBlock: store the parts of [seq, upper) not held yet, then BlockInserted. */
  add(seqNo: number, upper: number): void {
    if (upper <= this.trimSeq) return;
    if (seqNo < this.trimSeq) seqNo = this.trimSeq;
    if (upper <= this.lastReassem) return; // delivered already
    if (seqNo <= this.lastReassem && this.held.length === 0) {
      // In order with nothing held: delivered at once (what the general case below comes to).
      this.lastReassem = upper;
      return;
    }
    const a0 = Math.max(seqNo, this.lastReassem);
    const pieces: Array<[number, number]> = [];
    let a = a0;
    for (const [x, y] of this.held) {
      if (y <= a) continue;
      if (x >= upper) break;
      if (x > a) pieces.push([a, x]);
      a = Math.max(a, y);
      if (a >= upper) break;
    }
    if (a < upper) pieces.push([a, upper]);
    if (pieces.length > 0) {
      // Stored pieces are a list of this stream's own (only the empty one is shared).
      const held = this.held.length > 0 ? (this.held as Array<[number, number]>) : [];
      for (const p of pieces) {
        let i = held.findIndex(([x]) => x > p[0]);
        if (i < 0) i = held.length;
        held.splice(i, 0, p);
      }
      this.held = held;
    }
    // BlockInserted starts at the first new piece (or, for data held already, at the block holding it).
    const from = pieces[0]?.[0] ?? a0;
    const start = this.held.findIndex(([x, y]) => x <= from && from < y);
    if (start >= 0) this.blockInserted(start);
  }

  /** BlockInserted: deliver in order from block `i` while blocks start at lastReassem. */
  blockInserted(i: number): void {
    const b0 = this.held[i];
    if (!b0 || b0[0] > this.lastReassem) return;
    for (; i < this.held.length; i++) {
      const b = this.held[i] as [number, number];
      if (b[0] > this.lastReassem) break;
      if (b[0] === this.lastReassem) this.lastReassem = b[1];
    }
    const last = this.lastReassem;
    if (this.held.length > 0 && (this.held[0] as [number, number])[1] <= last)
      this.held = this.held.filter(([, y]) => y > last);
  }
}

/** One endpoint in Zeek's model (TCP_Endpoint): a view of one endpoint region of the bound row. */
class ZEndpoint {
  /** Where its doubles and its integers are (set by `ZeekTcpConn.bind`). */
  f = 0;
  i = 0;
  /** The other endpoint's view (fixed: the two views of a row are each other's peer). */
  peer!: ZEndpoint;
  readonly reasm = new Reassembly();

  bindRegion(f: number, i: number, h: number): void {
    this.f = f;
    this.i = i;
    this.reasm.f = f + ZF.reasm;
    this.reasm.i = i;
    this.reasm.h = h;
  }

  get state(): ZeekTcpState {
    return STATES[I32[this.i + ZI.state] as number] as ZeekTcpState;
  }
  /** Move to state `s`, the current one becoming `prevState`. */
  moveTo(s: ZeekTcpState): void {
    const i = this.i;
    I32[i + ZI.prevState] = I32[i + ZI.state] as number;
    I32[i + ZI.state] = stateCode(s);
  }
  get prevState(): ZeekTcpState {
    return STATES[I32[this.i + ZI.prevState] as number] as ZeekTcpState;
  }
  /** Start of the sequence space (ISN, or first sequence number - 1 when no SYN was seen). */
  get startSeq(): number {
    return seqUnpack(I32[this.i + ZI.startSeq] as number);
  }
  get lastSeq(): Seq {
    return seqUnpack(I32[this.i + ZI.lastSeq] as number);
  }
  set lastSeq(s: Seq) {
    I32[this.i + ZI.lastSeq] = seqPack(s);
  }
  get ackSeq(): Seq {
    return seqUnpack(I32[this.i + ZI.ackSeq] as number);
  }
  set ackSeq(s: Seq) {
    I32[this.i + ZI.ackSeq] = seqPack(s);
  }
  get seqWraps(): number {
    return I32[this.i + ZI.seqWraps] as number;
  }
  set seqWraps(v: number) {
    I32[this.i + ZI.seqWraps] = v;
  }
  get ackWraps(): number {
    return I32[this.i + ZI.ackWraps] as number;
  }
  set ackWraps(v: number) {
    I32[this.i + ZI.ackWraps] = v;
  }
  get finCnt(): number {
    return I32[this.i + ZI.finCnt] as number;
  }
  set finCnt(v: number) {
    I32[this.i + ZI.finCnt] = v;
  }
  get rstCnt(): number {
    return I32[this.i + ZI.rstCnt] as number;
  }
  set rstCnt(v: number) {
    I32[this.i + ZI.rstCnt] = v;
  }
  /** Relative sequence number just past its FIN. */
  get finSeq(): number {
    return F64[this.f + ZF.finSeq] as number;
  }
  set finSeq(v: number) {
    F64[this.f + ZF.finSeq] = v;
  }
  /** Relative positions of its last SYN, FIN and RST (a repeat at the same place adds no history letter). */
  get histLastSyn(): number {
    return F64[this.f + ZF.histLastSyn] as number;
  }
  set histLastSyn(v: number) {
    F64[this.f + ZF.histLastSyn] = v;
  }
  get histLastFin(): number {
    return F64[this.f + ZF.histLastFin] as number;
  }
  set histLastFin(v: number) {
    F64[this.f + ZF.histLastFin] = v;
  }
  get histLastRst(): number {
    return F64[this.f + ZF.histLastRst] as number;
  }
  set histLastRst(v: number) {
    F64[this.f + ZF.histLastRst] = v;
  }
  get didClose(): boolean {
    return ((I32[this.i + ZI.bits] as number) & EP_DID_CLOSE) !== 0;
  }
  set didClose(v: boolean) {
    setBit(I32, this.i + ZI.bits, EP_DID_CLOSE, v);
  }
  /** Occurrences of bad checksums, retransmissions, zero windows and gaps (scaled history letters). */
  get chk(): number {
    return I32[this.i + ZI.chk] as number;
  }
  set chk(v: number) {
    I32[this.i + ZI.chk] = v;
  }
  get rxmt(): number {
    return I32[this.i + ZI.rxmt] as number;
  }
  set rxmt(v: number) {
    I32[this.i + ZI.rxmt] = v;
  }
  get win0(): number {
    return I32[this.i + ZI.win0] as number;
  }
  set win0(v: number) {
    I32[this.i + ZI.win0] = v;
  }
  get gap(): number {
    return I32[this.i + ZI.gap] as number;
  }
  set gap(v: number) {
    I32[this.i + ZI.gap] = v;
  }
  get pkts(): number {
    return I32[this.i + ZI.pkts] as number;
  }
  set pkts(v: number) {
    I32[this.i + ZI.pkts] = v;
  }
  get ipBytes(): number {
    return F64[this.f + ZF.ipBytes] as number;
  }
  set ipBytes(v: number) {
    F64[this.f + ZF.ipBytes] = v;
  }
  /** Zeek's originator (after any flip). */
  get isOrig(): boolean {
    return ((I32[this.i + ZI.bits] as number) & EP_IS_ORIG) !== 0;
  }
  set isOrig(v: boolean) {
    setBit(I32, this.i + ZI.bits, EP_IS_ORIG, v);
  }
  /** The tracker's side this endpoint is (orig = the tracker's originator). */
  get trackerOrig(): boolean {
    return ((I32[this.i + ZI.bits] as number) & EP_TRACKER_ORIG) !== 0;
  }
  set trackerOrig(v: boolean) {
    setBit(I32, this.i + ZI.bits, EP_TRACKER_ORIG, v);
  }

  initStart(s: Seq): void {
    I32[this.i + ZI.startSeq] = seqPack(s);
  }

  updateLastSeq(s: Seq): void {
    if (s < this.lastSeq) this.seqWraps++;
    this.lastSeq = s;
  }

  updateAckSeq(s: Seq): void {
    if (s < this.ackSeq) this.ackWraps++;
    this.ackSeq = s;
  }

  /** Position of `s` (seen `wraps` times round) in this endpoint's sequence space. */
  relative(s: Seq, wraps: number): number {
    return wraps * TWO32 + s - this.startSeq;
  }

  noDataAcked(): boolean {
    const ack = this.ackWraps * TWO32 + this.ackSeq;
    return ack === this.startSeq || ack === this.startSeq + 1;
  }

  /** TCP_Endpoint::Size: payload bytes from the highest sequence number sent or acknowledged. */
  size(): number {
    if (
      this.prevState === 'TCP_SYN_SENT' &&
      this.state === 'TCP_RESET' &&
      this.peer.state === 'TCP_INACTIVE' &&
      !this.noDataAcked()
    )
      return 0;
    const last = this.seqWraps * TWO32 + this.lastSeq;
    const ack = this.ackWraps * TWO32 + this.ackSeq;
    let n = Math.max(last, ack) - this.startSeq;
    if (n < 0) n += 2 ** 64; // unsigned in Zeek
    if (n !== 0) n--;
    if (this.finCnt > 0 && n !== 0) n--;
    return n;
  }
}

/** Signed 32-bit difference a - b. */
function delta(a: Seq, b: Seq): number {
  return seqDiff(a, b);
}

interface Flags {
  readonly syn: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly ack: boolean;
}

const ORIG_SEEN = 1;
const RESP_SEEN = 2;

function isBad(status: ChecksumStatus, opts: ZeekTcpOptions): boolean {
  return status === 'bad' || (opts.offloadIsBad && status === 'offload');
}

/** The flags of the packet being processed (one object, filled by each `process`). */
const FLAGS: { -readonly [K in keyof Flags]: Flags[K] } = { syn: false, fin: false, rst: false, ack: false };

/** What a packet's state update decided about closing (see `updateStateMachine`). */
interface CloseDecision {
  doClose: boolean;
  genEvent: boolean;
}

/** The one decision object, filled by each `updateStateMachine` and read right after it. */
const CLOSE: CloseDecision = { doClose: false, genEvent: false };

/** No timer chain running (shared, never written). */
const NO_TIMERS: readonly number[] = Object.freeze([]);

/** Capture time as Zeek computes it: seconds plus microseconds (libpcap's timeval). */
function zeekTime(seg: Segment): number {
  const f = seg.packet.frame;
  return f.tsSec + Math.floor(f.tsNsec / 1000) / 1e6;
}

/** One connection as Zeek sees it, one conn.log row: a view of the row of slot `slot` (see `bind`). */
class ZeekTcpConn {
  private slot = -1;
  /** Where the bound row's doubles and integers start. */
  private f = 0;
  private i = 0;
  /** The views of the row's two endpoint regions; `orig` is region 0 unless the row is swapped. */
  private readonly a = new ZEndpoint();
  private readonly b = new ZEndpoint();
  orig: ZEndpoint = this.a;
  resp: ZEndpoint = this.b;
  private opts: ZeekTcpOptions = DEFAULT_ZEEK_TCP_OPTIONS;
  /** Set by each `relSeq`: its position was below the start of the space. */
  private relUnderflow = false;

  constructor() {
    this.a.peer = this.b;
    this.b.peer = this.a;
  }

  /** Work on the row of `slot` from now on. */
  bind(slot: number, opts: ZeekTcpOptions): this {
    this.slot = slot;
    this.opts = opts;
    F64 = STORE.f64Of(slot);
    I32 = STORE.i32Of(slot);
    const f = STORE.doublesAt(slot);
    const i = STORE.intsAt(slot);
    this.f = f;
    this.i = i;
    this.a.bindRegion(f + FZ.ep, i + IZ.ep, 2 * slot);
    this.b.bindRegion(f + FZ.ep + ZF.size, i + IZ.ep + ZI.size, 2 * slot + 1);
    const swapped = ((I32[i + IZ.bits] as number) & ROW_SWAPPED) !== 0;
    this.orig = swapped ? this.b : this.a;
    this.resp = swapped ? this.a : this.b;
    return this;
  }

  get history(): string {
    return HISTORY[this.slot] as string;
  }
  set history(v: string) {
    HISTORY[this.slot] = v;
  }
  private get histSeen(): number {
    return I32[this.i + IZ.histSeen] as number;
  }
  private set histSeen(v: number) {
    I32[this.i + IZ.histSeen] = v;
  }
  get flips(): number {
    return I32[this.i + IZ.flips] as number;
  }
  set flips(v: number) {
    I32[this.i + IZ.flips] = v;
  }
  get startTs(): number {
    return F64[this.f + FZ.startTs] as number;
  }
  get lastTime(): number {
    return F64[this.f + FZ.lastTime] as number;
  }
  set lastTime(v: number) {
    F64[this.f + FZ.lastTime] = v;
  }
  get firstPacket(): number {
    return F64[this.f + FZ.firstPacket] as number;
  }
  get lastPacket(): number {
    return F64[this.f + FZ.lastPacket] as number;
  }
  set lastPacket(v: number) {
    F64[this.f + FZ.lastPacket] = v;
  }
  get packets(): number {
    return I32[this.i + IZ.packets] as number;
  }
  set packets(v: number) {
    I32[this.i + IZ.packets] = v;
  }
  get removed(): boolean {
    return ((I32[this.i + IZ.bits] as number) & ROW_REMOVED) !== 0;
  }
  set removed(v: boolean) {
    setBit(I32, this.i + IZ.bits, ROW_REMOVED, v);
  }
  private get isActive(): boolean {
    return ((I32[this.i + IZ.bits] as number) & ROW_ACTIVE) !== 0;
  }
  private set isActive(v: boolean) {
    setBit(I32, this.i + IZ.bits, ROW_ACTIVE, v);
  }
  private get isPartial(): boolean {
    return ((I32[this.i + IZ.bits] as number) & ROW_PARTIAL) !== 0;
  }
  private set isPartial(v: boolean) {
    setBit(I32, this.i + IZ.bits, ROW_PARTIAL, v);
  }
  private get firstPacketSeen(): number {
    return I32[this.i + IZ.firstPacketSeen] as number;
  }
  private set firstPacketSeen(v: number) {
    I32[this.i + IZ.firstPacketSeen] = v;
  }
  /** Set when the first packet was a SYN-ACK from the (then) originator: PR #2191's late flip. */
  private get firstWasSynAck(): boolean {
    return ((I32[this.i + IZ.bits] as number) & ROW_FIRST_WAS_SYN_ACK) !== 0;
  }
  private set firstWasSynAck(v: boolean) {
    setBit(I32, this.i + IZ.bits, ROW_FIRST_WAS_SYN_ACK, v);
  }
  get missedBytes(): number {
    return F64[this.f + FZ.missedBytes] as number;
  }
  set missedBytes(v: number) {
    F64[this.f + FZ.missedBytes] = v;
  }
  // Timers (absolute capture times; undefined = not scheduled).
  private get inactivityTimeout(): number {
    return F64[this.f + FZ.inactivityTimeout] as number;
  }
  private set inactivityTimeout(v: number) {
    F64[this.f + FZ.inactivityTimeout] = v;
  }
  private get attemptAt(): number | undefined {
    return unlessNaN(F64[this.f + FZ.attemptAt] as number);
  }
  private set attemptAt(v: number | undefined) {
    F64[this.f + FZ.attemptAt] = v ?? Number.NaN;
  }
  private get deleteAt(): number | undefined {
    return unlessNaN(F64[this.f + FZ.deleteAt] as number);
  }
  private set deleteAt(v: number | undefined) {
    F64[this.f + FZ.deleteAt] = v ?? Number.NaN;
  }
  private get partialCloseAt(): number | undefined {
    return unlessNaN(F64[this.f + FZ.partialCloseAt] as number);
  }
  private set partialCloseAt(v: number | undefined) {
    F64[this.f + FZ.partialCloseAt] = v ?? Number.NaN;
  }
  /** The times of the expire timer's chains (shared and empty when none runs: most of the time). */
  private get expireChains(): readonly number[] {
    return CHAINS[this.slot] as readonly number[];
  }
  private set expireChains(v: readonly number[]) {
    CHAINS[this.slot] = v;
    let due = Number.POSITIVE_INFINITY;
    for (let k = 0; k < v.length; k++) due = Math.min(due, v[k] as number);
    F64[this.f + FZ.chainsDue] = due;
  }

  /** Start the bound (new) row with its first segment. */
  start(first: Segment): void {
    const opts = this.opts;
    const ts = zeekTime(first);
    F64[this.f + FZ.startTs] = ts;
    this.lastTime = ts;
    F64[this.f + FZ.firstPacket] = first.n;
    this.lastPacket = first.n;
    // The first packet's sender is the originator.
    this.a.isOrig = true;
    this.a.trackerOrig = first.fromOrig;
    this.b.isOrig = false;
    this.b.trackerOrig = !first.fromOrig;
    this.inactivityTimeout = opts.timeouts.handshakeInactivity;
    this.expireChains = [ts + opts.timeouts.synTimeout];
    // TCPAnalyzer::WantConnection: a connection that does not start with a bare SYN is flipped when
    // its source port is a likely server port (and, if both are, only for a non-SYN with the lower
    // source port).
    if (!first.syn || first.hasAck) {
      const sp = first.tcp.srcPort;
      const dp = first.tcp.dstPort;
      const likely = opts.likelyServerPorts;
      if (likely.has(sp)) {
        const flip = likely.has(dp) ? !first.syn && sp < dp : true;
        if (flip) this.flipRoles();
      }
    }
    this.firstWasSynAck = first.syn && first.hasAck && !first.rst && !first.fin && this.flips === 0;
  }

  /** What a conn.log row needs of the bound row, computed now (kept when the row's slot goes back). */
  facts(): ZeekRowFacts {
    const o = this.orig;
    const r = this.resp;
    return {
      trackerOrig: o.trackerOrig,
      connState: this.connState(),
      history: this.history,
      origBytes: o.size(),
      respBytes: r.size(),
      origPkts: o.pkts,
      respPkts: r.pkts,
      origIpBytes: o.ipBytes,
      respIpBytes: r.ipBytes,
      missedBytes: this.missedBytes,
      flips: this.flips,
      startTs: this.startTs,
      lastTime: this.lastTime,
      origState: o.state,
      respState: r.state,
      firstPacket: this.firstPacket,
      lastPacket: this.lastPacket,
    };
  }

  // --- history -----------------------------------------------------------------------------------

  private addHistory(code: string): void {
    this.history += code;
  }

  /** Connection::CheckHistory via TCP_Endpoint: true when already seen; records the letter otherwise. */
  private checkHistory(ep: ZEndpoint, mask: number, code: string): boolean {
    if (!ep.isOrig) {
      mask <<= 16;
      code = code.toLowerCase();
    }
    if ((this.histSeen & mask) === 0) {
      this.histSeen |= mask;
      this.addHistory(code);
      return false;
    }
    return true;
  }

  private addEndpointHistory(ep: ZEndpoint, code: string): void {
    this.addHistory(ep.isOrig ? code : code.toLowerCase());
  }

  private scaled(ep: ZEndpoint, counter: 'chk' | 'rxmt' | 'win0' | 'gap', code: string): void {
    if (scaledHit(++ep[counter])) this.addEndpointHistory(ep, code);
  }

  /** Connection::FlipRoles: swap originator and responder, record `^`. */
  private flipRoles(): void {
    const o = this.orig;
    this.orig = this.resp;
    this.resp = o;
    I32[this.i + IZ.bits] = (I32[this.i + IZ.bits] as number) ^ ROW_SWAPPED;
    this.orig.isOrig = !this.orig.isOrig;
    this.resp.isOrig = !this.resp.isOrig;
    this.firstPacketSeen =
      (this.firstPacketSeen & ORIG_SEEN ? RESP_SEEN : 0) | (this.firstPacketSeen & RESP_SEEN ? ORIG_SEEN : 0);
    this.isPartial = false;
    this.flips++;
    this.addHistory('^');
  }

  /**
   * The flip of a connection that began with a SYN-ACK and goes on with an ACK or data (Zeek PR
   * #2191). Zeek's baselines show the history as if flipped from the start (`^haf`, not `H^af`).
   */
  private lateFlip(): void {
    let swapped = '';
    for (const ch of this.history) {
      const lower = ch.toLowerCase();
      swapped += ch === lower ? ch.toUpperCase() : lower;
    }
    this.histSeen = ((this.histSeen & 0xffff) << 16) | (this.histSeen >>> 16);
    this.history = '';
    this.flipRoles();
    this.history += swapped;
    // The SYN-ACK's sender is the responder of an established connection whose SYN was missed.
    this.setState(this.resp, 'TCP_ESTABLISHED');
  }

  // --- timers ------------------------------------------------------------------------------------

  private cancelAnalyzerTimers(): void {
    this.attemptAt = undefined;
    this.partialCloseAt = undefined;
    this.expireChains = NO_TIMERS;
  }

  /** Zeek's conn_state for the segments seen so far. */
  connState(): ZeekConnState {
    return zeekConnState(this.orig.state, this.resp.state, this.orig.size(), this.resp.size(), this.history);
  }

  /** Run the timers due by time `t` (state is unchanged since the last packet). Sets `removed`. */
  advance(t: number): void {
    if (!this.opts.timers || this.removed) return;
    const to = this.opts.timeouts;
    const o = this.orig;
    const r = this.resp;
    if (t >= this.lastTime + this.inactivityTimeout) {
      this.removed = true;
      return;
    }
    if (this.deleteAt !== undefined && this.deleteAt <= t) {
      this.removed = true;
      return;
    }
    if (
      this.attemptAt !== undefined &&
      this.attemptAt <= t &&
      this.isActive &&
      (o.state === 'TCP_SYN_SENT' || o.state === 'TCP_SYN_ACK_SENT') &&
      r.state === 'TCP_INACTIVE'
    ) {
      this.removed = true;
      return;
    }
    if (this.attemptAt !== undefined && this.attemptAt <= t) this.attemptAt = undefined;
    if (this.partialCloseAt !== undefined && this.partialCloseAt <= t) {
      this.partialCloseAt = undefined;
      if (
        this.isActive &&
        o.state !== 'TCP_INACTIVE' &&
        r.state !== 'TCP_INACTIVE' &&
        !(o.didClose && r.didClose) &&
        o.state !== 'TCP_RESET' &&
        r.state !== 'TCP_RESET'
      ) {
        this.removed = true;
        return;
      }
    }
    // TCPSessionAdapter::ExpireTimer, rescheduled every tcp_session_timer while the connection is active.
    // Usually no timer is due: the array stays as it is (no new array per packet).
    if (!((F64[this.f + FZ.chainsDue] as number) <= t)) return;
    const chains: number[] = [];
    for (let at of this.expireChains) {
      if (at > t) {
        chains.push(at);
        continue;
      }
      if (!this.isActive) continue; // the chain ends at its next run
      // First run after the linger period.
      const edge = this.lastTime + to.connectionLinger;
      if (at <= edge) at += Math.ceil((edge - at) / to.sessionTimer + 1e-9) * to.sessionTimer;
      if (at <= edge) at += to.sessionTimer;
      if (at <= t && this.expireRemoves()) {
        this.removed = true;
        return;
      }
      // The next run after `t`, computed rather than stepped: at capture times near 2^53 s and
      // beyond, adding a few seconds to a double changes nothing and a loop would never end.
      if (at <= t) at += (Math.floor((t - at) / to.sessionTimer) + 1) * to.sessionTimer;
      chains.push(at);
    }
    this.expireChains = chains.length === 0 ? NO_TIMERS : chains;
  }

  private expireRemoves(): boolean {
    const o = this.orig;
    const r = this.resp;
    if (o.didClose || r.didClose) {
      if (
        (o.didClose && r.didClose) ||
        o.state === 'TCP_RESET' ||
        r.state === 'TCP_RESET' ||
        o.state === 'TCP_INACTIVE' ||
        r.state === 'TCP_INACTIVE'
      )
        return true;
    }
    return r.state === 'TCP_INACTIVE' && o.state === 'TCP_INACTIVE';
  }

  // --- connection reuse (TCPSessionAdapter::IsReuse) ---------------------------------------------

  /** Would Zeek start a new connection with this segment? */
  isReuse(seg: Segment): boolean {
    if (!seg.syn) return false;
    let connOrig = this.orig;
    if (seg.hasAck) {
      if (this.orig.state !== 'TCP_INACTIVE') return false; // not a half connection
      connOrig = this.resp;
    }
    if (!(this.orig.didClose || this.resp.didClose)) {
      if (seg.seq === seq(connOrig.startSeq)) return false;
      if (
        !seg.hasAck &&
        connOrig.state === 'TCP_SYN_ACK_SENT' &&
        this.resp.state === 'TCP_INACTIVE' &&
        seg.seq === seq(this.resp.startSeq)
      )
        return false; // SYN and SYN-ACK seen in reverse order
    }
    return true;
  }

  // --- per packet --------------------------------------------------------------------------------

  /** A segment of this connection (after `advance` and `isReuse`). */
  packet(seg: Segment, pktNo: number): void {
    this.packets++;
    this.lastPacket = seg.n;
    const isOrig = seg.fromOrig === this.orig.trackerOrig;
    const ep = isOrig ? this.orig : this.resp;
    if (!this.opts.ignoreChecksums && isBad(seg.tcp.checksumStatus, this.opts)) {
      // TCPAnalyzer::ValidateChecksum: only a history letter; the packet is not analysed nor counted.
      this.scaled(ep, 'chk', 'C');
      return;
    }
    this.process(seg, isOrig, pktNo);
    // The ConnSize analyzer counts what passed the checksum test, after the state update.
    const cur = seg.fromOrig === this.orig.trackerOrig ? this.orig : this.resp;
    cur.pkts++;
    const ip = seg.packet.ip;
    if (ip) cur.ipBytes += ip.kind === 'ipv4' ? ip.totalLength : ip.payloadLength + 40;
  }

  private setState(ep: ZEndpoint, to: ZeekTcpState): void {
    if (to === ep.state) return;
    if (!HANDSHAKE.has(to) && HANDSHAKE.has(ep.state) && HANDSHAKE.has(ep.peer.state))
      this.inactivityTimeout = this.opts.timeouts.inactivity;
    ep.moveTo(to);
  }

  /**
   * get_relative_seq: position of `cur` in `ep`'s space, given the last value seen and its wraps.
   * Whether it fell below the start of the space is left in `relUnderflow` (no result object per call).
   */
  private relSeq(ep: ZEndpoint, cur: Seq, last: Seq, wraps: number): number {
    const d = delta(cur, last);
    if (d < 0) {
      if (wraps > 0 && cur > last) wraps--;
    } else if (d > 0) {
      if (cur < last) wraps++;
    }
    if (wraps === 0) {
      const r = delta(cur, seq(ep.startSeq));
      this.relUnderflow = r < 0;
      return r;
    }
    this.relUnderflow = false;
    return ep.relative(cur, wraps);
  }

  private process(seg: Segment, isOrig: boolean, pktNo: number): void {
    const ts = zeekTime(seg);
    const f = FLAGS;
    f.syn = seg.syn;
    f.fin = seg.fin;
    f.rst = seg.rst;
    f.ack = seg.hasAck;
    const len = seg.len;
    // PR #2191: a connection whose first packet was a SYN-ACK is flipped when its second packet is an
    // ACK or carries data.
    if (
      pktNo === 2 &&
      this.firstWasSynAck &&
      this.orig.state === 'TCP_SYN_ACK_SENT' &&
      this.resp.state === 'TCP_INACTIVE' &&
      !f.syn &&
      !f.fin &&
      !f.rst &&
      (f.ack || len > 0)
    ) {
      this.lateFlip();
      isOrig = !isOrig;
    }
    const ep = isOrig ? this.orig : this.resp;
    const peer = ep.peer;

    this.setPartialStatus(f, isOrig);
    const base = seg.seq;
    const ackNo = seg.ack;
    let segLen = len + (f.syn ? 1 : 0) + (f.fin ? 1 : 0);
    if (f.rst) segLen -= len;
    const onePast = seqAdd(base, segLen);

    this.initEndpoint(ep, f, base, onePast, ts);
    const rel = this.relSeq(ep, base, ep.lastSeq, ep.seqWraps);
    const underflow = this.relUnderflow;
    this.updateHistory(f, ep, rel, len);
    // update_window: a zero window is news unless it comes with or after a RST, or after the peer's FIN.
    if (seg.tcp.window === 0 && !f.rst && peer.state !== 'TCP_CLOSED' && ep.state !== 'TCP_RESET')
      this.scaled(ep, 'win0', 'W');
    if (!this.orig.didClose || !this.resp.didClose) this.lastTime = ts;
    if (f.fin) {
      ep.finCnt++;
      ep.finSeq = rel + segLen;
    }
    if (f.rst) ep.rstCnt++;

    let relAck = 0;
    if (f.ack) {
      if (peer.state === 'TCP_INACTIVE') {
        relAck = 1;
        // init_peer: number the peer's space as if its SYN had been seen.
        const s = seqAdd(ackNo, -1);
        peer.initStart(s);
        peer.ackSeq = s;
        peer.lastSeq = s;
      } else {
        const r = this.relSeq(peer, ackNo, peer.ackSeq, peer.ackWraps);
        if (this.relUnderflow) relAck = 0;
        else {
          relAck = r;
          if (!f.rst) {
            const d = delta(ackNo, peer.ackSeq);
            if (!(ackNo === 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) peer.updateAckSeq(ackNo);
          }
        }
      }
    }

    const deltaLast = this.updateLastSeq(ep, onePast, f, len);
    const { doClose, genEvent } = this.updateStateMachine(
      ts,
      ep,
      peer,
      base,
      ackNo,
      len,
      deltaLast,
      isOrig,
      f,
    );
    if (f.ack) this.ackReceived(peer, relAck);
    this.firstPacketSeen |= isOrig ? ORIG_SEEN : RESP_SEEN;
    const relDataSeq = f.syn ? rel + 1 : rel;
    if (len > 0 && !f.rst && !underflow) this.dataSent(ep, relDataSeq, len, seg.tcp.capturedPayload);
    if (doClose) this.connectionClosed(ep, peer, genEvent);
  }

  private setPartialStatus(f: Flags, isOrig: boolean): void {
    if (isOrig) {
      if (!(this.firstPacketSeen & ORIG_SEEN)) this.isPartial = !f.syn || f.ack;
    } else if (!(this.firstPacketSeen & RESP_SEEN) && !this.isPartial) this.isPartial = !f.syn;
  }

  /** init_endpoint: where the sequence space starts. */
  private initEndpoint(ep: ZEndpoint, f: Flags, first: Seq, last: Seq, _ts: number): void {
    switch (ep.state) {
      case 'TCP_INACTIVE':
        if (f.syn) {
          ep.ackSeq = first;
          ep.initStart(first);
        } else {
          // A partial connection: number as though a SYN had been seen.
          const s = seqAdd(first, -1);
          ep.ackSeq = s;
          ep.initStart(s);
          last = first; // the first packet is not a duplicate
        }
        ep.lastSeq = last;
        break;
      case 'TCP_SYN_SENT':
      case 'TCP_SYN_ACK_SENT':
        if (f.syn && first !== seq(ep.startSeq)) {
          ep.initStart(first);
          ep.ackSeq = first;
          ep.lastSeq = last;
        }
        break;
      case 'TCP_ESTABLISHED':
      case 'TCP_PARTIAL':
        if (f.syn) {
          ep.initStart(first);
          ep.ackSeq = first;
          ep.lastSeq = last;
        }
        break;
      case 'TCP_RESET':
        if (f.syn && ep.prevState === 'TCP_INACTIVE') {
          ep.initStart(first);
          ep.ackSeq = first;
          ep.lastSeq = last;
        }
        break;
      default:
        break;
    }
  }

  /** update_history: the letter of this packet, with Zeek's repeat rules. */
  private updateHistory(f: Flags, ep: ZEndpoint, rel: number, len: number): void {
    const bits = (f.syn ? 1 : 0) + (f.fin ? 1 : 0) + (f.rst ? 1 : 0);
    if (bits > 1) {
      if (f.fin && f.rst) this.checkHistory(ep, HIST_FIN_RST, 'I');
      else this.checkHistory(ep, HIST_MULTI_FLAG, 'Q');
      return;
    }
    if (bits === 1) {
      if (f.syn) {
        const code = f.ack ? 'H' : 'S';
        if (this.checkHistory(ep, HIST_SYN, code) && rel !== ep.histLastSyn)
          this.addEndpointHistory(ep, code);
        ep.histLastSyn = rel;
      }
      if (f.fin) {
        // A FIN's sequence number is the one after its data.
        if (this.checkHistory(ep, HIST_FIN, 'F') && rel + len !== ep.histLastFin)
          this.addEndpointHistory(ep, 'F');
        ep.histLastFin = rel + len;
      }
      if (f.rst) {
        if (this.checkHistory(ep, HIST_RST, 'R') && rel !== ep.histLastRst) this.addEndpointHistory(ep, 'R');
        ep.histLastRst = rel;
      }
      return;
    }
    if (len > 0) this.checkHistory(ep, HIST_DATA, 'D');
    else if (f.ack) this.checkHistory(ep, HIST_ACK, 'A');
  }

  /** update_last_seq: advance the highest sequence number, or count a retransmission. */
  private updateLastSeq(ep: ZEndpoint, last: Seq, f: Flags, len: number): number {
    const d = delta(last, ep.lastSeq);
    if ((f.syn || f.rst) && (d > TOO_LARGE_SEQ_DELTA || d < -TOO_LARGE_SEQ_DELTA)) {
      // not trusted
    } else if (f.fin && ep.lastSeq === seqAdd(seq(ep.startSeq), 1)) ep.updateLastSeq(last);
    else if (ep.state === 'TCP_RESET') {
      // no later sequence number is trusted
    } else if (d > 0) ep.updateLastSeq(last);
    else if (len > 0) this.scaled(ep, 'rxmt', 'T');
    return d;
  }

  private updateStateMachine(
    ts: number,
    ep: ZEndpoint,
    peer: ZEndpoint,
    base: Seq,
    ackNo: Seq,
    len: number,
    _deltaLast: number,
    isOrig: boolean,
    f: Flags,
  ): CloseDecision {
    const out = CLOSE;
    out.doClose = false;
    out.genEvent = false;
    switch (ep.state) {
      case 'TCP_INACTIVE':
        this.inactiveState(ts, ep, peer, base, ackNo, len, isOrig, f, out);
        break;
      case 'TCP_SYN_SENT':
      case 'TCP_SYN_ACK_SENT':
        this.synSentState(ep, peer, f, out);
        break;
      case 'TCP_ESTABLISHED':
      case 'TCP_PARTIAL':
        this.establishedState(ep, peer, f, out);
        break;
      case 'TCP_CLOSED':
        this.closedState(ep, f, out);
        break;
      case 'TCP_RESET':
        break;
    }
    return out;
  }

  /** UpdateInactiveState: the endpoint's first packet. */
  private inactiveState(
    ts: number,
    ep: ZEndpoint,
    peer: ZEndpoint,
    base: Seq,
    _ackNo: Seq,
    len: number,
    isOrig: boolean,
    f: Flags,
    out: CloseDecision,
  ): void {
    if (f.syn) {
      if (isOrig) {
        // The originator opens (a SYN-ACK from the originator is odd but recorded as such).
        this.setState(ep, f.ack ? 'TCP_SYN_ACK_SENT' : 'TCP_SYN_SENT');
        this.attemptAt = ts + this.opts.timeouts.attemptDelay;
      } else {
        if (!f.ack && peer.state === 'TCP_SYN_ACK_SENT' && base === seq(ep.startSeq)) {
          // SYN and SYN-ACK reversed on the wire: flip and establish.
          this.isPartial = false;
          this.flipRoles();
          this.setState(peer, 'TCP_ESTABLISHED');
          this.firstPacketSeen |= ORIG_SEEN;
        }
        if (peer.state === 'TCP_SYN_SENT') this.setState(peer, 'TCP_ESTABLISHED');
        this.setState(ep, 'TCP_ESTABLISHED');
      }
    }
    if (f.fin) {
      this.setState(ep, 'TCP_CLOSED');
      out.doClose = true;
      out.genEvent = true;
    }
    if (f.rst) {
      this.setState(ep, 'TCP_RESET');
      let reject = false;
      if (isOrig) reject = peer.state === 'TCP_ESTABLISHED';
      else reject = peer.state === 'TCP_SYN_SENT' || peer.state === 'TCP_SYN_ACK_SENT';
      out.doClose = true;
      out.genEvent = !reject;
    }
    if (ep.state === 'TCP_INACTIVE') {
      if (!isOrig && len === 0 && this.orig.state === 'TCP_SYN_SENT') {
        // An ACK of the SYN before the SYN-ACK: not a partial connection.
      } else if (f.ack && peer.state === 'TCP_ESTABLISHED') {
        // SYN-ACK seen, SYN missed, now a pure ACK: established.
        this.setState(ep, 'TCP_ESTABLISHED');
        this.isPartial = false;
        this.firstPacketSeen |= isOrig ? ORIG_SEEN : RESP_SEEN;
      } else this.setState(ep, 'TCP_PARTIAL');
    }
  }

  /** UpdateSYN_SentState. */
  private synSentState(ep: ZEndpoint, _peer: ZEndpoint, f: Flags, out: CloseDecision): void {
    if (f.fin) {
      this.setState(ep, 'TCP_CLOSED');
      out.doClose = true;
      out.genEvent = true;
    }
    if (f.rst) {
      this.setState(ep, 'TCP_RESET');
      this.isActive = false; // ConnectionReset
      out.doClose = true;
    }
  }

  /** UpdateEstablishedState. */
  private establishedState(ep: ZEndpoint, peer: ZEndpoint, f: Flags, out: CloseDecision): void {
    if (f.syn && ep.state === 'TCP_PARTIAL' && peer.state === 'TCP_INACTIVE' && !f.ack)
      this.setState(ep, 'TCP_SYN_SENT');
    if (f.fin && !f.rst) {
      this.setState(ep, 'TCP_CLOSED');
      // A FIN then a RST from the peer was a normal close after all.
      if (peer.state === 'TCP_RESET' && peer.prevState === 'TCP_CLOSED') this.setState(peer, 'TCP_CLOSED');
      out.doClose = true;
      out.genEvent = true;
    }
    if (f.rst) {
      const peerWasReset = peer.state === 'TCP_RESET' && peer.prevState === 'TCP_ESTABLISHED';
      this.setState(ep, 'TCP_RESET');
      out.doClose = true;
      if (!peerWasReset) this.isActive = false;
    }
  }

  /** UpdateClosedState: a RST after our FIN, unless the peer had closed too. */
  private closedState(ep: ZEndpoint, f: Flags, out: CloseDecision): void {
    if (f.rst && ep.peer.state !== 'TCP_CLOSED') {
      this.setState(ep, 'TCP_RESET');
      if (!ep.didClose) out.doClose = true;
    }
  }

  /** TCPSessionAdapter::ConnectionClosed (Zeek defers it while data is pending: not modelled). */
  private connectionClosed(ep: ZEndpoint, peer: ZEndpoint, genEvent: boolean): void {
    if (ep.didClose) return;
    ep.didClose = true;
    const complete = ep.state === 'TCP_RESET' || peer.didClose || peer.state === 'TCP_INACTIVE';
    if (complete) {
      if ((ep.prevState !== 'TCP_INACTIVE' || peer.state !== 'TCP_INACTIVE') && genEvent)
        this.isActive = false;
      this.cancelAnalyzerTimers();
      this.deleteAt = this.lastTime + this.opts.timeouts.closeDelay; // replaces an earlier one (CancelTimers)
    } else if (ep.prevState === 'TCP_INACTIVE')
      this.partialCloseAt = this.lastTime + this.opts.timeouts.partialCloseDelay;
    else this.expireChains = [...this.expireChains, this.lastTime + this.opts.timeouts.sessionTimer];
  }

  // --- reassembler (gaps) ------------------------------------------------------------------------

  /** TCP_Endpoint::DataSent → TCP_Reassembler::DataSent, for data fully captured. */
  private dataSent(ep: ZEndpoint, relSeq: number, len: number, captured: number): void {
    const r = ep.reasm;
    if (captured < len || r.skip) return;
    let s = relSeq;
    const upper = s + len;
    const ack = ep.relative(ep.ackSeq, ep.ackWraps);
    if (s < ack) {
      if (upper <= ack) return;
      s = ack;
    }
    r.add(s, upper);
    const limit = this.opts.maxAboveHoleWithoutAcks;
    const excessive = this.opts.excessiveDataWithoutAcks;
    if (
      (ep.noDataAcked() && limit > 0 && r.undeliveredBytes() > limit) ||
      (excessive > 0 && r.dataSize() > excessive)
    ) {
      r.held = NO_HELD;
      r.skip = true;
    }
  }

  /** TCP_Reassembler::AckReceived: the peer acknowledged up to `relAck` of `ep`'s data. */
  private ackReceived(ep: ZEndpoint, relAck: number): void {
    const r = ep.reasm;
    let s = relAck;
    if (ep.finCnt > 0 && s >= ep.finSeq) s = ep.finSeq - 1;
    if (s <= r.trimSeq) return;
    // DataBlockList::Trim
    if (r.lastReassem < s) this.undelivered(ep, s);
    if (r.held.length > 0 && (r.held[0] as [number, number])[1] <= s)
      r.held = r.held.filter(([, b]) => b > s);
    r.trimSeq = s;
  }

  /** TCP_Reassembler::Undelivered: acknowledged bytes never seen are a content gap. */
  private undelivered(ep: ZEndpoint, upTo: number): void {
    const r = ep.reasm;
    if (upTo <= 2 && this.isPartial) return;
    if (!r.skip) {
      for (;;) {
        const b = r.held[0];
        if (!b || b[0] >= upTo) break;
        // The hole before the block (none when the block waited right at lastReassem).
        if (b[0] > r.lastReassem) this.gap(ep, b[0] - r.lastReassem);
        r.lastReassem = b[0];
        r.blockInserted(0);
      }
      if (upTo > r.lastReassem) this.gap(ep, upTo - r.lastReassem);
    }
    if (upTo > r.lastReassem) r.lastReassem = upTo;
  }

  private gap(ep: ZEndpoint, len: number): void {
    const clean = (e: ZEndpoint) =>
      e.state === 'TCP_ESTABLISHED' || (e.state === 'TCP_CLOSED' && e.prevState === 'TCP_ESTABLISHED');
    if (clean(ep) && clean(ep.peer)) {
      this.scaled(ep, 'gap', 'G');
      this.missedBytes += len;
    }
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Two independent 32-bit FNV-1a hashes of a string (no bigint on this per-connection path). */
function fnv2(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 ^ 0x2f) >>> 0;
  }
  return [a, b];
}

/** A stable, Zeek-looking identifier: `C` and 11 base-62 digits from a 64-bit hash of `text`. */
function uidOf(text: string): string {
  let [hi, lo] = fnv2(text);
  let s = '';
  for (let i = 0; i < 11; i++) {
    // Divide the 64-bit value (hi, lo) by 62, keeping the remainder.
    const rh = hi % 62;
    hi = Math.floor(hi / 62);
    const cur = rh * 0x100000000 + lo;
    lo = Math.floor(cur / 62);
    s = BASE62[cur % 62] + s;
  }
  return `C${s}`;
}

/** What a conn.log row needs, kept when its row is done (see `ZeekTcpConn.facts`). */
interface ZeekRowFacts {
  /** Zeek's originator is the tracker's originator. */
  readonly trackerOrig: boolean;
  readonly connState: ZeekConnState;
  readonly history: string;
  readonly origBytes: number;
  readonly respBytes: number;
  readonly origPkts: number;
  readonly respPkts: number;
  readonly origIpBytes: number;
  readonly respIpBytes: number;
  readonly missedBytes: number;
  readonly flips: number;
  readonly startTs: number;
  readonly lastTime: number;
  readonly origState: ZeekTcpState;
  readonly respState: ZeekTcpState;
  readonly firstPacket: number;
  readonly lastPacket: number;
}

/** A conn.log row of a tracker connection: its slot while it can still change, its facts once done. */
type Row = number | ZeekRowFacts;

const NO_ROWS = Object.freeze([]) as unknown as Row[];

/** The one view of the model, bound to a row by each use (the model never works on two rows at once). */
const VIEW = new ZeekTcpConn();

/**
 * Attach to each connection (`analyzers: () => [new ZeekTcpSummary(opts)]`); it must see every
 * segment in order. Its rows are kept in the store while they can change, and as facts once done:
 * when Zeek would start a new row, and when the tracker retires the connection (`onEnd`).
 */
export class ZeekTcpSummary implements SegmentAnalyzer {
  readonly opts: ZeekTcpOptions;
  /** The first conn.log row, and the rows after it (only on reuse of the 4-tuple: an array made then). */
  private first: Row | undefined;
  private later: Row[] = NO_ROWS;
  /** The slot of the row segments go to, -1 for none. */
  private current = -1;
  private conn: TcpConnection | undefined;

  constructor(opts?: Partial<ZeekTcpOptions>) {
    // Without overrides every connection shares the defaults (one object less per connection).
    this.opts = opts === undefined ? DEFAULT_ZEEK_TCP_OPTIONS : { ...DEFAULT_ZEEK_TCP_OPTIONS, ...opts };
  }

  onSegment(seg: Segment, conn: TcpConnection): void {
    this.conn = conn;
    const ip = seg.packet.ip;
    // Zeek drops a packet whose IPv4 header checksum is wrong before looking up its connection.
    if (!this.opts.ignoreChecksums && ip?.kind === 'ipv4' && isBad(ip.checksumStatus, this.opts)) return;
    const t = zeekTime(seg);
    let z: ZeekTcpConn | undefined;
    if (this.current !== -1) {
      z = VIEW.bind(this.current, this.opts);
      z.advance(t);
      if (z.removed || z.isReuse(seg)) {
        z.removed = true;
        this.finishCurrent();
        z = undefined;
      }
    }
    if (z === undefined) {
      const slot = allocRow();
      z = VIEW.bind(slot, this.opts);
      z.start(seg);
      if (this.first === undefined) this.first = slot;
      else if (this.later === NO_ROWS) this.later = [slot];
      else this.later.push(slot);
      this.current = slot;
    }
    z.packet(seg, z.packets + 1);
  }

  /** The tracker let the connection go: its last row is done. */
  onEnd(): void {
    if (this.current !== -1) this.finishCurrent();
  }

  /** The current row will not change again: keep its facts and give its slot back. */
  private finishCurrent(): void {
    const slot = this.current;
    const facts = VIEW.bind(slot, this.opts).facts();
    if (this.first === slot) this.first = facts;
    else this.later[this.later.indexOf(slot)] = facts;
    releaseRow(slot);
    this.current = -1;
  }

  private factsOf(row: Row): ZeekRowFacts {
    return typeof row === 'number' ? VIEW.bind(row, this.opts).facts() : row;
  }

  /**
   * conn_state and history of the first row (the one `zeekSummary` returns), without building the
   * whole row: what the connection table and the report show. Undefined before the first row.
   */
  firstState(): { connState: string; history: string } | undefined {
    const row = this.first;
    if (row === undefined) return undefined;
    if (typeof row !== 'number') return { connState: row.connState, history: row.history };
    const z = VIEW.bind(row, this.opts);
    return { connState: z.connState(), history: z.history };
  }

  /** The conn.log rows Zeek would write for the segments seen so far. */
  summaries(): ZeekConnSummary[] {
    const c = this.conn;
    if (!c || this.first === undefined) return [];
    const rows = [this.first, ...this.later];
    return rows.map((row, i) => {
      const z = this.factsOf(row);
      const o = z.trackerOrig ? c.orig : c.resp;
      const r = z.trackerOrig ? c.resp : c.orig;
      return {
        uidHint: uidOf(`${o.addr}|${o.port}|${r.addr}|${r.port}|${z.startTs}|${i}`),
        origAddr: o.addr,
        origPort: o.port,
        respAddr: r.addr,
        respPort: r.port,
        connState: z.connState,
        history: z.history,
        origBytes: z.origBytes,
        respBytes: z.respBytes,
        origPkts: z.origPkts,
        respPkts: z.respPkts,
        origIpBytes: z.origIpBytes,
        respIpBytes: z.respIpBytes,
        missedBytes: z.missedBytes,
        flipped: z.flips % 2 === 1,
        duration: Math.round((z.lastTime - z.startTs) * 1e6) / 1e6,
        startTs: z.startTs,
        origState: z.origState,
        respState: z.respState,
        firstPacket: z.firstPacket,
        lastPacket: z.lastPacket,
        part: i,
        parts: rows.length,
      };
    });
  }
}

function analyzerOf(conn: TcpConnection): ZeekTcpSummary {
  for (const a of conn.analyzers) if (a instanceof ZeekTcpSummary) return a;
  throw new Error(
    `connection ${conn.id} has no ZeekTcpSummary: attach it with the tracker's analyzers option`,
  );
}

/** Every conn.log row Zeek would write for this tracker connection (usually one). */
export function zeekSummaries(conn: TcpConnection): ZeekConnSummary[] {
  return analyzerOf(conn).summaries();
}

/**
 * The conn.log row of this connection. When Zeek would split it (`parts > 1`), the row holding the
 * connection's first packet; see `zeekSummaries` for all of them.
 */
export function zeekSummary(conn: TcpConnection): ZeekConnSummary {
  const all = zeekSummaries(conn);
  const first = all[0];
  if (!first) throw new Error(`connection ${conn.id} has no segments`);
  return first;
}
