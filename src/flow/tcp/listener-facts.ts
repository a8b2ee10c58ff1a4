/**
 * What the listener analysis keeps about the connections it was fed. A listener keeps the facts of
 * up to 100,000 ordinary connections and 100,000 notable ones (see listeners.ts) until the end of
 * the capture, so what each costs grows with the number of connections, not with what is open at
 * once. Most connections are ordinary (answered at the
 * first SYN, nothing dropped, no cookie): a finding never names them, and they count only in the
 * answered time span and in the peaks of half-open and unserved connections. So:
 *  - every fact counts, and an answered one widens the answered span;
 *  - its half-open and unserved intervals go into pairs of numbers (16 bytes each);
 *  - only the facts a finding can name (anything unanswered, refused, retried, dropped, aborted or
 *    cookie-signed) are kept whole, as rows of one Float64Array (56 bytes) with the client's address.
 * An object per connection, as before, took about 280 bytes with its boxed numbers and interval pairs,
 * plus its client address text.
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
const W = 7;

const SYN_ACKED = 1;
const REFUSED = 2;
const ESTABLISHED = 4;
const ABORT_AFTER_HANDSHAKE = 8;

const FIRST_ROWS = 4;

/** The busiest moment of a set of intervals: how many overlap at most, and from when. */
export interface Peak {
  readonly count: number;
  readonly at: number;
}

/** `a`, or a copy of it twice as long when it has no room for `need` numbers. */
function withRoom(a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const next = new Float64Array(a.length * 2);
  next.set(a);
  return next;
}

/** Intervals [from, to), as their starts and their ends (all a peak needs). */
class Intervals {
  private starts = new Float64Array(4);
  private ends = new Float64Array(4);
  private n = 0;

  add(from: number, to: number): void {
    this.starts = withRoom(this.starts, this.n + 1);
    this.ends = withRoom(this.ends, this.n + 1);
    this.starts[this.n] = from;
    this.ends[this.n] = Math.max(from, to);
    this.n++;
  }

  /** Sorts the starts and the ends where they are: neither order matters to a later peak. */
  peak(): Peak | undefined {
    return peakOverlap(this.starts.subarray(0, this.n), this.ends.subarray(0, this.n));
  }
}

/** Could a finding name this connection? (Every finding selects from these; see `summarise`.) */
export function notable(f: ConnFact): boolean {
  return (
    !f.synAcked ||
    f.refused ||
    f.synRetrans > 0 ||
    f.ackDropped > 0 ||
    f.abortAfterHandshake ||
    f.cookieEvidence !== undefined
  );
}

export class ListenerFacts {
  /** Facts taken in. */
  private count = 0;
  /** Earliest start and latest end of the answered ones (infinite while there are none). */
  answeredFrom = Number.POSITIVE_INFINITY;
  answeredTo = Number.NEGATIVE_INFINITY;
  private readonly halfOpen = new Intervals();
  private readonly unserved = new Intervals();
  /** The notable facts, whole, in the order they came. */
  private rows = new Float64Array(FIRST_ROWS * W);
  private readonly clients: string[] = [];
  /** SYN-cookie evidence by row (rare). */
  private cookies: Map<number, string> | undefined;
  private n = 0;

  /** Facts taken in (notable or not). */
  get length(): number {
    return this.count;
  }

  /** Notable facts kept whole: the rows the accessors and `select` read. */
  get rowCount(): number {
    return this.n;
  }

  /** Take in `f`; `isNotable`: `notable(f)`, when the caller has it already. */
  push(f: ConnFact, isNotable = notable(f)): void {
    this.count++;
    if (f.synAcked) {
      if (f.start < this.answeredFrom) this.answeredFrom = f.start;
      if (f.end > this.answeredTo) this.answeredTo = f.end;
    }
    if (f.halfOpen) this.halfOpen.add(f.halfOpen[0], f.halfOpen[1]);
    if (f.unserved) this.unserved.add(f.unserved[0], f.unserved[1]);
    if (isNotable) this.keep(f);
  }

  private keep(f: ConnFact): void {
    const i = this.n;
    this.rows = withRoom(this.rows, (i + 1) * W);
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
      (f.abortAfterHandshake ? ABORT_AFTER_HANDSHAKE : 0);
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

  /** The notable rows (in the order they came) that `keep` accepts. */
  select(keep: (i: number) => boolean): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (keep(i)) out.push(i);
    return out;
  }

  /** The busiest moment of the half-open intervals. */
  peakHalfOpen(): Peak | undefined {
    return this.halfOpen.peak();
  }

  /** The busiest moment of the established-but-unserved intervals. */
  peakUnserved(): Peak | undefined {
    return this.unserved.peak();
  }
}

/**
 * The most intervals [starts[k], ends[k]) open at once (ends[k] >= starts[k]) and the first start
 * at which that many were: an interval that ends when another starts does not overlap it; none
 * when no interval was ever open (all empty). Sorts both arrays in place.
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
  // Only empty intervals: nothing was ever open, so there is no peak to report.
  return best > 0 ? { count: best, at } : undefined;
}
