/**
 * Capture sources: a file, standard input, or any byte stream, in pcap or pcapng, optionally
 * gzip-compressed, detected by magic. Streaming with constant memory whatever the size:
 *
 * - Regular files are read in large chunks (1 MiB by default) into two buffers used in turn: the
 *   next read runs while the current chunk is parsed, synchronously, frame by frame. Frames are
 *   views into the chunk, valid only during `sink.frame()`; the buffers are reused.
 * - Streams (stdin, FIFOs, gzip output) are parsed chunk by chunk as they arrive.
 * - A record that straddles two chunks is the only thing copied (into the parser's carry buffer).
 *
 * `signal` stops reading at the next frame boundary; `throttle` lets a slow consumer (a writer
 * to a pipe) hold reading back between chunks.
 */

import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import { u32be } from '../core/bytes.js';
import { ExitCode, UserError } from '../core/errors.js';
import type { FileParser } from './framing.js';
import { PcapParser, pcapMagicKind } from './pcap.js';
import { BlockType, PcapngParser } from './pcapng.js';
import { CaptureProblemId } from './problems.js';
import type { CaptureResult, CaptureSink } from './types.js';

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
const MIN_CHUNK_SIZE = 16;
/** Output chunk of the gunzip stream: small enough that little decompressed data is lost when the stream turns out corrupt. */
const GUNZIP_CHUNK_SIZE = 64 * 1024;
/** Bytes needed to recognise every format. */
const MAGIC_LEN = 4;

export interface ReadCaptureOptions {
  /** Aborting stops reading at the next frame boundary (`-c N`, Ctrl-C); the result covers what was read. */
  signal?: AbortSignal | undefined;
  /** Called after each chunk: bytes read from the file so far (compressed bytes for gzip) and its size when known. */
  onProgress?: ((bytesRead: number, totalBytes: number | undefined) => void) | undefined;
  /** Read size for files (default 1 MiB). */
  chunkSize?: number | undefined;
  /**
   * Called between chunks. When it returns a promise, reading waits for it: backpressure from a
   * slow consumer (for instance `() => writer.backlogged ? writer.drain() : undefined`).
   */
  throttle?: (() => Promise<void> | undefined) | undefined;
}

/** Formats recognised by magic. */
export type DetectedFormat = 'pcap' | 'pcapng' | 'gzip';

/** The format of a capture from its first bytes (4 are enough; 2 for gzip), or undefined. */
export function detectFormat(head: Uint8Array): DetectedFormat | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length < MAGIC_LEN) return undefined;
  const magic = u32be(head, 0);
  if (pcapMagicKind(magic) !== undefined) return 'pcap';
  if (magic === BlockType.SHB) return 'pcapng';
  return undefined;
}

/** Parser types returned by `openCaptureParser`. */
export type CaptureFileParser = PcapParser | PcapngParser;

/**
 * A push parser for the capture whose first bytes are `firstBytes` (at least 4; they are not
 * consumed: push them too). For live capture and custom sources. gzip must be undone by the caller.
 */
export function openCaptureParser(
  firstBytes: Uint8Array,
  sink: CaptureSink,
  name = 'input',
): CaptureFileParser {
  const format = detectFormat(firstBytes);
  if (format === 'pcap') return new PcapParser(sink);
  if (format === 'pcapng') return new PcapngParser(sink);
  throw notACapture(name, firstBytes, false);
}

/**
 * Read a whole capture held in memory (tests, small inputs). gzip is undone in one go; a truncated
 * gzip stream yields what it holds.
 */
export function readCaptureBuffer(buf: Uint8Array, sink: CaptureSink, name = 'buffer'): CaptureResult {
  if (buf.length === 0) throw emptyInput(name);
  let data = buf;
  let compressed = false;
  if (detectFormat(buf) === 'gzip') {
    try {
      data = gunzipSync(buf, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new UserError(`${name}: corrupt gzip data: ${errorText(e)}`, ExitCode.input);
    }
    compressed = true;
    if (data.length === 0) throw new UserError(`${name}: gzip data decompresses to nothing`, ExitCode.input);
  }
  const parser = compressed ? openInner(data, sink, name) : openCaptureParser(data, sink, name);
  parser.info.compressed = compressed;
  parser.push(plain(data));
  parser.end();
  return parser.result();
}

/**
 * Read a capture file (`-` for standard input), pushing every frame and problem into `sink`.
 * Throws `UserError` (ExitCode.input) when the file cannot be opened, is empty, or is not a
 * capture. Damage inside the capture is not thrown: it is a fatal problem in the result, and the
 * frames before it have been delivered.
 */
export async function readCapture(
  path: string,
  sink: CaptureSink,
  opts: ReadCaptureOptions = {},
): Promise<CaptureResult> {
  if (path === '-') {
    if (process.stdin.isTTY) {
      throw new UserError(
        'standard input is a terminal: pipe a capture into it (... | wirelens read -) or give a file name',
        ExitCode.usage,
      );
    }
    return readCaptureStream(process.stdin, sink, opts, 'standard input');
  }
  const chunkSize = Math.max(MIN_CHUNK_SIZE, opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw cannotOpen(path, e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new UserError(`${path}: is a directory, not a capture file`, ExitCode.input);
    if (!st.isFile()) {
      // FIFO, character device, socket: a stream of unknown length.
      return await readCaptureStream(
        fh.createReadStream({ highWaterMark: chunkSize, autoClose: false }),
        sink,
        opts,
        path,
      );
    }
    const total = st.size;
    if (total === 0) throw emptyInput(path);
    const first = new Uint8Array(Math.min(chunkSize, Math.max(total, 64 * 1024)));
    let n: number;
    try {
      n = (await fh.read(first, 0, first.length, 0)).bytesRead;
    } catch (e) {
      throw cannotOpen(path, e);
    }
    if (n === 0) throw emptyInput(path);
    const head = first.subarray(0, n);
    const format = detectFormat(head);
    if (format === 'gzip') {
      const rest = fh.createReadStream({ start: n, highWaterMark: chunkSize, autoClose: false });
      return await readCaptureStream(prepend(head, rest), sink, opts, path, total);
    }
    if (format === undefined) throw notACapture(path, head, false);
    const parser = format === 'pcap' ? new PcapParser(sink) : new PcapngParser(sink);
    return await readFile(fh, first, n, total, parser, opts, path);
  } finally {
    await fh.close();
  }
}

/**
 * Read a capture from a byte stream (stdin, a socket, a FIFO): detect the format from its first
 * bytes, gunzip if needed, parse chunk by chunk. `totalBytes` is only passed to `onProgress`.
 */
export async function readCaptureStream(
  input: AsyncIterable<Uint8Array>,
  sink: CaptureSink,
  opts: ReadCaptureOptions = {},
  name = 'input',
  totalBytes?: number,
): Promise<CaptureResult> {
  const raw = { bytes: 0 };
  const it = counting(input[Symbol.asyncIterator](), raw);
  const first = await peek(it, name);
  if (first.head.length === 0) {
    await closeIterator(it, first.done);
    throw emptyInput(name);
  }
  if (detectFormat(first.head) !== 'gzip') {
    return parseStream(first.head, it, first.done, sink, opts, name, false, () => raw.bytes, totalBytes);
  }
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_SIZE });
  const source = Readable.from(first.done ? once(first.head) : prepend(first.head, iterable(it)), {
    objectMode: false,
  });
  pipeline(source, gunzip, () => {
    // Errors reach the consumer through the gunzip iterator.
  });
  const inner = gunzip[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let innerFirst: { head: Uint8Array; done: boolean };
  try {
    innerFirst = await peek(inner, name);
  } catch (e) {
    gunzip.destroy();
    if (e instanceof UserError) throw e;
    throw new UserError(`${name}: corrupt gzip data: ${errorText(e)}`, ExitCode.input);
  }
  if (innerFirst.head.length === 0) {
    gunzip.destroy();
    throw new UserError(`${name}: gzip data decompresses to nothing`, ExitCode.input);
  }
  try {
    return await parseStream(
      innerFirst.head,
      inner,
      innerFirst.done,
      sink,
      opts,
      name,
      true,
      () => raw.bytes,
      totalBytes,
    );
  } finally {
    gunzip.destroy();
  }
}

/** The double-buffered file loop: read chunk i+1 while chunk i is parsed. */
async function readFile(
  fh: FileHandle,
  first: Uint8Array,
  firstLen: number,
  total: number,
  parser: FileParser,
  opts: ReadCaptureOptions,
  name: string,
): Promise<CaptureResult> {
  const detach = attachSignal(opts.signal, parser);
  try {
    let cur: Uint8Array = first;
    let len = firstLen;
    let pos = firstLen;
    let other: Uint8Array = new Uint8Array(first.length);
    for (;;) {
      const pending = fh.read(other, 0, other.length, pos).then(
        (r) => r.bytesRead,
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      );
      parser.push(len === cur.length ? cur : cur.subarray(0, len));
      opts.onProgress?.(pos, total);
      if (parser.isHalted || parser.stopped) {
        await pending;
        break;
      }
      const wait = opts.throttle?.();
      if (wait !== undefined) await wait;
      const r = await pending;
      if (typeof r !== 'number') {
        parser.fail(CaptureProblemId.readError, `${name}: read error at offset ${pos}: ${r.message}`);
        break;
      }
      if (r === 0) break;
      pos += r;
      const t = cur;
      cur = other;
      other = t;
      len = r;
    }
    // After a fatal problem the rest of the file is not read; it still counts as skipped.
    if (total > pos) parser.skipUnread(total - pos);
    parser.end();
    return parser.result();
  } finally {
    detach();
  }
}

/** Parse a stream whose first bytes (`head`) were already taken from `it`. */
async function parseStream(
  head: Uint8Array,
  it: AsyncIterator<Uint8Array>,
  done: boolean,
  sink: CaptureSink,
  opts: ReadCaptureOptions,
  name: string,
  compressed: boolean,
  rawBytes: () => number,
  totalBytes: number | undefined,
): Promise<CaptureResult> {
  let parser: CaptureFileParser;
  try {
    parser = compressed ? openInner(head, sink, name) : openCaptureParser(head, sink, name);
  } catch (e) {
    await closeIterator(it, done);
    throw e;
  }
  parser.info.compressed = compressed;
  const detach = attachSignal(opts.signal, parser);
  try {
    parser.push(plain(head));
    opts.onProgress?.(rawBytes(), totalBytes);
    while (!done && !parser.isHalted && !parser.stopped) {
      const wait = opts.throttle?.();
      if (wait !== undefined) await wait;
      let r: IteratorResult<Uint8Array>;
      try {
        r = await it.next();
      } catch (e) {
        done = true;
        const gzip = compressed && isZlibError(e);
        parser.fail(
          gzip ? CaptureProblemId.gzipCorrupt : CaptureProblemId.readError,
          gzip
            ? `${name}: corrupt or truncated gzip data after ${parser.bytesConsumed} decompressed bytes: ${errorText(e)}`
            : `${name}: read error after ${parser.bytesConsumed} bytes: ${errorText(e)}`,
        );
        break;
      }
      if (r.done) {
        done = true;
        break;
      }
      parser.push(plain(r.value));
      opts.onProgress?.(rawBytes(), totalBytes);
    }
    parser.end();
    return parser.result();
  } finally {
    // Also when the sink threw: release the input (stdin would otherwise keep the process alive).
    await closeIterator(it, done);
    detach();
  }
}

/** Parser for decompressed data: gzip inside gzip is refused with a clear message. */
function openInner(head: Uint8Array, sink: CaptureSink, name: string): CaptureFileParser {
  const format = detectFormat(head);
  if (format === 'pcap') return new PcapParser(sink);
  if (format === 'pcapng') return new PcapngParser(sink);
  throw notACapture(name, head, true);
}

function attachSignal(signal: AbortSignal | undefined, parser: FileParser): () => void {
  if (signal === undefined) return () => {};
  if (signal.aborted) {
    parser.halt();
    return () => {};
  }
  const onAbort = () => parser.halt();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** Take chunks until at least MAGIC_LEN bytes (or the end); small first chunks are joined. */
async function peek(
  it: AsyncIterator<Uint8Array>,
  name: string,
): Promise<{ head: Uint8Array; done: boolean }> {
  const parts: Uint8Array[] = [];
  let n = 0;
  let done = false;
  try {
    while (n < MAGIC_LEN) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      if (r.value.length === 0) continue;
      parts.push(r.value);
      n += r.value.length;
    }
  } catch (e) {
    if (isZlibError(e)) throw e;
    throw cannotOpen(name, e);
  }
  if (parts.length === 1) return { head: parts[0] as Uint8Array, done };
  const head = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    head.set(p, o);
    o += p.length;
  }
  return { head, done };
}

async function closeIterator(it: AsyncIterator<Uint8Array>, done: boolean): Promise<void> {
  if (done || it.return === undefined) return;
  try {
    await it.return();
  } catch {
    // Closing an input we no longer need: nothing useful to report.
  }
}

/** An iterator that counts the bytes it passes (progress for compressed input). */
function counting(it: AsyncIterator<Uint8Array>, counter: { bytes: number }): AsyncIterator<Uint8Array> {
  return {
    async next() {
      const r = await it.next();
      if (!r.done) counter.bytes += r.value.length;
      return r;
    },
    async return() {
      if (it.return !== undefined) await it.return();
      return { done: true, value: undefined };
    },
  };
}

function iterable(it: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => it };
}

async function* once(head: Uint8Array): AsyncGenerator<Uint8Array> {
  yield head;
}

async function* prepend(head: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield head;
  yield* rest;
}

/**
 * The same bytes as a plain Uint8Array view (no copy). Streams deliver Buffers; frames are always
 * plain Uint8Arrays so that decoders see one array type (monomorphic, and Buffer's subarray is slower).
 */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function isZlibError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

function cannotOpen(path: string, e: unknown): UserError {
  const code = (e as { code?: unknown } | null)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : errorText(e);
  return new UserError(`cannot read ${path}: ${why}`, ExitCode.input);
}

function emptyInput(name: string): UserError {
  return new UserError(`${name}: empty file, not a capture`, ExitCode.input);
}

/** Formats we can name but not read, to make the error useful. */
const KNOWN_OTHERS: { magic: number[]; what: string }[] = [
  {
    magic: [0xa1, 0xb2, 0xcd, 0x34],
    what: 'a modified (Kuznetzov) pcap file; convert it with `editcap -F pcap`',
  },
  {
    magic: [0x34, 0xcd, 0xb2, 0xa1],
    what: 'a modified (Kuznetzov) pcap file; convert it with `editcap -F pcap`',
  },
  { magic: [0x73, 0x6e, 0x6f, 0x6f, 0x70], what: 'a Solaris snoop file; convert it with `editcap -F pcap`' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed; decompress it first (zstd -d)' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a], what: 'xz-compressed; decompress it first (xz -d)' },
  { magic: [0x42, 0x5a, 0x68], what: 'bzip2-compressed; decompress it first (bunzip2)' },
  { magic: [0x04, 0x22, 0x4d, 0x18], what: 'lz4-compressed; decompress it first (lz4 -d)' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive; extract the capture first' },
];

function notACapture(name: string, head: Uint8Array, insideGzip: boolean): UserError {
  const shown = head.subarray(0, 8);
  const hex = Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const ascii = Array.from(shown, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  const where = insideGzip ? 'gzip-compressed data is not a capture' : 'not a capture file';
  let known = '';
  if (insideGzip && detectFormat(head) === 'gzip')
    known = '; it is gzip inside gzip: decompress it once first';
  for (const k of KNOWN_OTHERS) {
    if (head.length >= k.magic.length && k.magic.every((b, i) => head[i] === b)) {
      known = `; it looks like ${k.what}`;
      break;
    }
  }
  const short = head.length < MAGIC_LEN ? ` (only ${head.length} byte${head.length === 1 ? '' : 's'})` : '';
  return new UserError(
    `${name}: ${where}${short}: first bytes ${hex} "${ascii}"${known}. ` +
      'Supported: pcap (microsecond or nanosecond, either byte order), pcapng, and either one gzip-compressed.',
    ExitCode.input,
  );
}
