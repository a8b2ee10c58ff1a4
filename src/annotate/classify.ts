/**
 * Address classification: which registry entry an address falls in (the most specific prefix
 * wins), with its tag, attributes, multicast scope and, for IPv6 transition forms, the embedded
 * IPv4 address and its own classification.
 *
 * Speed matters: this runs for every address of multi-million-packet captures. At load, the
 * registry's prefixes are flattened into sorted, non-overlapping intervals, each owned by its
 * most specific entry; a lookup is one typed-array read (a table indexed by the top 16 bits,
 * which settles most addresses) or a binary search over ~100 interval starts. No strings, no
 * bigint, no allocation for IPv4; for IPv6 only the answers that depend on the address's low
 * bits (embedded IPv4) allocate a small record. Results for fixed entries are built once and
 * frozen; IPv6 multicast answers are cached per (entry, flags+scope byte): bounded by 256 each.
 */
import { u32be } from '../core/bytes.js';
import {
  bigIntToIp6,
  ip4RangeToPrefixes,
  ip6ToBigInt,
  isCidrError,
  mask4,
  maskBytes6,
  parseCidr,
} from './cidr.js';
import {
  type AddressTag,
  type Attributes,
  type EmbedKind,
  type Footnote,
  type MulticastScope,
  REGISTRY,
  type RegistryEntry,
} from './registry-data.js';

/** IPv6 multicast flag bits (the "flgs" nibble, RFC 4291 section 2.7, RFC 3306, RFC 3956). */
export interface MulticastFlags {
  /** The nibble's value, 0-15. */
  readonly value: number;
  /** T: transient (dynamically assigned), not a permanent IANA group. */
  readonly transient: boolean;
  /** P: unicast-prefix-based (RFC 3306). */
  readonly prefixBased: boolean;
  /** R: embedded rendezvous-point address (RFC 3956). */
  readonly embeddedRp: boolean;
  /** The high-order flag bit, reserved (must be zero). */
  readonly reservedBit: boolean;
}

export interface MulticastInfo {
  readonly scope: MulticastScope;
  /** IPv6 only: the scop nibble, 0-15. */
  readonly scopeValue?: number;
  /** IPv6 only. */
  readonly flags?: MulticastFlags;
}

export interface TeredoInfo {
  /** Teredo server IPv4 (bits 32-63). */
  readonly server: number;
  readonly serverClass: AddressClass;
  /** Client's external UDP port (bits 80-95 xor 0xffff). */
  readonly clientPort: number;
  /** The 16 flag bits (bits 64-79). */
  readonly flags: number;
  /** The cone bit (0x8000): the client believed it was behind a cone NAT. */
  readonly cone: boolean;
}

export interface EmbeddedIpv4 {
  readonly kind: EmbedKind;
  /** Where the IPv4 address sits: `bits 96-127`, `bits 96-127 xor 0xffffffff` ... */
  readonly bits: string;
  /** The embedded IPv4 address (for Teredo: the client's external address, de-obfuscated). */
  readonly ipv4: number;
  readonly class: AddressClass;
  /**
   * The layout is wirelens's assumption, not fixed by the prefix: 64:ff9b:1::/48, where the
   * operator chooses the translation prefix length (read here as RFC 6052 /96).
   */
  readonly assumed: boolean;
  /** Teredo only. */
  readonly teredo: TeredoInfo | undefined;
}

/** What an address is. Frozen; shared between lookups whenever it does not depend on low bits. */
export interface AddressClass {
  readonly family: 4 | 6;
  /** The matching prefix, e.g. `10.0.0.0/8`. */
  readonly prefix: string;
  readonly prefixLength: number;
  readonly entry: RegistryEntry;
  readonly tag: AddressTag;
  readonly name: string;
  readonly rfcs: readonly string[];
  /** Registry columns (inherited for multicast sub-blocks; derived from scope for IPv6 multicast). */
  readonly attrs: Attributes;
  readonly footnotes: readonly Footnote[];
  /** Link-scoped (unicast link-local, or link/interface-local multicast): never routed. */
  readonly linkLocal: boolean;
  /** Only valid as a source while the host learns its address. */
  readonly initOnlySource: boolean;
  /** Present for multicast addresses. */
  readonly multicast: MulticastInfo | undefined;
  /** Present for IPv6 forms that carry an IPv4 address. */
  readonly embedded: EmbeddedIpv4 | undefined;
}

/** One prefix of one entry (entries with several prefixes or a range have several blocks). */
export interface RegistryBlock {
  readonly family: 4 | 6;
  readonly prefix: string;
  readonly len: number;
  readonly entry: RegistryEntry;
  /** First address: a number (IPv4) or 16 bytes (IPv6). */
  readonly first: number | Uint8Array;
  /** Last address. */
  readonly last: number | Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Build: inherit attributes, split into blocks, flatten into intervals.
// ---------------------------------------------------------------------------------------------

interface Resolved {
  readonly attrs: Attributes;
  readonly linkLocal: boolean;
  readonly scope: MulticastScope | undefined;
}

interface Block {
  readonly family: 4 | 6;
  readonly prefix: string;
  readonly len: number;
  readonly entry: RegistryEntry;
  readonly start: bigint;
  readonly end: bigint;
}

function blocksOf(e: RegistryEntry): Block[] {
  const out: Block[] = [];
  for (const p of e.prefixes) {
    const dash = p.indexOf('-');
    if (dash >= 0) {
      if (e.family !== 4) throw new Error(`registry: range only for IPv4: ${p}`);
      const a = parseCidr(p.slice(0, dash));
      const b = parseCidr(p.slice(dash + 1));
      if (isCidrError(a) || isCidrError(b) || a.cidr.family !== 4 || b.cidr.family !== 4) {
        throw new Error(`registry: bad range ${p}`);
      }
      for (const { base, len } of ip4RangeToPrefixes(a.cidr.base, b.cidr.base)) {
        const start = BigInt(base);
        out.push({
          family: 4,
          prefix: `${ipv4Text(base)}/${len}`,
          len,
          entry: e,
          start,
          end: start + (1n << BigInt(32 - len)) - 1n,
        });
      }
      continue;
    }
    const r = parseCidr(p);
    if (isCidrError(r) || r.hostBitsCleared || !p.includes('/')) throw new Error(`registry: bad prefix ${p}`);
    const c = r.cidr;
    if (c.family !== e.family) throw new Error(`registry: family mismatch ${p}`);
    const width = c.family === 4 ? 32 : 128;
    const start = c.family === 4 ? BigInt(c.base) : ip6ToBigInt(c.base);
    out.push({
      family: c.family,
      prefix: p,
      len: c.len,
      entry: e,
      start,
      end: start + (1n << BigInt(width - c.len)) - 1n,
    });
  }
  return out;
}

function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

const ALL_BLOCKS: readonly Block[] = REGISTRY.flatMap(blocksOf);

/** The most specific block containing `start..end` other than `self`, or undefined. */
function parentBlock(blocks: readonly Block[], self: Block): Block | undefined {
  let best: Block | undefined;
  for (const b of blocks) {
    if (b === self || b.family !== self.family || b.len >= self.len) continue;
    if (b.start <= self.start && self.end <= b.end && (best === undefined || b.len > best.len)) best = b;
  }
  return best;
}

/** Attributes, link scope and IPv4 multicast scope, inheriting absent ones from the enclosing entry. */
const resolvedOf = new Map<RegistryEntry, Resolved>();
function resolve(b: Block): Resolved {
  const done = resolvedOf.get(b.entry);
  if (done) return done;
  const e = b.entry;
  const parent = e.attrs === undefined || e.scope === undefined ? parentBlock(ALL_BLOCKS, b) : undefined;
  const up = parent ? resolve(parent) : undefined;
  const attrs = e.attrs ?? up?.attrs;
  if (attrs === undefined) throw new Error(`registry: no attributes for ${b.prefix}`);
  const r: Resolved = {
    attrs,
    linkLocal: e.linkLocal === true || (e.attrs === undefined && up?.linkLocal === true),
    scope: e.scope ?? up?.scope,
  };
  resolvedOf.set(e, r);
  return r;
}

function baseClass(b: Block): AddressClass {
  const r = resolve(b);
  const e = b.entry;
  const multicast = b.family === 4 && r.scope !== undefined ? Object.freeze({ scope: r.scope }) : undefined;
  return makeClass(b.family, b.prefix, b.len, e, r.attrs, r.linkLocal, multicast, undefined);
}

/** Every AddressClass is built here, so all share one object shape (V8 keeps call sites monomorphic). */
function makeClass(
  family: 4 | 6,
  prefix: string,
  prefixLength: number,
  entry: RegistryEntry,
  attrs: Attributes,
  linkLocal: boolean,
  multicast: MulticastInfo | undefined,
  embedded: EmbeddedIpv4 | undefined,
): AddressClass {
  return Object.freeze({
    family,
    prefix,
    prefixLength,
    entry,
    tag: entry.tag,
    name: entry.name,
    rfcs: entry.rfcs,
    attrs,
    footnotes: entry.footnotes ?? NO_FOOTNOTES,
    linkLocal,
    initOnlySource: entry.initOnlySource === true,
    multicast,
    embedded,
  });
}

function withEmbedded(base: AddressClass, embedded: EmbeddedIpv4): AddressClass {
  return makeClass(
    base.family,
    base.prefix,
    base.prefixLength,
    base.entry,
    base.attrs,
    base.linkLocal,
    base.multicast,
    embedded,
  );
}

const NO_FOOTNOTES: readonly Footnote[] = Object.freeze([]);

/** Flatten blocks into sorted, non-overlapping intervals owned by their most specific block. */
function flatten(blocks: readonly Block[]): { starts: bigint[]; owners: Block[] } {
  const seen = new Set<string>();
  for (const b of blocks) {
    const k = `${b.start}/${b.len}`;
    if (seen.has(k)) throw new Error(`registry: prefix listed twice: ${b.prefix}`);
    seen.add(k);
  }
  const bounds = new Set<bigint>();
  for (const b of blocks) {
    bounds.add(b.start);
    bounds.add(b.end + 1n);
  }
  const sorted = [...bounds].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const starts: bigint[] = [];
  const owners: Block[] = [];
  for (const s of sorted) {
    let best: Block | undefined;
    for (const b of blocks) {
      if (b.start <= s && s <= b.end && (best === undefined || b.len > best.len)) best = b;
    }
    if (best === undefined) continue; // past the end of the address space
    if (owners.length > 0 && owners[owners.length - 1] === best) continue;
    starts.push(s);
    owners.push(best);
  }
  if (starts[0] !== 0n) throw new Error('registry: address space not covered from 0');
  return { starts, owners };
}

// ---------------------------------------------------------------------------------------------
// IPv4 lookup.
// ---------------------------------------------------------------------------------------------

const V4 = (() => {
  const blocks = ALL_BLOCKS.filter((b) => b.family === 4);
  const { starts, owners } = flatten(blocks);
  const classOf = new Map<Block, AddressClass>();
  const classes = owners.map((b) => {
    let c = classOf.get(b);
    if (!c) {
      c = baseClass(b);
      classOf.set(b, c);
    }
    return c;
  });
  const startArr = Uint32Array.from(starts, (s) => Number(s));
  const fast = fast16(starts, 16n);
  return { starts: startArr, classes, fast, blocks };
})();

/**
 * Index by the top 16 bits: `i >= 0` when the whole /16 lies in interval `i`; otherwise `-(i+1)`
 * where `i` is the interval holding the /16's first address (where a binary search starts; it
 * ends at the interval holding the next /16's first address).
 */
function fast16(starts: readonly bigint[], lowBits: bigint): Int32Array {
  // Each start as its top 16 bits and whether the bits below are all zero (no bigint in the loop).
  const n = starts.length;
  const top = new Int32Array(n);
  const aligned = new Uint8Array(n);
  const lowMask = (1n << lowBits) - 1n;
  for (let j = 0; j < n; j++) {
    const s = starts[j] as bigint;
    top[j] = Number(s >> lowBits);
    aligned[j] = (s & lowMask) === 0n ? 1 : 0;
  }
  const fast = new Int32Array(65536);
  let i = 0;
  for (let k = 0; k < 65536; k++) {
    // Advance to the interval holding the /16's first address: the last start <= k << lowBits.
    while (
      i + 1 < n &&
      ((top[i + 1] as number) < k || ((top[i + 1] as number) === k && aligned[i + 1] === 1))
    )
      i++;
    // Another interval starts inside this /16 when the next start's top bits equal k.
    fast[k] = i + 1 < n && (top[i + 1] as number) === k ? -(i + 1) : i;
  }
  return fast;
}

/** Last interval a search for the /16 `k` need consider. */
function searchEnd(fast: Int32Array, k: number, n: number): number {
  if (k === 65535) return n - 1;
  const f = fast[k + 1] as number;
  return f >= 0 ? f : -f - 1;
}

/** Classify an IPv4 address (unsigned 32-bit number). */
export function classifyIp4(a: number): AddressClass {
  a >>>= 0;
  const k = a >>> 16;
  let i = V4.fast[k] as number;
  if (i < 0) {
    const s = V4.starts;
    let lo = -i - 1;
    let hi = searchEnd(V4.fast, k, s.length);
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((s[mid] as number) <= a) lo = mid;
      else hi = mid - 1;
    }
    i = lo;
  }
  return V4.classes[i] as AddressClass;
}

// ---------------------------------------------------------------------------------------------
// IPv6 lookup.
// ---------------------------------------------------------------------------------------------

enum Dyn {
  Fixed = 0,
  Embed = 1,
  Multicast = 2,
}

interface Slot6 {
  readonly dyn: Dyn;
  readonly cls: AddressClass;
  /** Multicast: answers by byte 1 (flags and scope), filled on first use. */
  readonly mcast: (AddressClass | undefined)[];
}

const V6 = (() => {
  const blocks = ALL_BLOCKS.filter((b) => b.family === 6);
  const { starts, owners } = flatten(blocks);
  const slotOf = new Map<Block, Slot6>();
  const slots = owners.map((b) => {
    let s = slotOf.get(b);
    if (!s) {
      const dyn = b.entry.embed !== undefined ? Dyn.Embed : isMulticast6Block(b) ? Dyn.Multicast : Dyn.Fixed;
      s = { dyn, cls: baseClass(b), mcast: [] };
      slotOf.set(b, s);
    }
    return s;
  });
  const words = new Uint32Array(starts.length * 4);
  starts.forEach((s, i) => {
    const b = bigIntToIp6(s);
    for (let w = 0; w < 4; w++) words[4 * i + w] = u32be(b, 4 * w);
  });
  return { words, n: starts.length, slots, fast: fast16(starts, 112n), blocks };
})();

function isMulticast6Block(b: Block): boolean {
  return b.start >> 120n === 0xffn;
}

/** Index of the interval holding the address at b[o..o+16], searching from interval `lo`. */
function search6(b: Uint8Array, o: number, k: number, lo: number): number {
  const w0 = u32be(b, o);
  const w1 = u32be(b, o + 4);
  const w2 = u32be(b, o + 8);
  const w3 = u32be(b, o + 12);
  const s = V6.words;
  let hi = searchEnd(V6.fast, k, V6.n);
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const m = 4 * mid;
    // start[mid] <= address ?
    const s0 = s[m] as number;
    let le: boolean;
    if (s0 !== w0) le = s0 < w0;
    else {
      const s1 = s[m + 1] as number;
      if (s1 !== w1) le = s1 < w1;
      else {
        const s2 = s[m + 2] as number;
        if (s2 !== w2) le = s2 < w2;
        else le = (s[m + 3] as number) <= w3;
      }
    }
    if (le) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Classify the IPv6 address in the 16 bytes at `b[o..o+16]`. */
export function classifyIp6(b: Uint8Array, o = 0): AddressClass {
  const k = ((b[o] as number) << 8) | (b[o + 1] as number);
  let i = V6.fast[k] as number;
  if (i < 0) i = search6(b, o, k, -i - 1);
  const slot = V6.slots[i] as Slot6;
  switch (slot.dyn) {
    case Dyn.Fixed:
      return slot.cls;
    case Dyn.Multicast: {
      const byte1 = b[o + 1] as number;
      let c = slot.mcast[byte1];
      if (c === undefined) {
        c = multicast6Class(slot.cls, byte1);
        slot.mcast[byte1] = c;
      }
      return c;
    }
    case Dyn.Embed:
      return embedCached(slot.cls, b, o);
  }
}

// Embedded-IPv4 answers depend on the low bits, so each is a fresh frozen record (V8's
// Object.freeze costs ~75 ns). Captures repeat the same few tunnel addresses, so a small
// direct-mapped cache (fixed size: nothing grows) keeps the common case allocation-free.
const EMBED_CACHE_SLOTS = 512;
const embedKeys = new Uint32Array(EMBED_CACHE_SLOTS * 4);
const embedVals: (AddressClass | undefined)[] = new Array(EMBED_CACHE_SLOTS).fill(undefined);

function embedCached(base: AddressClass, b: Uint8Array, o: number): AddressClass {
  const w0 = u32be(b, o);
  const w1 = u32be(b, o + 4);
  const w2 = u32be(b, o + 8);
  const w3 = u32be(b, o + 12);
  const h = Math.imul(w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35) ^ w3, 0x9e3779b1) >>> 23;
  const j = 4 * h;
  const hit = embedVals[h];
  if (
    hit !== undefined &&
    embedKeys[j] === w0 &&
    embedKeys[j + 1] === w1 &&
    embedKeys[j + 2] === w2 &&
    embedKeys[j + 3] === w3
  ) {
    return hit;
  }
  const c = embedClass(base, b, o);
  embedKeys[j] = w0;
  embedKeys[j + 1] = w1;
  embedKeys[j + 2] = w2;
  embedKeys[j + 3] = w3;
  embedVals[h] = c;
  return c;
}

/** Classify either family: a number is IPv4, 16 bytes are IPv6. */
export function classifyIp(a: number | Uint8Array): AddressClass {
  return typeof a === 'number' ? classifyIp4(a) : classifyIp6(a);
}

// ---------------------------------------------------------------------------------------------
// IPv6 multicast: scope and flags from byte 1.
// ---------------------------------------------------------------------------------------------

const SCOPE6: readonly MulticastScope[] = [
  'reserved', // 0
  'interface-local', // 1
  'link-local', // 2
  'realm-local', // 3 (RFC 7346)
  'admin-local', // 4
  'site-local', // 5
  'unassigned', // 6
  'unassigned', // 7
  'organization-local', // 8
  'unassigned', // 9
  'unassigned', // A
  'unassigned', // B
  'unassigned', // C
  'unassigned', // D
  'global', // E
  'reserved', // F
];

/** IPv6 multicast scope name of a scop nibble (RFC 4291 section 2.7, RFC 7346). */
export function ipv6ScopeName(scop: number): MulticastScope {
  return SCOPE6[scop & 15] as MulticastScope;
}

/**
 * Registry-style columns for an IPv6 multicast scope (RFC 4291 section 2.7): never a source;
 * scope 0 is never a destination; interface-local stays inside the node; link-local is not
 * forwarded; scope F is treated as global; all others are forwarded but not globally reachable.
 */
function multicast6Attrs(scop: number): Attributes {
  const f = (destination: boolean, forwardable: boolean, globallyReachable: boolean): Attributes =>
    Object.freeze({ source: false, destination, forwardable, globallyReachable, reservedByProtocol: true });
  if (scop === 0) return f(false, false, false);
  if (scop === 1) return f(false, false, false);
  if (scop === 2) return f(true, false, false);
  if (scop === 0xe || scop === 0xf) return f(true, true, true);
  return f(true, true, false);
}

function multicast6Class(base: AddressClass, byte1: number): AddressClass {
  const scop = byte1 & 15;
  const fl = byte1 >>> 4;
  const flags: MulticastFlags = Object.freeze({
    value: fl,
    transient: (fl & 1) !== 0,
    prefixBased: (fl & 2) !== 0,
    embeddedRp: (fl & 4) !== 0,
    reservedBit: (fl & 8) !== 0,
  });
  return makeClass(
    base.family,
    base.prefix,
    base.prefixLength,
    base.entry,
    multicast6Attrs(scop),
    scop === 1 || scop === 2,
    Object.freeze({ scope: ipv6ScopeName(scop), scopeValue: scop, flags }),
    undefined,
  );
}

// ---------------------------------------------------------------------------------------------
// Embedded IPv4.
// ---------------------------------------------------------------------------------------------

function embedClass(base: AddressClass, b: Uint8Array, o: number): AddressClass {
  const kind = base.entry.embed as EmbedKind;
  switch (kind) {
    case 'ipv4-mapped':
    case 'ipv4-compat':
    case 'nat64-wkp':
      return withEmbedded(base, embedded(kind, 'bits 96-127', u32be(b, o + 12), false, undefined));
    case 'nat64-local':
      return withEmbedded(base, embedded(kind, 'bits 96-127', u32be(b, o + 12), true, undefined));
    case '6to4':
      return withEmbedded(base, embedded(kind, 'bits 16-47', u32be(b, o + 2), false, undefined));
    case 'teredo': {
      const server = u32be(b, o + 4);
      const flags = ((b[o + 8] as number) << 8) | (b[o + 9] as number);
      const clientPort = (((b[o + 10] as number) << 8) | (b[o + 11] as number)) ^ 0xffff;
      const teredo: TeredoInfo = Object.freeze({
        server,
        serverClass: classifyIp4(server),
        clientPort,
        flags,
        cone: (flags & 0x8000) !== 0,
      });
      const client = (u32be(b, o + 12) ^ 0xffffffff) >>> 0;
      return withEmbedded(base, embedded(kind, 'bits 96-127 xor 0xffffffff', client, false, teredo));
    }
  }
}

function embedded(
  kind: EmbedKind,
  bits: string,
  ipv4: number,
  assumed: boolean,
  teredo: TeredoInfo | undefined,
): EmbeddedIpv4 {
  return Object.freeze({ kind, bits, ipv4, class: classifyIp4(ipv4), assumed, teredo });
}

/**
 * The IPv4 address an RFC 6052 IPv4-embedded IPv6 address carries, for a translation prefix of
 * the given length (32, 40, 48, 56, 64 or 96). Bits 64-71 (the "u" octet) are skipped. Use it
 * when the operator's NAT64 prefix length is known; `classifyIp6` assumes /96 inside
 * 64:ff9b:1::/48.
 */
export function rfc6052Extract(b: Uint8Array, prefixLength: 32 | 40 | 48 | 56 | 64 | 96, o = 0): number {
  const start = prefixLength / 8;
  let v = 0;
  let taken = 0;
  for (let i = start; taken < 4; i++) {
    if (i === 8) continue; // u octet
    v = v * 256 + (b[o + i] as number);
    taken++;
  }
  return v >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Introspection (describe, tests): not for the per-packet path.
// ---------------------------------------------------------------------------------------------

/** Every block of the registry, both families, in registry order. */
export function registryBlocks(): readonly RegistryBlock[] {
  return BLOCKS_PUBLIC;
}

const BLOCKS_PUBLIC: readonly RegistryBlock[] = Object.freeze(
  ALL_BLOCKS.map((b) =>
    Object.freeze({
      family: b.family,
      prefix: b.prefix,
      len: b.len,
      entry: b.entry,
      first: b.family === 4 ? Number(b.start) : bigIntToIp6(b.start),
      last: b.family === 4 ? Number(b.end) : bigIntToIp6(b.end),
    }),
  ),
);

/** Every block containing the address, most specific first (e.g. mDNS, Local Network Control, Multicast). */
export function enclosingBlocks(a: number | Uint8Array): RegistryBlock[] {
  const out: RegistryBlock[] = [];
  if (typeof a === 'number') {
    for (const b of BLOCKS_PUBLIC) {
      if (b.family === 4 && ((a ^ (b.first as number)) & mask4(b.len)) === 0) out.push(b);
    }
  } else {
    for (const b of BLOCKS_PUBLIC) {
      if (b.family !== 6) continue;
      const m = maskBytes6(a, b.len);
      const f = b.first as Uint8Array;
      let eq = true;
      for (let i = 0; i < 16; i++) if (m[i] !== f[i]) eq = false;
      if (eq) out.push(b);
    }
  }
  return out.sort((x, y) => y.len - x.len);
}
