/** `wirelens report FILE [FILTER]`: the whole picture of a capture in one report. */
import { HostTable } from '../annotate/hosts.js';
import type { ExitCodeValue } from '../core/errors.js';
import type { SessionOptions } from '../flow/session.js';
import { CaptureStats } from '../flow/stats.js';
import { ListenerTracker } from '../flow/tcp/listeners.js';
import { connectionExtras } from '../report/conn-extras.js';
import { type ConnRecord, tcpRecord } from '../report/conns.js';
import { buildReport, renderReport } from '../report/report.js';
import type { Style } from '../report/style.js';
import { parseLocalNets } from './addr.js';
import { analyzeFile } from './analyze.js';
import type { Diagnostics } from './diagnostics.js';
import { LineWriter } from './output.js';
import { ProgressBar } from './progress.js';

export interface ReportOptions {
  readonly file: string;
  readonly filter: string;
  readonly json: boolean;
  readonly top: number;
  readonly localNets: readonly string[];
  readonly session: SessionOptions;
}

export async function runReport(o: ReportOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  const stats = new CaptureStats();
  const hosts = new HostTable(parseLocalNets(o.localNets));
  const listeners = new ListenerTracker();
  const conns: ConnRecord[] = [];
  const udp = { flows: 0, answered: 0, unanswered: 0 };
  const progress = new ProgressBar('reading');
  const run = await analyzeFile(
    {
      file: o.file,
      filter: o.filter,
      session: o.session,
      onProgress: progress.update,
      onPacket: (p) => {
        stats.add(p);
        hosts.add(p);
      },
      events: {
        tcpEnd: (c) => {
          conns.push(tcpRecord(c, connectionExtras(c)));
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
  const model = buildReport({
    file: o.file,
    result: run.result,
    stats,
    hosts,
    conns,
    udpFlows: udp,
    listeners: listeners.reports(),
    tracker: {
      evicted: run.session.tcp.evicted,
      expired: run.session.tcp.expired,
      peak: run.session.tcp.peak,
    },
    top: o.top,
  });
  const out = new LineWriter();
  if (o.json) out.line(JSON.stringify(model));
  else for (const l of renderReport(model, style)) out.line(l);
  await out.end();
  return run.exitCode;
}
