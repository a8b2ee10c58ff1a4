/**
 * Rows of numbers for per-connection models, in one growing buffer seen both as doubles and as
 * 32-bit integers, with released rows reused first.
 *
 * A model whose state lives here (the Zeek model, tcp.analysis) costs no objects per connection:
 * nothing for the garbage collector to copy out of the young generation and promote, as it did
 * every connection's objects. Its classes become views that read a bound row through accessors.
 * A row's layout is the model's own: its doubles first, then its integers (two to an 8-byte unit),
 * so that one row is read from one place in memory. The store does not clear a row it hands out:
 * the model writes every value of a new row.
 */
export class RowStore {
  /** The rows as doubles and as integers (replaced when the store grows: read them after `alloc`). */
  f64 = new Float64Array(0);
  i32 = new Int32Array(0);
  private capacity = 0;
  private next = 0;
  private readonly free: number[] = [];

  /** `row`: the size of a row in 8-byte units. */
  constructor(readonly row: number) {}

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
