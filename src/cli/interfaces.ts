/** `wirelens interfaces`: the capture devices libpcap offers, with their addresses and flags. */
import {
  defaultInterface,
  type LiveAddress,
  type LiveInterface,
  listInterfaces,
  loadCap,
} from '../capture/live.js';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { escapeText } from '../core/escape.js';
import type { Style } from '../report/style.js';
import { LineWriter } from './output.js';

export interface InterfacesOptions {
  readonly json: boolean;
  /** Module to load instead of `cap` (tests); default: $WIRELENS_CAP_MODULE, else `cap`. */
  readonly capModule?: string | undefined;
}

function addrText(a: LiveAddress): string {
  return a.prefix !== undefined ? `${a.addr}/${a.prefix}` : a.addr;
}

function flagWords(i: LiveInterface): string[] {
  const w: string[] = [];
  if (i.loopback) w.push('loopback');
  if (i.up === true) w.push('up');
  if (i.up === false) w.push('down');
  if (i.running === true) w.push('running');
  return w;
}

/** One JSON object per interface (NDJSON). `up`/`running` are null when not known. */
export function interfaceJson(i: LiveInterface, isDefault: boolean): string {
  return JSON.stringify({
    name: escapeText(i.name),
    description: i.description !== undefined ? escapeText(i.description) : undefined,
    loopback: i.loopback,
    up: i.up ?? null,
    running: i.running ?? null,
    default: isDefault,
    addresses: i.addresses,
  });
}

/** The interfaces as an aligned text table; `*` marks the one `sniff` uses without `-i`. */
export function interfaceLines(list: readonly LiveInterface[], st: Style): string[] {
  const def = defaultInterface(list);
  const rows = list.map((i) => [
    i === def ? '*' : ' ',
    escapeText(i.name),
    flagWords(i).join(', ') || '-',
    i.addresses.map(addrText).join(', ') || (i.description !== undefined ? escapeText(i.description) : '-'),
  ]);
  const head = [' ', 'name', 'flags', 'addresses'];
  const width = (c: number) => Math.max(head[c]!.length, ...rows.map((r) => r[c]!.length));
  const w1 = width(1);
  const w2 = width(2);
  const fmt = (r: string[], bold: boolean) => {
    const line = `${r[0]} ${r[1]!.padEnd(w1)}  ${r[2]!.padEnd(w2)}  ${r[3]}`.trimEnd();
    return bold ? st.bold(line) : line;
  };
  const out = [st.heading(`Capture devices (${list.length})`), fmt(head, true)];
  for (const r of rows) out.push(fmt(r, false));
  out.push(
    def
      ? st.dim(
          `* the default for wirelens sniff: the first interface that is up, not loopback, with an address`,
        )
      : st.dim('no interface is up, not loopback and with an address: wirelens sniff needs -i'),
  );
  return out;
}

export async function runInterfaces(o: InterfacesOptions, style: Style): Promise<ExitCodeValue> {
  const cap = loadCap(o.capModule);
  const list = listInterfaces(cap);
  const def = defaultInterface(list);
  const out = new LineWriter();
  if (o.json) for (const i of list) out.line(interfaceJson(i, i === def));
  else for (const l of interfaceLines(list, style)) out.line(l);
  await out.end();
  return ExitCode.ok;
}
