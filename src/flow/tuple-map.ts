/**
 * An insertion-ordered map from one direction of a transport conversation (source address and
 * port, destination address and port) to a 32-bit value, for per-packet lookups on hot paths.
 *
 * It behaves like a `Map` keyed by `directionalKey(p)` (same keys, same order, same eviction),
 * without building a key string per packet: the key is read straight from the packet into a few
 * integers, hashed, and compared against entries kept in typed arrays. Entries are only ever
 * removed oldest-first (`evictOldest`), so the live entries always sit in insertion order at the
 * front of the arrays and the hash index is simply rebuilt after an eviction.
 */
import type { Ipv4Layer, Ipv6Layer } from '../decode/types.js';

/**
 * Words per key: family (0 = no IP layer, 4, 6), both ports, then 4 words per address (an IPv4
 * address uses the first, the others stay 0).
 */
const KEY_WORDS = 10;
const INITIAL_CAPACITY = 1024;

export class TupleMap {
  /** The key being looked up or inserted (filled by `load`). */
  private readonly key = new Int32Array(KEY_WORDS);
  private keys = new Int32Array(INITIAL_CAPACITY * KEY_WORDS);
  private values = new Uint32Array(INITIAL_CAPACITY);
  /** Open addressing, linear probing: entry number + 1, 0 for an empty slot. At most half full. */
  private index = new Int32Array(INITIAL_CAPACITY * 2);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * The value for the direction `ip.src:srcPort → ip.dst:dstPort`, or for its reverse when
   * `reverse` is set; undefined when absent. Without an IP layer every packet has the same key,
   * as `directionalKey` gives them all `undefined`.
   */
  get(
    ip: Ipv4Layer | Ipv6Layer | undefined,
    srcPort: number,
    dstPort: number,
    reverse: boolean,
  ): number | undefined {
    const e = this.find(this.load(ip, srcPort, dstPort, reverse));
    return e < 0 ? undefined : this.values[e];
  }

  /** Set the value of a direction; a new key goes last in insertion order, an existing one keeps its place. */
  set(ip: Ipv4Layer | Ipv6Layer | undefined, srcPort: number, dstPort: number, value: number): void {
    const h = this.load(ip, srcPort, dstPort, false);
    const e = this.find(h);
    if (e >= 0) {
      this.values[e] = value;
      return;
    }
    if (this.count * KEY_WORDS === this.keys.length) this.grow();
    const n = this.count++;
    this.keys.set(this.key, n * KEY_WORDS);
    this.values[n] = value;
    this.place(n, h);
  }

  /** Remove the `n` oldest entries. */
  evictOldest(n: number): void {
    n = Math.min(n, this.count);
    if (n <= 0) return;
    this.keys.copyWithin(0, n * KEY_WORDS, this.count * KEY_WORDS);
    this.values.copyWithin(0, n, this.count);
    this.count -= n;
    this.reindex();
  }

  /** Fill `this.key` with the direction's key; returns its hash. */
  private load(
    ip: Ipv4Layer | Ipv6Layer | undefined,
    srcPort: number,
    dstPort: number,
    reverse: boolean,
  ): number {
    const k = this.key;
    if (ip === undefined) {
      k.fill(0);
    } else {
      const a = reverse ? ip.dst : ip.src;
      const b = reverse ? ip.src : ip.dst;
      k[1] = reverse ? (dstPort << 16) | srcPort : (srcPort << 16) | dstPort;
      if (typeof a === 'number') {
        k[0] = 4;
        k[2] = a;
        k[3] = k[4] = k[5] = 0;
        k[6] = b as number;
        k[7] = k[8] = k[9] = 0;
      } else {
        k[0] = 6;
        addressWords(k, 2, a);
        addressWords(k, 6, b as Uint8Array);
      }
    }
    return hashKey(k);
  }

  /** The entry holding `this.key`, or -1. */
  private find(h: number): number {
    const index = this.index;
    const mask = index.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = (index[s] as number) - 1;
      if (e < 0) return -1;
      if (this.matches(e)) return e;
    }
  }

  private matches(e: number): boolean {
    const keys = this.keys;
    const k = this.key;
    const o = e * KEY_WORDS;
    for (let i = 0; i < KEY_WORDS; i++) if (keys[o + i] !== k[i]) return false;
    return true;
  }

  private place(e: number, h: number): void {
    const index = this.index;
    const mask = index.length - 1;
    let s = h & mask;
    while (index[s] !== 0) s = (s + 1) & mask;
    index[s] = e + 1;
  }

  private grow(): void {
    const keys = new Int32Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    const values = new Uint32Array(this.values.length * 2);
    values.set(this.values);
    this.values = values;
    this.index = new Int32Array(this.index.length * 2);
    this.reindex();
  }

  private reindex(): void {
    this.index.fill(0);
    for (let e = 0; e < this.count; e++) {
      this.place(e, hashKey(this.keys.subarray(e * KEY_WORDS, (e + 1) * KEY_WORDS)));
    }
  }
}

/** FNV-1a over the key's words (good enough for linear probing at most half full). */
function hashKey(k: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < KEY_WORDS; i++) h = Math.imul(h ^ (k[i] as number), 0x01000193);
  return h ^ (h >>> 15);
}

/** A 16-byte IPv6 address as 4 words. */
function addressWords(k: Int32Array, at: number, a: Uint8Array): void {
  for (let i = 0; i < 4; i++) {
    const o = 4 * i;
    k[at + i] =
      ((a[o] as number) << 24) |
      ((a[o + 1] as number) << 16) |
      ((a[o + 2] as number) << 8) |
      (a[o + 3] as number);
  }
}
