/**
 * Relative sequence numbers for one-line views (what tshark shows by default): each direction's
 * numbers are shown relative to its initial sequence number, taken from its SYN, or from the first
 * segment seen in that direction when the capture starts mid-connection. Bounded: when the table is
 * full the oldest half is dropped (those flows then restart from their next segment).
 */
import { seq, seqRel } from '../core/seq.js';
import type { Packet } from '../decode/types.js';
import { TcpFlag } from '../decode/types.js';
import { directionalKey, reverseKey } from './key.js';

export interface RelativeSeq {
  seq: number;
  /** undefined when the ACK flag is off or the other direction's base is unknown. */
  ack: number | undefined;
}

export class RelativeSeqTracker {
  private readonly base = new Map<string, number>();

  constructor(private readonly limit = 200_000) {}

  relative(p: Packet): RelativeSeq | undefined {
    const tcp = p.tcp;
    if (!tcp || tcp.partial) return undefined;
    const k = directionalKey(p) as string;
    let b = this.base.get(k);
    if (b === undefined || (tcp.flags & TcpFlag.SYN) !== 0) {
      // A SYN (re)defines the ISN: a new connection on the same 4-tuple starts over.
      b = tcp.seq;
      if (this.base.size >= this.limit) this.evict();
      this.base.set(k, b);
    }
    const rb = this.base.get(reverseKey(p) as string);
    const seqR = seqRel(seq(tcp.seq), seq(b));
    const ackRel =
      (tcp.flags & TcpFlag.ACK) !== 0 && rb !== undefined ? seqRel(seq(tcp.ack), seq(rb)) : undefined;
    return { seq: seqR, ack: ackRel };
  }

  private evict(): void {
    let n = this.base.size >> 1;
    for (const k of this.base.keys()) {
      if (n-- <= 0) break;
      this.base.delete(k);
    }
  }
}
