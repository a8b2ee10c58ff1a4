/**
 * A growable UTF-8 byte buffer that text is formatted straight into. Hot output paths (`read
 * --json` writes ~850 bytes per packet) spent most of their time building, joining and encoding
 * short-lived strings; writing bytes in place avoids all three.
 *
 * Speed comes from writing 4 bytes at a time through a DataView: constant text is prepared once as
 * 32-bit words (`fragment`), numbers are written in groups of 4 digits from tables. A word may run
 * up to 3 bytes past the text it carries; those bytes lie beyond `length` and are overwritten by
 * whatever comes next, so the buffer always keeps `SLACK` spare bytes at its end.
 *
 * Every method produces exactly the UTF-8 bytes of the equivalent template literal: `num(n)` is
 * `${n}`, `bool(b)` is `${b}`, `put(fragment(s))` is `${s}`, `jsonString(s)` is `${JSON.stringify(s)}`.
 */

/** Room every write may assume without checking (covers any single number or short fragment). */
const SLACK = 64;

/** Constant text prepared for `TextBuffer.put`. */
export interface Fragment {
  /** The first 64 bytes as little-endian 32-bit words, zero-padded (loaded faster than from an array). */
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly w4: number;
  readonly w5: number;
  readonly w6: number;
  readonly w7: number;
  readonly w8: number;
  readonly w9: number;
  readonly w10: number;
  readonly w11: number;
  readonly w12: number;
  readonly w13: number;
  readonly w14: number;
  readonly w15: number;
  /** All the bytes as words, zero-padded. */
  readonly words: Int32Array;
  /** Length in bytes. */
  readonly length: number;
}

export function fragment(s: string): Fragment {
  const bytes = Buffer.from(s, 'utf8');
  const padded = new Uint8Array(Math.max(64, Math.ceil(bytes.length / 4) * 4));
  padded.set(bytes);
  const words = new Int32Array(padded.buffer);
  const w = (i: number) => words[i] as number;
  return {
    w0: w(0),
    w1: w(1),
    w2: w(2),
    w3: w(3),
    w4: w(4),
    w5: w(5),
    w6: w(6),
    w7: w(7),
    w8: w(8),
    w9: w(9),
    w10: w(10),
    w11: w(11),
    w12: w(12),
    w13: w(13),
    w14: w(14),
    w15: w(15),
    words,
    length: bytes.length,
  };
}

/** `,"<name>":`, the text before an object member's value after the first (the name JSON-quoted). */
export function keyFragment(name: string): Fragment {
  return fragment(`,${JSON.stringify(name)}:`);
}

/** Up to 4 ASCII characters as one little-endian word. */
function word(s: string): number {
  let w = 0;
  for (let i = s.length - 1; i >= 0; i--) w = (w << 8) | s.charCodeAt(i);
  return w;
}

/** `${n}` for 0 <= n < 10000 as a word at 2n, its length at 2n + 1 (side by side: one cache line). */
const DIGITS = new Int32Array(2 * 10000);
/** n zero-padded to 4 digits, for the groups after the first. */
const DIGITS_PADDED = new Int32Array(10000);
/** An IPv4 octet followed by a dot, and the length of the octet alone. */
const OCTET_DOT = new Int32Array(256);
/** A byte as two lowercase hex digits followed by a colon. */
const HEX_COLON = new Int32Array(256);
for (let i = 0; i < 10000; i++) {
  DIGITS[2 * i] = word(String(i));
  DIGITS[2 * i + 1] = String(i).length;
  DIGITS_PADDED[i] = word(String(i).padStart(4, '0'));
}
for (let i = 0; i < 256; i++) {
  OCTET_DOT[i] = word(`${i}.`);
  HEX_COLON[i] = word(`${i.toString(16).padStart(2, '0')}:`);
}
const TRUE = fragment('true');
const FALSE = fragment('false');
const NULL = fragment('null');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const ZERO = 0x30;

export class TextBuffer {
  private bytes: Buffer;
  private view: DataView;
  /** Capacity minus SLACK: writing at or before this point needs no check. */
  private limit: number;
  /** Bytes written so far. */
  length = 0;

  constructor(private readonly capacity = 1 << 16) {
    this.bytes = Buffer.allocUnsafe(capacity + SLACK);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    this.limit = capacity;
  }

  /** Make room for `n` more bytes (plus the slack). */
  reserve(n: number): void {
    if (this.length + n > this.limit) this.grow(n);
  }

  private grow(n: number): void {
    const capacity = Math.max(this.limit * 2, this.length + n);
    const next = Buffer.allocUnsafe(capacity + SLACK);
    this.bytes.copy(next, 0, 0, this.length);
    this.bytes = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
    this.limit = capacity;
  }

  byte(c: number): void {
    if (this.length >= this.limit) this.grow(1);
    this.bytes[this.length++] = c;
  }

  /**
   * Constant text. Straight-line stores of 4 to 16 words: several times faster than a loop over the
   * words for the short keys (`,"srcPort":`) that make up most fragments; longer ones go on in `tail`.
   */
  put(f: Fragment): void {
    const p = this.length;
    const n = f.length;
    if (p + n > this.limit) this.grow(n);
    const v = this.view;
    v.setInt32(p, f.w0, true);
    v.setInt32(p + 4, f.w1, true);
    v.setInt32(p + 8, f.w2, true);
    v.setInt32(p + 12, f.w3, true);
    if (n > 16) {
      v.setInt32(p + 16, f.w4, true);
      v.setInt32(p + 20, f.w5, true);
      v.setInt32(p + 24, f.w6, true);
      v.setInt32(p + 28, f.w7, true);
      if (n > 32) {
        v.setInt32(p + 32, f.w8, true);
        v.setInt32(p + 36, f.w9, true);
        v.setInt32(p + 40, f.w10, true);
        v.setInt32(p + 44, f.w11, true);
        if (n > 48) {
          v.setInt32(p + 48, f.w12, true);
          v.setInt32(p + 52, f.w13, true);
          v.setInt32(p + 56, f.w14, true);
          v.setInt32(p + 60, f.w15, true);
          if (n > 64) this.tail(f, p);
        }
      }
    }
    this.length = p + n;
  }

  private tail(f: Fragment, p: number): void {
    const w = f.words;
    const v = this.view;
    for (let i = 16; i < w.length; i++) v.setInt32(p + 4 * i, w[i] as number, true);
  }

  /** Any string, UTF-8 encoded; plain ASCII (the usual case for protocol names) is copied in JS. */
  text(s: string): void {
    const n = s.length;
    if (this.length + n > this.limit) this.grow(n);
    const bytes = this.bytes;
    let p = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.utf8(s);
        return;
      }
      bytes[p++] = c;
    }
    this.length = p;
  }

  /** Any string, encoded by Buffer (faster than `text` for long strings). */
  utf8(s: string): void {
    // UTF-16 code units to UTF-8 bytes: at most 3 bytes per unit (a surrogate pair is 4 for 2).
    this.reserve(s.length * 3);
    this.length += this.bytes.write(s, this.length, 'utf8');
  }

  /** `${n}`: integers 0 <= n < 2^32 from the digit tables, anything else through String. */
  num(n: number): void {
    if (this.length > this.limit) this.grow(SLACK);
    const v = this.view;
    let p = this.length;
    if (n >= 0 && n < 10000 && n === Math.floor(n)) {
      v.setInt32(p, DIGITS[2 * n] as number, true);
      this.length = p + (DIGITS[2 * n + 1] as number);
    } else if (n >= 10000 && n < 1e8 && n === Math.floor(n)) {
      const hi = Math.floor(n / 10000);
      v.setInt32(p, DIGITS[2 * hi] as number, true);
      p += DIGITS[2 * hi + 1] as number;
      v.setInt32(p, DIGITS_PADDED[n - hi * 10000] as number, true);
      this.length = p + 4;
    } else if (n >= 1e8 && n <= 0xffffffff && n === Math.floor(n)) {
      const top = Math.floor(n / 1e8);
      const rest = n - top * 1e8;
      const mid = Math.floor(rest / 10000);
      v.setInt32(p, DIGITS[2 * top] as number, true);
      p += DIGITS[2 * top + 1] as number;
      v.setInt32(p, DIGITS_PADDED[mid] as number, true);
      v.setInt32(p + 4, DIGITS_PADDED[rest - mid * 10000] as number, true);
      this.length = p + 8;
    } else if (!this.micros(n)) {
      this.text(String(n));
    }
  }

  /**
   * `${n}` for 0 < n < 2^32 with at most 6 decimals (capture times in microseconds, the usual
   * non-integer in output), written from the digit tables; false, with nothing written, for any
   * other number.
   *
   * Why the text is `${n}`: with m = round(n × 10^6), `m / 1e6 === n` says the decimal m × 10^-6 is
   * the one whose nearest double is n (the division and the parsing of that decimal both round the
   * same exact quotient). JavaScript writes the shortest decimal that reads back as n, and no
   * shorter one can: it would lie at least 10^-d from this one (d = its decimals, the last one not
   * zero), and below 2^32 the spacing of doubles is under 10^-6 <= 10^-d, so that decimal reads
   * back as another double. n >= 10^-6 here, so no exponent.
   */
  private micros(n: number): boolean {
    if (!(n > 0 && n < 4294967296)) return false;
    const m = Math.round(n * 1e6);
    if (m / 1e6 !== n) return false;
    const frac = m % 1e6;
    if (frac === 0) return false; // an integer: never here (num writes those), but then no decimals
    this.num((m - frac) / 1e6);
    this.bytes[this.length++] = DOT;
    // The decimals as nanoseconds, then without their trailing zeros (frac > 0: one digit stays).
    this.nine(frac * 1000);
    while (this.bytes[this.length - 1] === ZERO) this.length--;
    return true;
  }

  /** An integer 0 <= n < 10^9 zero-padded to 9 digits (nanoseconds). */
  nine(n: number): void {
    if (this.length > this.limit) this.grow(SLACK);
    const v = this.view;
    const p = this.length;
    const first = Math.floor(n / 1e8);
    const rest = n - first * 1e8;
    const mid = Math.floor(rest / 10000);
    this.bytes[p] = 48 + first;
    v.setInt32(p + 1, DIGITS_PADDED[mid] as number, true);
    v.setInt32(p + 5, DIGITS_PADDED[rest - mid * 10000] as number, true);
    this.length = p + 9;
  }

  bool(b: boolean): void {
    this.put(b ? TRUE : FALSE);
  }

  /**
   * `JSON.stringify(s)`: plain printable ASCII is copied between quotes as it is checked; anything
   * else (a quote, a backslash, a control or non-ASCII character) goes through JSON.stringify.
   */
  jsonString(s: string): void {
    const n = s.length;
    if (this.length + n + 2 > this.limit) this.grow(n + 2);
    const bytes = this.bytes;
    let p = this.length;
    bytes[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        // What was copied lies beyond `length`: the next write covers it.
        this.utf8(JSON.stringify(s));
        return;
      }
      bytes[p++] = c;
    }
    bytes[p] = QUOTE;
    this.length = p + 1;
  }

  /** `JSON.stringify(n)`: `${n}` when finite (-0 is `0` either way), else `null`. */
  jsonNumber(n: number): void {
    if (Number.isFinite(n)) this.num(n);
    else this.put(NULL);
  }

  /** `ip4ToString(a)`: dotted quad of an unsigned 32-bit address. */
  ip4(a: number): void {
    if (this.length > this.limit) this.grow(SLACK);
    const v = this.view;
    let p = this.length;
    let o = a >>> 24;
    v.setInt32(p, OCTET_DOT[o] as number, true);
    p += (DIGITS[2 * o + 1] as number) + 1;
    o = (a >>> 16) & 0xff;
    v.setInt32(p, OCTET_DOT[o] as number, true);
    p += (DIGITS[2 * o + 1] as number) + 1;
    o = (a >>> 8) & 0xff;
    v.setInt32(p, OCTET_DOT[o] as number, true);
    p += (DIGITS[2 * o + 1] as number) + 1;
    o = a & 0xff;
    v.setInt32(p, DIGITS[2 * o] as number, true);
    this.length = p + (DIGITS[2 * o + 1] as number);
  }

  /** `macToString(m)`: six colon-separated hex bytes of a 48-bit address. */
  mac(m: number): void {
    if (this.length > this.limit) this.grow(SLACK);
    const v = this.view;
    const p = this.length;
    const hi = Math.floor(m / 0x100000000);
    const lo = m >>> 0;
    v.setInt32(p, HEX_COLON[(hi >>> 8) & 0xff] as number, true);
    v.setInt32(p + 3, HEX_COLON[hi & 0xff] as number, true);
    v.setInt32(p + 6, HEX_COLON[lo >>> 24] as number, true);
    v.setInt32(p + 9, HEX_COLON[(lo >>> 16) & 0xff] as number, true);
    v.setInt32(p + 12, HEX_COLON[(lo >>> 8) & 0xff] as number, true);
    v.setInt32(p + 15, HEX_COLON[lo & 0xff] as number, true);
    this.length = p + 17;
  }

  /**
   * The bytes written, as a Buffer the caller owns; the buffer starts over empty in new memory
   * (handing over the old memory is cheaper than copying out of it), at its initial capacity even
   * if one long line made it grow.
   */
  take(): Buffer {
    const out = this.bytes.subarray(0, this.length);
    this.bytes = Buffer.allocUnsafe(this.capacity + SLACK);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    this.limit = this.capacity;
    this.length = 0;
    return out;
  }

  /** The bytes written since `start`, decoded. */
  toString(start = 0): string {
    return this.bytes.toString('utf8', start, this.length);
  }

  /** Forget everything written after `length` (0: everything). */
  truncate(length = 0): void {
    this.length = length;
  }
}
