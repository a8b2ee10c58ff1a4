/**
 * Rows of numbers for per-connection models, in pages seen both as doubles and as 32-bit integers,
 * with released rows reused first.
 *
 * A model whose state lives here (the Zeek model, tcp.analysis, the RFC 9293 connection) costs
 * few or no objects per connection: little for the garbage collector to copy out of the young
 * generation and promote, as it did every connection's objects. Its classes read their row
 * through accessors. A row holds a model's doubles, then its integers (two to an 8-byte unit), so
 * that one row is read from one place in memory: `doublesAt` and `intsAt` say where they start. A
 * store does not clear a row it hands out: the model writes every value of a new row.
 *
 * A row's arrays are those of its page (`f64Of`, `i32Of`), fixed for its life, so an object can
 * hold them and read its row without a module-level array that growth would replace; and growing
 * copies nothing and leaves no old buffer behind for the collector (a store that grew by doubling
 * into a new buffer did both). Pages are kept once made (the store's high-water mark).
 */

import { TopK } from '../core/topk.js';

export class RowStore {
  private readonly f64s: Float64Array[] = [];
  private readonly i32s: Int32Array[] = [];
  private next = 0;
  private readonly free: number[] = [];
  /** The size of a row in 8-byte units. */
  readonly row: number;
  private readonly shift: number;
  private readonly mask: number;

  /** Rows of `doubles` doubles and `ints` 32-bit integers, 2^`pageBits` rows to a page. */
  constructor(
    private readonly doubles: number,
    ints: number,
    pageBits = 12,
  ) {
    this.row = doubles + Math.ceil(ints / 2);
    this.shift = pageBits;
    this.mask = (1 << pageBits) - 1;
  }

  /** Rows handed out and not released. */
  get inUse(): number {
    return this.next - this.free.length;
  }

  /** A row (its slot number), the last one released if any. */
  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.next++;
    if (slot >>> this.shift >= this.f64s.length) {
      const f = new Float64Array((this.mask + 1) * this.row);
      this.f64s.push(f);
      this.i32s.push(new Int32Array(f.buffer));
    }
    return slot;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  /** The doubles of the page of `slot`, and where the row's start in them. */
  f64Of(slot: number): Float64Array {
    return this.f64s[slot >>> this.shift] as Float64Array;
  }
  doublesAt(slot: number): number {
    return (slot & this.mask) * this.row;
  }

  /** The integers of the page of `slot`, and where the row's start in them (after its doubles). */
  i32Of(slot: number): Int32Array {
    return this.i32s[slot >>> this.shift] as Int32Array;
  }
  intsAt(slot: number): number {
    return 2 * ((slot & this.mask) * this.row + this.doubles);
  }
}

/** Set (or clear) `bit` in the integer at `at`. */
export function setBit(i32: Int32Array, at: number, bit: number, v: boolean): void {
  i32[at] = v ? (i32[at] as number) | bit : (i32[at] as number) & ~bit;
}

/**
 * Rows 0 to `count` - 1 by `weight`, heaviest first (ties: lower row first, i.e. in the order the
 * rows were made), the first `n` of them: the rows a report shows of a table kept in a store.
 */
export function heaviestRows(count: number, n: number, weight: (row: number) => number): number[] {
  const w = new Float64Array(count);
  for (let row = 0; row < count; row++) w[row] = weight(row);
  const top = new TopK<number>(n, (x, y) => (w[y] as number) - (w[x] as number) || x - y);
  for (let row = 0; row < count; row++) top.offer(row);
  return top.sorted();
}

/** One more packet of `bytes` bytes: the packet count at `at` and the byte count right after it. */
export function countPacket(f: Float64Array, at: number, bytes: number): void {
  f[at] = (f[at] as number) + 1;
  f[at + 1] = (f[at + 1] as number) + bytes;
}
