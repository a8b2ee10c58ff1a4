/**
 * Relative sequence numbers for one-line views (what tshark shows by default): each direction's
 * numbers are shown relative to its initial sequence number, taken from its SYN, or from the first
 * segment seen in that direction when the capture starts mid-connection. Bounded: when the table is
 * full the oldest half is dropped (those flows then restart from their next segment).
 */
import { seq, seqRel } from '../core/seq.js';
import type { Packet } from '../decode/types.js';
import { TcpFlag } from '../decode/types.js';
import { TupleMap } from './tuple-map.js';

export interface RelativeSeq {
  seq: number;
  /** undefined when the ACK flag is off or the other direction's base is unknown. */
  ack: number | undefined;
}

export class RelativeSeqTracker {
  /** Each direction's base (ISN), by source address and port, destination address and port. */
  private readonly base = new TupleMap();

  constructor(private readonly limit = 200_000) {}

  relative(p: Packet): RelativeSeq | undefined {
    const tcp = p.tcp;
    if (!tcp || tcp.partial) return undefined;
    const ip = p.ip;
    let b = this.base.get(ip, tcp.srcPort, tcp.dstPort, false);
    if (b === undefined || (tcp.flags & TcpFlag.SYN) !== 0) {
      // A SYN (re)defines the ISN: a new connection on the same 4-tuple starts over.
      b = tcp.seq;
      // Checked before every set, even of a key already present: the same eviction points as ever.
      if (this.base.size >= this.limit) this.base.evictOldest(this.base.size >> 1);
      this.base.set(ip, tcp.srcPort, tcp.dstPort, b);
    }
    const rb = this.base.get(ip, tcp.srcPort, tcp.dstPort, true);
    const seqR = seqRel(seq(tcp.seq), seq(b));
    const ackRel =
      (tcp.flags & TcpFlag.ACK) !== 0 && rb !== undefined ? seqRel(seq(tcp.ack), seq(rb)) : undefined;
    return { seq: seqR, ack: ackRel };
  }
}
