/**
 * `wirelens nat`: the translation table (two captures) and the NAT hints (one capture). Pure
 * renderers of the view models in `annotate/nat.ts` and `annotate/nat-hints.ts`; every line fits
 * 100 columns (IPv6 endpoints wrap inside their cells).
 */
import type { EvidenceId, FlowRef, NatReport, Stats, Translation } from '../annotate/nat.js';
import {
  type NatHintsSummary,
  type SeveralHostsHint,
  type SourceProfile,
  severalFamilies,
  type UpstreamTranslationHint,
} from '../annotate/nat-hints.js';
import { escapeText } from '../core/escape.js';
import { maxOf } from '../core/extent.js';
import { plural } from '../core/plural.js';
import { formatDuration } from '../core/time.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';
import { wrap } from './wrap.js';

export const WIDTH = 100;

/** Split text into lines of at most `width` columns: at spaces when it has any, anywhere otherwise. */
function cellLines(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  if (text.includes(' ')) {
    const out: string[] = [];
    for (const l of wrap(text, width)) {
      if (l.length <= width) out.push(l);
      else for (let i = 0; i < l.length; i += width) out.push(l.slice(i, i + width));
    }
    return out;
  }
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out;
}

/**
 * A borderless table no wider than `WIDTH`: columns keep their natural width while it fits;
 * otherwise the `flex` columns give way, in the order given, down to 10 columns each (text with
 * spaces wraps at them, addresses anywhere).
 */
export function fitTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  flex: readonly number[],
  st: Style,
): string[] {
  const natural = head.map(
    (h, c) =>
      Math.max(
        h.length,
        maxOf(rows, (r) => (r[c] ?? '').length),
      ) + 1,
  );
  // cli-table3 puts one separator character between columns, on top of their widths.
  const room = WIDTH - (head.length - 1);
  const widths = [...natural];
  let excess = widths.reduce((a, b) => a + b, 0) - room;
  for (const c of flex) {
    if (excess <= 0) break;
    const w = widths[c] as number;
    const cut = Math.min(excess, Math.max(0, w - 10));
    widths[c] = w - cut;
    excess -= cut;
  }
  return renderTable(
    { head: head.map((h) => st.bold(h)), colWidths: widths },
    rows.map((r) => r.map((cell, c) => cellLines(cell, (widths[c] as number) - 1).join('\n'))),
  ).map((l) => l.trimEnd());
}

const EVIDENCE_SHORT: Record<EvidenceId, string> = {
  'isn-preserved': 'ISN',
  'isn-shifted': 'ISN+Δ',
  'remote-seq': 'seq',
  tsval: 'TS',
  'ip-id': 'ID',
  payload: 'data',
  'icmp-seq': 'seq',
  timing: 'time',
};

const EVIDENCE_LEGEND =
  'evidence: ISN = the inside host’s sequence numbers unchanged (ISN kept), ISN+Δ = shifted by one ' +
  'constant (ISN rewritten), seq = the remote’s TCP sequence numbers (or the ICMP echo sequence) ' +
  'equal, TS = TCP timestamps equal, ID = IP ID equal, data = payload hash equal, time = a ' +
  'believable delay through the NAT; n/m = packets aligned / fingerprinted';

function evidenceText(t: Translation): string {
  const ids = [...new Set(t.evidence.ids.map((i) => EVIDENCE_SHORT[i]))].join(' ');
  const e = t.evidence;
  return `${ids} ${e.alignedPackets}/${Math.min(e.insideKept, e.outsideKept)}`;
}

function us(s: number): string {
  return formatDuration(s);
}

function statsText(s: Stats | undefined): string {
  if (!s) return 'not measured';
  return `min ${us(s.min)}, median ${us(s.median)}, max ${us(s.max)} (${s.count} packets)`;
}

/** A signed clock offset: `+0µs`, `−4µs`, `+3600.250000 s`. */
function signed(s: number): string {
  const a = Math.abs(s);
  return `${s >= 0 ? '+' : '−'}${a < 1 ? formatDuration(a) : `${a.toFixed(6)} s`}`;
}

function para(text: string, indent: string, out: string[], style?: (s: string) => string): void {
  for (const l of wrap(text, WIDTH - indent.length, '  ')) out.push(indent + (style ? style(l) : l));
}

function ttlText(h: Readonly<Record<string, number>>): string {
  const parts = Object.entries(h).map(([d, n]) => `−${d} on ${n} packet${n === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(', ') : 'no packets';
}

function oneSide(title: string, flows: readonly FlowRef[], st: Style, out: string[]): void {
  out.push('');
  out.push(st.heading(`${title} (${flows.length})`));
  if (flows.length === 0) return;
  const shown = flows.slice(0, 30);
  out.push(
    ...fitTable(
      ['flow', 'proto', 'client', 'server', 'first pkt', 'packets'],
      shown.map((f) => [f.source, f.protocol, f.client, f.server, String(f.firstPacket), String(f.packets)]),
      [2, 3],
      st,
    ),
  );
  if (flows.length > shown.length) out.push(st.dim(`… ${flows.length - shown.length} more (--json for all)`));
}

/** The translation table and what it shows about the NAT. */
export function renderNat(r: NatReport, insideFile: string, outsideFile: string, st: Style): string[] {
  const out: string[] = [];
  const ti = r.translations;
  out.push(st.heading(`NAT translations (${ti.length})`));
  para(
    `inside ${escapeText(insideFile)}: ${r.inside.flows.tcp} TCP, ${r.inside.flows.udp} UDP, ${r.inside.flows.icmp} ICMP echo flows; ` +
      `outside ${escapeText(outsideFile)}: ${r.outside.flows.tcp} TCP, ${r.outside.flows.udp} UDP, ${r.outside.flows.icmp} ICMP echo flows`,
    '',
    out,
    st.dim,
  );
  if (ti.length > 0) {
    const rows = ti.map((t, i) => [
      String(i + 1),
      t.protocol,
      t.inside,
      t.outside,
      t.remote,
      t.protocol === 'icmp' ? (t.portPreserved ? 'id kept' : 'new id') : t.portPreserved ? 'kept' : 'new',
      t.delay ? us(t.delay.median) : '-',
      evidenceText(t),
    ]);
    out.push(
      ...fitTable(
        ['#', 'proto', 'inside', 'outside', 'remote', 'port', 'delay', 'evidence'],
        rows,
        [7, 4, 2, 3],
        st,
      ),
    );
    para(EVIDENCE_LEGEND, '', out, st.dim);
  } else {
    para(
      'No flow of the inside capture matched one of the outside capture: are these two captures of the same ' +
        'traffic, taken at the same time on both sides of the NAT?',
      '',
      out,
      st.warn,
    );
  }
  out.push('');
  out.push(st.heading('What the NAT did'));
  const c = r.clock;
  if (c.method === 'none') para('clock offset: unknown (no packet seen on both sides); 0 assumed', '  ', out);
  else {
    const b =
      c.method === 'bounds'
        ? `between ${signed(c.lower as number)} and ${signed(c.upper as number)}, from ${c.samples} packets seen on both sides`
        : `from the median differences of ${c.samples} packets (the two directions' bounds disagree: delays vary, or the clocks drift)`;
    para(`clock offset (outside − inside): ${signed(c.offset)}, ${b}`, '  ', out);
  }
  para(`delay through the NAT (clock offset removed): ${statsText(r.delay)}`, '  ', out);
  const ttlO = ttlText(r.ttl.outbound);
  const ttlI = ttlText(r.ttl.inbound);
  para(
    `TTL: outbound (inside → outside) ${ttlO}; inbound (outside → inside) ${ttlI}` +
      (Object.keys(r.ttl.outbound).join() === '1' && Object.keys(r.ttl.inbound).join() === '1'
        ? ' — one router hop, as expected of a NAT that routes'
        : ''),
    '  ',
    out,
  );
  const p = r.ports;
  const bp = p.byProtocol;
  para(
    `ports and ICMP identifiers: ${p.preserved} kept, ${p.changed} changed ` +
      `(TCP ${bp.tcp.preserved}/${bp.tcp.changed}, UDP ${bp.udp.preserved}/${bp.udp.changed}, ICMP ${bp.icmp.preserved}/${bp.icmp.changed} kept/changed)`,
    '  ',
    out,
  );
  for (const c of p.clashes.slice(0, 5)) {
    para(
      `${c.inside} became ${c.outside}: its port was taken (${c.takenBy} already used it towards the same remote)`,
      '    ',
      out,
    );
  }
  if (p.changed > 0 && p.clashes.length === p.changed && p.preserved > 0)
    para(
      'every change avoided a clash: the NAT keeps the inside port when it is free (port preservation)',
      '    ',
      out,
      st.dim,
    );
  else if (p.changed > p.clashes.length && p.changed > 0)
    para(
      `${p.changed - p.clashes.length} ports changed without a clash: the NAT picks ports of its own (port randomisation)`,
      '    ',
      out,
      st.dim,
    );
  else if (p.changed === 0 && p.preserved > 0)
    para('port preservation: every port kept', '    ', out, st.dim);
  const pool = r.pooling;
  for (const a of pool.addresses) {
    para(
      `outside address ${a.outsideAddr}: ${a.insideHosts.length} inside host${a.insideHosts.length === 1 ? '' : 's'} ` +
        `(${a.insideHosts.join(', ')}), ${a.translations} translation${a.translations === 1 ? '' : 's'}`,
      '  ',
      out,
    );
  }
  if (pool.addresses.length > 1) {
    para(
      `address pool: ${pool.addresses.length} outside addresses; ` +
        (pool.paired
          ? 'paired pooling (each inside host always appears as the same outside address, RFC 4787 REQ-2)'
          : `not paired: ${pool.unpairedHosts.join(', ')} appeared as several outside addresses`),
      '  ',
      out,
    );
  } else if (pool.addresses.length === 1) {
    const a = pool.addresses[0];
    if (a && a.insideHosts.length > 1)
      para(`${a.insideHosts.length} hosts share one outside address (masquerading / NAPT)`, '  ', out);
  }
  const m = r.mapping;
  para(
    m.behaviour === 'independent'
      ? `mapping: endpoint-independent (RFC 4787): ${m.endpoints} inside endpoints kept their outside endpoint towards several remotes`
      : m.behaviour === 'dependent'
        ? `mapping: address/port-dependent (RFC 4787): an inside endpoint got different outside endpoints for different remotes`
        : 'mapping behaviour (RFC 4787): not observable (no inside endpoint talked to more than one remote)',
    '  ',
    out,
  );
  if (r.inside.dropped > 0 || r.outside.dropped > 0)
    para(
      `flows beyond the memory budget, not matched: inside ${r.inside.dropped}, outside ${r.outside.dropped}`,
      '  ',
      out,
      st.warn,
    );
  oneSide('Seen inside only', r.insideOnly, st, out);
  oneSide('Seen outside only', r.outsideOnly, st, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hints.
// ---------------------------------------------------------------------------------------------

function upstreamLines(h: UpstreamTranslationHint, st: Style, out: string[]): void {
  const what = h.localClass === 'CGNAT' ? 'shared (CGNAT) addresses, 100.64.0.0/10,' : 'private addresses';
  out.push(`  ${st.warn('⚑')} ${st.bold(`${what} talk to public ones (${h.rfc})`)}`);
  const side =
    h.localClass === 'CGNAT'
      ? 'These addresses belong to an ISP’s carrier-grade NAT: a translation happens upstream of this ' +
        'capture point, in the ISP’s network, between here and the public peers (and a home router’s NAT ' +
        'may sit below it: double NAT). The public peers never see these addresses.'
      : 'These addresses are not routed on the Internet: a translation happens upstream of this capture ' +
        'point, between here and the public peers. This capture is on the private (inside) side; the ' +
        'public peers see the NAT’s outside address instead.';
  para(side, '    ', out);
  para(
    `${plural(h.localCount, 'local address', 'local addresses')}, ${plural(h.publicPeers, 'public peer')}, ` +
      `${plural(h.conversations, 'conversation')}, ${plural(h.packets, 'packet')}; first ${h.examplePackets.length === 1 ? 'packet' : 'packets'} ${h.examplePackets.join(', ')}`,
    '    ',
    out,
  );
  for (const l of h.locals.slice(0, 5)) {
    para(
      `${l.address}: ${plural(l.peers, 'public peer')}, ${plural(l.packets, 'packet')} from packet ${l.firstPacket}`,
      '      ',
      out,
    );
  }
  if (h.localCount > 5) out.push(st.dim(`      … ${h.localCount - 5} more`));
}

function severalLines(h: SeveralHostsHint, st: Style, out: string[]): void {
  out.push(`  ${st.warn('⚑')} ${st.bold(`several hosts behind ${h.address} (${h.tag})`)}`);
  for (const f of h.ttlFamilies ?? []) {
    para(
      `TTL family ${f.initial} (${f.protocol.toUpperCase()}): ${f.packets} packets in ${f.flows} flow${f.flows === 1 ? '' : 's'}, TTL ${f.observed.join('/')}, first packet ${f.firstPacket}`,
      '    ',
      out,
    );
  }
  if (h.ttlFamilies)
    para('different initial TTLs: different operating systems send from this address', '      ', out, st.dim);
  if (h.idCounters) {
    para(`IP ID: ${h.idCounters.length} host-wide counters running at the same time:`, '    ', out);
    for (const c of h.idCounters.slice(0, 6)) {
      para(
        `${c.firstId}→${c.lastId}: ${c.packets} packets, ${c.flows} flows, ${c.destinations} destinations, packets ${c.firstPacket}…${c.lastPacket}`,
        '      ',
        out,
      );
    }
  }
  if (h.tsClocks) {
    const rates = h.signals.includes('tcp-ts-rates');
    para(
      `TCP timestamps: ${h.tsClocks.length} clocks${rates ? ' ticking at different rates' : ', each shared by connections to several destinations'}:`,
      '    ',
      out,
    );
    for (const c of h.tsClocks.slice(0, 6)) {
      para(
        `${c.rateHz !== undefined ? `${c.rateHz} Hz` : 'rate not measured'}: ${c.connections} connections, ${c.destinations} destinations, TSval ${c.firstTsval} at packet ${c.firstPacket}`,
        '      ',
        out,
      );
    }
  }
}

const ID_TEXT: Record<SourceProfile['ipId']['behaviour'], string> = {
  global: 'one counter',
  'several-global': 'several',
  'per-flow': 'per flow',
  'per-destination': 'per dest',
  random: 'random',
  zero: 'zero',
  unknown: '-',
};

const TS_TEXT: Record<SourceProfile['tcpTs']['behaviour'], string> = {
  shared: 'one clock',
  'several-shared': 'several',
  'several-rates': 'rates',
  'per-connection': 'per conn',
  unknown: '-',
};

function verdict(p: SourceProfile): string {
  if (
    p.ipId.behaviour === 'several-global' ||
    p.tcpTs.behaviour === 'several-rates' ||
    p.tcpTs.behaviour === 'several-shared' ||
    severalFamilies(p.ttlFamilies)
  )
    return 'several hosts';
  if (p.ipId.behaviour === 'global' || p.tcpTs.behaviour === 'shared') return 'one host-wide';
  if (p.undetermined) return 'cannot tell';
  return '-';
}

/** The single-capture hints, and a profile of the busiest sources. */
export function renderNatHints(h: NatHintsSummary, title: string | undefined, st: Style): string[] {
  const out: string[] = [];
  out.push(st.heading(`NAT hints${title ? ` (${title})` : ''}: ${h.hints.length}`));
  if (h.hints.length === 0) {
    para(
      'none: no private or CGNAT address talks to a public one, and no source shows several hosts',
      '  ',
      out,
      st.dim,
    );
  }
  for (const x of h.hints) {
    if (x.kind === 'translation-upstream') upstreamLines(x, st, out);
    else severalLines(x, st, out);
  }
  for (const p of h.profiles) {
    if (!p.mixedTtl) continue;
    para(
      `${p.address}: ${p.mixedTtl.flows} flow${p.mixedTtl.flows === 1 ? '' : 's'} whose TTL changes from one initial value to another (${p.mixedTtl.initials.join(' and ')}; packet ${p.mixedTtl.firstPacket}): ` +
        'a middlebox answering for this address (load balancer, proxy, firewall) or injected packets — not counted as several hosts',
      '  ',
      out,
      st.dim,
    );
  }
  if (h.profiles.length > 0) {
    out.push('');
    out.push(st.heading('What each source’s packets say about the host(s) behind it'));
    const rows = h.profiles.map((p) => [
      p.address,
      p.tag,
      String(p.packets),
      String(p.flows),
      p.ttlFamilies.length > 0 ? [...new Set(p.ttlFamilies.map((f) => f.initial))].join('/') : '-',
      `${ID_TEXT[p.ipId.behaviour]}`,
      `${TS_TEXT[p.tcpTs.behaviour]}${p.tcpTs.rates.length > 0 ? ` ${p.tcpTs.rates.join('/')}Hz` : ''}`,
      verdict(p),
    ]);
    out.push(
      ...fitTable(['source', 'class', 'pkts', 'flows', 'TTL', 'IP ID', 'TCP TS', 'hosts'], rows, [0], st),
    );
    para(
      'IP ID: one counter = a host-wide counter across destinations; per flow / per dest = counters ' +
        'that cannot tie flows to one host (Linux). TCP TS: one clock shared across destinations, or ' +
        'an offset per connection (Linux: cannot tell hosts apart). cannot tell = nothing in these ' +
        'packets distinguishes one host from several.',
      '',
      out,
      st.dim,
    );
  }
  if (h.limits.sourcesIgnored > 0 || h.limits.conversationsIgnored > 0) {
    para(
      `memory budget reached: ${h.limits.sourcesIgnored} packets from further sources and ${h.limits.conversationsIgnored} further conversations not examined`,
      '  ',
      out,
      st.warn,
    );
  }
  return out;
}
