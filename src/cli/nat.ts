/**
 * `wirelens nat INSIDE OUTSIDE`: the translation table of a NAT from captures taken on both of
 * its sides. `wirelens nat FILE` (or `--hints`): what one capture says about NATs it did not see.
 */
import {
  type CapturedFlows,
  DEFAULT_NAT_MATCH,
  matchNat,
  NatFlowCollector,
  type NatLimits,
  type NatReport,
} from '../annotate/nat.js';
import { NatHintsCollector, type NatHintsSummary, natHintsSummary } from '../annotate/nat-hints.js';
import { ExitCode, type ExitCodeValue, UserError } from '../core/errors.js';
import type { SessionOptions } from '../flow/session.js';
import { renderNat, renderNatHints } from '../report/nat.js';
import type { Style } from '../report/style.js';
import { analyzeFile } from './analyze.js';
import type { Diagnostics } from './diagnostics.js';
import { LineWriter } from './output.js';

export interface NatOptions {
  /** One capture (hints only) or two: inside, outside. */
  readonly files: readonly string[];
  readonly json: boolean;
  /** With two captures, also the single-capture hints of each. */
  readonly hints: boolean;
  readonly limits: NatLimits;
  /** Largest believable delay through the NAT, seconds. */
  readonly maxDelay: number;
  /** Clock offset (outside − inside, seconds) when known; estimated otherwise. */
  readonly clockOffset: number | undefined;
  readonly session: SessionOptions;
}

interface Collected {
  readonly flows: CapturedFlows;
  readonly hints: NatHintsSummary | undefined;
  readonly exitCode: ExitCodeValue;
}

async function collect(
  file: string,
  o: NatOptions,
  wantFlows: boolean,
  wantHints: boolean,
  diag: Diagnostics,
): Promise<Collected> {
  const col = new NatFlowCollector(o.limits);
  const hints = wantHints ? new NatHintsCollector() : undefined;
  const run = await analyzeFile(
    {
      file,
      filter: '',
      // Connections are read while tracked and as they end, never after: rows are reused.
      session: { ...o.session, recycleEnded: true },
      events: wantFlows ? { tcpEnd: (c) => col.onTcpEnd(c), udpEnd: (f) => col.onUdpEnd(f) } : {},
      onPacket: (p, flow) => {
        if (wantFlows) col.onPacket(p, flow);
        hints?.onPacket(p);
      },
    },
    diag,
  );
  const flows = col.finish();
  if (flows.dropped > 0) {
    diag.warn(
      `${file}: ${flows.dropped} flows beyond the limit of ${o.limits.maxFlows} were not matched (--max-flows)`,
    );
  }
  return { flows, hints: hints ? natHintsSummary(hints) : undefined, exitCode: run.exitCode };
}

export interface NatRun {
  readonly report: NatReport | undefined;
  readonly hints: {
    readonly inside?: NatHintsSummary;
    readonly outside?: NatHintsSummary;
    readonly single?: NatHintsSummary;
  };
  readonly exitCode: ExitCodeValue;
}

export async function runNatModel(o: NatOptions, diag: Diagnostics): Promise<NatRun> {
  if (o.files.length === 1) {
    const one = await collect(o.files[0] as string, o, false, true, diag);
    return { report: undefined, hints: one.hints ? { single: one.hints } : {}, exitCode: one.exitCode };
  }
  if (o.files.length !== 2)
    throw new UserError('nat takes one capture (hints) or two: INSIDE OUTSIDE', ExitCode.usage);
  const inside = await collect(o.files[0] as string, o, true, o.hints, diag);
  const outside = await collect(o.files[1] as string, o, true, o.hints, diag);
  const report = matchNat(inside.flows, outside.flows, {
    ...DEFAULT_NAT_MATCH,
    maxDelay: o.maxDelay,
    ...(o.clockOffset !== undefined ? { clockOffset: o.clockOffset } : {}),
  });
  const hints: { inside?: NatHintsSummary; outside?: NatHintsSummary } = {};
  if (inside.hints) hints.inside = inside.hints;
  if (outside.hints) hints.outside = outside.hints;
  return { report, hints, exitCode: inside.exitCode !== ExitCode.ok ? inside.exitCode : outside.exitCode };
}

export async function runNat(o: NatOptions, style: Style, diag: Diagnostics): Promise<ExitCodeValue> {
  const r = await runNatModel(o, diag);
  const out = new LineWriter();
  if (o.json) {
    if (r.report) out.line(JSON.stringify(o.hints ? { ...r.report, hints: r.hints } : r.report));
    else out.line(JSON.stringify(r.hints.single));
  } else {
    if (r.report) {
      for (const l of renderNat(r.report, o.files[0] as string, o.files[1] as string, style)) out.line(l);
      for (const [name, h] of [
        ['inside', r.hints.inside],
        ['outside', r.hints.outside],
      ] as const) {
        if (!h) continue;
        out.line('');
        for (const l of renderNatHints(h, `${name} capture`, style)) out.line(l);
      }
    } else if (r.hints.single) {
      for (const l of renderNatHints(r.hints.single, undefined, style)) out.line(l);
    }
  }
  await out.end();
  return r.exitCode;
}
