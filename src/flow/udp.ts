/**
 * UDP flows: datagrams between two endpoints grouped by 4-tuple, with request/response pairing
 * (each datagram from the originator waits for the next one back; DNS pairs by message id) and
 * expiry after an idle time of capture time. The originator is the first sender, unless that
 * datagram came *from* a service port (a response whose request was not captured).
 */
import type { Packet } from '../decode/types.js';
import { ipTextOf } from './addr-text.js';
import { Deadlines } from './deadlines.js';
import { DEFAULT_UDP_OPTIONS } from './defaults.js';
import { newLinks, type QueueLinks } from './queue.js';
import { byTableOrder, type EndpointKey, endpointKey, FlowTable } from './table.js';
import { guessServerIsDst } from './tcp/tracker.js';

export interface UdpFlow {
  readonly id: number;
  readonly family: 4 | 6;
  readonly origAddr: string;
  readonly origPort: number;
  readonly respAddr: string;
  readonly respPort: number;
  /** The originator's endpoint key (see flow/table.ts: the direction test). */
  readonly origKey: EndpointKey;
  /** The flow's canonical 4-tuple key in the tracker's table. */
  readonly lo: EndpointKey;
  readonly hi: EndpointKey;
  readonly startTs: number;
  lastTs: number;
  firstPacket: number;
  lastPacket: number;
  origPkts: number;
  respPkts: number;
  origBytes: number;
  respBytes: number;
  origIpBytes: number;
  respIpBytes: number;
  /** Requests answered, requests never answered (so far), answers without a request. */
  answered: number;
  unanswered: number;
  unsolicited: number;
  /** Sum and count of request→response delays (seconds). */
  rttSum: number;
  /**
   * Outstanding requests (DNS ids, or -1 for "one datagram waiting") and when each was sent: the one
   * most flows have at a time in `pendingTag` (NO_REQUEST: none) and `pendingTs`, and all of them,
   * oldest first, in `morePending` once a second is outstanding (a Map per flow took as much memory
   * as the rest of the flow).
   */
  pendingTag: number;
  pendingTs: number;
  morePending: Map<number, number> | undefined;
  /** Time of its last packet when it was last put at the back of the eviction order. */
  queuedAt: number;
  /** Its place in the tracker's table order (see flow/queue.ts), and its stamp there (flow/table.ts). */
  links: QueueLinks;
  stamp: number;
  /** Its place among the tracker's deadlines (see flow/deadlines.ts). */
  dueAt: number;
  dueNext: UdpFlow | undefined;
  duePrev: UdpFlow | undefined;
}

export interface UdpTrackerOptions {
  readonly maxFlows: number;
  /** Idle time after which a flow ends (seconds of capture time). */
  readonly idle: number;
}

export { DEFAULT_UDP_OPTIONS };

/** Pending requests kept per flow, at most. */
const MAX_PENDING = 64;
/** `pendingTag` of a flow with no request outstanding (request tags are -1 or DNS ids). */
const NO_REQUEST = -2;

function pendingCount(f: UdpFlow): number {
  return f.morePending !== undefined ? f.morePending.size : f.pendingTag === NO_REQUEST ? 0 : 1;
}

/** A request is outstanding; the oldest is dropped (unanswered) when MAX_PENDING are already. */
function addPending(f: UdpFlow, tag: number, ts: number): void {
  const more = f.morePending;
  if (more !== undefined) {
    if (more.has(tag)) return;
    if (more.size >= MAX_PENDING) {
      const first = more.keys().next().value as number;
      more.delete(first);
      f.unanswered++;
    }
    more.set(tag, ts);
  } else if (f.pendingTag === NO_REQUEST) {
    f.pendingTag = tag;
    f.pendingTs = ts;
  } else if (f.pendingTag !== tag) {
    f.morePending = new Map([
      [f.pendingTag, f.pendingTs],
      [tag, ts],
    ]);
    f.pendingTag = NO_REQUEST;
  }
}

/** The time of the outstanding request `tag`, which is answered now; undefined if none is. */
function takePending(f: UdpFlow, tag: number): number | undefined {
  const more = f.morePending;
  if (more !== undefined) {
    const t0 = more.get(tag);
    if (t0 !== undefined) more.delete(tag);
    return t0;
  }
  if (f.pendingTag !== tag || tag === NO_REQUEST) return undefined;
  f.pendingTag = NO_REQUEST;
  return f.pendingTs;
}

export class UdpTracker {
  /** The flows by 4-tuple, oldest first (the order of eviction and of expiry). */
  private readonly table = new FlowTable<UdpFlow>();
  /** The flows by the capture time from which they may expire. */
  private readonly due = new Deadlines<UdpFlow>();
  /** The flows a sweep takes out of `due` (one array for all sweeps). */
  private readonly dueNow: UdpFlow[] = [];
  private nextId = 1;
  private now = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  evicted = 0;
  peak = 0;

  constructor(
    readonly opts: UdpTrackerOptions = DEFAULT_UDP_OPTIONS,
    private readonly onEnd: (f: UdpFlow, reason: 'expired' | 'evicted' | 'capture-end') => void = () => {},
  ) {}

  get size(): number {
    return this.table.size;
  }

  active(): IterableIterator<UdpFlow> {
    return this.table.values();
  }

  process(p: Packet): UdpFlow | undefined {
    const udp = p.udp;
    const ip = p.ip;
    if (!udp || !ip || udp.partial) return undefined;
    const ts = p.frame.ts;
    if (ts > this.now) this.now = ts;
    if (this.now - this.lastSweep >= 5) this.sweep();
    const sk = endpointKey(ip.src, udp.srcPort);
    const dk = endpointKey(ip.dst, udp.dstPort);
    const srcLow = sk < dk;
    let f = srcLow ? this.table.get(sk, dk) : this.table.get(dk, sk);
    if (!f) {
      const srcIsOrig = guessServerIsDst(udp.srcPort, udp.dstPort);
      const src = ipTextOf(ip.src);
      const dst = ipTextOf(ip.dst);
      f = {
        id: this.nextId++,
        family: ip.kind === 'ipv4' ? 4 : 6,
        origAddr: srcIsOrig ? src : dst,
        origPort: srcIsOrig ? udp.srcPort : udp.dstPort,
        respAddr: srcIsOrig ? dst : src,
        respPort: srcIsOrig ? udp.dstPort : udp.srcPort,
        origKey: srcIsOrig ? sk : dk,
        lo: srcLow ? sk : dk,
        hi: srcLow ? dk : sk,
        startTs: ts,
        lastTs: ts,
        firstPacket: p.frame.index,
        lastPacket: p.frame.index,
        origPkts: 0,
        respPkts: 0,
        origBytes: 0,
        respBytes: 0,
        origIpBytes: 0,
        respIpBytes: 0,
        answered: 0,
        unanswered: 0,
        unsolicited: 0,
        rttSum: 0,
        pendingTag: NO_REQUEST,
        pendingTs: 0,
        morePending: undefined,
        queuedAt: ts,
        links: newLinks(1),
        stamp: 0,
        dueAt: Number.NaN,
        dueNext: undefined,
        duePrev: undefined,
      };
      if (this.table.size >= this.opts.maxFlows) this.evictOldest();
      this.table.set(f);
      if (this.table.size > this.peak) this.peak = this.table.size;
    }
    f.lastTs = ts;
    // It may expire `idle` after this packet: only a packet older than the last can bring that earlier.
    this.due.lower(f, ts + this.opts.idle);
    f.lastPacket = p.frame.index;
    const fromOrig = sk === f.origKey;
    const ipBytes = ip.kind === 'ipv4' ? ip.totalLength : ip.payloadLength + 40;
    const dns = p.layers.find((l) => l.kind === 'dns');
    const tag = dns && dns.kind === 'dns' ? dns.id : -1;
    if (fromOrig) {
      f.origPkts++;
      f.origBytes += udp.payloadLength;
      f.origIpBytes += ipBytes;
      addPending(f, tag, ts);
    } else {
      f.respPkts++;
      f.respBytes += udp.payloadLength;
      f.respIpBytes += ipBytes;
      const t0 = takePending(f, tag);
      if (t0 !== undefined) {
        f.answered++;
        f.rttSum += ts - t0;
      } else f.unsolicited++;
    }
    return f;
  }

  private end(f: UdpFlow, reason: 'expired' | 'evicted' | 'capture-end'): void {
    this.table.delete(f);
    this.due.delete(f);
    f.unanswered += pendingCount(f);
    f.pendingTag = NO_REQUEST;
    f.morePending = undefined;
    this.onEnd(f, reason);
  }

  /**
   * Evict the flow idle longest (least recently used, kept lazily as the TCP tracker does: a flow
   * met at the head of the creation order that has had packets since goes to the back instead).
   */
  private evictOldest(): void {
    for (let f = this.table.first(); f !== undefined; f = this.table.first()) {
      if (f.lastTs > f.queuedAt) {
        f.queuedAt = f.lastTs;
        this.table.moveToBack(f);
        continue;
      }
      this.evicted++;
      this.end(f, 'evicted');
      return;
    }
  }

  /**
   * End the flows idle longer than `idle`, in table order, looking only at those whose deadline
   * may have come (as the TCP tracker's sweep does).
   */
  sweep(): void {
    const now = this.now;
    this.lastSweep = now;
    const list = this.dueNow;
    this.due.takeDue(now, list);
    if (list.length > 1) list.sort(byTableOrder);
    for (let i = 0; i < list.length; i++) {
      const f = list[i] as UdpFlow;
      if (now - f.lastTs > this.opts.idle) this.end(f, 'expired');
      else this.due.add(f, f.lastTs + this.opts.idle);
    }
    list.length = 0;
  }

  finish(): void {
    for (const f of this.table.values()) this.end(f, 'capture-end');
  }
}
