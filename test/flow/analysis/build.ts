/**
 * Hand-built TCP segments for the analysis tests: real Ethernet/IPv4/TCP frames (checksums right),
 * decoded by the pipeline and fed to the tracker with a `TcpAnalysis` per connection, exactly as a
 * capture would be. The same frames can be written to a pcap file so tshark can judge them too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from '../../../src/capture/types.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import {
  detailsOf,
  TcpAnalysis,
  TcpAnalysisContext,
  type TcpAnalysisDetail,
} from '../../../src/flow/tcp/analysis.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../../src/flow/tcp/tracker.js';
import { type PacketFlags, tsharkAnalysis } from './compare.js';

/** Client 10.0.0.1:40000, server 10.0.0.2:80. */
export const CLIENT = { ip: [10, 0, 0, 1], port: 40000, mac: [2, 0, 0, 0, 0, 1] } as const;
export const SERVER = { ip: [10, 0, 0, 2], port: 80, mac: [2, 0, 0, 0, 0, 2] } as const;

export interface Seg {
  /** 'c': client to server; 's': server to client. */
  readonly from: 'c' | 's';
  /** Capture time in milliseconds from the start (any precision down to 1 µs). */
  readonly t: number;
  readonly seq: number;
  readonly ack?: number;
  /** Letters: S SYN, A ACK, F FIN, R RST, P PSH. */
  readonly flags: string;
  /** Payload bytes. */
  readonly len?: number;
  /** Raw window field (default 1000). */
  readonly win?: number;
  /** Window scale option (SYNs). */
  readonly ws?: number;
  /** Send as the first fragment of an IPv4 datagram (more-fragments set). */
  readonly mf?: boolean;
  /** Client port (default 40000): several connections in one run. */
  readonly port?: number;
}

/** Shorthand: `c(t, seq, ack, flags, len, win)`. */
export function c(t: number, seq: number, ack: number, flags: string, len = 0, win = 1000, ws?: number): Seg {
  return ws === undefined
    ? { from: 'c', t, seq, ack, flags, len, win }
    : { from: 'c', t, seq, ack, flags, len, win, ws };
}
export function s(t: number, seq: number, ack: number, flags: string, len = 0, win = 1000, ws?: number): Seg {
  return ws === undefined
    ? { from: 's', t, seq, ack, flags, len, win }
    : { from: 's', t, seq, ack, flags, len, win, ws };
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16 };
const EPOCH = 1_700_000_000;

function sum16(b: Uint8Array, start: number, end: number, init = 0): number {
  let x = init;
  for (let i = start; i < end; i += 2)
    x += ((b[i] as number) << 8) | (i + 1 < end ? (b[i + 1] as number) : 0);
  return x;
}

function fold(x: number): number {
  while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
  return ~x & 0xffff;
}

/** One Ethernet/IPv4/TCP frame. */
export function frameOf(g: Seg, index: number): Frame {
  const [src, dst] = g.from === 'c' ? [CLIENT, SERVER] : [SERVER, CLIENT];
  const opts: number[] = [];
  if (g.ws !== undefined) opts.push(1, 3, 3, g.ws);
  const tcpLen = 20 + opts.length;
  const len = g.len ?? 0;
  const total = 14 + 20 + tcpLen + len;
  const d = new Uint8Array(total);
  const dv = new DataView(d.buffer);
  d.set(dst.mac, 0);
  d.set(src.mac, 6);
  dv.setUint16(12, 0x0800);
  const ip = 14;
  d[ip] = 0x45;
  dv.setUint16(ip + 2, 20 + tcpLen + len);
  dv.setUint16(ip + 4, index & 0xffff);
  if (g.mf) dv.setUint16(ip + 6, 0x2000);
  d[ip + 8] = 64;
  d[ip + 9] = 6;
  d.set(src.ip, ip + 12);
  d.set(dst.ip, ip + 16);
  dv.setUint16(ip + 10, fold(sum16(d, ip, ip + 20)));
  const t = ip + 20;
  const cport = g.port ?? CLIENT.port;
  dv.setUint16(t, g.from === 'c' ? cport : src.port);
  dv.setUint16(t + 2, g.from === 'c' ? dst.port : cport);
  dv.setUint32(t + 4, g.seq >>> 0);
  dv.setUint32(t + 8, (g.ack ?? 0) >>> 0);
  let bits = 0;
  for (const ch of g.flags) bits |= FLAG_BITS[ch] ?? 0;
  dv.setUint16(t + 12, ((tcpLen / 4) << 12) | bits);
  dv.setUint16(t + 14, g.win ?? 1000);
  d.set(opts, t + 20);
  for (let i = 0; i < len; i++) d[t + tcpLen + i] = 0x61 + (i % 26);
  const pseudo = sum16(d, ip + 12, ip + 20) + 6 + tcpLen + len;
  dv.setUint16(t + 16, fold(sum16(d, t, t + tcpLen + len, pseudo)));
  const us = Math.round(g.t * 1000);
  const tsSec = EPOCH + Math.floor(us / 1e6);
  const tsNsec = (us % 1e6) * 1000;
  return {
    index,
    tsSec,
    tsNsec,
    ts: tsSec + tsNsec / 1e9,
    caplen: total,
    origlen: total,
    linkType: 1,
    interfaceId: 0,
    data: d,
    fileOffset: -1,
  };
}

export interface Run {
  /** Flags per frame (index 0 = frame 1). */
  readonly flags: string[][];
  readonly details: (readonly TcpAnalysisDetail[])[];
  /** Connection id per frame. */
  readonly conns: number[];
  /** Initial RTT of each connection (by id), seconds. */
  readonly irtt: Map<number, number | undefined>;
}

/** Decode and track the segments with a `TcpAnalysis` per connection (shared context unless told). */
export function analyse(segs: readonly Seg[], withContext = true): Run {
  const context = withContext ? new TcpAnalysisContext() : undefined;
  const analyses = new Map<number, TcpAnalysis>();
  const tracker = new TcpTracker({
    ...DEFAULT_TCP_OPTIONS,
    analyzers: (conn) => {
      const a = new TcpAnalysis(context ? { context } : {});
      analyses.set(conn.id, a);
      return [a];
    },
  });
  const flags: string[][] = [];
  const details: (readonly TcpAnalysisDetail[])[] = [];
  const conns: number[] = [];
  // Each analysis's iRTT after its last segment (read while it is in use: an ended one gives its row back).
  const irtt = new Map<number, number | undefined>();
  segs.forEach((g, i) => {
    const r = tracker.process(decodeFrame(frameOf(g, i + 1)));
    if (!r) throw new Error(`frame ${i + 1} was not tracked`);
    flags.push([...r.seg.analysis]);
    details.push(detailsOf(r.seg));
    conns.push(r.conn.id);
    irtt.set(r.conn.id, analyses.get(r.conn.id)?.initialRtt);
  });
  return { flags, details, conns, irtt };
}

/** A classic pcap file of the segments. */
export function pcapOf(segs: readonly Seg[]): Uint8Array {
  const frames = segs.map((g, i) => frameOf(g, i + 1));
  const size = 24 + frames.reduce((n, f) => n + 16 + f.caplen, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, 1, true);
  let o = 24;
  for (const f of frames) {
    dv.setUint32(o, f.tsSec, true);
    dv.setUint32(o + 4, f.tsNsec / 1000, true);
    dv.setUint32(o + 8, f.caplen, true);
    dv.setUint32(o + 12, f.origlen, true);
    out.set(f.data, o + 16);
    o += 16 + f.caplen;
  }
  return out;
}

/** tshark's flags for the segments (frame number → flags), via a temporary pcap file. */
export function tsharkOn(segs: readonly Seg[]): Map<number, PacketFlags> {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-analysis-'));
  try {
    const file = join(dir, 'segs.pcap');
    writeFileSync(file, pcapOf(segs));
    return tsharkAnalysis(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
