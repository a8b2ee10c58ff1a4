/**
 * Deterministic synthetic capture for the performance benchmark: many HTTP-over-TCP connections
 * between clients in 10.1.0.0/16 and a few servers in 192.0.2.0/24, interleaved in time, with DNS
 * lookups and ARP exchanges mixed in. A seed always gives the same bytes.
 *
 *   node dist/bench/gen.js --connections 100000 --seed 1 --out .bench/synth-1m.pcap
 *
 * Connections start as a Poisson process; each one is scripted whole when it starts (model.ts)
 * and the scripts of the open connections are merged by a heap keyed on (next packet time,
 * connection id), so memory holds only the connections open at the moment, and records are
 * encoded straight into the writer's chunk buffer.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seqAdd } from '../src/core/seq.js';
import {
  ETH_HEADER,
  ETHERTYPE_IPV4,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_HEADER,
  MAX_RECORD,
  OPTS_SYN,
  OPTS_TIMESTAMP,
  TCP_ACK,
  TCP_SYN,
  type TcpSegment,
  tcpHeaderLength,
  UDP_HEADER,
  writeArpRecord,
  writeEthernet,
  writeIpv4,
  writeRecordHeader,
  writeTcp,
  writeUdp,
} from './frames.js';
import {
  type Conn,
  type Ending,
  KIND_ARP,
  KIND_TCP,
  type Pkt,
  RESOLVER,
  ROUTER,
  TrafficModel,
  WSCALE,
} from './model.js';
import { PcapStreamWriter } from './pcap-writer.js';
import { Prng } from './prng.js';

/** New connections per second of capture time when none is given. */
export const DEFAULT_RATE = 5000;

export interface GenerateOptions {
  /** Output file (created or truncated). */
  path: string;
  /** Number of TCP connections. */
  connections: number;
  seed: number;
  /** Only classic pcap (little-endian, microseconds, Ethernet) for now. */
  format?: 'pcap';
  /** ARP request/reply pairs where the router or a server resolves the other (default true). */
  mixArp?: boolean;
  /** DNS lookups over UDP before some connections (default true). */
  mixUdp?: boolean;
  /**
   * Probability that a connection has one data segment (its request, or the last segment of a
   * response) lost after the capture point and retransmitted on RTO (default 0.01).
   */
  retransmitRate?: number;
  /** Probability that a connection is preceded by a DNS lookup (default 0.12). */
  dnsRate?: number;
  /** Probability that the router ARPs for the server before a SYN (default 0.02). */
  arpRate?: number;
  /** Mean rate of new connections, per second of capture time (default DEFAULT_RATE). */
  connectionsPerSecond?: number;
  /** Capture time of the first connection, seconds since the epoch (default 1700000000). */
  startTime?: number;
  /** Bytes per write chunk (default 1 MiB). */
  chunkSize?: number;
}

export interface GenerateResult {
  path: string;
  packets: number;
  /** File size in bytes. */
  bytes: number;
  connections: number;
  tcpPackets: number;
  udpPackets: number;
  arpPackets: number;
  httpRequests: number;
  httpResponses: number;
  /** TCP segments sent a second time (tshark: tcp.analysis.retransmission). */
  retransmissions: number;
  dnsQueries: number;
  dnsResponses: number;
  /** How connections ended (see model.ts). */
  endings: Record<Ending, number>;
  /** Capture times of the first and last packet, seconds since the epoch. */
  firstTime: number;
  lastTime: number;
  /** Most connections open (first to last packet) at one time. */
  maxConcurrentConnections: number;
}

export async function generateCapture(options: GenerateOptions): Promise<GenerateResult> {
  const format = options.format ?? 'pcap';
  if (format !== 'pcap') throw new Error(`unsupported format: ${String(format)}`);
  const connections = options.connections;
  if (!Number.isInteger(connections) || connections < 0)
    throw new RangeError('connections must be an integer >= 0');
  const rate = options.connectionsPerSecond ?? DEFAULT_RATE;
  if (!(rate > 0)) throw new RangeError('connectionsPerSecond must be > 0');
  const retransmitRate = options.retransmitRate ?? 0.01;
  if (!(retransmitRate >= 0 && retransmitRate <= 1)) throw new RangeError('retransmitRate must be in [0, 1]');

  const rng = new Prng(options.seed);
  const model = new TrafficModel(rng, {
    mixArp: options.mixArp ?? true,
    mixUdp: options.mixUdp ?? true,
    retransmitRate,
    dnsRate: options.dnsRate ?? 0.12,
    arpRate: options.arpRate ?? 0.02,
  });
  const writer = await PcapStreamWriter.create(
    options.path,
    Math.max(options.chunkSize ?? 1 << 20, 64 * 1024),
  );
  const encoder = new Encoder();
  const heap = new ConnHeap();
  const meanGapUs = 1e6 / rate;
  let nextStart = Math.round((options.startTime ?? 1_700_000_000) * 1e6);
  let created = 0;
  let firstT = -1;
  let lastT = -1;
  let maxOpen = 0;
  try {
    for (;;) {
      const top = heap.peek();
      if (created < connections && (top === undefined || nextStart <= top.nextT)) {
        heap.push(model.connection(created++, nextStart));
        if (heap.size > maxOpen) maxOpen = heap.size;
        nextStart += Math.max(1, Math.round(rng.exp(meanGapUs)));
        continue;
      }
      if (top === undefined) break;
      const p = top.pkts[top.cursor++] as Pkt;
      if (writer.needs(MAX_RECORD)) await writer.flush();
      writer.off = encoder.encode(writer.buf, writer.off, top, p);
      if (firstT < 0) firstT = p.t;
      lastT = p.t;
      if (top.cursor < top.pkts.length) {
        top.nextT = (top.pkts[top.cursor] as Pkt).t;
        heap.siftDownTop();
      } else {
        heap.pop();
        model.release(top);
      }
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const bytes = await writer.close();
  const s = model.stats;
  return {
    path: options.path,
    packets: encoder.tcp + encoder.udp + encoder.arp,
    bytes,
    connections: s.tcpConnections,
    tcpPackets: encoder.tcp,
    udpPackets: encoder.udp,
    arpPackets: encoder.arp,
    httpRequests: s.httpRequests,
    httpResponses: s.httpResponses,
    retransmissions: s.retransmissions,
    dnsQueries: s.dnsQueries,
    dnsResponses: s.dnsResponses,
    endings: s.endings,
    firstTime: firstT < 0 ? 0 : firstT / 1e6,
    lastTime: lastT < 0 ? 0 : lastT / 1e6,
    maxConcurrentConnections: maxOpen,
  };
}

/** Turns script packets into pcap records. */
class Encoder {
  tcp = 0;
  udp = 0;
  arp = 0;
  /** Reused for every segment to keep the hot loop allocation-free. */
  private readonly seg: TcpSegment = {
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    options: OPTS_TIMESTAMP,
    tsVal: 0,
    tsEcr: 0,
    mss: 0,
    wscale: 0,
    payload: null,
    payloadOffset: 0,
    payloadLength: 0,
  };

  encode(b: Uint8Array, o: number, c: Conn, p: Pkt): number {
    if (p.kind === KIND_TCP) return this.encodeTcp(b, o, c, p);
    if (p.kind === KIND_ARP) {
      this.arp++;
      const sender = p.arpSender ?? ROUTER;
      const target = p.arpTarget ?? ROUTER;
      return writeArpRecord(b, o, p.t, p.flags, sender.mac, sender.ip, target.mac, target.ip);
    }
    return this.encodeUdp(b, o, c, p);
  }

  private encodeTcp(b: Uint8Array, o: number, c: Conn, p: Pkt): number {
    this.tcp++;
    const s = this.seg;
    const fromClient = p.fromClient;
    const syn = (p.flags & TCP_SYN) !== 0;
    s.options = syn ? OPTS_SYN : OPTS_TIMESTAMP;
    s.srcPort = fromClient ? c.clientPort : c.serverPort;
    s.dstPort = fromClient ? c.serverPort : c.clientPort;
    s.seq = seqAdd(fromClient ? c.clientIsn : c.serverIsn, p.seqRel);
    s.ack = p.flags & TCP_ACK ? seqAdd(fromClient ? c.serverIsn : c.clientIsn, p.ackRel) : 0;
    s.flags = p.flags;
    s.window = p.window;
    s.tsVal = p.tsVal;
    s.tsEcr = p.tsEcr;
    s.mss = fromClient ? c.clientMss : 1460;
    s.wscale = fromClient ? c.clientWscale : WSCALE;
    s.payload = p.data;
    s.payloadOffset = p.dataOffset;
    s.payloadLength = p.dataLength;
    const ipLength = IPV4_HEADER + tcpHeaderLength(s.options) + p.dataLength;
    const srcIp = fromClient ? c.clientIp : c.server.ip;
    const dstIp = fromClient ? c.server.ip : c.clientIp;
    o = writeRecordHeader(b, o, p.t, ETH_HEADER + ipLength);
    o = fromClient
      ? writeEthernet(b, o, c.server.mac, ROUTER.mac, ETHERTYPE_IPV4)
      : writeEthernet(b, o, ROUTER.mac, c.server.mac, ETHERTYPE_IPV4);
    o = writeIpv4(b, o, ipLength, p.ipId, true, fromClient ? c.clientTtl : 64, IPPROTO_TCP, srcIp, dstIp);
    return writeTcp(b, o, s, srcIp, dstIp);
  }

  /** DNS over UDP: client queries carry DF (Linux PMTU discovery); the resolver's answers do not. */
  private encodeUdp(b: Uint8Array, o: number, c: Conn, p: Pkt): number {
    this.udp++;
    const data = p.data as Uint8Array;
    const ipLength = IPV4_HEADER + UDP_HEADER + data.length;
    const q = p.fromClient;
    const srcIp = q ? c.clientIp : RESOLVER.ip;
    const dstIp = q ? RESOLVER.ip : c.clientIp;
    o = writeRecordHeader(b, o, p.t, ETH_HEADER + ipLength);
    o = q
      ? writeEthernet(b, o, RESOLVER.mac, ROUTER.mac, ETHERTYPE_IPV4)
      : writeEthernet(b, o, ROUTER.mac, RESOLVER.mac, ETHERTYPE_IPV4);
    o = writeIpv4(b, o, ipLength, p.ipId, q, q ? c.clientTtl : 64, IPPROTO_UDP, srcIp, dstIp);
    return q
      ? writeUdp(b, o, p.udpPort, 53, data, srcIp, dstIp)
      : writeUdp(b, o, 53, p.udpPort, data, srcIp, dstIp);
  }
}

/** Binary min-heap of open connections keyed on (time of next packet, connection id). */
class ConnHeap {
  private readonly items: Conn[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Conn | undefined {
    return this.items[0];
  }

  push(c: Conn): void {
    const a = this.items;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pc = a[parent] as Conn;
      if (!before(c, pc)) break;
      a[i] = pc;
      i = parent;
    }
    a[i] = c;
  }

  pop(): void {
    const a = this.items;
    const last = a.pop();
    if (last === undefined || a.length === 0) return;
    a[0] = last;
    this.siftDownTop();
  }

  /** Restores the heap after the top's key grew. */
  siftDownTop(): void {
    const a = this.items;
    const n = a.length;
    const c = a[0] as Conn;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let m = l;
      if (r < n && before(a[r] as Conn, a[l] as Conn)) m = r;
      const mc = a[m] as Conn;
      if (!before(mc, c)) break;
      a[i] = mc;
      i = m;
    }
    a[i] = c;
  }
}

function before(a: Conn, b: Conn): boolean {
  return a.nextT < b.nextT || (a.nextT === b.nextT && a.id < b.id);
}

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE = `usage: node dist/bench/gen.js --out FILE [options]

  --out FILE               output pcap (directories are created)
  --connections N          TCP connections (default 100000, about 1M packets)
  --seed N                 PRNG seed (default 1); the same seed gives the same bytes
  --retransmit-rate P      share of connections with one retransmitted segment (default 0.01)
  --dns-rate P             share of connections preceded by a DNS lookup (default 0.12)
  --arp-rate P             share of SYNs preceded by an ARP exchange (default 0.02)
  --rate N                 new connections per second of capture time (default 5000)
  --no-arp                 no ARP
  --no-udp                 no DNS/UDP
  --json                   print the result as JSON
  -h, --help               this text
`;

interface CliArgs {
  options: GenerateOptions;
  json: boolean;
}

export function parseArgs(argv: readonly string[]): CliArgs | 'help' {
  let out: string | undefined;
  let connections = 100_000;
  let seed = 1;
  let json = false;
  const extra: Partial<GenerateOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '-h':
      case '--help':
        return 'help';
      case '--out':
        out = value();
        break;
      case '--connections':
        connections = integer(arg, value());
        break;
      case '--seed':
        seed = integer(arg, value());
        break;
      case '--retransmit-rate':
        extra.retransmitRate = probability(arg, value());
        break;
      case '--dns-rate':
        extra.dnsRate = probability(arg, value());
        break;
      case '--arp-rate':
        extra.arpRate = probability(arg, value());
        break;
      case '--rate': {
        const v = Number(value());
        if (!(v > 0)) throw new UsageError(`${arg} must be a positive number`);
        extra.connectionsPerSecond = v;
        break;
      }
      case '--no-arp':
        extra.mixArp = false;
        break;
      case '--no-udp':
        extra.mixUdp = false;
        break;
      case '--json':
        json = true;
        break;
      default:
        throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  if (out === undefined) throw new UsageError('--out is required');
  return { options: { ...extra, path: out, connections, seed }, json };
}

class UsageError extends Error {}

function integer(name: string, s: string): number {
  const v = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(v))
    throw new UsageError(`${name} must be a non-negative integer`);
  return v;
}

function probability(name: string, s: string): number {
  const v = Number(s);
  if (s.trim() === '' || !(v >= 0 && v <= 1)) throw new UsageError(`${name} must be a number in [0, 1]`);
  return v;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`gen: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  await mkdir(dirname(resolve(args.options.path)), { recursive: true });
  const started = process.hrtime.bigint();
  const r = await generateCapture(args.options);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ...r, generationSeconds: seconds }, null, 2)}\n`);
  } else {
    const mb = (r.bytes / 1e6).toFixed(1);
    process.stdout.write(
      `${r.path}: ${r.packets} packets, ${mb} MB, ${r.connections} TCP connections ` +
        `(${(r.packets / Math.max(1, r.connections)).toFixed(2)} packets each), ` +
        `${r.httpRequests} HTTP requests, ${r.retransmissions} retransmissions, ` +
        `${r.udpPackets} DNS, ${r.arpPackets} ARP; ` +
        `${(r.lastTime - r.firstTime).toFixed(1)} s of traffic, up to ${r.maxConcurrentConnections} connections open\n` +
        `generated in ${seconds.toFixed(2)} s (${Math.round(r.packets / seconds)} packets/s)\n`,
    );
  }
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`gen: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
