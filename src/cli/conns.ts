/** `wirelens conns FILE [FILTER]`: the connection table (TCP, then UDP), as a table, NDJSON or a Zeek conn.log. */
import { ExitCode, type ExitCodeValue, UserError } from '../core/errors.js';
import { TopK } from '../core/topk.js';
import type { SessionOptions } from '../flow/session.js';
import { ZeekTcpSummary, zeekConnLogFields, zeekSummaries } from '../flow/tcp/zeek.js';
import { ZeekUdpFlows, zeekUdpConnLogFields } from '../flow/zeek-udp.js';
import { connectionExtras } from '../report/conn-extras.js';
import {
  type ConnRecord,
  renderConnsTable,
  tcpRecord,
  udpRecord,
  writeConnRecordJson,
  type ZeekRow,
  zeekTsv,
} from '../report/conns.js';
import type { Style } from '../report/style.js';
import { MAX_TABLE_ROWS } from '../report/table.js';
import { analyzeFile } from './analyze.js';
import { SORT_KEYS, type SortKey } from './conn-sort.js';
import type { Diagnostics } from './diagnostics.js';
import { LineWriter } from './output.js';

export { SORT_KEYS, type SortKey };

export interface ConnsOptions {
  readonly file: string;
  readonly filter: string;
  readonly json: boolean;
  readonly zeek: boolean;
  /** undefined: by start time for the table; with --json, each connection as it ends (streamed). */
  readonly sort: SortKey | undefined;
  readonly reverse: boolean;
  /** Keep only these Zeek conn_states or RFC 9293 states (either side). */
  readonly states: readonly string[];
  readonly limit: number | undefined;
  readonly udp: boolean;
  readonly session: SessionOptions;
}

function sortValue(r: ConnRecord, k: SortKey): number | string {
  switch (k) {
    case 'start':
      return r.ts;
    case 'duration':
      return r.duration;
    case 'bytes':
      return r.orig_bytes + r.resp_bytes;
    case 'packets':
      return r.orig_pkts + r.resp_pkts;
    case 'state':
      return `${r.conn_state ?? ''} ${r.orig_state ?? ''}`;
  }
}

export async function runConns(o: ConnsOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  const dir = o.reverse ? -1 : 1;
  const by = o.sort ?? 'start';
  const rows = new TopK<ConnRecord>(o.limit ?? MAX_TABLE_ROWS, (a, b) => {
    const x = sortValue(a, by);
    const y = sortValue(b, by);
    if (x < y) return -dir;
    if (x > y) return dir;
    return a.proto === b.proto ? a.index - b.index : a.proto === 'tcp' ? -1 : 1;
  });
  const zeekRows = new TopK<{ ts: number; n: number; row: ZeekRow }>(o.limit ?? MAX_TABLE_ROWS, (a, b) =>
    a.ts !== b.ts ? a.ts - b.ts : a.n - b.n,
  );
  let zeekCount = 0;
  const zeekUdp = o.zeek ? new ZeekUdpFlows() : undefined;
  const out = new LineWriter();
  // NDJSON without an explicit order is written as connections end: memory stays flat however many.
  const stream = o.json && o.sort === undefined && o.limit === undefined;
  const want = o.states.length > 0 ? new Set(o.states.map((x) => x.toUpperCase())) : undefined;
  const keep = (r: ConnRecord) =>
    want === undefined ||
    (r.conn_state !== undefined && want.has(r.conn_state.toUpperCase())) ||
    (r.orig_state !== undefined && want.has(r.orig_state)) ||
    (r.resp_state !== undefined && want.has(r.resp_state));
  const totals = { tcp: 0, udp: 0 };
  const writeJson = (r: ConnRecord) => {
    writeConnRecordJson(out.text, r);
    out.endLine();
  };
  const emit = (r: ConnRecord) => {
    if (!keep(r)) return;
    if (r.proto === 'tcp') totals.tcp++;
    else totals.udp++;
    if (stream) writeJson(r);
    else if (!o.zeek) rows.offer(r);
  };
  const run = await analyzeFile(
    {
      file: o.file,
      filter: o.filter,
      // Each connection is read in tcpEnd only: its row is reused right after.
      session: { ...o.session, recycleEnded: true },
      out,
      ...(zeekUdp ? { onPacket: (p) => zeekUdp.process(p) } : {}),
      events: {
        tcpEnd: (c) => {
          emit(tcpRecord(c, connectionExtras(c)));
          if (o.zeek && c.analyzers.some((a) => a instanceof ZeekTcpSummary)) {
            for (const z of zeekSummaries(c)) {
              zeekRows.offer({
                ts: z.startTs,
                n: zeekCount++,
                row: { ts: z.startTs.toFixed(6), uid: z.uidHint ?? `C${c.id}`, ...zeekConnLogFields(z) },
              });
            }
          }
        },
        udpEnd: (f) => {
          if (o.udp) emit(udpRecord(f));
        },
      },
    },
    diag,
  );
  let udpCount = 0;
  const order = `${o.limit === undefined ? 'the first' : 'the'} ${rows.k.toLocaleString('en')} by ${by}${o.reverse ? ' (reversed)' : ''}`;
  if (stream) {
    // already written
  } else if (o.json) for (const r of rows.sorted()) writeJson(r);
  else if (o.zeek) {
    for (const u of zeekUdp?.finish() ?? []) {
      zeekRows.offer({
        ts: u.startTs,
        n: zeekCount++,
        row: { ts: u.startTs.toFixed(6), uid: `U${++udpCount}`, ...zeekUdpConnLogFields(u) },
      });
    }
    for (const l of zeekTsv(
      zeekRows.sorted().map((z) => z.row),
      new Date(),
    ))
      out.line(l);
  } else {
    for (const l of renderConnsTable(rows.sorted(), style, totals)) out.line(l);
    if (rows.dropped > 0 && o.limit === undefined)
      out.line(
        `… and ${rows.dropped.toLocaleString('en')} more connections and flows not shown: the table keeps ${order} (--sort, --limit and --state choose; --json streams every one)`,
      );
  }
  await out.end();
  const dropped = o.zeek ? zeekRows.dropped : rows.dropped;
  if (!stream && dropped > 0 && o.limit === undefined && (o.json || o.zeek))
    diag.info(
      `${dropped.toLocaleString('en')} more connections not listed: kept ${order} (--limit sets how many; --json without --sort or --limit streams every one)`,
    );
  const t = run.session.tcp;
  if (t.evicted > 0 || t.expired > 0) {
    diag.info(
      `${t.evicted} connections evicted (table limit ${t.opts.maxConnections}, --max-conns), ${t.expired} expired by idle timeout`,
    );
  }
  if (o.json && o.zeek) throw new UserError('choose one of --json and --zeek', ExitCode.usage);
  return run.exitCode;
}
