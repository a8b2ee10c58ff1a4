/**
 * An insertion-ordered set of objects with O(1) add, delete, oldest member and move-to-back, safe
 * to delete from while iterating: the eviction and expiry order of the flow tables. It is a doubly
 * linked list, intrusive: each member carries its own two links in properties named when the queue
 * is made (`<slot>` for the previous member, `<slot>Next` for the next), so membership is a property
 * read and add/delete are pointer updates, with no Map lookup and no object per member (a connection
 * sits in up to three queues at once; a node object per membership took 56 bytes more each).
 * A plain JavaScript Set will not do as a queue: it keeps removed entries as holes until it next
 * grows, and finding its first member walks over them (measured: 150,000 evictions from a
 * 50,000-member Set, 3.6 s).
 *
 * A member may be in several queues under different slot names, but never in two queues under the
 * same one.
 */

/** A member's link to a neighbour: `HEAD` before the first member, undefined when there is none. */
export type QueueLink = object | undefined;

/** An object that can be in a queue whose slot is `K`. */
export type Queueable<K extends string> = { [P in K | `${K}Next`]: QueueLink };

/** The previous link of the first member: set, so that a member is in the queue exactly when its link is. */
const HEAD: object = Object.freeze({});

/** A member's links, as the queue reads them. */
type Links = Record<string, QueueLink>;

/** Where an iteration over the queue goes next (moved on when that member leaves or moves). */
interface Cursor {
  next: object | undefined;
}

export class LinkedQueue<T extends Queueable<K>, K extends string> {
  private head: T | undefined;
  private tail: T | undefined;
  private count = 0;
  private readonly nextSlot: `${K}Next`;
  /** Iterations in progress (almost always none or one). */
  private readonly cursors: Cursor[] = [];

  /** `slot`: the member property that holds its previous member in this queue (undefined when not in it). */
  constructor(private readonly slot: K) {
    this.nextSlot = `${slot}Next`;
  }

  get size(): number {
    return this.count;
  }

  has(v: T): boolean {
    return (v as unknown as Links)[this.slot] !== undefined;
  }

  /** Add at the back (a member already present keeps its place, as with a Set). */
  add(v: T): void {
    if ((v as unknown as Links)[this.slot] !== undefined) return;
    this.append(v);
    this.count++;
  }

  delete(v: T): boolean {
    if ((v as unknown as Links)[this.slot] === undefined) return false;
    this.unlink(v);
    this.count--;
    return true;
  }

  /** The oldest member (added, or moved to the back, longest ago). */
  first(): T | undefined {
    return this.head;
  }

  /** Move a member to the back, as if just added. */
  moveToBack(v: T): void {
    if ((v as unknown as Links)[this.slot] === undefined || v === this.tail) return;
    this.unlink(v);
    this.append(v);
  }

  /** Members oldest first; removing any member while iterating is safe. */
  *values(): IterableIterator<T> {
    const cursor: Cursor = { next: this.head };
    this.cursors.push(cursor);
    try {
      while (cursor.next !== undefined) {
        const v = cursor.next as T;
        cursor.next = (v as unknown as Links)[this.nextSlot];
        yield v;
      }
    } finally {
      this.cursors.splice(this.cursors.indexOf(cursor), 1);
    }
  }

  clear(): void {
    for (let n = this.head; n !== undefined; ) {
      const links = n as unknown as Links;
      const next = links[this.nextSlot] as T | undefined;
      links[this.slot] = undefined;
      links[this.nextSlot] = undefined;
      n = next;
    }
    for (const c of this.cursors) c.next = undefined;
    this.head = undefined;
    this.tail = undefined;
    this.count = 0;
  }

  private append(v: T): void {
    const links = v as unknown as Links;
    const tail = this.tail;
    links[this.slot] = tail ?? HEAD;
    links[this.nextSlot] = undefined;
    if (tail !== undefined) (tail as unknown as Links)[this.nextSlot] = v;
    else this.head = v;
    this.tail = v;
  }

  /** Take `v` out of the list (its links cleared); an iteration about to visit it goes on past it. */
  private unlink(v: T): void {
    const links = v as unknown as Links;
    const prev = links[this.slot];
    const next = links[this.nextSlot] as T | undefined;
    for (let i = 0; i < this.cursors.length; i++) {
      const c = this.cursors[i] as Cursor;
      if (c.next === v) c.next = next;
    }
    if (prev === HEAD) this.head = next;
    else (prev as Links)[this.nextSlot] = next;
    if (next !== undefined) (next as unknown as Links)[this.slot] = prev;
    else this.tail = prev === HEAD ? undefined : (prev as T);
    links[this.slot] = undefined;
    links[this.nextSlot] = undefined;
  }
}
