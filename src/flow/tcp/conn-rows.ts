/**
 * The numbers of the RFC 9293 model of each connection (a `TcpConnection` and its two
 * `TcpEndpoint`s) in rows of a typed-array store (flow/rows.ts), as the Zeek model and tcp.analysis
 * keep theirs: the connection's times, TSvals and IPv4 keys, and each endpoint's sequence numbers,
 * options and counters. The objects keep what is not a number (addresses, lists, and the states,
 * read on every packet) and read the rest through accessors, so that a tracked connection is
 * mostly outside the garbage-collected heap, which the scavenger no longer copies and promotes.
 *
 * When a row goes back (see `TcpConnection.retain`): a tracker whose consumer promises to read a
 * connection only while it is tracked and as it ends (`recycleEnded`) gives it back right after the
 * packet or sweep that retired it, unless the consumer retained it; otherwise, and for a retained
 * one, when the garbage collector has taken the connection (a FinalizationRegistry), so that a
 * connection is readable for as long as it is reachable. A row given back is filled with NaN and
 * -1 first: a read after that shows.
 */
import { RowStore } from '../rows.js';

/** A connection's doubles: times and TSvals (NaN when unknown), then the IPv4 keys, then each endpoint's (`ED`). */
export const CD = {
  start: 0,
  last: 1,
  syn: 2,
  synAck: 3,
  ack: 4,
  end: 5,
  synAckTsval: 6,
  nextRespTsval: 7,
  nextResp: 8,
  respSynReceived: 9,
  respEstablished: 10,
  respLeftSynReceived: 11,
  respFin: 12,
  rstFromSynReceived: 13,
  queuedAt: 14,
  dueAt: 15,
  origKey: 16,
  lo: 17,
  hi: 18,
  /** The originator's doubles, then the responder's. */
  ep: 19,
  size: 19 + 2 * 4,
} as const;

/** An endpoint's doubles: its TIME-WAIT start and end (NaN until set), bytes (which may pass 2^31). */
export const ED = { timeWaitStart: 0, timeWaitEnd: 1, ipBytes: 2, payloadBytes: 3, size: 4 } as const;

/** An endpoint's integers (the originator's, then the responder's). */
export const EI = {
  /** Sequence numbers and the last TSval as int32 (seqPack), valid when their `known` bit is set. */
  isn: 0,
  finSeq: 1,
  sndNxt: 2,
  ackSent: 3,
  lastTsval: 4,
  known: 5,
  /** FIN acked, SYN acked, SACK permitted, timestamps (bits, see endpoint.ts). */
  bits: 6,
  /** -1: none announced / none seen. */
  mss: 7,
  wscale: 8,
  window: 9,
  packets: 10,
  syns: 11,
  synAcks: 12,
  fins: 13,
  rsts: 14,
  size: 15,
} as const;

const STORE = new RowStore(CD.size, 2 * EI.size);

/** A connection's row: the arrays of its page (fixed for the row's life) and where its numbers start. */
export interface ConnRow {
  readonly slot: number;
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  /** Its doubles (CD), then its endpoints' (ED), from here in `f64`. */
  readonly d: number;
  /** Its endpoints' integers (EI), from here in `i32`. */
  readonly n: number;
}

/** A new row: the caller writes every value. */
export function allocConnRow(): ConnRow {
  const slot = STORE.alloc();
  return {
    slot,
    f64: STORE.f64Of(slot),
    i32: STORE.i32Of(slot),
    d: STORE.doublesAt(slot),
    n: STORE.intsAt(slot),
  };
}

/** Give a row back, poisoned. */
export function releaseConnRow(slot: number): void {
  const d = STORE.doublesAt(slot);
  STORE.f64Of(slot).fill(Number.NaN, d, d + CD.size);
  const n = STORE.intsAt(slot);
  STORE.i32Of(slot).fill(-1, n, n + 2 * EI.size);
  STORE.release(slot);
}

/** Rows in use (tests check that retired connections give theirs back). */
export function connRowsInUse(): number {
  return STORE.inUse;
}
