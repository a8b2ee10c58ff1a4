/**
 * Address value types and their text forms. IPv4 addresses are unsigned 32-bit numbers,
 * MAC addresses 48-bit numbers (both exact in a JS number, cheap to compare and hash);
 * IPv6 addresses are 16-byte arrays printed in RFC 5952 canonical text.
 */
import { hex2 } from './bytes.js';

export type Ip4 = number;
export type Mac = number;

export function ip4ToString(a: Ip4): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

export function macToString(m: Mac): string {
  const hi = Math.floor(m / 0x100000000);
  const lo = m >>> 0;
  return `${hex2(hi >>> 8)}:${hex2(hi)}:${hex2(lo >>> 24)}:${hex2(lo >>> 16)}:${hex2(lo >>> 8)}:${hex2(lo)}`;
}

/** MAC address from 6 bytes at `o`. */
export function macAt(d: Uint8Array, o: number): Mac {
  return (
    ((d[o] as number) * 0x10000 + (((d[o + 1] as number) << 8) | (d[o + 2] as number))) * 0x1000000 +
    (((d[o + 3] as number) << 16) | ((d[o + 4] as number) << 8) | (d[o + 5] as number))
  );
}

export const MAC_BROADCAST: Mac = 0xffffffffffff;

/** RFC 5952 text of a 16-byte IPv6 address: lowercase, no leading zeros, longest run (>1) of zero groups as `::`. */
export function ip6ToString(b: Uint8Array, o = 0): string {
  const g: number[] = new Array(8);
  for (let i = 0; i < 8; i++) g[i] = ((b[o + 2 * i] as number) << 8) | (b[o + 2 * i + 1] as number);
  // IPv4-mapped ::ffff:a.b.c.d keeps its dotted form (RFC 5952 section 5).
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexg = (i: number) => (g[i] as number).toString(16);
  if (bestStart < 0) return g.map((_, i) => hexg(i)).join(':');
  const left: string[] = [];
  for (let i = 0; i < bestStart; i++) left.push(hexg(i));
  const right: string[] = [];
  for (let i = bestStart + bestLen; i < 8; i++) right.push(hexg(i));
  return `${left.join(':')}::${right.join(':')}`;
}

/** Parse dotted-quad IPv4 text; undefined if invalid. */
export function parseIp4(s: string): Ip4 | undefined {
  // Four groups of one to three ASCII digits, each at most 255, separated by dots, scanned by
  // character code (a regular expression and its match array cost several times as much: `conns`
  // parses two addresses a connection).
  const n = s.length;
  if (n < 7 || n > 15) return undefined;
  let v = 0;
  let i = 0;
  for (let group = 0; group < 4; group++) {
    if (group > 0) {
      if (s.charCodeAt(i) !== 0x2e) return undefined;
      i++;
    }
    let x = 0;
    const start = i;
    for (; i < n && i - start < 4; i++) {
      const d = s.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      x = x * 10 + d;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || x > 255) return undefined;
    v = v * 256 + x;
  }
  return i === n ? v : undefined;
}

/** Parse IPv6 text (with optional embedded IPv4 tail and `::`) into 16 bytes; undefined if invalid. */
export function parseIp6(s: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as string;
      if (it.includes('.')) {
        if (i !== items.length - 1) return undefined;
        const v4 = parseIp4(it);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
        out.push(Number.parseInt(it, 16));
      }
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const l = parseGroups(s.slice(0, dbl));
    const r = parseGroups(s.slice(dbl + 2));
    if (!l || !r || l.length + r.length > 7) return undefined;
    groups = [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  } else {
    const all = parseGroups(s);
    if (all?.length !== 8) return undefined;
    groups = all;
  }
  const out = new Uint8Array(16);
  groups.forEach((v, i) => {
    out[2 * i] = v >>> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** Parse `aa:bb:cc:dd:ee:ff` (also `-` or `.` separated forms tcpdump accepts). */
export function parseMac(s: string): Mac | undefined {
  const clean = s.replace(/[:.-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(clean)) return undefined;
  if (/[:-]/.test(s) && !/^([0-9a-fA-F]{1,2}[:-]){5}[0-9a-fA-F]{1,2}$/.test(s)) return undefined;
  return Number.parseInt(clean, 16);
}
