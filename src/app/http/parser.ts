/**
 * Incremental HTTP/1.x message parser for one direction of a connection (RFC 9112).
 *
 * Fed in-order byte chunks of any size (`push`), known losses (`gap`) and the close (`end`), it
 * reports messages to a sink as events, synchronously, each stamped with the capture time and
 * packet number of the byte that caused it and that byte's offset in the direction's stream.
 *
 * Memory: a chunk is only read during `push`. What is kept across calls is bounded: the part of
 * a line not yet ended (at most the header budget, `maxHeaderBytes`, or `maxChunkLineBytes`),
 * a body preview (`previewBytes`) and the start of a compressed body (`decodeInputBytes`).
 * Lines are found with a byte loop; a line complete inside a chunk is parsed in place, and only
 * a line split across chunks is copied, once. Chunks are read as they come (any Uint8Array, no
 * Buffer made per chunk). Strings are built only from complete lines, and only for what is kept:
 * header lines are split and checked as bytes, and well-known names, methods and reason phrases
 * are matched as bytes and shared.
 *
 * Errors never throw: a malformed message becomes an anomaly, the message ends incomplete, and
 * the parser resynchronises on the next plausible start line, or stops (the rest is counted as
 * opaque) when none appears within `maxResyncBytes`.
 *
 * Invariant for consumers: every `messageStart` is followed by exactly one `messageEnd` (unless
 * the stream simply stops being fed); `head`, `body` and message anomalies come in between.
 */
import { anomaly } from '../../core/anomaly.js';
import { latin1 } from '../../core/bytes.js';
import { escapeBytes, isPlainBytes } from '../../core/escape.js';
import { HA } from './anomalies.js';
import { type ContentCoding, contentCodingOf, type DecodeOutcome, decodeBounded } from './decode.js';
import { KNOWN_METHODS, TCHAR } from './detect.js';
import {
  DEFAULT_HTTP_LIMITS,
  type HttpEvent,
  type HttpFraming,
  type HttpHead,
  HttpHeaders,
  type HttpLimits,
  type HttpMessageSummary,
  type HttpParserPhase,
  type HttpSide,
  type HttpSink,
} from './types.js';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

// Parser phases.
/** Between messages: skipping stray CR/LF, waiting for the first byte of a start line. */
const P_IDLE = 0;
/** Inside the start line. */
const P_START = 1;
/** Inside the header section. */
const P_HEADERS = 2;
/** Content-Length body. */
const P_BODY_LEN = 3;
/** Chunked: chunk-size line. */
const P_CHUNK_SIZE = 4;
/** Chunked: chunk data. */
const P_CHUNK_DATA = 5;
/** Chunked: the CRLF after chunk data. */
const P_CHUNK_END = 6;
/** Chunked: trailer section. */
const P_TRAILERS = 7;
/** Body delimited by the end of the connection. */
const P_UNTIL_CLOSE = 8;
/** Looking for the next plausible start line. */
const P_RESYNC = 9;
/** After a CONNECT or Upgrade request: do the next bytes still speak HTTP? */
const P_PROBE = 10;
/** Protocol switched (101, CONNECT 2xx): the rest is counted, not parsed. */
const P_OPAQUE = 11;
/** Gave up (resync limit, unsupported version): the rest is counted, not parsed. */
const P_STOPPED = 12;
/** `end()` was called. */
const P_ENDED = 13;

const PHASE_NAMES: readonly HttpParserPhase[] = [
  'idle',
  'head',
  'head',
  'body',
  'body',
  'body',
  'body',
  'body',
  'body',
  'resync',
  'probe',
  'opaque',
  'stopped',
  'ended',
];

// Once-per-message anomaly bits.
const F_BARE_LF = 1;
const F_OBS_FOLD = 2;
const F_BAD_LINE = 4;
const F_BAD_NAME = 8;
const F_TOO_MANY = 16;

/** Content-Length state: none seen, a valid value, or one of these. */
const CL_NONE = -1;
const CL_INVALID = -2;
const CL_CONFLICT = -3;
/** Digits beyond this make a length we do not believe (2^53 has 16 digits). */
const MAX_LENGTH_DIGITS = 15;
/** Significant hex digits of a chunk size (13 digits < 2^52). */
const MAX_CHUNK_DIGITS = 13;

const HEX_VALUE: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) {
    t[0x41 + c] = 10 + c;
    t[0x61 + c] = 10 + c;
  }
  return t;
})();

/** "HTTP/" */
const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f];

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function isOws(b: number | undefined): boolean {
  return b === SP || b === HT;
}

/**
 * Limits merged with the defaults; a frozen limits object (one for every connection, such as
 * `NO_PREVIEWS`) only once, not twice a connection.
 */
const MERGED = new WeakMap<Partial<HttpLimits>, HttpLimits>();

function withDefaultLimits(limits: Partial<HttpLimits>): HttpLimits {
  if (!Object.isFrozen(limits)) return { ...DEFAULT_HTTP_LIMITS, ...limits };
  let m = MERGED.get(limits);
  if (m === undefined) {
    m = Object.freeze({ ...DEFAULT_HTTP_LIMITS, ...limits });
    MERGED.set(limits, m);
  }
  return m;
}

/** `src[from..to)` into `dst` at `at`, cut to fit as `Buffer#copy` would. */
function copyInto(dst: Uint8Array, at: number, src: Uint8Array, from: number, to: number): void {
  const n = Math.min(to - from, dst.length - at);
  if (n > 0) dst.set(src.subarray(from, from + n), at);
}

/** A plain Content-Length value (1 to 15 ASCII digits) as a number, else -1. */
function plainLength(v: string): number {
  const n = v.length;
  if (n === 0 || n > MAX_LENGTH_DIGITS) return -1;
  let num = 0;
  for (let k = 0; k < n; k++) {
    const c = v.charCodeAt(k) - 0x30;
    if (c < 0 || c > 9) return -1;
    num = num * 10 + c;
  }
  return num;
}

/** Index of the first LF in `d[from..to)`, or -1 (lines are short: a loop beats a native call). */
function findLf(d: Uint8Array, from: number, to: number): number {
  for (let k = from; k < to; k++) if (d[k] === LF) return k;
  return -1;
}

/** "1.0", "1.1", …: version strings by major * 10 + minor (no string built per message). */
const VERSIONS: readonly string[] = Array.from({ length: 100 }, (_, v) => `${Math.floor(v / 10)}.${v % 10}`);

/** A string known in advance, matched against wire bytes exactly (case-sensitive). */
interface Interned {
  readonly bytes: Uint8Array;
  readonly str: string;
  /** Header names: the framing header it is (H_*), 0 for none. */
  readonly kind: number;
}

/** Interned strings by length (`table[len]`), built from `words`. */
function internTable(words: readonly string[], kindOf: (w: string) => number): Interned[][] {
  const table: Interned[][] = [];
  for (const w of words) {
    while (table.length <= w.length) table.push([]);
    (table[w.length] as Interned[]).push({ bytes: Buffer.from(w, 'latin1'), str: w, kind: kindOf(w) });
  }
  return table;
}

/** The interned string equal to bytes `from..to`, or undefined. */
function interned(table: Interned[][], buf: Uint8Array, from: number, to: number): Interned | undefined {
  const cands = table[to - from];
  if (cands === undefined) return undefined;
  const first = buf[from];
  for (let c = 0; c < cands.length; c++) {
    const e = cands[c] as Interned;
    const w = e.bytes;
    if (w[0] !== first) continue;
    let k = 1;
    while (k < w.length && w[k] === buf[from + k]) k++;
    if (k === w.length) return e;
  }
  return undefined;
}

interface PendingRequest {
  readonly method: string;
  readonly http09: boolean;
}

/** Per-message state: allocated at messageStart, dropped at messageEnd (idle parsers stay small). */
class Message {
  flags = 0;
  headBytes = 0;
  headParsed = false;
  method = '';
  target = '';
  version = '';
  minor = 0;
  status = 0;
  reason = '';
  requestMethod = '';
  hList: Array<readonly [string, string]> = [];
  hCount = 0;
  /** Which framing header the previous line was (for obs-fold continuations), 0 none. */
  lastSemantic = 0;
  cl = CL_NONE;
  teCount = 0;
  teChunked = 0;
  teLastChunked = false;
  connClose = false;
  connKeepAlive = false;
  connUpgrade = false;
  upgradeValue = '';
  hasUpgrade = false;
  contentEncoding = '';
  hostCount = 0;

  // Body.
  framing: HttpFraming = 'none';
  remaining = 0;
  wireTotal = 0;
  bodyTotal = 0;
  bodyGap = 0;
  pendWire = 0;
  pendBody = 0;
  /** Stream offset of the last body byte counted (the body event's offset). */
  lastBodyOff = 0;
  chunks = 0;
  chunkExts = 0;
  tList: Array<readonly [string, string]> | undefined;
  tBytes = 0;
  tCount = 0;
  preview: Uint8Array | undefined;
  previewLen = 0;
  coding: ContentCoding | undefined;
  decBuf: Uint8Array | undefined;
  decLen = 0;
  /** Input for decoding ended early (input cap or a gap). */
  decCut = false;
  decOut: DecodeOutcome | undefined;
}

/** Between messages: never written (frozen, so a stray write would fail loudly in tests). */
const IDLE: Message = Object.freeze(new Message()) as Message;

export class HttpStreamParser {
  readonly side: HttpSide;
  private readonly sink: HttpSink;
  private readonly limits: HttpLimits;

  private phase = P_IDLE;
  /** Stream offset of the current chunk's first byte (gaps included). */
  private base = 0;
  private ts = 0;
  private packet = 0;

  // Line assembly: the not-yet-ended part of a line split across chunks.
  private pend: Uint8Array | undefined;
  private pendLen = 0;
  /** Skip bytes up to and including the next LF (rest of an over-long or rejected line). */
  private discarding = false;
  private lineStart = 0;
  private lineTs = 0;
  private linePacket = 0;
  /** Bytes of the line just completed that came from earlier chunks (in `pend`). */
  private lineHave = 0;
  /**
   * While resynchronising: where each later chunk's part of the current line starts, with its
   * stamps ([offset, ts, packet] triples), so a start line found mid-line is stamped exactly.
   */
  private marks: Float64Array | undefined;
  private markCount = 0;

  // Start-line prefix check (method token then SP; or "HTTP/"), done byte by byte as it arrives.
  private pfxDone = false;
  private pfxCount = 0;

  // The current message.
  private msg = 0;
  private inMessage = false;
  private isRequest: boolean;
  /** The current message (a shared, frozen placeholder between messages). */
  private m: Message = IDLE;

  // Direction state.
  private closeAnnounced = false;
  private afterCloseFlagged = false;
  private readonly expect: PendingRequest[] = [];
  private expectHead = 0;
  private probeKind: 'upgrade' | 'connect' = 'upgrade';
  private probeInfo = '';
  private switchAfterMessage: 'upgrade' | 'connect' | undefined;
  private resyncStart = 0;

  // Statistics.
  private gapTotal = 0;
  private opaqueTotal = 0;
  private skippedTotal = 0;

  constructor(side: HttpSide, sink: HttpSink, limits?: Partial<HttpLimits>) {
    this.side = side;
    this.sink = sink;
    this.limits = limits ? withDefaultLimits(limits) : DEFAULT_HTTP_LIMITS;
    this.isRequest = side === 'request';
  }

  /** What the parser is doing now. */
  get phaseName(): HttpParserPhase {
    return PHASE_NAMES[this.phase] as HttpParserPhase;
  }

  /** Bytes held between calls (line buffer, preview, compressed body start). */
  get bufferedBytes(): number {
    return (this.pend?.length ?? 0) + (this.m.preview?.length ?? 0) + (this.m.decBuf?.length ?? 0);
  }

  get stats(): {
    bytes: number;
    messages: number;
    gapBytes: number;
    opaqueBytes: number;
    skippedBytes: number;
  } {
    return {
      bytes: this.base,
      messages: this.msg,
      gapBytes: this.gapTotal,
      opaqueBytes: this.opaqueTotal,
      skippedBytes: this.skippedTotal,
    };
  }

  /** Requests announced with `expectResponseTo` and not yet answered by a final response. */
  get pendingResponses(): number {
    return this.expect.length - this.expectHead;
  }

  /**
   * Response parser only: a request was sent; responses answer requests in order (pipelining).
   * The method decides framing (HEAD: no body; CONNECT 2xx: tunnel); `version` `0.9` means the
   * response has no status line.
   */
  expectResponseTo(method: string, version?: string): void {
    if (this.expect.length - this.expectHead >= this.limits.maxPendingRequests) {
      this.expectHead++;
      this.emitAnomaly(HA['http.too-many-pending'], this.base, `more than ${this.limits.maxPendingRequests}`);
    }
    if (this.expectHead > 64 && this.expectHead * 2 > this.expect.length) {
      this.expect.splice(0, this.expectHead);
      this.expectHead = 0;
    }
    this.expect.push({ method, http09: version === '0.9' });
  }

  /**
   * The other direction switched protocols (a 101, or a 2xx to CONNECT): stop parsing this one
   * at the next message boundary. Called by the transaction layer with the response's time.
   */
  protocolSwitched(kind: 'upgrade' | 'connect', ts: number, packet: number): void {
    if (this.phase === P_OPAQUE || this.phase === P_STOPPED || this.phase === P_ENDED) return;
    this.ts = ts;
    this.packet = packet;
    if (this.phase === P_IDLE || this.phase === P_PROBE || this.phase === P_RESYNC) {
      const info = this.phase === P_PROBE ? this.probeInfo : '';
      this.emitSwitch(kind, info, true, this.base);
      this.discarding = false;
      this.pendLen = 0;
      this.phase = P_OPAQUE;
    } else {
      this.switchAfterMessage = kind;
    }
  }

  push(chunk: Uint8Array, ts: number, packet: number): void {
    if (this.phase === P_ENDED) return;
    this.ts = ts;
    this.packet = packet;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.phase) {
        case P_IDLE:
          i = this.idle(chunk, i);
          break;
        case P_START:
          i = this.startLine(chunk, i);
          break;
        case P_HEADERS:
          i = this.readLine(chunk, i, n, this.limits.maxHeaderBytes - this.m.headBytes);
          break;
        case P_TRAILERS:
          i = this.readLine(chunk, i, n, this.limits.maxHeaderBytes - this.m.tBytes);
          break;
        case P_CHUNK_SIZE:
        case P_CHUNK_END:
          i = this.readLine(chunk, i, n, this.limits.maxChunkLineBytes);
          break;
        case P_BODY_LEN:
        case P_CHUNK_DATA:
          i = this.countedBody(chunk, i);
          break;
        case P_UNTIL_CLOSE:
          this.bodyData(chunk, i, n, this.base + i);
          i = n;
          break;
        case P_RESYNC:
          i = this.resync(chunk, i);
          break;
        case P_PROBE:
          i = this.probe(chunk, i);
          break;
        default:
          // P_OPAQUE, P_STOPPED
          this.opaqueTotal += n - i;
          i = n;
      }
    }
    this.flushBody();
    this.base += n;
  }

  gap(bytes: number, ts: number, packet: number): void {
    if (this.phase === P_ENDED || bytes <= 0) return;
    this.flushBody();
    this.ts = ts;
    this.packet = packet;
    this.gapTotal += bytes;
    const at = this.base;
    const after = at + bytes;
    switch (this.phase) {
      case P_IDLE:
      case P_PROBE:
        this.emitAnomaly(HA['http.gap-between-messages'], at, `${bytes} bytes`);
        this.enterResync(after);
        break;
      case P_START:
      case P_HEADERS:
        this.emitAnomaly(HA['http.gap-in-headers'], at, `${bytes} bytes`);
        this.endMessage(false, at);
        this.enterResync(after);
        break;
      case P_BODY_LEN:
      case P_CHUNK_DATA: {
        const inBody = Math.min(bytes, this.m.remaining);
        this.emitAnomaly(HA['http.gap-in-body'], at, `${bytes} bytes`);
        this.bodyGapBytes(inBody);
        this.m.remaining -= inBody;
        this.flushBodyAt(at + inBody - 1);
        if (inBody < bytes) {
          // The gap swallowed the end of the body or chunk: the framing is lost.
          this.endMessage(false, at + inBody - 1);
          this.enterResync(after);
        } else if (this.m.remaining === 0) {
          if (this.phase === P_BODY_LEN) {
            this.afterMessage(after - 1, this.keepAlive(), this.isRequest ? this.requestNext() : P_IDLE);
          } else {
            this.phase = P_CHUNK_END;
          }
        }
        break;
      }
      case P_CHUNK_SIZE:
      case P_CHUNK_END:
      case P_TRAILERS:
        this.emitAnomaly(HA['http.gap-in-body'], at, `${bytes} bytes in chunk framing`);
        this.endMessage(false, at);
        this.enterResync(after);
        break;
      case P_UNTIL_CLOSE:
        this.emitAnomaly(HA['http.gap-in-body'], at, `${bytes} bytes`);
        this.bodyGapBytes(bytes);
        this.flushBodyAt(after - 1);
        break;
      case P_RESYNC:
        this.pendLen = 0;
        this.discarding = false;
        if (after - this.resyncStart >= this.limits.maxResyncBytes) this.stop(this.resyncStart);
        break;
      default:
        // P_OPAQUE, P_STOPPED
        this.opaqueTotal += bytes;
    }
    this.base = after;
  }

  /** The connection closed in this direction. */
  end(ts: number, packet: number): void {
    if (this.phase === P_ENDED) return;
    this.flushBody();
    this.ts = ts;
    this.packet = packet;
    const at = this.base;
    switch (this.phase) {
      case P_START:
      case P_HEADERS:
      case P_CHUNK_SIZE:
      case P_CHUNK_DATA:
      case P_CHUNK_END:
      case P_TRAILERS:
        this.emitAnomaly(
          HA['http.unfinished-message'],
          at,
          `closed ${this.phaseName === 'head' ? 'in the head' : 'in a chunked body'}`,
        );
        this.endMessage(false, at);
        break;
      case P_BODY_LEN:
        this.emitAnomaly(
          HA['http.content-length-mismatch'],
          at,
          `closed after ${this.m.bodyTotal} of ${this.m.bodyTotal + this.m.remaining} bytes`,
        );
        this.endMessage(false, at);
        break;
      case P_UNTIL_CLOSE:
        this.endMessage(this.m.bodyGap === 0, at);
        break;
      case P_RESYNC:
        this.skippedTotal += Math.max(0, at - this.resyncStart);
        break;
      default:
    }
    this.pend = undefined;
    this.pendLen = 0;
    this.phase = P_ENDED;
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  private get messageNo(): number {
    return this.inMessage ? this.msg : 0;
  }

  private emit(e: HttpEvent): void {
    this.sink.event(e);
  }

  private emitAnomaly(id: string, offset: number, detail?: string): void {
    this.flushBody();
    this.emit({
      kind: 'anomaly',
      side: this.side,
      ts: this.ts,
      packet: this.packet,
      offset,
      message: this.messageNo,
      anomaly: anomaly(id, 'http', offset, detail),
    });
  }

  /** Once-per-message anomaly. */
  private flag(bit: number, id: string, offset: number, detail?: string): void {
    if ((this.m.flags & bit) !== 0) return;
    this.m.flags |= bit;
    this.emitAnomaly(id, offset, detail);
  }

  private emitSwitch(kind: 'upgrade' | 'connect', info: string, confirmed: boolean, offset: number): void {
    this.flushBody();
    const { side, ts, packet } = this;
    if (kind === 'upgrade')
      this.emit({ kind, side, ts, packet, offset, message: 0, protocol: info, confirmed });
    else this.emit({ kind, side, ts, packet, offset, message: 0, authority: info, confirmed });
  }

  /** Report body progress accumulated in this push (before any other event, and at its end). */
  private flushBody(): void {
    if (this.m.pendWire === 0 && this.m.pendBody === 0) return;
    this.flushBodyAt(this.m.lastBodyOff);
  }

  private flushBodyAt(offset: number): void {
    if (this.m.pendWire === 0 && this.m.pendBody === 0) return;
    const wireBytes = this.m.pendWire;
    const bodyBytes = this.m.pendBody;
    this.m.pendWire = 0;
    this.m.pendBody = 0;
    this.emit({
      kind: 'body',
      side: this.side,
      ts: this.ts,
      packet: this.packet,
      offset,
      message: this.messageNo,
      wireBytes,
      bodyBytes,
      wireTotal: this.m.wireTotal,
      bodyTotal: this.m.bodyTotal,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  /** A message starts at stream offset `at` (events use the current ts/packet). */
  private beginMessage(at: number): void {
    this.msg++;
    this.inMessage = true;
    this.m = new Message();
    this.pfxDone = false;
    this.pfxCount = 0;
    this.emit({
      kind: 'messageStart',
      side: this.side,
      ts: this.ts,
      packet: this.packet,
      offset: at,
      message: this.msg,
    });
  }

  /** Close the current message (if any) and emit messageEnd. `offset`: last byte of it. */
  private endMessage(complete: boolean, offset: number): void {
    if (!this.inMessage) return;
    this.flushBody();
    const done = complete && this.m.bodyGap === 0;
    if (this.m.coding !== undefined) {
      if (this.m.decOut === undefined && this.m.decLen > 0) this.runDecode(done);
      const out = this.m.decOut;
      if (out?.error !== undefined)
        this.emitAnomaly(HA['http.decode-error'], offset, `${this.m.coding}: ${out.error}`);
      if (out?.limited) {
        this.emitAnomaly(
          HA['http.decode-limit'],
          offset,
          `more than ${this.limits.decodeOutputBytes} bytes after ${this.m.coding} decoding`,
        );
      }
    }
    const s: {
      -readonly [K in keyof HttpMessageSummary]: HttpMessageSummary[K];
    } = {
      framing: this.m.framing,
      complete: done,
      headParsed: this.m.headParsed,
      headerBytes: this.m.headParsed ? this.m.headBytes : 0,
      wireLength: this.m.wireTotal,
      bodyLength: this.m.bodyTotal,
      gapBytes: this.m.bodyGap,
    };
    if (this.m.framing === 'content-length') s.contentLength = this.m.bodyTotal + this.m.remaining;
    if (this.m.framing === 'chunked') {
      s.chunks = this.m.chunks;
      s.chunkExtensions = this.m.chunkExts;
      if (this.m.tList !== undefined && this.m.tList.length > 0) s.trailers = new HttpHeaders(this.m.tList);
    }
    if (this.m.preview !== undefined) s.preview = this.m.preview.subarray(0, this.m.previewLen);
    if (this.m.coding !== undefined) {
      s.contentEncoding = this.m.coding;
      const out = this.m.decOut;
      if (out !== undefined) {
        if (out.length !== undefined && done) s.decodedLength = out.length;
        s.decodedPreview = out.preview;
      } else if (this.m.bodyTotal === 0 && done) {
        s.decodedLength = 0;
      }
    }
    // A response that broke before its head still answered a request: keep the queue aligned.
    if (!this.isRequest && !this.m.headParsed && this.expectHead < this.expect.length) this.expectHead++;
    this.emit({
      kind: 'messageEnd',
      side: this.side,
      ts: this.ts,
      packet: this.packet,
      offset,
      message: this.msg,
      summary: s,
    });
    this.inMessage = false;
    this.m = IDLE;
  }

  /** A message finished normally: what comes next in this direction. */
  private afterMessage(offset: number, keepAlive: boolean, next: number): void {
    this.endMessage(true, offset);
    if (!keepAlive) this.closeAnnounced = true;
    const sw = this.switchAfterMessage;
    if (sw !== undefined && next !== P_OPAQUE && next !== P_STOPPED) {
      this.switchAfterMessage = undefined;
      this.emitSwitch(sw, '', true, offset);
      this.phase = P_OPAQUE;
      return;
    }
    this.phase = next;
  }

  private enterResync(from: number): void {
    this.inMessage = false;
    this.phase = P_RESYNC;
    this.resyncStart = from;
    this.pendLen = 0;
  }

  private stop(from: number): void {
    const at = from + this.limits.maxResyncBytes - 1;
    this.skippedTotal += this.limits.maxResyncBytes;
    this.emitAnomaly(HA['http.stopped'], at, `no start line in ${this.limits.maxResyncBytes} bytes`);
    this.phase = P_STOPPED;
    this.pendLen = 0;
    this.discarding = false;
  }

  // ---------------------------------------------------------------------------------------------
  // Phases

  private idle(d: Uint8Array, i: number): number {
    const n = d.length;
    while (i < n) {
      const b = d[i] as number;
      if (b !== CR && b !== LF) break;
      i++;
    }
    if (i === n) return n;
    this.beginMessage(this.base + i);
    if (this.closeAnnounced && !this.afterCloseFlagged) {
      this.afterCloseFlagged = true;
      this.emitAnomaly(HA['http.data-after-close'], this.base + i);
    }
    this.lineStart = this.base + i;
    this.lineTs = this.ts;
    this.linePacket = this.packet;
    this.phase = P_START;
    if (!this.isRequest) {
      if (this.expect[this.expectHead]?.http09) this.startHttp09(this.base + i);
    }
    return i;
  }

  private startLine(d: Uint8Array, i: number): number {
    const n = d.length;
    if (!this.pfxDone) {
      for (let j = i; j < n; j++) {
        const b = d[j] as number;
        let ok: boolean;
        if (this.isRequest) {
          if (b === SP && this.pfxCount > 0) {
            this.pfxDone = true;
            break;
          }
          ok = TCHAR[b] === 1 && ++this.pfxCount <= this.limits.maxMethodBytes;
        } else {
          ok = b === HTTP_SLASH[this.pfxCount];
          if (ok && ++this.pfxCount === HTTP_SLASH.length) {
            this.pfxDone = true;
            break;
          }
        }
        if (!ok) return this.startRejected(i, j);
      }
    }
    return this.readLine(d, i, n, this.limits.maxHeaderBytes);
  }

  /** The start line cannot be one (byte `j` is wrong); bytes from `i` belong to it. */
  private startRejected(i: number, j: number): number {
    const at = this.base + j;
    if (!this.isRequest && this.msg === 1) {
      // No status line at the start of the server's stream: an HTTP/0.9 response.
      this.startHttp09(at);
      if (this.pend !== undefined) this.bodyData(this.pend, 0, this.pendLen, this.lineStart);
      this.pendLen = 0;
      return i;
    }
    const id = this.isRequest ? HA['http.bad-request-line'] : HA['http.bad-status-line'];
    this.emitAnomaly(id, at, this.isRequest ? 'not a method token' : 'does not start with HTTP/');
    this.endMessage(false, at);
    // Keep the line read so far: a start line may still end it (after leftover body bytes).
    this.phase = P_RESYNC;
    this.resyncStart = this.lineStart;
    return i;
  }

  /** An HTTP/0.9 response: no status line, no headers, the body runs to the close. */
  private startHttp09(at: number): void {
    this.emitAnomaly(HA['http.version-0.9'], at, 'response without a status line');
    const e = this.expect[this.expectHead];
    if (e !== undefined) {
      this.expectHead++;
      this.m.requestMethod = e.method;
    }
    this.m.version = '0.9';
    this.m.headParsed = true;
    this.emitHead(at);
    this.m.framing = 'until-close';
    this.phase = P_UNTIL_CLOSE;
  }

  private probe(d: Uint8Array, i: number): number {
    const b = d[i] as number;
    if (TCHAR[b] === 1 || b === CR || b === LF) {
      this.phase = P_IDLE;
      return i;
    }
    // The client speaks something else: the server must have agreed (or the client did not wait).
    this.emitSwitch(this.probeKind, this.probeInfo, false, this.base + i);
    this.phase = P_OPAQUE;
    return i;
  }

  /**
   * Read one line (up to LF) of at most `cap` bytes (LF included) from `d[i..end)`, parse it when
   * complete. A longer line goes to `lineTooLong`. Returns the next index.
   */
  private readLine(d: Uint8Array, i: number, end: number, cap: number): number {
    if (this.discarding) {
      const lf = findLf(d, i, end);
      if (lf < 0) return end;
      this.discarding = false;
      return lf + 1;
    }
    const have = this.pendLen;
    if (have === 0) {
      this.lineStart = this.base + i;
      this.lineTs = this.ts;
      this.linePacket = this.packet;
      this.markCount = 0;
    } else if (this.phase === P_RESYNC || this.phase === P_START) {
      this.mark(this.base + i);
    }
    const lf = findLf(d, i, end);
    if (lf < 0) {
      if (have + (end - i) >= cap) {
        this.pendLen = 0;
        this.discarding = true;
        this.lineTooLong(cap);
        return end;
      }
      this.append(d, i, end);
      return end;
    }
    if (have + (lf + 1 - i) > cap) {
      this.pendLen = 0;
      this.lineTooLong(cap);
      return lf + 1;
    }
    this.lineHave = have;
    if (have === 0) {
      this.onLine(d, i, lf);
    } else {
      this.append(d, i, lf + 1);
      const buf = this.pend as Uint8Array;
      this.pendLen = 0;
      this.onLine(buf, 0, have + (lf - i));
      if (buf.length > 4096 && this.pend === buf) this.pend = undefined;
    }
    return lf + 1;
  }

  private append(d: Uint8Array, from: number, to: number): void {
    const need = this.pendLen + (to - from);
    let buf = this.pend;
    if (buf === undefined || buf.length < need) {
      let size = buf === undefined ? 256 : buf.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      if (buf !== undefined && this.pendLen > 0) grown.set(buf.subarray(0, this.pendLen));
      this.pend = grown;
      buf = grown;
    }
    buf.set(d.subarray(from, to), this.pendLen);
    this.pendLen = need;
  }

  /** The current line exceeds `cap` bytes; the byte deciding it is at lineStart + cap - 1. */
  private lineTooLong(cap: number): void {
    const at = this.lineStart + Math.max(cap, 1) - 1;
    switch (this.phase) {
      case P_START:
      case P_HEADERS:
        this.emitAnomaly(HA['http.header-too-large'], at, `more than ${this.limits.maxHeaderBytes} bytes`);
        this.endMessage(false, at);
        this.enterResync(at + 1);
        break;
      case P_TRAILERS:
        this.emitAnomaly(
          HA['http.header-too-large'],
          at,
          `trailers over ${this.limits.maxHeaderBytes} bytes`,
        );
        this.endMessage(false, at);
        this.enterResync(at + 1);
        break;
      case P_CHUNK_SIZE:
      case P_CHUNK_END:
        this.emitAnomaly(
          this.phase === P_CHUNK_SIZE ? HA['http.bad-chunk-size'] : HA['http.bad-chunk-end'],
          at,
          `line longer than ${this.limits.maxChunkLineBytes} bytes`,
        );
        this.endMessage(false, at);
        this.enterResync(at + 1);
        break;
      default:
        // P_RESYNC: an over-long line is simply not a start line.
        break;
    }
    // The rest of the line, up to its LF, is skipped (in resync).
    this.phase = this.phase === P_STOPPED ? P_STOPPED : P_RESYNC;
  }

  /** A complete line `buf[s..lf)` (LF at `lf`, CR before it if any). */
  private onLine(buf: Uint8Array, s: number, lf: number): void {
    const len = lf + 1 - s;
    const lfAt = this.lineStart + (lf - s);
    let ce = lf;
    if (ce > s && buf[ce - 1] === CR) ce--;
    else if (this.phase !== P_RESYNC) this.flag(F_BARE_LF, HA['http.bare-lf'], lfAt);
    switch (this.phase) {
      case P_START:
        this.m.headBytes = len;
        if (this.isRequest) this.requestLine(buf, s, ce, lf, lfAt);
        else this.statusLine(buf, s, ce, lfAt);
        break;
      case P_HEADERS:
        this.m.headBytes += len;
        if (ce === s) this.finishHead(lfAt);
        else this.headerLine(buf, s, ce, lfAt, false);
        break;
      case P_TRAILERS:
        this.m.tBytes += len;
        this.m.wireTotal += len;
        this.m.pendWire += len;
        this.m.lastBodyOff = lfAt;
        if (ce === s) this.afterMessage(lfAt, this.keepAlive(), P_IDLE);
        else this.headerLine(buf, s, ce, lfAt, true);
        break;
      case P_CHUNK_SIZE:
        this.m.wireTotal += len;
        this.m.pendWire += len;
        this.m.lastBodyOff = lfAt;
        this.chunkSizeLine(buf, s, ce, lfAt);
        break;
      case P_CHUNK_END:
        this.m.wireTotal += len;
        this.m.pendWire += len;
        this.m.lastBodyOff = lfAt;
        if (ce !== s) {
          this.emitAnomaly(HA['http.bad-chunk-end'], lfAt, 'chunk data longer than its size');
          this.endMessage(false, lfAt);
          this.enterResync(lfAt + 1);
        } else {
          this.phase = P_CHUNK_SIZE;
        }
        break;
      case P_RESYNC:
        this.resyncLine(buf, s, ce, lf);
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Start lines

  private requestLine(buf: Uint8Array, s: number, ce: number, lf: number, lfAt: number): void {
    let sp1 = s;
    while (sp1 < ce && buf[sp1] !== SP) sp1++;
    this.m.method = interned(METHODS, buf, s, sp1)?.str ?? escapeBytes(buf, s, sp1);
    if (
      !isUpperMethod(buf, s, sp1) &&
      !KNOWN_METHODS.has(this.m.method) &&
      findRequestStart(buf, s, ce) > s
    ) {
      // "hello!GET / HTTP/1.1": bytes left over from the previous message, then a request.
      this.emitAnomaly(HA['http.bad-request-line'], lfAt, 'bytes before the request line');
      this.endMessage(false, lfAt);
      this.phase = P_RESYNC;
      this.resyncStart = this.lineStart;
      this.resyncLine(buf, s, ce, lf);
      return;
    }
    let sp2 = ce - 1;
    while (sp2 > sp1 && buf[sp2] !== SP) sp2--;
    if (sp2 <= sp1) {
      // No version: the HTTP/0.9 simple request "GET SP target".
      if (this.m.method === 'GET' && ce > sp1 + 1 && buf[sp1 + 1] !== SP) {
        this.m.target = escapeBytes(buf, sp1 + 1, ce);
        this.m.version = '0.9';
        this.emitAnomaly(HA['http.version-0.9'], lfAt, 'request without a version');
        this.checkTarget(buf, sp1 + 1, ce, lfAt);
        this.m.headParsed = true;
        this.emitHead(lfAt);
        this.afterMessage(lfAt, false, P_IDLE);
        return;
      }
      this.badStartLine(lfAt, 'no HTTP version');
      return;
    }
    const major = this.parseVersion(buf, sp2 + 1, ce);
    if (major <= 0) {
      this.badStartLine(lfAt, 'no HTTP version');
      return;
    }
    if (sp2 === sp1 + 1) {
      this.badStartLine(lfAt, 'empty request target');
      return;
    }
    if (major !== 1) {
      this.unsupported(lfAt, major);
      return;
    }
    // The target ends at the next space, as tshark and Zeek read it: extra words before the version
    // ("CONNECT host:25 / HTTP/1.0") are not part of it, and are flagged.
    let te = sp1 + 1;
    while (te < sp2 && buf[te] !== SP) te++;
    this.m.target = escapeBytes(buf, sp1 + 1, te);
    // checkTarget finds nothing in a target of printable bytes that ends at the version's space.
    if (te < sp2 || !isPlainBytes(buf, sp1 + 1, te)) this.checkTarget(buf, sp1 + 1, sp2, lfAt);
    this.phase = P_HEADERS;
  }

  private checkTarget(buf: Uint8Array, from: number, to: number, lfAt: number): void {
    for (let k = from; k < to; k++) {
      const b = buf[k] as number;
      if (b <= SP || b === 0x7f) {
        this.emitAnomaly(HA['http.bad-request-target'], lfAt, b === SP ? 'space' : 'control character');
        return;
      }
    }
  }

  /** `HTTP/` DIGIT `.` DIGIT exactly filling buf[from..to): returns the major version, or -1. */
  private parseVersion(buf: Uint8Array, from: number, to: number): number {
    if (to - from !== 8) return -1;
    for (let k = 0; k < 5; k++) if (buf[from + k] !== HTTP_SLASH[k]) return -1;
    const maj = buf[from + 5];
    const min = buf[from + 7];
    if (!isDigit(maj) || buf[from + 6] !== 0x2e || !isDigit(min)) return -1;
    this.m.minor = (min as number) - 0x30;
    this.m.version = VERSIONS[((maj as number) - 0x30) * 10 + this.m.minor] as string;
    return (maj as number) - 0x30;
  }

  private statusLine(buf: Uint8Array, s: number, ce: number, lfAt: number): void {
    // "HTTP/" is checked already: DIGIT "." DIGIT SP 3DIGIT [ SP reason ]
    const major = this.parseVersion(buf, s, s + 8);
    const c0 = buf[s + 9];
    const c1 = buf[s + 10];
    const c2 = buf[s + 11];
    if (major <= 0 || ce < s + 12 || buf[s + 8] !== SP || !isDigit(c0) || !isDigit(c1) || !isDigit(c2)) {
      this.badStartLine(lfAt, 'not HTTP/x.y SP 3DIGIT');
      return;
    }
    if (ce > s + 12 && buf[s + 12] !== SP) {
      this.badStartLine(lfAt, 'status code longer than 3 digits');
      return;
    }
    const status = ((c0 as number) - 0x30) * 100 + ((c1 as number) - 0x30) * 10 + ((c2 as number) - 0x30);
    if (status < 100) {
      this.badStartLine(lfAt, `status ${status}`);
      return;
    }
    if (major !== 1) {
      this.unsupported(lfAt, major);
      return;
    }
    this.m.status = status;
    this.m.reason =
      ce > s + 13 ? (interned(REASONS, buf, s + 13, ce)?.str ?? escapeBytes(buf, s + 13, ce)) : '';
    this.phase = P_HEADERS;
  }

  private badStartLine(lfAt: number, detail: string): void {
    const id = this.isRequest ? HA['http.bad-request-line'] : HA['http.bad-status-line'];
    this.emitAnomaly(id, lfAt, detail);
    this.endMessage(false, lfAt);
    this.enterResync(lfAt + 1);
  }

  private unsupported(lfAt: number, major: number): void {
    this.emitAnomaly(
      HA['http.unsupported-version'],
      lfAt,
      this.m.method === 'PRI' ? 'HTTP/2 connection preface' : `HTTP major version ${major}`,
    );
    this.endMessage(false, lfAt);
    this.phase = P_STOPPED;
  }

  // ---------------------------------------------------------------------------------------------
  // Header section

  private headerLine(buf: Uint8Array, s: number, ce: number, lfAt: number, trailer: boolean): void {
    const first = buf[s] as number;
    if (trailer && this.m.tList === undefined) this.m.tList = [];
    const list = trailer ? (this.m.tList as Array<readonly [string, string]>) : this.m.hList;
    const count = trailer ? this.m.tCount : this.m.hCount;
    if (first === SP || first === HT) {
      if (count === 0) {
        this.flag(F_BAD_LINE, HA['http.bad-header-line'], lfAt, 'whitespace before the first header');
        return;
      }
      // obs-fold (RFC 9112 §5.2): replace with SP, append to the previous value.
      this.flag(F_OBS_FOLD, HA['http.obs-fold'], lfAt);
      let vs = s;
      let ve = ce;
      while (vs < ve && isOws(buf[vs])) vs++;
      while (ve > vs && isOws(buf[ve - 1])) ve--;
      const more = escapeBytes(buf, vs, ve);
      const last = list[list.length - 1];
      if (last !== undefined && count <= this.limits.maxHeaders) {
        list[list.length - 1] = [last[0], last[1] === '' ? more : `${last[1]} ${more}`];
      }
      if (!trailer && this.m.lastSemantic !== 0) this.semantic(this.m.lastSemantic, more);
      return;
    }
    // Bytes are scanned once; strings are made only for the name (unless a well-known one) and
    // the value. A name of tchars is printable ASCII; a value is escaped only if it needs to be.
    let c = s;
    let badChar = false;
    while (c < ce) {
      const b = buf[c] as number;
      if (b === COLON) break;
      if (TCHAR[b] !== 1) badChar = true;
      c++;
    }
    if (c === ce) {
      this.flag(F_BAD_LINE, HA['http.bad-header-line'], lfAt, 'no colon');
      this.m.lastSemantic = 0;
      return;
    }
    let ne = c;
    while (ne > s && isOws(buf[ne - 1])) ne--;
    if (ne === s) {
      this.flag(F_BAD_NAME, HA['http.bad-header-name'], lfAt, 'empty name');
      this.m.lastSemantic = 0;
      return;
    }
    if (ne < c) this.flag(F_BAD_NAME, HA['http.bad-header-name'], lfAt, 'whitespace before the colon');
    else if (badChar)
      this.flag(F_BAD_NAME, HA['http.bad-header-name'], lfAt, 'character outside the token set');
    let vs = c + 1;
    let ve = ce;
    while (vs < ve && isOws(buf[vs])) vs++;
    while (ve > vs && isOws(buf[ve - 1])) ve--;
    const known = badChar ? undefined : interned(HEADER_NAMES, buf, s, ne);
    const name = known !== undefined ? known.str : escapeBytes(buf, s, ne);
    const value = escapeBytes(buf, vs, ve);
    const n = count + 1;
    if (trailer) this.m.tCount = n;
    else this.m.hCount = n;
    if (n <= this.limits.maxHeaders) list.push([name, value]);
    else this.flag(F_TOO_MANY, HA['http.too-many-headers'], lfAt, `more than ${this.limits.maxHeaders}`);
    if (trailer) return;
    const kind = known !== undefined ? known.kind : semanticKind(name);
    this.m.lastSemantic = kind;
    if (kind !== 0) this.semantic(kind, value);
  }

  /** Interpret a header that decides framing or connection handling. */
  private semantic(kind: number, value: string): void {
    if (kind === H_HOST) {
      this.m.hostCount++;
      return;
    }
    if (kind === H_CONTENT_LENGTH) {
      // The usual value: 1 to 15 digits (as /^\d{1,15}$/ would say), read without a regex.
      const num = plainLength(value);
      if (num >= 0) {
        if (this.m.cl === CL_NONE) this.m.cl = num;
        else if (this.m.cl >= 0 && this.m.cl !== num) this.m.cl = CL_CONFLICT;
        return;
      }
    } else if (kind === H_TRANSFER_ENCODING && value === 'chunked') {
      this.m.teCount++;
      this.m.teLastChunked = true;
      this.m.teChunked++;
      return;
    }
    // Upgrade uses the value as is; the others compare it lowercased.
    const lower = kind === H_UPGRADE ? value : value.toLowerCase();
    switch (kind) {
      case H_CONTENT_LENGTH:
        // RFC 9110 §8.6: a list of identical values is the same as one.
        for (const part of lower.split(',')) {
          const v = part.trim();
          let ok = v.length > 0 && v.length <= MAX_LENGTH_DIGITS;
          for (let k = 0; ok && k < v.length; k++) ok = isDigit(v.charCodeAt(k));
          if (!ok) {
            this.m.cl = CL_INVALID;
            continue;
          }
          const num = Number(v);
          if (this.m.cl === CL_NONE) this.m.cl = num;
          else if (this.m.cl >= 0 && this.m.cl !== num) this.m.cl = CL_CONFLICT;
        }
        break;
      case H_TRANSFER_ENCODING:
        for (const part of lower.split(',')) {
          const coding = (part.split(';')[0] as string).trim();
          if (coding === '') continue;
          this.m.teCount++;
          this.m.teLastChunked = coding === 'chunked';
          if (this.m.teLastChunked) this.m.teChunked++;
        }
        break;
      case H_CONNECTION:
        if (lower === 'keep-alive') {
          this.m.connKeepAlive = true;
          break;
        }
        if (lower === 'close') {
          this.m.connClose = true;
          break;
        }
        for (const part of lower.split(',')) {
          const token = part.trim();
          if (token === 'close') this.m.connClose = true;
          else if (token === 'keep-alive') this.m.connKeepAlive = true;
          else if (token === 'upgrade') this.m.connUpgrade = true;
        }
        break;
      case H_UPGRADE:
        if (!this.m.hasUpgrade) this.m.upgradeValue = value;
        this.m.hasUpgrade = true;
        break;
      case H_CONTENT_ENCODING:
        this.m.contentEncoding =
          this.m.contentEncoding === '' ? lower : `${this.m.contentEncoding}, ${lower}`;
        break;
      default:
        break;
    }
  }

  private keepAlive(): boolean {
    if (this.m.version === '0.9') return false;
    if (this.m.connClose) return false;
    return this.m.minor >= 1 || this.m.connKeepAlive;
  }

  private emitHead(at: number): void {
    const headers = this.m.hList.length === 0 ? HttpHeaders.empty : new HttpHeaders(this.m.hList);
    const headerBytes = this.m.version === '0.9' && !this.isRequest ? 0 : this.m.headBytes;
    const head: HttpHead = this.isRequest
      ? {
          kind: 'request',
          method: this.m.method,
          target: this.m.target,
          version: this.m.version,
          headers,
          headerBytes,
          keepAlive: this.keepAlive(),
        }
      : {
          kind: 'response',
          version: this.m.version,
          status: this.m.status,
          reason: this.m.reason,
          headers,
          headerBytes,
          keepAlive: this.keepAlive(),
          interim: this.m.status >= 100 && this.m.status < 200 && this.m.status !== 101,
          requestMethod: this.m.requestMethod,
        };
    this.emit({
      kind: 'head',
      side: this.side,
      ts: this.ts,
      packet: this.packet,
      offset: at,
      message: this.msg,
      head,
    });
  }

  /** The empty line ending the header section is at `lfAt`: decide the body (RFC 9112 §6.3). */
  private finishHead(lfAt: number): void {
    this.m.headParsed = true;
    if (this.isRequest) this.finishRequestHead(lfAt);
    else this.finishResponseHead(lfAt);
  }

  private finishRequestHead(lfAt: number): void {
    if (this.m.hostCount === 0 && this.m.minor >= 1) this.emitAnomaly(HA['http.missing-host'], lfAt);
    this.emitHead(lfAt);
    const keepAlive = this.keepAlive();
    if (this.m.teCount > 0) {
      if (this.m.cl !== CL_NONE) this.emitAnomaly(HA['http.transfer-encoding-and-content-length'], lfAt);
      if (!this.m.teLastChunked || this.m.teChunked > 1) {
        // RFC 9112 §6.3 (4): the request's framing cannot be determined.
        this.emitAnomaly(HA['http.bad-transfer-encoding'], lfAt, 'chunked is not the final coding once');
        this.abortAfterHead(lfAt);
        return;
      }
      this.startBody('chunked', P_CHUNK_SIZE);
      return;
    }
    if (this.m.cl < CL_NONE) {
      this.framingError(lfAt);
      return;
    }
    if (this.m.cl >= 0) {
      this.startLength(lfAt, this.m.cl, keepAlive);
      return;
    }
    this.afterMessage(lfAt, keepAlive, this.requestNext());
  }

  /** After a request: a CONNECT or Upgrade request may be followed by another protocol. */
  private requestNext(): number {
    if (this.m.method === 'CONNECT') {
      this.probeKind = 'connect';
      this.probeInfo = this.m.target;
      return P_PROBE;
    }
    if (this.m.hasUpgrade && this.m.connUpgrade) {
      this.probeKind = 'upgrade';
      this.probeInfo = this.m.upgradeValue;
      return P_PROBE;
    }
    return P_IDLE;
  }

  private finishResponseHead(lfAt: number): void {
    const status = this.m.status;
    const interim = status >= 100 && status < 200 && status !== 101;
    if (interim) {
      const e = this.expect[this.expectHead];
      this.m.requestMethod = e?.method ?? '';
    } else {
      const e = this.expect[this.expectHead];
      if (e !== undefined) {
        this.expectHead++;
        this.m.requestMethod = e.method;
      }
    }
    this.emitHead(lfAt);
    const keepAlive = this.keepAlive();
    if (interim) {
      // RFC 9110 §15.2: no body; the final response follows.
      this.endMessage(true, lfAt);
      this.phase = P_IDLE;
      return;
    }
    if (status === 101) {
      const protocol = this.m.upgradeValue;
      this.afterMessage(lfAt, true, P_OPAQUE);
      this.emitSwitch('upgrade', protocol, true, lfAt);
      return;
    }
    const method = this.m.requestMethod;
    if (method === 'CONNECT' && status >= 200 && status < 300) {
      this.afterMessage(lfAt, true, P_OPAQUE);
      this.emitSwitch('connect', '', true, lfAt);
      return;
    }
    if (method === 'HEAD' || status === 204 || status === 304) {
      this.afterMessage(lfAt, keepAlive, P_IDLE);
      return;
    }
    if (this.m.teCount > 0) {
      if (this.m.cl !== CL_NONE) this.emitAnomaly(HA['http.transfer-encoding-and-content-length'], lfAt);
      if (this.m.teChunked > 1) {
        this.emitAnomaly(HA['http.bad-transfer-encoding'], lfAt, 'chunked applied more than once');
      }
      if (this.m.teLastChunked && this.m.teChunked === 1) this.startBody('chunked', P_CHUNK_SIZE);
      else this.startBody('until-close', P_UNTIL_CLOSE);
      return;
    }
    if (this.m.cl < CL_NONE) {
      this.framingError(lfAt);
      return;
    }
    if (this.m.cl >= 0) {
      this.startLength(lfAt, this.m.cl, keepAlive);
      return;
    }
    this.startBody('until-close', P_UNTIL_CLOSE);
  }

  private framingError(lfAt: number): void {
    if (this.m.cl === CL_CONFLICT) this.emitAnomaly(HA['http.conflicting-content-length'], lfAt);
    else this.emitAnomaly(HA['http.bad-content-length'], lfAt);
    this.abortAfterHead(lfAt);
  }

  /** The body's length is unknowable: end the message and look for the next one. */
  private abortAfterHead(lfAt: number): void {
    this.endMessage(false, lfAt);
    this.enterResync(lfAt + 1);
  }

  private prepareBody(): void {
    if (this.m.contentEncoding !== '' && this.limits.decodeInputBytes > 0) {
      this.m.coding = contentCodingOf(this.m.contentEncoding);
    }
  }

  private startLength(lfAt: number, length: number, keepAlive: boolean): void {
    this.m.framing = 'content-length';
    this.prepareBody();
    if (length === 0) {
      this.afterMessage(lfAt, keepAlive, this.isRequest ? this.requestNext() : P_IDLE);
      return;
    }
    this.m.remaining = length;
    this.phase = P_BODY_LEN;
  }

  private startBody(framing: HttpFraming, phase: number): void {
    this.m.framing = framing;
    this.prepareBody();
    this.phase = phase;
  }

  // ---------------------------------------------------------------------------------------------
  // Bodies

  /** Content-Length body or chunk data: take up to `remaining` bytes. */
  private countedBody(d: Uint8Array, i: number): number {
    const take = Math.min(this.m.remaining, d.length - i);
    this.bodyData(d, i, i + take, this.base + i);
    this.m.remaining -= take;
    const next = i + take;
    if (this.m.remaining === 0) {
      if (this.phase === P_CHUNK_DATA) {
        this.phase = P_CHUNK_END;
      } else {
        this.afterMessage(
          this.base + next - 1,
          this.keepAlive(),
          this.isRequest ? this.requestNext() : P_IDLE,
        );
      }
    }
    return next;
  }

  /** Body payload bytes d[from..to), the first at stream offset `off`: count, preview, keep for decoding. */
  private bodyData(d: Uint8Array, from: number, to: number, off: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.m.wireTotal += n;
    this.m.bodyTotal += n;
    this.m.pendWire += n;
    this.m.pendBody += n;
    this.m.lastBodyOff = off + n - 1;
    const pmax = this.limits.previewBytes;
    if (this.m.previewLen < pmax) {
      const k = Math.min(pmax - this.m.previewLen, n);
      if (this.m.preview === undefined) {
        // A Content-Length body smaller than the preview gets a preview of its size.
        const size = this.m.framing === 'content-length' ? Math.min(pmax, this.m.remaining) : pmax;
        this.m.preview = new Uint8Array(Math.max(size, k));
      }
      copyInto(this.m.preview, this.m.previewLen, d, from, from + k);
      this.m.previewLen += k;
    }
    if (this.m.coding !== undefined && !this.m.decCut && this.m.decOut === undefined)
      this.keepForDecode(d, from, to);
  }

  private keepForDecode(d: Uint8Array, from: number, to: number): void {
    const cap = this.limits.decodeInputBytes;
    const k = Math.min(cap - this.m.decLen, to - from);
    if (k > 0) {
      let buf = this.m.decBuf;
      if (buf === undefined || buf.length < this.m.decLen + k) {
        let size = buf === undefined ? 1024 : buf.length * 2;
        while (size < this.m.decLen + k) size *= 2;
        const grown = new Uint8Array(Math.min(size, cap));
        if (buf !== undefined) grown.set(buf.subarray(0, this.m.decLen));
        this.m.decBuf = grown;
        buf = grown;
      }
      copyInto(buf, this.m.decLen, d, from, from + k);
      this.m.decLen += k;
    }
    if (k < to - from) {
      // More compressed data than we keep: decode the start now and free the buffer.
      this.m.decCut = true;
      this.runDecode(false);
    }
  }

  private runDecode(whole: boolean): void {
    const coding = this.m.coding;
    if (coding === undefined || this.m.decBuf === undefined) return;
    const complete = whole && !this.m.decCut;
    this.m.decOut = decodeBounded(
      coding,
      this.m.decBuf.subarray(0, this.m.decLen),
      complete,
      this.limits.previewBytes,
      this.limits.decodeOutputBytes,
    );
    this.m.decBuf = undefined;
  }

  /** Body bytes missing from the capture. */
  private bodyGapBytes(n: number): void {
    this.m.wireTotal += n;
    this.m.bodyTotal += n;
    this.m.bodyGap += n;
    this.m.pendWire += n;
    this.m.pendBody += n;
    this.m.decCut = true;
  }

  private chunkSizeLine(buf: Uint8Array, s: number, ce: number, lfAt: number): void {
    let k = s;
    let size = 0;
    let sig = 0;
    while (k < ce) {
      const v = HEX_VALUE[buf[k] as number] as number;
      if (v < 0) break;
      if (sig > 0 || v > 0) sig++;
      size = size * 16 + v;
      k++;
    }
    if (k === s) {
      this.chunkError(lfAt, 'no hex digits');
      return;
    }
    if (sig > MAX_CHUNK_DIGITS) {
      this.chunkError(lfAt, `${sig} hex digits`);
      return;
    }
    // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ); count the ";" outside quotes.
    let quoted = false;
    let rest = false;
    for (; k < ce; k++) {
      const b = buf[k] as number;
      if (quoted) {
        if (b === 0x5c) k++;
        else if (b === 0x22) quoted = false;
      } else if (b === 0x3b) {
        this.m.chunkExts++;
        rest = true;
      } else if (b === 0x22) {
        quoted = true;
      } else if (!rest && !isOws(b)) {
        this.chunkError(lfAt, 'junk after the chunk size');
        return;
      }
    }
    if (size === 0) {
      this.phase = P_TRAILERS;
      return;
    }
    this.m.chunks++;
    this.m.remaining = size;
    this.phase = P_CHUNK_DATA;
  }

  private chunkError(lfAt: number, detail: string): void {
    this.emitAnomaly(HA['http.bad-chunk-size'], lfAt, detail);
    this.endMessage(false, lfAt);
    this.enterResync(lfAt + 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Resynchronisation

  private resync(d: Uint8Array, i: number): number {
    // Index in `d` of the first byte past the budget (may lie beyond this chunk).
    const budgetEnd = this.resyncStart + this.limits.maxResyncBytes - this.base;
    const end = Math.min(d.length, budgetEnd);
    while (i < end && this.phase === P_RESYNC) {
      i = this.readLine(d, i, end, this.limits.maxHeaderBytes);
    }
    if (this.phase === P_RESYNC && i >= budgetEnd) {
      this.stop(this.resyncStart);
      this.opaqueTotal += d.length - i;
      return d.length;
    }
    return i;
  }

  /** A complete line while resynchronising: does a plausible start line end it? */
  private resyncLine(buf: Uint8Array, s: number, ce: number, lf: number): void {
    const k = this.isRequest ? findRequestStart(buf, s, ce) : findStatusStart(buf, s, ce);
    if (k < 0) return;
    const start = this.lineStart + (k - s);
    const skipped = start - this.resyncStart;
    this.skippedTotal += skipped;
    // Both events concern the start line's first byte, which may have come in an earlier packet.
    const t = this.ts;
    const p = this.packet;
    this.stampAt(start);
    this.emitAnomaly(HA['http.resync'], start, `skipped ${skipped} bytes`);
    this.beginMessage(start);
    this.ts = t;
    this.packet = p;
    this.lineStart = start;
    this.pfxDone = true;
    this.phase = P_START;
    this.onLine(buf, k, lf);
  }

  private mark(offset: number): void {
    this.marks ??= new Float64Array(3 * MAX_MARKS);
    if (this.markCount >= MAX_MARKS) return;
    const m = this.marks;
    const j = 3 * this.markCount++;
    m[j] = offset;
    m[j + 1] = this.ts;
    m[j + 2] = this.packet;
  }

  /** Set ts/packet to those of the packet that held byte `offset` of the line just completed. */
  private stampAt(offset: number): void {
    if (offset >= this.lineStart + this.lineHave) return; // in the current chunk
    this.ts = this.lineTs;
    this.packet = this.linePacket;
    const m = this.marks;
    if (m === undefined) return;
    for (let j = 0; j < this.markCount; j++) {
      if ((m[3 * j] as number) > offset) break;
      this.ts = m[3 * j + 1] as number;
      this.packet = m[3 * j + 2] as number;
    }
  }
}

/** Methods as real clients write them: uppercase letters, `-`, `_`. */
function isUpperMethod(buf: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const b = buf[k] as number;
    if (!((b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x5f)) return false;
  }
  return to > from;
}

/** Chunk stamps remembered per line while resynchronising (a line split over more is stamped approximately). */
const MAX_MARKS = 64;

/**
 * Where a request line ending this line starts: `METHOD SP target SP HTTP/1.x` as the whole
 * line (an uppercase method), or after leftover bytes (then only a known method counts, as in
 * `hello!GET /next HTTP/1.1` after a body longer than its Content-Length). -1 if none.
 */
function findRequestStart(buf: Uint8Array, s: number, ce: number): number {
  const v = ce - 9;
  if (v - s < 3 || buf[v] !== SP) return -1;
  for (let m = 0; m < 5; m++) if (buf[v + 1 + m] !== HTTP_SLASH[m]) return -1;
  if (buf[v + 6] !== 0x31 || buf[v + 7] !== 0x2e || !isDigit(buf[v + 8])) return -1;
  let t = v - 1;
  while (t >= s && buf[t] !== SP) {
    const b = buf[t] as number;
    if (b < SP || b === 0x7f) return -1;
    t--;
  }
  if (t < s || t === v - 1) return -1;
  let m = t - 1;
  while (m >= s && TCHAR[buf[m] as number] === 1) m--;
  m++;
  if (m === t) return -1;
  if (m === s && t - s <= 32 && isUpperMethod(buf, s, t)) return s;
  for (let k = Math.max(m, t - 32); k < t; k++) {
    if (KNOWN_METHODS.has(latin1(buf, k, t))) return k;
  }
  return -1;
}

/** Where `HTTP/1.x SP 3DIGIT` (then SP or the line end) starts in this line, or -1. */
function findStatusStart(buf: Uint8Array, s: number, ce: number): number {
  for (let k = s; k + 12 <= ce; k++) {
    if (buf[k] !== 0x48) continue;
    let ok = true;
    for (let m = 1; m < 5 && ok; m++) ok = buf[k + m] === HTTP_SLASH[m];
    if (
      ok &&
      buf[k + 5] === 0x31 &&
      buf[k + 6] === 0x2e &&
      isDigit(buf[k + 7]) &&
      buf[k + 8] === SP &&
      isDigit(buf[k + 9]) &&
      isDigit(buf[k + 10]) &&
      isDigit(buf[k + 11]) &&
      (ce === k + 12 || buf[k + 12] === SP)
    ) {
      return k;
    }
  }
  return -1;
}

const H_CONTENT_LENGTH = 1;
const H_TRANSFER_ENCODING = 2;
const H_CONNECTION = 3;
const H_UPGRADE = 4;
const H_CONTENT_ENCODING = 5;
const H_HOST = 6;

/** 1 at the lengths of the names in SEMANTIC: most names are not lowercased at all. */
const SEMANTIC_LENGTHS = new Uint8Array(32);
for (const n of [
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'content-encoding',
  'host',
]) {
  SEMANTIC_LENGTHS[n.length] = 1;
}

const SEMANTIC: Readonly<Record<string, number>> = Object.assign(
  Object.create(null) as Record<string, number>,
  {
    'content-length': H_CONTENT_LENGTH,
    'transfer-encoding': H_TRANSFER_ENCODING,
    connection: H_CONNECTION,
    upgrade: H_UPGRADE,
    'content-encoding': H_CONTENT_ENCODING,
    host: H_HOST,
  },
);

/** The framing header a name is (H_*), compared case-insensitively; 0 for none. */
function semanticKind(name: string): number {
  return SEMANTIC_LENGTHS[name.length] === 1 ? (SEMANTIC[name.toLowerCase()] ?? 0) : 0;
}

/**
 * Header names common enough to be matched as bytes and shared as one string each (as sent:
 * case matters; a name in another case is sliced like any other). Each carries its H_* kind.
 */
const HEADER_NAMES = internTable(
  [
    'Accept',
    'Accept-Charset',
    'Accept-Encoding',
    'Accept-Language',
    'Accept-Ranges',
    'Access-Control-Allow-Origin',
    'Age',
    'Allow',
    'Authorization',
    'Cache-Control',
    'Connection',
    'Content-Disposition',
    'Content-Encoding',
    'Content-Language',
    'Content-Length',
    'Content-Location',
    'Content-Range',
    'Content-Security-Policy',
    'Content-Type',
    'Cookie',
    'Date',
    'ETag',
    'Expect',
    'Expires',
    'From',
    'Host',
    'If-Match',
    'If-Modified-Since',
    'If-None-Match',
    'If-Range',
    'If-Unmodified-Since',
    'Keep-Alive',
    'Last-Modified',
    'Link',
    'Location',
    'Origin',
    'Pragma',
    'Proxy-Authorization',
    'Proxy-Connection',
    'Range',
    'Referer',
    'Retry-After',
    'Server',
    'Set-Cookie',
    'Strict-Transport-Security',
    'TE',
    'Trailer',
    'Transfer-Encoding',
    'Upgrade',
    'Upgrade-Insecure-Requests',
    'User-Agent',
    'Vary',
    'Via',
    'WWW-Authenticate',
    'X-Content-Type-Options',
    'X-Forwarded-For',
    'X-Forwarded-Proto',
    'X-Frame-Options',
    'X-Powered-By',
    'X-Requested-With',
    'accept',
    'accept-encoding',
    'accept-language',
    'cache-control',
    'connection',
    'content-encoding',
    'content-length',
    'content-type',
    'cookie',
    'date',
    'host',
    'server',
    'transfer-encoding',
    'upgrade',
    'user-agent',
  ],
  semanticKind,
);

/** Methods as sent by real clients, shared as one string each. */
const METHODS = internTable(
  ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'],
  () => 0,
);

/** Common reason phrases, shared as one string each. */
const REASONS = internTable(
  ['OK', 'Created', 'No Content', 'Moved Permanently', 'Found', 'Not Modified', 'Bad Request', 'Not Found'],
  () => 0,
);
