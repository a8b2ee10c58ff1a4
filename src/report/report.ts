/**
 * `wirelens report FILE`: the whole picture of a capture in one terminal report — capture summary,
 * protocol hierarchy, hosts, conversations, TCP connections by state, listeners and backlog
 * findings, TIME-WAIT, anomalies by kind — built as a plain model (also the `--json` output) and
 * rendered in tables that fit 100 columns.
 */
import type { HostTable } from '../annotate/hosts.js';
import type { CaptureResult } from '../capture/types.js';
import { macToString } from '../core/addr.js';
import { anomalySpec } from '../core/anomaly.js';
import { plural } from '../core/plural.js';
import { formatDuration, formatIsoTime, roundMicros } from '../core/time.js';
import type { CaptureStats, HierarchyNode } from '../flow/stats.js';
import type { TcpConnection } from '../flow/tcp/connection.js';
import type { ListenerReport } from '../flow/tcp/listeners.js';
import { renderListeners } from './listeners.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

export interface ReportModel {
  capture: {
    file: string;
    format: string;
    byteOrder: string;
    compressed: boolean;
    precision: string;
    snaplen: number;
    interfaces: number;
    linkTypes: { name: string; packets: number }[];
    packets: number;
    bytes: number;
    capturedBytes: number;
    first: number | undefined;
    last: number | undefined;
    duration: number;
    decoded: number;
    truncated: number;
    malformed: number;
    unsupported: number;
    bytesSkipped: number;
    problems: { id: string; packet: number; offset: number; message: string; fatal: boolean }[];
  };
  protocols: { depth: number; name: string; packets: number; bytes: number }[];
  /**
   * `total`: the addresses kept, at most `limit`; once that many are kept, the packets with an
   * address beyond them are counted in `untrackedPackets` (the addresses are not).
   */
  hosts: { total: number; limit: number; untrackedPackets: number; shown: ReportHost[] };
  /** IANA registry violations: addresses used where the registry says they must not be. */
  violations: { id: string; count: number; firstPacket: number; example: string; summary: string }[];
  /** `total`: the address pairs kept, at most `limit`; `untrackedPackets` as for hosts. */
  conversations: { total: number; limit: number; untrackedPackets: number; shown: ReportConversation[] };
  tcp: {
    connections: number;
    byConnState: Record<string, number>;
    byFinalStates: Record<string, number>;
    origins: Record<string, number>;
    closers: Record<string, number>;
    analysis: Record<string, number>;
    evicted: number;
    expired: number;
    peakTracked: number;
  };
  udp: { flows: number; answered: number; unanswered: number };
  listeners: ListenerReport[];
  timeWait: {
    clientHolds: number;
    serverHolds: number;
    both: number;
    reuses: number;
    risky: number;
    lastDeadline: number | undefined;
  };
  anomalies: { id: string; severity: string; count: number; firstPacket: number; summary: string }[];
  /** Sections other layers add (HTTP, NAT, ARP) as ready-rendered data. */
  extra: Record<string, unknown>;
}

export interface ReportHost {
  addr: string;
  tag: string;
  macs: string[];
  sentPackets: number;
  sentBytes: number;
  recvPackets: number;
  recvBytes: number;
  initialTtls: number[];
}

export interface ReportConversation {
  a: string;
  b: string;
  packets: number;
  bytes: number;
  aToB: number;
  bToA: number;
  duration: number;
}

export interface ReportInputs {
  readonly file: string;
  readonly result: CaptureResult;
  readonly stats: CaptureStats;
  readonly hosts: HostTable;
  readonly tcp: TcpAggregate;
  readonly udpFlows: { answered: number; unanswered: number; flows: number };
  readonly listeners: ListenerReport[];
  readonly tracker: { evicted: number; expired: number; peak: number };
  readonly top: number;
}

function flatten(n: HierarchyNode, depth: number, out: ReportModel['protocols']): void {
  const kids = [...n.children.values()].sort((a, b) => b.packets - a.packets);
  for (const k of kids) {
    out.push({ depth, name: k.name, packets: k.packets, bytes: k.bytes });
    flatten(k, depth + 1, out);
  }
}

function later(a: number | undefined, b: number): number {
  return a === undefined || b > a ? b : a;
}

function inc(r: Record<string, number>, k: string, by = 1): void {
  r[k] = (r[k] ?? 0) + by;
}

/** TCP connection counts for the report, accumulated as connections end (no rows kept). */
export class TcpAggregate {
  readonly tcp = {
    connections: 0,
    byConnState: {} as Record<string, number>,
    byFinalStates: {} as Record<string, number>,
    origins: {} as Record<string, number>,
    closers: {} as Record<string, number>,
    analysis: {} as Record<string, number>,
  };
  readonly timeWait: ReportModel['timeWait'] = {
    clientHolds: 0,
    serverHolds: 0,
    both: 0,
    reuses: 0,
    risky: 0,
    lastDeadline: undefined,
  };

  /** Count one ended connection; `connState` is its Zeek conn_state, when it has one. */
  add(c: TcpConnection, connState: string | undefined): void {
    const tcp = this.tcp;
    const tw = this.timeWait;
    tcp.connections++;
    if (connState) inc(tcp.byConnState, connState);
    inc(tcp.byFinalStates, `${c.orig.state}/${c.resp.state}`);
    inc(tcp.origins, c.origin);
    inc(tcp.closers, c.closer ?? 'none');
    for (const [k, v] of c.flagCounts) inc(tcp.analysis, k, v);
    // Sides whose TIME-WAIT ran (start and end known), as in the conns record's time_wait.
    const o = c.orig.timeWaitStart !== undefined && c.orig.timeWaitEnd !== undefined;
    const r = c.resp.timeWaitStart !== undefined && c.resp.timeWaitEnd !== undefined;
    if (o && r) tw.both++;
    else if (o) tw.clientHolds++;
    else if (r) tw.serverHolds++;
    if (o) tw.lastDeadline = later(tw.lastDeadline, c.orig.timeWaitEnd as number);
    if (r) tw.lastDeadline = later(tw.lastDeadline, c.resp.timeWaitEnd as number);
    if (c.timeWaitReuse) {
      tw.reuses++;
      if (!c.timeWaitReuse.legitimate) tw.risky++;
    }
  }
}

export function buildReport(x: ReportInputs): ReportModel {
  const s = x.stats;
  const info = x.result.info;
  const protocols: ReportModel['protocols'] = [];
  flatten(s.hierarchy, 0, protocols);
  const tcp: ReportModel['tcp'] = {
    ...x.tcp.tcp,
    evicted: x.tracker.evicted,
    expired: x.tracker.expired,
    peakTracked: x.tracker.peak,
  };
  const tw = x.tcp.timeWait;
  const anomalies = [...s.anomalies.entries()]
    .map(([id, e]) => ({
      id,
      severity: e.severity,
      count: e.count,
      firstPacket: e.firstPacket,
      summary: anomalySpec(id)?.summary ?? '',
    }))
    .sort((a, b) => b.count - a.count);
  return {
    capture: {
      file: x.file,
      format: info.format,
      byteOrder: info.byteOrder,
      compressed: info.compressed,
      precision: info.precision,
      snaplen: info.snaplen,
      interfaces: info.interfaces.length,
      linkTypes: [...s.linkTypes.entries()].map(([name, packets]) => ({ name, packets })),
      packets: s.packets,
      bytes: s.bytes,
      capturedBytes: s.capturedBytes,
      first: s.first,
      last: s.last,
      duration: s.first !== undefined && s.last !== undefined ? roundMicros(s.last - s.first) : 0,
      decoded: s.byStatus.decoded,
      truncated: s.byStatus.truncated,
      malformed: s.byStatus.malformed,
      unsupported: s.byStatus.unsupported,
      bytesSkipped: x.result.bytesSkipped,
      problems: x.result.problems.map((p) => ({
        id: p.id,
        packet: p.packet,
        offset: p.offset,
        message: p.message,
        fatal: p.fatal,
      })),
    },
    protocols,
    hosts: {
      total: x.hosts.size,
      limit: x.hosts.maxHosts,
      untrackedPackets: x.hosts.untrackedPackets,
      shown: x.hosts.top(x.top).map((h) => ({
        addr: h.addr,
        tag: h.tag,
        macs: h.macs.map(macToString),
        sentPackets: h.sentPackets,
        sentBytes: h.sentBytes,
        recvPackets: h.recvPackets,
        recvBytes: h.recvBytes,
        initialTtls: [...h.initialTtls],
      })),
    },
    violations: [...x.hosts.violations.values()].map((v) => ({
      ...v,
      summary: anomalySpec(v.id)?.summary ?? '',
    })),
    conversations: {
      total: s.conversations.size,
      limit: s.conversations.max,
      untrackedPackets: s.conversations.untrackedPackets,
      shown: s.conversations.top(x.top).map((c) => ({
        a: c.a,
        b: c.b,
        packets: c.aToBPackets + c.bToAPackets,
        bytes: c.aToBBytes + c.bToABytes,
        aToB: c.aToBBytes,
        bToA: c.bToABytes,
        duration: roundMicros(c.last - c.first),
      })),
    },
    tcp,
    udp: { flows: x.udpFlows.flows, answered: x.udpFlows.answered, unanswered: x.udpFlows.unanswered },
    listeners: x.listeners,
    timeWait: tw,
    anomalies,
    extra: {},
  };
}

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1073741824) return `${(n / 1048576).toFixed(1)} MiB`;
  return `${(n / 1073741824).toFixed(2)} GiB`;
}

function pct(n: number, total: number): string {
  return total > 0 ? `${((100 * n) / total).toFixed(1)}%` : '-';
}

function table(head: string[], rows: string[][], st: Style, align?: ('left' | 'right')[]): string[] {
  return renderTable({ head: head.map((h) => st.bold(h)), ...(align ? { colAligns: align } : {}) }, rows).map(
    (l) => `  ${l}`,
  );
}

function when(ts: number | undefined): string {
  if (ts === undefined) return '-';
  return formatIsoTime(ts);
}

export function renderReport(m: ReportModel, st: Style): string[] {
  const out: string[] = [];
  const h = (s: string) => {
    if (out.length > 0) out.push('');
    out.push(st.heading(s));
  };
  const c = m.capture;
  h(`Capture: ${c.file}`);
  out.push(
    `  format       ${c.format}${c.compressed ? ' (gzip)' : ''}, ${c.byteOrder}-endian, ${c.precision === 'ns' ? 'nanosecond' : 'microsecond'} timestamps, snaplen ${c.snaplen}`,
  );
  out.push(
    `  link types   ${c.linkTypes.map((l) => `${l.name} (${l.packets})`).join(', ') || '-'}${c.interfaces > 1 ? `, ${c.interfaces} interfaces` : ''}`,
  );
  out.push(
    `  packets      ${c.packets}: ${c.decoded} decoded, ${c.truncated} truncated, ${c.malformed} malformed, ${c.unsupported} unsupported`,
  );
  out.push(
    `  bytes        ${size(c.bytes)} on the wire, ${size(c.capturedBytes)} captured${c.bytesSkipped ? `, ${c.bytesSkipped} bytes of the file skipped` : ''}`,
  );
  out.push(`  time         ${when(c.first)} → ${when(c.last)} (${formatDuration(c.duration)})`);
  for (const p of c.problems.slice(0, 5))
    out.push(
      `  ${st.warn(`⚠ packet ${p.packet} at byte ${p.offset}: ${p.message}${p.fatal ? ' (reading stopped)' : ''}`)}`,
    );

  h('Protocol hierarchy');
  out.push(
    ...table(
      ['protocol', 'packets', '%', 'bytes'],
      m.protocols
        .slice(0, 40)
        .map((p) => [
          `${'  '.repeat(p.depth)}${p.name}`,
          String(p.packets),
          pct(p.packets, c.packets),
          size(p.bytes),
        ]),
      st,
      ['left', 'right', 'right', 'right'],
    ),
  );

  h(
    `Hosts (${m.hosts.total}${m.hosts.total > m.hosts.shown.length ? `, top ${m.hosts.shown.length} by bytes` : ''})`,
  );
  out.push(
    st.dim(
      '  MAC: the link-layer sender of its packets on this segment (for a host beyond a router, the router)',
    ),
  );
  out.push(...untracked(m.hosts, 'addresses', 'from or to further addresses', st));
  out.push(
    ...table(
      ['address', 'class', 'MAC', 'sent', 'received', 'TTL'],
      m.hosts.shown.map((x) => [
        st.addr(x.addr),
        x.tag,
        x.macs.length === 0
          ? '-'
          : x.macs.length === 1
            ? (x.macs[0] as string)
            : `${x.macs[0]} +${x.macs.length - 1}`,
        `${x.sentPackets} / ${size(x.sentBytes)}`,
        `${x.recvPackets} / ${size(x.recvBytes)}`,
        x.initialTtls.join(',') || '-',
      ]),
      st,
    ),
  );

  h(
    `Conversations (${m.conversations.total}${m.conversations.total > m.conversations.shown.length ? `, top ${m.conversations.shown.length}` : ''})`,
  );
  out.push(...untracked(m.conversations, 'address pairs', 'between further pairs', st));
  out.push(
    ...table(
      ['A', 'B', 'packets', 'A→B', 'B→A', 'duration'],
      m.conversations.shown.map((x) => [
        st.addr(x.a),
        st.addr(x.b),
        String(x.packets),
        size(x.aToB),
        size(x.bToA),
        formatDuration(x.duration),
      ]),
      st,
    ),
  );

  const t = m.tcp;
  h(`TCP connections (${t.connections})`);
  if (t.connections > 0) {
    const o = t.origins;
    out.push(
      `  ${o.syn ?? 0} with the handshake seen, ${o.synack ?? 0} from the SYN,ACK, ${o.midstream ?? 0} picked up mid-stream`,
    );
    const cl = t.closers;
    out.push(
      `  closed first by the client ${cl.orig ?? 0}, by the server ${cl.resp ?? 0}, simultaneously ${cl.both ?? 0}; not closed ${cl.none ?? 0}`,
    );
    const states = Object.entries(t.byFinalStates).sort((a, b) => b[1] - a[1]);
    out.push(
      ...table(
        ['client/server final state', 'connections'],
        states.slice(0, 12).map(([k, v]) => [k, String(v)]),
        st,
      ),
    );
    const cs = Object.entries(t.byConnState).sort((a, b) => b[1] - a[1]);
    if (cs.length > 0) out.push(`  Zeek conn_state: ${cs.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const fl = Object.entries(t.analysis).sort((a, b) => b[1] - a[1]);
    if (fl.length > 0) out.push(`  analysis flags: ${fl.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (t.evicted + t.expired > 0)
      out.push(
        st.warn(
          `  ${t.evicted} connections evicted (table full), ${t.expired} expired idle; peak tracked ${t.peakTracked}`,
        ),
      );
  }
  out.push(
    `  UDP: ${plural(m.udp.flows, 'flow')}, ${plural(m.udp.answered, 'request')} answered, ${m.udp.unanswered} unanswered`,
  );

  const tw = m.timeWait;
  h('TIME-WAIT');
  const holders = tw.clientHolds + tw.serverHolds + tw.both;
  if (holders === 0) out.push('  no connection reached TIME-WAIT');
  else {
    out.push(
      `  ${plural(holders, 'connection')} left an endpoint in TIME-WAIT: the client ${tw.clientHolds}, the server ${tw.serverHolds}, both (simultaneous close) ${tw.both}`,
    );
    out.push(`  the last 2×MSL deadline: ${when(tw.lastDeadline)}`);
  }
  if (tw.reuses > 0)
    out.push(
      `  ${tw.reuses} new SYNs reused a 4-tuple still in TIME-WAIT${tw.risky > 0 ? st.warn(`, ${tw.risky} without a higher ISN or newer timestamp`) : ', all legitimate'}`,
    );

  h('Listeners');
  const ls = m.listeners;
  if (ls.length === 0) out.push('  no TCP connection attempts');
  else {
    const lines = renderListeners(ls.slice(0, 20), c.first ?? 0, st).slice(1);
    for (const l of lines) out.push(`  ${l}`);
  }

  for (const [name, lines] of Object.entries(m.extra)) {
    if (!Array.isArray(lines)) continue;
    h(name);
    for (const l of lines as string[]) out.push(`  ${l}`);
  }

  h(`Anomalies (${m.anomalies.reduce((s, a) => s + a.count, 0)})`);
  if (m.anomalies.length === 0) out.push('  none');
  else
    out.push(
      ...table(
        ['id', 'severity', 'count', 'first'],
        m.anomalies
          .slice(0, 30)
          .map((a) => [
            a.id,
            a.severity === 'malformed'
              ? st.error(a.severity)
              : a.severity === 'warning'
                ? st.warn(a.severity)
                : a.severity,
            String(a.count),
            `#${a.firstPacket}`,
          ]),
        st,
      ),
    );
  return out;
}

/** The line under a full table's heading: what it kept, and the packets it could not count. */
function untracked(
  t: { limit: number; untrackedPackets: number },
  kept: string,
  further: string,
  st: Style,
): string[] {
  if (t.untrackedPackets === 0) return [];
  return [
    st.dim(
      `  the table is full at ${t.limit.toLocaleString('en')} ${kept}: ${t.untrackedPackets.toLocaleString('en')} packets ${further} are not counted here`,
    ),
  ];
}
