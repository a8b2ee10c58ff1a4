/**
 * An insertion-ordered set of objects with O(1) add, delete, oldest member and move-to-back, safe
 * to delete from while iterating: the eviction and expiry order of the flow tables. It is a doubly
 * linked list, intrusive: each member carries its links in one small array of its own (`links`), two
 * places per queue it can be in (the queue in slot `s` keeps the previous member at `2s` and the next
 * at `2s + 1`), so membership is an array read and add/delete are pointer updates, with no Map lookup
 * and no object per membership (a connection sits in up to three queues at once; a node object per
 * membership took 56 bytes more each). The links were once properties named after the queue
 * (`qTable`, `qTableNext`, ...): the queue's code then read each member's link by a name that differed
 * from queue to queue, which V8 can only do by a lookup by name each time (1.7% of the
 * instructions `conns` executes on the bench's 30,000-connection capture, `npm run bench:instructions`);
 * an index into an array of one layout is one read.
 * A plain JavaScript Set will not do as a queue: it keeps removed entries as holes until it next
 * grows, and finding its first member walks over them (measured: 150,000 evictions from a
 * 50,000-member Set, 3.6 s).
 *
 * A member may be in several queues in different slots, but never in two queues in the same one.
 */

/** A member's link to a neighbour: `HEAD` before the first member, undefined when there is none. */
export type QueueLink = object | undefined;

/** A member's links (see the module comment): two places per slot. */
export type QueueLinks = QueueLink[];

/** An object that can be in queues: its links, made by `newLinks` for as many slots as it needs. */
export interface Queueable {
  readonly links: QueueLinks;
}

/**
 * The links of a member of queues in slots 0 to `slots - 1`, all empty. Array literals of the exact
 * size, so that every member's links have one layout and no spare room (a push onto an empty array
 * makes room for 17).
 */
export function newLinks(slots: 1 | 3): QueueLinks {
  switch (slots) {
    case 1:
      return [undefined, undefined];
    case 3:
      return [undefined, undefined, undefined, undefined, undefined, undefined];
  }
}

/** The previous link of the first member: set, so that a member is in the queue exactly when its link is. */
const HEAD: object = Object.freeze({});

/** Where an iteration over the queue goes next (moved on when that member leaves or moves). */
interface Cursor {
  next: object | undefined;
}

export class LinkedQueue<T extends Queueable> {
  private head: T | undefined;
  private tail: T | undefined;
  private count = 0;
  /** Where in a member's links its previous member and its next are. */
  private readonly prev: number;
  private readonly next: number;
  /** Iterations in progress (almost always none or one). */
  private readonly cursors: Cursor[] = [];

  /** `slot`: which pair of its members' links this queue uses. */
  constructor(slot: number) {
    this.prev = 2 * slot;
    this.next = 2 * slot + 1;
  }

  get size(): number {
    return this.count;
  }

  has(v: T): boolean {
    return v.links[this.prev] !== undefined;
  }

  /** Add at the back (a member already present keeps its place, as with a Set). */
  add(v: T): void {
    if (v.links[this.prev] !== undefined) return;
    this.append(v);
    this.count++;
  }

  delete(v: T): boolean {
    if (v.links[this.prev] === undefined) return false;
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
    if (v.links[this.prev] === undefined || v === this.tail) return;
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
        cursor.next = v.links[this.next];
        yield v;
      }
    } finally {
      this.cursors.splice(this.cursors.indexOf(cursor), 1);
    }
  }

  clear(): void {
    for (let n = this.head; n !== undefined; ) {
      const links = n.links;
      const next = links[this.next] as T | undefined;
      links[this.prev] = undefined;
      links[this.next] = undefined;
      n = next;
    }
    for (const c of this.cursors) c.next = undefined;
    this.head = undefined;
    this.tail = undefined;
    this.count = 0;
  }

  private append(v: T): void {
    const links = v.links;
    const tail = this.tail;
    links[this.prev] = tail ?? HEAD;
    links[this.next] = undefined;
    if (tail !== undefined) tail.links[this.next] = v;
    else this.head = v;
    this.tail = v;
  }

  /** Take `v` out of the list (its links cleared); an iteration about to visit it goes on past it. */
  private unlink(v: T): void {
    const links = v.links;
    const prev = links[this.prev];
    const next = links[this.next] as T | undefined;
    for (let i = 0; i < this.cursors.length; i++) {
      const c = this.cursors[i] as Cursor;
      if (c.next === v) c.next = next;
    }
    if (prev === HEAD) this.head = next;
    else (prev as T).links[this.next] = next;
    if (next !== undefined) next.links[this.prev] = prev;
    else this.tail = prev === HEAD ? undefined : (prev as T);
    links[this.prev] = undefined;
    links[this.next] = undefined;
  }
}
