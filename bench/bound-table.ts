/**
 * A bound for the bench, not a tracker: about the least any per-connection analysis of a capture
 * does for each packet, written the fastest way Node allows, so that the bench can show what a
 * connection table costs before any of wirelens' models run.
 *
 * For each Ethernet/IPv4/TCP frame it reads the headers in place (no decoding into objects), finds
 * the connection of the 4-tuple in an open-addressing table of typed arrays (both keys and the row
 * in one slot), and updates the row of the sending side: packets, payload and IP bytes, the next
 * sequence number (a segment below it counts as a retransmission), the highest acknowledgement,
 * the window, the flags seen, first and last times. A connection is closed once both sides sent
 * a FIN or either sent a RST, and its row and slot are reused 5 s of capture time later (late
 * retransmissions), as the tracker keeps closed connections. Nothing else: no RFC 9293 states, no
 * Zeek history, no analysis flags, no reassembly, no HTTP, no output. Other frames are only counted.
 */

import { hashPair } from '../src/flow/table.js';

const EMPTY = -1;
/** A row: the key's slot, bits (orig is the low key; queued for closing), then per side (SIDE ints). */
const R_SLOT = 0;
const R_BITS = 1;
const SIDE = 9;
const ROW_INTS = 2 + 2 * SIDE;
const S_PKTS = 0;
const S_BYTES = 1;
const S_IP_BYTES = 2;
const S_NEXT = 3;
const S_ACK = 4;
const S_WIN = 5;
const S_FLAGS = 6;
const S_RXMT = 7;
const S_SEEN = 8;
/** Doubles: first and last time of the connection, and when its row is due for reuse once closed. */
const ROW_DOUBLES = 3;
const D_FIRST = 0;
const D_LAST = 1;
const D_DUE = 2;
const ORIG_LOW = 1;
const QUEUED = 2;
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
/** Capture seconds a closed connection keeps its row. */
const CLOSED_KEEP = 5;

export class BoundTable {
  packets = 0;
  /** IPv4 TCP segments counted. */
  segments = 0;
  /** Connections opened (a 4-tuple seen again after its row was reused counts again). */
  connections = 0;

  private mask = (1 << 16) - 1;
  private keyLo = new Float64Array(this.mask + 1);
  private keyHi = new Float64Array(this.mask + 1);
  private slotRow = new Int32Array(this.mask + 1).fill(EMPTY);
  private live = 0;

  private ints = new Int32Array(ROW_INTS * 1024);
  private times = new Float64Array(ROW_DOUBLES * 1024);
  private rows = 0;
  private free: number[] = [];

  /** Closed rows waiting for reuse, in order of their due time: a ring. */
  private qRow = new Int32Array(1024);
  private qDue = new Float64Array(1024);
  private qHead = 0;
  private qLen = 0;

  frame(d: Uint8Array, ts: number): void {
    this.packets++;
    if (this.qLen > 0 && (this.qDue[this.qHead] as number) <= ts) this.expire(ts);
    if (d.length < 54 || d[12] !== 0x08 || d[13] !== 0x00 || d[23] !== 6) return;
    const ihl = ((d[14] as number) & 15) * 4;
    const t = 14 + ihl;
    if (d.length < t + 20) return;
    this.segments++;
    const ipLen = ((d[16] as number) << 8) | (d[17] as number);
    const src =
      (((d[26] as number) << 24) |
        ((d[27] as number) << 16) |
        ((d[28] as number) << 8) |
        (d[29] as number)) >>>
      0;
    const dst =
      (((d[30] as number) << 24) |
        ((d[31] as number) << 16) |
        ((d[32] as number) << 8) |
        (d[33] as number)) >>>
      0;
    const sport = ((d[t] as number) << 8) | (d[t + 1] as number);
    const dport = ((d[t + 2] as number) << 8) | (d[t + 3] as number);
    const seq =
      ((d[t + 4] as number) << 24) |
      ((d[t + 5] as number) << 16) |
      ((d[t + 6] as number) << 8) |
      (d[t + 7] as number);
    const ack =
      ((d[t + 8] as number) << 24) |
      ((d[t + 9] as number) << 16) |
      ((d[t + 10] as number) << 8) |
      (d[t + 11] as number);
    const flags = d[t + 13] as number;
    const win = ((d[t + 14] as number) << 8) | (d[t + 15] as number);
    const len = ipLen - ihl - ((d[t + 12] as number) >> 4) * 4;

    const sk = src * 65536 + sport;
    const dk = dst * 65536 + dport;
    const low = sk < dk;
    const lo = low ? sk : dk;
    const hi = low ? dk : sk;
    let s = hashPair(lo, hi) & this.mask;
    let row = EMPTY;
    for (;;) {
      const r = this.slotRow[s] as number;
      if (r === EMPTY) break;
      if (this.keyLo[s] === lo && this.keyHi[s] === hi) {
        row = r;
        break;
      }
      s = (s + 1) & this.mask;
    }
    if (row === EMPTY) row = this.open(s, lo, hi, low, ts);
    else if ((flags & (SYN | ACK)) === SYN && ((this.ints[row * ROW_INTS + R_BITS] as number) & QUEUED) !== 0)
      this.reopen(row, low, ts);
    const ints = this.ints;
    const r = row * ROW_INTS;
    const fromOrig = (((ints[r + R_BITS] as number) & ORIG_LOW) !== 0) === low;
    const b = r + 2 + (fromOrig ? 0 : SIDE);
    ints[b + S_PKTS] = (ints[b + S_PKTS] as number) + 1;
    ints[b + S_BYTES] = (ints[b + S_BYTES] as number) + len;
    ints[b + S_IP_BYTES] = (ints[b + S_IP_BYTES] as number) + ipLen;
    const end = (seq + len + (flags & (SYN | FIN) ? 1 : 0)) | 0;
    if (ints[b + S_SEEN] === 0 || end - (ints[b + S_NEXT] as number) > 0) {
      ints[b + S_NEXT] = end;
      ints[b + S_SEEN] = 1;
    } else if (len > 0) ints[b + S_RXMT] = (ints[b + S_RXMT] as number) + 1;
    if (ack - (ints[b + S_ACK] as number) > 0) ints[b + S_ACK] = ack;
    ints[b + S_WIN] = win;
    const seen = ((ints[b + S_FLAGS] as number) | flags) & 0xff;
    ints[b + S_FLAGS] = seen;
    this.times[row * ROW_DOUBLES + D_LAST] = ts;
    const other = r + 2 + (fromOrig ? SIDE : 0);
    const closed =
      (flags & RST) !== 0 || ((seen & FIN) !== 0 && ((ints[other + S_FLAGS] as number) & FIN) !== 0);
    if (closed && ((ints[r + R_BITS] as number) & QUEUED) === 0) {
      ints[r + R_BITS] = (ints[r + R_BITS] as number) | QUEUED;
      this.times[row * ROW_DOUBLES + D_DUE] = ts + CLOSED_KEEP;
      this.enqueue(row, ts + CLOSED_KEEP);
    }
  }

  /** A new connection in the free slot `s`: its row. */
  private open(s: number, lo: number, hi: number, low: boolean, ts: number): number {
    this.connections++;
    let row = this.free.pop();
    if (row === undefined) {
      row = this.rows++;
      if (row * ROW_INTS >= this.ints.length) {
        const ints = new Int32Array(this.ints.length * 2);
        ints.set(this.ints);
        this.ints = ints;
        const times = new Float64Array(this.times.length * 2);
        times.set(this.times);
        this.times = times;
      }
    }
    this.init(row, low, ts);
    this.keyLo[s] = lo;
    this.keyHi[s] = hi;
    this.slotRow[s] = row;
    this.ints[row * ROW_INTS + R_SLOT] = s;
    if (++this.live * 2 > this.mask) this.rehash(this.mask * 2 + 1);
    return row;
  }

  private init(row: number, low: boolean, ts: number): void {
    this.ints.fill(0, row * ROW_INTS + R_BITS, (row + 1) * ROW_INTS);
    this.ints[row * ROW_INTS + R_BITS] = low ? ORIG_LOW : 0;
    this.times.fill(0, row * ROW_DOUBLES, (row + 1) * ROW_DOUBLES);
    this.times[row * ROW_DOUBLES + D_FIRST] = ts;
  }

  /** A new SYN on a closed connection's 4-tuple starts a new connection in the same row and slot. */
  private reopen(row: number, low: boolean, ts: number): void {
    this.connections++;
    this.init(row, low, ts);
  }

  private enqueue(row: number, due: number): void {
    if (this.qLen === this.qRow.length) {
      const n = this.qRow.length * 2;
      const rows = new Int32Array(n);
      const dues = new Float64Array(n);
      for (let i = 0; i < this.qLen; i++) {
        const k = (this.qHead + i) % this.qRow.length;
        rows[i] = this.qRow[k] as number;
        dues[i] = this.qDue[k] as number;
      }
      this.qRow = rows;
      this.qDue = dues;
      this.qHead = 0;
    }
    const k = (this.qHead + this.qLen) % this.qRow.length;
    this.qRow[k] = row;
    this.qDue[k] = due;
    this.qLen++;
  }

  /** Reuse the rows of connections closed long enough ago. */
  private expire(now: number): void {
    while (this.qLen > 0 && (this.qDue[this.qHead] as number) <= now) {
      const row = this.qRow[this.qHead] as number;
      const due = this.qDue[this.qHead] as number;
      this.qHead = (this.qHead + 1) % this.qRow.length;
      this.qLen--;
      // Reopened since (not closed again, or closed again with a later due time): not yet.
      if (((this.ints[row * ROW_INTS + R_BITS] as number) & QUEUED) === 0) continue;
      if (this.times[row * ROW_DOUBLES + D_DUE] !== due) continue;
      this.deleteSlot(this.ints[row * ROW_INTS + R_SLOT] as number);
      this.free.push(row);
      this.live--;
    }
  }

  /** Empty slot `s`, moving back the entries after it that would no longer be found. */
  private deleteSlot(s: number): void {
    const m = this.mask;
    this.slotRow[s] = EMPTY;
    let hole = s;
    for (let k = (s + 1) & m; this.slotRow[k] !== EMPTY; k = (k + 1) & m) {
      const home = this.home(k);
      // Move k into the hole unless its home lies cyclically in (hole, k].
      const stays = hole <= k ? hole < home && home <= k : hole < home || home <= k;
      if (stays) continue;
      this.move(k, hole);
      hole = k;
    }
  }

  /** Where the key in slot `s` would go in an empty table. */
  private home(s: number): number {
    return hashPair(this.keyLo[s] as number, this.keyHi[s] as number) & this.mask;
  }

  private move(from: number, to: number): void {
    const row = this.slotRow[from] as number;
    this.keyLo[to] = this.keyLo[from] as number;
    this.keyHi[to] = this.keyHi[from] as number;
    this.slotRow[to] = row;
    this.slotRow[from] = EMPTY;
    this.ints[row * ROW_INTS + R_SLOT] = to;
  }

  private rehash(mask: number): void {
    const { keyLo, keyHi, slotRow } = this;
    this.mask = mask;
    this.keyLo = new Float64Array(mask + 1);
    this.keyHi = new Float64Array(mask + 1);
    this.slotRow = new Int32Array(mask + 1).fill(EMPTY);
    for (let s = 0; s < slotRow.length; s++) {
      const row = slotRow[s] as number;
      if (row === EMPTY) continue;
      const lo = keyLo[s] as number;
      const hi = keyHi[s] as number;
      let k = hashPair(lo, hi) & mask;
      while (this.slotRow[k] !== EMPTY) k = (k + 1) & mask;
      this.keyLo[k] = lo;
      this.keyHi[k] = hi;
      this.slotRow[k] = row;
      this.ints[row * ROW_INTS + R_SLOT] = k;
    }
  }
}
