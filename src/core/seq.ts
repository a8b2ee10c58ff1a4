/**
 * TCP sequence-number arithmetic, modulo 2^32 (RFC 9293 section 3.4). This is the only module
 * that does arithmetic on sequence numbers: `Seq` is branded so `seq + 1` elsewhere fails to
 * type-check as a Seq.
 */
declare const seqBrand: unique symbol;
export type Seq = number & { readonly [seqBrand]: true };

export function seq(n: number): Seq {
  return (n >>> 0) as Seq;
}

/**
 * A sequence number as an int32, for storing in a long-lived object's field: V8 keeps an int32 in
 * the field itself, where a number above 2^31 would be a separate heap object per field (Node is
 * built without pointer compression, so every int32 is a small integer). `seqUnpack` undoes it.
 */
export function seqPack(s: Seq): number {
  return s | 0;
}

export function seqUnpack(n: number): Seq {
  return (n >>> 0) as Seq;
}

/** a + n (mod 2^32); n may be negative. */
export function seqAdd(a: Seq, n: number): Seq {
  return ((a + n) >>> 0) as Seq;
}

/** Signed distance b - a in the range [-2^31, 2^31). */
export function seqDiff(b: Seq, a: Seq): number {
  return ((b - a) | 0) as number;
}

/** a < b in sequence space. */
export function seqLt(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) >= 0;
}

export function seqMax(a: Seq, b: Seq): Seq {
  return seqGe(a, b) ? a : b;
}

/** Offset of `s` relative to `base` as an unsigned number (for relative sequence display). */
export function seqRel(s: Seq, base: Seq): number {
  return (s - base) >>> 0;
}

/** a <= s < b in sequence space (RFC 9293's window test). */
export function seqInWindow(s: Seq, lo: Seq, hi: Seq): boolean {
  return seqLe(lo, s) && seqLt(s, hi);
}

/** a is after b in any 32-bit modular clock (TCP timestamps, RFC 7323 §5.3). */
export function u32After(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}
