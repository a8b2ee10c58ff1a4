/**
 * The traffic model: what each synthetic connection does and when, as seen by a capture point on
 * the servers' LAN (192.0.2.0/24). Clients sit behind the router 192.0.2.1, so their frames carry
 * the router's MAC and a TTL lowered by a few hops; a server's own packets are seen the moment it
 * sends them, a client's reaction to a server packet about one round trip later.
 *
 * A connection is scripted completely when it starts (its packets with capture times, sequence and
 * acknowledgement numbers relative to the ISNs, windows, timestamps and IP IDs), then the generator
 * merges the scripts of all open connections in time order. Times are integer microseconds.
 *
 * Per connection: optional DNS lookup (A, sometimes A+AAAA), optional ARP exchange where the
 * router or the server has to resolve the other, a Linux-like handshake, one to three HTTP/1.1
 * request/response exchanges with slow start and delayed ACKs, then one of several endings.
 */
import { type Seq, seq, seqAdd } from '../src/core/seq.js';
import { DNS_TYPE_A, DNS_TYPE_AAAA, dnsQuery, dnsResponse, encodeName } from './dns.js';
import { ARP_REPLY, ARP_REQUEST, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from './frames.js';
import { HttpContent } from './http.js';
import type { Prng } from './prng.js';

export const KIND_TCP = 0;
export const KIND_UDP = 1;
export const KIND_ARP = 2;

export interface Host {
  readonly ip: number;
  readonly mac: Uint8Array;
}

export interface Server extends Host {
  readonly name: string;
  readonly qname: Uint8Array;
  readonly software: string;
}

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** Locally administered MACs 02:00:c0:00:02:xx for hosts on the 192.0.2.0/24 LAN. */
function lanHost(last: number): Host {
  return { ip: ip4(192, 0, 2, last), mac: new Uint8Array([0x02, 0x00, 0xc0, 0x00, 0x02, last]) };
}

export const ROUTER: Host = lanHost(1);
export const RESOLVER: Host = lanHost(53);
export const SERVERS: readonly Server[] = [
  ['www.example.com', 'nginx/1.24.0'],
  ['static.example.com', 'nginx/1.24.0'],
  ['api.example.com', 'nginx/1.22.1'],
  ['img.example.net', 'Apache/2.4.57 (Debian)'],
  ['cdn.example.org', 'nginx/1.24.0'],
].map(([name, software], i) => ({
  ...lanHost(10 + i),
  name: name!,
  qname: encodeName(name!),
  software: software!,
}));

/** Clients: 10.1.0.1 - 10.1.255.254. */
const CLIENT_NET = ip4(10, 1, 0, 0);
const CLIENT_HOSTS = 65534;
const EPHEMERAL_LOW = 32768;
const EPHEMERAL_HIGH = 60999;

const SERVER_MSS = 1460;
const TIMESTAMP_OPTION_BYTES = 12;
/** Linux default window scale with default tcp_rmem. */
export const WSCALE = 7;
/** Linux minimum retransmission timeout. */
const RTO_MIN_US = 200_000;
/** Linux delayed-ACK timer (minimum). */
const DELACK_US = 40_000;
const INITIAL_CWND = 10;

/** One packet of a connection's script. A single class so the hot loop sees one object shape. */
export class Pkt {
  /** Capture time, microseconds since the epoch. */
  t = 0;
  /** Creation order, to keep causally ordered packets in order when times are equal. */
  order = 0;
  kind = KIND_TCP;
  fromClient = true;
  /** TCP flags, or the ARP operation. */
  flags = 0;
  /** Sequence and acknowledgement numbers relative to the sender's and receiver's ISN. */
  seqRel = 0;
  ackRel = 0;
  window = 0;
  data: Uint8Array | null = null;
  dataOffset = 0;
  dataLength = 0;
  /** Seen by the capture, then lost before it reached the peer (so it is retransmitted). */
  lost = false;
  retransmission = false;
  tsVal = 0;
  tsEcr = 0;
  ipId = 0;
  /** UDP: the client's port; ARP: sender and target. */
  udpPort = 0;
  arpSender: Host | null = null;
  arpTarget: Host | null = null;
}

export class Conn {
  readonly pkts: Pkt[] = [];
  /** Next packet to write, and its time (the merge key). */
  cursor = 0;
  nextT = 0;
  clientIp = 0;
  clientPort = 0;
  clientTtl = 64;
  /** Host index in the client /16 and port key, to release the port. */
  portKey = 0;
  server: Server = SERVERS[0] as Server;
  serverPort = 80;
  clientIsn: Seq = seq(0);
  serverIsn: Seq = seq(0);
  clientMss = SERVER_MSS;
  clientWscale = WSCALE;
  /** Round-trip time between the capture point and the client, µs. */
  rtt = 0;
  /** Never closed: its port stays reserved. */
  unfinished = false;

  constructor(readonly id: number) {}
}

export interface ModelOptions {
  mixArp: boolean;
  mixUdp: boolean;
  /** Probability that a connection (with at least one request) has one data segment retransmitted. */
  retransmitRate: number;
  /** Probability that a connection is preceded by a DNS lookup (when mixUdp). */
  dnsRate: number;
  /** Probability that the router must ARP for the server before forwarding a SYN (when mixArp). */
  arpRate: number;
}

export interface ModelStats {
  tcpConnections: number;
  httpRequests: number;
  httpResponses: number;
  retransmissions: number;
  dnsQueries: number;
  dnsResponses: number;
  arpRequests: number;
  arpReplies: number;
  endings: Record<Ending, number>;
}

export const ENDINGS = [
  'client-fin',
  'client-fin-3way',
  'server-fin',
  'server-fin-idle',
  'client-rst',
  'server-rst',
  'open-after-response',
  'open-after-handshake',
] as const;
export type Ending = (typeof ENDINGS)[number];
const ENDING_WEIGHTS = [0.36, 0.26, 0.16, 0.06, 0.08, 0.04, 0.025, 0.015];

export function emptyStats(): ModelStats {
  const endings = {} as Record<Ending, number>;
  for (const e of ENDINGS) endings[e] = 0;
  return {
    tcpConnections: 0,
    httpRequests: 0,
    httpResponses: 0,
    retransmissions: 0,
    dnsQueries: 0,
    dnsResponses: 0,
    arpRequests: 0,
    arpReplies: 0,
    endings,
  };
}

export class TrafficModel {
  readonly stats = emptyStats();
  private readonly http: HttpContent;
  /** Next ephemeral port per client host (0: not yet used), and the (host, port) pairs in use. */
  private readonly nextPort = new Uint16Array(CLIENT_HOSTS + 1);
  private readonly portsInUse = new Set<number>();
  private readonly rttSalt: number;

  constructor(
    private readonly rng: Prng,
    private readonly opts: ModelOptions,
  ) {
    this.http = new HttpContent(rng);
    this.rttSalt = rng.u32();
  }

  /** Scripts connection `id` starting at `t0` (µs); its packets are sorted by time. */
  connection(id: number, t0: number): Conn {
    const rng = this.rng;
    const c = new Conn(id);
    // Busy clients are more likely: host index skewed towards the low end of the /16.
    const u = rng.float();
    const host = 1 + Math.floor(CLIENT_HOSTS * u * u);
    c.clientIp = (CLIENT_NET + host) >>> 0;
    c.clientTtl = 64 - (3 + (host % 13));
    c.rtt = this.hostRtt(host);
    c.server = rng.pick(SERVERS);
    c.serverPort = rng.chance(0.25) ? 8080 : 80;
    c.clientPort = this.allocatePort(host);
    c.portKey = host * 65536 + c.clientPort;
    c.clientIsn = this.isn();
    c.serverIsn = this.isn();
    c.clientMss = [1460, 1400, 1380, 1360][rng.weighted([0.85, 0.07, 0.05, 0.03])] as number;
    c.clientWscale = [7, 8, 9][rng.weighted([0.8, 0.1, 0.1])] as number;
    new ConnectionScript(rng, this.opts, this.stats, this.http, c).build(t0);
    this.stats.tcpConnections++;
    c.nextT = (c.pkts[0] as Pkt).t;
    return c;
  }

  /** Frees the connection's port once its last packet is written (never, if it stays open). */
  release(c: Conn): void {
    if (!c.unfinished) this.portsInUse.delete(c.portKey);
  }

  /** Linux picks ephemeral ports in 32768-60999; consecutive connections from one host get consecutive ports. */
  private allocatePort(host: number): number {
    let p = this.nextPort[host] || this.rng.int(EPHEMERAL_LOW, EPHEMERAL_HIGH);
    for (let tries = 0; this.portsInUse.has(host * 65536 + p); tries++) {
      if (tries > EPHEMERAL_HIGH - EPHEMERAL_LOW)
        throw new Error(`client host ${host} ran out of ephemeral ports`);
      p = p >= EPHEMERAL_HIGH ? EPHEMERAL_LOW : p + 1;
    }
    this.portsInUse.add(host * 65536 + p);
    this.nextPort[host] = p >= EPHEMERAL_HIGH ? EPHEMERAL_LOW : p + 1;
    return p;
  }

  /**
   * Random ISN; one in eight just below 2^32 (2 to 65537 below, log-uniform) so that the
   * sequence numbers of many connections wrap, some right after the handshake. Never 2^32 - 1:
   * the handshake ACK would then acknowledge 0, the SYN's empty acknowledgement field, and
   * tshark 4.0 would call it a window update (a 1 in 2^32 event with real stacks).
   */
  private isn(): Seq {
    const rng = this.rng;
    if (rng.chance(0.125)) return seq(0x100000000 - 1 - Math.floor(rng.logUniform(1, 65537)));
    const n = rng.u32();
    return seq(n === 0xffffffff ? 0 : n);
  }

  /** A stable per-host RTT, log-uniform from 80 µs (same building) to 120 ms (another continent). */
  private hostRtt(host: number): number {
    let h = Math.imul(host ^ this.rttSalt, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    h = (h ^ (h >>> 13)) >>> 0;
    return Math.round(80 * (120_000 / 80) ** (h / 0x100000000));
  }
}

interface DelayedAck {
  /** Capture time at which the client's delayed-ACK timer would fire. */
  deadline: number;
}

interface ResponseResult {
  /** Capture time of a client reaction to the last data segment it received. */
  clientReady: number;
  /** Time the server sent its last data segment (retransmission included). */
  serverDone: number;
}

/** Builds one connection's packets. */
class ConnectionScript {
  private readonly c: Conn;
  private readonly d: number;
  private order = 0;
  private lastClientT = -1;
  private lastServerT = -1;
  /** Next sequence offsets (relative to each ISN) and what each side has received from the other. */
  private cSeq = 0;
  private sSeq = 0;
  private serverReceived = 0;
  private clientReceived = 0;
  private cwnd = INITIAL_CWND;
  private pendingAck: DelayedAck | null = null;

  constructor(
    private readonly rng: Prng,
    private readonly opts: ModelOptions,
    private readonly stats: ModelStats,
    private readonly http: HttpContent,
    c: Conn,
  ) {
    this.c = c;
    this.d = c.rtt;
  }

  build(t0: number): void {
    const rng = this.rng;
    const c = this.c;
    const d = this.d;
    const ending = ENDINGS[rng.weighted(ENDING_WEIGHTS)] as Ending;
    this.stats.endings[ending]++;
    const requests = 1 + rng.weighted([0.94, 0.045, 0.015]);
    // Which request (or its response's last segment) is lost once and retransmitted.
    const lossRequest =
      ending !== 'open-after-handshake' && rng.chance(this.opts.retransmitRate)
        ? rng.int(0, requests - 1)
        : -1;
    let lossInResponse = rng.chance(0.5);

    let t = t0;
    if (this.opts.mixUdp && rng.chance(this.opts.dnsRate)) t = this.dnsLookup(t) + d + rng.int(20, 300);
    // The router resolves the server's MAC before it can forward the SYN.
    if (this.opts.mixArp && rng.chance(this.opts.arpRate)) t = this.arp(t, ROUTER, c.server) + rng.int(5, 40);

    // Handshake.
    const syn = this.tcp(t, true, TCP_SYN, 0, 0);
    syn.window = Math.floor(65535 / c.clientMss) * c.clientMss;
    this.cSeq = 1;
    this.serverReceived = 1;
    let tSynAck = syn.t + rng.int(8, 60);
    if (this.opts.mixArp && rng.chance(this.opts.arpRate / 4)) {
      tSynAck = this.arp(tSynAck, c.server, ROUTER) + rng.int(3, 20);
    }
    const synAck = this.tcp(tSynAck, false, TCP_SYN | TCP_ACK, 0, 1);
    const serverSegment = Math.min(c.clientMss, SERVER_MSS) - TIMESTAMP_OPTION_BYTES;
    synAck.window = Math.floor(65535 / serverSegment) * serverSegment;
    this.sSeq = 1;
    this.clientReceived = 1;
    const ack = this.tcp(synAck.t + d + rng.int(5, 80), true, TCP_ACK, 1, 1);
    if (ending === 'open-after-handshake') {
      c.unfinished = true;
      this.finish();
      return;
    }

    let clientReady = ack.t;
    let serverDone = ack.t;
    for (let r = 0; r < requests; r++) {
      const last = r === requests - 1;
      const think =
        r === 0 ? rng.int(3, 60) : rng.chance(0.7) ? rng.int(50, 2000) : rng.logUniform(2000, 200_000);
      const tq = Math.round(clientReady + think);
      this.flushDelayedAck(tq);
      const { bytes: req, resource } = this.http.request(rng, this.hostHeader());
      const reqPkt = this.tcp(tq, true, TCP_PSH | TCP_ACK, this.cSeq, this.clientReceived, req);
      this.pendingAck = null; // the request carries the acknowledgement
      let arrived = reqPkt.t;
      // tshark 4.0 reads a next sequence number of 0 as "unknown", so a segment ending exactly at
      // 2^32 would not be recognised when retransmitted: lose the response's last segment instead.
      if (lossRequest === r && !lossInResponse && endsAtWrap(c.clientIsn, this.cSeq + req.length)) {
        lossInResponse = true;
      }
      if (lossRequest === r && !lossInResponse) {
        reqPkt.lost = true;
        const rx = this.tcp(
          reqPkt.t + this.rto(),
          true,
          TCP_PSH | TCP_ACK,
          this.cSeq,
          this.clientReceived,
          req,
        );
        rx.retransmission = true;
        this.stats.retransmissions++;
        arrived = rx.t;
      }
      this.stats.httpRequests++;
      this.cSeq += req.length;
      this.serverReceived = this.cSeq;

      // Server think time: mostly fast, sometimes a slow backend.
      const band = rng.weighted([0.6, 0.3, 0.1]);
      const processing =
        band === 0
          ? rng.logUniform(20, 500)
          : band === 1
            ? rng.logUniform(500, 20_000)
            : rng.logUniform(20_000, 300_000);
      let tResponse = Math.round(arrived + processing);
      if (processing > 100 && rng.chance(0.2)) {
        // Quick ACK of the request before the response is ready.
        const a = this.tcp(arrived + rng.int(4, 30), false, TCP_ACK, this.sSeq, this.serverReceived);
        tResponse = Math.max(tResponse, a.t + 1);
      } else if (processing > DELACK_US) {
        const a = this.tcp(arrived + DELACK_US, false, TCP_ACK, this.sSeq, this.serverReceived);
        tResponse = Math.max(tResponse, a.t + 1);
      }
      const closeNow = last && ending === 'server-fin';
      const resp = this.http.response(rng, resource, c.server.software, tResponse, closeNow);
      this.stats.httpResponses++;
      const result = this.sendResponse(
        tResponse,
        resp.bytes,
        resp.chunked,
        lossRequest === r && lossInResponse,
      );
      clientReady = result.clientReady;
      serverDone = result.serverDone;
    }
    this.close(ending, clientReady, serverDone);
    this.finish();
  }

  private close(ending: Ending, clientReady: number, serverDone: number): void {
    const rng = this.rng;
    const d = this.d;
    switch (ending) {
      case 'client-fin':
      case 'client-fin-3way': {
        const tFin = Math.round(clientReady + this.idle());
        this.flushDelayedAck(tFin);
        const fin = this.tcp(tFin, true, TCP_FIN | TCP_ACK, this.cSeq, this.clientReceived);
        this.cSeq++;
        this.serverReceived = this.cSeq;
        let tServerFin = fin.t + rng.int(5, 50);
        if (ending === 'client-fin') {
          const a = this.tcp(fin.t + rng.int(5, 30), false, TCP_ACK, this.sSeq, this.serverReceived);
          tServerFin = a.t + rng.int(10, 2000);
        }
        const sFin = this.tcp(tServerFin, false, TCP_FIN | TCP_ACK, this.sSeq, this.serverReceived);
        this.sSeq++;
        this.clientReceived = this.sSeq;
        this.tcp(sFin.t + d + rng.int(5, 50), true, TCP_ACK, this.cSeq, this.clientReceived);
        return;
      }
      case 'server-fin':
      case 'server-fin-idle': {
        // `Connection: close` right after the response, or the keep-alive timeout expiring.
        const tFin =
          ending === 'server-fin'
            ? serverDone + rng.int(1, 15)
            : Math.round(clientReady + rng.logUniform(1e6, 10e6));
        const sFin = this.tcp(tFin, false, TCP_FIN | TCP_ACK, this.sSeq, this.serverReceived);
        this.sSeq++;
        const tAck = sFin.t + d + rng.int(5, 50);
        this.flushDelayedAck(tAck);
        this.clientReceived = this.sSeq;
        const a = this.tcp(tAck, true, TCP_ACK, this.cSeq, this.clientReceived);
        const fin = this.tcp(a.t + rng.int(5, 1500), true, TCP_FIN | TCP_ACK, this.cSeq, this.clientReceived);
        this.cSeq++;
        this.serverReceived = this.cSeq;
        this.tcp(fin.t + rng.int(5, 30), false, TCP_ACK, this.sSeq, this.serverReceived);
        return;
      }
      case 'client-rst': {
        // Abortive close (SO_LINGER 0, or a browser dropping the connection).
        const tRst = Math.round(clientReady + this.idle());
        this.flushDelayedAck(tRst);
        this.tcp(tRst, true, TCP_RST | TCP_ACK, this.cSeq, this.clientReceived);
        return;
      }
      case 'server-rst': {
        const tRst = Math.round(clientReady + this.idle());
        this.flushDelayedAck(tRst + d);
        this.tcp(tRst, false, TCP_RST | TCP_ACK, this.sSeq, this.serverReceived);
        return;
      }
      case 'open-after-response':
        this.c.unfinished = true;
        this.flushDelayedAck(Number.POSITIVE_INFINITY);
        return;
      case 'open-after-handshake':
        return;
    }
  }

  /**
   * The server sends `resp` in MSS-sized segments under slow start (initial window 10, +1 per
   * acknowledged segment); the client ACKs every second segment, and a lone last segment on its
   * delayed-ACK timer unless something it sends first carries the ACK. With `loseLast`, the last
   * segment is lost after the capture point and retransmitted when the RTO fires.
   */
  private sendResponse(
    tStart: number,
    resp: Uint8Array,
    chunked: boolean,
    loseLast: boolean,
  ): ResponseResult {
    const rng = this.rng;
    const d = this.d;
    const mss = Math.min(this.c.clientMss, SERVER_MSS) - TIMESTAMP_OPTION_BYTES;
    const base = this.sSeq;
    const total = resp.length;
    const n = Math.ceil(total / mss);
    // A last segment of one byte is avoided where tshark 4.0 would misread it: alone, the final
    // LF of a chunked body makes a malformed packet, and a retransmitted 1-byte segment looks
    // like a keep-alive. Then the last segment carries two bytes and the one before is a byte
    // short, as when the end of the response is a separate write.
    const lastStart = (chunked || loseLast) && n > 1 && total % mss === 1 ? total - 2 : (n - 1) * mss;
    const segEnd = (i: number): number => (i === n - 1 ? total : Math.min((i + 1) * mss, lastStart));
    // Not when it would end exactly at 2^32 (see build()); that needs the ISN at exactly the
    // right distance below 2^32, rare even among the near-wrap ISNs.
    const lost = loseLast && !endsAtWrap(this.c.serverIsn, base + total) ? n - 1 : -1;
    // Scheduled client ACKs: capture time and the segment acknowledged through.
    const ackTimes: number[] = [];
    const ackSegs: number[] = [];
    let ackHead = 0;
    let sent = 0;
    let acked = 0;
    let unacked = 0;
    let tSend = tStart;
    let delivered = -1; // capture time of the last segment the client received
    let lostAt = 0;
    let lastAckAt = 0;
    let dataEnd = tStart; // when the server finished sending its last segment
    for (;;) {
      while (sent < n && sent - acked < this.cwnd) {
        const off = sent === 0 ? 0 : segEnd(sent - 1);
        const len = segEnd(sent) - off;
        const flags = sent === n - 1 ? TCP_PSH | TCP_ACK : TCP_ACK;
        const p = this.tcp(tSend, false, flags, base + off, this.serverReceived, resp, off, len);
        if (sent === lost) {
          p.lost = true;
          lostAt = p.t;
        } else {
          delivered = p.t;
          if (++unacked === 2) {
            ackTimes.push(p.t + d + rng.int(5, 40));
            ackSegs.push(sent);
            unacked = 0;
          }
        }
        tSend = p.t + serialisation(len);
        dataEnd = tSend;
        sent++;
      }
      if (ackHead === ackTimes.length) break;
      const seg = ackSegs[ackHead] as number;
      this.clientReceived = base + segEnd(seg);
      const a = this.tcp(ackTimes[ackHead] as number, true, TCP_ACK, this.cSeq, this.clientReceived);
      ackHead++;
      lastAckAt = a.t;
      this.cwnd += seg + 1 - acked;
      acked = seg + 1;
      tSend = Math.max(tSend, a.t + rng.int(2, 15));
    }
    let serverDone = dataEnd;
    if (lost >= 0) {
      if (unacked === 1) {
        // The client acknowledges what it has on its delayed-ACK timer, then waits for the rest.
        this.clientReceived = base + lastStart;
        const a = this.tcp(delivered + d + DELACK_US, true, TCP_ACK, this.cSeq, this.clientReceived);
        lastAckAt = a.t;
      }
      // Linux re-arms the retransmission timer on every ACK.
      const rx = this.tcp(
        Math.max(lostAt, lastAckAt) + this.rto(),
        false,
        TCP_PSH | TCP_ACK,
        base + lastStart,
        this.serverReceived,
        resp,
        lastStart,
        total - lastStart,
      );
      rx.retransmission = true;
      this.stats.retransmissions++;
      delivered = rx.t;
      serverDone = rx.t;
      unacked = 1;
    }
    this.sSeq = base + total;
    this.clientReceived = this.sSeq;
    this.pendingAck = unacked === 1 ? { deadline: delivered + d + DELACK_US } : null;
    return { clientReady: delivered + d + rng.int(5, 50), serverDone };
  }

  /** Before the client sends at `t`: if its delayed-ACK timer fired earlier, that ACK went out on its own. */
  private flushDelayedAck(t: number): void {
    const p = this.pendingAck;
    if (p === null) return;
    this.pendingAck = null;
    if (p.deadline < t) this.tcp(p.deadline, true, TCP_ACK, this.cSeq, this.clientReceived);
  }

  /** Appends a TCP packet; each side's packets get strictly increasing times. */
  private tcp(
    t: number,
    fromClient: boolean,
    flags: number,
    seqRel: number,
    ackRel: number,
    data: Uint8Array | null = null,
    dataOffset = 0,
    dataLength = data ? data.length - dataOffset : 0,
  ): Pkt {
    const p = new Pkt();
    t = Math.round(t);
    if (fromClient) {
      if (t <= this.lastClientT) t = this.lastClientT + 1;
      this.lastClientT = t;
      // Receive window grows with what has been received (autotuning), expressed in scaled units.
      p.window = Math.floor((64256 + Math.min(ackRel, 4 << 20)) / 2 ** this.c.clientWscale);
    } else {
      if (t <= this.lastServerT) t = this.lastServerT + 1;
      this.lastServerT = t;
      p.window = Math.floor((65152 + Math.min(ackRel, 4 << 20)) / 2 ** WSCALE);
    }
    p.t = t;
    p.order = this.order++;
    p.kind = KIND_TCP;
    p.fromClient = fromClient;
    p.flags = flags;
    p.seqRel = seqRel;
    p.ackRel = ackRel;
    p.data = data;
    p.dataOffset = dataOffset;
    p.dataLength = dataLength;
    this.c.pkts.push(p);
    return p;
  }

  /** A who-has from `asker` for `target` and the reply; returns the reply's time. */
  private arp(t: number, asker: Host, target: Host): number {
    const req = this.other(t, KIND_ARP, true);
    req.flags = ARP_REQUEST;
    req.arpSender = asker;
    req.arpTarget = target;
    const rep = this.other(t + this.rng.int(30, 300), KIND_ARP, false);
    rep.flags = ARP_REPLY;
    rep.arpSender = target;
    rep.arpTarget = asker;
    this.stats.arpRequests++;
    this.stats.arpReplies++;
    return rep.t;
  }

  /**
   * The client resolves the server's name: an A query, sometimes A and AAAA back to back from the
   * same socket (glibc), answered from the resolver's cache or after a recursive lookup. Returns
   * the time of the last answer.
   */
  private dnsLookup(t: number): number {
    const rng = this.rng;
    const server = this.c.server;
    const port = rng.int(EPHEMERAL_LOW, EPHEMERAL_HIGH);
    const types = rng.chance(0.35) ? [DNS_TYPE_A, DNS_TYPE_AAAA] : [DNS_TYPE_A];
    const cached = rng.chance(0.8);
    const ttl = rng.int(30, 3600);
    let tq = t;
    let last = t;
    for (const qtype of types) {
      const id = rng.int(0, 0xffff);
      const q = this.other(tq, KIND_UDP, true);
      q.udpPort = port;
      q.data = dnsQuery(id, server.qname, qtype);
      q.ipId = rng.int(0, 0xffff);
      const delay = cached ? rng.logUniform(40, 400) : rng.logUniform(2000, 60_000);
      const r = this.other(q.t + delay, KIND_UDP, false);
      r.udpPort = port;
      r.data = dnsResponse(id, server.qname, qtype, server.ip, ttl);
      r.ipId = rng.int(0, 0xffff);
      this.stats.dnsQueries++;
      this.stats.dnsResponses++;
      last = Math.max(last, r.t);
      tq = q.t + rng.int(20, 200);
    }
    return last;
  }

  private other(t: number, kind: number, fromClient: boolean): Pkt {
    const p = new Pkt();
    p.t = Math.round(t);
    p.order = this.order++;
    p.kind = kind;
    p.fromClient = fromClient;
    this.c.pkts.push(p);
    return p;
  }

  private hostHeader(): string {
    const c = this.c;
    return c.serverPort === 80 ? c.server.name : `${c.server.name}:${c.serverPort}`;
  }

  /** Linux RTO after the handshake's RTT sample: about srtt + 200 ms. */
  private rto(): number {
    return RTO_MIN_US + this.d + this.rng.int(0, 4000);
  }

  /** How long a client keeps a finished connection before closing it. */
  private idle(): number {
    const rng = this.rng;
    const band = rng.weighted([0.55, 0.35, 0.1]);
    if (band === 0) return rng.logUniform(20, 5000);
    if (band === 1) return rng.logUniform(5000, 500_000);
    return rng.logUniform(500_000, 15e6);
  }

  /**
   * Sorts the script by time and fills in what depends on the order: TCP timestamps (each host's
   * millisecond clock with a random offset; TSecr echoes the latest TSval the host has received)
   * and IP IDs (a per-socket counter from a random start; Linux sends SYN-ACKs with ID 0).
   */
  private finish(): void {
    const rng = this.rng;
    const c = this.c;
    const pkts = c.pkts;
    pkts.sort((a, b) => a.t - b.t || a.order - b.order);
    const d = this.d;
    const halfD = d / 2;
    const clientClock = rng.u32();
    const serverClock = rng.u32();
    let clientId = rng.int(0, 0xffff);
    let serverId = rng.int(0, 0xffff);
    for (const p of pkts) {
      if (p.kind !== KIND_TCP) continue;
      if (p.fromClient) {
        // The client sent it half a round trip before the capture point saw it.
        p.tsVal = (clientClock + Math.floor((p.t - halfD) / 1000)) >>> 0;
        p.ipId = clientId;
        clientId = (clientId + 1) & 0xffff;
      } else {
        p.tsVal = (serverClock + Math.floor(p.t / 1000)) >>> 0;
        if (p.flags & TCP_SYN) p.ipId = 0;
        else {
          p.ipId = serverId;
          serverId = (serverId + 1) & 0xffff;
        }
      }
    }
    // TSecr: the server has received every delivered client packet seen before it; the client,
    // every delivered server packet seen at least one round trip earlier.
    let clientEcho = 0;
    let serverEcho = 0;
    let j = 0;
    for (const p of pkts) {
      if (p.kind !== KIND_TCP) continue;
      if (p.fromClient) {
        for (; j < pkts.length; j++) {
          const s = pkts[j] as Pkt;
          if (s.t > p.t - d) break;
          if (s.kind === KIND_TCP && !s.fromClient && !s.lost) serverEcho = s.tsVal;
        }
        p.tsEcr = p.flags & TCP_SYN ? 0 : serverEcho;
      } else {
        p.tsEcr = clientEcho;
      }
      if (p.fromClient && !p.lost) clientEcho = p.tsVal;
    }
  }
}

/** Whether the sequence number `rel` bytes after `isn` is 0 (mod 2^32). */
function endsAtWrap(isn: Seq, rel: number): boolean {
  return seqAdd(isn, rel) === seq(0);
}

/** Serialisation time of a segment on a 1 Gbit/s link, µs (at least 1). */
function serialisation(payload: number): number {
  return Math.max(1, Math.round(((payload + 78) * 8) / 1000));
}
