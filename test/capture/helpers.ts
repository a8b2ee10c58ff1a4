/**
 * Builders for hand-made pcap and pcapng files, and a sink that records what a parser delivers.
 * Every field is written explicitly so a test can corrupt exactly one of them.
 */

import { spawnSync } from 'node:child_process';
import type { FileParser } from '../../src/capture/framing.js';
import type { CaptureProblem, CaptureSink, Frame } from '../../src/capture/types.js';

/** A little- or big-endian byte writer. */
export class ByteWriter {
  private bytes: number[] = [];
  constructor(readonly le: boolean) {}

  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    if (this.le) this.bytes.push(v & 0xff, (v >>> 8) & 0xff);
    else this.bytes.push((v >>> 8) & 0xff, v & 0xff);
    return this;
  }

  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    if (!this.le) b.reverse();
    this.bytes.push(...b);
    return this;
  }

  raw(d: Uint8Array | readonly number[]): this {
    for (const b of d) this.bytes.push(b);
    return this;
  }

  /** Zero bytes up to a multiple of 4. */
  pad4(): this {
    while (this.bytes.length % 4 !== 0) this.bytes.push(0);
    return this;
  }

  get length(): number {
    return this.bytes.length;
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `n` recognisable bytes: seed, seed+1, ... */
export function payload(n: number, seed = 1): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = (seed + i) & 0xff;
  return d;
}

// ---------------------------------------------------------------- pcap

export interface PcapFileOptions {
  le?: boolean;
  nano?: boolean;
  snaplen?: number;
  /** The whole 32-bit link-type field (FCS bits included). */
  linkType?: number;
  major?: number;
  minor?: number;
}

export interface PcapRecordSpec {
  sec: number;
  /** Microseconds or nanoseconds, as the file says. */
  frac: number;
  data: Uint8Array;
  /** Defaults to data.length. */
  origlen?: number;
  /** Header caplen; defaults to data.length (set to lie). */
  caplen?: number;
}

export function pcapHeader(o: PcapFileOptions = {}): Uint8Array {
  const w = new ByteWriter(o.le ?? true);
  w.u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4);
  w.u16(o.major ?? 2).u16(o.minor ?? 4);
  w.u32(0).u32(0);
  w.u32(o.snaplen ?? 65535);
  w.u32(o.linkType ?? 1);
  return w.done();
}

export function pcapRecord(r: PcapRecordSpec, le = true): Uint8Array {
  const w = new ByteWriter(le);
  w.u32(r.sec)
    .u32(r.frac)
    .u32(r.caplen ?? r.data.length)
    .u32(r.origlen ?? r.data.length);
  w.raw(r.data);
  return w.done();
}

export function buildPcap(o: PcapFileOptions, records: PcapRecordSpec[]): Uint8Array {
  return concat(pcapHeader(o), ...records.map((r) => pcapRecord(r, o.le ?? true)));
}

// ---------------------------------------------------------------- pcapng

export interface Opt {
  code: number;
  value: Uint8Array;
}

export function opt(code: number, value: Uint8Array | readonly number[] | string): Opt {
  const v =
    typeof value === 'string'
      ? new TextEncoder().encode(value)
      : value instanceof Uint8Array
        ? value
        : Uint8Array.from(value);
  return { code, value: v };
}

/** A 32-bit option value in the section's byte order. */
export function optU32(code: number, v: number, le: boolean): Opt {
  return opt(code, new ByteWriter(le).u32(v).done());
}

/** A 64-bit option value (two halves) in the section's byte order. */
export function optU64(code: number, hi: number, lo: number, le: boolean): Opt {
  const w = new ByteWriter(le);
  if (le) w.u32(lo).u32(hi);
  else w.u32(hi).u32(lo);
  return opt(code, w.done());
}

function writeOptions(w: ByteWriter, options: readonly Opt[] | undefined): void {
  if (options === undefined || options.length === 0) return;
  for (const o of options) {
    w.u16(o.code).u16(o.value.length).raw(o.value).pad4();
  }
  w.u16(0).u16(0);
}

export interface BlockOverrides {
  /** Header total length instead of the real one. */
  length?: number;
  /** Trailer total length instead of the header's. */
  trailer?: number;
}

/** A block: type, total length, body (padded to 4), total length. */
export function block(le: boolean, type: number, body: Uint8Array, ov: BlockOverrides = {}): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const len = 12 + padded;
  const w = new ByteWriter(le);
  w.u32(type)
    .u32(ov.length ?? len)
    .raw(body)
    .pad4()
    .u32(ov.trailer ?? ov.length ?? len);
  return w.done();
}

export function shb(
  le: boolean,
  o: { major?: number; minor?: number; options?: Opt[] } = {},
  ov: BlockOverrides = {},
): Uint8Array {
  const w = new ByteWriter(le);
  w.u32(0x1a2b3c4d)
    .u16(o.major ?? 1)
    .u16(o.minor ?? 0);
  w.u32(0xffffffff).u32(0xffffffff);
  writeOptions(w, o.options);
  return block(le, 0x0a0d0d0a, w.done(), ov);
}

export function idb(
  le: boolean,
  linkType: number,
  o: { snaplen?: number; options?: Opt[] } = {},
  ov: BlockOverrides = {},
): Uint8Array {
  const w = new ByteWriter(le);
  w.u16(linkType)
    .u16(0)
    .u32(o.snaplen ?? 0);
  writeOptions(w, o.options);
  return block(le, 1, w.done(), ov);
}

export interface EpbSpec {
  ifId?: number;
  hi: number;
  lo: number;
  data: Uint8Array;
  origlen?: number;
  /** Header caplen instead of data.length. */
  caplen?: number;
  options?: Opt[];
}

export function epb(le: boolean, e: EpbSpec, ov: BlockOverrides = {}): Uint8Array {
  const w = new ByteWriter(le);
  w.u32(e.ifId ?? 0)
    .u32(e.hi)
    .u32(e.lo)
    .u32(e.caplen ?? e.data.length)
    .u32(e.origlen ?? e.data.length);
  w.raw(e.data).pad4();
  writeOptions(w, e.options);
  return block(le, 6, w.done(), ov);
}

/** Obsolete packet block (type 2): 16-bit interface id and drops count. */
export function opb(le: boolean, e: EpbSpec & { drops?: number }): Uint8Array {
  const w = new ByteWriter(le);
  w.u16(e.ifId ?? 0)
    .u16(e.drops ?? 0)
    .u32(e.hi)
    .u32(e.lo)
    .u32(e.caplen ?? e.data.length);
  w.u32(e.origlen ?? e.data.length)
    .raw(e.data)
    .pad4();
  writeOptions(w, e.options);
  return block(le, 2, w.done());
}

export function spb(le: boolean, origlen: number, data: Uint8Array): Uint8Array {
  const w = new ByteWriter(le);
  w.u32(origlen).raw(data).pad4();
  return block(le, 3, w.done());
}

// ---------------------------------------------------------------- collecting

/** A frame with its bytes copied (the parser's view is only valid during the callback). */
export type SeenFrame = Omit<Frame, 'data'> & { data: Uint8Array };

export class CollectSink implements CaptureSink {
  readonly frames: SeenFrame[] = [];
  readonly problems: CaptureProblem[] = [];
  /** Constructor names of the `data` arrays seen (sources must deliver plain Uint8Arrays). */
  readonly dataTypes = new Set<string>();
  /** Called after each frame is recorded (to test halting from inside the sink). */
  onFrame: ((f: Frame) => void) | undefined;

  frame(f: Frame): void {
    this.frames.push({ ...f, data: Uint8Array.from(f.data) });
    this.dataTypes.add(f.data.constructor.name);
    this.onFrame?.(f);
  }

  problem(p: CaptureProblem): void {
    this.problems.push(p);
  }
}

/** Push `buf` into a fresh parser split at the given positions, then end it. */
export function parseSplit<P extends FileParser>(
  make: (sink: CollectSink) => P,
  buf: Uint8Array,
  splits: readonly number[] = [],
): { parser: P; sink: CollectSink } {
  const sink = new CollectSink();
  const parser = make(sink);
  let last = 0;
  for (const s of splits) {
    parser.push(buf.subarray(last, s));
    last = s;
  }
  parser.push(buf.subarray(last));
  parser.end();
  return { parser, sink };
}

/** Push one byte at a time. */
export function parseBytewise<P extends FileParser>(
  make: (sink: CollectSink) => P,
  buf: Uint8Array,
): { parser: P; sink: CollectSink } {
  const sink = new CollectSink();
  const parser = make(sink);
  for (let i = 0; i < buf.length; i++) parser.push(buf.subarray(i, i + 1));
  parser.end();
  return { parser, sink };
}

/** True when a binary runs (`capinfos -v`). */
export function hasTool(name: string): boolean {
  const r = spawnSync(name, ['-v'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** Frame fields worth comparing, without the bytes. */
export function summary(f: SeenFrame): Record<string, unknown> {
  const { data, ...rest } = f;
  return { ...rest, bytes: Array.from(data) };
}
