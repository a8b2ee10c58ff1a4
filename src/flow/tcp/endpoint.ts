/**
 * One side of a TCP connection as a passive observer infers it (Zeek's endpoint/peer model): its
 * RFC 9293 state, what it has sent (ISN, highest sequence, FIN), what it has acknowledged, and the
 * options it announced.
 */
import { unlessNaN } from '../../core/doubles.js';
import { type Seq, seqAdd, seqGt, seqLe, seqPack, seqRel, seqUnpack } from '../../core/seq.js';
import { setBit } from '../rows.js';
import { ED, EI } from './conn-rows.js';
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

const FIN_ACKED = 1;
const SYN_ACKED = 2;
const SACK_OK = 4;
const TIMESTAMPS = 8;

/**
 * Its numbers are in its connection's row (conn-rows.ts): `f` and `i` are where its doubles and
 * integers start. Sequence numbers and TSvals are packed as int32 (`seqPack`), with a bit in
 * `known` for "not known yet".
 */
export class TcpEndpoint {
  /** Initial sequence number (from its SYN; for a mid-stream pickup, its first sequence number). */
  get isn(): Seq | undefined {
    return this.unpack(KNOWN_ISN, EI.isn);
  }
  set isn(v: Seq | undefined) {
    this.pack(KNOWN_ISN, EI.isn, v);
  }

  /** Highest sequence number sent, plus its length (SND.NXT as far as the capture shows). */
  get sndNxt(): Seq | undefined {
    return this.unpack(KNOWN_SND_NXT, EI.sndNxt);
  }
  set sndNxt(v: Seq | undefined) {
    this.pack(KNOWN_SND_NXT, EI.sndNxt, v);
  }
  /** Highest acknowledgement it has sent (its RCV.NXT as far as the capture shows). */
  get ackSent(): Seq | undefined {
    return this.unpack(KNOWN_ACK_SENT, EI.ackSent);
  }
  set ackSent(v: Seq | undefined) {
    this.pack(KNOWN_ACK_SENT, EI.ackSent, v);
  }
  /** Sequence number of its FIN, once sent. */
  get finSeq(): Seq | undefined {
    return this.unpack(KNOWN_FIN_SEQ, EI.finSeq);
  }
  set finSeq(v: Seq | undefined) {
    this.pack(KNOWN_FIN_SEQ, EI.finSeq, v);
  }
  /**
   * State before the first packet (revised once evidence arrives: a refused SYN means CLOSED, not
   * LISTEN), and now. Fields, not in the row: read on every packet, and a string field is one pointer.
   */
  initialState: TcpState;
  state: TcpState;
  /** Its FIN was acknowledged by the peer. */
  get finAcked(): boolean {
    return this.bit(FIN_ACKED);
  }
  set finAcked(v: boolean) {
    this.setBit(FIN_ACKED, v);
  }
  /** Its SYN was acknowledged by the peer. */
  get synAcked(): boolean {
    return this.bit(SYN_ACKED);
  }
  set synAcked(v: boolean) {
    this.setBit(SYN_ACKED, v);
  }
  /** Announced in its SYN: MSS, window scale shift (-1 = none), SACK permitted, timestamps. */
  get mss(): number | undefined {
    const v = this.i32[this.i + EI.mss] as number;
    return v < 0 ? undefined : v;
  }
  set mss(v: number | undefined) {
    this.i32[this.i + EI.mss] = v ?? -1;
  }
  get wscale(): number {
    return this.i32[this.i + EI.wscale] as number;
  }
  set wscale(v: number) {
    this.i32[this.i + EI.wscale] = v;
  }
  get sackOk(): boolean {
    return this.bit(SACK_OK);
  }
  set sackOk(v: boolean) {
    this.setBit(SACK_OK, v);
  }
  get timestamps(): boolean {
    return this.bit(TIMESTAMPS);
  }
  set timestamps(v: boolean) {
    this.setBit(TIMESTAMPS, v);
  }
  /** Last TSval it sent (for RFC 6191 TIME-WAIT reuse checks). */
  get lastTsval(): number | undefined {
    return (this.i32[this.i + EI.known] as number) & KNOWN_TSVAL
      ? (this.i32[this.i + EI.lastTsval] as number) >>> 0
      : undefined;
  }
  set lastTsval(v: number | undefined) {
    const k = this.i + EI.known;
    if (v === undefined) this.i32[k] = (this.i32[k] as number) & ~KNOWN_TSVAL;
    else {
      this.i32[this.i + EI.lastTsval] = v | 0;
      this.i32[k] = (this.i32[k] as number) | KNOWN_TSVAL;
    }
  }
  /** Last raw window field it advertised. */
  get window(): number | undefined {
    const v = this.i32[this.i + EI.window] as number;
    return v < 0 ? undefined : v;
  }
  set window(v: number | undefined) {
    this.i32[this.i + EI.window] = v ?? -1;
  }
  /** Counters. */
  get packets(): number {
    return this.i32[this.i + EI.packets] as number;
  }
  set packets(v: number) {
    this.i32[this.i + EI.packets] = v;
  }
  get ipBytes(): number {
    return this.f64[this.f + ED.ipBytes] as number;
  }
  set ipBytes(v: number) {
    this.f64[this.f + ED.ipBytes] = v;
  }
  /** Payload bytes, all transmissions counted. */
  get payloadBytes(): number {
    return this.f64[this.f + ED.payloadBytes] as number;
  }
  set payloadBytes(v: number) {
    this.f64[this.f + ED.payloadBytes] = v;
  }
  get syns(): number {
    return this.i32[this.i + EI.syns] as number;
  }
  set syns(v: number) {
    this.i32[this.i + EI.syns] = v;
  }
  /** SYN,ACKs among them. */
  get synAcks(): number {
    return this.i32[this.i + EI.synAcks] as number;
  }
  set synAcks(v: number) {
    this.i32[this.i + EI.synAcks] = v;
  }
  get fins(): number {
    return this.i32[this.i + EI.fins] as number;
  }
  set fins(v: number) {
    this.i32[this.i + EI.fins] = v;
  }
  get rsts(): number {
    return this.i32[this.i + EI.rsts] as number;
  }
  set rsts(v: number) {
    this.i32[this.i + EI.rsts] = v;
  }
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
  /** When it entered TIME-WAIT, and when 2×MSL ends. */
  get timeWaitStart(): number | undefined {
    return unlessNaN(this.f64[this.f + ED.timeWaitStart] as number);
  }
  set timeWaitStart(v: number | undefined) {
    this.f64[this.f + ED.timeWaitStart] = v ?? Number.NaN;
  }
  get timeWaitEnd(): number | undefined {
    return unlessNaN(this.f64[this.f + ED.timeWaitEnd] as number);
  }
  set timeWaitEnd(v: number | undefined) {
    this.f64[this.f + ED.timeWaitEnd] = v ?? Number.NaN;
  }

  constructor(
    readonly addr: string,
    readonly port: number,
    initial: TcpState,
    /** Its connection, whose row holds its numbers (kept reachable as long as the endpoint is). */
    readonly owner: object,
    /** Its row's page (see conn-rows.ts) as doubles and integers, and where its own numbers start. */
    private readonly f64: Float64Array,
    private readonly i32: Int32Array,
    private readonly f: number,
    private readonly i: number,
  ) {
    this.initialState = initial;
    this.state = initial;
    f64[f + ED.timeWaitStart] = Number.NaN;
    f64[f + ED.timeWaitEnd] = Number.NaN;
    f64[f + ED.ipBytes] = 0;
    f64[f + ED.payloadBytes] = 0;
    i32.fill(0, i, i + EI.size);
    i32[i + EI.mss] = -1;
    i32[i + EI.wscale] = -1;
    i32[i + EI.window] = -1;
  }

  private bit(b: number): boolean {
    return ((this.i32[this.i + EI.bits] as number) & b) !== 0;
  }

  private setBit(b: number, v: boolean): void {
    setBit(this.i32, this.i + EI.bits, b, v);
  }

  /** The packed sequence number at `at`, when its `known` bit is set. */
  private unpack(bit: number, at: number): Seq | undefined {
    return (this.i32[this.i + EI.known] as number) & bit
      ? seqUnpack(this.i32[this.i + at] as number)
      : undefined;
  }

  /** Store `v` packed at `at`, with its `known` bit set (cleared for undefined, stored as 0). */
  private pack(bit: number, at: number, v: Seq | undefined): void {
    const k = this.i + EI.known;
    if (v === undefined) {
      this.i32[k] = (this.i32[k] as number) & ~bit;
      this.i32[this.i + at] = 0;
      return;
    }
    this.i32[k] = (this.i32[k] as number) | bit;
    this.i32[this.i + at] = seqPack(v);
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
