/**
 * Capture writers for `-w`: pcap or pcapng to a file or standard output, optionally gzipped.
 *
 * Frames are encoded into a 1 MiB buffer and written when it is full: to a file with blocking
 * writes (the disk is the backpressure), to standard output as stream writes whose backlog the
 * caller can wait for (`backlogged` / `drain()`, wired into `readCapture`'s `throttle`).
 * Captured and original lengths, link types and timestamps are written as given; timestamps are
 * exact at nanosecond precision, truncated to microseconds otherwise.
 *
 * gzip output (a path ending in `.gz`, or `gzip: true`) compresses each buffer as one gzip member;
 * concatenated members are a valid gzip file (RFC 1952 §2.2) that zcat, Wireshark and our reader
 * read as one stream.
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { ExitCode, UserError } from '../core/errors.js';
import { MAX_CAPLEN_STANDARD, PCAP_MAGIC_NS_BE, PCAP_MAGIC_US_BE } from './pcap.js';
import { BlockType } from './pcapng.js';
import { tickOut64, timeToTicks } from './ticks.js';
import type { Frame } from './types.js';

export type CaptureFileFormat = 'pcap' | 'pcapng';

export interface CaptureWriterOptions {
  /**
   * Cut frames to this many captured bytes (their original length is kept) and record it as the
   * snap length. Default: frames are written whole; the header says 262144.
   */
  snaplen?: number | undefined;
  /** Nanosecond timestamps (pcap magic 0xa1b23c4d; pcapng `if_tsresol` 9). Default: microseconds. */
  nanosecond?: boolean | undefined;
  /** Link type written in the header of a pcap file that gets no frame at all. Default 1 (Ethernet). */
  linkType?: number | undefined;
  /** gzip the output. Default: when the path ends in `.gz`. */
  gzip?: boolean | undefined;
}

export interface CaptureWriter {
  /** Append a frame. Throws `UserError` (ExitCode.output) when it cannot be written. */
  write(frame: Frame): void;
  /** Flush and close (standard output is flushed, not closed). */
  close(): Promise<void>;
  /** Frames written. */
  readonly frames: number;
  /** True while standard output holds more than its buffer: wait for `drain()` before reading on. */
  readonly backlogged: boolean;
  /** Resolves when the backlog is written (at once when there is none). */
  drain(): Promise<void>;
}

/** pcapng for `.pcapng`, `.pcapng.gz`, `.ntar`, `.ntar.gz`; pcap for everything else. */
export function formatFromPath(path: string): CaptureFileFormat {
  let p = path.toLowerCase();
  if (p.endsWith('.gz')) p = p.slice(0, -3);
  return p.endsWith('.pcapng') || p.endsWith('.ntar') ? 'pcapng' : 'pcap';
}

/** Open a writer; `path === '-'` writes to standard output (refused when that is a terminal). */
export function createCaptureWriter(
  path: string,
  format: CaptureFileFormat,
  opts: CaptureWriterOptions = {},
): CaptureWriter {
  const gzip = opts.gzip ?? (path !== '-' && path.toLowerCase().endsWith('.gz'));
  const out: Output = path === '-' ? new StdoutOutput() : new FileOutput(path);
  const buf = new ChunkBuffer(out, gzip);
  return format === 'pcap' ? new PcapWriter(buf, opts) : new PcapngWriter(buf, opts);
}

const CHUNK_SIZE = 1024 * 1024;
const TWO32 = 4294967296;
/** Seconds limit of pcapng timestamps: `timeToTicks` is exact below 2^39; 2^64 ns end in 2554. */
const MAX_PCAPNG_SEC_US = 2 ** 39;
const MAX_PCAPNG_SEC_NS = 18446744073;

/** Where encoded bytes go. `write` takes ownership of the chunk when `keepsChunks`. */
interface Output {
  readonly name: string;
  readonly keepsChunks: boolean;
  readonly backlogged: boolean;
  write(chunk: Uint8Array): void;
  drain(): Promise<void>;
  close(): Promise<void>;
}

class FileOutput implements Output {
  readonly keepsChunks = false;
  readonly backlogged = false;
  private fd: number;

  constructor(readonly name: string) {
    try {
      this.fd = openSync(name, 'w');
    } catch (e) {
      throw outputError(name, e);
    }
  }

  write(chunk: Uint8Array): void {
    let o = 0;
    try {
      while (o < chunk.length) o += writeSync(this.fd, chunk, o, chunk.length - o);
    } catch (e) {
      throw outputError(this.name, e);
    }
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      closeSync(fd);
    } catch (e) {
      throw outputError(this.name, e);
    }
  }
}

class StdoutOutput implements Output {
  readonly name = 'standard output';
  readonly keepsChunks = true;
  private error: Error | undefined;
  private readonly onError = (e: Error) => {
    this.error = e;
  };

  constructor() {
    if (process.stdout.isTTY) {
      throw new UserError(
        'refusing to write capture data to a terminal: redirect standard output or write to a file',
        ExitCode.usage,
      );
    }
    process.stdout.on('error', this.onError);
  }

  get backlogged(): boolean {
    return process.stdout.writableNeedDrain;
  }

  write(chunk: Uint8Array): void {
    this.check();
    process.stdout.write(chunk);
  }

  async drain(): Promise<void> {
    this.check();
    if (!process.stdout.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        resolve();
      };
      process.stdout.on('drain', done);
      process.stdout.on('error', done);
    });
    this.check();
  }

  async close(): Promise<void> {
    try {
      this.check();
      await new Promise<void>((resolve, reject) => {
        process.stdout.write('', (e) => (e ? reject(e) : resolve()));
      });
    } catch (e) {
      throw outputError(this.name, this.error ?? e);
    }
    // The error listener stays: a late EPIPE after close must not crash the process.
  }

  private check(): void {
    if (this.error !== undefined) throw outputError(this.name, this.error);
  }
}

function outputError(name: string, e: unknown): UserError {
  const code = (e as { code?: unknown } | null)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'ENOSPC'
            ? 'no space left on device'
            : code === 'EPIPE'
              ? 'the reader closed the pipe'
              : e instanceof Error
                ? e.message
                : String(e);
  return new UserError(`cannot write ${name}: ${why}`, ExitCode.output);
}

/** The encoding buffer: little-endian fields, flushed to the output in large chunks. */
class ChunkBuffer {
  buf: Uint8Array = new Uint8Array(CHUNK_SIZE);
  dv = new DataView(this.buf.buffer);
  pos = 0;

  constructor(
    readonly out: Output,
    private readonly gzip: boolean,
  ) {}

  /** Make room for `n` more bytes; `pos` is where they go. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.replace(n);
  }

  u16(o: number, v: number): void {
    this.dv.setUint16(o, v, true);
  }

  u32(o: number, v: number): void {
    this.dv.setUint32(o, v, true);
  }

  flush(): void {
    if (this.pos === 0) return;
    const bytes = this.buf.subarray(0, this.pos);
    if (this.gzip) {
      this.out.write(gzipSync(bytes));
    } else {
      this.out.write(bytes);
      // A stream keeps the chunk until it is written: start a fresh one.
      if (this.out.keepsChunks) this.replace(CHUNK_SIZE);
    }
    this.pos = 0;
  }

  private replace(size: number): void {
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
  }
}

abstract class BaseWriter implements CaptureWriter {
  frames = 0;
  protected closed = false;
  protected readonly nano: boolean;
  protected readonly cut: number;
  protected readonly snaplen: number;

  constructor(
    protected readonly b: ChunkBuffer,
    protected readonly opts: CaptureWriterOptions,
  ) {
    this.nano = opts.nanosecond === true;
    this.cut = opts.snaplen !== undefined && opts.snaplen > 0 ? opts.snaplen : Number.POSITIVE_INFINITY;
    this.snaplen = opts.snaplen !== undefined && opts.snaplen > 0 ? opts.snaplen : MAX_CAPLEN_STANDARD;
  }

  abstract write(frame: Frame): void;
  protected abstract finish(): void;

  get backlogged(): boolean {
    return this.b.out.backlogged;
  }

  drain(): Promise<void> {
    return this.b.out.drain();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.finish();
    this.b.flush();
    await this.b.out.close();
  }

  protected checkOpen(): void {
    if (this.closed) throw new Error(`capture writer for ${this.b.out.name} used after close()`);
  }

  protected badTime(f: Frame, why: string): UserError {
    return new UserError(
      `cannot write frame ${f.index} to ${this.b.out.name}: timestamp ${f.tsSec}.${String(f.tsNsec).padStart(9, '0')} ${why}`,
      ExitCode.output,
    );
  }
}

/** pcap: 24-byte header (written with the first frame, which fixes the link type), 16-byte record headers. */
class PcapWriter extends BaseWriter {
  private linkType = -1;

  write(f: Frame): void {
    this.checkOpen();
    if (this.linkType < 0) this.header(f.linkType);
    else if (f.linkType !== this.linkType) {
      throw new UserError(
        `cannot write frame ${f.index} (link type ${f.linkType}) to pcap ${this.b.out.name}, which holds link type ` +
          `${this.linkType}: a pcap file has a single link type; write pcapng instead (a .pcapng file name)`,
        ExitCode.output,
      );
    }
    const sec = f.tsSec;
    if (!(sec >= 0 && sec < TWO32) || !Number.isInteger(sec)) {
      throw this.badTime(f, 'is outside the pcap range (0 to 2^32-1 seconds); write pcapng instead');
    }
    const data = f.data;
    const caplen = Math.min(data.length, this.cut);
    const b = this.b;
    b.reserve(16 + caplen);
    const p = b.pos;
    b.u32(p, sec);
    b.u32(p + 4, this.nano ? f.tsNsec : Math.floor(f.tsNsec / 1000));
    b.u32(p + 8, caplen);
    b.u32(p + 12, f.origlen);
    b.buf.set(caplen === data.length ? data : data.subarray(0, caplen), p + 16);
    b.pos = p + 16 + caplen;
    this.frames++;
  }

  protected finish(): void {
    if (this.linkType < 0) this.header(this.opts.linkType ?? 1);
  }

  private header(linkType: number): void {
    this.linkType = linkType;
    const b = this.b;
    b.reserve(24);
    const p = b.pos;
    // Written little-endian: the magic reads d4 c3 b2 a1 (µs) or 4d 3c b2 a1 (ns).
    b.u32(p, this.nano ? PCAP_MAGIC_NS_BE : PCAP_MAGIC_US_BE);
    b.u16(p + 4, 2);
    b.u16(p + 6, 4);
    b.u32(p + 8, 0); // thiszone
    b.u32(p + 12, 0); // sigfigs
    b.u32(p + 16, this.snaplen);
    b.u32(p + 20, linkType);
    b.pos = p + 24;
  }
}

/** Option code and value sizes used by the pcapng writer. */
const OPT_SHB_USERAPPL = 4;
const OPT_IF_TSRESOL = 9;
const OPT_EPB_FLAGS = 2;
const USERAPPL = new TextEncoder().encode('wirelens');

/** pcapng: one section; one IDB per link type, written before the first packet that needs it. */
class PcapngWriter extends BaseWriter {
  private readonly ifIds = new Map<number, number>();
  private lastLinkType = -1;
  private lastId = -1;

  constructor(b: ChunkBuffer, opts: CaptureWriterOptions) {
    super(b, opts);
    this.sectionHeader();
  }

  write(f: Frame): void {
    this.checkOpen();
    let id: number;
    if (f.linkType === this.lastLinkType) id = this.lastId;
    else {
      id = this.ifIds.get(f.linkType) ?? this.interfaceDescription(f.linkType);
      this.lastLinkType = f.linkType;
      this.lastId = id;
    }
    const sec = f.tsSec;
    if (!(sec >= 0 && sec < (this.nano ? MAX_PCAPNG_SEC_NS : MAX_PCAPNG_SEC_US)) || !Number.isInteger(sec)) {
      throw this.badTime(f, 'is before 1970 or too far in the future to write');
    }
    timeToTicks(sec, f.tsNsec, this.nano ? 1e9 : 1e6);
    const data = f.data;
    const caplen = Math.min(data.length, this.cut);
    const padded = (caplen + 3) & ~3;
    const flags = f.direction === 'in' ? 1 : f.direction === 'out' ? 2 : 0;
    const len = 32 + padded + (flags !== 0 ? 12 : 0);
    const b = this.b;
    b.reserve(len);
    const p = b.pos;
    b.u32(p, BlockType.EPB);
    b.u32(p + 4, len);
    b.u32(p + 8, id);
    b.u32(p + 12, tickOut64.hi);
    b.u32(p + 16, tickOut64.lo);
    b.u32(p + 20, caplen);
    b.u32(p + 24, f.origlen);
    b.buf.set(caplen === data.length ? data : data.subarray(0, caplen), p + 28);
    b.buf.fill(0, p + 28 + caplen, p + 28 + padded);
    let o = p + 28 + padded;
    if (flags !== 0) {
      b.u16(o, OPT_EPB_FLAGS);
      b.u16(o + 2, 4);
      b.u32(o + 4, flags);
      b.u32(o + 8, 0); // opt_endofopt
      o += 12;
    }
    b.u32(o, len);
    b.pos = o + 4;
    this.frames++;
  }

  protected finish(): void {
    // Nothing pending: the section header is written at once, interfaces with their first packet.
  }

  private sectionHeader(): void {
    const optLen = 4 + ((USERAPPL.length + 3) & ~3) + 4;
    const len = 28 + optLen;
    const b = this.b;
    b.reserve(len);
    const p = b.pos;
    b.buf.fill(0, p, p + len);
    b.u32(p, BlockType.SHB);
    b.u32(p + 4, len);
    b.u32(p + 8, 0x1a2b3c4d);
    b.u16(p + 12, 1);
    b.u16(p + 14, 0);
    b.u32(p + 16, 0xffffffff); // section length: unknown (-1)
    b.u32(p + 20, 0xffffffff);
    b.u16(p + 24, OPT_SHB_USERAPPL);
    b.u16(p + 26, USERAPPL.length);
    b.buf.set(USERAPPL, p + 28);
    // opt_endofopt is already zero.
    b.u32(p + len - 4, len);
    b.pos = p + len;
  }

  private interfaceDescription(linkType: number): number {
    const id = this.ifIds.size;
    this.ifIds.set(linkType, id);
    const len = this.nano ? 32 : 20;
    const b = this.b;
    b.reserve(len);
    const p = b.pos;
    b.buf.fill(0, p, p + len);
    b.u32(p, BlockType.IDB);
    b.u32(p + 4, len);
    b.u16(p + 8, linkType);
    b.u32(p + 12, this.snaplen);
    if (this.nano) {
      b.u16(p + 16, OPT_IF_TSRESOL);
      b.u16(p + 18, 1);
      b.buf[p + 20] = 9;
      // padding and opt_endofopt are already zero.
    }
    b.u32(p + len - 4, len);
    b.pos = p + len;
    return id;
  }
}
