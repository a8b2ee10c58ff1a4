/**
 * Smallest and largest of a list by a numeric key, in a loop: `Math.max(...xs.map(f))` passes every
 * element as an argument and throws a RangeError beyond about 120,000 of them (the stack), which a
 * flood of connections reaches.
 */
export function minOf<T>(items: readonly T[], key: (item: T) => number): number {
  let m = Number.POSITIVE_INFINITY;
  for (const x of items) {
    const v = key(x);
    if (v < m) m = v;
  }
  return m;
}

export function maxOf<T>(items: readonly T[], key: (item: T) => number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const x of items) {
    const v = key(x);
    if (v > m) m = v;
  }
  return m;
}
