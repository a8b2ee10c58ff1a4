/**
 * Members grouped by the whole second of capture time at which they may next be due (an idle
 * timeout, the end of a TIME-WAIT), so that a periodic sweep looks only at members whose time may be
 * up instead of walking a whole table every second of capture time.
 *
 * Each second is a bucket: a doubly linked list threaded through the members themselves (like
 * `LinkedQueue`, no node objects), so adding, moving and removing a member cost a few pointer
 * writes and no search; the seconds that have a bucket sit in a small min-heap of numbers. A
 * member's key only has to be a lower bound of its real deadline: the sweep checks each member it
 * takes out, and puts back the ones not yet due with their deadline moved on. So a key need not
 * follow every packet, only each change that brings the deadline earlier (`lower`).
 */

/** An object that can be in a Deadlines set. */
export interface Timed {
  /** The second its bucket stands for (its deadline rounded down), or NaN when not in the set. */
  dueAt: number;
  dueNext: this | undefined;
  duePrev: this | undefined;
}

export class Deadlines<T extends Timed> {
  /** The first member of each second's bucket. */
  private readonly buckets = new Map<number, T>();
  /** The seconds that have (or had) a bucket, as a binary min-heap. */
  private readonly seconds: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Add a member not in the set, due from capture time `deadline`. */
  add(v: T, deadline: number): void {
    this.link(v, Math.floor(deadline));
    this.count++;
  }

  /** Bring a member's deadline down to `deadline` if that is in an earlier second (adding it if absent). */
  lower(v: T, deadline: number): void {
    const s = Math.floor(deadline);
    if (Number.isNaN(v.dueAt)) this.add(v, deadline);
    else if (s < v.dueAt) {
      this.unlink(v);
      this.link(v, s);
    }
  }

  delete(v: T): void {
    if (Number.isNaN(v.dueAt)) return;
    this.unlink(v);
    v.dueAt = Number.NaN;
    this.count--;
  }

  /**
   * Take out every member whose bucket's second is at or before `t` (all those due by `t`, and
   * perhaps some due later within the same second), into `out` in no particular order.
   */
  takeDue(t: number, out: T[]): void {
    const seconds = this.seconds;
    while (seconds.length > 0 && (seconds[0] as number) <= t) {
      const s = popMin(seconds);
      let v = this.buckets.get(s);
      if (v === undefined) continue;
      this.buckets.delete(s);
      while (v !== undefined) {
        const next: T | undefined = v.dueNext;
        detach(v);
        out.push(v);
        this.count--;
        v = next;
      }
    }
  }

  /** Remove every member. */
  clear(): void {
    for (const first of this.buckets.values())
      for (let v: T | undefined = first; v !== undefined; ) {
        const next: T | undefined = v.dueNext;
        detach(v);
        v = next;
      }
    this.buckets.clear();
    this.seconds.length = 0;
    this.count = 0;
  }

  private link(v: T, s: number): void {
    const first = this.buckets.get(s);
    v.dueAt = s;
    v.duePrev = undefined;
    v.dueNext = first;
    if (first === undefined) pushHeap(this.seconds, s);
    else first.duePrev = v;
    this.buckets.set(s, v);
  }

  private unlink(v: T): void {
    const prev = v.duePrev;
    const next = v.dueNext;
    if (prev !== undefined) prev.dueNext = next;
    else if (next !== undefined) this.buckets.set(v.dueAt, next);
    else this.buckets.delete(v.dueAt); // its second stays in the heap, and is skipped when it comes
    if (next !== undefined) next.duePrev = prev;
    v.dueNext = undefined;
    v.duePrev = undefined;
  }
}

/** Mark a member taken out of its bucket as in no set. */
function detach(v: Timed): void {
  v.dueAt = Number.NaN;
  v.dueNext = undefined;
  v.duePrev = undefined;
}

function pushHeap(h: number[], x: number): void {
  let i = h.length;
  h.push(x);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = h[parent] as number;
    if (p <= x) break;
    h[i] = p;
    i = parent;
  }
  h[i] = x;
}

function popMin(h: number[]): number {
  const top = h[0] as number;
  const last = h.pop() as number;
  const n = h.length;
  if (n === 0) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && (h[r] as number) < (h[l] as number) ? r : l;
    if ((h[c] as number) >= last) break;
    h[i] = h[c] as number;
    i = c;
  }
  h[i] = last;
  return top;
}
