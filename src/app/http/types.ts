/**
 * Types shared by the HTTP/1.x stream parser, its consumers and the transaction builder.
 *
 * Every string here that came from the wire (method, target, reason, header names and values)
 * has been through core/escape's `escapeBytes`: it is safe to print, and a backslash in it
 * always starts an escape. Body bytes are never kept, except a bounded preview.
 */
import type { Anomaly } from '../../core/anomaly.js';

export type HttpSide = 'request' | 'response';

/** How the end of a body was found (RFC 9112 §6.3). */
export type HttpFraming = 'content-length' | 'chunked' | 'until-close' | 'none';

/** Explicit limits (ARCHITECTURE principle 13): hitting one is an anomaly, never unbounded memory. */
export interface HttpLimits {
  /** Start line plus header section, in bytes (also applies to a trailer section). */
  readonly maxHeaderBytes: number;
  /** Header fields listed per message (also per trailer section). */
  readonly maxHeaders: number;
  /** A chunk-size line (with its extensions), or the line ending after chunk data. */
  readonly maxChunkLineBytes: number;
  /** Method names longer than this are not believed (request start). */
  readonly maxMethodBytes: number;
  /** Bytes skipped while resynchronising before the direction is given up as opaque. */
  readonly maxResyncBytes: number;
  /** Requests awaiting a response (`expectResponseTo` queue and transaction pairing). */
  readonly maxPendingRequests: number;
  /** Body bytes kept as a preview (after chunked framing is removed). */
  readonly previewBytes: number;
  /** Compressed body bytes kept for content decoding (gzip, deflate, br). 0 disables decoding. */
  readonly decodeInputBytes: number;
  /** Decoded bytes produced at most per message; more is reported as `http.decode-limit`. */
  readonly decodeOutputBytes: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxHeaderBytes: 64 * 1024,
  maxHeaders: 200,
  maxChunkLineBytes: 4096,
  maxMethodBytes: 32,
  maxResyncBytes: 4 * 1024 * 1024,
  maxPendingRequests: 1000,
  previewBytes: 512,
  decodeInputBytes: 16 * 1024,
  decodeOutputBytes: 256 * 1024,
};

/**
 * Limits for callers that never show a body's first bytes (every command): no preview is copied,
 * which spares a 512-byte buffer per message with a body (about a sixth of the parsers' time on the
 * bench capture). Content decoding still runs, for decoded lengths and its anomalies.
 */
export const NO_PREVIEWS: Partial<HttpLimits> = Object.freeze({ previewBytes: 0 });

/** Header fields in wire order, names and values escaped for display, with case-insensitive lookup. */
export class HttpHeaders {
  /** Lowercased names, index-aligned with `list`, made on the first lookup (a #field: not data). */
  #lower: string[] | undefined;

  constructor(readonly list: ReadonlyArray<readonly [name: string, value: string]>) {}

  private get lower(): string[] {
    if (this.#lower === undefined) this.#lower = this.list.map((h) => h[0].toLowerCase());
    return this.#lower;
  }

  get size(): number {
    return this.list.length;
  }

  /** First value of a field (name compared case-insensitively). */
  get(name: string): string | undefined {
    const i = this.lower.indexOf(name.toLowerCase());
    return i < 0 ? undefined : this.list[i]?.[1];
  }

  /** Every value of a repeated field, in order. */
  getAll(name: string): string[] {
    const n = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.lower.length; i++)
      if (this.lower[i] === n) out.push(this.list[i]?.[1] as string);
    return out;
  }

  has(name: string): boolean {
    return this.lower.includes(name.toLowerCase());
  }

  toJSON(): ReadonlyArray<readonly [string, string]> {
    return this.list;
  }

  static readonly empty = new HttpHeaders([]);
}

export interface HttpRequestHead {
  readonly kind: 'request';
  /** As sent (methods are case-sensitive). */
  readonly method: string;
  /** The request-target, escaped. Empty for none. */
  readonly target: string;
  /** `1.1`, `1.0`; `0.9` for a request line without a version. */
  readonly version: string;
  readonly headers: HttpHeaders;
  /** Start line + header section + empty line, in bytes on the wire. */
  readonly headerBytes: number;
  /** Connection persists after this message (HTTP/1.1 unless `close`; HTTP/1.0 only with `keep-alive`). */
  readonly keepAlive: boolean;
}

export interface HttpResponseHead {
  readonly kind: 'response';
  /** `1.1`, `1.0`; `0.9` for a response without a status line (the whole stream is its body). */
  readonly version: string;
  /** Status code; 0 for an HTTP/0.9 response. */
  readonly status: number;
  /** Reason phrase, escaped; may be empty. */
  readonly reason: string;
  readonly headers: HttpHeaders;
  readonly headerBytes: number;
  readonly keepAlive: boolean;
  /** 1xx other than 101: an interim response, the final one follows for the same request. */
  readonly interim: boolean;
  /** Method of the request this answers, from `expectResponseTo` (`''` if unknown). */
  readonly requestMethod: string;
}

export type HttpHead = HttpRequestHead | HttpResponseHead;

/** What a finished (or abandoned) message amounted to. */
export interface HttpMessageSummary {
  readonly framing: HttpFraming;
  /** False when the message was cut by a gap, the end of the connection or a framing error. */
  readonly complete: boolean;
  /** True once the head was parsed (false: the message broke inside its start line or headers). */
  readonly headParsed: boolean;
  /** Bytes of the start line and header section (0 if the head was not parsed). */
  readonly headerBytes: number;
  /** Body bytes on the wire after the head: chunk framing and trailers included. */
  readonly wireLength: number;
  /** Body length after removing chunked framing (gap bytes included). What Content-Length counts. */
  readonly bodyLength: number;
  /** Bytes of the body that were missing from the capture. */
  readonly gapBytes: number;
  /** Declared Content-Length, when valid. */
  readonly contentLength?: number;
  /** Chunked: number of chunks (the last, empty one excluded) and of chunk extensions seen. */
  readonly chunks?: number;
  readonly chunkExtensions?: number;
  /** Chunked: the trailer section, if it had fields. */
  readonly trailers?: HttpHeaders;
  /** Lowercased Content-Encoding this parser decoded (gzip, deflate or br). */
  readonly contentEncoding?: string;
  /** Length after content decoding, when the whole body could be decoded within the limits. */
  readonly decodedLength?: number;
  /** First `previewBytes` of the body (chunked framing removed), copied. Escape before printing. */
  readonly preview?: Uint8Array;
  /** First `previewBytes` after content decoding. Escape before printing. */
  readonly decodedPreview?: Uint8Array;
}

interface EventBase {
  readonly side: HttpSide;
  /** Capture timestamp (seconds) of the packet holding the byte that caused the event. */
  readonly ts: number;
  /** Packet number of that packet (the one passed to push/gap/end). */
  readonly packet: number;
  /**
   * Offset in the direction's byte stream of the byte that caused the event (its first byte for
   * messageStart, the last byte consumed otherwise; the stream length for events raised by end()).
   */
  readonly offset: number;
  /** 1-based index of the message in this direction; 0 outside any message. */
  readonly message: number;
}

export interface HttpMessageStartEvent extends EventBase {
  readonly kind: 'messageStart';
}

export interface HttpHeadEvent extends EventBase {
  readonly kind: 'head';
  readonly head: HttpHead;
}

/** Body progress: counts only. Consecutive body events of a message add up. */
export interface HttpBodyEvent extends EventBase {
  readonly kind: 'body';
  /** Wire bytes of the body consumed since the previous body event (chunk framing included). */
  readonly wireBytes: number;
  /** Body bytes (chunk framing removed) since the previous body event; gaps included. */
  readonly bodyBytes: number;
  readonly wireTotal: number;
  readonly bodyTotal: number;
}

export interface HttpMessageEndEvent extends EventBase {
  readonly kind: 'messageEnd';
  readonly summary: HttpMessageSummary;
}

/** 101 Switching Protocols (or the client speaking another protocol after asking to upgrade). */
export interface HttpUpgradeEvent extends EventBase {
  readonly kind: 'upgrade';
  /** Upgrade header value (escaped), `''` if none. */
  readonly protocol: string;
  /** True when seen in the response (101); false when inferred from the request side. */
  readonly confirmed: boolean;
}

/** A 2xx to CONNECT: the connection is now a tunnel. */
export interface HttpConnectEvent extends EventBase {
  readonly kind: 'connect';
  /** The CONNECT target (escaped) when known on this side, else `''`. */
  readonly authority: string;
  readonly confirmed: boolean;
}

export interface HttpAnomalyEvent extends EventBase {
  readonly kind: 'anomaly';
  readonly anomaly: Anomaly;
}

export type HttpEvent =
  | HttpMessageStartEvent
  | HttpHeadEvent
  | HttpBodyEvent
  | HttpMessageEndEvent
  | HttpUpgradeEvent
  | HttpConnectEvent
  | HttpAnomalyEvent;

/** Receives a parser's events, synchronously and in stream order. */
export interface HttpSink {
  event(e: HttpEvent): void;
}

/** What a parser is doing now (for tests and diagnostics). */
export type HttpParserPhase = 'idle' | 'head' | 'body' | 'resync' | 'probe' | 'opaque' | 'stopped' | 'ended';
