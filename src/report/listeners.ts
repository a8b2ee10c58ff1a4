/** `wirelens listeners`: listening endpoints, connections per listener, and backlog findings. */
import { formatDuration } from '../core/time.js';
import {
  type Finding,
  type ListenerReport,
  MAX_FACTS_PER_LISTENER,
  MAX_QUIET_FACTS,
} from '../flow/tcp/listeners.js';
import { endpoint } from './format.js';
import type { Style } from './style.js';
import { appendLines, renderTable } from './table.js';
import { wrap } from './wrap.js';

const TITLE: Record<Finding['kind'], string> = {
  'syn-dropped': 'SYNs dropped (SYN or accept queue full)',
  'ack-dropped': 'handshake ACKs dropped (accept queue full)',
  'abort-on-overflow': 'connections reset after the handshake (accept queue full, tcp_abort_on_overflow=1)',
  'syn-cookies': 'SYN cookies in use (SYN queue overflowing, or forced)',
  'lone-syns': 'SYNs never answered and never retried (spoofed sources or a scanner)',
  'no-answer': 'no answer at all',
};

export function renderListeners(reports: readonly ListenerReport[], start: number, st: Style): string[] {
  const out: string[] = [];
  if (reports.length === 0) return ['no TCP connection attempts (SYNs) in this capture'];
  const head = [
    'endpoint',
    'kind',
    'conns',
    'SYN-ACKed',
    'established',
    'refused',
    'unanswered',
    'clients',
    'peak half-open',
    'findings',
  ].map((h) => st.bold(h));
  const cells: string[][] = [];
  for (const r of reports) {
    cells.push([
      st.addr(endpoint(r.addr, r.port)),
      r.kind,
      String(r.connections),
      String(r.synAcked),
      String(r.established),
      String(r.refused),
      String(r.unanswered),
      `${r.clients}${r.clientsCapped ? '+' : ''}`,
      r.peakHalfOpen ? String(r.peakHalfOpen.count) : '-',
      r.findings.length > 0 ? st.warn(String(r.findings.length)) : '0',
    ]);
  }
  out.push(st.heading(`Listeners (${reports.length})`));
  appendLines(out, renderTable({ head }, cells));
  for (const r of reports) if (r.detailsFrom !== undefined) out.push(st.dim(detailsNote(r, r.detailsFrom)));
  for (const r of reports) {
    if (r.findings.length === 0) continue;
    out.push('');
    out.push(
      st.heading(
        `${endpoint(r.addr, r.port)}: ${r.findings.length} finding${r.findings.length > 1 ? 's' : ''}`,
      ),
    );
    for (const f of r.findings) {
      out.push(
        `  ${st.warn(`⚠ ${TITLE[f.kind]}`)}: ${f.count} connection${f.count > 1 ? 's' : ''}, +${(f.first - start).toFixed(3)} s … +${(f.last - start).toFixed(3)} s`,
      );
      for (const l of wrap(f.detail, 94, '  ')) out.push(`    ${l}`);
      const shown = f.clients.slice(0, 8).map((c) => `${c.client} (#${c.conn})`);
      const more = f.count > shown.length ? `, … ${f.count - shown.length} more` : '';
      for (const l of wrap(`clients: ${shown.join(', ')}${more}`, 94, '  ')) out.push(`    ${st.dim(l)}`);
    }
    const peaks: string[] = [];
    if (r.peakHalfOpen)
      peaks.push(
        `peak half-open (SYN-RECEIVED at once): ${r.peakHalfOpen.count} at +${(r.peakHalfOpen.at - start).toFixed(3)} s`,
      );
    if (r.peakNeverServed)
      peaks.push(
        `peak completed but never served: ${r.peakNeverServed.count} at +${(r.peakNeverServed.at - start).toFixed(3)} s`,
      );
    for (const p of peaks) out.push(`  ${p}`);
    if (r.advice.length > 0) {
      out.push(`  ${st.bold('check on the server:')}`);
      for (const a of r.advice) for (const l of wrap(a, 94, '    ')) out.push(`    ${l}`);
    }
    out.push(st.dim(`  listener seen for ${formatDuration(r.last - r.first)}`));
  }
  return out;
}

/** Which connections of a listener only count: those past the facts a listener keeps of each kind. */
function detailsNote(r: ListenerReport, kept: number): string {
  const n = (x: number) => x.toLocaleString('en');
  const c = r.countedOnly ?? { loneSyns: 0, notable: 0, ordinary: r.connections - kept };
  const cap = n(MAX_FACTS_PER_LISTENER);
  const parts: string[] = [];
  if (c.ordinary > 0)
    parts.push(`${n(c.ordinary)} ordinary connections beyond the ${cap} kept for the peaks`);
  if (c.notable > 0)
    parts.push(`${n(c.notable)} that a finding could name beyond the ${cap} kept for findings`);
  if (c.loneSyns > 0)
    parts.push(`${n(c.loneSyns)} lone SYNs nobody answered beyond the ${n(MAX_QUIET_FACTS)} kept`);
  return `${endpoint(r.addr, r.port)}: findings and peaks come from ${n(kept)} of its ${n(r.connections)} connections; only counted: ${parts.join(', and ')}`;
}
