/**
 * tshark's `tcp.analysis.*` flags per packet, and ours for the same capture, in one shape, for the
 * differential test. tshark also sets `tcp.analysis.retransmission` on fast and spurious
 * retransmissions (it adds both expert items); we push only the most specific flag, so tshark's
 * generic one is dropped when a specific one is present.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readCaptureBuffer } from '../../../src/capture/source.js';
import type { Frame } from '../../../src/capture/types.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import {
  detailsOf,
  TCP_ANALYSIS_FLAGS,
  type TcpAnalysis,
  TcpAnalysis as TcpAnalysisClass,
  TcpAnalysisContext,
  type TcpAnalysisFlag,
} from '../../../src/flow/tcp/analysis.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../../src/flow/tcp/tracker.js';
import { runTool } from '../../helpers/corpus.js';

export interface PacketFlags {
  readonly flags: Set<TcpAnalysisFlag>;
  /** Duplicate ACK number, when a duplicate ACK. */
  dupAck?: number;
  /** Initial RTT shown on this packet (seconds). */
  irtt?: number;
  /** Connection (ours) or tcp.stream (tshark). */
  stream?: number;
}

const FIELD_OF: Record<TcpAnalysisFlag, string> = Object.fromEntries(
  TCP_ANALYSIS_FLAGS.map((f) => [
    f,
    f === 'duplicate_ack' ? 'tcp.analysis.duplicate_ack_num' : `tcp.analysis.${f}`,
  ]),
) as Record<TcpAnalysisFlag, string>;

function tsharkArgs(file: string): string[] {
  const fields = [
    'frame.number',
    'tcp.stream',
    'tcp.analysis.initial_rtt',
    ...TCP_ANALYSIS_FLAGS.map((f) => FIELD_OF[f]),
  ];
  const args = ['-r', file, '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-T', 'fields'];
  args.push('-E', 'separator=\t', '-E', 'occurrence=f');
  for (const f of fields) args.push('-e', f);
  return args;
}

function parseTshark(stdout: string): Map<number, PacketFlags> {
  const out = new Map<number, PacketFlags>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const rec: PacketFlags = { flags: new Set() };
    TCP_ANALYSIS_FLAGS.forEach((f, i) => {
      const v = cols[i + 3];
      if (v !== undefined && v !== '') {
        rec.flags.add(f);
        if (f === 'duplicate_ack') rec.dupAck = Number(v);
      }
    });
    if (rec.flags.has('fast_retransmission') || rec.flags.has('spurious_retransmission'))
      rec.flags.delete('retransmission');
    if (cols[1]) rec.stream = Number(cols[1]);
    if (cols[2]) rec.irtt = Number(cols[2]);
    if (rec.flags.size > 0 || rec.irtt !== undefined) out.set(Number(cols[0]), rec);
  }
  return out;
}

/** tshark's flags by frame number (frames without any, and without an iRTT, are left out). */
export function tsharkAnalysis(file: string): Map<number, PacketFlags> {
  return parseTshark(runTool('tshark', tsharkArgs(file)).stdout);
}

/** The same, without blocking (so several files can be read at once). */
export function tsharkAnalysisAsync(file: string): Promise<Map<number, PacketFlags>> {
  return new Promise((resolve, reject) => {
    execFile(
      'tshark',
      tsharkArgs(file),
      { maxBuffer: 1 << 30, env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } },
      (err, stdout) => (err ? reject(err) : resolve(parseTshark(stdout))),
    );
  });
}

/** Our flags by frame number, from the tracker with one `TcpAnalysis` per connection. */
export function ourAnalysis(file: string): { flags: Map<number, PacketFlags>; tcpPackets: number } {
  const context = new TcpAnalysisContext();
  const byConn = new Map<number, TcpAnalysis>();
  const tracker = new TcpTracker({
    ...DEFAULT_TCP_OPTIONS,
    analyzers: (c) => {
      const a = new TcpAnalysisClass({ context });
      byConn.set(c.id, a);
      return [a];
    },
  });
  const out = new Map<number, PacketFlags>();
  let tcpPackets = 0;
  readCaptureBuffer(readFileSync(file), {
    frame(f: Frame) {
      const p = decodeFrame(f);
      if (p.tcp) tcpPackets++;
      const r = tracker.process(p);
      if (!r) return;
      const rec: PacketFlags = { flags: new Set(r.seg.analysis as TcpAnalysisFlag[]), stream: r.conn.id };
      for (const d of detailsOf(r.seg))
        if (d.flag === 'duplicate_ack') rec.dupAck = d.values.number as number;
      const irtt = byConn.get(r.conn.id)?.initialRtt;
      if (irtt !== undefined) rec.irtt = irtt;
      if (rec.flags.size > 0 || rec.irtt !== undefined) out.set(f.index, rec);
    },
    problem() {},
  });
  tracker.finish();
  return { flags: out, tcpPackets };
}
