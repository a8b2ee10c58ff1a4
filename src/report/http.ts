/**
 * `wirelens http`: HTTP transactions, with Zeek http.log field names in JSON, timings (TTFB:
 * end of the request to the first byte of the response; duration: first request byte to last
 * response byte) and the TCP events of each phase.
 */
import type { HttpRecord, PhasedEvent } from '../app/http/analyzer.js';
import { formatDuration, roundMicros } from '../core/time.js';
import type { TcpConnection } from '../flow/tcp/connection.js';
import { tagOfText } from './conn-extras.js';
import { endpoint } from './format.js';
import type { Style } from './style.js';
import { appendLines, renderTable, shownOf } from './table.js';
import { wrap } from './wrap.js';

export interface HttpJson {
  ts: number;
  uid: string;
  'id.orig_h': string;
  'id.orig_p': number;
  'id.resp_h': string;
  'id.resp_p': number;
  trans_depth: number;
  method?: string | undefined;
  host?: string | undefined;
  uri?: string | undefined;
  referrer?: string | undefined;
  version?: string | undefined;
  user_agent?: string | undefined;
  request_body_len: number;
  response_body_len: number;
  status_code?: number | undefined;
  status_msg?: string | undefined;
  info_code?: number | undefined;
  info_msg?: string | undefined;
  tags: string[];
  // wirelens' own
  conn: number;
  orig_tag: string;
  resp_tag: string;
  request_start?: number | undefined;
  request_end?: number | undefined;
  response_start?: number | undefined;
  response_end?: number | undefined;
  ttfb?: number | undefined;
  duration?: number | undefined;
  request_framing?: string | undefined;
  response_framing?: string | undefined;
  request_content_type?: string | undefined;
  response_content_type?: string | undefined;
  response_body_decoded_len?: number | undefined;
  interim_statuses?: number[] | undefined;
  upgrade?: string | undefined;
  packets: {
    request_start?: number | undefined;
    request_end?: number | undefined;
    response_start?: number | undefined;
    response_end?: number | undefined;
  };
  tcp_events: { packet: number; phase: string; from: 'client' | 'server'; what: string[] }[];
  anomalies: string[];
  request_headers?: [string, string][] | undefined;
  response_headers?: [string, string][] | undefined;
}

/** Text fields of a transaction come escaped from the parser (core/escape.ts): used as they are. */
const esc = (s: string | undefined) => s;

/** Address tags of the last connection: its transactions come one after another. */
let lastTags: { readonly conn: TcpConnection; readonly orig: string; readonly resp: string } | undefined;

function tagsOf(c: TcpConnection): { readonly orig: string; readonly resp: string } {
  if (lastTags?.conn !== c)
    lastTags = { conn: c, orig: tagOfText(c.orig.addr), resp: tagOfText(c.resp.addr) };
  return lastTags;
}

export function httpJson(r: HttpRecord, headers = true): HttpJson {
  const t = r.tx;
  const c = r.conn;
  const tags = tagsOf(c);
  // TTFB: from the request's last byte to the response's first (an interim 100 Continue counts).
  // A server that answers before the request is complete (100-continue, early errors) has none.
  const wait =
    t.response_start_ts !== undefined && t.request_end_ts !== undefined
      ? roundMicros(t.response_start_ts - t.request_end_ts)
      : undefined;
  const ttfb = wait !== undefined && wait >= 0 ? wait : undefined;
  const duration =
    t.response_end_ts !== undefined && t.request_start_ts !== undefined
      ? roundMicros(t.response_end_ts - t.request_start_ts)
      : undefined;
  return {
    ts: t.ts,
    uid: `C${c.id}`,
    'id.orig_h': c.orig.addr,
    'id.orig_p': c.orig.port,
    'id.resp_h': c.resp.addr,
    'id.resp_p': c.resp.port,
    trans_depth: t.trans_depth,
    method: esc(t.method),
    host: esc(t.host),
    uri: esc(t.uri),
    referrer: esc(t.referrer),
    version: t.version,
    user_agent: esc(t.user_agent),
    request_body_len: t.request_body_len,
    response_body_len: t.response_body_len,
    status_code: t.status_code,
    status_msg: esc(t.status_msg),
    info_code: t.info_code,
    info_msg: esc(t.info_msg),
    tags: [...t.tags],
    conn: c.id,
    orig_tag: tags.orig,
    resp_tag: tags.resp,
    request_start: t.request_start_ts,
    request_end: t.request_end_ts,
    response_start: t.response_start_ts,
    response_end: t.response_end_ts,
    ttfb,
    duration,
    request_framing: t.request_framing,
    response_framing: t.response_framing,
    request_content_type: esc(t.request_content_type),
    response_content_type: esc(t.response_content_type),
    response_body_decoded_len: t.response_body_decoded_len,
    interim_statuses: t.interim_statuses.length > 0 ? [...t.interim_statuses] : undefined,
    upgrade: esc(t.upgrade),
    packets: {
      request_start: t.request_start_packet,
      request_end: t.request_end_packet,
      response_start: t.response_start_packet,
      response_end: t.response_end_packet,
    },
    tcp_events: r.events.map((e) => ({
      packet: e.packet,
      phase: e.phase,
      from: e.fromClient ? 'client' : 'server',
      what: [...e.what],
    })),
    anomalies: [...new Set(t.anomalies.map((a) => a.id))],
    request_headers:
      headers && t.request_headers ? t.request_headers.list.map(([k, v]) => [k, v]) : undefined,
    response_headers:
      headers && t.response_headers ? t.response_headers.list.map(([k, v]) => [k, v]) : undefined,
  };
}

const SHORT: Record<string, string> = {
  retransmission: 'rexmit',
  fast_retransmission: 'fast-rexmit',
  spurious_retransmission: 'spurious',
  out_of_order: 'ooo',
  lost_segment: 'lost',
  ack_lost_segment: 'acked-unseen',
  duplicate_ack: 'dupack',
  zero_window: 'zero-win',
  zero_window_advertised: 'zero-win',
  zero_window_probe: 'zwp',
  window_full: 'win-full',
  rst: 'RST',
};

const PHASE_SHORT: Record<string, string> = { request: 'req', waiting: 'wait', response: 'resp' };

/** `2 rexmit (wait), zero-win (resp), RST (resp)`: what TCP did during each phase. */
export function eventsText(events: readonly PhasedEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    for (const w of e.what) {
      const name = SHORT[w];
      if (name === undefined) continue;
      const k = `${name} (${PHASE_SHORT[e.phase]})`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${n} ${k}` : k)).join(', ');
}

function size(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 10_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export function renderHttpTable(
  rows: readonly HttpJson[],
  start: number,
  st: Style,
  verbose: boolean,
  /** Transactions in all, when `rows` holds only the first of them. */
  total = rows.length,
): string[] {
  if (rows.length === 0) return ['no HTTP transactions'];
  const out: string[] = [st.heading(`HTTP transactions (${shownOf(rows.length, total)})`)];
  const head = [
    'time',
    'conn',
    'client',
    'host',
    'request',
    'status',
    '→body',
    '←body',
    'TTFB',
    'dur',
    'TCP events',
  ].map((h) => st.bold(h));
  const cells: string[][] = [];
  for (const r of rows) {
    const status =
      r.status_code === undefined
        ? st.warn('-')
        : r.status_code >= 400
          ? st.error(String(r.status_code))
          : String(r.status_code);
    cells.push([
      (r.ts - start).toFixed(3),
      `#${r.conn}`,
      st.addr(endpoint(r['id.orig_h'], r['id.orig_p'])),
      clip(r.host ?? '-', 18),
      clip(`${r.method ?? '?'} ${r.uri ?? ''}`, 28),
      status,
      size(r.request_body_len),
      size(r.response_body_len),
      r.ttfb !== undefined
        ? formatDuration(r.ttfb)
        : r.response_start !== undefined && r.request_end !== undefined
          ? 'early'
          : '-',
      r.duration !== undefined ? formatDuration(r.duration) : '-',
      st.warn(
        clip(
          [
            eventsText(
              r.tcp_events.map((e) => ({
                packet: e.packet,
                ts: 0,
                fromClient: e.from === 'client',
                what: e.what,
                phase: e.phase as PhasedEvent['phase'],
              })),
            ),
            ...r.tags.filter((x) => x !== 'upgraded'),
          ]
            .filter(Boolean)
            .join(', '),
          28,
        ),
      ),
    ]);
  }
  appendLines(out, renderTable({ head }, cells));
  if (verbose) {
    for (const r of rows) {
      out.push('');
      out.push(
        st.bold(
          `#${r.conn}.${r.trans_depth}  ${r.method ?? '?'} ${r.uri ?? ''} → ${r.status_code ?? '-'} ${r.status_msg ?? ''}`,
        ),
      );
      for (const [k, v] of r.request_headers ?? [])
        for (const l of wrap(`> ${k}: ${v}`, 96, '    ')) out.push(`  ${l}`);
      for (const [k, v] of r.response_headers ?? [])
        for (const l of wrap(`< ${k}: ${v}`, 96, '    ')) out.push(`  ${l}`);
      const ev = r.tcp_events;
      if (ev.length > 0)
        out.push(
          `  ${st.warn(`TCP: ${ev.map((e) => `#${e.packet} ${e.from} ${e.what.join('+')} (${e.phase})`).join('; ')}`)}`,
        );
      if (r.anomalies.length > 0) out.push(`  ${st.warn(`anomalies: ${r.anomalies.join(', ')}`)}`);
    }
  }
  return out;
}
