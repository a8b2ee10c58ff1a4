/**
 * One analysis run over a stream of decoded packets: the TCP connection table and the UDP flows,
 * with the limits the user chose. Commands create a session, feed it every packet, then finish it.
 */
import type { Packet } from '../decode/types.js';
import { DEFAULT_SESSION } from './defaults.js';
import { TcpAnalysis, TcpAnalysisContext } from './tcp/analysis.js';
import type { SegmentAnalyzer, TcpConnection } from './tcp/connection.js';
import { DEFAULT_TCP_OPTIONS, type EndReason, type TcpPacketResult, TcpTracker } from './tcp/tracker.js';
import { ZeekTcpSummary } from './tcp/zeek.js';
import { DEFAULT_UDP_OPTIONS, type UdpFlow, UdpTracker } from './udp.js';

export interface SessionOptions {
  /** Maximum segment lifetime, seconds (TIME-WAIT = 2×MSL). */
  readonly msl: number;
  readonly maxConnections: number;
  readonly maxUdpFlows: number;
  /**
   * Extra per-connection analysers (HTTP, reassembly…), run after the default ones (analysis flags,
   * Zeek summary); `defaults: false` leaves the defaults out.
   */
  readonly analyzers?: (c: TcpConnection) => SegmentAnalyzer[];
  readonly defaults?: boolean;
  /** Keep closed connections until their TIME-WAIT ends, so its expiry is in their story (`explain`). */
  readonly retainTimeWait?: boolean;
  /** Keep every connection's transition log (the story `explain` tells); off otherwise, to save memory. */
  readonly recordTransitions?: boolean;
  /** The command reads an ended connection only in `tcpEnd`, or retains it (see TcpTrackerOptions). */
  readonly recycleEnded?: boolean;
}

/**
 * The analysers every connection gets by default: Wireshark-style analysis flags (first: others
 * read `seg.analysis`) and the Zeek-compatible summary. One analysis context per session lets a
 * connection that reuses a 4-tuple see its predecessor.
 */
export function defaultAnalyzers(): (c: TcpConnection) => SegmentAnalyzer[] {
  // Finished analyses are remembered for a 4-tuple reused soon after; a few thousand is plenty.
  const context = new TcpAnalysisContext(4096);
  return () => [new TcpAnalysis({ context }), new ZeekTcpSummary()];
}

export { DEFAULT_SESSION };

export interface SessionEvents {
  tcpEnd?(c: TcpConnection, reason: EndReason): void;
  udpEnd?(f: UdpFlow, reason: 'expired' | 'evicted' | 'capture-end'): void;
}

export interface PacketFlowResult {
  readonly tcp: TcpPacketResult | undefined;
  readonly udp: UdpFlow | undefined;
}

export class Session {
  readonly tcp: TcpTracker;
  readonly udp: UdpTracker;

  constructor(opts: SessionOptions = DEFAULT_SESSION, events: SessionEvents = {}) {
    const base = opts.defaults === false ? undefined : defaultAnalyzers();
    const extra = opts.analyzers;
    const analyzers = base && extra ? (c: TcpConnection) => base(c).concat(extra(c)) : (base ?? extra);
    this.tcp = new TcpTracker(
      {
        ...DEFAULT_TCP_OPTIONS,
        msl: opts.msl,
        maxConnections: opts.maxConnections,
        ...(analyzers ? { analyzers } : {}),
        ...(opts.retainTimeWait ? { retainTimeWait: true } : {}),
        recordTransitions: opts.recordTransitions === true,
        ...(opts.recycleEnded ? { recycleEnded: true } : {}),
      },
      events.tcpEnd ? { connectionEnd: events.tcpEnd } : {},
    );
    this.udp = new UdpTracker({ ...DEFAULT_UDP_OPTIONS, maxFlows: opts.maxUdpFlows }, events.udpEnd);
  }

  process(p: Packet): PacketFlowResult {
    if (p.tcp) return { tcp: this.tcp.process(p), udp: undefined };
    if (p.udp) return { tcp: undefined, udp: this.udp.process(p) };
    return { tcp: undefined, udp: undefined };
  }

  finish(): void {
    this.tcp.finish();
    this.udp.finish();
  }
}
