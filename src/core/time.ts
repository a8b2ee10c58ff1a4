/**
 * Capture timestamps. A timestamp is kept as integer seconds plus integer nanoseconds so that
 * nanosecond captures print exactly; analysis uses `tsSeconds` (a double, sub-microsecond
 * precision for present-day epochs) for differences and deadlines.
 */
export interface Timestamp {
  readonly sec: number;
  readonly nsec: number;
}

export function tsSeconds(sec: number, nsec: number): number {
  return sec + nsec / 1e9;
}

/**
 * A time between two capture times (`tsSeconds` doubles) in seconds, to the microsecond, as Zeek
 * logs durations. Near today's epoch consecutive doubles are 0.24 µs apart, so a plain difference
 * has rounding noise from the seventh decimal on (0.065093994140625 for 65.094 ms, 0.00006604194641113281
 * for 66 µs): JSON would print it all.
 */
export function roundMicros(s: number): number {
  return Math.round(s * 1e6) / 1e6;
}

/** `1262893114.341715000` (9 decimals, like tshark's frame.time_epoch). */
export function formatEpoch(sec: number, nsec: number, decimals = 9): string {
  const frac = String(nsec).padStart(9, '0').slice(0, decimals);
  return decimals > 0 ? `${sec}.${frac}` : String(sec);
}

/** UTC wall-clock `HH:MM:SS.ffffff` (tcpdump default style, but in UTC for reproducibility). */
export function formatClock(sec: number, nsec: number, decimals = 6): string {
  const d = new Date(sec * 1000);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${String(nsec).padStart(9, '0').slice(0, decimals)}`;
}

/** Full ISO-like UTC date and time with fractional seconds. */
export function formatIso(sec: number, nsec: number, decimals = 6): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return formatEpoch(sec, nsec, decimals);
  const date = d.toISOString().slice(0, 19);
  return `${date}.${String(nsec).padStart(9, '0').slice(0, decimals)}Z`;
}

/**
 * `formatIso` of a capture-time double (`tsSeconds`), to the microsecond. The double has no exact
 * nanoseconds (it is within 0.12 µs of the capture's time, see `roundMicros`), so they are rounded:
 * cutting them would show 23:52:49.264426 for a packet captured at .264427.
 */
export function formatIsoTime(ts: number): string {
  let sec = Math.floor(ts);
  let us = Math.round((ts - sec) * 1e6);
  if (us >= 1e6) {
    sec += 1;
    us -= 1e6;
  }
  return formatIso(sec, us * 1000);
}

/** A duration in seconds as `12.345678` with fixed decimals (negative values keep their sign). */
export function formatSeconds(s: number, decimals = 6): string {
  return s.toFixed(decimals);
}

/** Human duration: 850µs, 12.3ms, 4.21s, 2m05s, 1h02m. */
export function formatDuration(s: number): string {
  const a = Math.abs(s);
  const sign = s < 0 ? '-' : '';
  if (a < 1e-3) return `${sign}${Math.round(a * 1e6)}µs`;
  if (a < 1) return `${sign}${(a * 1e3).toFixed(a < 0.01 ? 2 : 1)}ms`;
  if (a < 60) return `${sign}${a.toFixed(a < 10 ? 3 : 2)}s`;
  if (a < 3600) return `${sign}${Math.floor(a / 60)}m${String(Math.floor(a % 60)).padStart(2, '0')}s`;
  return `${sign}${Math.floor(a / 3600)}h${String(Math.floor((a % 3600) / 60)).padStart(2, '0')}m`;
}
