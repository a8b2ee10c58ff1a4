/**
 * NAT matching: two captures taken on both sides of a NAT (INSIDE, OUTSIDE), each flow seen
 * inside paired with the same flow seen outside, and the translation table that follows.
 *
 * Collection (`NatFlowCollector`, one per capture) works at the flow level: the flow `Session`
 * says which TCP connection or UDP flow a packet belongs to (ICMP echo flows are tracked here, by
 * requester, responder and identifier). For each flow it keeps a fingerprint of its first N
 * packets only (the memory budget: N × 44 bytes per flow, and at most `maxFlows` flows): time,
 * frame number, direction, TTL, IP ID, TCP flags, raw sequence and acknowledgement numbers, TCP
 * timestamps, payload length and an FNV-1a hash of the first payload bytes.
 *
 * Matching (`matchNat`) never trusts addresses or the translated port: a NAT rewrites them. A
 * pair is a candidate when both flows share one endpoint unchanged (the remote endpoint: the
 * server for outbound flows, the client for port-forwarded inbound ones) and carry the same
 * protocol. The packets of a candidate pair are aligned in order, per direction, on what a NAT
 * leaves alone (TCP flags or ICMP type and sequence, payload length and payload hash); each
 * aligned packet then adds evidence: the remote's sequence numbers equal (a hard constraint: a
 * source NAT never touches them), the local side's sequence numbers equal (ISN preserved, as
 * Linux masquerade does) or shifted by one constant (ISN rewritten), TCP timestamps equal, IP ID
 * equal, payload equal, and — once the clock offset is known — a delay through the NAT that is
 * positive and small. Pairs are taken best score first, one to one.
 *
 * Clock offset: the two captures may come from machines whose clocks differ. With a constant
 * offset θ (outside clock − inside clock), an outbound packet has t_out − t_in = θ + delay and
 * an inbound one t_out − t_in = θ − delay, delays ≥ 0; so θ lies between the largest inbound
 * difference and the smallest outbound one (NTP's reasoning). θ is estimated first from pairs
 * whose evidence needs no clock (equal sequence numbers or timestamps), then refined over every
 * matched pair; its bounds are reported.
 */
import { toHex } from '../core/bytes.js';
import type { Icmp4Layer, Icmp6Layer, Packet } from '../decode/types.js';
import { ipTextOf } from '../flow/addr-text.js';
import type { PacketFlowResult } from '../flow/session.js';
import { endpointKey } from '../flow/table.js';
import type { TcpConnection } from '../flow/tcp/connection.js';
import type { UdpFlow } from '../flow/udp.js';
import { DEFAULT_NAT_LIMITS, type NatLimits } from './nat-limits.js';

export type NatProto = 'tcp' | 'udp' | 'icmp';

export { DEFAULT_NAT_LIMITS, type NatLimits };

// ---------------------------------------------------------------------------------------------
// Per-flow fingerprints.
// ---------------------------------------------------------------------------------------------

/** Columns of one fingerprint in `FlowPrint.cols` (stride `STRIDE`). */
const C_FRAME = 0;
const C_META = 1;
const C_IPID = 2;
const C_SEQ = 3;
const C_ACK = 4;
const C_TSVAL = 5;
const C_TSECR = 6;
const C_LEN = 7;
const C_HASH = 8;
const STRIDE = 9;

/** Bits of the META column. */
const M_FROM_ORIG = 1;
const M_HAS_TS = 2;
const M_HAS_ID = 4;
const M_HASH_KNOWN = 8;
/** TCP flags (12 bits) or ICMP type, shifted by 4; TTL shifted by 16. */
const M_KIND_SHIFT = 4;
const M_TTL_SHIFT = 16;

const EMPTY_F64 = new Float64Array(0);
const EMPTY_U32 = new Uint32Array(0);

/** One flow of one capture, with the fingerprints of its first packets. */
export class FlowPrint {
  /** Position in the capture's flow list (0-based), set by `finish`. */
  index = -1;
  lastTs: number;
  lastPacket: number;
  /** Every packet of the flow (fingerprinted or not). */
  packets = 0;
  /** Fingerprints kept. */
  kept = 0;
  /** Fingerprint times in seconds after `base` (whole seconds): exact to the nanosecond, unlike epoch doubles. */
  ts: Float64Array = EMPTY_F64;
  base = 0;
  cols: Uint32Array = EMPTY_U32;

  constructor(
    readonly proto: NatProto,
    readonly family: 4 | 6,
    /** TCP/UDP originator; ICMP: the echo requester (port = identifier). */
    readonly origAddr: string,
    readonly origPort: number,
    /** TCP/UDP responder; ICMP: the echo responder (port -1). */
    readonly respAddr: string,
    readonly respPort: number,
    readonly firstTs: number,
    readonly firstPacket: number,
    /** The flow's id in `conns` (`C3`, `U2`) or `I1` for an ICMP echo flow. */
    readonly source: string,
  ) {
    this.lastTs = firstTs;
    this.lastPacket = firstPacket;
  }

  fromOrig(i: number): boolean {
    return ((this.cols[i * STRIDE + C_META] as number) & M_FROM_ORIG) !== 0;
  }
  meta(i: number): number {
    return this.cols[i * STRIDE + C_META] as number;
  }
  col(i: number, c: number): number {
    return this.cols[i * STRIDE + c] as number;
  }
  kind(i: number): number {
    return (this.meta(i) >>> M_KIND_SHIFT) & 0xfff;
  }
  ttl(i: number): number {
    return (this.meta(i) >>> M_TTL_SHIFT) & 0xff;
  }
  frame(i: number): number {
    return this.col(i, C_FRAME);
  }
  /** Time of fingerprint i, seconds after `base`. */
  time(i: number): number {
    return this.ts[i] as number;
  }

  /** Endpoint keys: `addr|port` for TCP/UDP; ICMP `addr|id N` (requester) and `addr|*` (responder). */
  get origKey(): string {
    return this.proto === 'icmp'
      ? `${this.origAddr}|id ${this.origPort}`
      : `${this.origAddr}|${this.origPort}`;
  }
  get respKey(): string {
    return this.proto === 'icmp' ? `${this.respAddr}|*` : `${this.respAddr}|${this.respPort}`;
  }

  /** Append one fingerprint (the caller checks the budget). */
  push(
    ts: number,
    v0: number,
    v1: number,
    v2: number,
    v3: number,
    v4: number,
    v5: number,
    v6: number,
    v7: number,
    v8: number,
    cap: number,
  ): void {
    const n = this.kept;
    if (n >= this.ts.length) {
      const size = Math.min(cap, Math.max(4, this.ts.length * 2));
      const t = new Float64Array(size);
      t.set(this.ts);
      const c = new Uint32Array(size * STRIDE);
      c.set(this.cols);
      this.ts = t;
      this.cols = c;
    }
    this.ts[n] = ts;
    const o = n * STRIDE;
    const c = this.cols;
    c[o + C_FRAME] = v0;
    c[o + C_META] = v1;
    c[o + C_IPID] = v2;
    c[o + C_SEQ] = v3;
    c[o + C_ACK] = v4;
    c[o + C_TSVAL] = v5;
    c[o + C_TSECR] = v6;
    c[o + C_LEN] = v7;
    c[o + C_HASH] = v8;
    this.kept = n + 1;
  }
}

/** FNV-1a, 32 bits, over d[start, end). Never 0 (0 is kept for "no payload"). */
export function fnv1a(d: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (d[i] as number), 0x01000193);
  h >>>= 0;
  return h === 0 ? 1 : h;
}

function addrKey(a: number | Uint8Array): string {
  return typeof a === 'number' ? String(a) : toHex(a);
}

/** What one capture holds once collected. */
export interface CapturedFlows {
  /** Flows in order of their first packet. */
  readonly flows: readonly FlowPrint[];
  /** Flows seen beyond the `maxFlows` budget (not kept, not matched). */
  readonly dropped: number;
  /** IP packets seen, and those that belonged to a kept flow. */
  readonly ipPackets: number;
  readonly start: number | undefined;
  readonly end: number | undefined;
}

/**
 * Feeds on one capture: call `onPacket` for every packet after `Session.process` (with its
 * result), `onTcpEnd`/`onUdpEnd` from the session's events, then `finish`.
 */
export class NatFlowCollector {
  private readonly live = new Map<object, FlowPrint | null>();
  private readonly icmp = new Map<string, FlowPrint>();
  private readonly icmpDropped = new Set<string>();
  private readonly done: FlowPrint[] = [];
  private created = 0;
  private dropped = 0;
  private ipPackets = 0;
  private start: number | undefined;
  private end: number | undefined;
  private icmpIds = 0;

  constructor(readonly limits: NatLimits = DEFAULT_NAT_LIMITS) {}

  onPacket(p: Packet, r: PacketFlowResult): void {
    const ip = p.ip;
    if (!ip) return;
    const ts = p.frame.ts;
    this.ipPackets++;
    this.start ??= ts;
    if (this.end === undefined || ts > this.end) this.end = ts;
    if (r.tcp) {
      const c = r.tcp.conn;
      let f = this.live.get(c);
      if (f === undefined) {
        f = this.create('tcp', c.family, c.orig.addr, c.orig.port, c.resp.addr, c.resp.port, p, `C${c.id}`);
        this.live.set(c, f);
      }
      if (f) this.addTcp(f, p, r.tcp.seg.fromOrig);
      return;
    }
    if (r.udp) {
      const u = r.udp;
      let f = this.live.get(u);
      if (f === undefined) {
        f = this.create('udp', u.family, u.origAddr, u.origPort, u.respAddr, u.respPort, p, `U${u.id}`);
        this.live.set(u, f);
      }
      const udp = p.udp;
      if (f && udp) {
        const fromOrig = endpointKey(ip.src, udp.srcPort) === u.origKey;
        this.addGeneric(f, p, fromOrig, 0, 0, udp.payloadLength, udp.offset + 8, udp.capturedPayload);
      }
      return;
    }
    this.icmpPacket(p);
  }

  onTcpEnd(c: TcpConnection): void {
    this.end_(c);
  }

  onUdpEnd(f: UdpFlow): void {
    this.end_(f);
  }

  /** End of capture: every flow still open is finished; returns flows in order of first packet. */
  finish(): CapturedFlows {
    for (const f of this.icmp.values()) this.done.push(f);
    this.icmp.clear();
    for (const f of this.live.values()) if (f) this.done.push(f);
    this.live.clear();
    const flows = this.done.sort((a, b) => a.firstPacket - b.firstPacket || a.firstTs - b.firstTs);
    flows.forEach((f, i) => {
      f.index = i;
    });
    return { flows, dropped: this.dropped, ipPackets: this.ipPackets, start: this.start, end: this.end };
  }

  private end_(o: object): void {
    const f = this.live.get(o);
    if (f === undefined) return;
    this.live.delete(o);
    if (f) this.done.push(f);
  }

  private create(
    proto: NatProto,
    family: 4 | 6,
    oa: string,
    op: number,
    ra: string,
    rp: number,
    p: Packet,
    source: string,
  ): FlowPrint | null {
    if (this.created >= this.limits.maxFlows) {
      this.dropped++;
      return null;
    }
    this.created++;
    return new FlowPrint(proto, family, oa, op, ra, rp, p.frame.ts, p.frame.index, source);
  }

  private note(f: FlowPrint, p: Packet): boolean {
    f.packets++;
    f.lastTs = p.frame.ts;
    f.lastPacket = p.frame.index;
    return f.kept < this.limits.packetsPerFlow;
  }

  /** FNV-1a of the first payload bytes; 0 without payload; -1 when the capture cut them. */
  private hash(p: Packet, start: number, declared: number, captured: number): number {
    if (declared <= 0) return 0;
    const want = Math.min(declared, this.limits.payloadBytes);
    const d = p.frame.data;
    if (captured < want || start + want > d.length) return -1;
    return fnv1a(d, start, start + want);
  }

  private addTcp(f: FlowPrint, p: Packet, fromOrig: boolean): void {
    if (!this.note(f, p)) return;
    const tcp = p.tcp;
    if (!tcp) return;
    let tsval = 0;
    let tsecr = 0;
    let hasTs = false;
    for (const o of tcp.options) {
      if (o.kind === 'timestamp') {
        tsval = o.tsval >>> 0;
        tsecr = o.tsecr >>> 0;
        hasTs = true;
      }
    }
    const h = this.hash(p, tcp.offset + tcp.headerLength, tcp.payloadLength, tcp.capturedPayload);
    this.push(
      f,
      p,
      fromOrig,
      tcp.flags & 0xfff,
      hasTs,
      tcp.seq >>> 0,
      tcp.ack >>> 0,
      tsval,
      tsecr,
      tcp.payloadLength,
      h >= 0,
      Math.max(0, h),
    );
  }

  private addGeneric(
    f: FlowPrint,
    p: Packet,
    fromOrig: boolean,
    kind: number,
    seqNo: number,
    len: number,
    start: number,
    captured: number,
  ): void {
    if (!this.note(f, p)) return;
    const h = this.hash(p, start, len, captured);
    this.push(f, p, fromOrig, kind, false, seqNo, 0, 0, 0, Math.max(0, len), h >= 0, Math.max(0, h));
  }

  private push(
    f: FlowPrint,
    p: Packet,
    fromOrig: boolean,
    kind: number,
    hasTs: boolean,
    seqNo: number,
    ack: number,
    tsval: number,
    tsecr: number,
    len: number,
    hashKnown: boolean,
    hash: number,
  ): void {
    const ip = p.ip;
    if (!ip) return;
    const v4 = ip.kind === 'ipv4';
    const ttl = v4 ? ip.ttl : ip.hopLimit;
    const meta =
      (fromOrig ? M_FROM_ORIG : 0) |
      (hasTs ? M_HAS_TS : 0) |
      (v4 ? M_HAS_ID : 0) |
      (hashKnown ? M_HASH_KNOWN : 0) |
      ((kind & 0xfff) << M_KIND_SHIFT) |
      ((ttl & 0xff) << M_TTL_SHIFT);
    if (f.kept === 0) f.base = p.frame.tsSec;
    f.push(
      p.frame.tsSec - f.base + p.frame.tsNsec / 1e9,
      p.frame.index,
      meta >>> 0,
      v4 ? ip.id : 0,
      seqNo,
      ack,
      tsval,
      tsecr,
      len,
      hash,
      this.limits.packetsPerFlow,
    );
  }

  private icmpPacket(p: Packet): void {
    const ip = p.ip;
    if (!ip) return;
    let icmp: Icmp4Layer | Icmp6Layer | undefined;
    for (const l of p.layers) {
      if (l.kind === 'icmp4' || l.kind === 'icmp6') {
        icmp = l;
        break;
      }
    }
    if (!icmp || icmp.echoId === undefined) return;
    const request = icmp.typeName === 'echo-request';
    if (!request && icmp.typeName !== 'echo-reply') return;
    const requester = request ? ip.src : ip.dst;
    const responder = request ? ip.dst : ip.src;
    const key = `${addrKey(requester)}|${addrKey(responder)}|${icmp.echoId}`;
    const ts = p.frame.ts;
    let f = this.icmp.get(key);
    if (f && ts - f.lastTs > this.limits.icmpIdle) {
      this.icmp.delete(key);
      this.done.push(f);
      f = undefined;
    }
    if (!f) {
      // An echo flow already dropped for the budget is counted once (the set is bounded too).
      if (this.icmpDropped.has(key)) return;
      const made = this.create(
        'icmp',
        ip.kind === 'ipv4' ? 4 : 6,
        ipTextOf(requester),
        icmp.echoId,
        ipTextOf(responder),
        -1,
        p,
        `I${++this.icmpIds}`,
      );
      if (!made) {
        if (this.icmpDropped.size < this.limits.maxFlows) this.icmpDropped.add(key);
        return;
      }
      f = made;
      this.icmp.set(key, f);
    }
    const start = icmp.offset + 8;
    const ipEnd =
      ip.kind === 'ipv4' ? ip.offset + ip.totalLength : ip.offset + ip.headerLength + ip.payloadLength;
    const declared = ipEnd - start;
    const captured = Math.min(p.frame.data.length, ipEnd) - start;
    this.addGeneric(f, p, request, icmp.type, icmp.echoSeq ?? 0, declared, start, captured);
  }
}

// ---------------------------------------------------------------------------------------------
// Matching.
// ---------------------------------------------------------------------------------------------

export interface NatMatchOptions {
  /** Largest believable delay through the NAT, seconds. */
  readonly maxDelay: number;
  /** Candidates compared per inside flow and shared endpoint, at most. */
  readonly candidates: number;
  /** The clock offset (outside − inside, seconds) when the user knows it: not estimated then. */
  readonly clockOffset?: number;
}

export const DEFAULT_NAT_MATCH: NatMatchOptions = { maxDelay: 2, candidates: 64 };

/**
 * Largest clock offset believed when it rests on pairs matched by payload alone (no sequence
 * numbers, timestamps or IP IDs in common): one look-alike datagram in two unrelated captures
 * would otherwise define a clock of its own. Beyond it, give `clockOffset`.
 */
export const WEAK_OFFSET_LIMIT = 60;

/** Why a pair was matched: stable identifiers (the report turns them into words). */
export type EvidenceId =
  | 'isn-preserved'
  | 'isn-shifted'
  | 'remote-seq'
  | 'tsval'
  | 'ip-id'
  | 'payload'
  | 'icmp-seq'
  | 'timing';

export interface MatchEvidence {
  /** Fingerprinted packets aligned between the two sides. */
  readonly alignedPackets: number;
  /** Fingerprinted packets each side had (first N of the flow). */
  readonly insideKept: number;
  readonly outsideKept: number;
  /** The local side's TCP sequence numbers: equal, shifted by one constant, or not comparable. */
  readonly localSeq: 'preserved' | 'shifted' | 'n/a';
  /** The constant shift (outside − inside, mod 2^32) when `shifted`. */
  readonly seqShift?: number;
  /** Aligned TCP packets whose remote sequence numbers are equal (a source NAT never changes them). */
  readonly remoteSeqEqual: number;
  /** Aligned packets with equal TCP TSval (both carrying timestamps), and those with different ones. */
  readonly tsvalEqual: number;
  readonly tsvalDifferent: number;
  /** Aligned IPv4 packets with equal, non-zero IP ID. */
  readonly ipIdEqual: number;
  /** Aligned packets with payload whose hashes are equal. */
  readonly payloadEqual: number;
  /** Aligned packets whose delay through the NAT (after the clock offset) is believable, and not. */
  readonly timingConsistent: number;
  readonly timingInconsistent: number;
  readonly score: number;
  readonly ids: readonly EvidenceId[];
}

export interface Stats {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface FlowRef {
  /** `conns` id: `C3` (TCP), `U2` (UDP), `I1` (ICMP echo). */
  readonly source: string;
  readonly protocol: NatProto;
  /** Originator (TCP SYN sender, UDP first sender, ICMP echo requester) as `addr:port` / `addr id N`. */
  readonly client: string;
  readonly server: string;
  readonly firstPacket: number;
  readonly lastPacket: number;
  readonly packets: number;
  readonly firstTs: number;
  readonly lastTs: number;
}

export interface Translation {
  readonly protocol: NatProto;
  readonly family: 4 | 6;
  /** Who opened the flow: a host inside (outbound, source NAT) or the remote (inbound, port forward). */
  readonly initiator: 'inside' | 'remote';
  /** `10.0.1.2:40000`, or `10.0.1.2 id 22348` for ICMP echo. */
  readonly inside: string;
  readonly outside: string;
  /** The endpoint both captures see unchanged: `10.0.2.2:80`, or `10.0.2.2` for ICMP. */
  readonly remote: string;
  readonly insideAddr: string;
  /** Port, or ICMP echo identifier. */
  readonly insidePort: number;
  readonly outsideAddr: string;
  readonly outsidePort: number;
  readonly remoteAddr: string;
  readonly remotePort: number | undefined;
  /** Port (or ICMP identifier) kept by the NAT. */
  readonly portPreserved: boolean;
  readonly addressChanged: boolean;
  readonly insideFlow: FlowRef;
  readonly outsideFlow: FlowRef;
  readonly evidence: MatchEvidence;
  /** Delay through the NAT of the aligned packets, after removing the clock offset (seconds). */
  readonly delay: Stats | undefined;
  /** TTL lost crossing the NAT (most common value) per direction; undefined when not seen. */
  readonly ttlDecrement: { readonly outbound: number | undefined; readonly inbound: number | undefined };
}

export interface ClockEstimate {
  /** Outside clock − inside clock, seconds (0 when nothing could tell). */
  readonly offset: number;
  /**
   * `bounds`: midpoint of [largest inbound difference, smallest outbound difference];
   * `medians`: the bounds contradicted each other (delays vary or clocks drift), midpoint of the
   * two directions' median differences; `given` by the user; `none`: nothing could tell (0 assumed,
   * and only pairs with clock-free evidence are matched).
   */
  readonly method: 'bounds' | 'medians' | 'given' | 'none';
  /** The offset rests on pairs matched without clock-free evidence (payload and timing only). */
  readonly weak?: boolean;
  readonly lower?: number;
  readonly upper?: number;
  /** Aligned packets it rests on. */
  readonly samples: number;
}

export interface CaptureSide {
  readonly flows: { readonly tcp: number; readonly udp: number; readonly icmp: number };
  /** Flows beyond the memory budget (not matched). */
  readonly dropped: number;
  readonly ipPackets: number;
  readonly start: number | undefined;
  readonly end: number | undefined;
}

export interface PoolEntry {
  readonly outsideAddr: string;
  readonly insideHosts: readonly string[];
  readonly translations: number;
}

export interface NatReport {
  readonly inside: CaptureSide;
  readonly outside: CaptureSide;
  readonly clock: ClockEstimate;
  readonly translations: readonly Translation[];
  readonly pooling: {
    /** Outside addresses the NAT used, with the inside hosts behind each. */
    readonly addresses: readonly PoolEntry[];
    /** Every inside host always appeared as the same outside address (RFC 4787 "paired"). */
    readonly paired: boolean;
    /** Inside hosts seen through more than one outside address. */
    readonly unpairedHosts: readonly string[];
  };
  readonly ports: {
    readonly preserved: number;
    readonly changed: number;
    readonly byProtocol: Readonly<Record<NatProto, { preserved: number; changed: number }>>;
    /**
     * Changed ports (or ICMP ids) that were already taken when the flow began: an earlier
     * translation to the same remote already used that outside address and port. When every
     * change is one of these, the NAT keeps ports where it can (port preservation).
     */
    readonly clashes: readonly {
      readonly inside: string;
      readonly outside: string;
      readonly takenBy: string;
    }[];
  };
  /**
   * RFC 4787 mapping behaviour, from inside endpoints seen talking to several remotes:
   * `independent` when each kept one outside endpoint, `dependent` otherwise; `not-observed` when
   * no inside endpoint talked to more than one remote.
   */
  readonly mapping: {
    readonly behaviour: 'independent' | 'dependent' | 'not-observed';
    readonly endpoints: number;
  };
  /** TTL lost crossing the NAT, over every aligned packet: decrement → packets. */
  readonly ttl: {
    readonly outbound: Readonly<Record<string, number>>;
    readonly inbound: Readonly<Record<string, number>>;
  };
  /** Delay through the NAT over every aligned packet, after removing the clock offset. */
  readonly delay: Stats | undefined;
  readonly insideOnly: readonly FlowRef[];
  readonly outsideOnly: readonly FlowRef[];
}

/** One side of a candidate pair: the flow, and whether the shared (remote) endpoint is its originator. */
interface Oriented {
  readonly f: FlowPrint;
  readonly remoteIsOrig: boolean;
}

function outbound(o: Oriented, i: number): boolean {
  return o.f.fromOrig(i) !== o.remoteIsOrig;
}

interface PairResult {
  readonly inside: Oriented;
  readonly outside: Oriented;
  readonly evidence: MatchEvidence;
  /** Aligned packet indices: inside, outside. */
  readonly aligned: readonly (readonly [number, number])[];
  readonly strong: boolean;
}

/** Same packet on both sides, judged on what a NAT does not rewrite. */
function sameKey(a: FlowPrint, i: number, b: FlowPrint, j: number): boolean {
  if (a.kind(i) !== b.kind(j)) return false;
  if (a.col(i, C_LEN) !== b.col(j, C_LEN)) return false;
  const ka = (a.meta(i) & M_HASH_KNOWN) !== 0;
  const kb = (b.meta(j) & M_HASH_KNOWN) !== 0;
  if (ka && kb && a.col(i, C_HASH) !== b.col(j, C_HASH)) return false;
  if (a.proto === 'icmp' && a.col(i, C_SEQ) !== b.col(j, C_SEQ)) return false;
  return true;
}

/** How far ahead in the other side's packets alignment looks (packets lost between the captures). */
const ALIGN_WINDOW = 8;

function align(I: Oriented, O: Oriented): [number, number][] {
  const out: [number, number][] = [];
  for (const dir of [true, false]) {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < I.f.kept; i++) if (outbound(I, i) === dir) a.push(i);
    for (let j = 0; j < O.f.kept; j++) if (outbound(O, j) === dir) b.push(j);
    let ptr = 0;
    for (const i of a) {
      const lim = Math.min(b.length, ptr + ALIGN_WINDOW);
      for (let k = ptr; k < lim; k++) {
        const j = b[k] as number;
        if (sameKey(I.f, i, O.f, j)) {
          out.push([i, j]);
          ptr = k + 1;
          break;
        }
      }
    }
  }
  return out.sort((x, y) => x[0] - y[0]);
}

interface Timing {
  readonly offset: number;
  /** Negative delay tolerated (the offset's own uncertainty), seconds. */
  readonly slack: number;
  readonly maxDelay: number;
}

/** Outside time of packet j minus inside time of packet i, seconds. */
function tdiff(I: FlowPrint, i: number, O: FlowPrint, j: number): number {
  return O.base - I.base + (O.time(j) - I.time(i));
}

/** Delay through the NAT of an aligned packet, given the clock offset. */
function delayOf(I: Oriented, i: number, O: Oriented, j: number, offset: number): number {
  const diff = tdiff(I.f, i, O.f, j);
  return outbound(I, i) ? diff - offset : offset - diff;
}

const U32 = 0x100000000;

function comparePair(I: Oriented, O: Oriented, timing: Timing | undefined): PairResult | undefined {
  const aligned = align(I, O);
  if (aligned.length === 0) return undefined;
  const fi = I.f;
  const fo = O.f;
  const tcp = fi.proto === 'tcp';
  let remoteSeqEqual = 0;
  let remoteSeqDifferent = 0;
  let localEqual = 0;
  let localShifted = 0;
  let localOther = 0;
  let shift: number | undefined;
  let tsEq = 0;
  let tsDiff = 0;
  let idEq = 0;
  let payEq = 0;
  let icmpSeq = 0;
  let good = 0;
  let bad = 0;
  for (const [i, j] of aligned) {
    const out = outbound(I, i);
    if (tcp) {
      const flags = fi.kind(i);
      const hasAck = (flags & 0x10) !== 0;
      // The remote's own numbers: its seq on inbound packets, the ack of them on outbound ones.
      const remoteOk = out
        ? !hasAck || fi.col(i, C_ACK) === fo.col(j, C_ACK)
        : fi.col(i, C_SEQ) === fo.col(j, C_SEQ);
      if (remoteOk) remoteSeqEqual++;
      else remoteSeqDifferent++;
      // The local side's numbers: its seq on outbound packets, the ack of them on inbound ones.
      if (out || hasAck) {
        const a = out ? fi.col(i, C_SEQ) : fi.col(i, C_ACK);
        const b = out ? fo.col(j, C_SEQ) : fo.col(j, C_ACK);
        const d = (b - a + U32) % U32;
        if (d === 0) localEqual++;
        else {
          shift ??= d;
          if (d === shift) localShifted++;
          else localOther++;
        }
      }
      if ((fi.meta(i) & M_HAS_TS) !== 0 && (fo.meta(j) & M_HAS_TS) !== 0) {
        if (fi.col(i, C_TSVAL) === fo.col(j, C_TSVAL) && fi.col(i, C_TSECR) === fo.col(j, C_TSECR)) tsEq++;
        else tsDiff++;
      }
    } else if (fi.proto === 'icmp') icmpSeq++;
    if ((fi.meta(i) & M_HAS_ID) !== 0 && (fo.meta(j) & M_HAS_ID) !== 0) {
      const id = fi.col(i, C_IPID);
      if (id !== 0 && id === fo.col(j, C_IPID)) idEq++;
    }
    if (
      fi.col(i, C_LEN) > 0 &&
      (fi.meta(i) & M_HASH_KNOWN) !== 0 &&
      (fo.meta(j) & M_HASH_KNOWN) !== 0 &&
      fi.col(i, C_HASH) === fo.col(j, C_HASH)
    )
      payEq++;
    if (timing) {
      const d = delayOf(I, i, O, j, timing.offset);
      if (d >= -timing.slack && d <= timing.maxDelay) good++;
      else bad++;
    }
  }
  // A source NAT never touches the remote's sequence numbers: one mismatch and these are two
  // different connections that happen to look alike.
  if (remoteSeqDifferent > 0) return undefined;
  // The local side's numbers must be equal throughout, or shifted by one constant throughout.
  if (localOther > 0 || (localEqual > 0 && localShifted > 0)) return undefined;
  const n = aligned.length;
  const fewest = Math.min(fi.kept, fo.kept);
  if (n * 2 < fewest) return undefined;
  if (timing && bad * 4 > n) return undefined;
  const localSeqNums = localEqual + localShifted;
  const score =
    n +
    2 * localSeqNums +
    2 * remoteSeqEqual +
    2 * tsEq +
    idEq +
    payEq +
    (timing ? good - 3 * bad : 0) -
    (n < fewest ? fewest - n : 0);
  const ids: EvidenceId[] = [];
  if (localEqual > 0) ids.push('isn-preserved');
  if (localShifted > 0) ids.push('isn-shifted');
  if (remoteSeqEqual > 0 && tcp) ids.push('remote-seq');
  if (tsEq > 0) ids.push('tsval');
  if (idEq > 0) ids.push('ip-id');
  if (payEq > 0) ids.push('payload');
  if (icmpSeq > 0) ids.push('icmp-seq');
  if (timing && good > 0) ids.push('timing');
  const evidence: MatchEvidence = {
    alignedPackets: n,
    insideKept: fi.kept,
    outsideKept: fo.kept,
    localSeq: !tcp || localSeqNums === 0 ? 'n/a' : localShifted > 0 ? 'shifted' : 'preserved',
    ...(localShifted > 0 && shift !== undefined ? { seqShift: shift } : {}),
    remoteSeqEqual: tcp ? remoteSeqEqual : 0,
    tsvalEqual: tsEq,
    tsvalDifferent: tsDiff,
    ipIdEqual: idEq,
    payloadEqual: payEq,
    timingConsistent: good,
    timingInconsistent: bad,
    score,
    ids,
  };
  // Evidence that needs no clock: 32-bit numbers equal (sequence numbers, timestamps), or IP IDs
  // equal on two packets or more.
  const strong = (tcp && localSeqNums > 0 && remoteSeqEqual > 0) || tsEq > 0 || idEq >= 2;
  return { inside: I, outside: O, evidence, aligned, strong };
}

/** Outside flows indexed by each of their endpoints, with a few discriminating numbers. */
interface Group {
  readonly members: Oriented[];
  /** Sorted by first packet time, for time-window candidates. */
  readonly byTime: Oriented[];
  /** signature → members (indices into `members`) */
  readonly sigs: Map<number, number[]>;
}

/** Signatures relative to the remote endpoint: kind × 2^32 + value. */
function signatures(o: Oriented): number[] {
  const f = o.f;
  const out: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < f.kept; i++) {
    const dirOut = outbound(o, i);
    const base = dirOut ? 0 : 4;
    const add = (k: number, v: number) => {
      const s = (base + k) * U32 + v;
      if (!seen.has(base + k)) {
        seen.add(base + k);
        out.push(s);
      }
    };
    const meta = f.meta(i);
    if (f.proto === 'tcp') {
      if (!dirOut && (f.kind(i) & 0x02) !== 0) add(0, f.col(i, C_SEQ)); // the remote's ISN
      if ((meta & M_HAS_TS) !== 0) add(1, f.col(i, C_TSVAL));
    }
    if (f.col(i, C_LEN) > 0 && (meta & M_HASH_KNOWN) !== 0) add(2, f.col(i, C_HASH));
  }
  return out;
}

function endpointKeys(f: FlowPrint): [string, boolean][] {
  const g = `${f.proto}|${f.family}|`;
  // The responder first: when both endpoints are unchanged (no translation), the flow reads as
  // opened from inside.
  return [
    [g + f.respKey, false],
    [g + f.origKey, true],
  ];
}

function buildGroups(flows: readonly FlowPrint[], maxSig: number): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const f of flows) {
    for (const [k, remoteIsOrig] of endpointKeys(f)) {
      let g = groups.get(k);
      if (!g) {
        g = { members: [], byTime: [], sigs: new Map() };
        groups.set(k, g);
      }
      const o: Oriented = { f, remoteIsOrig };
      const idx = g.members.length;
      g.members.push(o);
      g.byTime.push(o);
      for (const s of signatures(o)) {
        let l = g.sigs.get(s);
        if (!l) {
          l = [];
          g.sigs.set(s, l);
        }
        if (l.length <= maxSig) l.push(idx);
      }
    }
  }
  for (const g of groups.values()) g.byTime.sort((a, b) => a.f.firstTs - b.f.firstTs);
  return groups;
}

function candidatesFor(I: Oriented, g: Group, opts: NatMatchOptions, offset: number | undefined): Oriented[] {
  if (g.members.length <= opts.candidates) return g.members;
  const picked = new Set<Oriented>();
  for (const s of signatures(I)) {
    const l = g.sigs.get(s);
    if (!l || l.length > opts.candidates) continue; // not discriminating
    for (const k of l) picked.add(g.members[k] as Oriented);
  }
  if (offset !== undefined && picked.size === 0) {
    // Nothing discriminating in common: the outside flows that started nearest the inside one's
    // start (shifted by the offset).
    const t = I.f.firstTs + offset;
    const arr = g.byTime;
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((arr[mid] as Oriented).f.firstTs < t) lo = mid + 1;
      else hi = mid;
    }
    let l = lo - 1;
    let r = lo;
    let taken = 0;
    while (taken < opts.candidates && (l >= 0 || r < arr.length)) {
      const dl = l >= 0 ? t - (arr[l] as Oriented).f.firstTs : Number.POSITIVE_INFINITY;
      const dr = r < arr.length ? (arr[r] as Oriented).f.firstTs - t : Number.POSITIVE_INFINITY;
      if (dl <= dr) picked.add(arr[l--] as Oriented);
      else picked.add(arr[r++] as Oriented);
      taken++;
    }
  }
  return [...picked];
}

function allPairs(
  inside: readonly FlowPrint[],
  groups: Map<string, Group>,
  opts: NatMatchOptions,
  timing: Timing | undefined,
): PairResult[] {
  const out: PairResult[] = [];
  for (const f of inside) {
    for (const [k, remoteIsOrig] of endpointKeys(f)) {
      const g = groups.get(k);
      if (!g) continue;
      const I: Oriented = { f, remoteIsOrig };
      for (const O of candidatesFor(I, g, opts, timing?.offset)) {
        const r = comparePair(I, O, timing);
        if (r) out.push(r);
      }
    }
  }
  return out;
}

/** Best first, one to one. Ties: the pair whose first packets are closest in time. */
function assign(pairs: PairResult[], offset: number): PairResult[] {
  const gap = (p: PairResult) => Math.abs(p.outside.f.firstTs - p.inside.f.firstTs - offset);
  pairs.sort((a, b) => b.evidence.score - a.evidence.score || gap(a) - gap(b));
  const usedI = new Set<FlowPrint>();
  const usedO = new Set<FlowPrint>();
  const out: PairResult[] = [];
  for (const p of pairs) {
    if (usedI.has(p.inside.f) || usedO.has(p.outside.f)) continue;
    usedI.add(p.inside.f);
    usedO.add(p.outside.f);
    out.push(p);
  }
  return out;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const m = n >>> 1;
  return n % 2 === 1 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}

/** Seconds rounded to the nanosecond (capture resolution at best): no float noise in the JSON. */
function ns(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

export function stats(values: readonly number[]): Stats | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return {
    count: s.length,
    min: ns(s[0] as number),
    median: ns(median(s)),
    max: ns(s[s.length - 1] as number),
  };
}

/** Clock offset from aligned packets (see the module comment). */
export function estimateOffset(pairs: readonly PairResult[]): ClockEstimate {
  const outDiffs: number[] = [];
  const inDiffs: number[] = [];
  for (const p of pairs) {
    for (const [i, j] of p.aligned) {
      const d = tdiff(p.inside.f, i, p.outside.f, j);
      if (outbound(p.inside, i)) outDiffs.push(d);
      else inDiffs.push(d);
    }
  }
  const samples = outDiffs.length + inDiffs.length;
  if (samples === 0) return { offset: 0, method: 'none', samples };
  // Keep differences near the overall median: a wrongly aligned packet must not set a bound.
  const all = [...outDiffs, ...inDiffs].sort((a, b) => a - b);
  const m = median(all);
  const near = (d: number) => Math.abs(d - m) <= 1;
  const o = outDiffs.filter(near).sort((a, b) => a - b);
  const i = inDiffs.filter(near).sort((a, b) => a - b);
  if (o.length > 0 && i.length > 0) {
    const lower = i[i.length - 1] as number;
    const upper = o[0] as number;
    if (lower <= upper)
      return {
        offset: ns((lower + upper) / 2),
        method: 'bounds',
        lower: ns(lower),
        upper: ns(upper),
        samples,
      };
    return {
      offset: ns((median(o) + median(i)) / 2),
      method: 'medians',
      lower: ns(lower),
      upper: ns(upper),
      samples,
    };
  }
  // One direction only: the smallest difference is the offset plus the smallest delay.
  if (o.length > 0)
    return { offset: ns(o[0] as number), method: 'medians', upper: ns(o[0] as number), samples };
  const last = ns(i[i.length - 1] as number);
  return { offset: last, method: 'medians', lower: last, samples };
}

function timingOf(c: ClockEstimate, opts: NatMatchOptions): Timing | undefined {
  if (c.method === 'none') return undefined;
  // A clock the user gave has no bounds: allow a little more slack for its own error.
  if (c.method === 'given') return { offset: c.offset, slack: 0.01, maxDelay: opts.maxDelay };
  const width = c.lower !== undefined && c.upper !== undefined ? Math.abs(c.upper - c.lower) : 0;
  return { offset: c.offset, slack: Math.max(0.001, width), maxDelay: opts.maxDelay };
}

function endpointText(addr: string, port: number | undefined, proto: NatProto): string {
  if (proto === 'icmp') return port === undefined || port < 0 ? addr : `${addr} id ${port}`;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export function flowRef(f: FlowPrint): FlowRef {
  return {
    source: f.source,
    protocol: f.proto,
    client: endpointText(f.origAddr, f.origPort, f.proto),
    server: endpointText(f.respAddr, f.respPort, f.proto),
    firstPacket: f.firstPacket,
    lastPacket: f.lastPacket,
    packets: f.packets,
    firstTs: f.firstTs,
    lastTs: f.lastTs,
  };
}

function mode(values: readonly number[]): number | undefined {
  const m = new Map<number, number>();
  let best: number | undefined;
  let bestN = 0;
  for (const v of values) {
    const n = (m.get(v) ?? 0) + 1;
    m.set(v, n);
    if (n > bestN || (n === bestN && best !== undefined && v < best)) {
      best = v;
      bestN = n;
    }
  }
  return best;
}

function translationOf(p: PairResult, clock: ClockEstimate, ttlOut: number[], ttlIn: number[]): Translation {
  const I = p.inside;
  const O = p.outside;
  const fi = I.f;
  const fo = O.f;
  const proto = fi.proto;
  const remoteAddr = I.remoteIsOrig ? fi.origAddr : fi.respAddr;
  const remotePortRaw = I.remoteIsOrig ? fi.origPort : fi.respPort;
  const insideAddr = I.remoteIsOrig ? fi.respAddr : fi.origAddr;
  const insidePort = I.remoteIsOrig ? fi.respPort : fi.origPort;
  const outsideAddr = O.remoteIsOrig ? fo.respAddr : fo.origAddr;
  const outsidePort = O.remoteIsOrig ? fo.respPort : fo.origPort;
  const delays: number[] = [];
  const tOut: number[] = [];
  const tIn: number[] = [];
  for (const [i, j] of p.aligned) {
    const out = outbound(I, i);
    if (clock.method !== 'none') delays.push(delayOf(I, i, O, j, clock.offset));
    const dec = out ? fi.ttl(i) - fo.ttl(j) : fo.ttl(j) - fi.ttl(i);
    (out ? tOut : tIn).push(dec);
  }
  ttlOut.push(...tOut);
  ttlIn.push(...tIn);
  const remotePort = proto === 'icmp' ? undefined : remotePortRaw;
  return {
    protocol: proto,
    family: fi.family,
    initiator: I.remoteIsOrig ? 'remote' : 'inside',
    inside: endpointText(insideAddr, insidePort, proto),
    outside: endpointText(outsideAddr, outsidePort, proto),
    remote: endpointText(remoteAddr, remotePort, proto),
    insideAddr,
    insidePort,
    outsideAddr,
    outsidePort,
    remoteAddr,
    remotePort,
    portPreserved: insidePort === outsidePort,
    addressChanged: insideAddr !== outsideAddr,
    insideFlow: flowRef(fi),
    outsideFlow: flowRef(fo),
    evidence: p.evidence,
    delay: stats(delays),
    ttlDecrement: { outbound: mode(tOut), inbound: mode(tIn) },
  };
}

function sideOf(c: CapturedFlows): CaptureSide {
  const flows = { tcp: 0, udp: 0, icmp: 0 };
  for (const f of c.flows) flows[f.proto]++;
  return { flows, dropped: c.dropped, ipPackets: c.ipPackets, start: c.start, end: c.end };
}

function histogram(values: readonly number[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const v of [...values].sort((a, b) => a - b)) h[String(v)] = (h[String(v)] ?? 0) + 1;
  return h;
}

function portClashes(ts: readonly Translation[]): { inside: string; outside: string; takenBy: string }[] {
  const out: { inside: string; outside: string; takenBy: string }[] = [];
  for (const t of ts) {
    if (t.portPreserved) continue;
    const taken = ts.find(
      (u) =>
        u !== t &&
        u.protocol === t.protocol &&
        u.remote === t.remote &&
        u.outsideAddr === t.outsideAddr &&
        u.outsidePort === t.insidePort &&
        u.insideFlow.firstTs <= t.insideFlow.firstTs,
    );
    if (taken) out.push({ inside: t.inside, outside: t.outside, takenBy: taken.inside });
  }
  return out;
}

/** Pair the flows of the two captures and build the translation table. */
export function matchNat(
  inside: CapturedFlows,
  outside: CapturedFlows,
  opts: NatMatchOptions = DEFAULT_NAT_MATCH,
): NatReport {
  const groups = buildGroups(outside.flows, opts.candidates);
  let clock: ClockEstimate;
  if (opts.clockOffset !== undefined) clock = { offset: opts.clockOffset, method: 'given', samples: 0 };
  else {
    // Pass 1, no clock: pairs with clock-free evidence fix the clock offset.
    const first = assign(allPairs(inside.flows, groups, opts, undefined), 0);
    clock = estimateOffset(first.filter((p) => p.strong));
    if (clock.method === 'none') {
      // Nothing clock-free: the pairs the packets alone support, if they agree on a small offset.
      const weak = estimateOffset(first);
      if (weak.method !== 'none' && Math.abs(weak.offset) <= WEAK_OFFSET_LIMIT)
        clock = { ...weak, weak: true };
    }
  }
  // Pass 2, with the clock: timing joins the evidence and finds candidates in large groups.
  // Without one, only clock-free evidence is believed.
  const timing = timingOf(clock, opts);
  let matched = assign(allPairs(inside.flows, groups, opts, timing), clock.offset);
  if (!timing) matched = matched.filter((p) => p.strong);
  if (matched.length > 0 && clock.method !== 'given') {
    const refined = estimateOffset(matched);
    if (refined.method !== 'none') clock = clock.weak ? { ...refined, weak: true } : refined;
  }
  const ttlOut: number[] = [];
  const ttlIn: number[] = [];
  const translations = matched
    .map((p) => translationOf(p, clock, ttlOut, ttlIn))
    .sort(
      (a, b) =>
        a.protocol.localeCompare(b.protocol) ||
        a.insideFlow.firstTs - b.insideFlow.firstTs ||
        a.insideFlow.firstPacket - b.insideFlow.firstPacket,
    );
  const usedI = new Set(matched.map((p) => p.inside.f));
  const usedO = new Set(matched.map((p) => p.outside.f));

  // Address pooling: which inside hosts hide behind each outside address.
  const pool = new Map<string, { hosts: Set<string>; n: number }>();
  const perHost = new Map<string, Set<string>>();
  for (const t of translations) {
    const e = pool.get(t.outsideAddr) ?? { hosts: new Set<string>(), n: 0 };
    e.hosts.add(t.insideAddr);
    e.n++;
    pool.set(t.outsideAddr, e);
    const h = perHost.get(t.insideAddr) ?? new Set<string>();
    h.add(t.outsideAddr);
    perHost.set(t.insideAddr, h);
  }
  const unpairedHosts = [...perHost].filter(([, s]) => s.size > 1).map(([h]) => h);

  // Mapping behaviour: one inside endpoint, several remotes.
  const byEndpoint = new Map<string, { remotes: Set<string>; outside: Set<string> }>();
  for (const t of translations) {
    const k = `${t.protocol} ${t.inside}`;
    const e = byEndpoint.get(k) ?? { remotes: new Set<string>(), outside: new Set<string>() };
    e.remotes.add(t.remote);
    e.outside.add(t.outside);
    byEndpoint.set(k, e);
  }
  const multi = [...byEndpoint.values()].filter((e) => e.remotes.size > 1);
  const behaviour =
    multi.length === 0
      ? 'not-observed'
      : multi.every((e) => e.outside.size === 1)
        ? 'independent'
        : 'dependent';

  const byProtocol = {
    tcp: { preserved: 0, changed: 0 },
    udp: { preserved: 0, changed: 0 },
    icmp: { preserved: 0, changed: 0 },
  };
  for (const t of translations) byProtocol[t.protocol][t.portPreserved ? 'preserved' : 'changed']++;
  const allDelays: number[] = [];
  if (clock.method !== 'none') {
    for (const p of matched)
      for (const [i, j] of p.aligned) allDelays.push(delayOf(p.inside, i, p.outside, j, clock.offset));
  }
  return {
    inside: sideOf(inside),
    outside: sideOf(outside),
    clock,
    translations,
    pooling: {
      addresses: [...pool]
        .map(([outsideAddr, e]) => ({ outsideAddr, insideHosts: [...e.hosts].sort(), translations: e.n }))
        .sort((a, b) => a.outsideAddr.localeCompare(b.outsideAddr)),
      paired: unpairedHosts.length === 0,
      unpairedHosts,
    },
    ports: {
      preserved: translations.filter((t) => t.portPreserved).length,
      changed: translations.filter((t) => !t.portPreserved).length,
      byProtocol,
      clashes: portClashes(translations),
    },
    mapping: { behaviour, endpoints: multi.length },
    ttl: { outbound: histogram(ttlOut), inbound: histogram(ttlIn) },
    delay: stats(allDelays),
    insideOnly: inside.flows.filter((f) => !usedI.has(f)).map(flowRef),
    outsideOnly: outside.flows.filter((f) => !usedO.has(f)).map(flowRef),
  };
}
