/**
 * What the tracker keeps of a closed connection while one of its sides is in TIME-WAIT (2×MSL after
 * its last FIN was acknowledged): enough to judge a new SYN on the same 4-tuple (RFC 1122
 * §4.2.2.13, RFC 6191) and to tell a late retransmission from a new connection. The connection
 * itself is retired a few seconds after it closes.
 *
 * A busy capture holds many of these: at 4,000 closes a second a 60 s TIME-WAIT means 240,000. As
 * Linux keeps a TIME-WAIT socket as a small `inet_timewait_sock` rather than the full socket, each
 * entry here is a row of two typed arrays (about 100 bytes, no object per entry) with its own hash
 * index, instead of an object in the connection table (about 450 bytes in six objects, all of
 * which the garbage collector had to copy as they aged).
 *
 * Rows are kept in the order they were added: when the table is full, the oldest goes.
 */
import { type Seq, seqPack, seqUnpack } from '../../core/seq.js';
import { type EndpointKey, hashPair } from '../table.js';
import type { Side } from './connection.js';

/** The facts of one endpoint of the closed connection that a TIME-WAIT reuse check reads. */
export interface ReuseFacts {
  readonly timeWaitEnd: number | undefined;
  readonly sndNxt: Seq | undefined;
  readonly lastTsval: number | undefined;
}

/** The previous incarnation of a 4-tuple, as the reuse check sees it (a live connection or an entry here). */
export interface ReuseSource {
  readonly id: number;
  readonly origKey: EndpointKey;
  endpoint(side: Side): ReuseFacts;
}

/** What the tracker stores when a closed connection is retired during its TIME-WAIT. */
export interface ClosedConnection {
  readonly id: number;
  readonly origKey: EndpointKey;
  readonly lo: EndpointKey;
  readonly hi: EndpointKey;
  readonly orig: ReuseFacts;
  readonly resp: ReuseFacts;
}

// Float64 columns.
const F_LO = 0; // canonical 4-tuple key, lower endpoint (NaN for text keys)
const F_HI = 1;
const F_UNTIL = 2; // capture time after which the entry can go
const F_ID = 3; // the connection's id
const F_TW = 4; // TIME-WAIT end (NaN: none) of the originator, then the responder
const FW = 6;
// Int32 columns.
const I_FLAGS = 0;
const I_SND = 1; // packed SND.NXT of the originator, then the responder
const I_TS = 3; // last TSval as int32, likewise
const I_PREV = 5; // insertion order (a doubly linked list of rows); -1 at the ends
const I_NEXT = 6; // …or the next free row
const I_CHAIN = 7; // next row in the same hash bucket
const IW = 8;
// Flags (SND_KNOWN and TS_KNOWN shifted left by the side: 0 originator, 1 responder).
const ORIG_IS_LO = 1;
const SND_KNOWN = 2;
const TS_KNOWN = 8;
const TEXT_KEY = 32;
const LIVE = 64;

const NONE = -1;

export class TimeWaitTable {
  private f: Float64Array;
  private i: Int32Array;
  private capacity: number;
  /** Hash buckets of numeric keys: the first row, or NONE; a power of two in size. */
  private buckets: Int32Array;
  /** Rows of IPv6 (text) keys, and their keys. */
  private readonly byText = new Map<string, number>();
  private readonly textKeys = new Map<number, readonly [string, string]>();
  private head = NONE;
  private tail = NONE;
  private free = NONE;
  /** Rows ever used (rows at or beyond it have never been handed out). */
  private used = 0;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    this.f = new Float64Array(this.capacity * FW);
    this.i = new Int32Array(this.capacity * IW);
    this.buckets = new Int32Array(this.capacity).fill(NONE);
  }

  get size(): number {
    return this.count;
  }

  /** Keep `c`'s reuse facts until capture time `until`. */
  add(c: ClosedConnection, until: number): void {
    const r = this.allocate();
    const f = this.f;
    const i = this.i;
    const fo = r * FW;
    const io = r * IW;
    let flags = LIVE | this.putSide(r, 0, c.orig) | this.putSide(r, 1, c.resp);
    if (c.origKey === c.lo) flags |= ORIG_IS_LO;
    f[fo + F_UNTIL] = until;
    f[fo + F_ID] = c.id;
    const { lo, hi } = c;
    // A 4-tuple has one entry: a newer one replaces it (the tracker never has two, but stay sound).
    const old = this.find(lo, hi);
    if (old !== NONE) this.delete(old);
    if (typeof lo === 'number' && typeof hi === 'number') {
      f[fo + F_LO] = lo;
      f[fo + F_HI] = hi;
      const b = hashPair(lo, hi) & (this.buckets.length - 1);
      i[io + I_CHAIN] = this.buckets[b] as number;
      this.buckets[b] = r;
    } else {
      flags |= TEXT_KEY;
      f[fo + F_LO] = Number.NaN;
      f[fo + F_HI] = Number.NaN;
      this.byText.set(`${lo}#${hi}`, r);
      this.textKeys.set(r, [String(lo), String(hi)]);
    }
    i[io + I_FLAGS] = flags;
    i[io + I_PREV] = this.tail;
    i[io + I_NEXT] = NONE;
    if (this.tail === NONE) this.head = r;
    else i[this.tail * IW + I_NEXT] = r;
    this.tail = r;
    this.count++;
  }

  /** The row kept for this 4-tuple (canonical key, lower endpoint first), or -1. */
  find(lo: EndpointKey, hi: EndpointKey): number {
    if (typeof lo !== 'number' || typeof hi !== 'number') return this.byText.get(`${lo}#${hi}`) ?? NONE;
    const f = this.f;
    const i = this.i;
    for (let r = this.buckets[hashPair(lo, hi) & (this.buckets.length - 1)] as number; r !== NONE; ) {
      if (f[r * FW + F_LO] === lo && f[r * FW + F_HI] === hi) return r;
      r = i[r * IW + I_CHAIN] as number;
    }
    return NONE;
  }

  /** A row's facts as the reuse check reads them (made on demand: only a SYN on the 4-tuple asks). */
  source(r: number): ReuseSource {
    const f = this.f;
    const text = (this.i[r * IW + I_FLAGS] as number) & TEXT_KEY ? this.textKeys.get(r) : undefined;
    const lo: EndpointKey = text ? text[0] : (f[r * FW + F_LO] as number);
    const hi: EndpointKey = text ? text[1] : (f[r * FW + F_HI] as number);
    const o = this.side(r, 0);
    const p = this.side(r, 1);
    return {
      id: f[r * FW + F_ID] as number,
      origKey: (this.i[r * IW + I_FLAGS] as number) & ORIG_IS_LO ? lo : hi,
      endpoint: (side) => (side === 'orig' ? o : p),
    };
  }

  /** Store one side's facts in row `r` (0: originator, 1: responder); returns its flags. */
  private putSide(r: number, side: 0 | 1, e: ReuseFacts): number {
    let flags = 0;
    this.f[r * FW + F_TW + side] = e.timeWaitEnd ?? Number.NaN;
    if (e.sndNxt !== undefined) {
      flags |= SND_KNOWN << side;
      this.i[r * IW + I_SND + side] = seqPack(e.sndNxt);
    }
    if (e.lastTsval !== undefined) {
      flags |= TS_KNOWN << side;
      this.i[r * IW + I_TS + side] = e.lastTsval | 0;
    }
    return flags;
  }

  private side(r: number, side: 0 | 1): ReuseFacts {
    const flags = this.i[r * IW + I_FLAGS] as number;
    const tw = this.f[r * FW + F_TW + side] as number;
    return {
      timeWaitEnd: Number.isNaN(tw) ? undefined : tw,
      sndNxt: flags & (SND_KNOWN << side) ? seqUnpack(this.i[r * IW + I_SND + side] as number) : undefined,
      lastTsval: flags & (TS_KNOWN << side) ? (this.i[r * IW + I_TS + side] as number) >>> 0 : undefined,
    };
  }

  delete(r: number): void {
    const i = this.i;
    const io = r * IW;
    const flags = i[io + I_FLAGS] as number;
    if (!(flags & LIVE)) return;
    if (flags & TEXT_KEY) {
      const k = this.textKeys.get(r) as readonly [string, string];
      this.byText.delete(`${k[0]}#${k[1]}`);
      this.textKeys.delete(r);
    } else this.unchain(r);
    const prev = i[io + I_PREV] as number;
    const next = i[io + I_NEXT] as number;
    if (prev === NONE) this.head = next;
    else i[prev * IW + I_NEXT] = next;
    if (next === NONE) this.tail = prev;
    else i[next * IW + I_PREV] = prev;
    i[io + I_FLAGS] = 0;
    i[io + I_NEXT] = this.free;
    this.free = r;
    this.count--;
  }

  /** Drop the oldest entry (the first added of those left). */
  deleteOldest(): void {
    if (this.head !== NONE) this.delete(this.head);
  }

  /** Drop the entries whose time is past `now`. */
  expire(now: number): void {
    const f = this.f;
    const i = this.i;
    // By row, not in insertion order: memory is read straight through.
    for (let r = 0; r < this.used; r++)
      if ((i[r * IW + I_FLAGS] as number) & LIVE && now > (f[r * FW + F_UNTIL] as number)) this.delete(r);
  }

  clear(): void {
    this.f.fill(0);
    this.i.fill(0);
    this.buckets.fill(NONE);
    this.byText.clear();
    this.textKeys.clear();
    this.head = NONE;
    this.tail = NONE;
    this.free = NONE;
    this.used = 0;
    this.count = 0;
  }

  private allocate(): number {
    if (this.free !== NONE) {
      const r = this.free;
      this.free = this.i[r * IW + I_NEXT] as number;
      return r;
    }
    if (this.used === this.capacity) this.grow();
    return this.used++;
  }

  /** Double the rows and the buckets (and rehash the numeric keys). */
  private grow(): void {
    const capacity = this.capacity * 2;
    const f = new Float64Array(capacity * FW);
    const i = new Int32Array(capacity * IW);
    f.set(this.f);
    i.set(this.i);
    this.f = f;
    this.i = i;
    this.capacity = capacity;
    const buckets = new Int32Array(capacity).fill(NONE);
    const mask = capacity - 1;
    for (let r = this.head; r !== NONE; r = i[r * IW + I_NEXT] as number) {
      if ((i[r * IW + I_FLAGS] as number) & TEXT_KEY) continue;
      const b = hashPair(f[r * FW + F_LO] as number, f[r * FW + F_HI] as number) & mask;
      i[r * IW + I_CHAIN] = buckets[b] as number;
      buckets[b] = r;
    }
    this.buckets = buckets;
  }

  private unchain(r: number): void {
    const f = this.f;
    const i = this.i;
    const b = hashPair(f[r * FW + F_LO] as number, f[r * FW + F_HI] as number) & (this.buckets.length - 1);
    let at = this.buckets[b] as number;
    if (at === r) {
      this.buckets[b] = i[r * IW + I_CHAIN] as number;
      return;
    }
    while (at !== NONE) {
      const next = i[at * IW + I_CHAIN] as number;
      if (next === r) {
        i[at * IW + I_CHAIN] = i[r * IW + I_CHAIN] as number;
        return;
      }
      at = next;
    }
  }
}
