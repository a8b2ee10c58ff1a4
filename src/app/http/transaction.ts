/**
 * Request/response pairing for one connection: two `HttpStreamParser`s (client and server
 * directions) and the `HttpTransaction` records they add up to.
 *
 * HTTP/1.1 answers requests in order (RFC 9112 §9.3.2), so pairing is FIFO: the first request
 * without a final response owns the next response. A 1xx interim response (other than 101) is
 * attached to that request without consuming it (RFC 9110 §15.2). A 101 or a 2xx to CONNECT
 * ends HTTP on both directions: the request parser is told, and the rest is counted as opaque.
 *
 * Field names follow Zeek's http.log where one exists (`ts`, `trans_depth`, `method`, `host`,
 * `uri`, `referrer`, `version`, `user_agent`, `request_body_len`, `response_body_len`,
 * `status_code`, `status_msg`, `info_code`, `info_msg`, `tags`); everything else is ours.
 */
import type { Anomaly } from '../../core/anomaly.js';
import { anomaly } from '../../core/anomaly.js';
import { HA } from './anomalies.js';
import { HttpStreamParser } from './parser.js';
import {
  DEFAULT_HTTP_LIMITS,
  type HttpEvent,
  type HttpFraming,
  type HttpHeaders,
  type HttpLimits,
  type HttpSide,
} from './types.js';

/** Flags a transaction can carry (Zeek's `tags` field holds them). */
export type HttpTag =
  /** A message of this transaction was cut (gap, close, framing error) or never finished. */
  | 'incomplete'
  /** Bytes of a message were missing from the capture. */
  | 'gap'
  /** A start line or header section could not be parsed. */
  | 'malformed'
  /** 101 Switching Protocols: the connection left HTTP. */
  | 'upgraded'
  /** 2xx to CONNECT: the connection became a tunnel. */
  | 'connect'
  /** HTTP/0.9 request or response. */
  | 'http09'
  /** A response with no request waiting for it (the request was not captured). */
  | 'no-request'
  /** The request got no response before the connection (or the capture) ended. */
  | 'no-response';

export interface HttpTransaction {
  /** Capture time of the request's first byte (of the response's, without a request). */
  readonly ts: number;
  /** 1-based position of this transaction in its connection (Zeek's trans_depth). */
  readonly trans_depth: number;
  readonly method?: string;
  /** Host header value, escaped. */
  readonly host?: string;
  /** Request target as sent, escaped. */
  readonly uri?: string;
  /** Referer header value, escaped. */
  readonly referrer?: string;
  /** Version of the response (as Zeek logs it), else of the request: `1.1`, `1.0`, `0.9`. */
  readonly version?: string;
  readonly request_version?: string;
  readonly response_version?: string;
  readonly user_agent?: string;
  readonly request_headers?: HttpHeaders;
  readonly response_headers?: HttpHeaders;
  /** Request body length after removing chunked framing (what Content-Length counts; gaps included). */
  readonly request_body_len: number;
  readonly response_body_len: number;
  /** Body length after content decoding (gzip, deflate, br), when it could be computed. */
  readonly request_body_decoded_len?: number;
  readonly response_body_decoded_len?: number;
  readonly request_framing?: HttpFraming;
  readonly response_framing?: HttpFraming;
  readonly status_code?: number;
  /** Reason phrase, escaped. */
  readonly status_msg?: string;
  /** Last 1xx interim status and its reason (Zeek's info_code, info_msg). */
  readonly info_code?: number;
  readonly info_msg?: string;
  /** Every 1xx interim status, in order: [100], [103], ... */
  readonly interim_statuses: readonly number[];
  /** Content-Type header values, escaped. */
  readonly request_content_type?: string;
  readonly response_content_type?: string;
  /** Upgrade header value of the 101 response (or of the request), escaped. */
  readonly upgrade?: string;
  readonly tags: readonly HttpTag[];
  readonly request_start_ts?: number;
  readonly request_start_packet?: number;
  readonly request_end_ts?: number;
  readonly request_end_packet?: number;
  /** First byte of the first response (interim included): time to first byte. */
  readonly response_start_ts?: number;
  readonly response_start_packet?: number;
  readonly response_end_ts?: number;
  readonly response_end_packet?: number;
  /** First bytes of the response body (chunked framing removed; escape before printing). */
  readonly response_preview?: Uint8Array;
  /** First bytes of the response body after content decoding. */
  readonly response_decoded_preview?: Uint8Array;
  /** Anomalies raised while parsing this transaction's messages (at most `MAX_TX_ANOMALIES`). */
  readonly anomalies: readonly Anomaly[];
}

/** Anomalies kept per transaction and per connection; more are counted only. */
export const MAX_TX_ANOMALIES = 32;
export const MAX_CONN_ANOMALIES = 100;
const MAX_INTERIM = 16;

type Draft = { -readonly [K in keyof HttpTransaction]: HttpTransaction[K] } & {
  interim_statuses: number[];
  tags: HttpTag[];
  anomalies: Anomaly[];
};

interface Pending {
  readonly tx: Draft;
  requestDone: boolean;
  responseDone: boolean;
  /** A response parser expectation was registered for this request. */
  expected: boolean;
}

export interface HttpConversationOptions {
  readonly limits?: Partial<HttpLimits>;
  /** Every parser event of both directions, after the conversation has handled it. */
  readonly onEvent?: (e: HttpEvent) => void;
}

function addTag(tx: Draft, tag: HttpTag): void {
  if (!tx.tags.includes(tag)) tx.tags.push(tag);
}

/** Both directions of one HTTP connection, and the transactions they carry. */
export class HttpConversation {
  readonly request: HttpStreamParser;
  readonly response: HttpStreamParser;
  /** Anomalies not tied to a message (resynchronisation, gaps between messages, unmatched responses). */
  readonly anomalies: Anomaly[] = [];
  /** All anomalies seen, including those not kept. */
  anomalyCount = 0;

  private readonly onTransaction: (t: HttpTransaction) => void;
  private readonly onEvent: ((e: HttpEvent) => void) | undefined;
  private readonly maxPending: number;
  private depth = 0;
  /** Transactions not yet emitted, in trans_depth order. */
  private readonly queue: Pending[] = [];
  /** Transactions whose final response has not started, oldest first. */
  private readonly awaiting: Pending[] = [];
  private reqCur: Pending | undefined;
  private respCur: Pending | undefined;
  /** The current response message is an interim (1xx) one. */
  private respInterim = false;
  /** Owner of the last interim response: the final response follows for it. */
  private interimOwner: Pending | undefined;
  private ended = 0;

  constructor(onTransaction: (t: HttpTransaction) => void, options?: HttpConversationOptions) {
    this.onTransaction = onTransaction;
    this.onEvent = options?.onEvent;
    this.maxPending = options?.limits?.maxPendingRequests ?? DEFAULT_HTTP_LIMITS.maxPendingRequests;
    this.request = new HttpStreamParser('request', { event: (e) => this.onRequest(e) }, options?.limits);
    this.response = new HttpStreamParser('response', { event: (e) => this.onResponse(e) }, options?.limits);
  }

  push(side: HttpSide, chunk: Uint8Array, ts: number, packet: number): void {
    (side === 'request' ? this.request : this.response).push(chunk, ts, packet);
  }

  gap(side: HttpSide, bytes: number, ts: number, packet: number): void {
    (side === 'request' ? this.request : this.response).gap(bytes, ts, packet);
  }

  /** One direction closed. When both have, the remaining transactions are emitted. */
  end(side: HttpSide, ts: number, packet: number): void {
    const p = side === 'request' ? this.request : this.response;
    if (p.phaseName === 'ended') return;
    p.end(ts, packet);
    if (++this.ended === 2) this.finish();
  }

  /** Emit every transaction still held (capture over, or connection evicted). */
  finish(): void {
    for (const p of this.queue) {
      if (!p.requestDone && p.tx.request_start_ts !== undefined) addTag(p.tx, 'incomplete');
      if (!p.responseDone) {
        if (p.tx.response_start_ts !== undefined) addTag(p.tx, 'incomplete');
        else addTag(p.tx, 'no-response');
      }
      this.onTransaction(p.tx);
    }
    this.queue.length = 0;
    this.awaiting.length = 0;
    this.reqCur = undefined;
    this.respCur = undefined;
    this.interimOwner = undefined;
  }

  /** Both directions ended: every transaction was emitted, and nothing more will happen. */
  get done(): boolean {
    return this.ended === 2;
  }

  /** Transactions held, waiting for a request or response to finish. */
  get pending(): number {
    return this.queue.length;
  }

  private newPending(ts: number, packet: number, side: HttpSide): Pending {
    const tx: Draft = {
      ts,
      trans_depth: ++this.depth,
      request_body_len: 0,
      response_body_len: 0,
      interim_statuses: [],
      tags: [],
      anomalies: [],
    };
    if (side === 'request') {
      tx.request_start_ts = ts;
      tx.request_start_packet = packet;
    }
    const p: Pending = { tx, requestDone: side === 'response', responseDone: false, expected: false };
    this.queue.push(p);
    return p;
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const p = this.queue[0] as Pending;
      if (!p.requestDone || !p.responseDone) return;
      this.queue.shift();
      this.onTransaction(p.tx);
    }
  }

  private note(p: Pending | undefined, a: Anomaly): void {
    this.anomalyCount++;
    if (p !== undefined) {
      if (p.tx.anomalies.length < MAX_TX_ANOMALIES) p.tx.anomalies.push(a);
    } else if (this.anomalies.length < MAX_CONN_ANOMALIES) {
      this.anomalies.push(a);
    }
  }

  private onRequest(e: HttpEvent): void {
    switch (e.kind) {
      case 'messageStart': {
        const p = this.newPending(e.ts, e.packet, 'request');
        this.awaiting.push(p);
        this.reqCur = p;
        if (this.awaiting.length > this.maxPending) {
          // Bounded like the response parser's queue: the oldest is given up on.
          const old = this.awaiting.shift() as Pending;
          old.responseDone = true;
          addTag(old.tx, 'no-response');
          this.note(
            old,
            anomaly(
              HA['http.too-many-pending'],
              'http',
              -1,
              `more than ${this.maxPending} requests awaiting a response: this one is given up on`,
            ),
          );
          this.flush();
        }
        break;
      }
      case 'head': {
        const p = this.reqCur;
        const h = e.head;
        if (p === undefined || h.kind !== 'request') break;
        const tx = p.tx;
        tx.method = h.method;
        tx.uri = h.target;
        tx.request_version = h.version;
        tx.version ??= h.version;
        tx.request_headers = h.headers;
        const host = h.headers.get('host');
        if (host !== undefined) tx.host = host;
        const ua = h.headers.get('user-agent');
        if (ua !== undefined) tx.user_agent = ua;
        const ref = h.headers.get('referer');
        if (ref !== undefined) tx.referrer = ref;
        const ct = h.headers.get('content-type');
        if (ct !== undefined) tx.request_content_type = ct;
        if (h.version === '0.9') addTag(tx, 'http09');
        const up = h.headers.get('upgrade');
        if (up !== undefined) tx.upgrade = up;
        p.expected = true;
        this.response.expectResponseTo(h.method, h.version);
        break;
      }
      case 'body':
        if (this.reqCur !== undefined) this.reqCur.tx.request_body_len = e.bodyTotal;
        break;
      case 'messageEnd': {
        const p = this.reqCur;
        if (p === undefined) break;
        const s = e.summary;
        const tx = p.tx;
        tx.request_body_len = s.bodyLength;
        tx.request_framing = s.framing;
        if (s.decodedLength !== undefined) tx.request_body_decoded_len = s.decodedLength;
        tx.request_end_ts = e.ts;
        tx.request_end_packet = e.packet;
        if (!s.complete) addTag(tx, 'incomplete');
        if (s.gapBytes > 0) addTag(tx, 'gap');
        if (!s.headParsed) {
          addTag(tx, 'malformed');
          // The server will likely answer it (400): keep the response queue aligned.
          p.expected = true;
          this.response.expectResponseTo('');
        }
        p.requestDone = true;
        this.reqCur = undefined;
        this.flush();
        break;
      }
      case 'upgrade':
      case 'connect': {
        const last = this.queue[this.queue.length - 1];
        if (last !== undefined) addTag(last.tx, e.kind === 'upgrade' ? 'upgraded' : 'connect');
        break;
      }
      case 'anomaly':
        this.note(e.message !== 0 ? this.reqCur : undefined, e.anomaly);
        if (e.anomaly.id === HA['http.gap-in-headers'] && this.reqCur !== undefined)
          addTag(this.reqCur.tx, 'gap');
        break;
    }
    this.onEvent?.(e);
  }

  private onResponse(e: HttpEvent): void {
    switch (e.kind) {
      case 'messageStart': {
        let p = this.interimOwner ?? this.awaiting[0];
        if (p === undefined) {
          p = this.newPending(e.ts, e.packet, 'response');
          addTag(p.tx, 'no-request');
          this.note(undefined, anomaly(HA['http.unmatched-response'], 'http', e.offset));
        }
        this.respCur = p;
        this.respInterim = false;
        if (p.tx.response_start_ts === undefined) {
          p.tx.response_start_ts = e.ts;
          p.tx.response_start_packet = e.packet;
        }
        break;
      }
      case 'head': {
        const p = this.respCur;
        const h = e.head;
        if (p === undefined || h.kind !== 'response') break;
        const tx = p.tx;
        if (h.interim) {
          this.respInterim = true;
          tx.info_code = h.status;
          tx.info_msg = h.reason;
          if (tx.interim_statuses.length < MAX_INTERIM) tx.interim_statuses.push(h.status);
          break;
        }
        this.answered(p);
        tx.response_version = h.version;
        tx.version = h.version;
        tx.response_headers = h.headers;
        if (h.version === '0.9') {
          addTag(tx, 'http09');
        } else {
          tx.status_code = h.status;
          tx.status_msg = h.reason;
        }
        const ct = h.headers.get('content-type');
        if (ct !== undefined) tx.response_content_type = ct;
        if (h.status === 101) {
          addTag(tx, 'upgraded');
          const up = h.headers.get('upgrade');
          if (up !== undefined) tx.upgrade = up;
        } else if (h.requestMethod === 'CONNECT' && h.status >= 200 && h.status < 300) {
          addTag(tx, 'connect');
        }
        break;
      }
      case 'body':
        if (this.respCur !== undefined && !this.respInterim) this.respCur.tx.response_body_len = e.bodyTotal;
        break;
      case 'messageEnd': {
        const p = this.respCur;
        if (p === undefined) break;
        this.respCur = undefined;
        if (this.respInterim) {
          this.interimOwner = p;
          break;
        }
        const s = e.summary;
        const tx = p.tx;
        if (!s.headParsed) {
          this.answered(p);
          addTag(tx, 'malformed');
        }
        tx.response_body_len = s.bodyLength;
        tx.response_framing = s.framing;
        if (s.decodedLength !== undefined) tx.response_body_decoded_len = s.decodedLength;
        if (s.preview !== undefined) tx.response_preview = s.preview;
        if (s.decodedPreview !== undefined) tx.response_decoded_preview = s.decodedPreview;
        tx.response_end_ts = e.ts;
        tx.response_end_packet = e.packet;
        if (!s.complete) addTag(tx, 'incomplete');
        if (s.gapBytes > 0) addTag(tx, 'gap');
        p.responseDone = true;
        this.flush();
        break;
      }
      case 'upgrade':
      case 'connect':
        // Tagged at the head already; the client's direction leaves HTTP too.
        this.request.protocolSwitched(e.kind, e.ts, e.packet);
        break;
      case 'anomaly':
        this.note(e.message !== 0 ? this.respCur : undefined, e.anomaly);
        break;
    }
    this.onEvent?.(e);
  }

  /** `p` got its final response: it stops waiting. */
  private answered(p: Pending): void {
    this.interimOwner = undefined;
    const i = this.awaiting.indexOf(p);
    if (i >= 0) this.awaiting.splice(i, 1);
  }
}
