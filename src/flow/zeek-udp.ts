/**
 * UDP flows as Zeek's conn.log shows them (the TCP counterpart is tcp/zeek.ts). Zeek groups UDP
 * datagrams by 5-tuple, forgets a flow after `udp_inactivity_timeout` (1 min) without a valid packet,
 * and makes the first datagram's sender the originator unless its source port is a likely server port
 * and its destination port is not (`UDPAnalyzer::WantConnection`; not for a datagram to the broadcast
 * address, since Zeek 8). History: `D`/`d` once per direction, `C`/`c` for bad checksums (1st, 10th,
 * 100th …), `^` for a flip. `conn_state`: SF when both sides sent, S0 originator only, SHR responder
 * only. Rules re-implemented from Zeek's documentation and source (src/packet_analysis/protocol/udp),
 * no code copied.
 *
 * Zeek's shared UdpTracker chooses its originator differently (by port guess), so this keeps its own
 * table. Not modelled: flips made by application analyzers (DNS responses seen first, NTP, TFTP).
 */
import { toHex } from '../core/bytes.js';
import type { ChecksumStatus, Packet } from '../decode/types.js';
import { ipTextOf } from './addr-text.js';

export interface ZeekUdpOptions {
  /** UDP ports in Zeek's `likely_server_ports` (depends on the scripts loaded). */
  readonly likelyServerPorts: ReadonlySet<number>;
  /**
   * Like `zeek -C`. When false, a datagram with a bad UDP checksum only adds `C`/`c` and one with a bad
   * IPv4 header checksum is ignored.
   */
  readonly ignoreChecksums: boolean;
  /** Count NIC-offload checksums (`offload`) as bad, as Zeek does. Default false. */
  readonly offloadIsBad: boolean;
  /** udp_inactivity_timeout (seconds); 0 = never expire. */
  readonly inactivityTimeout: number;
}

/** UDP ports the base protocol scripts add to `likely_server_ports`. */
export const ZEEK_BASE_UDP_SERVER_PORTS: Readonly<Record<string, readonly number[]>> = {
  dhcp: [67],
  dnp3: [20000],
  dns: [53, 137, 5353, 5355],
  krb: [88, 750],
  ntp: [123],
  quic: [443],
  radius: [1812],
  sip: [5060],
  snmp: [161, 162],
  syslog: [514],
};

export function zeekUdpServerPorts(protocols: readonly string[], extra: readonly number[] = []): Set<number> {
  const s = new Set<number>(extra);
  for (const p of protocols) for (const port of ZEEK_BASE_UDP_SERVER_PORTS[p] ?? []) s.add(port);
  return s;
}

export const ZEEK_FULL_UDP_SERVER_PORTS: ReadonlySet<number> = zeekUdpServerPorts(
  Object.keys(ZEEK_BASE_UDP_SERVER_PORTS),
);

export const DEFAULT_ZEEK_UDP_OPTIONS: ZeekUdpOptions = {
  likelyServerPorts: ZEEK_FULL_UDP_SERVER_PORTS,
  ignoreChecksums: true,
  offloadIsBad: false,
  inactivityTimeout: 60,
};

export type ZeekUdpConnState = 'S0' | 'SF' | 'SHR' | 'OTH';

export interface ZeekUdpSummary {
  readonly origAddr: string;
  readonly origPort: number;
  readonly respAddr: string;
  readonly respPort: number;
  readonly connState: ZeekUdpConnState;
  readonly history: string;
  /** Payload bytes (UDP length - 8). Zeek logs them only when `duration > 0`. */
  readonly origBytes: number;
  readonly respBytes: number;
  readonly origPkts: number;
  readonly respPkts: number;
  readonly origIpBytes: number;
  readonly respIpBytes: number;
  readonly flipped: boolean;
  readonly duration: number;
  readonly startTs: number;
  readonly firstPacket: number;
  readonly lastPacket: number;
}

interface Side {
  active: boolean;
  pkts: number;
  bytes: number;
  ipBytes: number;
  /** Bad-checksum counter and the next count that is recorded. */
  bad: number;
  badNext: number;
}

interface Flow {
  readonly key: string;
  /** Directional key (src|sport) of Zeek's originator. */
  origKey: string;
  origAddr: string;
  origPort: number;
  respAddr: string;
  respPort: number;
  readonly orig: Side;
  readonly resp: Side;
  history: string;
  flipped: boolean;
  readonly startTs: number;
  lastTime: number;
  readonly firstPacket: number;
  lastPacket: number;
}

function addrKey(a: number | Uint8Array): string {
  return typeof a === 'number' ? String(a) : toHex(a);
}

const side = (): Side => ({ active: false, pkts: 0, bytes: 0, ipBytes: 0, bad: 0, badNext: 1 });

/** Zeek's UDP connection table. Feed every packet in order, then `finish()`. */
export class ZeekUdpFlows {
  readonly opts: ZeekUdpOptions;
  private readonly table = new Map<string, Flow>();
  private readonly done: Flow[] = [];

  constructor(opts: Partial<ZeekUdpOptions> = {}) {
    this.opts = { ...DEFAULT_ZEEK_UDP_OPTIONS, ...opts };
  }

  process(p: Packet): void {
    const udp = p.udp;
    const ip = p.ip;
    if (!udp || !ip || udp.partial) return;
    const check = !this.opts.ignoreChecksums;
    const bad = (st: ChecksumStatus) => st === 'bad' || (this.opts.offloadIsBad && st === 'offload');
    if (check && ip.kind === 'ipv4' && bad(ip.checksumStatus)) return;
    const f0 = p.frame;
    const t = f0.tsSec + Math.floor(f0.tsNsec / 1000) / 1e6;
    const sk = `${addrKey(ip.src)}|${udp.srcPort}`;
    const dk = `${addrKey(ip.dst)}|${udp.dstPort}`;
    const key = sk < dk ? `${sk}>${dk}` : `${dk}>${sk}`;
    let f = this.table.get(key);
    if (f && this.opts.inactivityTimeout > 0 && t >= f.lastTime + this.opts.inactivityTimeout) {
      this.table.delete(key);
      this.done.push(f);
      f = undefined;
    }
    if (!f) {
      const likely = this.opts.likelyServerPorts;
      const broadcast = ip.kind === 'ipv4' && ip.dst === 0xffffffff;
      const flip = likely.has(udp.srcPort) && !likely.has(udp.dstPort) && !broadcast;
      const src = ipTextOf(ip.src);
      const dst = ipTextOf(ip.dst);
      f = {
        key,
        origKey: flip ? dk : sk,
        origAddr: flip ? dst : src,
        origPort: flip ? udp.dstPort : udp.srcPort,
        respAddr: flip ? src : dst,
        respPort: flip ? udp.srcPort : udp.dstPort,
        orig: side(),
        resp: side(),
        history: flip ? '^' : '',
        flipped: flip,
        startTs: t,
        lastTime: t,
        firstPacket: f0.index,
        lastPacket: f0.index,
      };
      this.table.set(key, f);
    }
    f.lastPacket = f0.index;
    const isOrig = sk === f.origKey;
    const s = isOrig ? f.orig : f.resp;
    if (check && bad(udp.checksumStatus)) {
      if (++s.bad === s.badNext) {
        f.history += isOrig ? 'C' : 'c';
        s.badNext *= 10;
      }
      return;
    }
    f.lastTime = t;
    if (!s.active) {
      s.active = true;
      f.history += isOrig ? 'D' : 'd';
    }
    s.pkts++;
    s.bytes += Math.max(0, udp.length - 8);
    s.ipBytes += ip.kind === 'ipv4' ? ip.totalLength : ip.payloadLength + 40;
  }

  /** Flows ended so far plus the ones still open (in order of their end, then of their start). */
  finish(): ZeekUdpSummary[] {
    for (const f of this.table.values()) this.done.push(f);
    this.table.clear();
    return this.done.map(summarize);
  }
}

/** The conn.log columns for a UDP summary (bytes and duration are unset, `-`, unless duration > 0). */
export function zeekUdpConnLogFields(s: ZeekUdpSummary): Record<string, string | number> {
  const timed = s.duration > 0;
  return {
    'id.orig_h': s.origAddr,
    'id.orig_p': s.origPort,
    'id.resp_h': s.respAddr,
    'id.resp_p': s.respPort,
    proto: 'udp',
    duration: timed ? s.duration.toFixed(6) : '-',
    orig_bytes: timed ? s.origBytes : '-',
    resp_bytes: timed ? s.respBytes : '-',
    conn_state: s.connState,
    missed_bytes: 0,
    history: s.history === '' ? '-' : s.history,
    orig_pkts: s.origPkts,
    orig_ip_bytes: s.origIpBytes,
    resp_pkts: s.respPkts,
    resp_ip_bytes: s.respIpBytes,
  };
}

function summarize(f: Flow): ZeekUdpSummary {
  const o = f.orig.active;
  const r = f.resp.active;
  const connState: ZeekUdpConnState = o ? (r ? 'SF' : 'S0') : r ? 'SHR' : 'OTH';
  return {
    origAddr: f.origAddr,
    origPort: f.origPort,
    respAddr: f.respAddr,
    respPort: f.respPort,
    connState,
    history: f.history,
    origBytes: f.orig.bytes,
    respBytes: f.resp.bytes,
    origPkts: f.orig.pkts,
    respPkts: f.resp.pkts,
    origIpBytes: f.orig.ipBytes,
    respIpBytes: f.resp.ipBytes,
    flipped: f.flipped,
    duration: Math.round((f.lastTime - f.startTs) * 1e6) / 1e6,
    startTs: f.startTs,
    firstPacket: f.firstPacket,
    lastPacket: f.lastPacket,
  };
}
