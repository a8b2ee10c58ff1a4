/** `wirelens arp FILE [FILTER]`: ARP explained — the IP → MAC table, requests and replies, findings. */
import { ArpAnalyzer, arpSummary } from '../annotate/arp.js';
import type { ExitCodeValue } from '../core/errors.js';
import type { SessionOptions } from '../flow/session.js';
import { renderArp } from '../report/arp.js';
import type { Style } from '../report/style.js';
import { analyzeFile } from './analyze.js';
import type { Diagnostics } from './diagnostics.js';
import { LineWriter } from './output.js';

export interface ArpOptions {
  readonly file: string;
  readonly filter: string;
  readonly json: boolean;
  readonly session: SessionOptions;
}

export async function runArp(o: ArpOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  const a = new ArpAnalyzer();
  let start: number | undefined;
  const run = await analyzeFile(
    {
      file: o.file,
      filter: o.filter,
      session: o.session,
      onPacket: (p) => {
        start ??= p.frame.ts;
        a.onPacket(p);
      },
    },
    diag,
  );
  const s = arpSummary(a);
  const out = new LineWriter();
  if (o.json) out.line(JSON.stringify(s));
  else for (const l of renderArp(s, start ?? 0, style)) out.line(l);
  await out.end();
  return run.exitCode;
}
