/**
 * `wirelens addr ADDRESS...`: what each address is, as a plain data view model (for JSON and
 * the terminal renderer in report/) and as plain text lines (no colour, at most 100 columns).
 * Also `shortTag`, the few words other commands print after an address.
 */
import { ip4ToString, ip6ToString, parseIp4, parseIp6 } from '../core/addr.js';
import { escapeText } from '../core/escape.js';
import { type AddressClass, classifyIp, enclosingBlocks, type MulticastFlags } from './classify.js';
import type { LocalNets } from './local-nets.js';
import {
  type AddressTag,
  type AttributeName,
  type EmbedKind,
  type Flag,
  type MulticastScope,
  REGISTRY_SOURCES,
} from './registry-data.js';

export type YesNo = 'yes' | 'no' | 'n/a' | 'blank';

export interface AttributesView {
  readonly source: YesNo;
  readonly destination: YesNo;
  readonly forwardable: YesNo;
  readonly globallyReachable: YesNo;
  readonly reservedByProtocol: YesNo;
}

/**
 * Where the attribute values come from: the registry's own columns; `inherited` from the
 * enclosing block (multicast sub-blocks and groups); `multicast-scope`, derived from the IPv6
 * scope nibble (RFC 4291 section 2.7); `derived` by wirelens from the cited RFCs for a block
 * the special-purpose registries do not list.
 */
export type AttributesFrom = 'registry' | 'inherited' | 'multicast-scope' | 'derived';

export interface ClassView {
  readonly prefix: string;
  readonly name: string;
  readonly tag: AddressTag;
  readonly rfcs: readonly string[];
  /** Title of the registry the entry comes from, or `RFC` for blocks defined only by an RFC. */
  readonly registry: string;
  /** IANA "Last Updated" of the registry edition used. */
  readonly edition?: string;
  readonly allocated?: string;
  readonly terminated?: string;
  readonly attributes: AttributesView;
  readonly attributesFrom: AttributesFrom;
  /** Registry footnotes, each as `[n] on cells: text`. */
  readonly footnotes: readonly string[];
  readonly note?: string;
  /** Enclosing blocks, most specific first (not including this one). */
  readonly within: readonly { readonly prefix: string; readonly name: string }[];
  readonly linkLocal: boolean;
  readonly multicast?: {
    readonly scope: MulticastScope;
    readonly scopeValue?: number;
    readonly flags?: MulticastFlags;
  };
}

export interface EmbeddedView {
  /** `ipv4` for mapped, compatible, NAT64 and 6to4; the two Teredo roles for Teredo. */
  readonly role: 'ipv4' | 'teredo-server' | 'teredo-client';
  readonly kind: EmbedKind;
  readonly bits: string;
  readonly address: string;
  /** The position is wirelens's assumption (64:ff9b:1::/48 read as RFC 6052 /96). */
  readonly assumed: boolean;
  readonly local?: string;
  readonly classification: ClassView;
}

export interface AddrOk {
  readonly ok: true;
  /** The argument as given (escaped for the terminal). */
  readonly input: string;
  readonly family: 4 | 6;
  /** Canonical text (RFC 5952 for IPv6). */
  readonly address: string;
  /** IPv6 zone (`%eth0`), when given. */
  readonly zone?: string;
  /** The `--local-net` prefix holding the address. */
  readonly local?: string;
  /** What other commands print inline: `shortTag`. */
  readonly tag: string;
  readonly classification: ClassView;
  readonly embedded: readonly EmbeddedView[];
  /** Teredo only (RFC 4380 section 4). */
  readonly teredo?: { readonly clientPort: number; readonly flags: number; readonly cone: boolean };
}

export type AddrErrorKind = 'empty' | 'prefix-not-address' | 'invalid';

export interface AddrError {
  readonly ok: false;
  readonly input: string;
  readonly error: AddrErrorKind;
  readonly message: string;
}

export type AddrResult = AddrOk | AddrError;

// ---------------------------------------------------------------------------------------------
// Short inline tag.
// ---------------------------------------------------------------------------------------------

/**
 * The tag printed after an address: `private`, `local private`, `multicast/link-local`,
 * `ipv4-mapped/private`, `nat64/public`, `teredo/doc` (the Teredo client's class).
 */
export function shortTag(a: number | Uint8Array, local?: LocalNets): string {
  return tagOf(classifyIp(a), local !== undefined && !local.empty && local.contains(a), local);
}

function tagOf(c: AddressClass, isLocal: boolean, local: LocalNets | undefined): string {
  let t: string = c.tag;
  if (c.multicast !== undefined) t = `${t}/${c.multicast.scope}`;
  if (isLocal) t = `local ${t}`;
  const e = c.embedded;
  if (e !== undefined) {
    const innerLocal = local !== undefined && !local.empty && local.contains(e.ipv4);
    t = `${t}/${tagOf(e.class, innerLocal, undefined)}`;
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// View model.
// ---------------------------------------------------------------------------------------------

function yesNo(f: Flag): YesNo {
  return f === true ? 'yes' : f === false ? 'no' : f;
}

const CELL_NAMES: Record<AttributeName | 'address', string> = {
  address: 'address block',
  source: 'source',
  destination: 'destination',
  forwardable: 'forwardable',
  globallyReachable: 'globally reachable',
  reservedByProtocol: 'reserved-by-protocol',
};

/** The view of one classification (exported for renderers that classify on their own). */
export function classView(c: AddressClass, addr: number | Uint8Array): ClassView {
  const e = c.entry;
  const src = e.origin === 'rfc' ? undefined : REGISTRY_SOURCES[e.origin];
  const attributesFrom: AttributesFrom =
    c.family === 6 && c.multicast !== undefined
      ? 'multicast-scope'
      : e.attrs === undefined
        ? 'inherited'
        : e.origin === 'iana-ipv4-special' || e.origin === 'iana-ipv6-special'
          ? 'registry'
          : 'derived';
  const within = enclosingBlocks(addr)
    // The /0 catch-alls name what is left over, not a block anything else sits in.
    .filter((b) => b.prefix !== c.prefix && b.len > 0)
    .map((b) => ({ prefix: b.prefix, name: b.entry.name }));
  const m = c.multicast;
  return {
    prefix: c.prefix,
    name: c.name,
    tag: c.tag,
    rfcs: c.rfcs,
    registry: src?.title ?? 'RFC',
    ...(src ? { edition: src.updated } : {}),
    ...(e.allocated !== undefined ? { allocated: e.allocated } : {}),
    ...(e.terminated !== undefined ? { terminated: e.terminated } : {}),
    attributes: {
      source: yesNo(c.attrs.source),
      destination: yesNo(c.attrs.destination),
      forwardable: yesNo(c.attrs.forwardable),
      globallyReachable: yesNo(c.attrs.globallyReachable),
      reservedByProtocol: yesNo(c.attrs.reservedByProtocol),
    },
    attributesFrom,
    footnotes: c.footnotes.map(
      (f) => `[${f.mark}] on ${f.cells.map((x) => CELL_NAMES[x]).join(', ')}: ${f.text}`,
    ),
    ...(e.note !== undefined ? { note: e.note } : {}),
    within,
    linkLocal: c.linkLocal,
    ...(m !== undefined
      ? {
          multicast: {
            scope: m.scope,
            ...(m.scopeValue !== undefined ? { scopeValue: m.scopeValue } : {}),
            ...(m.flags !== undefined ? { flags: m.flags } : {}),
          },
        }
      : {}),
  };
}

function embeddedViews(c: AddressClass, local: LocalNets | undefined): EmbeddedView[] {
  const e = c.embedded;
  if (e === undefined) return [];
  const view = (
    role: EmbeddedView['role'],
    bits: string,
    a: number,
    cls: AddressClass,
    assumed: boolean,
  ): EmbeddedView => {
    const net = local?.match(a);
    return {
      role,
      kind: e.kind,
      bits,
      address: ip4ToString(a),
      assumed,
      ...(net ? { local: net.text } : {}),
      classification: classView(cls, a),
    };
  };
  if (e.teredo !== undefined) {
    return [
      view('teredo-server', 'bits 32-63', e.teredo.server, e.teredo.serverClass, false),
      view('teredo-client', e.bits, e.ipv4, e.class, false),
    ];
  }
  return [view('ipv4', e.bits, e.ipv4, e.class, e.assumed)];
}

/** Classify one command-line argument. */
export function describeAddress(input: string, local?: LocalNets): AddrResult {
  const shown = escapeText(input);
  let s = input.trim();
  if (s === '')
    return {
      ok: false,
      input: shown,
      error: 'empty',
      message: 'empty argument: give an IPv4 or IPv6 address',
    };
  if (s.includes('/')) {
    return {
      ok: false,
      input: shown,
      error: 'prefix-not-address',
      message: `${shown}: a prefix, not an address: give one address (for example the first one)`,
    };
  }
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  let zone: string | undefined;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
  }
  const v4 = zone === undefined ? parseIp4(s) : undefined;
  const v6 = v4 === undefined ? parseIp6(s) : undefined;
  const a: number | Uint8Array | undefined = v4 ?? v6;
  if (a === undefined || (zone !== undefined && zone === '')) {
    return { ok: false, input: shown, error: 'invalid', message: `${shown}: not an IPv4 or IPv6 address` };
  }
  const c = classifyIp(a);
  const isLocal = local !== undefined && !local.empty && local.contains(a);
  const net = isLocal ? local?.match(a) : undefined;
  const t = c.embedded?.teredo;
  return {
    ok: true,
    input: shown,
    family: c.family,
    address: typeof a === 'number' ? ip4ToString(a) : ip6ToString(a),
    ...(zone !== undefined ? { zone: escapeText(zone) } : {}),
    ...(net ? { local: net.text } : {}),
    tag: tagOf(c, isLocal, local),
    classification: classView(c, a),
    embedded: embeddedViews(c, local),
    ...(t !== undefined ? { teredo: { clientPort: t.clientPort, flags: t.flags, cone: t.cone } } : {}),
  };
}

/** Classify every argument, in order. */
export function describeAddresses(inputs: readonly string[], local?: LocalNets): AddrResult[] {
  return inputs.map((s) => describeAddress(s, local));
}

// ---------------------------------------------------------------------------------------------
// Plain text.
// ---------------------------------------------------------------------------------------------

export const MAX_COLUMNS = 100;
const LABEL_WIDTH = 16;

/** Word-wrap `text` after a label column, continuing lines indented under the text. */
function labelledAt(label: string, text: string, indent: number): string[] {
  const lead = ' '.repeat(indent);
  const pad = ' '.repeat(indent + LABEL_WIDTH);
  const first = `${lead}${label}`.padEnd(indent + LABEL_WIDTH);
  const width = MAX_COLUMNS - indent - LABEL_WIDTH;
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
    while (line.length > width) {
      out.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  out.push(line);
  return out.map((l, i) => (i === 0 ? first : pad) + l);
}

function rfcList(rfcs: readonly string[]): string {
  return rfcs.length === 0 ? '' : ` (${rfcs.join('; ')})`;
}

function attributesText(a: AttributesView): string {
  return (
    `source ${a.source}, destination ${a.destination}, forwardable ${a.forwardable}, ` +
    `globally reachable ${a.globallyReachable}, reserved-by-protocol ${a.reservedByProtocol}`
  );
}

const FROM_TEXT: Record<AttributesFrom, string> = {
  registry: 'registry columns',
  inherited: 'inherited from the enclosing block',
  'multicast-scope': 'from the multicast scope (RFC 4291 section 2.7)',
  derived: 'wirelens reading of the RFCs cited',
};

function flagsText(f: MulticastFlags): string {
  const parts: string[] = [];
  if (f.transient) parts.push('transient');
  else parts.push('permanent');
  if (f.prefixBased) parts.push('unicast-prefix-based');
  if (f.embeddedRp) parts.push('embedded RP');
  if (f.reservedBit) parts.push('reserved bit set');
  return `flags ${f.value.toString(16)} (${parts.join(', ')})`;
}

function classLines(v: ClassView, indent = 2): string[] {
  const out: string[] = [];
  const labelled = (label: string, text: string) => labelledAt(label, text, indent);
  out.push(...labelled('block', `${v.prefix} ${v.name}${rfcList(v.rfcs)}`));
  let from = v.registry === 'RFC' ? 'not in an IANA registry: defined by the RFCs cited' : v.registry;
  if (v.edition !== undefined) from += `, edition ${v.edition}`;
  if (v.allocated !== undefined) from += `; allocated ${v.allocated}`;
  if (v.terminated !== undefined) from += `; terminated ${v.terminated}`;
  out.push(...labelled('registry', from));
  out.push(...labelled('attributes', `${attributesText(v.attributes)} [${FROM_TEXT[v.attributesFrom]}]`));
  if (v.multicast !== undefined) {
    const m = v.multicast;
    let s = `scope ${m.scope}`;
    if (m.scopeValue !== undefined) s += ` (${m.scopeValue.toString(16)})`;
    if (m.flags !== undefined) s += `, ${flagsText(m.flags)}`;
    out.push(...labelled('multicast', s));
  }
  if (v.linkLocal) out.push(...labelled('link scope', 'never forwarded by a router'));
  if (v.within.length > 0)
    out.push(...labelled('within', v.within.map((w) => `${w.prefix} ${w.name}`).join('; ')));
  for (const f of v.footnotes) out.push(...labelled('footnote', f));
  if (v.note !== undefined) out.push(...labelled('note', v.note));
  return out;
}

function embeddedLine(e: EmbeddedView): string[] {
  const role = e.role === 'ipv4' ? 'embeds' : e.role === 'teredo-server' ? 'teredo server' : 'teredo client';
  const c = e.classification;
  const local = e.local !== undefined ? `local (${e.local}) ` : '';
  const assumed = e.assumed ? ' [position assumed: RFC 6052 /96 layout]' : '';
  return labelled(
    role,
    `${e.address} at ${e.bits}${assumed}: ${local}${c.tag}, ${c.prefix} ${c.name}${rfcList(c.rfcs)}`,
  );
}

function labelled(label: string, text: string): string[] {
  return labelledAt(label, text, 2);
}

/** Plain text lines for one result: no colour, at most `MAX_COLUMNS` columns. */
export function describeLines(r: AddrResult): string[] {
  if (!r.ok) return [`${r.message}`];
  const out: string[] = [];
  const zone = r.zone !== undefined ? `%${r.zone}` : '';
  out.push(...labelledAt('', `${r.address}${zone} IPv${r.family}: ${r.tag}`, 0).map((l) => l.trimStart()));
  if (r.local !== undefined) out.push(...labelled('local net', `${r.local} (--local-net)`));
  out.push(...classLines(r.classification));
  for (const e of r.embedded) {
    out.push(...embeddedLine(e));
  }
  if (r.teredo !== undefined) {
    const t = r.teredo;
    const hex = t.flags.toString(16).padStart(4, '0');
    out.push(
      ...labelled(
        'teredo port',
        `client port ${t.clientPort} at bits 80-95 xor 0xffff; flags 0x${hex}${t.cone ? ' (cone NAT)' : ''}`,
      ),
    );
  }
  for (const e of r.embedded) {
    if (e.role === 'teredo-server') continue;
    const c = e.classification;
    out.push(`  IPv4 ${e.address}:`);
    out.push(...classLines(c, 4));
  }
  return out;
}

/** Lines for several results, separated by a blank line. */
export function describeAllLines(rs: readonly AddrResult[]): string[] {
  const out: string[] = [];
  rs.forEach((r, i) => {
    if (i > 0) out.push('');
    out.push(...describeLines(r));
  });
  return out;
}
