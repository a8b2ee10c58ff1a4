/**
 * The doubles of a long-lived object (capture times, 64-bit sequence positions), kept unboxed in
 * one array behind accessors instead of one field each.
 *
 * V8 stores a number field that ever holds a non-small-integer in a heap object of its own (a
 * "HeapNumber"). A connection's state held about 35 of them. Every connection outlives the young
 * generation, so the scavenger copied each of them at least once. An array of doubles only
 * (V8's PACKED_DOUBLE_ELEMENTS) keeps them all in one backing store, whatever they hold.
 *
 * `undefined` cannot be stored in it: an optional value is NaN when absent (`maybe`, `setMaybe`).
 */

/**
 * A template to copy for each object: `values` in an array whose elements V8 keeps as unboxed
 * doubles (it is made from NaN, so it never holds small integers only, and copies keep its kind).
 */
export function doublesTemplate(values: readonly number[]): readonly number[] {
  const a = values.map(() => Number.NaN);
  for (let i = 0; i < values.length; i++) a[i] = values[i] as number;
  return a;
}

/** An optional value as stored: undefined when NaN. */
export function unlessNaN(v: number): number | undefined {
  return Number.isNaN(v) ? undefined : v;
}

/** The optional value at `i`: undefined when NaN. */
export function maybe(d: readonly number[], i: number): number | undefined {
  return unlessNaN(d[i] as number);
}

/** Set the optional value at `i` (undefined is stored as NaN). */
export function setMaybe(d: number[], i: number, v: number | undefined): void {
  d[i] = v ?? Number.NaN;
}
