/**
 * The first `k` items of a stream in a given order, in O(k) memory: a binary heap with the worst
 * kept item on top, replaced when a better one arrives. Counts what it dropped.
 */
export class TopK<T> {
  private readonly heap: T[] = [];
  /** Items offered but not kept (beyond `k`). */
  dropped = 0;

  constructor(
    readonly k: number,
    /** Negative when `a` comes before `b` in the wanted order. */
    private readonly cmp: (a: T, b: T) => number,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  offer(x: T): void {
    const h = this.heap;
    if (h.length < this.k) {
      h.push(x);
      this.up(h.length - 1);
      return;
    }
    this.dropped++;
    if (h.length === 0 || this.cmp(x, h[0] as T) >= 0) return;
    h[0] = x;
    this.down(0);
  }

  /** The kept items, in order. */
  sorted(): T[] {
    return [...this.heap].sort(this.cmp);
  }

  /** Heap order: the item that comes last in the wanted order sits on top. */
  private above(i: number, j: number): boolean {
    return this.cmp(this.heap[i] as T, this.heap[j] as T) > 0;
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    const t = h[i] as T;
    h[i] = h[j] as T;
    h[j] = t;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.above(l, m)) m = l;
      if (r < n && this.above(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
