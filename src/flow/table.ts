/**
 * A table of flows keyed by their 4-tuple without building a string per packet: an IPv4 endpoint is
 * one number (address × 65536 + port, exact in a double), a 4-tuple two of them in canonical order
 * (the smaller endpoint first). The two are hashed into one small integer (a V8 "Smi", the cheapest
 * Map key: no allocation, no string) and the rare entries that share a hash are kept together and
 * told apart by their full keys; IPv6 endpoints fall back to hex strings. Entries also sit in
 * insertion order, which is the order the sweep and the eviction of the oldest walk.
 */
import { toHex } from '../core/bytes.js';
import { HASH_SEED, mixWord } from '../core/hash.js';
import { LinkedQueue, type Queueable } from './queue.js';

export type EndpointKey = number | string;

/**
 * What an entry must carry: its canonical key, so it can be removed without recomputing it, and
 * the slot for its place in the table order (`stamp`, set by the table).
 */
export interface Keyed extends Queueable<'qTable'> {
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

export class FlowTable<V extends Keyed> {
  /** IPv4 4-tuples by hash: the entry, or the few entries sharing that hash. */
  private readonly byHash = new Map<number, V | V[]>();
  /** Other 4-tuples by their text. */
  private readonly byText = new Map<string, V>();
  private readonly order = new LinkedQueue<V, 'qTable'>('qTable');
  /** The last stamp handed out. */
  private stamp = 0;

  get size(): number {
    return this.order.size;
  }

  get(lo: EndpointKey, hi: EndpointKey): V | undefined {
    if (typeof lo !== 'number' || typeof hi !== 'number') return this.byText.get(`${lo}#${hi}`);
    const e = this.byHash.get(hashPair(lo, hi));
    if (e === undefined) return undefined;
    if (!Array.isArray(e)) return e.lo === lo && e.hi === hi ? e : undefined;
    for (const v of e) if (v.lo === lo && v.hi === hi) return v;
    return undefined;
  }

  set(v: V): void {
    const old = this.get(v.lo, v.hi);
    if (old) this.delete(old);
    const { lo, hi } = v;
    if (typeof lo !== 'number' || typeof hi !== 'number') this.byText.set(`${lo}#${hi}`, v);
    else {
      const h = hashPair(lo, hi);
      const e = this.byHash.get(h);
      if (e === undefined) this.byHash.set(h, v);
      else if (Array.isArray(e)) e.push(v);
      else this.byHash.set(h, [e, v]);
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
      const h = hashPair(lo, hi);
      const e = this.byHash.get(h);
      if (e === v) this.byHash.delete(h);
      else if (Array.isArray(e)) {
        const i = e.indexOf(v);
        if (i >= 0) e.splice(i, 1);
        if (e.length === 1) this.byHash.set(h, e[0] as V);
      }
    }
    this.order.delete(v);
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
    this.byHash.clear();
    this.byText.clear();
    this.order.clear();
  }
}
