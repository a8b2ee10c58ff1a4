/**
 * NAT hints from a single capture: what the addresses and the packets of one capture say about
 * translations the capture did not see.
 *
 * - A private (RFC 1918, RFC 4193) or shared (RFC 6598, CGNAT) address talking to public ones:
 *   such an address is not routed on the Internet, so a translation happens between the capture
 *   point and the public peers (the private side is on the capture's side).
 * - Several hosts behind one address, from that address's packets alone:
 *   - TTL families: initial TTL 64 (Linux, macOS) and 128 (Windows) from one source, within the
 *     same protocol, towards unicast destinations, each family in flows of its own (255 does not
 *     count: a host may use it on purpose for some flows, RFC 5082; a flow whose
 *     TTL changes family midway is one host plus a middlebox answering for it — a load
 *     balancer, a proxy — or injected packets: reported, but not as several hosts);
 *   - IP ID counters: a host with one global counter (Windows) sends incrementing IDs across all
 *     its destinations, its flows taking turns; two such counters interleaved from one address
 *     are two hosts. Counters that serve one flow or one destination only (Linux: per socket for
 *     TCP, per destination otherwise) say nothing either way, and are reported as such; so does a
 *     chain of flows that neither takes turns nor skips IDs within a flow (one connection's counter
 *     starting by chance just above where another's stopped, common on a busy Linux host);
 *   - TCP timestamp clocks: TSval grows at a fixed rate (1000 Hz on Linux); two rates from one
 *     address, or two clocks each shared by connections to different destinations, are two
 *     hosts. Per-connection random offsets (modern Linux) say nothing either way.
 *
 * Every hint carries its evidence: counts, values, packet numbers. Memory is bounded: at most
 * `maxSources` source addresses, `maxFlowsPerSource` flows and `maxIdSamples` IP ID samples per
 * source, `maxConversations` address pairs.
 */
import type { Packet, TcpLayer, UdpLayer } from '../decode/types.js';
import { AddrIndex, AddrPairTable, AddrTable, U32PairIndex } from '../flow/addr-table.js';
import { ipTextOf } from '../flow/addr-text.js';
import { classifyIp } from './classify.js';
import type { AddressTag } from './registry-data.js';
import { inferInitialTtl } from './violations.js';

export interface NatHintsLimits {
  readonly maxSources: number;
  readonly maxFlowsPerSource: number;
  readonly maxIdSamples: number;
  readonly maxConversations: number;
  /** Source profiles in the summary (busiest first). */
  readonly profiles: number;
}

export const DEFAULT_HINTS_LIMITS: NatHintsLimits = {
  maxSources: 4096,
  maxFlowsPerSource: 256,
  maxIdSamples: 512,
  maxConversations: 65_536,
  profiles: 20,
};

// ---------------------------------------------------------------------------------------------
// Summary types (plain data: the report renders them, `--json` prints them).
// ---------------------------------------------------------------------------------------------

export interface LocalAddress {
  readonly address: string;
  /** Public addresses it talked to. */
  readonly peers: number;
  readonly packets: number;
  readonly firstPacket: number;
}

export interface UpstreamTranslationHint {
  readonly kind: 'translation-upstream';
  /** The non-public side: RFC 1918 / RFC 4193 private, or RFC 6598 shared (CGNAT). */
  readonly localClass: 'private' | 'CGNAT';
  readonly rfc: string;
  /** Local addresses talking to public ones, busiest first (at most 10). */
  readonly locals: readonly LocalAddress[];
  readonly localCount: number;
  readonly publicPeers: number;
  readonly conversations: number;
  readonly packets: number;
  /** First packets of such conversations (at most 5). */
  readonly examplePackets: readonly number[];
}

export type HostSignal = 'ttl-families' | 'ip-id-counters' | 'tcp-ts-rates' | 'tcp-ts-clocks';

export interface TtlFamily {
  /** `tcp` or `udp`: families are compared within one protocol. */
  readonly protocol: 'tcp' | 'udp';
  /** Inferred initial TTL (hop limit): 64, 128 or 255. */
  readonly initial: number;
  readonly packets: number;
  /** Flows whose packets all belong to this family. */
  readonly flows: number;
  /** TTLs observed (at most 8 distinct values). */
  readonly observed: readonly number[];
  readonly firstPacket: number;
}

export interface IdCounter {
  readonly firstId: number;
  readonly lastId: number;
  readonly packets: number;
  readonly flows: number;
  readonly destinations: number;
  readonly firstPacket: number;
  readonly lastPacket: number;
}

export interface TsClock {
  /** Ticks per second, measured (undefined when no connection lasted long enough). */
  readonly rateHz: number | undefined;
  readonly connections: number;
  readonly destinations: number;
  /** TSval of the clock's first packet, and that packet's number. */
  readonly firstTsval: number;
  readonly firstPacket: number;
}

export interface SeveralHostsHint {
  readonly kind: 'several-hosts';
  readonly address: string;
  readonly tag: AddressTag;
  readonly signals: readonly HostSignal[];
  /** Present when `ttl-families` is a signal. */
  readonly ttlFamilies?: readonly TtlFamily[];
  /** Present when `ip-id-counters` is a signal: the host-wide counters. */
  readonly idCounters?: readonly IdCounter[];
  /** Present when a `tcp-ts-*` signal is: the clocks told apart. */
  readonly tsClocks?: readonly TsClock[];
  readonly packets: number;
}

export type NatHint = UpstreamTranslationHint | SeveralHostsHint;

/**
 * How a source numbers its IP IDs: one `global` counter across destinations; a counter `per-flow`
 * or `per-destination`; `random`; `zero` (DF packets with ID 0); `several-global` (two or more
 * global counters: several hosts); `unknown` (too few packets).
 */
export type IdBehaviour =
  | 'global'
  | 'several-global'
  | 'per-flow'
  | 'per-destination'
  | 'random'
  | 'zero'
  | 'unknown';

/**
 * TCP timestamps of a source: one `shared` clock across destinations, `several-shared` clocks,
 * `several-rates`, offsets `per-connection` (or per destination), or `unknown` (too few).
 */
export type TsBehaviour = 'shared' | 'several-shared' | 'several-rates' | 'per-connection' | 'unknown';

export interface SourceProfile {
  readonly address: string;
  readonly tag: AddressTag;
  readonly packets: number;
  readonly flows: number;
  readonly destinations: number;
  readonly ttlFamilies: readonly TtlFamily[];
  /** Flows whose TTL changed family midway, and the first of them. */
  readonly mixedTtl?: {
    readonly flows: number;
    readonly firstPacket: number;
    readonly initials: readonly number[];
  };
  readonly ipId: {
    readonly samples: number;
    readonly behaviour: IdBehaviour;
    readonly counters: number;
    /** Host-wide counters (spanning several destinations). */
    readonly global: readonly IdCounter[];
  };
  readonly tcpTs: {
    readonly connections: number;
    readonly behaviour: TsBehaviour;
    readonly clocks: number;
    readonly rates: readonly number[];
    /** Clocks shared by connections to several destinations. */
    readonly shared: readonly TsClock[];
  };
  /** The packets cannot tell one host from several (per-flow counters and clocks only). */
  readonly undetermined: boolean;
}

export interface NatHintsSummary {
  readonly ipPackets: number;
  readonly sources: number;
  readonly hints: readonly NatHint[];
  /** Busiest sources first, at most `limits.profiles`. */
  readonly profiles: readonly SourceProfile[];
  readonly limits: {
    readonly sourcesIgnored: number;
    readonly conversationsIgnored: number;
  };
}

// ---------------------------------------------------------------------------------------------
// Collection.
// ---------------------------------------------------------------------------------------------

interface FlowState {
  /** Position in the source's flow list. */
  readonly idx: number;
  readonly dst: number;
  readonly proto: number;
  readonly firstPacket: number;
  tsCount: number;
  tsFirstT: number;
  tsFirstV: number;
  tsLastT: number;
  tsLastV: number;
  tsFirstPacket: number;
  /** TTL families seen (bit per FAMILIES index), and the first packet of each. */
  famMask: number;
  readonly famFirst: [number, number, number];
}

/** TTL families kept per protocol: [tcp, udp] × [64, 128, 255]. */
const FAMILIES = [64, 128, 255] as const;

/** IP ID samples a source starts with room for (the arrays double up to the limit as samples come). */
const ID_SAMPLES_START = 16;

class SourceState {
  packets = 0;
  readonly flowList: FlowState[] = [];
  flowsIgnored = 0;
  /** Flows by number pair (see `flowOf`), and the few keyed by text. */
  private readonly flowIndex = new U32PairIndex();
  private flowsByText: Map<string, FlowState> | undefined;
  /** Destinations, numbered in order of appearance (at most 0xffff). */
  readonly dsts = new AddrIndex();
  readonly ttlPackets = new Uint32Array(6);
  readonly ttlFirst = new Uint32Array(6);
  readonly ttlSeen: number[][] = [[], [], [], [], [], []];
  idN = 0;
  idZero = 0;
  idTs = new Float64Array(ID_SAMPLES_START);
  idVal = new Uint16Array(ID_SAMPLES_START);
  idFlow = new Uint16Array(ID_SAMPLES_START);
  idDst = new Uint16Array(ID_SAMPLES_START);
  idFrame = new Uint32Array(ID_SAMPLES_START);

  constructor(
    readonly address: string,
    readonly tag: AddressTag,
    readonly firstPacket: number,
  ) {}

  /**
   * The flow of a packet from this source (protocol, ports, destination): found, or created while
   * the source has fewer than `maxFlows`; otherwise undefined, counted as ignored. The key is a pair
   * of numbers when the destination has an index (all but a source's 65,535th and later) and the
   * protocol is TCP or UDP or has no ports; otherwise text. A flow always gets the same kind of key.
   */
  flowOf(
    proto: number,
    t: TcpLayer | UdpLayer | undefined,
    dstIdx: number | undefined,
    dst: number | Uint8Array,
    packet: number,
    maxFlows: number,
  ): FlowState | undefined {
    let a = 0;
    let b = 0;
    let text: string | undefined;
    if (dstIdx !== undefined && t === undefined) a = (0x80000000 | (dstIdx * 256 + proto)) >>> 0;
    else if (dstIdx !== undefined && t !== undefined && (proto === 6 || proto === 17)) {
      a = dstIdx * 2 + (proto === 6 ? 0 : 1);
      b = t.srcPort * 0x10000 + t.dstPort;
    } else {
      const d = ipTextOf(dst);
      text = t ? `${proto}|${t.srcPort}|${d}|${t.dstPort}` : `${proto}|${d}`;
    }
    let flow: FlowState | undefined;
    if (text === undefined) {
      const i = this.flowIndex.find(a, b);
      if (i >= 0) return this.flowList[i];
    } else {
      flow = this.flowsByText?.get(text);
      if (flow) return flow;
    }
    if (this.flowList.length >= maxFlows) {
      this.flowsIgnored++;
      return undefined;
    }
    flow = {
      idx: this.flowList.length,
      dst: dstIdx ?? 0xffff,
      proto,
      firstPacket: packet,
      tsCount: 0,
      tsFirstT: 0,
      tsFirstV: 0,
      tsLastT: 0,
      tsLastV: 0,
      tsFirstPacket: 0,
      famMask: 0,
      famFirst: [0, 0, 0],
    };
    if (text === undefined) this.flowIndex.insert(a, b, flow.idx);
    else {
      this.flowsByText ??= new Map();
      this.flowsByText.set(text, flow);
    }
    this.flowList.push(flow);
    return flow;
  }

  /** Room for the next IP ID sample (the caller keeps `idN` under the limit). */
  idRoom(): void {
    const n = this.idN;
    if (n < this.idVal.length) return;
    const grow = <T extends Float64Array | Uint16Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const a = make(2 * n);
      a.set(old);
      return a;
    };
    this.idTs = grow(this.idTs, (k) => new Float64Array(k));
    this.idVal = grow(this.idVal, (k) => new Uint16Array(k));
    this.idFlow = grow(this.idFlow, (k) => new Uint16Array(k));
    this.idDst = grow(this.idDst, (k) => new Uint16Array(k));
    this.idFrame = grow(this.idFrame, (k) => new Uint32Array(k));
  }
}

const LOCAL_RFC: Record<'private' | 'CGNAT', string> = {
  private: 'RFC 1918 / RFC 4193',
  CGNAT: 'RFC 6598',
};

interface Conversation {
  readonly local: string;
  readonly localClass: 'private' | 'CGNAT';
  readonly peer: string;
  packets: number;
  readonly firstPacket: number;
}

/** Feeds on every packet of one capture; `summary()` at the end. */
export class NatHintsCollector {
  private readonly sources = new AddrTable<SourceState>();
  /** By (local, peer) address. */
  private readonly conversations = new AddrPairTable<Conversation>();
  private ipPackets = 0;
  private sourcesIgnored = 0;
  private conversationsIgnored = 0;

  constructor(readonly limits: NatHintsLimits = DEFAULT_HINTS_LIMITS) {}

  onPacket(p: Packet): void {
    const ip = p.ip;
    if (!ip) return;
    this.ipPackets++;
    const src = classifyIp(ip.src);
    const dst = classifyIp(ip.dst);
    const n = p.frame.index;
    this.conversation(src.tag, ip.src, dst.tag, ip.dst, n);
    if (src.multicast !== undefined || src.tag === 'unspecified' || src.tag === 'broadcast') return;
    const unicastDst = dst.multicast === undefined && dst.tag !== 'broadcast';
    let st = this.sources.get(ip.src);
    if (!st) {
      if (this.sources.size >= this.limits.maxSources) {
        this.sourcesIgnored++;
        return;
      }
      st = new SourceState(ipTextOf(ip.src), src.tag, n);
      this.sources.add(ip.src, st);
    }
    st.packets++;
    let dstIdx: number | undefined = st.dsts.indexOf(ip.dst);
    if (dstIdx < 0) dstIdx = st.dsts.size < 0xffff ? st.dsts.add(ip.dst) : undefined;
    const tcp = p.tcp;
    const udp = p.udp;
    const t = tcp ?? udp;
    const protoNum = ip.protocol;
    const flow = st.flowOf(protoNum, t, dstIdx, ip.dst, n, this.limits.maxFlowsPerSource);

    // TTL families: TCP and UDP to unicast destinations, TTLs above 32 (below: traceroute probes,
    // or senders whose family cannot be told).
    const ttl = ip.kind === 'ipv4' ? ip.ttl : ip.hopLimit;
    if (t && unicastDst && ttl > 32) {
      const fam = FAMILIES.indexOf(inferInitialTtl(ttl) as 64 | 128 | 255);
      if (fam >= 0) {
        const k = (tcp ? 0 : 3) + fam;
        if (st.ttlPackets[k] === 0) st.ttlFirst[k] = n;
        st.ttlPackets[k] = (st.ttlPackets[k] as number) + 1;
        const seen = st.ttlSeen[k] as number[];
        if (seen.length < 8 && !seen.includes(ttl)) seen.push(ttl);
        if (flow && (flow.famMask & (1 << fam)) === 0) {
          flow.famMask |= 1 << fam;
          flow.famFirst[fam] = n;
        }
      }
    }

    // IP ID samples (IPv4, first fragments and whole datagrams).
    if (ip.kind === 'ipv4' && ip.fragmentOffset === 0 && st.idN < this.limits.maxIdSamples) {
      if (ip.id === 0) st.idZero++;
      else {
        st.idRoom();
        const k = st.idN++;
        st.idTs[k] = p.frame.ts;
        st.idVal[k] = ip.id;
        st.idFlow[k] = flow ? flow.idx : 0xffff;
        st.idDst[k] = dstIdx ?? 0xffff;
        st.idFrame[k] = n;
      }
    }

    // TCP timestamps, per connection (this source's direction).
    if (tcp && flow) {
      for (const o of tcp.options) {
        if (o.kind !== 'timestamp') continue;
        const v = o.tsval >>> 0;
        if (flow.tsCount === 0) {
          flow.tsFirstT = p.frame.ts;
          flow.tsFirstV = v;
          flow.tsFirstPacket = n;
        }
        flow.tsLastT = p.frame.ts;
        flow.tsLastV = v;
        flow.tsCount++;
      }
    }
  }

  private conversation(
    st: AddressTag,
    s: number | Uint8Array,
    dt: AddressTag,
    d: number | Uint8Array,
    n: number,
  ): void {
    let local: number | Uint8Array;
    let localClass: 'private' | 'CGNAT';
    let peer: number | Uint8Array;
    if ((st === 'private' || st === 'CGNAT') && dt === 'public') {
      local = s;
      localClass = st;
      peer = d;
    } else if ((dt === 'private' || dt === 'CGNAT') && st === 'public') {
      local = d;
      localClass = dt;
      peer = s;
    } else return;
    const c = this.conversations.get(local, peer);
    if (c) {
      c.packets++;
      return;
    }
    if (this.conversations.size >= this.limits.maxConversations) {
      this.conversationsIgnored++;
      return;
    }
    this.conversations.add(local, peer, {
      local: ipTextOf(local),
      localClass,
      peer: ipTextOf(peer),
      packets: 1,
      firstPacket: n,
    });
  }

  summary(): NatHintsSummary {
    const hints: NatHint[] = [];
    for (const cls of ['private', 'CGNAT'] as const) {
      const h = upstreamHint(
        cls,
        this.conversations.values.filter((c) => c.localClass === cls),
      );
      if (h) hints.push(h);
    }
    const profiles: SourceProfile[] = [];
    for (const st of this.sources.values) {
      const prof = profile(st);
      const signals: HostSignal[] = [];
      const tcpFams = hostFamilies(prof.ttlFamilies, 'tcp');
      const udpFams = hostFamilies(prof.ttlFamilies, 'udp');
      const ttlSignal = tcpFams.length > 1 || udpFams.length > 1;
      if (ttlSignal) signals.push('ttl-families');
      if (prof.ipId.behaviour === 'several-global') signals.push('ip-id-counters');
      if (prof.tcpTs.behaviour === 'several-rates') signals.push('tcp-ts-rates');
      if (prof.tcpTs.behaviour === 'several-shared') signals.push('tcp-ts-clocks');
      if (signals.length > 0) {
        hints.push({
          kind: 'several-hosts',
          address: st.address,
          tag: st.tag,
          signals,
          ...(ttlSignal
            ? {
                ttlFamilies: [...(tcpFams.length > 1 ? tcpFams : []), ...(udpFams.length > 1 ? udpFams : [])],
              }
            : {}),
          ...(signals.includes('ip-id-counters') ? { idCounters: prof.ipId.global } : {}),
          ...(signals.includes('tcp-ts-rates') || signals.includes('tcp-ts-clocks')
            ? { tsClocks: prof.tcpTs.shared }
            : {}),
          packets: st.packets,
        });
      }
      profiles.push(prof);
    }
    profiles.sort((a, b) => b.packets - a.packets || a.address.localeCompare(b.address));
    return {
      ipPackets: this.ipPackets,
      sources: this.sources.size,
      hints,
      profiles: profiles.slice(0, this.limits.profiles),
      limits: { sourcesIgnored: this.sourcesIgnored, conversationsIgnored: this.conversationsIgnored },
    };
  }
}

function upstreamHint(
  cls: 'private' | 'CGNAT',
  convs: readonly Conversation[],
): UpstreamTranslationHint | undefined {
  if (convs.length === 0) return undefined;
  const locals = new Map<string, { peers: number; packets: number; firstPacket: number }>();
  const peers = new Set<string>();
  let packets = 0;
  for (const c of convs) {
    const l = locals.get(c.local) ?? { peers: 0, packets: 0, firstPacket: c.firstPacket };
    l.peers++;
    l.packets += c.packets;
    l.firstPacket = Math.min(l.firstPacket, c.firstPacket);
    locals.set(c.local, l);
    peers.add(c.peer);
    packets += c.packets;
  }
  const list = [...locals]
    .map(([address, l]) => ({ address, ...l }))
    .sort((a, b) => b.packets - a.packets || a.firstPacket - b.firstPacket);
  return {
    kind: 'translation-upstream',
    localClass: cls,
    rfc: LOCAL_RFC[cls],
    locals: list.slice(0, 10),
    localCount: list.length,
    publicPeers: peers.size,
    conversations: convs.length,
    packets,
    examplePackets: convs
      .map((c) => c.firstPacket)
      .sort((a, b) => a - b)
      .slice(0, 5),
  };
}

// ---------------------------------------------------------------------------------------------
// Analysis of one source.
// ---------------------------------------------------------------------------------------------

/** A family needs this many packets to count (one stray packet is not a host). */
const MIN_FAMILY_PACKETS = 3;
/** Largest forward step of a counter between two samples (other traffic of the host in between). */
const ID_MAX_STEP = 256;
/** Counters followed at once per source. */
const ID_MAX_COUNTERS = 64;
/** A counter needs this many samples to describe a host. */
const ID_MIN_SAMPLES = 4;

interface Counter {
  first: number;
  last: number;
  packets: number;
  readonly flows: Set<number>;
  /**
   * The flow of its last sample; whether it ever came back to a flow it had left (A, B, A); whether
   * it moved by more than one between two packets of one flow (the host numbered others between).
   */
  lastFlow: number;
  returned: boolean;
  shared: boolean;
  readonly dsts: Set<number>;
  firstPacket: number;
  lastPacket: number;
  firstTs: number;
  lastTs: number;
}

/** Two families or more within one protocol, each in flows of its own. */
export function severalFamilies(fams: readonly TtlFamily[]): boolean {
  return hostFamilies(fams, 'tcp').length > 1 || hostFamilies(fams, 'udp').length > 1;
}

/**
 * The families of one protocol that tell operating systems apart: 64 and 128, each in flows of
 * its own. 255 is left out: one host may send some flows at 255 on purpose (BGP and BFD with the
 * TTL security check of RFC 5082) and others at its default.
 */
function hostFamilies(fams: readonly TtlFamily[], p: 'tcp' | 'udp'): TtlFamily[] {
  return fams.filter((f) => f.protocol === p && f.flows > 0 && f.initial !== 255);
}

function ttlFamilies(st: SourceState): TtlFamily[] {
  const out: TtlFamily[] = [];
  const pure = new Uint32Array(6);
  for (const f of st.flowList) {
    if (f.proto !== 6 && f.proto !== 17) continue;
    for (let fam = 0; fam < 3; fam++) {
      const k = (f.proto === 6 ? 0 : 3) + fam;
      if (f.famMask === 1 << fam) pure[k] = (pure[k] as number) + 1;
    }
  }
  for (let k = 0; k < 6; k++) {
    const n = st.ttlPackets[k] as number;
    if (n < MIN_FAMILY_PACKETS) continue;
    out.push({
      protocol: k < 3 ? 'tcp' : 'udp',
      initial: FAMILIES[k % 3] as number,
      packets: n,
      flows: pure[k] as number,
      observed: [...(st.ttlSeen[k] as number[])].sort((a, b) => a - b),
      firstPacket: st.ttlFirst[k] as number,
    });
  }
  return out;
}

function idCounters(st: SourceState): { counters: Counter[]; newStarts: number } {
  const live: Counter[] = [];
  const all: Counter[] = [];
  let newStarts = 0;
  for (let k = 0; k < st.idN; k++) {
    const id = st.idVal[k] as number;
    let best: Counter | undefined;
    let bestStep = ID_MAX_STEP + 1;
    for (const c of live) {
      const step = (id - c.last + 0x10000) & 0xffff;
      if (step > 0 && step < bestStep) {
        best = c;
        bestStep = step;
      }
    }
    const frame = st.idFrame[k] as number;
    const ts = st.idTs[k] as number;
    if (!best) {
      newStarts++;
      best = {
        first: id,
        last: id,
        packets: 0,
        flows: new Set(),
        lastFlow: -1,
        returned: false,
        shared: false,
        dsts: new Set(),
        firstPacket: frame,
        lastPacket: frame,
        firstTs: ts,
        lastTs: ts,
      };
      if (live.length >= ID_MAX_COUNTERS) live.shift();
      live.push(best);
      all.push(best);
    }
    const flow = st.idFlow[k] as number;
    if (flow !== best.lastFlow && best.flows.has(flow)) best.returned = true;
    if (flow === best.lastFlow && bestStep > 1) best.shared = true;
    best.lastFlow = flow;
    best.last = id;
    best.packets++;
    if (best.flows.size < 64) best.flows.add(flow);
    if (best.dsts.size < 64) best.dsts.add(st.idDst[k] as number);
    best.lastPacket = frame;
    best.lastTs = ts;
  }
  return { counters: all, newStarts };
}

function counterView(c: Counter): IdCounter {
  return {
    firstId: c.first,
    lastId: c.last,
    packets: c.packets,
    flows: c.flows.size,
    destinations: c.dsts.size,
    firstPacket: c.firstPacket,
    lastPacket: c.lastPacket,
  };
}

function idProfile(st: SourceState): SourceProfile['ipId'] {
  const samples = st.idN;
  const total = samples + st.idZero;
  if (total >= ID_MIN_SAMPLES && st.idZero * 2 > total)
    return { samples: total, behaviour: 'zero', counters: 0, global: [] };
  if (samples < ID_MIN_SAMPLES) return { samples: total, behaviour: 'unknown', counters: 0, global: [] };
  const { counters, newStarts } = idCounters(st);
  if (samples >= 8 && newStarts * 2 > samples)
    return { samples: total, behaviour: 'random', counters: counters.length, global: [] };
  const solid = counters.filter((c) => c.packets >= ID_MIN_SAMPLES);
  // Host-wide: it serves several destinations, and either goes back and forth between flows or
  // skips IDs between two packets of one flow (it numbers the host's other packets too). The
  // connections of a busy host with a counter per connection (Linux) line up by chance, one's IDs
  // continuing a little above where another's stopped; such a chain does neither.
  const global = solid.filter((c) => c.dsts.size >= 2 && (c.returned || c.shared));
  let behaviour: IdBehaviour = 'unknown';
  if (global.length >= 2 && interleaved(global)) behaviour = 'several-global';
  else if (global.length >= 1) behaviour = 'global';
  else if (solid.length > 0 && solid.every((c) => c.flows.size === 1)) behaviour = 'per-flow';
  else if (solid.length > 0) behaviour = 'per-destination';
  return {
    samples: total,
    behaviour,
    counters: counters.length,
    global: global.map(counterView),
  };
}

/** Do at least two of these counters run at the same time (one's span overlaps another's)? */
function interleaved(cs: readonly Counter[]): boolean {
  for (let a = 0; a < cs.length; a++) {
    for (let b = a + 1; b < cs.length; b++) {
      const x = cs[a] as Counter;
      const y = cs[b] as Counter;
      if (x.firstTs < y.lastTs && y.firstTs < x.lastTs) return true;
    }
  }
  return false;
}

/** A connection must last this long for its TSval rate to be measured. */
const TS_MIN_SPAN = 1;
/** Two rates differ when one is this many times the other (1000 Hz vs 100, 250, 10 Hz). */
const TS_RATE_RATIO = 1.5;
/** Rate assumed to compare short connections when none could be measured. */
const TS_DEFAULT_RATE = 1000;

interface Clock {
  readonly ref: FlowState;
  readonly rate: number;
  readonly flows: FlowState[];
  readonly dsts: Set<number>;
}

function measuredRate(f: FlowState): number | undefined {
  const dt = f.tsLastT - f.tsFirstT;
  if (f.tsCount < 2 || dt < TS_MIN_SPAN) return undefined;
  const dv = (f.tsLastV - f.tsFirstV + 0x100000000) % 0x100000000;
  if (dv === 0 || dv >= 0x80000000) return undefined;
  return dv / dt;
}

function sameClock(a: FlowState, b: FlowState, rate: number): boolean {
  const dt = b.tsFirstT - a.tsFirstT;
  let dv = (b.tsFirstV - a.tsFirstV + 0x100000000) % 0x100000000;
  if (dv >= 0x80000000) dv -= 0x100000000;
  const tol = 2 + rate * (0.05 + 0.002 * Math.abs(dt));
  return Math.abs(dv - rate * dt) <= tol;
}

function tsProfile(st: SourceState): SourceProfile['tcpTs'] {
  const flows = st.flowList.filter((f) => f.proto === 6 && f.tsCount > 0);
  const rates = flows.map(measuredRate).filter((r): r is number => r !== undefined);
  const sortedRates = [...rates].sort((a, b) => a - b);
  const distinct: number[] = [];
  for (const r of sortedRates) {
    const last = distinct[distinct.length - 1];
    if (last === undefined || r / last > TS_RATE_RATIO) distinct.push(r);
  }
  const rateOut = distinct.map((r) => Math.round(r));
  if (flows.length < 2) {
    return {
      connections: flows.length,
      behaviour: 'unknown',
      clocks: flows.length,
      rates: rateOut,
      shared: [],
    };
  }
  const base = sortedRates.length > 0 ? (sortedRates[sortedRates.length >>> 1] as number) : TS_DEFAULT_RATE;
  const clocks: Clock[] = [];
  for (const f of flows) {
    const r = measuredRate(f);
    let home: Clock | undefined;
    for (const c of clocks) {
      if (r !== undefined && Math.max(r, c.rate) / Math.min(r, c.rate) > TS_RATE_RATIO) continue;
      if (sameClock(c.ref, f, c.rate)) {
        home = c;
        break;
      }
    }
    if (!home) {
      home = { ref: f, rate: r ?? base, flows: [], dsts: new Set() };
      clocks.push(home);
    }
    home.flows.push(f);
    home.dsts.add(f.dst);
  }
  // A loop, not `filter` with a callback: most sources never reach this line, and while the callback
  // had no type feedback, each source that did left tsProfile's optimised code for the interpreter
  // here (2,857 times on the bench capture; a few milliseconds in all: see bench/README.md).
  const shared: Clock[] = [];
  for (const c of clocks) if (c.dsts.size >= 2) shared.push(c);
  const view = (c: Clock): TsClock => {
    const rs = c.flows.map(measuredRate).filter((r): r is number => r !== undefined);
    return {
      rateHz: rs.length > 0 ? Math.round(rs.reduce((a, b) => a + b, 0) / rs.length) : undefined,
      connections: c.flows.length,
      destinations: c.dsts.size,
      firstTsval: c.ref.tsFirstV,
      firstPacket: c.ref.tsFirstPacket,
    };
  };
  let behaviour: TsBehaviour;
  let shown: Clock[] = shared;
  if (distinct.length >= 2) {
    behaviour = 'several-rates';
    // One clock per rate: the first connection measured at each.
    shown = distinct.map((r) => {
      const c = clocks.find((k) =>
        k.flows.some((f) => {
          const m = measuredRate(f);
          return m !== undefined && Math.max(m, r) / Math.min(m, r) <= TS_RATE_RATIO;
        }),
      );
      return c as Clock;
    });
  } else if (shared.length >= 2) behaviour = 'several-shared';
  else if (shared.length === 1) behaviour = 'shared';
  else if (clocks.length === flows.length && flows.length >= 2) behaviour = 'per-connection';
  else behaviour = 'unknown';
  return {
    connections: flows.length,
    behaviour,
    clocks: clocks.length,
    rates: rateOut,
    shared: [...new Set(shown)].map(view),
  };
}

function mixedTtl(st: SourceState): SourceProfile['mixedTtl'] {
  let flows = 0;
  let first: FlowState | undefined;
  for (const f of st.flowList) {
    if ((f.famMask & (f.famMask - 1)) === 0) continue;
    flows++;
    first ??= f;
  }
  if (!first) return undefined;
  const m = first.famMask;
  const initials = FAMILIES.filter((_, i) => (m & (1 << i)) !== 0);
  return { flows, firstPacket: Math.max(...first.famFirst.filter((_, i) => (m & (1 << i)) !== 0)), initials };
}

function profile(st: SourceState): SourceProfile {
  const ipId = idProfile(st);
  const tcpTs = tsProfile(st);
  const ttl = ttlFamilies(st);
  const mixed = mixedTtl(st);
  const several =
    ipId.behaviour === 'several-global' ||
    tcpTs.behaviour === 'several-rates' ||
    tcpTs.behaviour === 'several-shared' ||
    severalFamilies(ttl);
  const hostWide = ipId.behaviour === 'global' || tcpTs.behaviour === 'shared';
  const undetermined = st.flowList.length >= 2 && !several && !hostWide;
  return {
    address: st.address,
    tag: st.tag,
    packets: st.packets,
    flows: st.flowList.length + st.flowsIgnored,
    destinations: st.dsts.size,
    ttlFamilies: ttl,
    ...(mixed ? { mixedTtl: mixed } : {}),
    ipId,
    tcpTs,
    undetermined,
  };
}

/** The plain-data view model of the hints (what `--json` prints and the report renders). */
export function natHintsSummary(c: NatHintsCollector): NatHintsSummary {
  return c.summary();
}
