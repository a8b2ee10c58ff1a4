/**
 * 64-bit pcapng timestamps to (seconds, nanoseconds) without `bigint` and without losing
 * precision, and back.
 *
 * A pcapng timestamp is a 64-bit count of ticks (two 32-bit halves) in the interface's
 * resolution: 10^-n or 2^-n seconds (`if_tsresol`). Doubles are exact only below 2^53, and a
 * nanosecond timestamp of today is about 2^60, so the division is done in 16-bit limbs: every
 * intermediate value stays below 2^53, every step is exact.
 *
 * Precision (nsec is always truncated toward zero, as Wireshark does):
 * - 10^-n, n <= 9 (s, ms, µs, ns ...): exact.
 * - 10^-n, 9 < n <= 20 (ps, fs ...): exact (ticks are first divided down to nanoseconds).
 * - 2^-n, n <= 32: exact.
 * - 2^-n, n > 32 and 10^-n, n > 20: nsec computed in double precision, at most 1 ns off.
 * - seconds are exact up to 2^53 (the year 285 million); beyond, as exact as a double can be.
 */

/** A converter for one interface, built once from its `if_tsresol` byte. */
export interface TickResolution {
  /** The `if_tsresol` byte (6 by default). */
  readonly code: number;
  /** Ticks per second (10^n or 2^n; a rounded double for very fine resolutions). */
  readonly ticksPerSecond: number;
  /**
   * 0: 10^-n with n <= 9: divide by `divisor`, multiply the remainder by `nsMul`.
   * 1: 10^-n with 9 < n <= 20: divide by `divisor` down to nanoseconds first.
   * 2: 2^-n: split at bit `shift`.
   * 3: 10^-n with n > 20: all of 2^64 ticks is under a second; nanoseconds in double precision.
   */
  readonly kind: 0 | 1 | 2 | 3;
  readonly divisor: number;
  readonly nsMul: number;
  readonly shift: number;
}

const TWO32 = 4294967296;
const TWO53_HI = 0x200000; // hi < 2^21 <=> hi * 2^32 + lo < 2^53

/** Resolution from an `if_tsresol` byte: MSB clear is 10^-value, MSB set is 2^-(value & 0x7f). */
export function tickResolution(code: number): TickResolution {
  const n = code & 0x7f;
  if (code & 0x80) {
    return { code, ticksPerSecond: 2 ** n, kind: 2, divisor: 1, nsMul: 1, shift: n };
  }
  if (n <= 9) {
    return { code, ticksPerSecond: 10 ** n, kind: 0, divisor: 10 ** n, nsMul: 10 ** (9 - n), shift: 0 };
  }
  if (n <= 20) {
    return { code, ticksPerSecond: 10 ** n, kind: 1, divisor: 10 ** (n - 9), nsMul: 1, shift: 0 };
  }
  return { code, ticksPerSecond: 10 ** n, kind: 3, divisor: 10 ** (n - 9), nsMul: 1, shift: 0 };
}

/** Default resolution (microseconds) when an interface has no `if_tsresol`. */
export const MICROSECONDS = tickResolution(6);
export const NANOSECONDS = tickResolution(9);

/**
 * Result of the last conversion. Module-level scratch so the per-frame path allocates nothing;
 * read it right after calling `ticksToTime`.
 */
export const tickOut = { sec: 0, nsec: 0 };

// Quotient halves and remainder of the last divmod64; remainder of the last step.
let qHi = 0;
let qLo = 0;
let rem = 0;

/** floor(x / d) for integers x < 2^53, d >= 1, leaving x mod d in `rem`. */
function step(x: number, d: number): number {
  let q = Math.floor(x / d);
  let r = x - q * d;
  // The float quotient is already floored correctly below 2^53; this only guards the proof.
  if (r < 0) {
    q--;
    r += d;
  } else if (r >= d) {
    q++;
    r -= d;
  }
  rem = r;
  return q;
}

/** (hi * 2^32 + lo) divided by d (1 <= d < 2^37): quotient in qHi/qLo, remainder in rem, all exact. */
function divmod64(hi: number, lo: number, d: number): void {
  // Long division in four 16-bit limbs: each partial dividend is rem * 2^16 + limb < d * 2^16 < 2^53,
  // and each quotient limb is below 2^16.
  const q3 = step(hi >>> 16, d);
  const q2 = step(rem * 65536 + (hi & 0xffff), d);
  const q1 = step(rem * 65536 + (lo >>> 16), d);
  const q0 = step(rem * 65536 + (lo & 0xffff), d);
  qHi = q3 * 65536 + q2;
  qLo = q1 * 65536 + q0;
}

/** Split a tick count below 2^53 into sec/nsec for a decimal resolution of `d` ticks per second. */
function splitDecimal(ticks: number, d: number, nsMul: number): void {
  tickOut.sec = step(ticks, d);
  tickOut.nsec = rem * nsMul;
}

/** floor(frac * 1e9 / 2^n) for frac < 2^n, n <= 32, exactly. */
function binaryFractionToNs(frac: number, n: number): number {
  if (n <= 21) return Math.floor((frac * 1e9) / 2 ** n);
  // frac * 1e9 = A * 2^16 + B with A, B < 2^46; floor((A + B / 2^16) / 2^(n-16)) == floor((A + floor(B / 2^16)) / 2^(n-16)).
  const a = Math.floor(frac / 65536) * 1e9;
  const b = (frac % 65536) * 1e9;
  return Math.floor((a + Math.floor(b / 65536)) / 2 ** (n - 16));
}

/** Convert a 64-bit tick count (two unsigned 32-bit halves) to seconds and nanoseconds in `tickOut`. */
export function ticksToTime(hi: number, lo: number, res: TickResolution): void {
  switch (res.kind) {
    case 0: {
      if (hi < TWO53_HI) {
        splitDecimal(hi * TWO32 + lo, res.divisor, res.nsMul);
      } else {
        divmod64(hi, lo, res.divisor);
        tickOut.sec = qHi * TWO32 + qLo;
        tickOut.nsec = rem * res.nsMul;
      }
      return;
    }
    case 1: {
      divmod64(hi, lo, res.divisor);
      // Nanoseconds since the epoch, 64-bit: split by 1e9.
      if (qHi < TWO53_HI) {
        splitDecimal(qHi * TWO32 + qLo, 1e9, 1);
      } else {
        divmod64(qHi, qLo, 1e9);
        tickOut.sec = qHi * TWO32 + qLo;
        tickOut.nsec = rem;
      }
      return;
    }
    case 2: {
      const n = res.shift;
      if (n === 0) {
        tickOut.sec = hi * TWO32 + lo;
        tickOut.nsec = 0;
      } else if (n < 32) {
        tickOut.sec = hi * 2 ** (32 - n) + (lo >>> n);
        tickOut.nsec = binaryFractionToNs(lo & (2 ** n - 1), n);
      } else if (n === 32) {
        tickOut.sec = hi;
        tickOut.nsec = binaryFractionToNs(lo, 32);
      } else if (n < 64) {
        const m = n - 32;
        tickOut.sec = hi >>> m;
        const fracHi = hi - tickOut.sec * 2 ** m;
        tickOut.nsec = Math.min(999999999, Math.floor(((fracHi * TWO32 + lo) / 2 ** n) * 1e9));
      } else {
        tickOut.sec = 0;
        tickOut.nsec = Math.min(999999999, Math.floor(((hi * TWO32 + lo) / 2 ** n) * 1e9));
      }
      return;
    }
    default: {
      // Finer than 10^-20 s: 2^64 ticks are under 0.2 s.
      tickOut.sec = 0;
      tickOut.nsec = Math.min(999999999, Math.floor((hi * TWO32 + lo) / res.divisor));
      return;
    }
  }
}

/** Result of the last `timeToTicks`: the tick count's 32-bit halves. */
export const tickOut64 = { hi: 0, lo: 0 };

/**
 * Seconds and nanoseconds to a 64-bit tick count at `ticksPerSecond` (1e6 or 1e9), truncating
 * sub-tick nanoseconds. Result in `tickOut64`. `sec` must be a non-negative integer below 2^39.
 */
export function timeToTicks(sec: number, nsec: number, ticksPerSecond: number): void {
  const sub = Math.floor((nsec * ticksPerSecond) / 1e9);
  // sec * M = sh * M * 2^16 + sl * M, each product below 2^53 for sec < 2^39 and M <= 1e9.
  const sh = Math.floor(sec / 65536);
  const sl = sec - sh * 65536;
  const high = sh * ticksPerSecond; // multiple of 2^16 in the total
  const low = sl * ticksPerSecond + sub;
  const hh = Math.floor(high / 65536);
  const hl = high - hh * 65536;
  const t = hl * 65536 + low;
  const carry = Math.floor(t / TWO32);
  tickOut64.lo = t - carry * TWO32;
  tickOut64.hi = hh + carry;
}
