/**
 * An insertion-ordered map from one direction of a transport conversation (source address and
 * port, destination address and port) to a 32-bit value, for per-packet lookups on hot paths.
 *
 * It behaves like a `Map` keyed by the text `src|sport|dst|dport` (same order, same eviction),
 * without building a key string per packet: the key is read straight from the packet into a few
 * integers and looked up in an open-addressing hash table (linear probing, at most half full) whose
 * slots hold the key, the value and the entry's insertion number together, so a lookup touches
 * one place in memory. With hundreds of thousands of flows that is what costs: a cache miss.
 *
 * Entries only ever leave oldest-first (`evictOldest`), so the live entries can be numbered 0 to
 * size - 1 in insertion order: evicting the n oldest is dropping the numbers below n (and
 * renumbering the rest), done by rebuilding the tables.
 */
import { HASH_SEED, mixWord } from '../core/hash.js';
import type { Ipv4Layer, Ipv6Layer } from '../decode/types.js';

/**
 * IPv4 slots: insertion number + 1 (0 = empty), ports, source, destination, value, 3 unused
 * words: 32 bytes, so that an aligned slot never straddles two cache lines.
 */
const V4 = { width: 8, ports: 1, src: 2, dst: 3, value: 4 } as const;
/**
 * Slots for IPv6 (and for packets without an IP layer, which all share one key, as
 * they have no addresses to tell them apart): insertion number + 1, family (6, or 0 for no IP),
 * ports, source and destination as 4 words each, value.
 */
const OTHER = { width: 12, family: 1, ports: 2, src: 3, dst: 7, value: 11 } as const;
const MIN_SLOTS = 1024;

/** One open-addressing table of fixed-width slots. */
class Table {
  readonly slots: Int32Array;
  readonly mask: number;
  count = 0;

  constructor(
    readonly width: number,
    slotCount: number,
  ) {
    this.slots = new Int32Array(slotCount * width);
    this.mask = slotCount - 1;
  }

  get full(): boolean {
    return 2 * (this.count + 1) > this.mask + 1;
  }
}

export class TupleMap {
  private v4 = new Table(V4.width, MIN_SLOTS);
  private other = new Table(OTHER.width, MIN_SLOTS);
  /** The other-family key being looked up (family, ports, 4 + 4 address words). */
  private readonly key = new Int32Array(10);
  /** Live entries are numbered 0 to size - 1 in insertion order (renumbered by each rebuild). */
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * The value for the direction `ip.src:srcPort → ip.dst:dstPort`, or for its reverse when
   * `reverse` is set; undefined when absent.
   */
  get(
    ip: Ipv4Layer | Ipv6Layer | undefined,
    srcPort: number,
    dstPort: number,
    reverse: boolean,
  ): number | undefined {
    if (ip !== undefined && typeof ip.src === 'number') {
      const t = this.v4;
      const o = reverse
        ? findV4(t, ip.dst as number, ip.src, (dstPort << 16) | srcPort)
        : findV4(t, ip.src, ip.dst as number, (srcPort << 16) | dstPort);
      return t.slots[o] === 0 ? undefined : (t.slots[o + V4.value] as number) >>> 0;
    }
    const t = this.other;
    const o = findOther(t, this.load(ip, srcPort, dstPort, reverse));
    return t.slots[o] === 0 ? undefined : (t.slots[o + OTHER.value] as number) >>> 0;
  }

  /**
   * Set the value of a direction (of its reverse when `reverse` is set); a new key goes last in
   * insertion order, an existing one keeps its place.
   */
  set(
    ip: Ipv4Layer | Ipv6Layer | undefined,
    srcPort: number,
    dstPort: number,
    value: number,
    reverse = false,
  ): void {
    if (ip !== undefined && typeof ip.src === 'number') {
      const src = reverse ? (ip.dst as number) : ip.src;
      const dst = reverse ? ip.src : (ip.dst as number);
      const ports = reverse ? (dstPort << 16) | srcPort : (srcPort << 16) | dstPort;
      let t = this.v4;
      let o = findV4(t, src, dst, ports);
      if (t.slots[o] === 0) {
        if (t.full) {
          this.rebuild(0);
          t = this.v4;
          o = findV4(t, src, dst, ports);
        }
        const s = t.slots;
        s[o] = this.count++ + 1;
        s[o + V4.ports] = ports;
        s[o + V4.src] = src;
        s[o + V4.dst] = dst;
        t.count++;
      }
      t.slots[o + V4.value] = value;
    } else {
      const k = this.load(ip, srcPort, dstPort, reverse);
      let t = this.other;
      let o = findOther(t, k);
      if (t.slots[o] === 0) {
        if (t.full) {
          this.rebuild(0);
          t = this.other;
          o = findOther(t, k);
        }
        t.slots[o] = this.count++ + 1;
        t.slots.set(k, o + OTHER.family);
        t.count++;
      }
      t.slots[o + OTHER.value] = value;
    }
  }

  /** Remove the `n` oldest entries. */
  evictOldest(n: number): void {
    n = Math.min(n, this.size);
    if (n > 0) this.rebuild(n);
  }

  /** Fill `this.key` with a non-IPv4 direction's key. */
  private load(
    ip: Ipv6Layer | Ipv4Layer | undefined,
    srcPort: number,
    dstPort: number,
    reverse: boolean,
  ): Int32Array {
    const k = this.key;
    if (ip === undefined) {
      k.fill(0);
    } else {
      k[0] = 6;
      k[1] = reverse ? (dstPort << 16) | srcPort : (srcPort << 16) | dstPort;
      addressWords(k, 2, (reverse ? ip.dst : ip.src) as Uint8Array);
      addressWords(k, 6, (reverse ? ip.src : ip.dst) as Uint8Array);
    }
    return k;
  }

  /**
   * New tables holding the entries numbered `keepFrom` and later, renumbered from 0 in the same
   * order, with room for as many again.
   */
  private rebuild(keepFrom: number): void {
    const old4 = this.v4.slots;
    const oldOther = this.other.slots;
    const v4 = new Table(V4.width, slotCountFor(countFrom(old4, V4.width, keepFrom)));
    const other = new Table(OTHER.width, slotCountFor(countFrom(oldOther, OTHER.width, keepFrom)));
    for (let o = 0; o < old4.length; o += V4.width) {
      const seq = (old4[o] as number) - 1;
      if (seq < keepFrom) continue;
      const at = findV4(
        v4,
        old4[o + V4.src] as number,
        old4[o + V4.dst] as number,
        old4[o + V4.ports] as number,
      );
      v4.slots[at] = seq - keepFrom + 1;
      for (let i = 1; i < V4.width; i++) v4.slots[at + i] = old4[o + i] as number;
      v4.count++;
    }
    for (let o = 0; o < oldOther.length; o += OTHER.width) {
      const seq = (oldOther[o] as number) - 1;
      if (seq < keepFrom) continue;
      const at = findOther(other, oldOther.subarray(o + OTHER.family, o + OTHER.value));
      other.slots[at] = seq - keepFrom + 1;
      for (let i = 1; i < OTHER.width; i++) other.slots[at + i] = oldOther[o + i] as number;
      other.count++;
    }
    this.v4 = v4;
    this.other = other;
    this.count -= keepFrom;
  }
}

/** Live slots numbered `from` or later. */
function countFrom(slots: Int32Array, width: number, from: number): number {
  let n = 0;
  for (let o = 0; o < slots.length; o += width) if ((slots[o] as number) - 1 >= from) n++;
  return n;
}

/** Slots for `n` entries and half as many again before the table is half full and rebuilt. */
function slotCountFor(n: number): number {
  let slots = MIN_SLOTS;
  while (slots < 3 * (n + 1)) slots *= 2;
  return slots;
}

/** The slot holding this IPv4 key, or the empty slot where it would go. */
function findV4(t: Table, src: number, dst: number, ports: number): number {
  const h = mixWord(mixWord(mixWord(HASH_SEED, src), dst), ports);
  const s = t.slots;
  for (let i = h & t.mask; ; i = (i + 1) & t.mask) {
    const o = i * V4.width;
    if (
      s[o] === 0 ||
      (s[o + V4.src] === (src | 0) && s[o + V4.dst] === (dst | 0) && s[o + V4.ports] === ports)
    )
      return o;
  }
}

/** The slot holding this other-family key (10 words), or the empty slot where it would go. */
function findOther(t: Table, k: Int32Array): number {
  let h = HASH_SEED;
  for (let i = 0; i < 10; i++) h = mixWord(h, k[i] as number);
  const s = t.slots;
  next: for (let i = h & t.mask; ; i = (i + 1) & t.mask) {
    const o = i * OTHER.width;
    if (s[o] === 0) return o;
    for (let j = 0; j < 10; j++) if (s[o + OTHER.family + j] !== k[j]) continue next;
    return o;
  }
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
