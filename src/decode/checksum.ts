/** Internet checksum (RFC 1071) helpers shared by IPv4, ICMP, TCP and UDP. */

/**
 * Add the 16-bit big-endian words of [start, end) to `sum` (an odd final byte is padded with zero).
 * The high and the low bytes of the words are summed in two integer lanes, eight bytes per round,
 * and combined at the end: the same sum as adding word by word, with no DataView to allocate per
 * call and no 32-bit reads (u32 values above 2^31 are doubles). Exact: a lane of a 4 GiB range
 * stays below 2^40.
 */
export function sumWords(d: Uint8Array, start: number, end: number, sum = 0): number {
  let hi = 0;
  let lo = 0;
  let i = start;
  const e8 = start + ((end - start) & ~7);
  for (; i < e8; i += 8) {
    hi += (d[i] as number) + (d[i + 2] as number) + (d[i + 4] as number) + (d[i + 6] as number);
    lo += (d[i + 1] as number) + (d[i + 3] as number) + (d[i + 5] as number) + (d[i + 7] as number);
  }
  const even = end - ((end - i) & 1);
  for (; i < even; i += 2) {
    hi += d[i] as number;
    lo += d[i + 1] as number;
  }
  if (i < end) hi += d[i] as number;
  return sum + hi * 256 + lo;
}

/** Fold carries into 16 bits. */
export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The one's complement of the folded sum: 0 means a received header/segment verifies. */
export function finish(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** Pseudo-header sum for IPv4 (RFC 793/768). */
export function pseudoSum4(src: number, dst: number, proto: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + length;
}

/** Pseudo-header sum for IPv6 (RFC 8200 section 8.1); addresses at the given offsets. */
export function pseudoSum6(
  d: Uint8Array,
  srcOff: number,
  dstOff: number,
  proto: number,
  length: number,
): number {
  let s = sumWords(d, srcOff, srcOff + 16);
  s = sumWords(d, dstOff, dstOff + 16, s);
  return s + Math.floor(length / 0x10000) + (length & 0xffff) + proto;
}
