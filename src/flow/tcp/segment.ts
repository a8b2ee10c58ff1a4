/** One TCP segment as the connection tracker sees it: the packet, its direction, and sequence-space facts. */
import type { Anomaly } from '../../core/anomaly.js';
import { type Seq, seq } from '../../core/seq.js';
import { type Packet, TcpFlag, type TcpLayer } from '../../decode/types.js';

export interface Segment {
  readonly packet: Packet;
  /** Frame number. */
  readonly n: number;
  readonly ts: number;
  /** Sent by the connection's originator (the sender of the first SYN, or the guessed client). */
  readonly fromOrig: boolean;
  readonly tcp: TcpLayer;
  readonly seq: Seq;
  readonly ack: Seq;
  readonly flags: number;
  /** Payload bytes (as the IP header declares, even if the capture cut them). */
  readonly len: number;
  /** Sequence space consumed: payload + 1 for SYN + 1 for FIN. */
  readonly seqLen: number;
  readonly syn: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly hasAck: boolean;
  /** Wireshark-style analysis flags found for this segment (filled by the analysis module via addFlag). */
  analysis: readonly string[];
  /** Anomalies the tracker attached to this segment (via addSegmentAnomaly). */
  anomalies: readonly Anomaly[];
}

const NO_FLAGS: readonly string[] = Object.freeze([]);
const NO_ANOMALIES: readonly Anomaly[] = Object.freeze([]);

/** Most segments have no flag and no anomaly: their arrays are made on the first one. */
export function addFlag(seg: Segment, flag: string): void {
  if (seg.analysis === NO_FLAGS) seg.analysis = [flag];
  else (seg.analysis as string[]).push(flag);
}

export function addSegmentAnomaly(seg: Segment, a: Anomaly): void {
  if (seg.anomalies === NO_ANOMALIES) seg.anomalies = [a];
  else (seg.anomalies as Anomaly[]).push(a);
}

export function makeSegment(p: Packet, tcp: TcpLayer, fromOrig: boolean): Segment {
  const f = tcp.flags;
  const syn = (f & TcpFlag.SYN) !== 0;
  const fin = (f & TcpFlag.FIN) !== 0;
  const len = Math.max(0, tcp.payloadLength);
  return {
    packet: p,
    n: p.frame.index,
    ts: p.frame.ts,
    fromOrig,
    tcp,
    seq: seq(tcp.seq),
    ack: seq(tcp.ack),
    flags: f,
    len,
    seqLen: len + (syn ? 1 : 0) + (fin ? 1 : 0),
    syn,
    fin,
    rst: (f & TcpFlag.RST) !== 0,
    hasAck: (f & TcpFlag.ACK) !== 0,
    analysis: NO_FLAGS,
    anomalies: NO_ANOMALIES,
  };
}
