/**
 * A table of flows keyed by their 4-tuple without building a string per packet: an IPv4 endpoint is
 * one number (address × 65536 + port, exact in a double), a 4-tuple two of them in canonical order
 * (the smaller endpoint first). IPv4 4-tuples sit in an open-addressing hash table (linear probing,
 * at most half full) whose slots hold both keys and the entry's index side by side, so a lookup
 * reads one place in memory before the entry itself; with tens of thousands of connections what
 * costs is a cache miss. IPv6 endpoints fall back to hex strings in a Map. Entries also sit in
 * insertion order, which is the order the sweep and the eviction of the oldest walk.
 */
import { toHex } from '../core/bytes.js';
import { HASH_SEED, mixWord } from '../core/hash.js';
import { LinkedQueue, type Queueable } from './queue.js';

/** The slot of an entry's links (flow/queue.ts) that its table's order uses. */
export const TABLE_SLOT = 0;

export type EndpointKey = number | string;

/**
 * What an entry must carry: its canonical key, so it can be removed without recomputing it, its
 * links with TABLE_SLOT for the table order, and its place in that order (`stamp`, set by the table).
 */
export interface Keyed extends Queueable {
  lo: EndpointKey;
  hi: EndpointKey;
  /** Its place in the table order: larger for an entry added (or moved to the back) later. */
  stamp: number;
}

/** Table order, for sorting entries taken out of a table by some other index (see flow/deadlines.ts). */
export function byTableOrder(a: Keyed, b: Keyed): number {
  return a.stamp - b.stamp;
}

/** One endpoint's key: IPv4 as a number, IPv6 as hex text with the port. */
export function endpointKey(addr: number | Uint8Array, port: number): EndpointKey {
  return typeof addr === 'number' ? addr * 65536 + port : `${toHex(addr)}|${port}`;
}

const TWO16 = 65536;

/** A 30-bit hash of two numeric endpoint keys (each an IPv4 address × 65536 + port). */
export function hashPair(lo: number, hi: number): number {
  // Division by 2^16 is exact in a double; `%` on a double would be a slow fmod call.
  const loAddr = Math.floor(lo / TWO16);
  const hiAddr = Math.floor(hi / TWO16);
  const loPort = lo - loAddr * TWO16;
  const hiPort = hi - hiAddr * TWO16;
  const h = mixWord(mixWord(mixWord(HASH_SEED, loAddr | 0), hiAddr | 0), loPort | (hiPort << 16));
  return h & 0x3fffffff;
}

/** Doubles per slot of the IPv4 table: lo, hi, and the entry's index + 1 (0: the slot is empty). */
const SLOT = 3;
const MIN_SLOTS = 1024;

export class FlowTable<V extends Keyed> {
  /** IPv4 4-tuples: SLOT doubles per slot, a power of two of slots. */
  private slots = new Float64Array(SLOT * MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  /** Slots in use. */
  private used = 0;
  /** The IPv4 entries by index (undefined: a free index, listed in `free`). */
  private readonly entries: Array<V | undefined> = [];
  private readonly free: number[] = [];
  /** Other 4-tuples by their text. */
  private readonly byText = new Map<string, V>();
  private readonly order = new LinkedQueue<V>(TABLE_SLOT);
  /** The last stamp handed out. */
  private stamp = 0;

  get size(): number {
    return this.order.size;
  }

  /** Is `v` in the table? */
  has(v: V): boolean {
    return this.order.has(v);
  }

  get(lo: EndpointKey, hi: EndpointKey): V | undefined {
    if (typeof lo !== 'number' || typeof hi !== 'number') return this.byText.get(`${lo}#${hi}`);
    const r = this.slots[SLOT * this.find(lo, hi) + 2] as number;
    return r === 0 ? undefined : this.entries[r - 1];
  }

  set(v: V): void {
    const old = this.get(v.lo, v.hi);
    if (old) this.delete(old);
    const { lo, hi } = v;
    if (typeof lo !== 'number' || typeof hi !== 'number') this.byText.set(`${lo}#${hi}`, v);
    else {
      if (2 * (this.used + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1));
      const o = SLOT * this.find(lo, hi);
      const index = this.free.pop() ?? this.entries.length;
      this.entries[index] = v;
      const s = this.slots;
      s[o] = lo;
      s[o + 1] = hi;
      s[o + 2] = index + 1;
      this.used++;
    }
    this.order.add(v);
    v.stamp = ++this.stamp;
  }

  delete(v: V): void {
    const { lo, hi } = v;
    if (typeof lo !== 'number' || typeof hi !== 'number') {
      const k = `${lo}#${hi}`;
      if (this.byText.get(k) === v) this.byText.delete(k);
    } else {
      const i = this.find(lo, hi);
      const r = this.slots[SLOT * i + 2] as number;
      if (r !== 0 && this.entries[r - 1] === v) {
        this.entries[r - 1] = undefined;
        this.free.push(r - 1);
        this.empty(i);
        this.used--;
      }
    }
    this.order.delete(v);
  }

  /** The slot holding this IPv4 4-tuple, or the empty slot where it would go. */
  private find(lo: number, hi: number): number {
    const s = this.slots;
    const mask = this.mask;
    for (let i = hashPair(lo, hi) & mask; ; i = (i + 1) & mask) {
      const o = SLOT * i;
      if (s[o + 2] === 0 || (s[o] === lo && s[o + 1] === hi)) return i;
    }
  }

  /**
   * Empty slot `i` without a tombstone: later slots of the same probe run move back into the hole
   * when their home slot is not between it and them (backward-shift deletion).
   */
  private empty(i: number): void {
    const s = this.slots;
    const mask = this.mask;
    for (let j = (i + 1) & mask; s[SLOT * j + 2] !== 0; j = (j + 1) & mask) {
      const home = hashPair(s[SLOT * j] as number, s[SLOT * j + 1] as number) & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      s.copyWithin(SLOT * i, SLOT * j, SLOT * j + SLOT);
      i = j;
    }
    s[SLOT * i + 2] = 0;
  }

  /** Move every IPv4 slot into a table of `slotCount` slots. */
  private rehash(slotCount: number): void {
    const old = this.slots;
    this.slots = new Float64Array(SLOT * slotCount);
    this.mask = slotCount - 1;
    const s = this.slots;
    for (let o = 0; o < old.length; o += SLOT) {
      if (old[o + 2] === 0) continue;
      const at = SLOT * this.find(old[o] as number, old[o + 1] as number);
      s[at] = old[o] as number;
      s[at + 1] = old[o + 1] as number;
      s[at + 2] = old[o + 2] as number;
    }
  }

  /** The oldest entry (first inserted or moved to the back longest ago). */
  first(): V | undefined {
    return this.order.first();
  }

  /** Move an entry to the back of the order, as if just inserted. */
  moveToBack(v: V): void {
    this.order.moveToBack(v);
    v.stamp = ++this.stamp;
  }

  /** Entries oldest first (safe to delete the current one while iterating). */
  values(): IterableIterator<V> {
    return this.order.values();
  }

  clear(): void {
    this.slots = new Float64Array(SLOT * MIN_SLOTS);
    this.mask = MIN_SLOTS - 1;
    this.used = 0;
    this.entries.length = 0;
    this.free.length = 0;
    this.byText.clear();
    this.order.clear();
  }
}
