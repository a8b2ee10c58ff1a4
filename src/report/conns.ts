/**
 * `wirelens conns`: one record per connection. JSON records use Zeek's conn.log field names where
 * Zeek has the field, plus wirelens' own (both endpoints' final RFC 9293 states, who closed first,
 * TIME-WAIT, negotiated options, analysis flag counts). Documented in docs/json.md.
 */
import { type Fragment, fragment, keyFragment, type TextBuffer } from '../core/text-buffer.js';
import { formatDuration, roundMicros } from '../core/time.js';
import type { TcpConnection } from '../flow/tcp/connection.js';
import type { TcpState } from '../flow/tcp/state.js';
import type { UdpFlow } from '../flow/udp.js';
import { type ConnExtras, tagOfText } from './conn-extras.js';
import { endpoint } from './format.js';
import type { Style } from './style.js';
import { appendLines, renderTable, shownOf } from './table.js';

export interface ConnRecord {
  ts: number;
  uid: string;
  'id.orig_h': string;
  'id.orig_p': number;
  'id.resp_h': string;
  'id.resp_p': number;
  proto: 'tcp' | 'udp';
  duration: number;
  orig_bytes: number;
  resp_bytes: number;
  conn_state: string | undefined;
  missed_bytes: number;
  history: string | undefined;
  orig_pkts: number;
  orig_ip_bytes: number;
  resp_pkts: number;
  resp_ip_bytes: number;
  // wirelens' own fields
  index: number;
  first_packet: number;
  last_packet: number;
  orig_tag: string;
  resp_tag: string;
  origin?: string;
  orig_state?: TcpState;
  resp_state?: TcpState;
  orig_initial_state?: TcpState;
  resp_initial_state?: TcpState;
  closer?: string;
  end_reason?: string | undefined;
  irtt?: number;
  orig_mss?: number;
  resp_mss?: number;
  orig_wscale?: number;
  resp_wscale?: number;
  sack?: boolean;
  timestamps?: boolean;
  time_wait?: { side: 'orig' | 'resp'; start: number; end: number }[];
  time_wait_reuse?: TcpConnection['timeWaitReuse'];
  reused_from?: number;
  analysis?: Record<string, number>;
  anomalies?: string[];
  /** UDP: requests answered / unanswered. */
  answered?: number;
  unanswered?: number;
}

/**
 * The record of a TCP connection. Its keys are inserted in the order of the ConnRecord interface,
 * whichever optional ones it has, which is the order `writeConnRecordJson` writes: a new field goes
 * in the same place in all three (test/report/conn-json.test.ts compares with JSON.stringify).
 */
export function tcpRecord(c: TcpConnection, x: ConnExtras): ConnRecord {
  const tw: { side: 'orig' | 'resp'; start: number; end: number }[] = [];
  for (const side of ['orig', 'resp'] as const) {
    const ep = c.endpoint(side);
    if (ep.timeWaitStart !== undefined && ep.timeWaitEnd !== undefined)
      tw.push({ side, start: ep.timeWaitStart, end: ep.timeWaitEnd });
  }
  const r: ConnRecord = {
    ts: c.startTs,
    uid: `C${c.id}`,
    'id.orig_h': c.orig.addr,
    'id.orig_p': c.orig.port,
    'id.resp_h': c.resp.addr,
    'id.resp_p': c.resp.port,
    proto: 'tcp',
    duration: roundMicros(c.lastTs - c.startTs),
    orig_bytes: c.orig.seqBytes(),
    resp_bytes: c.resp.seqBytes(),
    conn_state: x.zeek?.connState,
    missed_bytes: 0,
    history: x.zeek?.history,
    orig_pkts: c.orig.packets,
    orig_ip_bytes: c.orig.ipBytes,
    resp_pkts: c.resp.packets,
    resp_ip_bytes: c.resp.ipBytes,
    index: c.id,
    first_packet: c.firstPacket,
    last_packet: c.lastPacket,
    orig_tag: x.tags.orig,
    resp_tag: x.tags.resp,
    origin: c.origin,
    orig_state: c.orig.state,
    resp_state: c.resp.state,
    orig_initial_state: c.orig.initialState,
    resp_initial_state: c.resp.initialState,
    end_reason: c.endReason,
  };
  if (c.closer !== undefined) r.closer = c.closer;
  if (c.irtt !== undefined) r.irtt = roundMicros(c.irtt);
  if (c.orig.mss !== undefined) r.orig_mss = c.orig.mss;
  if (c.resp.mss !== undefined) r.resp_mss = c.resp.mss;
  if (c.orig.wscale >= 0) r.orig_wscale = c.orig.wscale;
  if (c.resp.wscale >= 0) r.resp_wscale = c.resp.wscale;
  if (c.origin !== 'midstream') {
    r.sack = c.orig.sackOk && c.resp.sackOk;
    r.timestamps = c.orig.timestamps && c.resp.timestamps;
  }
  if (tw.length > 0) r.time_wait = tw;
  if (c.timeWaitReuse) r.time_wait_reuse = c.timeWaitReuse;
  if (c.reusedFrom !== undefined) r.reused_from = c.reusedFrom;
  if (c.flagCounts.size > 0) r.analysis = Object.fromEntries(c.flagCounts);
  // Most connections have none: no array, set and copy for them.
  if (c.anomalies.length > 0) r.anomalies = [...new Set(c.anomalies.map((a) => a.id))];
  return r;
}

export function udpRecord(f: UdpFlow): ConnRecord {
  return {
    ts: f.startTs,
    uid: `U${f.id}`,
    'id.orig_h': f.origAddr,
    'id.orig_p': f.origPort,
    'id.resp_h': f.respAddr,
    'id.resp_p': f.respPort,
    proto: 'udp',
    duration: roundMicros(f.lastTs - f.startTs),
    orig_bytes: f.origBytes,
    resp_bytes: f.respBytes,
    conn_state: f.respPkts === 0 ? 'S0' : f.origPkts === 0 ? 'SHR' : 'SF',
    missed_bytes: 0,
    history: `${f.origPkts > 0 ? 'D' : ''}${f.respPkts > 0 ? 'd' : ''}`,
    orig_pkts: f.origPkts,
    orig_ip_bytes: f.origIpBytes,
    resp_pkts: f.respPkts,
    resp_ip_bytes: f.respIpBytes,
    index: f.id,
    first_packet: f.firstPacket,
    last_packet: f.lastPacket,
    orig_tag: tagOfText(f.origAddr),
    resp_tag: tagOfText(f.respAddr),
    answered: f.answered,
    unanswered: f.unanswered,
  };
}

const key = keyFragment;
const K = {
  ts: fragment('{"ts":'),
  uid: key('uid'),
  origH: key('id.orig_h'),
  origP: key('id.orig_p'),
  respH: key('id.resp_h'),
  respP: key('id.resp_p'),
  proto: key('proto'),
  duration: key('duration'),
  origBytes: key('orig_bytes'),
  respBytes: key('resp_bytes'),
  connState: key('conn_state'),
  missedBytes: key('missed_bytes'),
  history: key('history'),
  origPkts: key('orig_pkts'),
  origIpBytes: key('orig_ip_bytes'),
  respPkts: key('resp_pkts'),
  respIpBytes: key('resp_ip_bytes'),
  index: key('index'),
  firstPacket: key('first_packet'),
  lastPacket: key('last_packet'),
  origTag: key('orig_tag'),
  respTag: key('resp_tag'),
  origin: key('origin'),
  origState: key('orig_state'),
  respState: key('resp_state'),
  origInitialState: key('orig_initial_state'),
  respInitialState: key('resp_initial_state'),
  endReason: key('end_reason'),
  closer: key('closer'),
  irtt: key('irtt'),
  origMss: key('orig_mss'),
  respMss: key('resp_mss'),
  origWscale: key('orig_wscale'),
  respWscale: key('resp_wscale'),
  sack: key('sack'),
  timestamps: key('timestamps'),
  timeWait: key('time_wait'),
  timeWaitReuse: key('time_wait_reuse'),
  reusedFrom: key('reused_from'),
  analysis: key('analysis'),
  anomalies: key('anomalies'),
  answered: key('answered'),
  unanswered: key('unanswered'),
  side: fragment('{"side":'),
  start: key('start'),
  end: key('end'),
};
const COMMA = 0x2c;
const COLON = 0x3a;

function optString(b: TextBuffer, k: Fragment, v: string | undefined): void {
  if (v === undefined) return;
  b.put(k);
  b.jsonString(v);
}

function optNumber(b: TextBuffer, k: Fragment, v: number | undefined): void {
  if (v === undefined) return;
  b.put(k);
  b.jsonNumber(v);
}

function optBool(b: TextBuffer, k: Fragment, v: boolean | undefined): void {
  if (v === undefined) return;
  b.put(k);
  b.bool(v);
}

/**
 * `JSON.stringify(r)` for a record from `tcpRecord` or `udpRecord`, written straight into `b`
 * (`conns --json` writes one per connection). Keys in the order those functions insert them (the
 * order of the ConnRecord interface); a key whose value is undefined is left out, as JSON.stringify
 * does. test/report/conn-json.test.ts checks it against JSON.stringify on every fixture connection.
 */
export function writeConnRecordJson(b: TextBuffer, r: ConnRecord): void {
  b.put(K.ts);
  b.jsonNumber(r.ts);
  b.put(K.uid);
  b.jsonString(r.uid);
  b.put(K.origH);
  b.jsonString(r['id.orig_h']);
  b.put(K.origP);
  b.jsonNumber(r['id.orig_p']);
  b.put(K.respH);
  b.jsonString(r['id.resp_h']);
  b.put(K.respP);
  b.jsonNumber(r['id.resp_p']);
  b.put(K.proto);
  b.jsonString(r.proto);
  b.put(K.duration);
  b.jsonNumber(r.duration);
  b.put(K.origBytes);
  b.jsonNumber(r.orig_bytes);
  b.put(K.respBytes);
  b.jsonNumber(r.resp_bytes);
  optString(b, K.connState, r.conn_state);
  b.put(K.missedBytes);
  b.jsonNumber(r.missed_bytes);
  optString(b, K.history, r.history);
  b.put(K.origPkts);
  b.jsonNumber(r.orig_pkts);
  b.put(K.origIpBytes);
  b.jsonNumber(r.orig_ip_bytes);
  b.put(K.respPkts);
  b.jsonNumber(r.resp_pkts);
  b.put(K.respIpBytes);
  b.jsonNumber(r.resp_ip_bytes);
  b.put(K.index);
  b.jsonNumber(r.index);
  b.put(K.firstPacket);
  b.jsonNumber(r.first_packet);
  b.put(K.lastPacket);
  b.jsonNumber(r.last_packet);
  b.put(K.origTag);
  b.jsonString(r.orig_tag);
  b.put(K.respTag);
  b.jsonString(r.resp_tag);
  optString(b, K.origin, r.origin);
  optString(b, K.origState, r.orig_state);
  optString(b, K.respState, r.resp_state);
  optString(b, K.origInitialState, r.orig_initial_state);
  optString(b, K.respInitialState, r.resp_initial_state);
  optString(b, K.endReason, r.end_reason);
  optString(b, K.closer, r.closer);
  optNumber(b, K.irtt, r.irtt);
  optNumber(b, K.origMss, r.orig_mss);
  optNumber(b, K.respMss, r.resp_mss);
  optNumber(b, K.origWscale, r.orig_wscale);
  optNumber(b, K.respWscale, r.resp_wscale);
  optBool(b, K.sack, r.sack);
  optBool(b, K.timestamps, r.timestamps);
  const tw = r.time_wait;
  if (tw !== undefined) {
    b.put(K.timeWait);
    b.byte(0x5b); // [
    for (let i = 0; i < tw.length; i++) {
      const t = tw[i] as { side: string; start: number; end: number };
      if (i > 0) b.byte(COMMA);
      b.put(K.side);
      b.jsonString(t.side);
      b.put(K.start);
      b.jsonNumber(t.start);
      b.put(K.end);
      b.jsonNumber(t.end);
      b.byte(0x7d); // }
    }
    b.byte(0x5d); // ]
  }
  // Rare (a SYN into TIME-WAIT): JSON.stringify keeps the object's own key order.
  if (r.time_wait_reuse !== undefined) {
    b.put(K.timeWaitReuse);
    b.utf8(JSON.stringify(r.time_wait_reuse));
  }
  optNumber(b, K.reusedFrom, r.reused_from);
  const a = r.analysis;
  if (a !== undefined) {
    b.put(K.analysis);
    b.byte(0x7b); // {
    let first = true;
    // Object.keys: the order JSON.stringify uses (integer-like keys first, then insertion order).
    for (const k of Object.keys(a)) {
      const v = a[k];
      if (v === undefined) continue;
      if (!first) b.byte(COMMA);
      first = false;
      b.jsonString(k);
      b.byte(COLON);
      b.jsonNumber(v);
    }
    b.byte(0x7d); // }
  }
  const an = r.anomalies;
  if (an !== undefined) {
    b.put(K.anomalies);
    b.byte(0x5b); // [
    for (let i = 0; i < an.length; i++) {
      if (i > 0) b.byte(COMMA);
      b.jsonString(an[i] as string);
    }
    b.byte(0x5d); // ]
  }
  optNumber(b, K.answered, r.answered);
  optNumber(b, K.unanswered, r.unanswered);
  b.byte(0x7d); // }
}

/** ss(8)-style short state names, so the table stays narrow. */
const SHORT: Record<TcpState, string> = {
  CLOSED: 'CLOSED',
  LISTEN: 'LISTEN',
  'SYN-SENT': 'SYN-SENT',
  'SYN-RECEIVED': 'SYN-RECV',
  ESTABLISHED: 'ESTAB',
  'FIN-WAIT-1': 'FIN-WAIT-1',
  'FIN-WAIT-2': 'FIN-WAIT-2',
  'CLOSE-WAIT': 'CLOSE-WAIT',
  CLOSING: 'CLOSING',
  'LAST-ACK': 'LAST-ACK',
  'TIME-WAIT': 'TIME-WAIT',
};

function bytes(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 10_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

/** Short words for analysis flags in the table. */
function flagSummary(a: Record<string, number> | undefined, anomalies: string[] | undefined): string {
  const parts: string[] = [];
  if (a) {
    const pick = (k: string, label: string) => {
      const v = a[k];
      if (v) parts.push(`${v} ${label}`);
    };
    pick('retransmission', 'rexmit');
    pick('fast_retransmission', 'fast-rexmit');
    pick('spurious_retransmission', 'spurious');
    pick('out_of_order', 'ooo');
    pick('lost_segment', 'lost');
    pick('duplicate_ack', 'dupack');
    pick('zero_window', 'zerowin');
    pick('keep_alive', 'keepalive');
    pick('reused_ports', 'reused');
  }
  if (anomalies?.includes('tcp.syn-reuse-timewait')) parts.push('TW-reuse');
  if (anomalies?.includes('tcp.midstream')) parts.push('midstream');
  return parts.join(', ');
}

/**
 * The connection table. `totals`: how many TCP connections and UDP flows there were in all, when
 * `rows` holds only some of them (the headings then say so).
 */
export function renderConnsTable(
  rows: readonly ConnRecord[],
  st: Style,
  totals?: { readonly tcp: number; readonly udp: number },
): string[] {
  const tcp = rows.filter((r) => r.proto === 'tcp');
  const udp = rows.filter((r) => r.proto === 'udp');
  const out: string[] = [];
  if (tcp.length > 0) {
    const head = [
      '#',
      'client',
      'server',
      'client/server state',
      'zeek',
      'history',
      'dur',
      '→bytes',
      '←bytes',
      'iRTT',
      'notes',
    ].map((h) => st.bold(h));
    const cells: string[][] = [];
    for (const r of tcp) {
      const states = `${SHORT[r.orig_state as TcpState] ?? ''}/${SHORT[r.resp_state as TcpState] ?? ''}`;
      const stColor =
        r.orig_state === 'TIME-WAIT' || r.resp_state === 'TIME-WAIT'
          ? st.phase('close', states)
          : r.conn_state?.startsWith('RST') || r.conn_state === 'REJ'
            ? st.phase('reset', states)
            : states;
      cells.push([
        String(r.index),
        st.addr(endpoint(r['id.orig_h'], r['id.orig_p'])),
        st.addr(endpoint(r['id.resp_h'], r['id.resp_p'])),
        stColor,
        r.conn_state ?? '',
        r.history ?? '',
        formatDuration(r.duration),
        bytes(r.orig_bytes),
        bytes(r.resp_bytes),
        r.irtt !== undefined ? formatDuration(r.irtt) : '',
        st.warn(flagSummary(r.analysis, r.anomalies)),
      ]);
    }
    out.push(st.heading(`TCP connections (${shownOf(tcp.length, totals?.tcp)})`));
    appendLines(out, renderTable({ head }, cells));
  }
  if (udp.length > 0) {
    if (out.length > 0) out.push('');
    const head = ['#', 'from', 'to', 'pkts →/←', 'bytes →/←', 'answered', 'dur'].map((h) => st.bold(h));
    const cells: string[][] = [];
    for (const r of udp) {
      cells.push([
        String(r.index),
        st.addr(endpoint(r['id.orig_h'], r['id.orig_p'])),
        st.addr(endpoint(r['id.resp_h'], r['id.resp_p'])),
        `${r.orig_pkts}/${r.resp_pkts}`,
        `${bytes(r.orig_bytes)}/${bytes(r.resp_bytes)}`,
        `${r.answered ?? 0}/${(r.answered ?? 0) + (r.unanswered ?? 0)}`,
        formatDuration(r.duration),
      ]);
    }
    out.push(st.heading(`UDP flows (${shownOf(udp.length, totals?.udp)})`));
    appendLines(out, renderTable({ head }, cells));
  }
  if (out.length === 0) out.push('no TCP connections or UDP flows');
  return out;
}

const ZEEK_FIELDS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'service',
  'duration',
  'orig_bytes',
  'resp_bytes',
  'conn_state',
  'local_orig',
  'local_resp',
  'missed_bytes',
  'history',
  'orig_pkts',
  'orig_ip_bytes',
  'resp_pkts',
  'resp_ip_bytes',
  'tunnel_parents',
] as const;

const ZEEK_TYPES = [
  'time',
  'string',
  'addr',
  'port',
  'addr',
  'port',
  'enum',
  'string',
  'interval',
  'count',
  'count',
  'string',
  'bool',
  'bool',
  'count',
  'string',
  'count',
  'count',
  'count',
  'count',
  'set[string]',
];

/** A conn.log row: Zeek's fields by name (missing ones are written as unset). */
export type ZeekRow = Record<string, string | number>;

/** A conn.log in Zeek's TSV format (readable by zeek-cut). */
export function zeekTsv(rows: readonly ZeekRow[], openTime: Date): string[] {
  const stamp = (d: Date) => d.toISOString().replace('T', '-').replace(/:/g, '-').slice(0, 19);
  const out = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    `#open\t${stamp(openTime)}`,
    `#fields\t${ZEEK_FIELDS.join('\t')}`,
    `#types\t${ZEEK_TYPES.join('\t')}`,
  ];
  for (const r of rows) {
    out.push(
      ZEEK_FIELDS.map((f) => {
        const v = r[f];
        return v === undefined || v === '' ? '-' : String(v);
      }).join('\t'),
    );
  }
  out.push(`#close\t${stamp(openTime)}`);
  return out;
}
