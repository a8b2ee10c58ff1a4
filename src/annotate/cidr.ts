/**
 * CIDR prefixes: parsing (for the registry table and `--local-net`), membership tests, and the
 * split of an IPv4 first-last range into prefixes. Build-time and option-parsing code: the
 * per-packet paths in `classify.ts` and `local-nets.ts` use only the numeric fields.
 */
import { ip4ToString, ip6ToString, parseIp4, parseIp6 } from '../core/addr.js';

export interface Cidr4 {
  readonly family: 4;
  /** Network address (host bits cleared), unsigned 32-bit. */
  readonly base: number;
  readonly len: number;
  /** Canonical text: `10.0.0.0/8`. */
  readonly text: string;
}

export interface Cidr6 {
  readonly family: 6;
  /** Network address (host bits cleared), 16 bytes. */
  readonly base: Uint8Array;
  readonly len: number;
  /** Canonical text (RFC 5952): `fd00::/8`. */
  readonly text: string;
}

export type Cidr = Cidr4 | Cidr6;

/** Why a CIDR did not parse: the address part, or the prefix length. */
export type CidrErrorReason = 'bad-address' | 'bad-prefix-length';

export interface CidrError {
  readonly input: string;
  readonly reason: CidrErrorReason;
}

export interface ParsedCidr {
  readonly cidr: Cidr;
  /** The text had host bits set (`192.168.1.10/24`); they were cleared. */
  readonly hostBitsCleared: boolean;
}

/** Network mask of an IPv4 prefix length, unsigned. */
export function mask4(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/**
 * Parse `ADDR/LEN` or a bare address (a /32 or /128). IPv6 may be written in brackets. Host
 * bits are cleared and reported, since `192.168.1.10/24` (an interface address with its prefix
 * length) plainly means the network 192.168.1.0/24.
 */
export function parseCidr(input: string): ParsedCidr | CidrError {
  const s = input.trim();
  const slash = s.indexOf('/');
  let addrText = slash < 0 ? s : s.slice(0, slash);
  if (addrText.startsWith('[') && addrText.endsWith(']')) addrText = addrText.slice(1, -1);
  const lenText = slash < 0 ? undefined : s.slice(slash + 1);
  const v4 = parseIp4(addrText);
  const v6 = v4 === undefined ? parseIp6(addrText) : undefined;
  if (v4 === undefined && v6 === undefined) return { input, reason: 'bad-address' };
  const max = v4 !== undefined ? 32 : 128;
  let len = max;
  if (lenText !== undefined) {
    if (!/^\d{1,3}$/.test(lenText)) return { input, reason: 'bad-prefix-length' };
    len = Number(lenText);
    if (len > max) return { input, reason: 'bad-prefix-length' };
  }
  if (v4 !== undefined) {
    const base = (v4 & mask4(len)) >>> 0;
    return {
      cidr: { family: 4, base, len, text: `${ip4ToString(base)}/${len}` },
      hostBitsCleared: base !== v4,
    };
  }
  const b = v6 as Uint8Array;
  const base = maskBytes6(b, len);
  let changed = false;
  for (let i = 0; i < 16; i++) if (base[i] !== b[i]) changed = true;
  return { cidr: { family: 6, base, len, text: `${ip6ToString(base)}/${len}` }, hostBitsCleared: changed };
}

export function isCidrError(x: ParsedCidr | CidrError): x is CidrError {
  return 'reason' in x;
}

/** Copy of `b` with every bit past `len` cleared. */
export function maskBytes6(b: Uint8Array, len: number, o = 0): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bitsHere = Math.max(0, Math.min(8, len - 8 * i));
    out[i] = (b[o + i] as number) & ((0xff00 >>> bitsHere) & 0xff);
  }
  return out;
}

export function contains4(c: Cidr4, a: number): boolean {
  return ((a ^ c.base) & mask4(c.len)) === 0;
}

/** Is the 16-byte address at `b[o..o+16]` inside `c`? */
export function contains6(c: Cidr6, b: Uint8Array, o = 0): boolean {
  const whole = c.len >>> 3;
  const base = c.base;
  for (let i = 0; i < whole; i++) if (b[o + i] !== base[i]) return false;
  const rest = c.len & 7;
  if (rest === 0) return true;
  const m = (0xff00 >>> rest) & 0xff;
  return (((b[o + whole] as number) ^ (base[whole] as number)) & m) === 0;
}

/** 16 bytes as an unsigned 128-bit bigint (build time and tests only: bigint is slow). */
export function ip6ToBigInt(b: Uint8Array, o = 0): bigint {
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(b[o + i] as number);
  return v;
}

export function bigIntToIp6(v: bigint): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The smallest list of prefixes covering exactly first..last (inclusive), in order. */
export function ip4RangeToPrefixes(first: number, last: number): { base: number; len: number }[] {
  const out: { base: number; len: number }[] = [];
  let cur = first;
  while (cur <= last) {
    // Largest block aligned at `cur` that does not pass `last`.
    let len = 32;
    while (len > 0) {
      const size = 2 ** (32 - (len - 1));
      if (cur % size !== 0 || cur + size - 1 > last) break;
      len--;
    }
    out.push({ base: cur, len });
    cur += 2 ** (32 - len);
  }
  return out;
}
