/**
 * A TCP connection: the 4-tuple, both endpoints, the log of every state change (which *is* the
 * step-by-step explanation), and what the handshake negotiated.
 */
import type { Anomaly } from '../../core/anomaly.js';
import { anomaly } from '../../core/anomaly.js';
import { unlessNaN } from '../../core/doubles.js';
import { FA } from '../anomalies.js';
import { newLinks } from '../queue.js';
import type { EndpointKey } from '../table.js';
import { allocConnRow, CD, ED, EI, releaseConnRow } from './conn-rows.js';
import { TcpEndpoint } from './endpoint.js';
import type { Segment } from './segment.js';
import { RULES, type TcpState, type TransitionEvent } from './state.js';

export type Side = 'orig' | 'resp';

export interface Transition {
  /** Capture time of the packet (or of the timer) that caused it. */
  readonly ts: number;
  /** Frame number; undefined for a timer (TIME-WAIT expiry). */
  readonly packet: number | undefined;
  readonly side: Side;
  readonly from: TcpState;
  readonly to: TcpState;
  readonly event: TransitionEvent;
  /** One plain sentence on why; `{v}` stands for `value` (see `causeText`). Kept as a shared constant. */
  readonly cause: string;
  /** The number the sentence names (a packet, an ISN, a port), if any. */
  readonly value: number | undefined;
  readonly rule: string;
  /** Inferred from later evidence rather than seen directly (e.g. the server received the SYN: seen by its SYN-ACK). */
  readonly inferred: boolean;
  /** Order of recording (ties between transitions of the same packet keep this order). */
  readonly order: number;
}

/** How the tracker first saw the connection. */
export type Origin = 'syn' | 'synack' | 'midstream';

/** Per-connection analysers plugged in by the tracker (Zeek summary, tcp.analysis flags). */
export interface SegmentAnalyzer {
  onSegment(seg: Segment, conn: TcpConnection): void;
  /** The tracker retired the connection (closed, expired, evicted, reused, or the capture ended). */
  onEnd?(conn: TcpConnection): void;
}

export const MAX_TRANSITIONS = 64;
/** Anomaly records a connection keeps from its packets (counts in reports stay exact up to it). */
export const MAX_CONN_ANOMALIES = 256;

/** The sentence of a transition with its number filled in. */
export function causeText(t: Transition): string {
  return t.value === undefined ? t.cause : t.cause.replace('{v}', String(t.value));
}

const NO_ANALYZERS: readonly SegmentAnalyzer[] = Object.freeze([]);
/** Empty lists shared by every connection until its first entry (most connections never get one). */
const NO_TRANSITIONS: readonly Transition[] = Object.freeze([]);
const NO_PACKETS: readonly number[] = Object.freeze([]);
const NO_ANOMALIES: readonly Anomaly[] = Object.freeze([]);
const NO_FLAGS: ReadonlyMap<string, number> = new Map();

/** The slots of a connection's links (flow/queue.ts) for the tracker's two queues besides the table order. */
export const UNASSURED_SLOT = 1;
export const FINISHED_SLOT = 2;

/** Gives a connection's row back once the garbage collector has taken the connection. */
const ROWS_BACK = new FinalizationRegistry<number>(releaseConnRow);

export class TcpConnection {
  readonly orig: TcpEndpoint;
  readonly resp: TcpEndpoint;
  /** The transition log (made on the first transition recorded: off for bulk runs). */
  transitions: readonly Transition[] = NO_TRANSITIONS;
  /** Made on the first anomaly (most connections have none; see `anomalies`). */
  private anomalyList: readonly Anomaly[] = NO_ANOMALIES;
  /** Anomalies not kept beyond MAX_CONN_ANOMALIES (a new kind is always kept). */
  anomaliesDropped = 0;
  firstPacket: number;
  lastPacket: number;
  /** Who sent the first FIN or RST: the active closer. */
  closer: Side | 'both' | undefined;
  /** How the connection ended, once it did. */
  endReason: 'closed' | 'reset' | 'expired' | 'evicted' | 'capture-end' | 'reused' | undefined;
  /** This connection reused the 4-tuple of an earlier one (id of that one). */
  reusedFrom: number | undefined;
  /** Notes about a reuse while the previous incarnation was in TIME-WAIT. */
  timeWaitReuse:
    | { previous: number; holder: Side; beforeDeadline: number; legitimate: boolean; reason: string }
    | undefined;
  /** The server refused the SYN (no listener). */
  refused = false;
  /** Record every transition (the step-by-step story); off for bulk runs to save memory. */
  recordTransitions = true;
  /** Handshake ACKs (packet numbers) the server showed it dropped by retransmitting its SYN,ACK. */
  ackDropped: readonly number[] = NO_PACKETS;
  /** Counts of analysis flags seen on its packets (made on the first: most connections have none). */
  private flags: Map<string, number> | undefined;
  /** Its analysers, set once by the tracker when it creates the connection. */
  analyzers: readonly SegmentAnalyzer[] = NO_ANALYZERS;
  /**
   * Bit 1: the originator has sent a segment that is neither SYN nor RST; bit 2: the responder has.
   * Both (3): the connection is "assured" (conntrack's word); until then it is the first candidate
   * for eviction from a full table, so a SYN flood cannot push real connections out.
   */
  assured = 0;
  /** Its place in the tracker's table order (set by the table, see flow/table.ts). */
  stamp = 0;

  /** Its row in the store of conn-rows.ts (its numbers and its endpoints'): slot, page, where its doubles start. */
  private slot: number;
  private readonly f64: Float64Array;
  private readonly d: number;
  /** Kept readable after its end by a consumer (see `retain`). */
  private retained = false;

  /** First and last packet times. */
  get startTs(): number {
    return this.f64[this.d + CD.start] as number;
  }
  set startTs(v: number) {
    this.f64[this.d + CD.start] = v;
  }
  get lastTs(): number {
    return this.f64[this.d + CD.last] as number;
  }
  set lastTs(v: number) {
    this.f64[this.d + CD.last] = v;
  }
  /** SYN, SYN-ACK and handshake-completing ACK times (for iRTT). */
  get synTs(): number | undefined {
    return this.optional(CD.syn);
  }
  set synTs(v: number | undefined) {
    this.setOptional(CD.syn, v);
  }
  get synAckTs(): number | undefined {
    return this.optional(CD.synAck);
  }
  set synAckTs(v: number | undefined) {
    this.setOptional(CD.synAck, v);
  }
  get ackTs(): number | undefined {
    return this.optional(CD.ack);
  }
  set ackTs(v: number | undefined) {
    this.setOptional(CD.ack, v);
  }
  /** Capture time at which the tracker let it go (its last packet, or later: the capture's end, an idle timeout). */
  get endTs(): number | undefined {
    return this.optional(CD.end);
  }
  set endTs(v: number | undefined) {
    this.setOptional(CD.end, v);
  }
  /** TSval of the server's SYN,ACK and of its next packet after it, with times (SYN-cookie check). */
  get synAckTsval(): number | undefined {
    return this.optional(CD.synAckTsval);
  }
  set synAckTsval(v: number | undefined) {
    this.setOptional(CD.synAckTsval, v);
  }
  get nextRespTsval(): number | undefined {
    return this.optional(CD.nextRespTsval);
  }
  set nextRespTsval(v: number | undefined) {
    this.setOptional(CD.nextRespTsval, v);
  }
  get nextRespTs(): number | undefined {
    return this.optional(CD.nextResp);
  }
  set nextRespTs(v: number | undefined) {
    this.setOptional(CD.nextResp, v);
  }
  /**
   * Milestones of the server side that the listener analysis needs, kept even when the transition
   * log is not (capture time of the first time each happened).
   */
  get respSynReceivedTs(): number | undefined {
    return this.optional(CD.respSynReceived);
  }
  set respSynReceivedTs(v: number | undefined) {
    this.setOptional(CD.respSynReceived, v);
  }
  get respEstablishedTs(): number | undefined {
    return this.optional(CD.respEstablished);
  }
  set respEstablishedTs(v: number | undefined) {
    this.setOptional(CD.respEstablished, v);
  }
  get respLeftSynReceivedTs(): number | undefined {
    return this.optional(CD.respLeftSynReceived);
  }
  set respLeftSynReceivedTs(v: number | undefined) {
    this.setOptional(CD.respLeftSynReceived, v);
  }
  get respFinTs(): number | undefined {
    return this.optional(CD.respFin);
  }
  set respFinTs(v: number | undefined) {
    this.setOptional(CD.respFin, v);
  }
  /** The server reset the connection while still in SYN-RECEIVED (it never took the handshake's ACK). */
  get rstFromSynReceivedTs(): number | undefined {
    return this.optional(CD.rstFromSynReceived);
  }
  set rstFromSynReceivedTs(v: number | undefined) {
    this.setOptional(CD.rstFromSynReceived, v);
  }
  /** Time of its last packet when the tracker last put it at the back of its eviction order. */
  get queuedAt(): number {
    return this.f64[this.d + CD.queuedAt] as number;
  }
  set queuedAt(v: number) {
    this.f64[this.d + CD.queuedAt] = v;
  }
  /** Its place among the tracker's deadlines (see flow/deadlines.ts); NaN when it has none. */
  get dueAt(): number {
    return this.f64[this.d + CD.dueAt] as number;
  }
  set dueAt(v: number) {
    this.f64[this.d + CD.dueAt] = v;
  }
  dueNext: TcpConnection | undefined = undefined;
  duePrev: TcpConnection | undefined = undefined;
  /** Keep an anomaly found on one of its packets: at most MAX_CONN_ANOMALIES, but every kind once. */
  addAnomaly(a: Anomaly): void {
    if (this.anomalies.length < MAX_CONN_ANOMALIES || !this.anomalies.some((x) => x.id === a.id))
      this.recordAnomaly(a);
    else this.anomaliesDropped++;
  }

  /** Anomalies of the connection itself and of its packets, in the order found. */
  get anomalies(): readonly Anomaly[] {
    return this.anomalyList;
  }

  /** Keep an anomaly the tracker found about the connection itself (not capped, unlike `addAnomaly`). */
  recordAnomaly(a: Anomaly): void {
    if (this.anomalyList === NO_ANOMALIES) this.anomalyList = [a];
    else (this.anomalyList as Anomaly[]).push(a);
  }

  /**
   * The originator's endpoint key (set by the tracker; compared per packet to find the direction),
   * and the 4-tuple's canonical key in the tracker's table. IPv4 keys are numbers above 2^32, kept
   * with the times; IPv6 keys are text.
   */
  get origKey(): EndpointKey {
    return this.keyText?.[0] ?? (this.f64[this.d + CD.origKey] as number);
  }
  set origKey(k: EndpointKey) {
    this.setKey(0, k);
  }
  /**
   * Is `k` the originator's endpoint key (is a packet from `k` from the originator)? The same as
   * `k === origKey`, asked on every packet without boxing the key into a new number each time.
   */
  isOrigKey(k: EndpointKey): boolean {
    const text = this.keyText;
    return text === undefined ? this.f64[this.d + CD.origKey] === k : text[0] === k;
  }
  get lo(): EndpointKey {
    return this.keyText?.[1] ?? (this.f64[this.d + CD.lo] as number);
  }
  set lo(k: EndpointKey) {
    this.setKey(1, k);
  }
  get hi(): EndpointKey {
    return this.keyText?.[2] ?? (this.f64[this.d + CD.hi] as number);
  }
  set hi(k: EndpointKey) {
    this.setKey(2, k);
  }
  /** The three keys when they are text (IPv6); undefined for IPv4. */
  private keyText: [string, string, string] | undefined;

  private setKey(i: 0 | 1 | 2, k: EndpointKey): void {
    if (typeof k === 'number') this.f64[this.d + CD.origKey + i] = k;
    else {
      this.keyText ??= ['', '', ''];
      this.keyText[i] = k;
    }
  }
  /**
   * Its places in the tracker's queues (see flow/queue.ts): table order (TABLE_SLOT, 0), not yet
   * assured (UNASSURED_SLOT), finished (FINISHED_SLOT).
   */
  readonly links = newLinks(3);
  private order = 0;
  private truncatedLog = false;

  constructor(
    /** 1-based, in order of first packet. */
    readonly id: number,
    readonly family: 4 | 6,
    origAddr: string,
    origPort: number,
    respAddr: string,
    respPort: number,
    readonly origin: Origin,
    ts: number,
    packet: number,
  ) {
    const mid = origin === 'midstream';
    const row = allocConnRow();
    const { f64, i32, d, n } = row;
    this.slot = row.slot;
    this.f64 = f64;
    this.d = d;
    f64.fill(Number.NaN, d, d + CD.ep);
    f64[d + CD.queuedAt] = 0;
    const o = mid ? 'ESTABLISHED' : 'CLOSED';
    const r = mid ? 'ESTABLISHED' : 'LISTEN';
    this.orig = new TcpEndpoint(origAddr, origPort, o, this, f64, i32, d + CD.ep, n);
    this.resp = new TcpEndpoint(respAddr, respPort, r, this, f64, i32, d + CD.ep + ED.size, n + EI.size);
    this.startTs = ts;
    this.lastTs = ts;
    this.firstPacket = packet;
    this.lastPacket = packet;
  }

  /**
   * Keep this connection readable after its end. A tracker that recycles ended connections
   * (`recycleEnded`) gives a connection's row back right after retiring it; a consumer that keeps
   * the connection beyond that (beyond its `connectionEnd` call and the analysers' `onEnd`) calls
   * this during that call or earlier, and the row then goes back only once the connection is
   * garbage. Elsewhere every connection is kept that way, and this changes nothing.
   */
  retain(): void {
    if (this.slot < 0) throw new Error(`connection ${this.id} was retained after its row went back`);
    this.retained = true;
  }

  /** Its row goes back once the garbage collector has taken it (the tracker's default). */
  releaseWhenCollected(): void {
    ROWS_BACK.register(this, this.slot);
  }

  /** The tracker, recycling ended connections, is done with it: its row goes back now unless retained. */
  recycle(): void {
    if (this.slot < 0) return;
    if (this.retained) this.releaseWhenCollected();
    else releaseConnRow(this.slot);
    this.slot = -1;
  }

  /** An optional double of its row (NaN when absent). */
  private optional(k: number): number | undefined {
    return unlessNaN(this.f64[this.d + k] as number);
  }
  private setOptional(k: number, v: number | undefined): void {
    this.f64[this.d + k] = v ?? Number.NaN;
  }

  endpoint(side: Side): TcpEndpoint {
    return side === 'orig' ? this.orig : this.resp;
  }

  peer(side: Side): TcpEndpoint {
    return side === 'orig' ? this.resp : this.orig;
  }

  /** Move one endpoint to a new state and record why. */
  move(
    side: Side,
    to: TcpState,
    event: TransitionEvent,
    cause: string,
    ts: number,
    packet: number | undefined,
    inferred = false,
    value?: number,
  ): void {
    const ep = this.endpoint(side);
    const from = ep.state;
    ep.state = to;
    if (to === 'TIME-WAIT' && from !== 'TIME-WAIT') ep.timeWaitStart = ts;
    if (side === 'resp') {
      if (to === 'SYN-RECEIVED') this.respSynReceivedTs ??= ts;
      else if (to === 'ESTABLISHED') this.respEstablishedTs ??= ts;
      if (from === 'SYN-RECEIVED' && to !== 'SYN-RECEIVED') this.respLeftSynReceivedTs ??= ts;
      if (event === 'refuse') this.refused = true;
      else if (event === 'send-fin') this.respFinTs ??= ts;
      else if (event === 'send-rst' && from === 'SYN-RECEIVED') this.rstFromSynReceivedTs ??= ts;
    }
    if (!this.recordTransitions) return;
    if (this.transitions.length >= MAX_TRANSITIONS) {
      if (!this.truncatedLog) {
        this.truncatedLog = true;
        this.recordAnomaly(
          anomaly(FA['tcp.transitions-truncated'], 'tcp', -1, `more than ${MAX_TRANSITIONS}`),
        );
      }
      return;
    }
    if (this.transitions === NO_TRANSITIONS) this.transitions = [];
    (this.transitions as Transition[]).push({
      ts,
      packet,
      side,
      from,
      to,
      event,
      cause,
      value,
      rule: RULES[event],
      inferred,
      order: this.order++,
    });
  }

  /** A handshake ACK (packet `n`) the server showed it dropped. */
  noteAckDropped(n: number): void {
    if (this.ackDropped === NO_PACKETS) this.ackDropped = [n];
    else (this.ackDropped as number[]).push(n);
  }

  /** Record an event that explains a packet without changing the state (e.g. a refused SYN). */
  note(
    side: Side,
    event: TransitionEvent,
    cause: string,
    ts: number,
    packet: number | undefined,
    inferred = false,
    value?: number,
  ): void {
    const s = this.endpoint(side).state;
    this.move(side, s, event, cause, ts, packet, inferred, value);
  }

  /** Initial round-trip time: from the SYN to the ACK that completed the handshake (tshark's tcp.analysis.initial_rtt). */
  get irtt(): number | undefined {
    return this.synTs !== undefined && this.ackTs !== undefined ? this.ackTs - this.synTs : undefined;
  }

  /** Transitions in packet order (receipts inferred later are placed at the packet that caused them). */
  orderedTransitions(): Transition[] {
    return [...this.transitions].sort((a, b) => {
      if (a.ts !== b.ts) return a.ts - b.ts;
      const pa = a.packet ?? Number.POSITIVE_INFINITY;
      const pb = b.packet ?? Number.POSITIVE_INFINITY;
      if (pa !== pb) return pa - pb;
      return a.order - b.order;
    });
  }

  /** Counts of analysis flags seen on its packets. */
  get flagCounts(): ReadonlyMap<string, number> {
    return this.flags ?? NO_FLAGS;
  }

  countFlag(flag: string): void {
    this.flags ??= new Map();
    this.flags.set(flag, (this.flags.get(flag) ?? 0) + 1);
  }
}
