/** `wirelens explain FILE [CONN]`: one TCP connection's story, step by step. */
import { createInterface } from 'node:readline';
import { HttpAnalyzer } from '../app/http/analyzer.js';
import { NO_PREVIEWS } from '../app/http/types.js';
import { parseIp4, parseIp6 } from '../core/addr.js';
import { ExitCode, type ExitCodeValue, UserError } from '../core/errors.js';
import type { Packet } from '../decode/types.js';
import type { SessionOptions } from '../flow/session.js';
import type { TcpConnection } from '../flow/tcp/connection.js';
import { ReassemblyBudget } from '../flow/tcp/reassembly.js';
import { connectionExtras } from '../report/conn-extras.js';
import { type ExplainModel, type ExplainStep, renderExplain } from '../report/explain.js';
import { explainJson } from '../report/explain-json.js';
import { ipText, tcpOptionsText } from '../report/format.js';
import { HttpNotes } from '../report/http-notes.js';
import type { Style } from '../report/style.js';
import { analyzeFile } from './analyze.js';
import type { Diagnostics } from './diagnostics.js';
import { LineWriter } from './output.js';

export interface ExplainOptions {
  readonly file: string;
  readonly conn: string | undefined;
  readonly json: boolean;
  readonly step: boolean;
  readonly session: SessionOptions;
}

interface Endpoint {
  addr: string;
  port: number;
}

/** `10.0.0.1:80`, `[fd00::1]:80`, `fd00::1.80` (tcpdump style) */
function parseEndpoint(s: string): Endpoint | undefined {
  let m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(s);
  if (m) {
    const a = parseIp6(m[1] as string);
    return a ? { addr: ipText(a), port: Number(m[2]) } : undefined;
  }
  m = /^(\d+\.\d+\.\d+\.\d+)[:.](\d+)$/.exec(s);
  if (m) {
    const a = parseIp4(m[1] as string);
    return a !== undefined ? { addr: ipText(a), port: Number(m[2]) } : undefined;
  }
  m = /^([0-9a-fA-F:]+)\.(\d+)$/.exec(s);
  if (m) {
    const a = parseIp6(m[1] as string);
    return a ? { addr: ipText(a), port: Number(m[2]) } : undefined;
  }
  return undefined;
}

export type ConnSelector = { kind: 'id'; id: number } | { kind: 'tuple'; a: Endpoint; b: Endpoint };

export function parseConnSelector(s: string): ConnSelector {
  const t = s.trim();
  if (/^#?\d+$/.test(t)) return { kind: 'id', id: Number(t.replace('#', '')) };
  const parts = t.split(/\s*(?:-|<->|<>|⇄|,|\s)\s*/).filter((x) => x !== '');
  if (parts.length === 2) {
    const a = parseEndpoint(parts[0] as string);
    const b = parseEndpoint(parts[1] as string);
    if (a && b) return { kind: 'tuple', a, b };
  }
  throw new UserError(
    `cannot read connection '${t}': give the number shown by 'wirelens conns' (e.g. 3) or the two endpoints, e.g. 10.0.0.1:40000-10.0.0.2:80 or [fd00::1]:40000-[fd00::2]:80`,
    ExitCode.usage,
  );
}

export function selectorMatches(c: TcpConnection, sel: ConnSelector): boolean {
  if (sel.kind === 'id') return c.id === sel.id;
  const o = { addr: c.orig.addr, port: c.orig.port };
  const r = { addr: c.resp.addr, port: c.resp.port };
  const eq = (x: Endpoint, y: Endpoint) => x.addr === y.addr && x.port === y.port;
  return (eq(o, sel.a) && eq(r, sel.b)) || (eq(o, sel.b) && eq(r, sel.a));
}

/** A "complete" connection: handshake seen and closed (FIN or RST) within the capture. */
function complete(c: TcpConnection): boolean {
  return (
    c.origin === 'syn' &&
    c.synAckTs !== undefined &&
    (c.endReason === 'closed' || c.orig.fins + c.resp.fins >= 2)
  );
}

function stepOf(
  p: Packet,
  fromOrig: boolean,
  analysis: readonly string[],
  anomalies: readonly { id: string; detail?: string }[],
): ExplainStep {
  const t = p.tcp as NonNullable<Packet['tcp']>;
  const opts = t.options.filter(
    (o) =>
      o.kind === 'mss' ||
      o.kind === 'wscale' ||
      o.kind === 'sack-permitted' ||
      o.kind === 'sack' ||
      o.kind === 'tfo',
  );
  return {
    n: p.frame.index,
    ts: p.frame.ts,
    fromOrig,
    flags: t.flags,
    seq: t.seq,
    ack: t.ack,
    len: t.payloadLength,
    window: t.window,
    options: opts.length > 0 ? `<${tcpOptionsText(opts)}>` : '',
    analysis: [...analysis],
    anomalies: anomalies.map((a) => (a.detail === undefined ? { id: a.id } : { id: a.id, detail: a.detail })),
    notes: [],
  };
}

export async function runExplain(o: ExplainOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  // Pass 1: the connections (to find the one asked for, or the first complete one).
  const all: { id: number; conn: TcpConnection }[] = [];
  const first = await analyzeFile(
    {
      file: o.file,
      filter: '',
      session: { ...o.session, retainTimeWait: true, recordTransitions: true },
      events: {
        tcpEnd: (c) => {
          all.push({ id: c.id, conn: c });
        },
      },
    },
    diag,
  );
  all.sort((x, y) => x.id - y.id);
  if (all.length === 0) throw new UserError(`no TCP connections in ${o.file}`, ExitCode.usage);
  let target: TcpConnection | undefined;
  if (o.conn !== undefined) {
    const sel = parseConnSelector(o.conn);
    target = all.find((x) => selectorMatches(x.conn, sel))?.conn;
    if (!target) {
      throw new UserError(
        `no TCP connection ${o.conn} in ${o.file} (it has ${all.length}: run 'wirelens conns ${o.file}' to list them)`,
        ExitCode.usage,
      );
    }
  } else {
    target = (all.find((x) => complete(x.conn)) ?? all[0])?.conn;
  }
  const id = (target as TcpConnection).id;
  // Pass 2: record that connection's packets, and what HTTP said in them.
  const steps: ExplainStep[] = [];
  let conn: TcpConnection | undefined;
  const notes = new HttpNotes();
  const budget = new ReassemblyBudget();
  const second = await analyzeFile(
    {
      file: o.file,
      filter: '',
      session: {
        ...o.session,
        retainTimeWait: true,
        recordTransitions: true,
        analyzers: (c) =>
          c.id === id
            ? [new HttpAnalyzer(c, budget, () => {}, { onEvent: notes.event, limits: NO_PREVIEWS })]
            : [],
      },
      onPacket: (p, flow) => {
        const r = flow.tcp;
        if (r && r.conn.id === id) {
          conn = r.conn;
          steps.push(stepOf(p, r.seg.fromOrig, r.seg.analysis, r.seg.anomalies));
        }
      },
    },
    diag,
  );
  if (!conn) throw new UserError(`connection ${id} vanished between passes (input changed?)`, ExitCode.input);
  for (const st of steps) {
    const n = notes.byPacket.get(st.n);
    if (n) (st.notes as string[]).push(...n);
  }
  const extras = connectionExtras(conn);
  const model: ExplainModel = { conn, steps, msl: o.session.msl, ...extras };
  const out = new LineWriter();
  if (o.json) {
    out.line(JSON.stringify(explainJson(model)));
    await out.end();
    return Math.max(first.exitCode, second.exitCode) as ExitCodeValue;
  }
  const text = renderExplain(model, style);
  for (const l of text.header) out.line(l);
  const interactive = o.step && process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (interactive) {
    out.flush();
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    let quit = false;
    for (const block of text.steps) {
      for (const l of block) out.line(l);
      out.flush();
      const answer = await new Promise<string>((resolve) =>
        rl.question(style.dim('  [Enter] next packet, q quit '), resolve),
      );
      if (answer.trim().toLowerCase().startsWith('q')) {
        quit = true;
        break;
      }
    }
    rl.close();
    if (quit) {
      await out.end();
      return ExitCode.ok;
    }
  } else {
    if (o.step) diag.info('--step needs a terminal on stdin and stdout; printing everything');
    for (const block of text.steps) for (const l of block) out.line(l);
  }
  for (const l of text.footer) out.line(l);
  if (o.conn === undefined && all.length > 1) {
    out.line('');
    out.line(
      style.heading(
        `Other connections in this capture (${all.length - 1}); explain one with: wirelens explain ${o.file} N`,
      ),
    );
    for (const { conn: c } of all.filter((x) => x.id !== id).slice(0, 12)) {
      out.line(
        `  ${String(c.id).padStart(4)}  ${c.orig.addr}:${c.orig.port} → ${c.resp.addr}:${c.resp.port}  ${c.orig.state}/${c.resp.state}`,
      );
    }
    if (all.length - 1 > 12) out.line(style.dim(`  … and ${all.length - 13} more: wirelens conns ${o.file}`));
  }
  await out.end();
  return Math.max(first.exitCode, second.exitCode) as ExitCodeValue;
}
