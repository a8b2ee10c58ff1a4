/**
 * Resource attacks mixed into a real capture, for the robustness tests (test/robustness/attacks.test.ts)
 * and for trying by hand:
 *
 *   node dist/scripts/attacks.js OUTDIR [syn-flood|never-close|pipelined ...]
 *
 * Each attack is written as a classic pcap (Ethernet, microseconds) with the packets of a lab
 * capture (fixtures/lab/http-keepalive.pcap: two HTTP connections and a DNS lookup between 10.0.1.2
 * and 10.0.2.2) merged in at their own times, so a test can check that the analysis of those flows
 * is unchanged by the attack. The attack packets are spread evenly from 0.2 s before the first
 * background packet to 0.2 s after the last, all aimed at the background's server (port 80):
 *
 * - `syn-flood`: 1,000,000 SYNs, each from a distinct source address (172.16.0.1 upwards, a /12
 *   holds 2^20) and port, never answered.
 * - `never-close`: 100,000 connections from distinct sources that complete the handshake, send
 *   the start of an HTTP request whose header never ends (Slowloris) and are acknowledged, then
 *   stay silent: five packets each, no FIN, no RST.
 * - `pipelined`: one connection (172.31.255.1:50000) sending 200,000 pipelined GET requests back
 *   to back in full-sized segments, acknowledged but never answered.
 *
 * Checksums are correct, so every packet decodes cleanly. Deterministic: no randomness.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ETH_HEADER,
  ETHERTYPE_IPV4,
  IPPROTO_TCP,
  IPV4_HEADER,
  OPTS_SYN,
  OPTS_TIMESTAMP,
  TCP_ACK,
  TCP_PSH,
  TCP_SYN,
  type TcpSegment,
  tcpHeaderLength,
  writeEthernet,
  writeIpv4,
  writeRecordHeader,
  writeTcp,
} from '../bench/frames.js';
import { PCAP_RECORD_HEADER, PcapStreamWriter } from '../bench/pcap-writer.js';
import { readCaptureBuffer } from '../src/capture/source.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
export const BACKGROUND = join(ROOT, 'fixtures', 'lab', 'http-keepalive.pcap');

export const ATTACKS = ['syn-flood', 'never-close', 'pipelined'] as const;
export type Attack = (typeof ATTACKS)[number];

export interface AttackSizes {
  /** SYNs in the flood (distinct sources). */
  readonly synFlood: number;
  /** Connections that never close. */
  readonly neverClose: number;
  /** Pipelined requests on the one connection. */
  readonly pipelined: number;
}

export const DEFAULT_SIZES: AttackSizes = { synFlood: 1_000_000, neverClose: 100_000, pipelined: 200_000 };

/** First attacker address: 172.16.0.1 (RFC 1918, nothing in the background uses it). */
const ATTACKER_BASE = 0xac100001;
const PIPELINE_CLIENT = 0xac1fff01; // 172.31.255.1
const ATTACKER_MAC = new Uint8Array([0x02, 0xa7, 0x7a, 0xc0, 0x00, 0x01]);
const MSS = 1448;

interface BackgroundFrame {
  readonly tsUs: number;
  readonly data: Uint8Array;
}

interface Background {
  readonly frames: BackgroundFrame[];
  readonly serverIp: number;
  readonly serverMac: Uint8Array;
  readonly firstUs: number;
  readonly lastUs: number;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** The lab capture's frames (copied), and its server's address and MAC from its first SYN. */
export function loadBackground(path = BACKGROUND): Background {
  const frames: BackgroundFrame[] = [];
  readCaptureBuffer(readFileSync(path), {
    frame(f) {
      frames.push({ tsUs: f.tsSec * 1e6 + Math.round(f.tsNsec / 1000), data: f.data.slice() });
    },
    problem() {},
  });
  for (const f of frames) {
    const d = f.data;
    const isTcp = d[12] === 0x08 && d[13] === 0x00 && d[ETH_HEADER + 9] === IPPROTO_TCP;
    if (!isTcp) continue;
    const tcp = ETH_HEADER + (d[ETH_HEADER]! & 0x0f) * 4;
    if ((d[tcp + 13]! & 0x12) !== TCP_SYN) continue;
    return {
      frames,
      serverIp: u32(d, ETH_HEADER + 16),
      serverMac: d.slice(0, 6),
      firstUs: frames[0]!.tsUs,
      lastUs: frames[frames.length - 1]!.tsUs,
    };
  }
  throw new Error(`${path}: no TCP SYN to find the server by`);
}

/** One attack packet to write: its time and an encoder that writes it at `o`, returning the end. */
type Encode = (b: Uint8Array, o: number, tsUs: number) => number;

function tcpRecord(
  srcIp: number,
  dstIp: number,
  srcMac: Uint8Array,
  dstMac: Uint8Array,
  seg: TcpSegment,
  ipId: number,
): Encode {
  return (b, o, tsUs) => {
    // Timestamps from a millisecond clock, as Linux sends them.
    if (seg.options === OPTS_TIMESTAMP || seg.options === OPTS_SYN) seg.tsVal = Math.floor(tsUs / 1000) >>> 0;
    const tcpLen = tcpHeaderLength(seg.options) + seg.payloadLength;
    o = writeRecordHeader(b, o, tsUs, ETH_HEADER + IPV4_HEADER + tcpLen);
    o = writeEthernet(b, o, dstMac, srcMac, ETHERTYPE_IPV4);
    o = writeIpv4(b, o, IPV4_HEADER + tcpLen, ipId & 0xffff, true, 64, IPPROTO_TCP, srcIp, dstIp);
    return writeTcp(b, o, seg, srcIp, dstIp);
  };
}

function segment(
  srcPort: number,
  dstPort: number,
  seq: number,
  ack: number,
  flags: number,
  payload: Uint8Array | null = null,
  payloadOffset = 0,
  payloadLength = 0,
): TcpSegment {
  return {
    srcPort,
    dstPort,
    seq: seq >>> 0,
    ack: ack >>> 0,
    flags,
    window: 502,
    options: flags & TCP_SYN ? OPTS_SYN : OPTS_TIMESTAMP,
    tsVal: 0,
    tsEcr: 0,
    mss: 1460,
    wscale: 7,
    payload,
    payloadOffset,
    payloadLength,
  };
}

/**
 * Attack packets as a time-ordered stream: `count` packets, packet `k` at `timeUs(k)` (non-decreasing
 * in k) encoded by `encode(k)`.
 */
interface AttackStream {
  readonly count: number;
  timeUs(k: number): number;
  encode(k: number): Encode;
}

function synFlood(bg: Background, n: number): AttackStream {
  const start = bg.firstUs - 200_000;
  const span = bg.lastUs + 200_000 - start;
  return {
    count: n,
    timeUs: (k) => start + Math.floor((k * span) / n),
    encode: (k) =>
      tcpRecord(
        ATTACKER_BASE + k,
        bg.serverIp,
        ATTACKER_MAC,
        bg.serverMac,
        segment(1024 + ((k * 7919) % 64000), 80, Math.imul(k, 2654435761), 0, TCP_SYN),
        k,
      ),
  };
}

const SLOW_REQUEST = new TextEncoder().encode('GET /slow HTTP/1.1\r\nHost: 10.0.2.2\r\nX-Wait: ');

function neverClose(bg: Background, n: number): AttackStream {
  const PER = 5;
  const start = bg.firstUs - 200_000;
  const span = bg.lastUs + 200_000 - start;
  // Connection i starts at start + i·span/n; its packets follow 100 µs apart, so connections overlap:
  // order every packet by (time, connection, step) once.
  const timeOf = (id: number) => start + Math.floor((Math.floor(id / PER) * span) / n) + (id % PER) * 100;
  const keys = new Float64Array(n * PER);
  for (let id = 0; id < keys.length; id++) keys[id] = (timeOf(id) - start) * 2 ** 23 + id;
  keys.sort();
  const order = new Uint32Array(keys.length);
  for (let k = 0; k < keys.length; k++) order[k] = keys[k]! % 2 ** 23;
  return {
    count: order.length,
    timeUs: (k) => timeOf(order[k]!),
    encode: (k) => {
      const id = order[k]!;
      const i = Math.floor(id / PER);
      const client = ATTACKER_BASE + i;
      const port = 20000 + (i % 40000);
      const isn = Math.imul(i, 2654435761) >>> 0;
      const sisn = Math.imul(i + 1, 40503) >>> 0;
      const toServer = (seg: TcpSegment) =>
        tcpRecord(client, bg.serverIp, ATTACKER_MAC, bg.serverMac, seg, i);
      const toClient = (seg: TcpSegment) =>
        tcpRecord(bg.serverIp, client, bg.serverMac, ATTACKER_MAC, seg, i);
      const len = SLOW_REQUEST.length;
      switch (id % PER) {
        case 0:
          return toServer(segment(port, 80, isn, 0, TCP_SYN));
        case 1:
          return toClient(segment(80, port, sisn, isn + 1, TCP_SYN | TCP_ACK));
        case 2:
          return toServer(segment(port, 80, isn + 1, sisn + 1, TCP_ACK));
        case 3:
          return toServer(segment(port, 80, isn + 1, sisn + 1, TCP_ACK | TCP_PSH, SLOW_REQUEST, 0, len));
        default:
          return toClient(segment(80, port, sisn + 1, isn + 1 + len, TCP_ACK));
      }
    },
  };
}

function pipelined(bg: Background, requests: number): AttackStream {
  const parts: string[] = [];
  for (let r = 0; r < requests; r++) parts.push(`GET /p/${r} HTTP/1.1\r\nHost: 10.0.2.2\r\n\r\n`);
  const bytes = new TextEncoder().encode(parts.join(''));
  const segments = Math.ceil(bytes.length / MSS);
  // Handshake (3), then each data segment and its ACK.
  const count = 3 + segments * 2;
  const start = bg.firstUs - 200_000;
  const span = bg.lastUs + 200_000 - start;
  const client = PIPELINE_CLIENT;
  const port = 50000;
  const isn = 0x5eed0000;
  const sisn = 0x0dd00000;
  const toServer = (seg: TcpSegment, id: number) =>
    tcpRecord(client, bg.serverIp, ATTACKER_MAC, bg.serverMac, seg, id);
  const toClient = (seg: TcpSegment, id: number) =>
    tcpRecord(bg.serverIp, client, bg.serverMac, ATTACKER_MAC, seg, id);
  return {
    count,
    timeUs: (k) => start + Math.floor((k * span) / count),
    encode: (k) => {
      if (k === 0) return toServer(segment(port, 80, isn, 0, TCP_SYN), k);
      if (k === 1) return toClient(segment(80, port, sisn, isn + 1, TCP_SYN | TCP_ACK), k);
      if (k === 2) return toServer(segment(port, 80, isn + 1, sisn + 1, TCP_ACK), k);
      const s = Math.floor((k - 3) / 2);
      const off = s * MSS;
      const len = Math.min(MSS, bytes.length - off);
      if ((k - 3) % 2 === 0)
        return toServer(segment(port, 80, isn + 1 + off, sisn + 1, TCP_ACK | TCP_PSH, bytes, off, len), k);
      return toClient(segment(80, port, sisn + 1, isn + 1 + off + len, TCP_ACK), k);
    },
  };
}

const MAX_WRITE = PCAP_RECORD_HEADER + 65_536 + 64;

/** Write one attack merged with the background; returns the packets written. */
export async function writeAttack(
  attack: Attack,
  file: string,
  sizes: AttackSizes = DEFAULT_SIZES,
  bg: Background = loadBackground(),
): Promise<{ packets: number; attackPackets: number; bytes: number }> {
  const stream =
    attack === 'syn-flood'
      ? synFlood(bg, sizes.synFlood)
      : attack === 'never-close'
        ? neverClose(bg, sizes.neverClose)
        : pipelined(bg, sizes.pipelined);
  const w = await PcapStreamWriter.create(file, 1 << 22);
  let j = 0;
  const writeBackground = async (f: BackgroundFrame) => {
    if (w.needs(MAX_WRITE)) await w.flush();
    w.off = writeRecordHeader(w.buf, w.off, f.tsUs, f.data.length);
    w.buf.set(f.data, w.off);
    w.off += f.data.length;
  };
  for (let k = 0; k < stream.count; k++) {
    const t = stream.timeUs(k);
    while (j < bg.frames.length && bg.frames[j]!.tsUs <= t) await writeBackground(bg.frames[j++]!);
    if (w.needs(MAX_WRITE)) await w.flush();
    w.off = stream.encode(k)(w.buf, w.off, t);
  }
  while (j < bg.frames.length) await writeBackground(bg.frames[j++]!);
  const bytes = await w.close();
  return { packets: stream.count + bg.frames.length, attackPackets: stream.count, bytes };
}

async function main(argv: readonly string[]): Promise<void> {
  const [dir, ...names] = argv;
  if (!dir) {
    process.stderr.write(`usage: node dist/scripts/attacks.js OUTDIR [${ATTACKS.join('|')} ...]\n`);
    process.exitCode = 2;
    return;
  }
  const chosen = names.length > 0 ? names : [...ATTACKS];
  const bg = loadBackground();
  for (const name of chosen) {
    if (!(ATTACKS as readonly string[]).includes(name)) {
      process.stderr.write(`unknown attack ${name}: one of ${ATTACKS.join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    const file = join(dir, `${name}.pcap`);
    const r = await writeAttack(name as Attack, file, DEFAULT_SIZES, bg);
    process.stdout.write(`${file}: ${r.packets} packets (${r.attackPackets} attack), ${r.bytes} bytes\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main(process.argv.slice(2));
