/**
 * One side of a TCP connection as a passive observer infers it (Zeek's endpoint/peer model): its
 * RFC 9293 state, what it has sent (ISN, highest sequence, FIN), what it has acknowledged, and the
 * options it announced.
 */
import { maybe, setMaybe } from '../../core/doubles.js';
import { type Seq, seqAdd, seqGt, seqLe, seqPack, seqRel, seqUnpack } from '../../core/seq.js';
import type { TcpState } from './state.js';

export interface Pending {
  readonly kind: 'syn' | 'fin' | 'ack';
  /** Packet that carried it, and its time. */
  readonly packet: number;
  readonly ts: number;
  /** The acknowledgement number that proves it was received. */
  readonly end: Seq;
}

/** The pending list of an endpoint that holds nothing back (most of the time): shared, never written. */
const NO_PENDING: readonly Pending[] = Object.freeze([]);

const KNOWN_SND_NXT = 1;
const KNOWN_ACK_SENT = 2;
const KNOWN_TSVAL = 4;
const KNOWN_ISN = 8;
const KNOWN_FIN_SEQ = 16;

export class TcpEndpoint {
  /** State before the first packet (revised once evidence arrives: a refused SYN means CLOSED, not LISTEN). */
  initialState: TcpState;
  state: TcpState;
  /**
   * Sequence numbers and TSvals above 2^31 are not small integers to V8: a field that may also be
   * `undefined` boxes each new value in a fresh heap object, one per packet here, and even a
   * number-only field holds its value in a separate heap number. These are kept packed as int32
   * (`seqPack`; the TSval likewise) in number-only fields, with a flag for "not known yet", behind
   * accessors.
   */
  private isnV = 0;
  private finSeqV = 0;
  private sndNxtV = 0;
  private ackSentV = 0;
  private lastTsvalV = 0;
  private known = 0;

  /** Initial sequence number (from its SYN; for a mid-stream pickup, its first sequence number). */
  get isn(): Seq | undefined {
    return this.unpack(KNOWN_ISN, this.isnV);
  }
  set isn(v: Seq | undefined) {
    this.isnV = this.pack(KNOWN_ISN, v);
  }

  /** Highest sequence number sent, plus its length (SND.NXT as far as the capture shows). */
  get sndNxt(): Seq | undefined {
    return this.unpack(KNOWN_SND_NXT, this.sndNxtV);
  }
  set sndNxt(v: Seq | undefined) {
    this.sndNxtV = this.pack(KNOWN_SND_NXT, v);
  }
  /** Highest acknowledgement it has sent (its RCV.NXT as far as the capture shows). */
  get ackSent(): Seq | undefined {
    return this.unpack(KNOWN_ACK_SENT, this.ackSentV);
  }
  set ackSent(v: Seq | undefined) {
    this.ackSentV = this.pack(KNOWN_ACK_SENT, v);
  }
  /** Sequence number of its FIN, once sent. */
  get finSeq(): Seq | undefined {
    return this.unpack(KNOWN_FIN_SEQ, this.finSeqV);
  }
  set finSeq(v: Seq | undefined) {
    this.finSeqV = this.pack(KNOWN_FIN_SEQ, v);
  }
  /** Its FIN was acknowledged by the peer. */
  finAcked = false;
  /** Its SYN was acknowledged by the peer. */
  synAcked = false;
  /** Announced in its SYN: MSS, window scale shift (-1 = none), SACK permitted, timestamps. */
  mss: number | undefined;
  wscale = -1;
  sackOk = false;
  timestamps = false;
  /** Last TSval it sent (for RFC 6191 TIME-WAIT reuse checks). */
  get lastTsval(): number | undefined {
    return this.known & KNOWN_TSVAL ? this.lastTsvalV >>> 0 : undefined;
  }
  set lastTsval(v: number | undefined) {
    if (v === undefined) this.known &= ~KNOWN_TSVAL;
    else {
      this.lastTsvalV = v | 0;
      this.known |= KNOWN_TSVAL;
    }
  }
  /** Last raw window field it advertised. */
  window: number | undefined;
  /** Counters. */
  packets = 0;
  ipBytes = 0;
  /** Payload bytes, all transmissions counted. */
  payloadBytes = 0;
  syns = 0;
  /** SYN,ACKs among them. */
  synAcks = 0;
  fins = 0;
  rsts = 0;
  /**
   * Receipts held back until this endpoint shows, by its next packet, whether it had processed them:
   * the peer's SYN or FIN (crossing SYNs/FINs mean simultaneous open/close), and the ACK completing
   * the handshake (a server that retransmits its SYN,ACK afterwards never took that ACK).
   */
  get pending(): readonly Pending[] {
    return this.pendingList;
  }
  /** Made on the first receipt held back (see `holdBack`). */
  private pendingList: readonly Pending[] = NO_PENDING;
  /** When it entered TIME-WAIT, and when 2×MSL ends (kept in its connection's doubles). */
  get timeWaitStart(): number | undefined {
    return maybe(this.d, this.at);
  }
  set timeWaitStart(v: number | undefined) {
    setMaybe(this.d, this.at, v);
  }
  get timeWaitEnd(): number | undefined {
    return maybe(this.d, this.at + 1);
  }
  set timeWaitEnd(v: number | undefined) {
    setMaybe(this.d, this.at + 1, v);
  }

  constructor(
    readonly addr: string,
    readonly port: number,
    initial: TcpState,
    /** Its connection's doubles (see core/doubles.ts) and where its two TIME-WAIT times are (NaN until set). */
    private readonly d: number[],
    private readonly at: number,
  ) {
    this.initialState = initial;
    this.state = initial;
  }

  /** A packed sequence number, when its `known` bit is set. */
  private unpack(bit: number, v: number): Seq | undefined {
    return this.known & bit ? seqUnpack(v) : undefined;
  }

  /** `v` packed for its field, with its `known` bit set (cleared for undefined, stored as 0). */
  private pack(bit: number, v: Seq | undefined): number {
    if (v === undefined) {
      this.known &= ~bit;
      return 0;
    }
    this.known |= bit;
    return seqPack(v);
  }

  /** Hold a receipt back (see `pending`). */
  holdBack(p: Pending): void {
    if (this.pendingList === NO_PENDING) this.pendingList = [p];
    else (this.pendingList as Pending[]).push(p);
  }

  /** Every receipt held back, oldest first; none stays held. */
  takePending(): readonly Pending[] {
    const list = this.pendingList;
    this.pendingList = NO_PENDING;
    return list;
  }

  /** Forget the receipts held back. */
  dropPending(): void {
    this.pendingList = NO_PENDING;
  }

  /** Record a segment it sent: advance SND.NXT and ACK-sent. */
  noteSent(seqNo: Seq, seqLen: number, ack: Seq | undefined): void {
    const end = seqAdd(seqNo, seqLen);
    if (this.sndNxt === undefined || seqGt(end, this.sndNxt)) this.sndNxt = end;
    if (ack !== undefined && (this.ackSent === undefined || seqGt(ack, this.ackSent))) this.ackSent = ack;
  }

  /** True when `ack` (sent by the peer) covers this endpoint's FIN. */
  finCoveredBy(ack: Seq): boolean {
    return this.finSeq !== undefined && seqLe(seqAdd(this.finSeq, 1), ack);
  }

  /** Unique payload bytes, from the sequence space it used (what Zeek reports as orig_bytes/resp_bytes). */
  seqBytes(): number {
    if (this.isn === undefined || this.sndNxt === undefined) return 0;
    let n = seqRel(this.sndNxt, this.isn);
    if (this.syns > 0 && n > 0) n--;
    if (this.finSeq !== undefined && n > 0) n--;
    return n;
  }
}
