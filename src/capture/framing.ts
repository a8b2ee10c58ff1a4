/**
 * The push-parsing machinery shared by the pcap and pcapng parsers.
 *
 * A capture file is a sequence of self-delimiting units (file header, record, block). A subclass
 * says how long the unit at a position is (`unitLength`) and what to do with a complete unit
 * (`unit`). This class feeds it:
 *
 * - Units that lie entirely inside a pushed chunk are handed over in place: frames are `subarray`
 *   views of the chunk, nothing is copied.
 * - The tail of a chunk that holds only part of a unit is copied into one reusable carry buffer,
 *   completed from the next chunk(s), and handed over from there. The carry buffer grows to the
 *   largest unit seen (bounded by the subclass's length limits), so memory stays constant whatever
 *   the file size.
 *
 * Nothing is kept per frame: counters only. Problems are stored (for the result) and passed to the
 * sink, but at most `MAX_PROBLEMS_PER_ID` of each identifier; the rest are counted and summarised
 * once at `end()`.
 */

import { CaptureProblemId } from './problems.js';
import type { CaptureInfo, CaptureParser, CaptureProblem, CaptureResult, CaptureSink } from './types.js';

/** Problems of one identifier delivered individually; further ones are counted and summarised. */
export const MAX_PROBLEMS_PER_ID = 100;

const EMPTY = new Uint8Array(0);
const MIN_CARRY = 64 * 1024;

export abstract class FileParser implements CaptureParser {
  abstract readonly info: CaptureInfo;
  /** Problems delivered so far (bounded: see MAX_PROBLEMS_PER_ID). */
  readonly problems: CaptureProblem[] = [];

  /** File offset of the unit being parsed (of the next unit between calls). */
  protected offset = 0;
  /** Packet number the next frame gets (1-based). */
  protected nextIndex = 1;
  /** Bytes of whole units skipped on purpose (unusable packet blocks). */
  protected skipped = 0;

  private carry: Uint8Array = EMPTY;
  private carryLen = 0;
  private received = 0;
  private fatal = false;
  private halted = false;
  private ended = false;
  private readonly problemCounts = new Map<string, { count: number; last: CaptureProblem }>();

  constructor(protected readonly sink: CaptureSink) {}

  /** Bytes needed for the unit at `pos`: its header length while `avail` is shorter, then its full length; -1 after a fatal problem. */
  protected abstract unitLength(buf: Uint8Array, pos: number, avail: number): number;
  /** Handle the complete unit `buf[pos, pos + len)` at file offset `this.offset`. */
  protected abstract unit(buf: Uint8Array, pos: number, len: number): void;
  /** Describe the incomplete unit at the end of the file, for the truncation message (`packet 3`, `file header`, ...). */
  protected abstract describePartial(buf: Uint8Array, len: number): string;

  /** True after a fatal problem: further input is ignored. */
  get stopped(): boolean {
    return this.fatal;
  }

  /** True after `halt()`. */
  get isHalted(): boolean {
    return this.halted;
  }

  /** Frames delivered. */
  get frames(): number {
    return this.nextIndex - 1;
  }

  /** Bytes taken from the input: everything pushed, or up to the frame boundary where `halt()` stopped. */
  get bytesConsumed(): number {
    return this.halted ? this.offset : this.received;
  }

  /** Bytes not attributed to any frame: skipped packet blocks, the damaged unit and everything after it. */
  get bytesSkipped(): number {
    return this.skipped + (this.fatal ? this.received - this.offset : 0);
  }

  /**
   * Stop at the next frame boundary (used for `-c N` and Ctrl-C). Safe to call from inside
   * `sink.frame()`: no further frame is delivered after the current one.
   */
  halt(): void {
    this.halted = true;
  }

  /**
   * Record a fatal problem found outside the parser (a gzip or read error) at the current
   * position, and stop. The incomplete unit, if any, counts as skipped.
   */
  fail(id: string, message: string): void {
    if (this.fatal || this.halted || this.ended) return;
    this.problem(id, true, this.offset, message);
  }

  /** After a fatal problem, count `n` input bytes the caller did not read at all as skipped. */
  skipUnread(n: number): void {
    if (this.fatal && !this.halted) this.received += n;
  }

  push(chunk: Uint8Array): void {
    if (this.halted) return;
    this.received += chunk.length;
    if (this.fatal || this.ended) return;
    let pos = 0;
    if (this.carryLen > 0) {
      pos = this.fillCarry(chunk);
      if (pos < 0) return;
    }
    pos = this.run(chunk, pos, chunk.length);
    if (pos < chunk.length && !this.fatal && !this.halted) {
      const tail = chunk.length - pos;
      this.ensureCarry(tail);
      this.carry.set(chunk.subarray(pos), 0);
      this.carryLen = tail;
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.fatal && !this.halted) {
      const len = this.carryLen;
      if (len > 0 || this.needsMoreAtEnd()) {
        const need = this.unitLength(this.carry, 0, len);
        if (need >= 0) {
          this.problem(
            CaptureProblemId.truncated,
            true,
            this.offset,
            `truncated file: ${this.describePartial(this.carry, len)} at offset ${this.offset} needs ${need} bytes, only ${len} remain`,
          );
        }
      }
    }
    this.carry = EMPTY;
    this.carryLen = 0;
    for (const [id, { count, last }] of this.problemCounts) {
      if (count <= MAX_PROBLEMS_PER_ID) continue;
      const summary: CaptureProblem = {
        id,
        fatal: false,
        offset: last.offset,
        packet: last.packet,
        message: `${count - MAX_PROBLEMS_PER_ID} more ${id} problems not listed (last at offset ${last.offset}, packet ${last.packet})`,
      };
      this.problems.push(summary);
      this.sink.problem(summary);
    }
  }

  /** The summary a source returns. */
  result(): CaptureResult {
    return {
      info: this.info,
      frames: this.frames,
      bytes: this.bytesConsumed,
      problems: this.problems,
      bytesSkipped: this.bytesSkipped,
    };
  }

  /** True when an input that ended exactly on a unit boundary is still incomplete (no file header yet). */
  protected needsMoreAtEnd(): boolean {
    return false;
  }

  /** Report a problem; a fatal one stops the parser. */
  protected problem(id: string, fatal: boolean, offset: number, message: string): void {
    const p: CaptureProblem = { id, fatal, offset, packet: this.nextIndex, message };
    if (fatal) this.fatal = true;
    let c = this.problemCounts.get(id);
    if (c === undefined) {
      c = { count: 0, last: p };
      this.problemCounts.set(id, c);
    }
    c.count++;
    c.last = p;
    if (fatal || c.count <= MAX_PROBLEMS_PER_ID) {
      this.problems.push(p);
      this.sink.problem(p);
    }
  }

  /** Parse whole units of `buf[pos, end)` in place; returns where the first incomplete unit starts. */
  private run(buf: Uint8Array, pos: number, end: number): number {
    while (!this.fatal && !this.halted) {
      const avail = end - pos;
      if (avail === 0) break;
      const need = this.unitLength(buf, pos, avail);
      if (need < 0 || avail < need) break;
      this.unit(buf, pos, need);
      if (this.fatal) break;
      pos += need;
      this.offset += need;
    }
    return pos;
  }

  /** Complete the carried unit from the start of `chunk`; returns the chunk position after it, or -1. */
  private fillCarry(chunk: Uint8Array): number {
    let pos = 0;
    for (;;) {
      const need = this.unitLength(this.carry, 0, this.carryLen);
      if (need < 0) return -1;
      if (this.carryLen >= need) {
        this.carryLen = 0;
        this.unit(this.carry, 0, need);
        if (this.fatal) return -1;
        this.offset += need;
        return this.halted ? -1 : pos;
      }
      const take = Math.min(need - this.carryLen, chunk.length - pos);
      this.ensureCarry(need);
      this.carry.set(chunk.subarray(pos, pos + take), this.carryLen);
      this.carryLen += take;
      pos += take;
      if (this.carryLen < need) return -1;
    }
  }

  private ensureCarry(n: number): void {
    if (this.carry.length >= n) return;
    const next = new Uint8Array(Math.max(n, MIN_CARRY, this.carry.length * 2));
    next.set(this.carry.subarray(0, this.carryLen), 0);
    this.carry = next;
  }
}
