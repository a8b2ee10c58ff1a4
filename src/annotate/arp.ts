/**
 * ARP, explained (RFC 826, RFC 5227): the IP → MAC table the capture shows, requests paired with
 * their replies (response time, retries), unanswered requests, gratuitous ARP, probes and
 * announcements, and what deserves a second look: two MACs claiming one address, replies nobody
 * asked for, one MAC claiming many addresses, a sender address that differs from the frame's
 * source — and ARP spoofing, when a MAC's claim on an address is followed by hosts sending their
 * off-link traffic to that MAC instead of the router they used before.
 *
 * Only Ethernet/IPv4 ARP that decoded cleanly is analysed; malformed packets (truncated, bad
 * lengths, unknown operation codes) and claims that cannot be true (a broadcast or multicast
 * sender MAC, a multicast sender address) are counted and listed, never learned from.
 *
 * The router a host uses is read from IPv4 over Ethernet: frames from a private host to a public
 * address go to its router's MAC, and public traffic to it comes from that MAC. Memory is
 * bounded: `ArpLimits`.
 */
import { ip4ToString, macToString } from '../core/addr.js';
import type { ArpLayer, EthernetLayer, Packet } from '../decode/types.js';
import { classifyIp4 } from './classify.js';

export interface ArpLimits {
  /** IP ↔ MAC bindings kept. */
  readonly maxBindings: number;
  /** Requests waiting for a reply. */
  readonly maxPending: number;
  /** Rows kept per list (answered requests, gratuitous, probes, unsolicited replies...). */
  readonly maxRows: number;
  /** Hosts whose router is followed. */
  readonly maxHosts: number;
  /** A router change is attributed to an ARP claim made at most this long before it, seconds. */
  readonly claimWindow: number;
}

export const DEFAULT_ARP_LIMITS: ArpLimits = {
  maxBindings: 65_536,
  maxPending: 4096,
  maxRows: 200,
  maxHosts: 4096,
  claimWindow: 60,
};

// ---------------------------------------------------------------------------------------------
// Summary (plain data).
// ---------------------------------------------------------------------------------------------

/** How an address was claimed: as the sender of a request, a reply, a gratuitous ARP. */
export type ClaimKind = 'request' | 'reply' | 'gratuitous' | 'announcement';

export interface Binding {
  readonly ip: string;
  readonly mac: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly firstPacket: number;
  readonly lastPacket: number;
  readonly packets: number;
  readonly kinds: readonly ClaimKind[];
}

export interface AnsweredRequest {
  /** The address asked for, and the MAC the reply gave. */
  readonly ip: string;
  readonly mac: string;
  readonly requesterIp: string;
  readonly requesterMac: string;
  /** Requests sent before the reply (1 = answered at once). */
  readonly requests: number;
  /** Reply time − time of the last request before it, seconds. */
  readonly responseTime: number;
  readonly requestPacket: number;
  readonly replyPacket: number;
}

export interface UnansweredRequest {
  readonly ip: string;
  readonly requesterIp: string;
  readonly requesterMac: string;
  readonly requests: number;
  readonly firstPacket: number;
  readonly lastPacket: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Seconds between the last request and the end of the capture (a reply may have come later). */
  readonly waited: number;
}

export interface GratuitousArp {
  readonly ip: string;
  readonly mac: string;
  readonly op: 'request' | 'reply';
  /** An announcement (RFC 5227): a gratuitous request after probes for the same address. */
  readonly announcement: boolean;
  readonly packet: number;
  readonly ts: number;
}

export interface Probe {
  /** The address probed (the sender address is 0.0.0.0). */
  readonly ip: string;
  readonly mac: string;
  readonly packet: number;
  readonly ts: number;
}

export interface UnsolicitedReply {
  readonly ip: string;
  readonly mac: string;
  /** Whom it was sent to. */
  readonly targetIp: string;
  readonly targetMac: string;
  readonly packet: number;
  readonly ts: number;
}

export interface RouterChange {
  /** The private host whose off-link traffic moved. */
  readonly host: string;
  readonly hostMac: string;
  /** `outbound`: the MAC the host sends to; `inbound`: the MAC its Internet traffic comes from. */
  readonly direction: 'outbound' | 'inbound';
  readonly from: string;
  readonly to: string;
  /** Last packet through the old MAC, first through the new one. */
  readonly lastPacketBefore: number;
  readonly packet: number;
  readonly ts: number;
}

export interface RouterMac {
  readonly mac: string;
  /** Private hosts that reached public addresses through it. */
  readonly hosts: readonly string[];
  readonly packets: number;
  readonly firstPacket: number;
  readonly lastPacket: number;
}

export type ArpFinding =
  | {
      readonly kind: 'spoofing';
      /**
       * `alert` when hosts' traffic moved to the claimant after the claim (seen in the traffic);
       * `warning` from ARP alone (a failover — VRRP, keepalived — looks the same).
       */
      readonly severity: 'alert' | 'warning';
      /** The address taken over, usually the gateway's. */
      readonly ip: string;
      /** The MAC claiming it, and the other addresses that MAC claims (its own). */
      readonly claimant: string;
      readonly claimantIps: readonly string[];
      /** The MAC that had it: from ARP, or the router the hosts used before the claim. */
      readonly previousMac: string;
      readonly previousFrom: 'arp' | 'traffic';
      /**
       * The ARP packets claiming it (the first MAX_CLAIM_PACKETS), and how many there were; likewise
       * the unasked ones among them (unsolicited replies, gratuitous ARP).
       */
      readonly claimPackets: readonly number[];
      readonly claims: number;
      readonly unsolicitedPackets: readonly number[];
      readonly unasked: number;
      /** Hosts whose traffic moved to the claimant after the claim. */
      readonly redirected: readonly RouterChange[];
    }
  | {
      readonly kind: 'ip-conflict';
      readonly severity: 'warning';
      readonly ip: string;
      /** Every MAC that claimed the address, with its first packet. */
      readonly macs: readonly {
        readonly mac: string;
        readonly firstPacket: number;
        readonly packets: number;
      }[];
    }
  | {
      readonly kind: 'probe-conflict';
      readonly severity: 'warning';
      readonly ip: string;
      readonly prober: string;
      readonly defender: string;
      readonly probePacket: number;
      readonly defendPacket: number;
    }
  | {
      readonly kind: 'unsolicited-replies';
      readonly severity: 'warning';
      readonly count: number;
      readonly replies: readonly UnsolicitedReply[];
    }
  | {
      readonly kind: 'mac-many-ips';
      readonly severity: 'warning' | 'note';
      readonly mac: string;
      readonly ips: readonly string[];
      readonly firstPackets: readonly number[];
    }
  | {
      readonly kind: 'sender-mismatch';
      readonly severity: 'note';
      readonly count: number;
      /** ARP sender MAC vs Ethernet source MAC, first few. */
      readonly examples: readonly {
        readonly packet: number;
        readonly arpMac: string;
        readonly ethMac: string;
      }[];
    }
  | {
      readonly kind: 'router-changed';
      readonly severity: 'note';
      readonly change: RouterChange;
    }
  | {
      readonly kind: 'invalid';
      readonly severity: 'note';
      readonly count: number;
      /** Malformed or impossible ARP packets: number and why. */
      readonly packets: readonly { readonly packet: number; readonly why: string }[];
    };

export interface ArpSummary {
  readonly packets: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly table: readonly Binding[];
  /** Exchanges answered (`answered` keeps the first `maxRows` of them). */
  readonly answeredCount: number;
  readonly answered: readonly AnsweredRequest[];
  readonly responseTime:
    | { readonly count: number; readonly min: number; readonly median: number; readonly max: number }
    | undefined;
  /** Exchanges never answered (`unanswered` keeps those still waiting and the first `maxRows` given up). */
  readonly unansweredCount: number;
  readonly unanswered: readonly UnansweredRequest[];
  readonly gratuitous: readonly GratuitousArp[];
  readonly probes: readonly Probe[];
  readonly routers: readonly RouterMac[];
  readonly findings: readonly ArpFinding[];
  /** Rows or entries beyond the memory budget. */
  readonly overflow: number;
}

// ---------------------------------------------------------------------------------------------
// Collection.
// ---------------------------------------------------------------------------------------------

/**
 * One IP ↔ MAC binding and what its claims (the ARP packets with this sender address and MAC) tell:
 * a summary, not a list, so that a long capture's millionth claim is weighed as its first was.
 */
interface BindingState {
  readonly ip: number;
  readonly mac: number;
  firstSeen: number;
  lastSeen: number;
  firstPacket: number;
  lastPacket: number;
  /** Claims (every ARP packet of the binding is one). */
  packets: number;
  kinds: number;
  /** The first MAX_CLAIM_PACKETS claims' packets, and of the unasked ones. */
  claimPackets: number[];
  unaskedPackets: number[];
  /** Unasked claims (unsolicited replies and gratuitous ARP), and unsolicited replies alone. */
  unasked: number;
  unsolicited: number;
  /** The target address of the last claim; the last unasked claim: packet, time, target. */
  lastTarget: number;
  lastUnaskedPacket: number;
  lastUnaskedTs: number;
  lastUnaskedTarget: number;
}

/** Claim packets listed per binding (the count goes on). */
export const MAX_CLAIM_PACKETS = 32;

const NO_PACKETS: number[] = [];

/** How a claim of `b` explains a host's router moving to `b.mac`: higher is likelier. */
interface Attribution {
  readonly b: BindingState;
  readonly score: number;
  readonly packet: number;
}

/** Router changes explained by one claimed binding: the spoofing seen in the traffic. */
interface Takeover {
  readonly ip: number;
  readonly mac: number;
  readonly previousMac: string;
  readonly changes: RouterChange[];
}

const KIND_BITS: Record<ClaimKind, number> = { request: 1, reply: 2, gratuitous: 4, announcement: 8 };

interface Pending {
  readonly ip: number;
  readonly requesterIp: number;
  readonly requesterMac: number;
  requests: number;
  readonly firstPacket: number;
  readonly firstSeen: number;
  lastPacket: number;
  lastSeen: number;
  /** `lastSeen` as seconds after the analyzer's base second: exact differences. */
  lastRel: number;
}

interface HostRouter {
  readonly hostMac: number;
  mac: number;
  lastPacket: number;
}

const GROUP_BIT = 0x010000000000;

/**
 * Seconds after an exchange's last request during which a further reply still answers one of its
 * earlier requests: a host answers every request it receives, and a requester that retries does so
 * about every second (Linux), so the replies to its tries follow within that.
 */
const OWED_REPLY_WINDOW = 3;

/** Registry classes no host can hold as its address on a link (0.0.0.0 alone is a probe). */
const IMPOSSIBLE_SENDER = new Set(['broadcast', 'loopback', 'this-network', 'reserved', 'unspecified']);

/** The packet's Ethernet header (no closure per packet, as `layers.find` would take). */
function ethernetOf(p: Packet): EthernetLayer | undefined {
  for (const l of p.layers) if (l.kind === 'eth') return l;
  return undefined;
}

function isLocalTag(t: string): boolean {
  return t === 'private' || t === 'CGNAT';
}

function isGroupMac(m: number): boolean {
  return Math.floor(m / GROUP_BIT) % 2 === 1;
}

/** Feeds on every packet; `summary()` at the end. */
export class ArpAnalyzer {
  private packets = 0;
  private readonly byKind = new Map<string, number>();
  private readonly bindings = new Map<string, BindingState>();
  private readonly pending = new Map<string, Pending>();
  /**
   * Exchanges answered while more than one of their requests was out: how many more replies each
   * may get (one per request), from the MAC that answered, until when (bounded like `pending`).
   */
  private readonly owed = new Map<string, { replies: number; mac: number; until: number }>();
  private readonly answered: AnsweredRequest[] = [];
  private answeredCount = 0;
  /** Exchanges given up on when `pending` was full (the rest of the unanswered are still pending). */
  private evictedCount = 0;
  private readonly responseTimes: number[] = [];
  private readonly unansweredEvicted: UnansweredRequest[] = [];
  private readonly gratuitous: GratuitousArp[] = [];
  private readonly probes: Probe[] = [];
  private readonly probedBy = new Map<number, { mac: number; packet: number }>();
  private readonly unsolicited: UnsolicitedReply[] = [];
  private unsolicitedCount = 0;
  /** The bindings of each MAC, in the order they were made (bounded with the bindings). */
  private readonly bindingsByMac = new Map<number, BindingState[]>();
  /**
   * Router changes a claim explains, by the claimed binding (`ip|mac`), in the order first seen:
   * each is a spoofing finding, whatever the number of unexplained changes (`changes` is capped).
   */
  private readonly takeovers = new Map<string, Takeover>();
  private readonly mismatches: { packet: number; arpMac: string; ethMac: string }[] = [];
  private mismatchCount = 0;
  private readonly invalid: { packet: number; why: string }[] = [];
  private invalidCount = 0;
  private readonly probeConflicts: ArpFinding[] = [];
  /** By host address and direction (`host * 2 + 0` outbound, `+ 1` inbound). */
  private readonly routers = new Map<number, HostRouter>();
  private readonly routerStats = new Map<
    number,
    { hosts: Set<number>; packets: number; firstPacket: number; lastPacket: number }
  >();
  private readonly changes: RouterChange[] = [];
  private overflow = 0;
  private lastTs = Number.NEGATIVE_INFINITY;
  private base: number | undefined;

  constructor(readonly limits: ArpLimits = DEFAULT_ARP_LIMITS) {}

  onPacket(p: Packet): void {
    if (p.frame.ts > this.lastTs) this.lastTs = p.frame.ts;
    const arp = p.arp;
    const eth = ethernetOf(p);
    if (arp) {
      this.arpPacket(p, arp, eth);
      return;
    }
    if (eth && p.ip?.kind === 'ipv4') this.ipPacket(p, eth, p.ip.src, p.ip.dst);
  }

  private row<T>(list: T[], v: T): void {
    if (list.length < this.limits.maxRows) list.push(v);
    else this.overflow++;
  }

  private bad(packet: number, why: string): void {
    this.invalidCount++;
    this.row(this.invalid, { packet, why });
  }

  private arpPacket(p: Packet, a: ArpLayer, eth: EthernetLayer | undefined): void {
    this.packets++;
    const n = p.frame.index;
    const ts = p.frame.ts;
    const arpAnomaly = p.anomalies.find((x) => x.layer === 'arp');
    if (
      a.senderMac === undefined ||
      a.senderIp === undefined ||
      a.targetIp === undefined ||
      a.targetMac === undefined
    ) {
      this.count('not Ethernet/IPv4, or malformed');
      this.bad(
        n,
        arpAnomaly ? arpAnomaly.id : `hardware type ${a.hwType}, protocol 0x${a.protoType.toString(16)}`,
      );
      return;
    }
    if (a.arpKind === 'other' || a.arpKind === 'rarp-request' || a.arpKind === 'rarp-reply') {
      this.count(a.arpKind === 'other' ? 'unknown opcode' : a.arpKind);
      if (a.arpKind === 'other') this.bad(n, `unknown operation code ${a.opcode}`);
      return;
    }
    const sm = a.senderMac;
    const sip = a.senderIp;
    if (sm === 0 || isGroupMac(sm)) {
      this.count('invalid sender');
      this.bad(n, `sender MAC ${macToString(sm)} cannot be a host's`);
      return;
    }
    const sc = classifyIp4(sip);
    if (sip !== 0 && (sc.multicast !== undefined || IMPOSSIBLE_SENDER.has(sc.tag))) {
      this.count('invalid sender');
      this.bad(n, `sender address ${ip4ToString(sip)} cannot be a host's`);
      return;
    }
    this.count(a.arpKind);
    if (eth && eth.src !== sm) {
      this.mismatchCount++;
      this.row(this.mismatches, { packet: n, arpMac: macToString(sm), ethMac: macToString(eth.src) });
    }
    switch (a.arpKind) {
      case 'probe': {
        this.row(this.probes, { ip: ip4ToString(a.targetIp), mac: macToString(sm), packet: n, ts });
        if (!this.probedBy.has(a.targetIp)) this.probedBy.set(a.targetIp, { mac: sm, packet: n });
        this.request(p, a, n, ts);
        return;
      }
      case 'gratuitous':
      case 'announcement': {
        const probe = this.probedBy.get(sip);
        const announcement = a.opcode === 1 && probe !== undefined && probe.mac === sm;
        this.row(this.gratuitous, {
          ip: ip4ToString(sip),
          mac: macToString(sm),
          op: a.opcode === 1 ? 'request' : 'reply',
          announcement,
          packet: n,
          ts,
        });
        this.claim(sip, sm, n, ts, announcement ? 'announcement' : 'gratuitous', false, true, a.targetIp);
        return;
      }
      case 'request':
        this.claim(sip, sm, n, ts, 'request', false, false, a.targetIp);
        this.request(p, a, n, ts);
        return;
      case 'reply': {
        const unsolicited = !this.reply(p, a, n, ts);
        if (unsolicited) {
          this.unsolicitedCount++;
          this.row(this.unsolicited, {
            ip: ip4ToString(sip),
            mac: macToString(sm),
            targetIp: ip4ToString(a.targetIp),
            targetMac: macToString(a.targetMac),
            packet: n,
            ts,
          });
        }
        this.claim(sip, sm, n, ts, 'reply', unsolicited, false, a.targetIp);
        return;
      }
    }
  }

  private count(k: string): void {
    this.byKind.set(k, (this.byKind.get(k) ?? 0) + 1);
  }

  private claim(
    ip: number,
    mac: number,
    n: number,
    ts: number,
    kind: ClaimKind,
    unsolicited: boolean,
    gratuitous: boolean,
    targetIp: number,
  ): void {
    if (ip === 0) return;
    // A probe for this address answered by another MAC: the prober must not use it (RFC 5227 §2.1.1).
    const probe = this.probedBy.get(ip);
    if (probe && probe.mac !== mac && n > probe.packet) {
      this.probeConflicts.push({
        kind: 'probe-conflict',
        severity: 'warning',
        ip: ip4ToString(ip),
        prober: macToString(probe.mac),
        defender: macToString(mac),
        probePacket: probe.packet,
        defendPacket: n,
      });
      this.probedBy.delete(ip);
    }
    const k = `${ip}|${mac}`;
    let b = this.bindings.get(k);
    if (!b) {
      if (this.bindings.size >= this.limits.maxBindings) {
        this.overflow++;
        return;
      }
      b = {
        ip,
        mac,
        firstSeen: ts,
        lastSeen: ts,
        firstPacket: n,
        lastPacket: n,
        packets: 0,
        kinds: 0,
        claimPackets: [],
        unaskedPackets: NO_PACKETS,
        unasked: 0,
        unsolicited: 0,
        lastTarget: 0,
        lastUnaskedPacket: 0,
        lastUnaskedTs: Number.NEGATIVE_INFINITY,
        lastUnaskedTarget: 0,
      };
      this.bindings.set(k, b);
      const byMac = this.bindingsByMac.get(mac);
      if (byMac) byMac.push(b);
      else this.bindingsByMac.set(mac, [b]);
    }
    b.lastSeen = ts;
    b.lastPacket = n;
    b.packets++;
    b.kinds |= KIND_BITS[kind];
    b.lastTarget = targetIp;
    if (b.claimPackets.length < MAX_CLAIM_PACKETS) b.claimPackets.push(n);
    if (unsolicited || gratuitous) {
      if (b.unaskedPackets === NO_PACKETS) b.unaskedPackets = [];
      if (b.unaskedPackets.length < MAX_CLAIM_PACKETS) b.unaskedPackets.push(n);
      b.unasked++;
      if (unsolicited) b.unsolicited++;
      b.lastUnaskedPacket = n;
      b.lastUnaskedTs = ts;
      b.lastUnaskedTarget = targetIp;
    }
  }

  /**
   * The claim that best explains `host`'s router moving to `mac` at time `ts`: a claim by `mac`,
   * within `claimWindow` before, of an address other than the host's; unasked claims (unsolicited
   * reply, gratuitous ARP) first, then those addressed to the host, then the latest.
   */
  private attribute(host: number, mac: number, ts: number): BindingState | undefined {
    let best: Attribution | undefined;
    const window = this.limits.claimWindow;
    const better = (a: Attribution) =>
      best === undefined || a.score > best.score || (a.score === best.score && a.packet > best.packet);
    for (const b of this.bindingsByMac.get(mac) ?? []) {
      if (b.ip === host) continue;
      if (b.unasked > 0 && ts - b.lastUnaskedTs <= window) {
        const a = { b, score: 2 + (b.lastUnaskedTarget === host ? 1 : 0), packet: b.lastUnaskedPacket };
        if (better(a)) best = a;
      }
      if (ts - b.lastSeen <= window) {
        const unasked = b.unasked > 0 && b.lastUnaskedPacket === b.lastPacket;
        const a = { b, score: (unasked ? 2 : 0) + (b.lastTarget === host ? 1 : 0), packet: b.lastPacket };
        if (better(a)) best = a;
      }
    }
    return best?.b;
  }

  /** Capture time in seconds after the first packet's whole second (no epoch-double rounding). */
  private rel(p: Packet): number {
    this.base ??= p.frame.tsSec;
    return p.frame.tsSec - this.base + p.frame.tsNsec / 1e9;
  }

  private request(p: Packet, a: ArpLayer, n: number, ts: number): void {
    const k = `${a.targetIp}|${a.senderIp}|${a.senderMac}`;
    const q = this.pending.get(k);
    if (q) {
      q.requests++;
      q.lastPacket = n;
      q.lastSeen = ts;
      q.lastRel = this.rel(p);
      return;
    }
    if (this.pending.size >= this.limits.maxPending) {
      const [oldK, old] = this.pending.entries().next().value as [string, Pending];
      this.pending.delete(oldK);
      this.evictedCount++;
      this.row(this.unansweredEvicted, unansweredView(old, ts));
    }
    this.pending.set(k, {
      ip: a.targetIp as number,
      requesterIp: a.senderIp as number,
      requesterMac: a.senderMac as number,
      requests: 1,
      firstPacket: n,
      firstSeen: ts,
      lastPacket: n,
      lastSeen: ts,
      lastRel: this.rel(p),
    });
  }

  /**
   * Pair a reply with its request; false when nobody asked. A reply to an exchange already answered,
   * from the same MAC, answers another of its requests while one is left: two requests sent at once
   * (two connections needing the same address) get two replies, and neither is unsolicited.
   */
  private reply(p: Packet, a: ArpLayer, n: number, ts: number): boolean {
    const k = `${a.senderIp}|${a.targetIp}|${a.targetMac}`;
    const q = this.pending.get(k);
    if (!q) return this.owedReply(k, a.senderMac as number, ts);
    this.pending.delete(k);
    if (q.requests > 1) {
      if (this.owed.size >= this.limits.maxPending) this.owed.delete(this.owed.keys().next().value as string);
      this.owed.set(k, {
        replies: q.requests - 1,
        mac: a.senderMac as number,
        until: q.lastSeen + OWED_REPLY_WINDOW,
      });
    }
    this.answeredCount++;
    const rt = this.rel(p) - q.lastRel;
    if (this.responseTimes.length < 100_000) this.responseTimes.push(rt);
    this.row(this.answered, {
      ip: ip4ToString(q.ip),
      mac: macToString(a.senderMac as number),
      requesterIp: ip4ToString(q.requesterIp),
      requesterMac: macToString(q.requesterMac),
      requests: q.requests,
      responseTime: Math.round(rt * 1e9) / 1e9,
      requestPacket: q.lastPacket,
      replyPacket: n,
    });
    return true;
  }

  /** A reply owed to an answered exchange (see `reply`)? */
  private owedReply(k: string, mac: number, ts: number): boolean {
    const o = this.owed.get(k);
    if (o === undefined || o.mac !== mac) return false;
    if (ts > o.until) {
      this.owed.delete(k);
      return false;
    }
    if (--o.replies === 0) this.owed.delete(k);
    return true;
  }

  private ipPacket(p: Packet, eth: EthernetLayer, src: number, dst: number): void {
    if (isGroupMac(eth.dst)) return;
    const cs = classifyIp4(src).tag;
    const cd = classifyIp4(dst).tag;
    if (isLocalTag(cs) && cd === 'public') this.router(p, src, eth.src, eth.dst, 'outbound');
    else if (cs === 'public' && isLocalTag(cd)) this.router(p, dst, eth.dst, eth.src, 'inbound');
  }

  private router(
    p: Packet,
    host: number,
    hostMac: number,
    mac: number,
    direction: 'outbound' | 'inbound',
  ): void {
    const n = p.frame.index;
    const k = host * 2 + (direction === 'outbound' ? 0 : 1);
    let r = this.routers.get(k);
    if (!r) {
      if (this.routers.size >= this.limits.maxHosts) {
        this.overflow++;
        return;
      }
      r = { hostMac, mac, lastPacket: n };
      this.routers.set(k, r);
    } else if (r.mac !== mac) {
      const change: RouterChange = {
        host: ip4ToString(host),
        hostMac: macToString(hostMac),
        direction,
        from: macToString(r.mac),
        to: macToString(mac),
        lastPacketBefore: r.lastPacket,
        packet: n,
        ts: p.frame.ts,
      };
      // Explained now, by the claims made before it (those after it must not count).
      const b = this.attribute(host, mac, p.frame.ts);
      if (b === undefined) this.row(this.changes, change);
      else {
        const key = `${b.ip}|${b.mac}`;
        const t = this.takeovers.get(key);
        if (t === undefined)
          this.takeovers.set(key, { ip: b.ip, mac: b.mac, previousMac: change.from, changes: [change] });
        else this.row(t.changes, change);
      }
      r.mac = mac;
    }
    r.lastPacket = n;
    let s = this.routerStats.get(mac);
    if (!s) {
      if (this.routerStats.size >= this.limits.maxHosts) return;
      s = { hosts: new Set(), packets: 0, firstPacket: n, lastPacket: n };
      this.routerStats.set(mac, s);
    }
    if (s.hosts.size < 64) s.hosts.add(host);
    s.packets++;
    s.lastPacket = n;
  }

  summary(): ArpSummary {
    const table: Binding[] = [...this.bindings.values()]
      .sort((a, b) => a.ip - b.ip || a.firstPacket - b.firstPacket)
      .map((b) => ({
        ip: ip4ToString(b.ip),
        mac: macToString(b.mac),
        firstSeen: b.firstSeen,
        lastSeen: b.lastSeen,
        firstPacket: b.firstPacket,
        lastPacket: b.lastPacket,
        packets: b.packets,
        kinds: (Object.keys(KIND_BITS) as ClaimKind[]).filter((k) => (b.kinds & KIND_BITS[k]) !== 0),
      }));
    const unanswered = [
      ...this.unansweredEvicted,
      ...[...this.pending.values()].map((q) => unansweredView(q, this.lastTs)),
    ].sort((a, b) => a.firstPacket - b.firstPacket);
    const rts = [...this.responseTimes].sort((a, b) => a - b);
    const ns = (x: number) => Math.round(x * 1e9) / 1e9;
    return {
      packets: this.packets,
      byKind: Object.fromEntries([...this.byKind].sort((a, b) => b[1] - a[1])),
      table,
      answeredCount: this.answeredCount,
      answered: this.answered,
      responseTime:
        rts.length === 0
          ? undefined
          : {
              count: rts.length,
              min: ns(rts[0] as number),
              median: ns(
                rts.length % 2 === 1
                  ? (rts[rts.length >>> 1] as number)
                  : ((rts[rts.length / 2 - 1] as number) + (rts[rts.length / 2] as number)) / 2,
              ),
              max: ns(rts[rts.length - 1] as number),
            },
      unansweredCount: this.evictedCount + this.pending.size,
      unanswered,
      gratuitous: this.gratuitous,
      probes: this.probes,
      routers: [...this.routerStats]
        .map(([mac, s]) => ({
          mac: macToString(mac),
          hosts: [...s.hosts].sort((a, b) => a - b).map(ip4ToString),
          packets: s.packets,
          firstPacket: s.firstPacket,
          lastPacket: s.lastPacket,
        }))
        .sort((a, b) => a.firstPacket - b.firstPacket),
      findings: this.findings(),
      overflow: this.overflow,
    };
  }

  private findings(): ArpFinding[] {
    const out: ArpFinding[] = [];
    const byIp = new Map<number, BindingState[]>();
    for (const b of this.bindings.values()) {
      const i = byIp.get(b.ip);
      if (i) i.push(b);
      else byIp.set(b.ip, [b]);
    }
    const byMac = this.bindingsByMac;
    const spoofed = new Set<string>();

    // Spoofing seen in the traffic: a host's router MAC changed to a MAC that had just claimed an
    // address (matched as each change was seen: see `attribute`).
    for (const [key, t] of this.takeovers) {
      spoofed.add(key);
      out.push(this.spoofing(t.ip, t.mac, t.previousMac, 'traffic', t.changes));
    }

    // Spoofing seen in ARP alone: an address claimed by one MAC, then claimed unasked (unsolicited
    // reply or gratuitous ARP) by another MAC that also claims an address of its own.
    for (const [ip, bs] of byIp) {
      if (bs.length < 2) continue;
      const sorted = [...bs].sort((a, b) => a.firstPacket - b.firstPacket);
      const first = sorted[0] as BindingState;
      for (const b of sorted.slice(1)) {
        const key = `${ip}|${b.mac}`;
        if (spoofed.has(key)) continue;
        const unasked = b.unasked > 0 && b.lastUnaskedPacket > first.firstPacket;
        const ownIps = (byMac.get(b.mac) ?? []).filter((x) => x.ip !== ip);
        if (!unasked || ownIps.length === 0) continue;
        spoofed.add(key);
        out.push(this.spoofing(ip, b.mac, macToString(first.mac), 'arp', []));
      }
    }

    for (const [ip, bs] of byIp) {
      if (bs.length < 2) continue;
      out.push({
        kind: 'ip-conflict',
        severity: 'warning',
        ip: ip4ToString(ip),
        macs: [...bs]
          .sort((a, b) => a.firstPacket - b.firstPacket)
          .map((b) => ({ mac: macToString(b.mac), firstPacket: b.firstPacket, packets: b.packets })),
      });
    }
    out.push(...this.probeConflicts);
    if (this.unsolicitedCount > 0) {
      out.push({
        kind: 'unsolicited-replies',
        severity: 'warning',
        count: this.unsolicitedCount,
        replies: this.unsolicited,
      });
    }
    for (const [mac, bs] of byMac) {
      if (bs.length < 2) continue;
      const sorted = [...bs].sort((a, b) => a.firstPacket - b.firstPacket);
      const suspicious = bs.some((b) => b.unsolicited > 0);
      out.push({
        kind: 'mac-many-ips',
        severity: suspicious ? 'warning' : 'note',
        mac: macToString(mac),
        ips: sorted.map((b) => ip4ToString(b.ip)),
        firstPackets: sorted.map((b) => b.firstPacket),
      });
    }
    if (this.mismatchCount > 0) {
      out.push({
        kind: 'sender-mismatch',
        severity: 'note',
        count: this.mismatchCount,
        examples: this.mismatches.slice(0, 10),
      });
    }
    for (const ch of this.changes) out.push({ kind: 'router-changed', severity: 'note', change: ch });
    if (this.invalidCount > 0) {
      out.push({ kind: 'invalid', severity: 'note', count: this.invalidCount, packets: this.invalid });
    }
    const rank = { alert: 0, warning: 1, note: 2 } as const;
    return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
  }

  private spoofing(
    ip: number,
    mac: number,
    previousMac: string,
    previousFrom: 'arp' | 'traffic',
    redirected: RouterChange[],
  ): ArpFinding {
    const mine = this.bindings.get(`${ip}|${mac}`);
    return {
      kind: 'spoofing',
      severity: previousFrom === 'traffic' ? 'alert' : 'warning',
      ip: ip4ToString(ip),
      claimant: macToString(mac),
      claimantIps: (this.bindingsByMac.get(mac) ?? [])
        .filter((b) => b.ip !== ip)
        .sort((a, b) => a.firstPacket - b.firstPacket)
        .map((b) => ip4ToString(b.ip)),
      previousMac,
      previousFrom,
      claimPackets: mine?.claimPackets ?? [],
      claims: mine?.packets ?? 0,
      unsolicitedPackets: mine?.unaskedPackets ?? [],
      unasked: mine?.unasked ?? 0,
      redirected,
    };
  }
}

function unansweredView(q: Pending, end: number): UnansweredRequest {
  return {
    ip: ip4ToString(q.ip),
    requesterIp: ip4ToString(q.requesterIp),
    requesterMac: macToString(q.requesterMac),
    requests: q.requests,
    firstPacket: q.firstPacket,
    lastPacket: q.lastPacket,
    firstSeen: q.firstSeen,
    lastSeen: q.lastSeen,
    waited: Math.round((end - q.lastSeen) * 1e9) / 1e9,
  };
}

/** The plain-data view model of one capture's ARP (what `--json` prints and the report renders). */
export function arpSummary(a: ArpAnalyzer): ArpSummary {
  return a.summary();
}
