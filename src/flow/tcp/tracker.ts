/**
 * The TCP connection table. Finds (or creates) the connection of every TCP packet, runs the
 * transition function, retires connections by capture time (idle timeouts per state, TIME-WAIT
 * after 2×MSL) and by a hard limit on their number (oldest first), recording each eviction.
 *
 * Direction: the originator is the sender of the first SYN. A connection first seen at its SYN-ACK
 * has the SYN-ACK's receiver as originator. A mid-stream pickup guesses the server by port (see
 * `guessServerIsDst`): a port below 1024, else a well-known service port, else the non-ephemeral one;
 * failing all that, the first packet's sender is taken as the client.
 */
import { type Anomaly, anomaly } from '../../core/anomaly.js';
import { seq, seqGt, u32After } from '../../core/seq.js';
import type { Packet, TcpLayer } from '../../decode/types.js';
import { ipTextOf } from '../addr-text.js';
import { FA } from '../anomalies.js';
import { Deadlines } from '../deadlines.js';
import { DEFAULT_TCP_OPTIONS } from '../defaults.js';
import { LinkedQueue } from '../queue.js';
import { byTableOrder, type EndpointKey, endpointKey, FlowTable } from '../table.js';
import {
  FINISHED_SLOT,
  type SegmentAnalyzer,
  type Side,
  TcpConnection,
  UNASSURED_SLOT,
} from './connection.js';
import { applySegment, type MachineOptions, settle } from './machine.js';
import { makeSegment, type Segment } from './segment.js';
import { type ReuseSource, TimeWaitTable } from './timewait.js';

export interface TcpTrackerOptions extends MachineOptions {
  /** Most connections tracked at once; beyond it the one idle longest is evicted (half-open ones first, see evictOldest). */
  readonly maxConnections: number;
  /** Idle timeouts in seconds of capture time. */
  readonly idle: {
    /** Handshake not complete (SYN sent, no answer or no final ACK). */
    readonly opening: number;
    /** Established or closing. */
    readonly established: number;
    /** Both sides closed: kept this long for late retransmissions (Zeek's tcp_close_delay is 5 s). */
    readonly closed: number;
  };
  /** Per-connection analysers to attach to each new connection. */
  readonly analyzers?: (c: TcpConnection) => SegmentAnalyzer[];
  /**
   * Keep a closed connection tracked until its TIME-WAIT ends (so the 2×MSL expiry is recorded in
   * its story: `explain`). Otherwise it is retired `idle.closed` seconds after its last packet and a
   * row of TIME-WAIT facts (timewait.ts) is kept for reuse checks: memory stays proportional
   * to the connections that are actually open.
   */
  readonly retainTimeWait?: boolean;
  /** Keep each connection's full transition log (default true); the milestones are kept anyway. */
  readonly recordTransitions?: boolean;
  /**
   * The consumer reads a retired connection only during its `connectionEnd` call (and its
   * analysers' `onEnd`), or retains it (`TcpConnection.retain`): each connection's row then goes
   * back as soon as the packet or sweep that retired it is done, instead of once the garbage
   * collector takes the connection (see conn-rows.ts).
   */
  readonly recycleEnded?: boolean;
}

export { DEFAULT_TCP_OPTIONS };

export type EndReason = NonNullable<TcpConnection['endReason']>;

export interface TcpTrackerEvents {
  /** A connection was retired; it will not change again. */
  connectionEnd?(c: TcpConnection, reason: EndReason): void;
}

export interface TcpPacketResult {
  readonly conn: TcpConnection;
  readonly seg: Segment;
}

const WELL_KNOWN = new Set([
  1080, 1433, 1521, 2049, 2181, 3000, 3128, 3306, 3389, 5000, 5060, 5432, 5672, 5900, 5984, 6379, 6443, 7000,
  8000, 8008, 8080, 8081, 8443, 8888, 9000, 9042, 9090, 9092, 9200, 9300, 11211, 27017,
]);

/** Guess whether the destination of a mid-stream packet is the server. */
export function guessServerIsDst(srcPort: number, dstPort: number): boolean {
  const sLow = srcPort < 1024;
  const dLow = dstPort < 1024;
  if (sLow !== dLow) return dLow;
  const sWk = WELL_KNOWN.has(srcPort);
  const dWk = WELL_KNOWN.has(dstPort);
  if (sWk !== dWk) return dWk;
  const sEph = srcPort >= 32768;
  const dEph = dstPort >= 32768;
  if (sEph !== dEph) return sEph;
  return true;
}

/** Both sides closed (or in TIME-WAIT; a responder that only ever listened counts as closed). */
function isClosed(c: TcpConnection): boolean {
  const o = c.orig.state;
  const r = c.resp.state;
  return (o === 'CLOSED' || o === 'TIME-WAIT') && (r === 'CLOSED' || r === 'TIME-WAIT' || r === 'LISTEN');
}

/** How much more an idle half-open connection counts than an idle established one, for eviction. */
export const HALF_OPEN_WEIGHT = 10;

export class TcpTracker {
  private readonly table = new FlowTable<TcpConnection>();
  /**
   * What is left of closed connections retired while one side is still in TIME-WAIT, until it ends
   * (at most `maxConnections`: then the oldest goes first).
   */
  private readonly timeWait = new TimeWaitTable();
  /** Every tracked connection, by the capture time from which the sweep may retire it. */
  private readonly due = new Deadlines<TcpConnection>();
  /** The connections a sweep takes out of `due` (one array for all sweeps). */
  private readonly dueNow: TcpConnection[] = [];
  /**
   * Connections not yet assured (one side has sent nothing but SYNs and RSTs), oldest first: they
   * go first when the table is full (weighted by idle time), as Linux conntrack's early_drop
   * prefers its unassured entries.
   */
  private readonly unassured = new LinkedQueue<TcpConnection>(UNASSURED_SLOT);
  /** Connections both of whose sides have closed, oldest first: the first to go from a full table. */
  private readonly finished = new LinkedQueue<TcpConnection>(FINISHED_SLOT);
  /** Packets that arrived for a connection already retired (late retransmissions during TIME-WAIT). */
  late = 0;
  private nextId = 1;
  private now = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** Connections evicted because the table was full, and expired by idle timeout. */
  evicted = 0;
  expired = 0;
  /** Peak number of connections tracked at once. */
  peak = 0;

  constructor(
    readonly opts: TcpTrackerOptions = DEFAULT_TCP_OPTIONS,
    private readonly events: TcpTrackerEvents = {},
  ) {}

  get size(): number {
    return this.table.size;
  }

  /** Connections currently tracked (for live views and reports). */
  *active(): IterableIterator<TcpConnection> {
    yield* this.table.values();
  }

  process(p: Packet): TcpPacketResult | undefined {
    const tcp = p.tcp;
    const ip = p.ip;
    // A header cut inside its options still has every field the tracker needs.
    if (!tcp || !ip || (tcp.partial && tcp.headerLength < 20)) return undefined;
    const ts = p.frame.ts;
    if (ts > this.now) this.now = ts;
    if (this.now - this.lastSweep >= 1) this.sweep();

    const sk = endpointKey(ip.src, tcp.srcPort);
    const dk = endpointKey(ip.dst, tcp.dstPort);
    const srcLow = sk < dk;
    const found = srcLow ? this.table.get(sk, dk) : this.table.get(dk, sk);
    let c: TcpConnection | undefined;
    let reused: ReuseSource | undefined;
    if (found === undefined) {
      // A 4-tuple retired in TIME-WAIT. A new SYN reopens it (with the TIME-WAIT check); any other
      // packet arrived after the connection was retired and starts a mid-stream one, as in Zeek.
      const row = srcLow ? this.timeWait.find(sk, dk) : this.timeWait.find(dk, sk);
      if (row !== -1) {
        if ((tcp.flags & 0x12) === 0x02) reused = this.timeWait.source(row);
        else this.late++;
        this.timeWait.delete(row);
      }
    } else if (this.startsNewConnection(found, p, tcp, found.isOrigKey(sk))) {
      reused = found;
      this.retire(found, 'reused');
    } else c = found;
    if (!c) {
      c = this.create(p, tcp, ts, sk, dk, srcLow);
      if (reused) this.noteReuse(reused, c, p, tcp, sk);
    }
    const seg = makeSegment(p, tcp, c.isOrigKey(sk));
    applySegment(c, seg, this.opts);
    if ((seg.rst || c.orig.fins > 0 || c.resp.fins > 0) && isClosed(c)) this.finished.add(c);
    if (c.assured !== 3 && (tcp.flags & 0x06) === 0) {
      c.assured |= seg.fromOrig ? 1 : 2;
      if (c.assured === 3) this.unassured.delete(c);
    }
    // Indexed loops: `for…of` over the shared frozen empty arrays allocates an iterator per packet.
    const analyzers = c.analyzers;
    for (let i = 0; i < analyzers.length; i++) (analyzers[i] as SegmentAnalyzer).onSegment(seg, c);
    const flags = seg.analysis;
    for (let i = 0; i < flags.length; i++) c.countFlag(flags[i] as string);
    const anomalies = seg.anomalies;
    for (let i = 0; i < anomalies.length; i++) c.addAnomaly(anomalies[i] as Anomaly);
    // Its deadline moves on with each packet; `due` need only hear when it comes earlier.
    this.due.lower(c, this.deadline(c));
    if (this.ended.length > 0) this.recycleRetired();
    return { conn: c, seg };
  }

  /** A SYN that cannot belong to the tracked connection starts a new one on the same 4-tuple. */
  private startsNewConnection(c: TcpConnection, p: Packet, tcp: TcpLayer, fromOrig: boolean): boolean {
    const syn = (tcp.flags & 0x02) !== 0;
    const ack = (tcp.flags & 0x10) !== 0;
    if (!syn || ack) return false;
    const sender = fromOrig ? c.orig : c.resp;
    const closedish = (s: string) => s === 'CLOSED' || s === 'TIME-WAIT';
    if (closedish(c.orig.state) && closedish(c.resp.state)) return true;
    if (fromOrig && sender.isn !== undefined && sender.isn === tcp.seq >>> 0) return false; // retransmitted SYN
    if (!fromOrig && c.orig.state === 'SYN-SENT' && c.resp.state === 'LISTEN') return false; // simultaneous open
    if (fromOrig && c.orig.state === 'SYN-SENT' && c.resp.syns === 0 && c.resp.packets === 0) return true; // a new attempt
    if (c.orig.state === 'ESTABLISHED' || c.resp.state === 'ESTABLISHED' || c.orig.state === 'SYN-SENT') {
      c.recordAnomaly(anomaly(FA['tcp.syn-in-established'], 'tcp', -1, `packet ${p.frame.index}`));
      return true;
    }
    return true;
  }

  private create(
    p: Packet,
    tcp: TcpLayer,
    ts: number,
    sk: EndpointKey,
    dk: EndpointKey,
    srcLow: boolean,
  ): TcpConnection {
    const ip = p.ip as NonNullable<Packet['ip']>;
    const syn = (tcp.flags & 0x02) !== 0;
    const ack = (tcp.flags & 0x10) !== 0;
    let srcIsOrig: boolean;
    let origin: TcpConnection['origin'];
    if (syn && !ack) {
      srcIsOrig = true;
      origin = 'syn';
    } else if (syn && ack) {
      srcIsOrig = false;
      origin = 'synack';
    } else {
      srcIsOrig = guessServerIsDst(tcp.srcPort, tcp.dstPort);
      origin = 'midstream';
    }
    const src = ipTextOf(ip.src);
    const dst = ipTextOf(ip.dst);
    const c = srcIsOrig
      ? new TcpConnection(
          this.nextId++,
          ip.kind === 'ipv4' ? 4 : 6,
          src,
          tcp.srcPort,
          dst,
          tcp.dstPort,
          origin,
          ts,
          p.frame.index,
        )
      : new TcpConnection(
          this.nextId++,
          ip.kind === 'ipv4' ? 4 : 6,
          dst,
          tcp.dstPort,
          src,
          tcp.srcPort,
          origin,
          ts,
          p.frame.index,
        );
    if (this.opts.recordTransitions === false) c.recordTransitions = false;
    if (!this.opts.recycleEnded) c.releaseWhenCollected();
    c.origKey = srcIsOrig ? sk : dk;
    c.lo = srcLow ? sk : dk;
    c.hi = srcLow ? dk : sk;
    if (origin === 'midstream') {
      c.recordAnomaly(anomaly(FA['tcp.midstream'], 'tcp', -1, `first packet ${p.frame.index}`));
      c.note(
        'orig',
        'midstream',
        'the capture began after the handshake: assumed ESTABLISHED',
        ts,
        p.frame.index,
        true,
      );
      c.note(
        'resp',
        'midstream',
        'the capture began after the handshake: assumed ESTABLISHED',
        ts,
        p.frame.index,
        true,
      );
    } else if (origin === 'synack') {
      c.move(
        'orig',
        'SYN-SENT',
        'send-syn',
        'its SYN was not captured (the capture starts at the SYN,ACK)',
        ts,
        p.frame.index,
        true,
      );
    }
    if (this.opts.analyzers) c.analyzers = this.opts.analyzers(c);
    if (this.size >= this.opts.maxConnections) this.evictOldest();
    c.queuedAt = ts;
    this.table.set(c);
    this.unassured.add(c);
    if (this.size > this.peak) this.peak = this.size;
    return c;
  }

  /** The previous incarnation of the 4-tuple was in TIME-WAIT on one side: was reopening it legitimate? */
  private noteReuse(prev: ReuseSource, next: TcpConnection, p: Packet, tcp: TcpLayer, sk: EndpointKey): void {
    next.reusedFrom = prev.id;
    const ts = p.frame.ts;
    for (const side of ['orig', 'resp'] as const) {
      const ep = prev.endpoint(side);
      if (ep.timeWaitEnd === undefined || ep.timeWaitEnd <= ts) continue;
      // Who sends the new SYN, as seen from the old connection's sides.
      const synFromSide: Side = sk === prev.origKey ? 'orig' : 'resp';
      const synSender = prev.endpoint(synFromSide);
      let legitimate = false;
      let reason: string;
      let tsval: number | undefined;
      for (const o of tcp.options) if (o.kind === 'timestamp') tsval = o.tsval;
      if (tsval !== undefined && synSender.lastTsval !== undefined && u32After(tsval, synSender.lastTsval)) {
        legitimate = true;
        reason = `the new SYN's timestamp ${tsval} is newer than the last one of the old connection (${synSender.lastTsval}) (RFC 6191)`;
      } else if (synSender.sndNxt !== undefined && seqGt(seq(tcp.seq), synSender.sndNxt)) {
        legitimate = true;
        reason = `the new ISN ${tcp.seq >>> 0} is above the old connection's last sequence number ${synSender.sndNxt} (RFC 1122 §4.2.2.13)`;
      } else {
        reason = 'neither a higher ISN nor a newer timestamp: old duplicates could be mistaken for new data';
      }
      next.timeWaitReuse = {
        previous: prev.id,
        holder: side,
        beforeDeadline: ep.timeWaitEnd - ts,
        legitimate,
        reason,
      };
      next.recordAnomaly(
        anomaly(
          FA['tcp.syn-reuse-timewait'],
          'tcp',
          -1,
          `${(ep.timeWaitEnd - ts).toFixed(3)} s before the 2×MSL deadline`,
        ),
      );
      // The old incarnation ends here, still in TIME-WAIT: the new connection takes over the 4-tuple.
      if (prev instanceof TcpConnection)
        prev.note(
          side,
          'timewait-reused',
          `a new SYN (packet ${p.frame.index}) reopens the 4-tuple ${(ep.timeWaitEnd - ts).toFixed(3)} s before TIME-WAIT would end: ${legitimate ? 'accepted (safe)' : 'risky'}; this connection ends here`,
          ts,
          p.frame.index,
        );
      break;
    }
  }

  /** Connections retired during this packet or sweep, when the consumer lets them be recycled. */
  private readonly ended: TcpConnection[] = [];

  private recycleRetired(): void {
    const ended = this.ended;
    for (let i = 0; i < ended.length; i++) (ended[i] as TcpConnection).recycle();
    ended.length = 0;
  }

  private retire(c: TcpConnection, reason: EndReason): void {
    this.table.delete(c);
    this.due.delete(c);
    this.unassured.delete(c);
    this.finished.delete(c);
    settle(c, this.now, this.opts);
    c.endTs = Math.max(this.now, c.lastTs);
    c.endReason =
      c.endReason === undefined || reason === 'reused' || reason === 'evicted' ? reason : c.endReason;
    for (const a of c.analyzers) a.onEnd?.(c);
    this.events.connectionEnd?.(c, reason);
    if (this.opts.recycleEnded) this.ended.push(c);
  }

  /** Retire a closed connection now; keep its TIME-WAIT facts (see timewait.ts) while one side is in TIME-WAIT. */
  private retireClosed(c: TcpConnection): void {
    this.retire(c, c.endReason ?? 'closed');
    const tw = Math.max(c.orig.timeWaitEnd ?? 0, c.resp.timeWaitEnd ?? 0);
    if (tw > this.now) {
      if (this.timeWait.size >= this.opts.maxConnections) this.timeWait.deleteOldest();
      this.timeWait.add(c, tw);
    }
  }

  /**
   * Make room. A connection both sides have closed goes first: it would be retired within seconds
   * anyway, and keeps its end. Otherwise the connection idle longest is evicted, where the idle
   * time of one not yet assured (a half-open handshake, a SYN nobody answered) counts
   * HALF_OPEN_WEIGHT times: a SYN flood's connections go before any real connection, and a real
   * handshake in progress is not sacrificed to connections idle for long. Least recently used is
   * kept lazily: the table is in creation order, and a connection met at the head that has had
   * packets since it was queued goes to the back instead, so each packet costs nothing and each
   * eviction amortised O(1).
   */
  private evictOldest(): void {
    const done = this.finished.first();
    if (done !== undefined) {
      if (this.opts.retainTimeWait) this.retire(done, done.endReason ?? 'closed');
      else this.retireClosed(done);
      return;
    }
    let lru: TcpConnection | undefined;
    for (let c = this.table.first(); c !== undefined; c = this.table.first()) {
      if (c.lastTs > c.queuedAt) {
        c.queuedAt = c.lastTs;
        this.table.moveToBack(c);
        continue;
      }
      lru = c;
      break;
    }
    const weak = this.unassured.first();
    const now = this.now;
    if (
      weak !== undefined &&
      (lru === undefined || (now - weak.lastTs) * HALF_OPEN_WEIGHT >= now - lru.lastTs)
    )
      this.evict(weak);
    else if (lru !== undefined) this.evict(lru);
  }

  private evict(c: TcpConnection): void {
    c.recordAnomaly(
      anomaly(
        FA['flow.evicted'],
        'flow',
        -1,
        `limit ${this.opts.maxConnections} connections${c.assured === 3 ? '' : '; the handshake had not completed'}`,
      ),
    );
    this.evicted++;
    this.retire(c, 'evicted');
  }

  /** Retire connections whose time is up (by capture time). */
  sweep(): void {
    const now = this.now;
    this.lastSweep = now;
    // TIME-WAIT entries that ran out go first: an expired one never pushes a live one out.
    this.timeWait.expire(now);
    // Then only the connections whose time may be up, in table order (the order a walk of the whole
    // table would meet them in); those not due after all go back with their deadline moved on.
    const list = this.dueNow;
    this.due.takeDue(now, list);
    if (list.length > 1) list.sort(byTableOrder);
    for (let i = 0; i < list.length; i++) {
      const c = list[i] as TcpConnection;
      this.sweepOne(c);
      if (this.table.has(c)) this.due.add(c, this.deadline(c));
    }
    list.length = 0;
    if (this.ended.length > 0) this.recycleRetired();
  }

  private sweepOne(c: TcpConnection): void {
    const now = this.now;
    if (isClosed(c)) {
      if (now >= this.closedUntil(c)) {
        if (this.opts.retainTimeWait) this.retire(c, c.endReason ?? 'closed');
        else this.retireClosed(c);
      }
      return;
    }
    if (now - c.lastTs > this.idleLimit(c)) {
      c.recordAnomaly(anomaly(FA['flow.expired'], 'flow', -1, `idle ${Math.round(now - c.lastTs)} s`));
      this.expired++;
      this.retire(c, 'expired');
    }
  }

  /**
   * When a closed connection is retired: `idle.closed` after its last packet (for late
   * retransmissions), or, when it is kept for its TIME-WAIT, at the end of that if later.
   */
  private closedUntil(c: TcpConnection): number {
    const quiet = c.lastTs + this.opts.idle.closed;
    if (!this.opts.retainTimeWait) return quiet;
    return Math.max(Math.max(c.orig.timeWaitEnd ?? 0, c.resp.timeWaitEnd ?? 0), quiet);
  }

  /** How long an open connection may stay idle: less while its handshake is in progress. */
  private idleLimit(c: TcpConnection): number {
    const o = c.orig.state;
    const r = c.resp.state;
    // A handshake whose final ACK was seen counts as established even before the server's next packet.
    const opening = o === 'SYN-SENT' || o === 'CLOSED' || (r === 'SYN-RECEIVED' && !c.resp.synAcked);
    return opening ? this.opts.idle.opening : this.opts.idle.established;
  }

  /**
   * The earliest capture time at which `sweepOne` can retire `c` if no packet comes (its key in
   * `due`). Open connections expire strictly after `lastTs + limit`; the sweep checks exactly.
   */
  private deadline(c: TcpConnection): number {
    return isClosed(c) ? this.closedUntil(c) : c.lastTs + this.idleLimit(c);
  }

  /** End of capture: retire everything still tracked. */
  finish(): void {
    for (const c of this.table.values()) {
      this.retire(c, c.endReason === 'closed' || c.endReason === 'reset' ? c.endReason : 'capture-end');
    }
    this.table.clear();
    this.due.clear();
    this.timeWait.clear();
    this.unassured.clear();
    this.finished.clear();
    this.recycleRetired();
  }
}
