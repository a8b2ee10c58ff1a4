/** Internet checksum (RFC 1071) helpers shared by IPv4, ICMP, TCP and UDP. */

/**
 * Add the 16-bit big-endian words of [start, end) to `sum` (an odd final byte is padded with zero).
 * Long ranges are summed 32 bits at a time: one's-complement addition is associative, and folding a
 * sum of 32-bit words gives the sum of their 16-bit halves (RFC 1071 §2). The result stays exact in
 * a double for any frame (2^53 / 2^32 words).
 */
export function sumWords(d: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  if (end - start >= 64) {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const e4 = start + ((end - start) & ~3);
    for (; i < e4; i += 4) sum += dv.getUint32(i);
  }
  const even = end - ((end - i) & 1);
  for (; i < even; i += 2) sum += ((d[i] as number) << 8) | (d[i + 1] as number);
  if (i < end) sum += (d[i] as number) << 8;
  return sum;
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
