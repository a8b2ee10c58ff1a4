/**
 * `wirelens sniff [-i IFACE] [FILTER]`: live capture through libpcap (the `cap` binding).
 *
 * Live and replay run the same code: every packet becomes a `Frame`, is decoded by `decodeFrame`
 * and tracked by a flow `Session`, and is printed by the same renderers as `read` (one line, `-v`,
 * `-x`, `--json`). `--conns` shows the connection table instead, redrawn in place on a terminal
 * (plain periodic lines otherwise), with listen-backlog warnings as they happen. On Ctrl-C, at
 * `-c N` or at `--duration`, capture stops and a final report follows: the connections as `conns`
 * prints them, listener findings, and what is honestly known about the capture (see
 * capture/live.ts: no libpcap timestamps, no pcap_stats).
 */

import { linkTypeName } from '../capture/linktype.js';
import {
  counterDelta,
  defaultInterface,
  findInterface,
  LIBPCAP_SNAPLEN,
  type LiveCapture,
  LiveClock,
  LiveFilterError,
  listInterfaces,
  loadCap,
  noDefaultInterface,
  openLive,
  readInterfaceCounters,
  SYSFS_NET,
} from '../capture/live.js';
import type { Frame } from '../capture/types.js';
import { type CaptureWriter, createCaptureWriter, formatFromPath } from '../capture/writer.js';
import { ExitCode, type ExitCodeValue, UserError } from '../core/errors.js';
import { escapeText } from '../core/escape.js';
import { TextBuffer } from '../core/text-buffer.js';
import { formatIso } from '../core/time.js';
import { finish, pseudoSum4, sumWords } from '../decode/checksum.js';
import { decodeFrame } from '../decode/pipeline.js';
import type { Packet, PacketStatus } from '../decode/types.js';
import { compileFilter, type Expr } from '../filter/index.js';
import { RelativeSeqTracker } from '../flow/relseq.js';
import { type PacketFlowResult, Session, type SessionOptions } from '../flow/session.js';
import type { TcpConnection } from '../flow/tcp/connection.js';
import { ListenerTracker } from '../flow/tcp/listeners.js';
import { connectionExtras } from '../report/conn-extras.js';
import { type ConnRecord, renderConnsTable, tcpRecord, udpRecord } from '../report/conns.js';
import { endpoint, TimeFormatter, type TimeMode } from '../report/format.js';
import { renderListeners } from '../report/listeners.js';
import { packetHex } from '../report/packet-hex.js';
import { writePacketJson } from '../report/packet-json.js';
import { packetLine } from '../report/packet-line.js';
import { packetTree } from '../report/packet-tree.js';
import type { Style } from '../report/style.js';
import { TagCache } from '../report/tag-cache.js';
import { parseLocalNets } from './addr.js';
import type { Diagnostics } from './diagnostics.js';
import { LineWriter } from './output.js';

export interface SniffOptions {
  /** Interface; undefined: the first one up, not loopback, with an address. */
  readonly iface: string | undefined;
  readonly filter: string;
  readonly count: number | undefined;
  /** Seconds. */
  readonly duration: number | undefined;
  /** Emulated snap length (libpcap's is fixed at 65535 by the binding). */
  readonly snaplen: number | undefined;
  readonly write: string | undefined;
  readonly format: 'pcap' | 'pcapng' | undefined;
  readonly time: TimeMode;
  readonly absoluteSeq: boolean;
  readonly verbose: boolean;
  readonly hex: boolean;
  readonly json: boolean;
  /** Live connection table instead of packet lines. */
  readonly conns: boolean;
  /** Seconds between connection-table updates. */
  readonly interval: number;
  readonly tags: boolean;
  readonly localNets: readonly string[];
  readonly session: SessionOptions;
  /** Module to load instead of `cap` (tests); default: $WIRELENS_CAP_MODULE, else `cap`. */
  readonly capModule?: string | undefined;
  /** Redraw the table in place; default: standard output is a terminal. */
  readonly tty?: boolean | undefined;
}

export type StopReason = 'count' | 'duration' | 'interrupt' | 'output-closed' | 'error';

const STOP_TEXT: Record<StopReason, string> = {
  count: 'packet count (-c) reached',
  duration: 'duration (--duration) reached',
  interrupt: 'interrupted (Ctrl-C)',
  'output-closed': 'output closed',
  error: 'error',
};

/** What is known about the capture, in the final report (`--json`: the `capture` object of the summary). */
export interface CaptureStats {
  readonly interface: string;
  readonly linktype: string;
  readonly filter: string;
  readonly snaplen: number;
  readonly started: string;
  readonly duration: number;
  readonly stopped_by: StopReason;
  /** Packets libpcap delivered to wirelens (they all matched the filter: it runs in the kernel). */
  readonly passed_to_wirelens: number;
  readonly by_status: Record<PacketStatus, number>;
  /** Not available through the `cap` binding (no pcap_stats): always null. */
  readonly received_by_filter: null;
  readonly dropped_by_kernel: null;
  readonly dropped_by_interface: null;
  /** Changes of the interface's own counters over the capture (all its traffic), or null. */
  readonly interface_counters: {
    readonly source: string;
    readonly rx_packets: number;
    readonly tx_packets: number;
    readonly rx_dropped: number;
    readonly tx_dropped: number;
  } | null;
  readonly cut_by_snaplen: number;
  readonly at_libpcap_snaplen: number;
  readonly written?: { readonly file: string; readonly packets: number };
  /** Connections that ended after the first MAX_REPORTED: counted, not listed. */
  readonly connections_not_listed: number;
  readonly timestamps: string;
  readonly notes: readonly string[];
}

/** Connections kept for the final report, at most: a capture can run for days. */
export const MAX_REPORTED = 100_000;

const TIMESTAMP_NOTE =
  'taken when each packet reached wirelens (the cap binding does not pass libpcap timestamps on): a monotonic clock anchored to the wall clock at start, microsecond resolution';
const STATS_NOTE =
  'packets received by the filter and dropped by the kernel or libpcap buffer are not available: the cap binding does not expose pcap_stats';

/** True if the expression uses `ip broadcast`, which `cap` compiles with a wrong netmask. */
function usesIpBroadcast(e: Expr): boolean {
  switch (e.kind) {
    case 'and':
    case 'or':
      return usesIpBroadcast(e.left) || usesIpBroadcast(e.right);
    case 'not':
      return usesIpBroadcast(e.expr);
    case 'broadcast':
      return e.level === 'ip';
    default:
      return false;
  }
}

const OPENING = new Set(['SYN-SENT', 'SYN-RECEIVED', 'CLOSED', 'LISTEN']);
const FINISHED = new Set(['CLOSED', 'TIME-WAIT', 'LISTEN']);

export type ConnPhase = 'new' | 'established' | 'closing' | 'time-wait' | 'closed';

/**
 * Where a tracked connection stands at `now`: opening (until the handshake's last ACK), established,
 * closing, in TIME-WAIT (2×MSL not yet over), or closed.
 */
export function connPhase(c: TcpConnection, now: number): ConnPhase {
  const o = c.orig;
  const r = c.resp;
  const inTw = (s: typeof o) =>
    s.state === 'TIME-WAIT' && (s.timeWaitEnd === undefined || s.timeWaitEnd > now);
  if (inTw(o) || inTw(r)) return 'time-wait';
  if (FINISHED.has(o.state) && FINISHED.has(r.state)) return 'closed';
  // The server's ESTABLISHED is inferred only from its next packet: count the handshake's last ACK.
  const acked = r.state === 'SYN-RECEIVED' && c.ackTs !== undefined;
  if (o.state === 'ESTABLISHED' && (r.state === 'ESTABLISHED' || acked)) return 'established';
  if (OPENING.has(o.state) || (o.state === 'ESTABLISHED' && r.state === 'SYN-RECEIVED')) return 'new';
  return 'closing';
}

interface Warning {
  readonly kind: 'syn-dropped' | 'ack-dropped' | 'abort-on-overflow';
  readonly listener: string;
  readonly client: string;
  readonly packet: number;
  readonly text: string;
}

/** Most keys the warning throttle and the per-listener SYN,ACK times keep before starting over. */
const MAX_KEYS = 10_000;

/**
 * The live connection view: counts by phase, the table of tracked connections, and listen-backlog
 * warnings found packet by packet (the same evidence `listeners` uses at the end: a SYN,ACK
 * retransmitted after the client's ACK, SYNs retransmitted unanswered while the listener answers
 * others, a RST right after the handshake).
 */
class ConnsMonitor {
  private maxTcpId = 0;
  private maxUdpId = 0;
  private readonly ackDropSeen = new WeakMap<TcpConnection, number>();
  private readonly warnedAbort = new WeakSet<TcpConnection>();
  private readonly lastSynAck = new Map<string, number>();
  private readonly throttle = new Map<string, { last: number; suppressed: number }>();
  private readonly recent: string[] = [];
  private drawnRows = 0;
  packets = 0;

  constructor(
    private readonly session: Session,
    private readonly st: Style,
    private readonly out: LineWriter,
    private readonly tty: boolean,
    private readonly json: boolean,
    private readonly start: number,
    private readonly iface: string,
  ) {}

  onPacket(p: Packet, flow: PacketFlowResult): void {
    this.packets++;
    if (flow.udp && flow.udp.id > this.maxUdpId) this.maxUdpId = flow.udp.id;
    const res = flow.tcp;
    if (!res) return;
    const c = res.conn;
    const seg = res.seg;
    if (c.id > this.maxTcpId) this.maxTcpId = c.id;
    const listener = endpoint(c.resp.addr, c.resp.port);
    const client = endpoint(c.orig.addr, c.orig.port);
    const ts = p.frame.ts;
    if (!seg.fromOrig && seg.syn && seg.hasAck) {
      if (this.lastSynAck.size >= MAX_KEYS) this.lastSynAck.clear();
      this.lastSynAck.set(listener, ts);
    }
    const dropped = c.ackDropped.length;
    if (dropped > (this.ackDropSeen.get(c) ?? 0)) {
      this.ackDropSeen.set(c, dropped);
      this.warn(
        {
          kind: 'ack-dropped',
          listener,
          client,
          packet: seg.n,
          text: `${listener} retransmitted its SYN,ACK to ${client} after the client's ACK (packet ${c.ackDropped[dropped - 1]}): the accept queue is full, the ACK was dropped, and the client believes it is connected`,
        },
        ts,
      );
    }
    if (seg.fromOrig && seg.syn && !seg.hasAck && c.orig.syns > 1 && c.resp.syns === 0) {
      const answered = this.lastSynAck.get(listener);
      if (answered !== undefined && ts - answered < 10) {
        this.warn(
          {
            kind: 'syn-dropped',
            listener,
            client,
            packet: seg.n,
            text: `SYN from ${client} to ${listener} retransmitted (${c.orig.syns - 1}×) without an answer while ${listener} answers other clients: its SYN queue or accept queue is full`,
          },
          ts,
        );
      }
    }
    if (
      !seg.fromOrig &&
      seg.rst &&
      !this.warnedAbort.has(c) &&
      c.ackTs !== undefined &&
      c.resp.payloadBytes === 0
    ) {
      const t = c.rstFromSynReceivedTs;
      if (t !== undefined && t - c.ackTs < 1) {
        this.warnedAbort.add(c);
        this.warn(
          {
            kind: 'abort-on-overflow',
            listener,
            client,
            packet: seg.n,
            text: `${listener} reset ${client} right after the handshake, before sending anything: accept queue full with tcp_abort_on_overflow=1`,
          },
          ts,
        );
      }
    }
  }

  /** Print a warning at once, at most once a second per kind and listener (the rest are counted). */
  private warn(w: Warning, ts: number): void {
    const key = `${w.kind} ${w.listener}`;
    let t = this.throttle.get(key);
    if (!t) {
      if (this.throttle.size >= MAX_KEYS) this.throttle.clear();
      t = { last: Number.NEGATIVE_INFINITY, suppressed: 0 };
      this.throttle.set(key, t);
    }
    if (ts - t.last < 1) {
      t.suppressed++;
      return;
    }
    const suppressed = t.suppressed;
    const more = suppressed > 0 ? ` (+${suppressed} more like it since the last warning)` : '';
    t.last = ts;
    t.suppressed = 0;
    const rel = (ts - this.start).toFixed(3);
    if (this.json) {
      this.out.line(JSON.stringify({ warning: { ...w, time: Number(rel), more: suppressed } }));
      this.out.flush();
      return;
    }
    const line = this.st.warn(`⚠ +${rel}s packet ${w.packet}: ${w.text}${more}`);
    if (this.tty) {
      this.recent.push(line);
      if (this.recent.length > 5) this.recent.shift();
    } else {
      this.out.line(line);
      this.out.flush();
    }
  }

  counts(now: number): Record<ConnPhase, number> {
    const n: Record<ConnPhase, number> = { new: 0, established: 0, closing: 0, 'time-wait': 0, closed: 0 };
    for (const c of this.session.tcp.active()) n[connPhase(c, now)]++;
    return n;
  }

  /** One update: a plain line (or JSON object), or the redrawn table on a terminal. */
  tick(now: number): void {
    const n = this.counts(now);
    const elapsed = now - this.start;
    const udp = this.session.udp.size;
    if (this.json) {
      this.out.line(
        JSON.stringify({
          status: {
            elapsed: Number(elapsed.toFixed(3)),
            packets: this.packets,
            tcp: { seen: this.maxTcpId, tracked: this.session.tcp.size, ...n },
            udp: { seen: this.maxUdpId, tracked: udp },
          },
        }),
      );
      this.out.flush();
      return;
    }
    const summary =
      `+${elapsed.toFixed(1)}s ${this.packets} packets; TCP ${this.maxTcpId} seen: ${n.new} new, ` +
      `${n.established} established, ${n.closing} closing, ${n['time-wait']} TIME-WAIT, ${n.closed} closed; ` +
      `UDP ${this.maxUdpId} seen, ${udp} tracked`;
    if (!this.tty) {
      this.out.line(summary);
      this.out.flush();
      return;
    }
    const rowsAvail = Math.max(3, (process.stdout.rows || 24) - 8 - this.recent.length);
    const active = [...this.session.tcp.active()];
    const shown = active.slice(-rowsAvail);
    const records = shown.map((c) => tcpRecord(c, connectionExtras(c)));
    const lines = [
      `${this.st.heading(`wirelens sniff ${escapeText(this.iface)}`)}  ${summary}`,
      ...(records.length > 0 ? renderConnsTable(records, this.st) : ['no TCP connections tracked']),
    ];
    if (active.length > shown.length)
      lines.push(this.st.dim(`… ${active.length - shown.length} older not shown`));
    lines.push(...this.recent);
    this.draw(lines);
  }

  /** Replace what was drawn last with `lines` (cursor up, clear to the end of the screen). */
  private draw(lines: readonly string[]): void {
    const cols = process.stdout.columns || 80;
    let text = '';
    if (this.drawnRows > 0) text += `\x1b[${this.drawnRows}F\x1b[J`;
    let rows = 0;
    for (const l of lines) {
      const visible = l.replace(/\x1b\[[0-9;]*m/g, '').length;
      rows += Math.max(1, Math.ceil(visible / cols));
      text += `${l}\n`;
    }
    this.drawnRows = rows;
    process.stdout.write(text);
  }

  /** Remove the live table before the final report. */
  clear(): void {
    if (this.tty && this.drawnRows > 0) process.stdout.write(`\x1b[${this.drawnRows}F\x1b[J`);
    this.drawnRows = 0;
    if (this.tty) for (const l of this.recent) this.out.line(l);
  }
}

/**
 * Frames from the lab captures (fixtures/lab: an ARP request and a DNS query from
 * http-keepalive.pcap; a SYN and an ACK from close-client-first.pcap, templates for a whole TCP
 * conversation), run through the pipeline once before capturing. Live timestamps are taken when a
 * packet's turn comes in JavaScript, and the first packets through cold code cost milliseconds of
 * compilation each (measured: ~25 ms for the first packet, ~7 ms for the first SYN,ACK through the
 * TCP state machine): without this, the packets right after them get times that much too late.
 */
const WARM_ARP = 'ffffffffffff02000a00010208060001080006040001 02000a0001020a0001020000000000000a000101';
const WARM_DNS =
  '02000a00010102000a00010208004500003db8e8400040116ac40a0001020a0002029c7500350029c3524c410100000100000000000003777777036c6162076578616d706c650000010001';
const WARM_SYN =
  '02000a00010102000a00010208004500003c11214000400612980a0001020a0002029c4a2328ef54069f00000000a002faf0bd0a0000020405b40402080a84773f20000000000103030a';
const WARM_ACK =
  '02000a00010102000a000102080045000034112240004006129f0a0001020a0002029c4a2328ef5406a0defddb898010003f123b00000101080a84773f20f47d253b';

/** Offsets in an untagged Ethernet + 20-byte IPv4 + TCP frame. */
const IP_LEN = 16;
const IP_SUM = 24;
const IP_SRC = 26;
const IP_DST = 30;
const TCP_AT = 34;
const TCP_SEQ = 38;
const TCP_ACK = 42;
const TCP_FLAGS = 47;
const TCP_SUM = 50;

function swap(d: Uint8Array, a: number, b: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = d[a + i]!;
    d[a + i] = d[b + i]!;
    d[b + i] = x;
  }
}

/** One segment of the warm-up conversation from a template, with its lengths and checksums right. */
function warmSegment(
  template: string,
  fromClient: boolean,
  flags: number,
  seq: number,
  ack: number,
  payload = 0,
): Uint8Array {
  const t = Buffer.from(template, 'hex');
  const d = new Uint8Array(t.length + payload);
  d.set(t);
  d.fill(0x61, t.length);
  if (!fromClient) {
    swap(d, 0, 6, 6);
    swap(d, IP_SRC, IP_DST, 4);
    swap(d, TCP_AT, TCP_AT + 2, 2);
  }
  const dv = new DataView(d.buffer);
  dv.setUint16(IP_LEN, d.length - 14);
  dv.setUint16(IP_SUM, 0);
  dv.setUint16(IP_SUM, finish(sumWords(d, 14, TCP_AT)));
  dv.setUint32(TCP_SEQ, seq);
  dv.setUint32(TCP_ACK, ack);
  d[TCP_FLAGS] = flags;
  dv.setUint16(TCP_SUM, 0);
  const sum = pseudoSum4(dv.getUint32(IP_SRC), dv.getUint32(IP_DST), 6, d.length - TCP_AT);
  dv.setUint16(TCP_SUM, finish(sumWords(d, TCP_AT, d.length, sum)));
  return d;
}

/** The warm-up frames: ARP, DNS, and a TCP connection from handshake through data to a four-way close. */
export function warmUpFrames(): Frame[] {
  const c = 1000;
  const s = 5000;
  const [SYN, ACK, PSH, FIN] = [0x02, 0x10, 0x18, 0x11];
  const data = [
    Buffer.from(WARM_ARP.replace(/\s+/g, ''), 'hex'),
    Buffer.from(WARM_DNS, 'hex'),
    warmSegment(WARM_SYN, true, SYN, c, 0),
    warmSegment(WARM_SYN, false, SYN | ACK, s, c + 1),
    warmSegment(WARM_ACK, true, ACK, c + 1, s + 1),
    warmSegment(WARM_ACK, true, PSH, c + 1, s + 1, 100),
    warmSegment(WARM_ACK, false, ACK, s + 1, c + 101),
    warmSegment(WARM_ACK, false, PSH, s + 1, c + 101, 200),
    warmSegment(WARM_ACK, true, ACK, c + 101, s + 201),
    warmSegment(WARM_ACK, true, FIN, c + 101, s + 201),
    warmSegment(WARM_ACK, false, FIN, s + 201, c + 102),
    warmSegment(WARM_ACK, true, ACK, c + 102, s + 202),
  ];
  return data.map((bytes, i) => {
    const d = Uint8Array.from(bytes);
    const t = 1_700_000_000 + i / 1000;
    return {
      index: i + 1,
      tsSec: 1_700_000_000,
      tsNsec: i * 1_000_000,
      ts: t,
      caplen: d.length,
      origlen: d.length,
      linkType: 1,
      interfaceId: 0,
      data: d,
      fileOffset: -1,
    };
  });
}

function warmUp(style: Style, addrTag: ((a: number | Uint8Array) => string) | undefined): void {
  const session = new Session();
  const rel = new RelativeSeqTracker();
  const scratch = new TextBuffer(4096);
  for (const f of warmUpFrames()) {
    const p = decodeFrame(f);
    session.process(p);
    const r = p.tcp ? rel.relative(p) : undefined;
    packetLine(p, { style, time: '', rel: r, numberWidth: 5, addrTag });
    scratch.truncate();
    writePacketJson(scratch, p, r);
  }
  session.finish();
}

/**
 * The connection as the listener analysis should see it live: without the time of the server's
 * packet after its SYN,ACK. The SYN-cookie sign compares the TCP timestamp lag with the capture
 * time between the two packets to the millisecond, and live times (taken when JavaScript gets to a
 * packet) are not that precise: on loopback it flagged ordinary handshakes. The sign from options
 * dropped by the SYN,ACK does not depend on time and stays. A view: the connection is not changed.
 */
export function withoutTimingEvidence(c: TcpConnection): TcpConnection {
  return Object.create(c, { nextRespTs: { value: undefined } }) as TcpConnection;
}

function sortRecords(rows: ConnRecord[]): ConnRecord[] {
  return rows.sort((a, b) => {
    if (a.ts !== b.ts) return a.ts - b.ts;
    return a.proto === b.proto ? a.index - b.index : a.proto === 'tcp' ? -1 : 1;
  });
}

/** The final statistics as text lines. */
export function statsLines(s: CaptureStats, st: Style): string[] {
  const out = [
    st.heading(
      `Capture statistics: ${escapeText(s.interface)} (${s.linktype}), ${s.duration.toFixed(3)} s, stopped: ${STOP_TEXT[s.stopped_by]}`,
    ),
  ];
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const statusParts = (['decoded', 'truncated', 'malformed', 'unsupported'] as const)
    .filter((k) => s.by_status[k] > 0)
    .map((k) => `${s.by_status[k]} ${k}`);
  out.push(
    `  ${plural(s.passed_to_wirelens, 'packet')} passed to wirelens${statusParts.length > 0 ? ` (${statusParts.join(', ')})` : ''}` +
      (s.filter !== ''
        ? `; libpcap applied the filter in the kernel: all matched "${escapeText(s.filter)}"`
        : ''),
  );
  out.push(
    `  received by the filter, dropped by the kernel or libpcap: not available (the cap binding has no pcap_stats)`,
  );
  const c = s.interface_counters;
  if (c) {
    out.push(
      `  interface counters during the capture (${c.source}, all traffic on the interface): ` +
        `received ${c.rx_packets}, sent ${c.tx_packets}, dropped ${c.rx_dropped} received / ${c.tx_dropped} sent`,
    );
  } else {
    out.push(`  interface counters: not available (no ${SYSFS_NET}/${escapeText(s.interface)}/statistics)`);
  }
  if (s.cut_by_snaplen > 0) {
    out.push(
      `  ${plural(s.cut_by_snaplen, 'packet')} cut to the snap length ${s.snaplen} (-s); original lengths kept`,
    );
  }
  if (s.at_libpcap_snaplen > 0) {
    out.push(
      `  ${plural(s.at_libpcap_snaplen, 'packet')} of exactly ${LIBPCAP_SNAPLEN} bytes: may have been longer (the binding's fixed snap length; original length unknown)`,
    );
  }
  if (s.connections_not_listed > 0) {
    out.push(
      `  ${plural(s.connections_not_listed, 'connection')} not listed above (only the first ${MAX_REPORTED} that ended are kept)`,
    );
  }
  if (s.written) out.push(`  wrote ${plural(s.written.packets, 'packet')} to ${escapeText(s.written.file)}`);
  out.push(st.dim(`  timestamps: ${s.timestamps}`));
  return out;
}

export async function runSniff(o: SniffOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  // The filter first, exactly as `read` checks it: the same error, with a caret, even without libpcap.
  const filter = compileFilter(o.filter);
  if (usesIpBroadcast(filter.ast)) {
    throw new UserError(
      "'ip broadcast' cannot be used for live capture: the cap binding passes the network address where libpcap expects the netmask, so libpcap would test the wrong addresses (use 'dst host A.B.C.255' for the subnet's broadcast address)",
      ExitCode.usage,
    );
  }
  if (o.snaplen !== undefined && (o.snaplen < 1 || o.snaplen > LIBPCAP_SNAPLEN)) {
    throw new UserError(
      `-s must be between 1 and ${LIBPCAP_SNAPLEN} (the cap binding fixes libpcap's snap length at ${LIBPCAP_SNAPLEN})`,
      ExitCode.usage,
    );
  }
  if (o.write === '-') {
    throw new UserError(
      'sniff prints to standard output, so -w needs a file name (for a pipe, use tcpdump -w - | wirelens read -)',
      ExitCode.usage,
    );
  }
  const local = parseLocalNets(o.localNets);
  const cap = loadCap(o.capModule);
  const list = listInterfaces(cap);
  const iface = o.iface !== undefined ? findInterface(list, o.iface) : defaultInterface(list);
  if (!iface) throw noDefaultInterface(list);

  warmUp(style, o.tags ? new TagCache(local).tag : undefined);
  const clock = new LiveClock();
  const start = clock.now();
  const startTs = start.sec + start.nsec / 1e9;
  const out = new LineWriter();
  const tty = o.tty ?? process.stdout.isTTY === true;
  const byStatus: Record<PacketStatus, number> = { decoded: 0, truncated: 0, malformed: 0, unsupported: 0 };
  const rows: ConnRecord[] = [];
  let rowsNotKept = 0;
  const keep = (r: ConnRecord) => {
    if (rows.length < MAX_REPORTED) rows.push(r);
    else rowsNotKept++;
  };
  const listeners = new ListenerTracker();
  const session = new Session(o.session, {
    tcpEnd: (c) => {
      keep(tcpRecord(c, connectionExtras(c)));
      listeners.add(withoutTimingEvidence(c));
    },
    udpEnd: (f) => {
      keep(udpRecord(f));
    },
  });
  const monitor = o.conns
    ? new ConnsMonitor(session, style, out, tty, o.json, startTs, iface.name)
    : undefined;

  // The per-packet view, exactly as `read` prints it.
  const times = new TimeFormatter(o.time);
  const rel = o.absoluteSeq ? undefined : new RelativeSeqTracker();
  const addrTag = o.tags ? new TagCache(local).tag : undefined;
  let numberWidth = 5;
  const printPacket = (frame: Frame, p: Packet) => {
    const r = rel && p.tcp ? rel.relative(p) : undefined;
    times.observe(frame.tsSec, frame.tsNsec);
    if (frame.index >= 100000 && numberWidth < String(frame.index).length)
      numberWidth = String(frame.index).length;
    if (o.json) {
      // Straight into the output's byte buffer, as `read --json` does: no string per packet.
      writePacketJson(out.text, p, r);
      out.endLine();
      return;
    }
    const time = times.format(frame.tsSec, frame.tsNsec);
    out.line(packetLine(p, { style, time, rel: r, numberWidth, addrTag }));
    if (o.verbose) out.line(packetTree(p, style));
    if (o.hex) out.line(packetHex(p, style));
    if (o.verbose || o.hex) out.line('');
  };

  let writer: CaptureWriter | undefined;
  let stopReason: StopReason | undefined;
  let failure: unknown;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });
  let live: LiveCapture | undefined;
  const stop = (why: StopReason) => {
    if (stopReason !== undefined) return;
    stopReason = why;
    live?.stop();
    resolveStopped();
  };
  let flushPending = false;
  const flushSoon = () => {
    if (flushPending) return;
    flushPending = true;
    setImmediate(() => {
      flushPending = false;
      out.flush();
    });
  };
  out.onClosed = () => stop('output-closed');

  try {
    live = openLive(
      cap,
      { iface: iface.name, filter: o.filter, snaplen: o.snaplen, clock },
      {
        frame(f) {
          const p = decodeFrame(f);
          byStatus[p.status]++;
          const flow = session.process(p);
          writer?.write(f);
          if (monitor) monitor.onPacket(p, flow);
          else {
            printPacket(f, p);
            flushSoon();
          }
          if (o.count !== undefined && f.index >= o.count) stop('count');
        },
        error(e) {
          failure = e;
          stop('error');
        },
      },
    );
  } catch (e) {
    if (e instanceof LiveFilterError) {
      const why = filter.linkTypeError(e.linkType);
      if (why !== undefined) {
        throw new UserError(
          `the filter cannot be used on ${escapeText(iface.name)}: ${why} (libpcap: ${escapeText(e.libpcapMessage)})`,
          ExitCode.usage,
        );
      }
    }
    throw e;
  }
  const capture = live;
  const countersBefore = readInterfaceCounters(iface.name);
  try {
    // Opened in the same tick as the capture: no packet can arrive before the file exists.
    if (o.write) {
      writer = createCaptureWriter(o.write, o.format ?? formatFromPath(o.write), {
        snaplen: capture.snaplen,
        linkType: capture.linkType,
      });
    }
  } catch (e) {
    capture.stop();
    throw e;
  }
  diag.info(
    `capturing on ${escapeText(iface.name)} (${linkTypeName(capture.linkType)}, snap length ${capture.snaplen})` +
      `${o.filter !== '' ? `, filter "${escapeText(o.filter)}"` : ''}; Ctrl-C to stop`,
  );

  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    stop('interrupt');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timers: NodeJS.Timeout[] = [];
  if (o.duration !== undefined) timers.push(setTimeout(() => stop('duration'), o.duration * 1000));
  if (monitor) {
    timers.push(
      setInterval(() => {
        const t = clock.now();
        monitor.tick(t.sec + t.nsec / 1e9);
      }, o.interval * 1000),
    );
  }

  await stopped;
  for (const t of timers) clearTimeout(t);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const end = clock.now();
  const countersAfter = readInterfaceCounters(iface.name);
  let writeError: unknown;
  try {
    await writer?.close();
  } catch (e) {
    writeError = e;
  }
  if (failure !== undefined) throw failure;
  if (writeError !== undefined) throw writeError;
  if (stopReason === 'output-closed') return ExitCode.ok;

  session.finish();
  monitor?.clear();
  const delta = counterDelta(countersBefore, countersAfter);
  const stats: CaptureStats = {
    interface: iface.name,
    linktype: linkTypeName(capture.linkType),
    filter: o.filter,
    snaplen: capture.snaplen,
    started: formatIso(start.sec, start.nsec),
    duration: end.sec - start.sec + (end.nsec - start.nsec) / 1e9,
    stopped_by: stopReason ?? 'interrupt',
    passed_to_wirelens: capture.counts.received,
    by_status: byStatus,
    received_by_filter: null,
    dropped_by_kernel: null,
    dropped_by_interface: null,
    interface_counters: delta
      ? {
          source: `${SYSFS_NET}/${iface.name}/statistics`,
          rx_packets: delta.rxPackets,
          tx_packets: delta.txPackets,
          rx_dropped: delta.rxDropped,
          tx_dropped: delta.txDropped,
        }
      : null,
    cut_by_snaplen: capture.counts.cutBySnaplen,
    at_libpcap_snaplen: capture.counts.atLibpcapSnaplen,
    ...(writer && o.write ? { written: { file: o.write, packets: writer.frames } } : {}),
    connections_not_listed: rowsNotKept,
    timestamps: TIMESTAMP_NOTE,
    notes: [STATS_NOTE],
  };
  const conns = sortRecords(rows);
  const findings = listeners.reports().filter((r) => r.findings.length > 0);
  const untracked = listeners.untrackedNote();
  if (untracked !== undefined) diag.info(untracked);
  if (o.json) {
    out.line(JSON.stringify({ summary: { connections: conns, listeners: findings, capture: stats } }));
  } else {
    if (!monitor || !tty) out.line('');
    for (const l of renderConnsTable(conns, style)) out.line(l);
    if (findings.length > 0) {
      out.line('');
      for (const l of renderListeners(findings, startTs, style)) out.line(l);
    }
    out.line('');
    for (const l of statsLines(stats, style)) out.line(l);
  }
  await out.end();
  return ExitCode.ok;
}
