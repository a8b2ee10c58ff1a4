/**
 * Run a capture through the decoder, the TCP tracker with the Zeek summary attached, and the Zeek UDP
 * table; return the conn.log rows wirelens would write, in Zeek's terms.
 */
import { readFileSync } from 'node:fs';
import { readCaptureBuffer } from '../../../src/capture/source.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import type { TcpConnection } from '../../../src/flow/tcp/connection.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../../src/flow/tcp/tracker.js';
import { type ZeekTcpOptions, ZeekTcpSummary, zeekSummaries } from '../../../src/flow/tcp/zeek.js';
import { ZeekUdpFlows, type ZeekUdpOptions } from '../../../src/flow/zeek-udp.js';

export interface Row {
  readonly proto: 'tcp' | 'udp';
  readonly origAddr: string;
  readonly origPort: number;
  readonly respAddr: string;
  readonly respPort: number;
  readonly connState: string;
  readonly history: string;
  readonly origPkts: number;
  readonly respPkts: number;
  /** As Zeek logs them: '-' unless duration > 0. */
  readonly origBytes: string;
  readonly respBytes: string;
  readonly duration: string;
  readonly missedBytes: number;
  readonly origIpBytes: number;
  readonly respIpBytes: number;
  readonly startTs: number;
  readonly firstPacket: number;
  /** Tracker connection id (TCP), and how many rows Zeek makes of it. */
  readonly trackerId?: number;
  readonly parts?: number;
}

export interface RunOptions {
  readonly tcp: Partial<ZeekTcpOptions>;
  readonly udp: Partial<ZeekUdpOptions>;
}

export interface RunResult {
  readonly rows: Row[];
  /** Tracker connections, in order of their first packet. */
  readonly tcpConnections: TcpConnection[];
}

export function runCapture(file: string, opts: RunOptions): RunResult {
  const conns: TcpConnection[] = [];
  const tracker = new TcpTracker(
    { ...DEFAULT_TCP_OPTIONS, analyzers: () => [new ZeekTcpSummary(opts.tcp)] },
    { connectionEnd: (c) => conns.push(c) },
  );
  const udp = new ZeekUdpFlows(opts.udp);
  readCaptureBuffer(new Uint8Array(readFileSync(file)), {
    frame(f) {
      const p = decodeFrame(f);
      tracker.process(p);
      udp.process(p);
    },
    problem() {},
  });
  tracker.finish();
  conns.sort((a, b) => a.firstPacket - b.firstPacket);
  const rows: Row[] = [];
  for (const c of conns) {
    for (const s of zeekSummaries(c)) {
      const timed = s.duration > 0;
      rows.push({
        proto: 'tcp',
        origAddr: s.origAddr,
        origPort: s.origPort,
        respAddr: s.respAddr,
        respPort: s.respPort,
        connState: s.connState,
        history: s.history === '' ? '-' : s.history,
        origPkts: s.origPkts,
        respPkts: s.respPkts,
        origBytes: timed ? String(s.origBytes) : '-',
        respBytes: timed ? String(s.respBytes) : '-',
        duration: timed ? s.duration.toFixed(6) : '-',
        missedBytes: s.missedBytes,
        origIpBytes: s.origIpBytes,
        respIpBytes: s.respIpBytes,
        startTs: s.startTs,
        firstPacket: s.firstPacket,
        trackerId: c.id,
        parts: s.parts,
      });
    }
  }
  for (const s of udp.finish()) {
    const timed = s.duration > 0;
    rows.push({
      proto: 'udp',
      origAddr: s.origAddr,
      origPort: s.origPort,
      respAddr: s.respAddr,
      respPort: s.respPort,
      connState: s.connState,
      history: s.history === '' ? '-' : s.history,
      origPkts: s.origPkts,
      respPkts: s.respPkts,
      origBytes: timed ? String(s.origBytes) : '-',
      respBytes: timed ? String(s.respBytes) : '-',
      duration: timed ? s.duration.toFixed(6) : '-',
      missedBytes: 0,
      origIpBytes: s.origIpBytes,
      respIpBytes: s.respIpBytes,
      startTs: s.startTs,
      firstPacket: s.firstPacket,
    });
  }
  rows.sort((a, b) => a.firstPacket - b.firstPacket || a.startTs - b.startTs);
  return { rows, tcpConnections: conns };
}
