/**
 * Listening endpoints and listen-backlog overflow, from the wire alone. Fed every connection as it
 * is retired; groups them by server ip:port and finds, per listener:
 *  (a) SYNs retransmitted without a SYN,ACK while other clients of the same listener got answers:
 *      the SYN queue or the accept queue was full and the kernel dropped the SYNs;
 *  (b) a SYN,ACK retransmitted although the client's ACK was on the wire: the accept queue was full
 *      and the kernel dropped the ACK (tcp_abort_on_overflow=0);
 *  (c) a RST from the server right after the handshake's ACK, before it sent anything: accept-queue
 *      overflow with tcp_abort_on_overflow=1;
 *  (d) SYN-cookie signs: the SYN,ACK's timestamp lags the server's next timestamps (Linux encodes the
 *      options in its low 6 bits), or the SYN,ACK drops window scaling/SACK the client offered while
 *      timestamps are off (a cookie without timestamps cannot carry them).
 * Also the peak number of half-open connections (SYN-RECEIVED at the same time) and of completed
 * handshakes the server never served (established, the server never sent data or FIN).
 */
import { maxOf, minOf } from '../../core/extent.js';
import { plural } from '../../core/plural.js';
import { LinkedQueue, newLinks, type QueueLinks } from '../queue.js';
import type { TcpConnection } from './connection.js';
import { type ConnFact, ListenerFacts, notable } from './listener-facts.js';

export interface ClientRef {
  readonly client: string;
  readonly conn: number;
  readonly ts: number;
}

export interface Finding {
  readonly kind:
    | 'syn-dropped'
    | 'ack-dropped'
    | 'abort-on-overflow'
    | 'syn-cookies'
    | 'lone-syns'
    | 'no-answer';
  readonly count: number;
  readonly clients: readonly ClientRef[];
  readonly first: number;
  readonly last: number;
  /** Extra numbers: SYN retransmissions, evidence text. */
  readonly detail: string;
}

export interface ListenerReport {
  readonly addr: string;
  readonly port: number;
  /** 'listener' (answered SYNs), 'closed' (answered with RST only), 'silent' (never answered). */
  readonly kind: 'listener' | 'closed' | 'silent';
  readonly connections: number;
  readonly synAcked: number;
  readonly established: number;
  readonly refused: number;
  readonly unanswered: number;
  /** Distinct client addresses; `clientsCapped`: more than counted. */
  readonly clients: number;
  readonly clientsCapped?: boolean;
  /** Set when findings and peaks come from only this many of the connections. */
  readonly detailsFrom?: number;
  /**
   * With `detailsFrom`: the connections only counted, past the facts a listener keeps: lone SYNs
   * nobody answered (beyond MAX_QUIET_FACTS: a SYN flood), other connections a finding could name
   * (beyond MAX_FACTS_PER_LISTENER), and ordinary ones, which count only in the peaks (likewise).
   */
  readonly countedOnly?: { readonly loneSyns: number; readonly notable: number; readonly ordinary: number };
  readonly findings: readonly Finding[];
  readonly peakHalfOpen: { readonly count: number; readonly at: number } | undefined;
  readonly peakNeverServed: { readonly count: number; readonly at: number } | undefined;
  readonly first: number;
  readonly last: number;
  /** What to check on the server, when there is a backlog finding. */
  readonly advice: readonly string[];
}

interface ListenerAcc {
  addr: string;
  port: number;
  /** Facts kept (in the order connections ended), for findings and peaks. */
  facts: ListenerFacts;
  /** Facts of lone unanswered SYNs among them (kept to a smaller number: a SYN flood is made of them). */
  quietKept: number;
  /** Facts of other connections a finding could name among them. */
  notableKept: number;
  /** Lone SYNs nobody answered and nobody retried, all of them, and when. */
  lone: number;
  loneFirst: number;
  loneLast: number;
  /** Facts not kept: lone SYNs, other notable connections, ordinary ones. */
  droppedLone: number;
  droppedNotable: number;
  droppedOrdinary: number;
  /** Exact whatever was kept. */
  connections: number;
  synAcked: number;
  established: number;
  refused: number;
  unanswered: number;
  first: number;
  last: number;
  /** Client addresses (at most MAX_FACTS_PER_LISTENER; `clientsCapped` beyond). */
  clients: Set<string>;
  clientsCapped: boolean;
  /** Links in the queue of scan-like endpoints (see `ListenerTracker.scanLike`). */
  links: QueueLinks;
}

/**
 * Facts kept per listener at most, of connections a finding could name and of ordinary ones
 * (answered at the first SYN, nothing dropped), each: beyond, counts stay exact but client lists,
 * findings and peaks sample. Ordinary connections filling their share do not stop a later overflow
 * from being found. Lone SYNs nobody answered are kept to MAX_QUIET_FACTS of them, so that a SYN
 * flood cannot push out the connections that tell about the listener.
 */
export const MAX_FACTS_PER_LISTENER = 100_000;
export const MAX_QUIET_FACTS = 10_000;
export const MAX_LISTENERS = 10_000;
/**
 * An endpoint with at most this many connections and no SYN,ACK yet looks like a port scan's: when
 * the table is full, the oldest such goes to make room for a new endpoint.
 */
export const SCAN_LIKE_CONNECTIONS = 2;

function endpointText(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Evidence that the server answered this connection's SYN with a SYN cookie, if any. */
function cookieSign(c: TcpConnection): string | undefined {
  const r = c.resp;
  const o = c.orig;
  if (r.syns === 0) return undefined;
  if (!o.timestamps && o.wscale >= 0 && r.wscale < 0 && o.sackOk && !r.sackOk && r.mss !== undefined) {
    return 'its SYN,ACK dropped the window scaling/SACK the client offered (a SYN cookie without timestamps cannot carry them)';
  }
  if (
    c.synAckTsval !== undefined &&
    c.nextRespTsval !== undefined &&
    c.synAckTs !== undefined &&
    c.nextRespTs !== undefined
  ) {
    const lag = (c.nextRespTsval - c.synAckTsval) | 0;
    const elapsedMs = (c.nextRespTs - c.synAckTs) * 1000;
    if (lag > elapsedMs + 2 && lag < 64 + elapsedMs + 2 && elapsedMs < 50) {
      return `its SYN,ACK timestamp lags the server's next one by ${lag} ticks after ${elapsedMs.toFixed(1)} ms (Linux SYN cookies round the timestamp down to encode options)`;
    }
  }
  return undefined;
}

export class ListenerTracker {
  private readonly map = new Map<string, ListenerAcc>();
  /**
   * Endpoints that look like a port scan's (SCAN_LIKE_CONNECTIONS), oldest first: a scan of every
   * port fills the table in seconds, and a real listener seen after it must still find room.
   */
  private readonly scanLike = new LinkedQueue<ListenerAcc>(0);
  /** Scan-like endpoints let go to make room, and their connections. */
  evictedListeners = 0;
  evictedConnections = 0;
  /** Connections to endpoints never tracked (the table full of others), and those endpoints. */
  droppedConnections = 0;
  private readonly droppedKeys = new Set<string>();

  /** Endpoints never tracked (counted up to MAX_LISTENERS). */
  get droppedListeners(): number {
    return this.droppedKeys.size;
  }

  add(c: TcpConnection): void {
    if (c.origin !== 'syn') return;
    const key = endpointText(c.resp.addr, c.resp.port);
    let acc = this.map.get(key);
    if (!acc) {
      if (this.map.size >= MAX_LISTENERS) {
        const old = this.scanLike.first();
        if (old === undefined) {
          this.droppedConnections++;
          if (this.droppedKeys.size < MAX_LISTENERS) this.droppedKeys.add(key);
          return;
        }
        this.scanLike.delete(old);
        this.map.delete(endpointText(old.addr, old.port));
        this.evictedListeners++;
        this.evictedConnections += old.connections;
      }
      acc = {
        addr: c.resp.addr,
        port: c.resp.port,
        facts: new ListenerFacts(),
        quietKept: 0,
        lone: 0,
        loneFirst: Number.POSITIVE_INFINITY,
        loneLast: Number.NEGATIVE_INFINITY,
        notableKept: 0,
        droppedLone: 0,
        droppedNotable: 0,
        droppedOrdinary: 0,
        connections: 0,
        synAcked: 0,
        established: 0,
        refused: 0,
        unanswered: 0,
        first: c.startTs,
        last: c.lastTs,
        clients: new Set(),
        clientsCapped: false,
        links: newLinks(1),
      };
      this.map.set(key, acc);
      this.scanLike.add(acc);
    }
    const synAcked = c.resp.syns > 0;
    const established = c.respEstablishedTs !== undefined;
    acc.connections++;
    if (synAcked) acc.synAcked++;
    if (this.scanLike.has(acc) && (synAcked || acc.connections > SCAN_LIKE_CONNECTIONS))
      this.scanLike.delete(acc);
    if (established) acc.established++;
    if (c.refused) acc.refused++;
    if (!synAcked && !c.refused) acc.unanswered++;
    if (c.startTs < acc.first) acc.first = c.startTs;
    if (c.lastTs > acc.last) acc.last = c.lastTs;
    if (acc.clients.size < MAX_FACTS_PER_LISTENER) acc.clients.add(c.orig.addr);
    else if (!acc.clients.has(c.orig.addr)) acc.clientsCapped = true;
    const quiet = !synAcked && !c.refused && c.orig.syns <= 1;
    if (quiet) {
      acc.lone++;
      if (c.startTs < acc.loneFirst) acc.loneFirst = c.startTs;
      if (c.lastTs > acc.loneLast) acc.loneLast = c.lastTs;
    }
    // A connection neither side closed or reset was still waiting when the tracker let it go (the
    // capture ended, it idled out, it was evicted): it counts as waiting until then, not only until
    // its last packet (a listener that never accept()s leaves its handshakes just so).
    const until = c.endReason === 'closed' || c.endReason === 'reset' ? c.lastTs : (c.endTs ?? c.lastTs);
    const halfOpenEnd = c.respEstablishedTs ?? c.respLeftSynReceivedTs ?? until;
    // Served: the server sent payload or a FIN after the handshake.
    const served = c.resp.payloadBytes > 0 || c.resp.fins > 0;
    const unservedEnd = served ? (c.respFinTs ?? c.lastTs) : until;
    const rstAt = c.rstFromSynReceivedTs;
    const fact: ConnFact = {
      id: c.id,
      clientAddr: c.orig.addr,
      clientPort: c.orig.port,
      start: c.startTs,
      end: c.lastTs,
      synRetrans: Math.max(0, c.orig.syns - 1),
      synAcked,
      refused: c.refused,
      established,
      ackDropped: c.ackDropped.length,
      abortAfterHandshake:
        rstAt !== undefined &&
        c.ackTs !== undefined &&
        c.ackDropped.length === 0 &&
        rstAt - c.ackTs < 1 &&
        c.resp.payloadBytes === 0,
      cookieEvidence: cookieSign(c),
      halfOpen: c.respSynReceivedTs !== undefined ? [c.respSynReceivedTs, halfOpenEnd] : undefined,
      unserved: c.respEstablishedTs !== undefined && !served ? [c.respEstablishedTs, unservedEnd] : undefined,
    };
    if (quiet) {
      if (acc.quietKept >= MAX_QUIET_FACTS) {
        acc.droppedLone++;
        return;
      }
      acc.quietKept++;
      acc.facts.push(fact, true);
      return;
    }
    const isNotable = notable(fact);
    if (isNotable) {
      if (acc.notableKept >= MAX_FACTS_PER_LISTENER) {
        acc.droppedNotable++;
        return;
      }
      acc.notableKept++;
    } else if (acc.facts.length - acc.quietKept - acc.notableKept >= MAX_FACTS_PER_LISTENER) {
      acc.droppedOrdinary++;
      return;
    }
    acc.facts.push(fact, isNotable);
  }

  /** What did not fit in the table, as a note (undefined when everything did). */
  untrackedNote(): string | undefined {
    if (this.evictedListeners === 0 && this.droppedConnections === 0) return undefined;
    const n = (x: number) => x.toLocaleString('en');
    const parts: string[] = [];
    if (this.evictedListeners > 0)
      parts.push(
        `${n(this.evictedListeners)} endpoints that looked like a port scan's (at most ${SCAN_LIKE_CONNECTIONS} connections, no SYN,ACK; ${n(this.evictedConnections)} connections) were let go to make room`,
      );
    if (this.droppedConnections > 0)
      parts.push(
        `${n(this.droppedConnections)} connections to ${n(this.droppedListeners)}${this.droppedListeners >= MAX_LISTENERS ? '+' : ''} further endpoints were not tracked`,
      );
    return `listener table limit ${n(MAX_LISTENERS)}: ${parts.join('; ')}`;
  }

  reports(): ListenerReport[] {
    const out: ListenerReport[] = [];
    for (const acc of this.map.values()) out.push(summarise(acc));
    out.sort(
      (a, b) => b.findings.length - a.findings.length || b.connections - a.connections || a.first - b.first,
    );
    return out;
  }
}

const MAX_CLIENTS_LISTED = 50;

/** Lone unanswered SYNs that make a finding (below, a few are ordinary: a client gave up, the capture ended). */
export const LONE_SYNS_FINDING = 1000;

/** A finding from the facts kept (rows `rows` of `facts`); `exact` when they are a sample of what was counted. */
function finding(
  kind: Finding['kind'],
  facts: ListenerFacts,
  rows: readonly number[],
  detail: string,
  exact?: { count: number; first: number; last: number },
): Finding {
  const clients = rows.slice(0, MAX_CLIENTS_LISTED).map((i) => ({
    client: endpointText(facts.clientAddr(i), facts.clientPort(i)),
    conn: facts.id(i),
    ts: facts.start(i),
  }));
  return {
    kind,
    count: exact?.count ?? rows.length,
    clients,
    first: exact?.first ?? minOf(rows, (i) => facts.start(i)),
    last: exact?.last ?? maxOf(rows, (i) => facts.end(i)),
    detail,
  };
}

function summarise(acc: ListenerAcc): ListenerReport {
  const f = acc.facts;
  const { synAcked, refused, established, unanswered } = acc;
  const kind: ListenerReport['kind'] = synAcked > 0 ? 'listener' : refused > 0 ? 'closed' : 'silent';
  const findings: Finding[] = [];
  if (kind === 'listener') {
    // (a) SYNs retransmitted and never answered, or answered only after retransmissions, while the
    // listener answered others during the same period.
    const { answeredFrom, answeredTo } = f;
    const dropped = f.select(
      (i) =>
        f.synRetrans(i) > 0 &&
        (!f.synAcked(i) || f.synRetrans(i) > 0) &&
        f.start(i) <= answeredTo + 1 &&
        f.end(i) >= answeredFrom - 1,
    );
    if (dropped.length > 0) {
      const retr = dropped.reduce((s, i) => s + f.synRetrans(i), 0);
      const never = dropped.filter((i) => !f.synAcked(i)).length;
      findings.push(
        finding(
          'syn-dropped',
          f,
          dropped,
          `${plural(retr, 'SYN retransmission')} on ${plural(dropped.length, 'connection')} (${never} never answered) while the listener answered ${plural(synAcked, 'other')}: SYNs dropped because the SYN queue or the accept queue was full`,
        ),
      );
    }
    const ackDropped = f.select((i) => f.ackDropped(i) > 0);
    if (ackDropped.length > 0) {
      findings.push(
        finding(
          'ack-dropped',
          f,
          ackDropped,
          `${ackDropped.reduce((s, i) => s + f.ackDropped(i), 0)} handshake ACKs ignored: the server retransmitted its SYN,ACK after the client's ACK — the accept queue was full (tcp_abort_on_overflow=0); these clients believe they are connected`,
        ),
      );
    }
    const aborted = f.select((i) => f.abortAfterHandshake(i));
    if (aborted.length > 0) {
      findings.push(
        finding(
          'abort-on-overflow',
          f,
          aborted,
          'RST right after the handshake, before the server sent anything: accept-queue overflow with tcp_abort_on_overflow=1',
        ),
      );
    }
    if (acc.lone >= LONE_SYNS_FINDING) {
      findings.push(
        finding(
          'lone-syns',
          f,
          f.select((i) => !f.synAcked(i) && !f.refused(i) && f.synRetrans(i) === 0),
          `${acc.lone} SYNs got no answer and were never retried, while the listener answered ${synAcked} others: real clients retry an unanswered SYN after about 1 s, so these look like spoofed sources (a SYN flood) or a scanner`,
          { count: acc.lone, first: acc.loneFirst, last: acc.loneLast },
        ),
      );
    }
    const cookies = f.select((i) => f.cookieEvidence(i) !== undefined);
    const first = cookies[0];
    if (first !== undefined) {
      findings.push(finding('syn-cookies', f, cookies, `SYN cookies: ${f.cookieEvidence(first) ?? ''}`));
    }
  } else if (kind === 'silent' && f.length > 0) {
    findings.push(
      finding(
        'no-answer',
        f,
        // Every fact of a silent listener is unanswered, so kept whole: these are all of them.
        f.select(() => true),
        `${acc.connections} connection attempts, none answered: the host is down, a firewall drops the SYNs, or nothing listens and RSTs are filtered`,
        { count: acc.connections, first: acc.first, last: acc.last },
      ),
    );
  }
  const backlog =
    findings.some((x) => x.kind !== 'no-answer' && x.kind !== 'syn-cookies' && x.kind !== 'lone-syns') ||
    findings.some((x) => x.kind === 'syn-cookies');
  const ep = endpointText(acc.addr, acc.port);
  const advice = backlog
    ? [
        `ss -lnt 'sport = :${acc.port}'  → Recv-Q: connections waiting in the accept queue; Send-Q: its size (the listen() backlog, capped by net.core.somaxconn)`,
        'nstat -az TcpExtListenOverflows TcpExtListenDrops  → counters that grow while the queue overflows',
        'sysctl net.core.somaxconn net.ipv4.tcp_max_syn_backlog net.ipv4.tcp_syncookies net.ipv4.tcp_abort_on_overflow',
        `the application on ${ep} must accept() faster (more workers) or call listen() with a larger backlog`,
      ]
    : [];
  return {
    addr: acc.addr,
    port: acc.port,
    kind,
    connections: acc.connections,
    synAcked,
    established,
    refused,
    unanswered,
    clients: acc.clients.size,
    ...(acc.clientsCapped ? { clientsCapped: true } : {}),
    ...(acc.droppedLone + acc.droppedNotable + acc.droppedOrdinary > 0
      ? {
          detailsFrom: f.length,
          countedOnly: {
            loneSyns: acc.droppedLone,
            notable: acc.droppedNotable,
            ordinary: acc.droppedOrdinary,
          },
        }
      : {}),
    findings,
    peakHalfOpen: f.peakHalfOpen(),
    peakNeverServed: f.peakUnserved(),
    first: acc.first,
    last: acc.last,
    advice,
  };
}
