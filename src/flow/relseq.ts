/**
 * Relative sequence numbers for one-line views, as tshark shows them by default: each direction's
 * numbers relative to its initial sequence number (ISN), taken from its SYN (which is then 0). When
 * the capture starts after the SYN, the ISN is guessed as tshark guesses it: one below the first
 * sequence number seen from that side, or one below the first acknowledgement number the other side
 * sends, whichever comes first (so a connection picked up mid-stream starts at seq=1 ack=1 both
 * ways, not at seq=0 with an absolute ack). Bounded: when the table is full the oldest half is
 * dropped (those flows then restart from their next segment).
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

/**
 * The ISN a segment's sender's numbers are shown relative to: its SYN's sequence number, else the
 * one already known, else one below this segment's (tshark's guess when the SYN was not seen).
 */
export function senderIsn(flags: number, seqNo: number, known: number | undefined): number {
  if ((flags & TcpFlag.SYN) !== 0) return seqNo;
  return known ?? (seqNo - 1) >>> 0;
}

/** The receiver's: the one already known, else one below what the segment acknowledges (none without ACK). */
export function receiverIsn(flags: number, ackNo: number, known: number | undefined): number | undefined {
  if (known !== undefined || (flags & TcpFlag.ACK) === 0) return known;
  return (ackNo - 1) >>> 0;
}

export class RelativeSeqTracker {
  /** Each direction's base (ISN), by source address and port, destination address and port. */
  private readonly base = new TupleMap();

  constructor(private readonly limit = 200_000) {}

  relative(p: Packet): RelativeSeq | undefined {
    const tcp = p.tcp;
    if (!tcp || tcp.partial) return undefined;
    const ip = p.ip;
    const known = this.base.get(ip, tcp.srcPort, tcp.dstPort, false);
    const b = senderIsn(tcp.flags, tcp.seq, known);
    // A SYN (re)defines the ISN: a new connection on the same 4-tuple starts over.
    if (known === undefined || (tcp.flags & TcpFlag.SYN) !== 0) {
      this.makeRoom();
      this.base.set(ip, tcp.srcPort, tcp.dstPort, b);
    }
    const knownPeer = this.base.get(ip, tcp.srcPort, tcp.dstPort, true);
    const rb = receiverIsn(tcp.flags, tcp.ack, knownPeer);
    if (knownPeer === undefined && rb !== undefined) {
      this.makeRoom();
      this.base.set(ip, tcp.srcPort, tcp.dstPort, rb, true);
    }
    const seqR = seqRel(seq(tcp.seq), seq(b));
    const ackRel =
      (tcp.flags & TcpFlag.ACK) !== 0 && rb !== undefined ? seqRel(seq(tcp.ack), seq(rb)) : undefined;
    return { seq: seqR, ack: ackRel };
  }

  /** Checked before every set, even of a key already present: the same eviction points as ever. */
  private makeRoom(): void {
    if (this.base.size >= this.limit) this.base.evictOldest(this.base.size >> 1);
  }
}
