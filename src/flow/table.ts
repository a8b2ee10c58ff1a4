/**
 * A table of flows keyed by their 4-tuple without building a string per packet: an IPv4 endpoint is
 * one number (address × 65536 + port, exact in a double), a 4-tuple two of them in canonical order
 * (the smaller endpoint first) in a two-level map; IPv6 endpoints fall back to hex strings. Entries
 * also sit in insertion order, which is the order the sweep and the eviction of the oldest walk.
 */
import { toHex } from '../core/bytes.js';
import { FifoSet } from './fifo.js';

export type EndpointKey = number | string;

/** What an entry must carry: its canonical key, so it can be removed without recomputing it. */
export interface Keyed {
  lo: EndpointKey;
  hi: EndpointKey;
}

/** One endpoint's key: IPv4 as a number, IPv6 as hex text with the port. */
export function endpointKey(addr: number | Uint8Array, port: number): EndpointKey {
  return typeof addr === 'number' ? addr * 65536 + port : `${toHex(addr)}|${port}`;
}

export class FlowTable<V extends Keyed> {
  private readonly byLo = new Map<EndpointKey, Map<EndpointKey, V>>();
  private readonly order = new FifoSet<V>();

  get size(): number {
    return this.order.size;
  }

  get(lo: EndpointKey, hi: EndpointKey): V | undefined {
    return this.byLo.get(lo)?.get(hi);
  }

  set(v: V): void {
    let inner = this.byLo.get(v.lo);
    if (!inner) {
      inner = new Map();
      this.byLo.set(v.lo, inner);
    }
    const old = inner.get(v.hi);
    if (old) this.order.delete(old);
    inner.set(v.hi, v);
    this.order.add(v);
  }

  delete(v: V): void {
    const inner = this.byLo.get(v.lo);
    if (inner?.get(v.hi) === v) {
      inner.delete(v.hi);
      if (inner.size === 0) this.byLo.delete(v.lo);
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
  }

  /** Entries oldest first (safe to delete the current one while iterating). */
  values(): IterableIterator<V> {
    return this.order.values();
  }

  clear(): void {
    this.byLo.clear();
    this.order.clear();
  }
}
