/**
 * IP conversations, like tshark's `-z conv,ip`: packets and bytes each way between two addresses,
 * and the first and last packet times. Bounded: at most `max` pairs are kept; the packets of pairs
 * beyond them are counted, not the pairs (`untrackedPackets`).
 *
 * A capture can hold a hundred thousand pairs, each updated on every packet and kept to the end.
 * As objects (two address texts and six numbers each, the times boxed by V8) they were many small
 * objects for the garbage collector to copy and mark; here a pair is a row of doubles in a
 * `RowStore`, found by its addresses' numbers, and the text of its addresses is made only for the
 * conversations a report shows (`top`).
 */
import { AddrPairIndex } from './addr-table.js';
import { ipTextOf } from './addr-text.js';
import { countPacket, heaviestRows, RowStore } from './rows.js';

/** A conversation as reported: `a` is the address whose text sorts first. */
export interface Conversation {
  readonly a: string;
  readonly b: string;
  readonly aToBPackets: number;
  readonly aToBBytes: number;
  readonly bToAPackets: number;
  readonly bToABytes: number;
  readonly first: number;
  readonly last: number;
}

/** A row's doubles: the IPv4 pair as keyed (lower number first; NaN for IPv6), counters, times. */
const D = { lo: 0, hi: 1, abPackets: 2, abBytes: 3, baPackets: 4, baBytes: 5, first: 6, last: 7 } as const;
const DOUBLES = 8;
/** A row's one integer: 1 when `a` (the first in text order) is the lower address of the key. */
const A_IS_LOW = 0;

/** Does `a` come first (or tie) in the key order: IPv4 numbers, IPv6 bytes? */
function isLowOrEqual(a: number | Uint8Array, b: number | Uint8Array): boolean {
  if (typeof a === 'number') return typeof b !== 'number' || a <= b;
  if (typeof b === 'number') return false;
  for (let i = 0; i < 16; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d < 0;
  }
  return true;
}

export class ConversationTable {
  private readonly index = new AddrPairIndex();
  /** Rows are never released: a pair's number in `index` is its row. */
  private readonly rows = new RowStore(DOUBLES, 1);
  /** The addresses of IPv6 pairs (rare), by row: an IPv4 pair's are in its row. */
  private readonly v6 = new Map<number, readonly [Uint8Array, Uint8Array]>();
  /** Packets between pairs not kept, because `max` pairs were kept already (not how many pairs). */
  untrackedPackets = 0;

  constructor(readonly max = 100_000) {}

  get size(): number {
    return this.index.size;
  }

  /** Count a packet of `bytes` from `src` to `dst` at `ts`. */
  add(src: number | Uint8Array, dst: number | Uint8Array, bytes: number, ts: number): void {
    const srcIsLow = isLowOrEqual(src, dst);
    const lo = srcIsLow ? src : dst;
    const hi = srcIsLow ? dst : src;
    let row = this.index.indexOf(lo, hi);
    let forward: boolean;
    if (row >= 0) forward = srcIsLow === (this.rows.i32Of(row)[this.rows.intsAt(row) + A_IS_LOW] === 1);
    else {
      if (this.index.size >= this.max) {
        this.untrackedPackets++;
        return;
      }
      // `a` is the address whose text sorts first.
      forward = ipTextOf(src) < ipTextOf(dst);
      row = this.index.add(lo, hi);
      const slot = this.rows.alloc();
      if (slot !== row) throw new Error(`conversation row ${slot} for pair ${row}`);
      const f = this.rows.f64Of(row);
      const d = this.rows.doublesAt(row);
      f[d + D.lo] = typeof lo === 'number' ? lo : Number.NaN;
      f[d + D.hi] = typeof hi === 'number' ? hi : Number.NaN;
      f[d + D.abPackets] = 0;
      f[d + D.abBytes] = 0;
      f[d + D.baPackets] = 0;
      f[d + D.baBytes] = 0;
      f[d + D.first] = ts;
      f[d + D.last] = ts;
      this.rows.i32Of(row)[this.rows.intsAt(row) + A_IS_LOW] = forward === srcIsLow ? 1 : 0;
      if (typeof lo !== 'number' || typeof hi !== 'number')
        this.v6.set(row, [lo as Uint8Array, hi as Uint8Array]);
    }
    const f = this.rows.f64Of(row);
    const d = this.rows.doublesAt(row);
    countPacket(f, d + (forward ? D.abPackets : D.baPackets), bytes);
    if (ts > (f[d + D.last] as number)) f[d + D.last] = ts;
  }

  /** The `n` conversations with the most bytes, most first (ties in the order they began). */
  top(n: number): Conversation[] {
    const rows = this.rows;
    const bytes = (row: number): number => {
      const f = rows.f64Of(row);
      const d = rows.doublesAt(row);
      return (f[d + D.abBytes] as number) + (f[d + D.baBytes] as number);
    };
    return heaviestRows(this.size, n, bytes).map((row) => this.conversation(row));
  }

  private conversation(row: number): Conversation {
    const f = this.rows.f64Of(row);
    const d = this.rows.doublesAt(row);
    const pair = this.v6.get(row);
    const lo = ipTextOf(pair ? pair[0] : (f[d + D.lo] as number));
    const hi = ipTextOf(pair ? pair[1] : (f[d + D.hi] as number));
    const aIsLow = this.rows.i32Of(row)[this.rows.intsAt(row) + A_IS_LOW] === 1;
    return {
      a: aIsLow ? lo : hi,
      b: aIsLow ? hi : lo,
      aToBPackets: f[d + D.abPackets] as number,
      aToBBytes: f[d + D.abBytes] as number,
      bToAPackets: f[d + D.baPackets] as number,
      bToABytes: f[d + D.baBytes] as number,
      first: f[d + D.first] as number,
      last: f[d + D.last] as number,
    };
  }
}
