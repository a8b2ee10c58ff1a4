/**
 * Rows of numbers for per-connection models, in one growing buffer seen both as doubles and as
 * 32-bit integers, with released rows reused first.
 *
 * A model whose state lives here (the Zeek model, tcp.analysis) costs no objects per connection:
 * nothing for the garbage collector to copy out of the young generation and promote, as it did
 * every connection's objects. Its classes become views that read a bound row through accessors.
 * A row holds a model's doubles, then its integers (two to an 8-byte unit), so that one row is read
 * from one place in memory: `doublesAt` and `intsAt` say where they start. The store does not clear
 * a row it hands out: the model writes every value of a new row.
 */
export class RowStore {
  /** The rows as doubles and as integers (replaced when the store grows: read them after `alloc`). */
  f64 = new Float64Array(0);
  i32 = new Int32Array(0);
  private capacity = 0;
  private next = 0;
  private readonly free: number[] = [];

  /** The size of a row in 8-byte units. */
  readonly row: number;

  /** A row of `doubles` doubles and `ints` 32-bit integers. */
  constructor(
    private readonly doubles: number,
    ints: number,
  ) {
    this.row = doubles + Math.ceil(ints / 2);
  }

  /** Where the doubles of the row of `slot` start in `f64`. */
  doublesAt(slot: number): number {
    return slot * this.row;
  }

  /** Where its integers start in `i32` (after its doubles). */
  intsAt(slot: number): number {
    return 2 * (slot * this.row + this.doubles);
  }

  /** Rows handed out and not released. */
  get inUse(): number {
    return this.next - this.free.length;
  }

  /** A row (its slot number), the last one released if any: its doubles start at `slot × row`. */
  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.next++;
    if (slot >= this.capacity) {
      this.capacity = Math.max(1024, this.capacity * 2);
      const f = new Float64Array(this.capacity * this.row);
      f.set(this.f64);
      this.f64 = f;
      this.i32 = new Int32Array(f.buffer);
    }
    return slot;
  }

  release(slot: number): void {
    this.free.push(slot);
  }
}

/** Set (or clear) `bit` in the integer at `at`. */
export function setBit(i32: Int32Array, at: number, bit: number, v: boolean): void {
  i32[at] = v ? (i32[at] as number) | bit : (i32[at] as number) & ~bit;
}
