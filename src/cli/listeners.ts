/** `wirelens listeners FILE [FILTER]`: listening endpoints and listen-backlog findings. */
import type { ExitCodeValue } from '../core/errors.js';
import type { SessionOptions } from '../flow/session.js';
import { ListenerTracker } from '../flow/tcp/listeners.js';
import { renderListeners } from '../report/listeners.js';
import type { Style } from '../report/style.js';
import { analyzeFile } from './analyze.js';
import type { Diagnostics } from './diagnostics.js';
import { LineWriter } from './output.js';

export interface ListenersOptions {
  readonly file: string;
  readonly filter: string;
  readonly json: boolean;
  readonly session: SessionOptions;
}

export async function runListeners(
  o: ListenersOptions,
  style: Style,
  diag: Diagnostics,
): Promise<ExitCodeValue> {
  const lt = new ListenerTracker();
  let start: number | undefined;
  const run = await analyzeFile(
    {
      file: o.file,
      filter: o.filter,
      // A connection is read only as it ends (its facts are copied): its row is reused right after.
      session: { ...o.session, recycleEnded: true },
      events: { tcpEnd: (c) => lt.add(c) },
      onPacket: (p) => {
        start ??= p.frame.ts;
      },
    },
    diag,
  );
  const reports = lt.reports();
  const untracked = lt.untrackedNote();
  if (untracked !== undefined) diag.info(untracked);
  const out = new LineWriter();
  if (o.json) for (const r of reports) out.line(JSON.stringify(r));
  else for (const l of renderListeners(reports, start ?? 0, style)) out.line(l);
  await out.end();
  return run.exitCode;
}
