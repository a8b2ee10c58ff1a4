/**
 * Optional numbers kept in typed arrays (the row stores of flow/rows.ts), which cannot hold
 * `undefined`: an absent value is stored as NaN and read back as undefined.
 */

/** An optional value as stored: undefined when NaN. */
export function unlessNaN(v: number): number | undefined {
  return Number.isNaN(v) ? undefined : v;
}
