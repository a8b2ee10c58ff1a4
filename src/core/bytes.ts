/**
 * Bounds-unchecked big- and little-endian readers. Callers prove the bytes exist first
 * (ARCHITECTURE principle 1: check lengths once, at the layer boundary).
 */

export function u16be(d: Uint8Array, o: number): number {
  return ((d[o] as number) << 8) | (d[o + 1] as number);
}

export function u32be(d: Uint8Array, o: number): number {
  return (
    (((d[o] as number) << 24) |
      ((d[o + 1] as number) << 16) |
      ((d[o + 2] as number) << 8) |
      (d[o + 3] as number)) >>>
    0
  );
}

export function u16le(d: Uint8Array, o: number): number {
  return (d[o] as number) | ((d[o + 1] as number) << 8);
}

export function u32le(d: Uint8Array, o: number): number {
  return (
    ((d[o] as number) |
      ((d[o + 1] as number) << 8) |
      ((d[o + 2] as number) << 16) |
      ((d[o + 3] as number) << 24)) >>>
    0
  );
}

/** 48-bit big-endian value (a MAC address) as an exact JS number. */
export function u48be(d: Uint8Array, o: number): number {
  return u16be(d, o) * 0x100000000 + u32be(d, o + 2);
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/** Two lowercase hex digits for a byte. */
export function hex2(b: number): string {
  return HEX[b & 0xff] as string;
}

/** Lowercase hex of a byte range, optionally separated. */
export function toHex(d: Uint8Array, start = 0, end = d.length, sep = ''): string {
  const parts: string[] = [];
  for (let i = start; i < end; i++) parts.push(HEX[d[i] as number] as string);
  return parts.join(sep);
}

/** `0x0800`-style hex of a number padded to `digits`. */
export function hexNum(n: number, digits = 4): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

/** Parse a hex string (whitespace and colons ignored) into bytes; used by tests and fixtures. */
export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0) throw new Error('odd number of hex digits');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const v = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
    if (Number.isNaN(v)) throw new Error(`bad hex at ${i * 2}`);
    out[i] = v;
  }
  return out;
}

/**
 * Node's latin1 slicer, called on the array itself (any Uint8Array): one native call that copies
 * the bytes into a one-byte string, without wrapping the array in a Buffer first.
 */
const latin1Slice: (this: Uint8Array, from: number, to: number) => string =
  (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, from: number, to: number) => string })
    .latin1Slice ??
  // Not a documented API: should a Node release drop it, the documented way (a Buffer view per call).
  function (this: Uint8Array, from: number, to: number): string {
    return Buffer.from(this.buffer, this.byteOffset + from, to - from).toString('latin1');
  };

/** Bytes `from..to` as a string, one character per byte. */
export function latin1(d: Uint8Array, from: number, to: number): string {
  return latin1Slice.call(d, from, to);
}
