/** `wirelens report FILE [FILTER]`: the whole picture of a capture in one report. */
import { ArpAnalyzer, arpSummary } from '../annotate/arp.js';
import { HostTable } from '../annotate/hosts.js';
import { NatHintsCollector, natHintsSummary } from '../annotate/nat-hints.js';
import type { HttpRecord } from '../app/http/analyzer.js';
import type { ExitCodeValue } from '../core/errors.js';
import { plural } from '../core/plural.js';
import { TopK } from '../core/topk.js';
import type { SessionOptions } from '../flow/session.js';
import { CaptureStats } from '../flow/stats.js';
import { ListenerTracker } from '../flow/tcp/listeners.js';
import { renderArp } from '../report/arp.js';
import { connectionExtras } from '../report/conn-extras.js';
import { eventsText } from '../report/http.js';
import { renderNatHints } from '../report/nat.js';
import { buildReport, renderReport, TcpAggregate } from '../report/report.js';
import type { Style } from '../report/style.js';
import { parseLocalNets } from './addr.js';
import { analyzeFile } from './analyze.js';
import type { Diagnostics } from './diagnostics.js';
import { withHttp } from './http.js';
import { LineWriter } from './output.js';
import { ProgressBar } from './progress.js';

/** A transaction kept for the slowest list, with its connection's number and its order of completion. */
interface SlowTransaction {
  readonly conn: number;
  readonly tx: HttpRecord['tx'];
  readonly events: HttpRecord['events'];
  readonly n: number;
}

/** How long a transaction took: to the end of its response (0 without one). */
function duration(r: SlowTransaction): number {
  return (r.tx.response_end_ts ?? r.tx.request_start_ts ?? 0) - (r.tx.request_start_ts ?? 0);
}

/** The slowest transactions the report lists. */
const SLOWEST = 5;
export interface ReportOptions {
  readonly file: string;
  readonly filter: string;
  readonly json: boolean;
  readonly top: number;
  readonly localNets: readonly string[];
  readonly session: SessionOptions;
}

/** Distinct HTTP hosts the report counts by name (the rest together, as "(others)"). */
const MAX_HTTP_HOSTS = 10_000;

export async function runReport(o: ReportOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  const stats = new CaptureStats();
  const hosts = new HostTable(parseLocalNets(o.localNets));
  const listeners = new ListenerTracker();
  const tcpAgg = new TcpAggregate();
  const udp = { flows: 0, answered: 0, unanswered: 0 };
  const progress = new ProgressBar('reading');
  const arp = new ArpAnalyzer();
  const nat = new NatHintsCollector();
  const http = {
    transactions: 0,
    byStatus: new Map<string, number>(),
    byHost: new Map<string, number>(),
    /**
     * The slowest transactions, with their connection's number (not the connection: it is recycled);
     * of equally slow ones, the first to complete.
     */
    slow: new TopK<SlowTransaction>(SLOWEST, (a, b) => duration(b) - duration(a) || a.n - b.n),
    incomplete: 0,
    withTcpEvents: 0,
  };
  const run = await analyzeFile(
    {
      file: o.file,
      filter: o.filter,
      // Connections are read only as they end (and a transaction as it completes): rows are reused.
      session: withHttp({ ...o.session, recycleEnded: true }, (r) => {
        http.transactions++;
        const cls =
          r.tx.status_code === undefined ? 'no response' : `${Math.floor(r.tx.status_code / 100)}xx`;
        http.byStatus.set(cls, (http.byStatus.get(cls) ?? 0) + 1);
        if (r.tx.host !== undefined) {
          // Bounded like every table: hosts beyond the first MAX_HTTP_HOSTS are counted together.
          const host =
            http.byHost.has(r.tx.host) || http.byHost.size < MAX_HTTP_HOSTS ? r.tx.host : '(others)';
          http.byHost.set(host, (http.byHost.get(host) ?? 0) + 1);
        }
        for (const a of r.tx.anomalies)
          stats.addFlowAnomaly(a, r.tx.request_start_packet ?? r.conn.firstPacket);
        if (r.tx.tags.includes('incomplete')) http.incomplete++;
        if (r.events.length > 0) http.withTcpEvents++;
        http.slow.offer({ conn: r.conn.id, tx: r.tx, events: r.events, n: http.transactions });
      }),
      onProgress: progress.update,
      onPacket: (p) => {
        stats.add(p);
        hosts.add(p);
        arp.onPacket(p);
        nat.onPacket(p);
      },
      events: {
        tcpEnd: (c) => {
          for (const a of c.anomalies) stats.addFlowAnomaly(a, c.firstPacket);
          // The aggregate reads the Zeek conn_state, never the address tags.
          tcpAgg.add(c, connectionExtras(c, undefined, false).zeek?.connState);
          listeners.add(c);
        },
        udpEnd: (f) => {
          udp.flows++;
          udp.answered += f.answered;
          udp.unanswered += f.unanswered;
        },
      },
    },
    diag,
  );
  progress.done();
  const untracked = listeners.untrackedNote();
  if (untracked !== undefined) diag.info(untracked);
  const model = buildReport({
    file: o.file,
    result: run.result,
    stats,
    hosts,
    tcp: tcpAgg,
    udpFlows: udp,
    listeners: listeners.reports(),
    tracker: {
      evicted: run.session.tcp.evicted,
      expired: run.session.tcp.expired,
      peak: run.session.tcp.peak,
    },
    top: o.top,
  });
  const start = stats.first ?? 0;
  const arpS = arpSummary(arp);
  const natS = natHintsSummary(nat);
  const out = new LineWriter();
  if (o.json)
    out.line(
      JSON.stringify({
        ...model,
        extra: undefined,
        http: {
          transactions: http.transactions,
          byStatus: Object.fromEntries(http.byStatus),
          incomplete: http.incomplete,
        },
        nat: natS,
        arp: arpS,
      }),
    );
  else {
    // The text report's own sections (the JSON has their data as it is).
    const slow = http.slow.sorted();
    const httpLines =
      http.transactions === 0
        ? ['no HTTP transactions']
        : [
            `${plural(http.transactions, 'transaction')}: ${[...http.byStatus]
              .sort()
              .map(([k, v]) => `${k} ${v}`)
              .join(
                ', ',
              )}${http.incomplete ? `; ${http.incomplete} incomplete` : ''}; ${http.withTcpEvents} with TCP trouble`,
            `hosts: ${[...http.byHost]
              .sort((a, b) => b[1] - a[1])
              .slice(0, 5)
              .map(([h, n]) => `${h} (${n})`)
              .join(', ')}`,
            'slowest:',
            ...slow.map(
              (r) =>
                `  ${(r.tx.request_start_ts ?? 0) - start >= 0 ? `+${((r.tx.request_start_ts ?? 0) - start).toFixed(3)}s` : ''} #${r.conn} ${r.tx.method ?? '?'} ${(r.tx.uri ?? '').slice(0, 40)} → ${r.tx.status_code ?? '-'} in ${(duration(r) * 1000).toFixed(1)} ms${r.events.length ? `; TCP: ${eventsText(r.events)}` : ''}`,
            ),
          ];
    model.extra.HTTP = httpLines;
    model.extra.NAT =
      natS.hints.length === 0
        ? [
            'no NAT hints: no private or CGNAT address talks to a public one, and no source shows several hosts',
          ]
        : renderNatHints(natS, undefined, style).map((l) => l.replace(/^ {2}/, ''));
    model.extra.ARP = arpS.packets === 0 ? ['no ARP in this capture'] : renderArp(arpS, start, style);
    for (const l of renderReport(model, style)) out.line(l);
  }
  await out.end();
  return run.exitCode;
}
