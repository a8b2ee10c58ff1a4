/** `wirelens http FILE [FILTER]` and `wirelens follow FILE CONN`. */
import { HttpAnalyzer, type HttpAnalyzerOptions, type HttpRecord } from '../app/http/analyzer.js';
import { type HttpSide, NO_PREVIEWS } from '../app/http/types.js';
import { toHex } from '../core/bytes.js';
import { ExitCode, type ExitCodeValue, UserError } from '../core/errors.js';
import { escapeBytes } from '../core/escape.js';
import { TopK } from '../core/topk.js';
import type { SessionOptions } from '../flow/session.js';
import type { TcpConnection } from '../flow/tcp/connection.js';
import { ReassemblyBudget } from '../flow/tcp/reassembly.js';
import { endpoint } from '../report/format.js';
import { httpJson, renderHttpTable } from '../report/http.js';
import type { Style } from '../report/style.js';
import { MAX_TABLE_ROWS } from '../report/table.js';
import { analyzeFile } from './analyze.js';
import type { Diagnostics } from './diagnostics.js';
import { parseConnSelector, selectorMatches } from './explain.js';
import { LineWriter } from './output.js';

export interface HttpOptions {
  readonly file: string;
  readonly filter: string;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly session: SessionOptions;
}

/** The options of the HTTP analysers of `http` and `report`: no command prints body previews. */
const CLI_HTTP: HttpAnalyzerOptions = Object.freeze({ limits: NO_PREVIEWS });

/** Session options that add HTTP to every TCP connection, reporting transactions to `sink`. */
export function withHttp(session: SessionOptions, sink: (r: HttpRecord) => void): SessionOptions {
  const budget = new ReassemblyBudget();
  return { ...session, analyzers: (c) => [new HttpAnalyzer(c, budget, sink, CLI_HTTP)] };
}

export async function runHttp(o: HttpOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  const out = new LineWriter();
  // The table shows transactions in time order; NDJSON is written as each completes (memory stays
  // flat however many there are), as Zeek writes http.log.
  const kept = new TopK<HttpRecord>(
    MAX_TABLE_ROWS,
    (a, b) => a.tx.ts - b.tx.ts || a.conn.id - b.conn.id || a.tx.trans_depth - b.tx.trans_depth,
  );
  let start: number | undefined;
  const run = await analyzeFile(
    {
      file: o.file,
      filter: o.filter,
      out,
      session: withHttp(o.session, (r) => {
        if (o.json) out.line(JSON.stringify(httpJson(r, true)));
        else kept.offer(r);
      }),
      onPacket: (p) => {
        start ??= p.frame.ts;
      },
    },
    diag,
  );
  if (!o.json) {
    const rows = kept.sorted().map((r) => httpJson(r, o.verbose));
    const total = rows.length + kept.dropped;
    for (const l of renderHttpTable(rows, start ?? 0, style, o.verbose, total)) out.line(l);
    if (kept.dropped > 0)
      out.line(
        `… and ${kept.dropped.toLocaleString('en')} more transactions not shown: the table keeps the first ${MAX_TABLE_ROWS.toLocaleString('en')} by time (a filter chooses others; --json streams every one)`,
      );
  }
  await out.end();
  return run.exitCode;
}

export interface FollowOptions {
  readonly file: string;
  readonly conn: string;
  readonly hex: boolean;
  readonly session: SessionOptions;
}

/** Escaped text of a chunk, line by line (each line keeps its \\n visibly). */
function textLines(chunk: Uint8Array): string[] {
  const out: string[] = [];
  let s = 0;
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] === 0x0a) {
      out.push(escapeBytes(chunk, s, i + 1));
      s = i + 1;
    }
  }
  if (s < chunk.length) out.push(escapeBytes(chunk, s, chunk.length));
  return out;
}

export async function runFollow(o: FollowOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  const sel = parseConnSelector(o.conn);
  const out = new LineWriter();
  let found: TcpConnection | undefined;
  const totals = { request: 0, response: 0, gaps: 0 };
  let last: HttpSide | undefined;
  const budget = new ReassemblyBudget();
  const head = (side: HttpSide, c: TcpConnection, packet: number) => {
    const from = side === 'request' ? c.orig : c.resp;
    const to = side === 'request' ? c.resp : c.orig;
    const label = `${side === 'request' ? '▶' : '◀'} ${endpoint(from.addr, from.port)} → ${endpoint(to.addr, to.port)}  (packet ${packet})`;
    out.line(side === 'request' ? style.addr(label) : style.good(label));
  };
  const run = await analyzeFile(
    {
      file: o.file,
      filter: '',
      session: {
        ...o.session,
        analyzers: (c) =>
          selectorMatches(c, sel) && (found === undefined || found === c)
            ? [
                new HttpAnalyzer(c, budget, () => {}, {
                  http: false,
                  onData: (side, chunk, _ts, packet, conn) => {
                    found = conn;
                    if (side !== last) {
                      head(side, conn, packet);
                      last = side;
                    }
                    totals[side] += chunk.length;
                    if (o.hex) {
                      for (let i = 0; i < chunk.length; i += 16) {
                        const row = chunk.subarray(i, Math.min(chunk.length, i + 16));
                        let ascii = '';
                        for (const b of row) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
                        out.line(
                          `  ${String(totals[side] - chunk.length + i).padStart(8, '0')}  ${toHex(row, 0, row.length, ' ').padEnd(48)}  ${ascii}`,
                        );
                      }
                    } else for (const l of textLines(chunk)) out.line(`  ${l}`);
                  },
                  onGap: (side, bytes, _ts, packet) => {
                    totals.gaps += bytes;
                    out.line(
                      style.warn(
                        `  [${bytes} bytes missing from the ${side === 'request' ? 'client' : 'server'} stream before packet ${packet}]`,
                      ),
                    );
                  },
                }),
              ]
            : [],
      },
    },
    diag,
  );
  if (!found) {
    throw new UserError(
      `no TCP connection ${o.conn} in ${o.file} (run 'wirelens conns ${o.file}' to list them)`,
      ExitCode.usage,
    );
  }
  out.line(
    style.dim(
      `client sent ${totals.request} bytes, server sent ${totals.response} bytes${totals.gaps ? `, ${totals.gaps} bytes missing` : ''}`,
    ),
  );
  await out.end();
  return run.exitCode;
}
