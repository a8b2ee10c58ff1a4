/**
 * Tables keyed by an IP address, or by a pair of them, for counters updated on every packet (hosts,
 * conversations, NAT hints). Values are kept in insertion order (reports sort them stably, so ties
 * keep the order addresses were first seen).
 *
 * Why not a `Map` keyed by text: building the text of an address (or a template-string key) and
 * hashing it on every packet costs more than the counting itself. IPv4 keys are 32-bit numbers, found
 * here in an open-addressing hash table of typed arrays: no string, no allocation per lookup. IPv6
 * keys, rarer, go by their canonical text in a `Map`.
 *
 * No deletion: callers bound the size themselves (they stop adding at their limit).
 */
import { ip6ToString } from '../core/addr.js';
import { HASH_SEED, mixWord } from '../core/hash.js';

/**
 * Open addressing with linear probing: (a, b) pairs of 32-bit numbers to indexes. One typed array of
 * [a, b, index + 1] triples (0 marks an empty slot): a lookup touches one cache line or two.
 */
export class U32PairIndex {
  private table: Int32Array;
  private mask: number;
  private count = 0;

  /** `capacity`: slots to start with (a power of 2; the table doubles when half full). */
  constructor(capacity = 16) {
    this.table = new Int32Array(3 * capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  find(a: number, b: number): number {
    const ka = a | 0;
    const kb = b | 0;
    const mask = this.mask;
    const t = this.table;
    for (let i = hash(ka, kb) & mask; ; i = (i + 1) & mask) {
      const j = 3 * i;
      const s = t[j + 2] as number;
      if (s === 0) return -1;
      if (t[j] === ka && t[j + 1] === kb) return s - 1;
    }
  }

  /** Add a key known to be absent. */
  insert(a: number, b: number, index: number): void {
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    this.place(a | 0, b | 0, index + 1);
    this.count++;
  }

  private place(ka: number, kb: number, slot: number): void {
    const mask = this.mask;
    const t = this.table;
    let i = hash(ka, kb) & mask;
    while (t[3 * i + 2] !== 0) i = (i + 1) & mask;
    t[3 * i] = ka;
    t[3 * i + 1] = kb;
    t[3 * i + 2] = slot;
  }

  private grow(): void {
    const old = this.table;
    const size = 2 * (this.mask + 1);
    this.table = new Int32Array(3 * size);
    this.mask = size - 1;
    for (let j = 0; j < old.length; j += 3) {
      const s = old[j + 2] as number;
      if (s !== 0) this.place(old[j] as number, old[j + 1] as number, s);
    }
  }
}

/** The hash of a key pair (see core/hash). */
function hash(a: number, b: number): number {
  return mixWord(mixWord(HASH_SEED, a), b);
}

/** IP addresses (IPv4 number or 16-byte IPv6) numbered in the order they were added, from 0. */
export class AddrIndex {
  private count = 0;
  private readonly v4 = new U32PairIndex();
  private v6: Map<string, number> | undefined;

  get size(): number {
    return this.count;
  }

  /** The address's number, or -1. */
  indexOf(a: number | Uint8Array): number {
    if (typeof a === 'number') return this.v4.find(a, 0);
    return this.v6?.get(ip6ToString(a)) ?? -1;
  }

  /** Number an address not in the index yet; returns its number. */
  add(a: number | Uint8Array): number {
    const i = this.count++;
    if (typeof a === 'number') this.v4.insert(a, 0, i);
    else {
      this.v6 ??= new Map();
      this.v6.set(ip6ToString(a), i);
    }
    return i;
  }
}

/** Values by IP address (IPv4 number or 16-byte IPv6), in insertion order. */
export class AddrTable<V> {
  /** Every value, in the order their addresses were added. */
  readonly values: V[] = [];
  private readonly index = new AddrIndex();

  get size(): number {
    return this.values.length;
  }

  get(a: number | Uint8Array): V | undefined {
    const i = this.index.indexOf(a);
    return i < 0 ? undefined : this.values[i];
  }

  /** Add the value of an address not in the table yet. */
  add(a: number | Uint8Array, v: V): void {
    this.index.add(a);
    this.values.push(v);
  }
}

/** Ordered pairs of IP addresses of one family, numbered in the order they were added, from 0. */
export class AddrPairIndex {
  private count = 0;
  private readonly v4 = new U32PairIndex();
  private v6: Map<string, number> | undefined;

  get size(): number {
    return this.count;
  }

  /** The pair's number, or -1. */
  indexOf(a: number | Uint8Array, b: number | Uint8Array): number {
    return typeof a === 'number' && typeof b === 'number'
      ? this.v4.find(a, b)
      : (this.v6?.get(pairText(a, b)) ?? -1);
  }

  /** Number a pair not in the index yet; returns its number. */
  add(a: number | Uint8Array, b: number | Uint8Array): number {
    const i = this.count++;
    if (typeof a === 'number' && typeof b === 'number') this.v4.insert(a, b, i);
    else {
      this.v6 ??= new Map();
      this.v6.set(pairText(a, b), i);
    }
    return i;
  }
}

/** Values by an ordered pair of IP addresses of one family, in insertion order. */
export class AddrPairTable<V> {
  readonly values: V[] = [];
  private readonly index = new AddrPairIndex();

  get size(): number {
    return this.values.length;
  }

  get(a: number | Uint8Array, b: number | Uint8Array): V | undefined {
    const i = this.index.indexOf(a, b);
    return i < 0 ? undefined : this.values[i];
  }

  /** Add the value of a pair not in the table yet. */
  add(a: number | Uint8Array, b: number | Uint8Array, v: V): void {
    this.index.add(a, b);
    this.values.push(v);
  }
}

function pairText(a: number | Uint8Array, b: number | Uint8Array): string {
  return `${typeof a === 'number' ? a : ip6ToString(a)} ${typeof b === 'number' ? b : ip6ToString(b)}`;
}
