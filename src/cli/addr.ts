/** `wirelens addr ADDRESS...`: what kind of address each one is (IANA special-purpose registries). */
import { describeAddresses, describeLines } from '../annotate/describe.js';
import { LocalNets } from '../annotate/local-nets.js';
import { REGISTRY_EDITION } from '../annotate/registry-data.js';
import { ExitCode, type ExitCodeValue, UserError } from '../core/errors.js';
import { escapeText } from '../core/escape.js';
import type { Style } from '../report/style.js';
import { LineWriter } from './output.js';

export interface AddrOptions {
  readonly addresses: readonly string[];
  readonly json: boolean;
  readonly localNets: readonly string[];
}

export function parseLocalNets(specs: readonly string[]): LocalNets | undefined {
  if (specs.length === 0) return undefined;
  const r = LocalNets.parse(specs);
  if (!r.ok) {
    throw new UserError(
      `invalid --local-net: ${r.errors.map((e) => escapeText(`${e.input} (${e.reason})`)).join('; ')}`,
      ExitCode.usage,
    );
  }
  return r.nets;
}

export async function runAddr(o: AddrOptions, style: Style): Promise<ExitCodeValue> {
  const local = parseLocalNets(o.localNets);
  const results = describeAddresses(o.addresses, local);
  const out = new LineWriter();
  if (o.json) for (const r of results) out.line(JSON.stringify(r));
  else {
    results.forEach((r, i) => {
      if (i > 0) out.line('');
      describeLines(r).forEach((l, j) => {
        out.line(j === 0 ? (r.ok ? style.bold(l) : style.error(l)) : l);
      });
    });
    out.line('');
    out.line(style.dim(`IANA IPv4/IPv6 Special-Purpose Address Registries, edition ${REGISTRY_EDITION}`));
  }
  await out.end();
  return results.some((r) => !r.ok) ? ExitCode.usage : ExitCode.ok;
}
