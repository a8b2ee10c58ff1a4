/**
 * What the listener analysis keeps about each connection it was fed: rows of one growable
 * Float64Array (11 numbers, 88 bytes a connection), not an object each (about 280 bytes with its
 * boxed numbers and interval pairs). A listener keeps up to 100,000 of them until the end of the
 * capture, so they grow with the number of connections rather than with what is open at once, and
 * were most of what `report` held at the end of a long capture besides the connections themselves.
 */

/** A connection's facts as the listener analysis takes them in. */
export interface ConnFact {
  readonly id: number;
  /** The client's address and port (its `ip:port` text is made for the few listed in findings). */
  readonly clientAddr: string;
  readonly clientPort: number;
  readonly start: number;
  readonly end: number;
  readonly synRetrans: number;
  readonly synAcked: boolean;
  readonly refused: boolean;
  readonly established: boolean;
  readonly ackDropped: number;
  readonly abortAfterHandshake: boolean;
  readonly cookieEvidence: string | undefined;
  /** [from, to) during which the server held it half-open; and established-but-unserved. */
  readonly halfOpen: readonly [number, number] | undefined;
  readonly unserved: readonly [number, number] | undefined;
}

/** Row layout. */
const ID = 0;
const PORT = 1;
const START = 2;
const END = 3;
const SYN_RETRANS = 4;
const ACK_DROPPED = 5;
const FLAGS = 6;
const HALF_OPEN_FROM = 7;
const HALF_OPEN_TO = 8;
const UNSERVED_FROM = 9;
const UNSERVED_TO = 10;
const W = 11;

const SYN_ACKED = 1;
const REFUSED = 2;
const ESTABLISHED = 4;
const ABORT_AFTER_HANDSHAKE = 8;
const HALF_OPEN = 16;
const UNSERVED = 32;

const FIRST_ROWS = 4;

/** The busiest moment of a set of intervals: how many overlap at most, and from when. */
export interface Peak {
  readonly count: number;
  readonly at: number;
}

export class ListenerFacts {
  private rows = new Float64Array(FIRST_ROWS * W);
  private readonly clients: string[] = [];
  /** SYN-cookie evidence by row (rare). */
  private cookies: Map<number, string> | undefined;
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(f: ConnFact): void {
    const i = this.n;
    if ((i + 1) * W > this.rows.length) {
      const next = new Float64Array(this.rows.length * 2);
      next.set(this.rows);
      this.rows = next;
    }
    const r = this.rows;
    const o = i * W;
    r[o + ID] = f.id;
    r[o + PORT] = f.clientPort;
    r[o + START] = f.start;
    r[o + END] = f.end;
    r[o + SYN_RETRANS] = f.synRetrans;
    r[o + ACK_DROPPED] = f.ackDropped;
    r[o + FLAGS] =
      (f.synAcked ? SYN_ACKED : 0) |
      (f.refused ? REFUSED : 0) |
      (f.established ? ESTABLISHED : 0) |
      (f.abortAfterHandshake ? ABORT_AFTER_HANDSHAKE : 0) |
      (f.halfOpen ? HALF_OPEN : 0) |
      (f.unserved ? UNSERVED : 0);
    r[o + HALF_OPEN_FROM] = f.halfOpen?.[0] ?? 0;
    r[o + HALF_OPEN_TO] = f.halfOpen?.[1] ?? 0;
    r[o + UNSERVED_FROM] = f.unserved?.[0] ?? 0;
    r[o + UNSERVED_TO] = f.unserved?.[1] ?? 0;
    this.clients.push(f.clientAddr);
    if (f.cookieEvidence !== undefined) {
      this.cookies ??= new Map();
      this.cookies.set(i, f.cookieEvidence);
    }
    this.n = i + 1;
  }

  id(i: number): number {
    return this.rows[i * W + ID] as number;
  }
  clientAddr(i: number): string {
    return this.clients[i] as string;
  }
  clientPort(i: number): number {
    return this.rows[i * W + PORT] as number;
  }
  start(i: number): number {
    return this.rows[i * W + START] as number;
  }
  end(i: number): number {
    return this.rows[i * W + END] as number;
  }
  synRetrans(i: number): number {
    return this.rows[i * W + SYN_RETRANS] as number;
  }
  ackDropped(i: number): number {
    return this.rows[i * W + ACK_DROPPED] as number;
  }
  synAcked(i: number): boolean {
    return ((this.rows[i * W + FLAGS] as number) & SYN_ACKED) !== 0;
  }
  refused(i: number): boolean {
    return ((this.rows[i * W + FLAGS] as number) & REFUSED) !== 0;
  }
  established(i: number): boolean {
    return ((this.rows[i * W + FLAGS] as number) & ESTABLISHED) !== 0;
  }
  abortAfterHandshake(i: number): boolean {
    return ((this.rows[i * W + FLAGS] as number) & ABORT_AFTER_HANDSHAKE) !== 0;
  }
  cookieEvidence(i: number): string | undefined {
    return this.cookies?.get(i);
  }

  /** The rows (in the order they were added) that `keep` accepts. */
  select(keep: (i: number) => boolean): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (keep(i)) out.push(i);
    return out;
  }

  /** The busiest moment of the half-open intervals. */
  peakHalfOpen(): Peak | undefined {
    return this.peak(HALF_OPEN, HALF_OPEN_FROM, HALF_OPEN_TO);
  }

  /** The busiest moment of the established-but-unserved intervals. */
  peakUnserved(): Peak | undefined {
    return this.peak(UNSERVED, UNSERVED_FROM, UNSERVED_TO);
  }

  private peak(flag: number, fromCol: number, toCol: number): Peak | undefined {
    let m = 0;
    for (let i = 0; i < this.n; i++) if (((this.rows[i * W + FLAGS] as number) & flag) !== 0) m++;
    const starts = new Float64Array(m);
    const ends = new Float64Array(m);
    for (let i = 0, k = 0; i < this.n; i++) {
      const o = i * W;
      if (((this.rows[o + FLAGS] as number) & flag) === 0) continue;
      const a = this.rows[o + fromCol] as number;
      starts[k] = a;
      ends[k++] = Math.max(a, this.rows[o + toCol] as number);
    }
    return peakOverlap(starts, ends);
  }
}

/**
 * The most intervals [starts[k], ends[k]) open at once (ends[k] >= starts[k]) and the first start
 * at which that many were: an interval that ends when another starts does not overlap it. Sorts
 * both arrays in place.
 */
export function peakOverlap(starts: Float64Array, ends: Float64Array): Peak | undefined {
  const n = starts.length;
  if (n === 0) return undefined;
  starts.sort();
  ends.sort();
  let cur = 0;
  let best = 0;
  let at = starts[0] as number;
  let i = 0;
  let j = 0;
  while (i < n) {
    // An end at the same time as a start goes first.
    if (j < n && (ends[j] as number) <= (starts[i] as number)) {
      cur--;
      j++;
    } else {
      cur++;
      if (cur > best) {
        best = cur;
        at = starts[i] as number;
      }
      i++;
    }
  }
  return { count: best, at };
}
