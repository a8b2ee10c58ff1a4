/** `read -x`: hex and ASCII of the frame, one block per layer so the header boundaries are visible. */
import type { Packet } from '../decode/types.js';
import type { Style } from './style.js';

function rows(d: Uint8Array, start: number, end: number, label: string, st: Style, out: string[]): void {
  for (let o = start; o < end; o += 16) {
    const stop = Math.min(end, o + 16);
    let hex = '';
    let ascii = '';
    for (let i = o; i < o + 16; i++) {
      if (i < stop) {
        const b = d[i] as number;
        hex += `${b.toString(16).padStart(2, '0')} `;
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else hex += '   ';
      if (i === o + 7) hex += ' ';
    }
    const lab = o === start ? label : '';
    out.push(`  ${st.proto(lab.padEnd(9))} ${st.dim(o.toString(16).padStart(4, '0'))}  ${hex} ${ascii}`);
  }
}

export function packetHex(p: Packet, st: Style): string {
  const d = p.frame.data;
  const out: string[] = [];
  // Boundaries: each layer owns [offset, offset+headerLength); the rest is payload.
  const spans: [number, number, string][] = [];
  const flat = p.layers.flatMap((l) =>
    (l.kind === 'icmp4' || l.kind === 'icmp6') && l.quoted ? [l, ...l.quoted] : [l],
  );
  for (const l of flat) spans.push([l.offset, Math.min(d.length, l.offset + l.headerLength), l.kind]);
  spans.sort((a, b) => a[0] - b[0]);
  let pos = 0;
  for (const [s, e, name] of spans) {
    if (s > pos) rows(d, pos, s, 'data', st, out);
    if (e > Math.max(s, pos)) rows(d, Math.max(s, pos), e, name, st, out);
    pos = Math.max(pos, e);
  }
  if (pos < d.length) {
    const payloadEnd = p.payloadLength > 0 ? Math.min(d.length, p.payloadOffset + p.payloadLength) : pos;
    if (payloadEnd > pos) rows(d, pos, payloadEnd, 'payload', st, out);
    if (d.length > Math.max(pos, payloadEnd))
      rows(d, Math.max(pos, payloadEnd), d.length, 'trailer', st, out);
  }
  return out.join('\n');
}
