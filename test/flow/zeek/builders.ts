/**
 * Hand-made packets for the Zeek summary's rule tests: just the fields the tracker and the summary
 * read, for a client 10.0.0.1:40000 and a server 10.0.0.2:80 (or the ports given).
 */
import type { ChecksumStatus, Packet } from '../../../src/decode/types.js';
import type { TcpConnection } from '../../../src/flow/tcp/connection.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../../src/flow/tcp/tracker.js';
import {
  type ZeekConnSummary,
  type ZeekTcpOptions,
  ZeekTcpSummary,
  zeekSummaries,
} from '../../../src/flow/tcp/zeek.js';

const CLIENT = 0x0a000001;
const SERVER = 0x0a000002;

export interface Spec {
  /** Seconds since the start of the capture. */
  readonly t: number;
  readonly from: 'c' | 's';
  /** Letters of S A F R P (SYN, ACK, FIN, RST, PSH). */
  readonly flags: string;
  readonly seq: number;
  readonly ack?: number;
  readonly len?: number;
  readonly win?: number;
  readonly tcpChecksum?: ChecksumStatus;
  readonly ipChecksum?: ChecksumStatus;
  /** Payload bytes captured (default: all). */
  readonly captured?: number;
  readonly clientPort?: number;
  readonly serverPort?: number;
}

const BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10 };
const T0 = 1_700_000_000;

export function tcpPacket(n: number, s: Spec): Packet {
  let flags = 0;
  for (const ch of s.flags) flags |= BITS[ch] ?? 0;
  const len = s.len ?? 0;
  const cp = s.clientPort ?? 40000;
  const sp = s.serverPort ?? 80;
  const c = s.from === 'c';
  const usec = Math.round(s.t * 1e6);
  const tsSec = T0 + Math.floor(usec / 1e6);
  const tsNsec = (usec % 1e6) * 1000;
  const p = {
    frame: { index: n, tsSec, tsNsec, ts: tsSec + tsNsec / 1e9, caplen: 54 + len, origlen: 54 + len },
    layers: [],
    anomalies: [],
    status: 'decoded',
    ip: {
      kind: 'ipv4',
      src: c ? CLIENT : SERVER,
      dst: c ? SERVER : CLIENT,
      totalLength: 40 + len,
      checksumStatus: s.ipChecksum ?? 'good',
    },
    tcp: {
      kind: 'tcp',
      srcPort: c ? cp : sp,
      dstPort: c ? sp : cp,
      seq: s.seq >>> 0,
      ack: (s.ack ?? 0) >>> 0,
      flags,
      window: s.win ?? 65535,
      checksumStatus: s.tcpChecksum ?? 'good',
      options: [],
      payloadLength: len,
      capturedPayload: s.captured ?? len,
    },
    udp: undefined,
    arp: undefined,
    payloadOffset: 54,
    payloadLength: len,
  };
  return p as unknown as Packet;
}

/** Every conn.log row for the packets, connection by connection. */
export function zeekRows(specs: readonly Spec[], opts: Partial<ZeekTcpOptions> = {}): ZeekConnSummary[] {
  const ended: TcpConnection[] = [];
  const tracker = new TcpTracker(
    { ...DEFAULT_TCP_OPTIONS, analyzers: () => [new ZeekTcpSummary(opts)] },
    { connectionEnd: (c) => ended.push(c) },
  );
  specs.forEach((s, i) => {
    tracker.process(tcpPacket(i + 1, s));
  });
  tracker.finish();
  ended.sort((a, b) => a.firstPacket - b.firstPacket);
  return ended.flatMap((c) => zeekSummaries(c));
}

export function udpPacket(
  n: number,
  t: number,
  src: [number, number],
  dst: [number, number],
  len: number,
  checksum: ChecksumStatus = 'good',
): Packet {
  const usec = Math.round(t * 1e6);
  const tsSec = T0 + Math.floor(usec / 1e6);
  const tsNsec = (usec % 1e6) * 1000;
  const p = {
    frame: { index: n, tsSec, tsNsec, ts: tsSec + tsNsec / 1e9, caplen: 42 + len, origlen: 42 + len },
    layers: [],
    anomalies: [],
    status: 'decoded',
    ip: { kind: 'ipv4', src: src[0], dst: dst[0], totalLength: 28 + len, checksumStatus: 'good' },
    tcp: undefined,
    udp: {
      kind: 'udp',
      srcPort: src[1],
      dstPort: dst[1],
      length: 8 + len,
      checksumStatus: checksum,
      payloadLength: len,
      capturedPayload: len,
    },
    arp: undefined,
    payloadOffset: 42,
    payloadLength: len,
  };
  return p as unknown as Packet;
}
