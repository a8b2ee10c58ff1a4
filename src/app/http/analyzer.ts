/**
 * HTTP over reassembled TCP: the per-connection analyser that joins the flow layer (segments,
 * analysis flags, stream reassembly) to the HTTP parser. HTTP is recognised by content on any port:
 * the first bytes of the client's stream must look like a request line (or the server's like a
 * status line); anything else is left alone after a few bytes.
 *
 * It also keeps the TCP events of the connection (retransmissions, zero windows, resets, …) so each
 * transaction can say what TCP did during its request, its wait for the first response byte (TTFB)
 * and its response.
 */
import type { SegmentAnalyzer, TcpConnection } from '../../flow/tcp/connection.js';
import { ConnectionReassembler, type ReassemblyBudget, type StreamSink } from '../../flow/tcp/reassembly.js';
import type { Segment } from '../../flow/tcp/segment.js';
import { classifyRequestStart, classifyResponseStart, KNOWN_METHODS } from './detect.js';
import { HttpConversation, type HttpConversationOptions, type HttpTransaction } from './transaction.js';
import type { HttpEvent, HttpLimits, HttpSide } from './types.js';

/** A TCP event during an HTTP exchange. */
export interface TcpEvent {
  readonly packet: number;
  readonly ts: number;
  readonly fromClient: boolean;
  /** Analysis flags, plus `rst` and `zero_window_advertised`. */
  readonly what: readonly string[];
}

export type Phase = 'request' | 'waiting' | 'response';

export interface PhasedEvent extends TcpEvent {
  readonly phase: Phase;
}

export interface HttpRecord {
  readonly conn: TcpConnection;
  readonly tx: HttpTransaction;
  /** TCP events between the request's first byte and the response's last (or the connection's end). */
  readonly events: readonly PhasedEvent[];
}

/** Events kept per connection (most recent). */
const MAX_EVENTS = 512;
/** Bytes held per side while deciding whether a stream is HTTP (a long request line needs them all). */
const DETECT_BYTES = 8192;

export interface HttpAnalyzerOptions {
  readonly onEvent?: (e: HttpEvent, conn: TcpConnection) => void;
  /** Receives every delivered chunk (for `follow`); `side` is 'request' for the client. */
  readonly onData?: (
    side: HttpSide,
    chunk: Uint8Array,
    ts: number,
    packet: number,
    conn: TcpConnection,
  ) => void;
  readonly onGap?: (side: HttpSide, bytes: number, ts: number, packet: number, conn: TcpConnection) => void;
  /** Decode HTTP (false: only reassemble, for `follow`). */
  readonly http?: boolean;
  /** The parsers' limits (the defaults where absent); a frozen object is merged with them once. */
  readonly limits?: Partial<HttpLimits>;
}

/** The options of an analyser given none: one shared object, not one per connection. */
const NO_OPTIONS: HttpAnalyzerOptions = Object.freeze({});

/**
 * A request line, or a well-known method and a space: a request line that breaks RFC 9112 (control
 * characters in the target, an extra word) is still HTTP, and the parser flags what is wrong.
 */
function detectRequest(d: Uint8Array): 'yes' | 'no' | 'more' {
  const strict = classifyRequestStart(d);
  if (strict !== 'no') return strict;
  const sp = d.indexOf(0x20);
  if (sp <= 0 || sp > 16) return 'no';
  const method = String.fromCharCode(...d.subarray(0, sp));
  return KNOWN_METHODS.has(method) ? 'yes' : 'no';
}

interface Held {
  readonly side: HttpSide;
  bytes: Uint8Array;
  readonly ts: number;
  readonly packet: number;
}

/** One direction's stream sink: hands the analyser its side's bytes (one small object, no closures). */
class SideSink implements StreamSink {
  constructor(
    private readonly analyzer: HttpAnalyzer,
    private readonly side: HttpSide,
  ) {}

  data(chunk: Uint8Array, ts: number, packet: number): void {
    this.analyzer.streamData(this.side, chunk, ts, packet);
  }

  gap(bytes: number, ts: number, packet: number): void {
    this.analyzer.streamGap(this.side, bytes, ts, packet);
  }

  end(ts: number, packet: number): void {
    this.analyzer.streamEnd(this.side, ts, packet);
  }
}

/**
 * Memory: a connection is tracked long after its HTTP exchange (TIME-WAIT lasts minutes), so what
 * the exchange needs is allocated when it starts and dropped when it is over: the detection buffer
 * once HTTP is recognised or ruled out, the conversation (both parsers) once both directions ended.
 */
export class HttpAnalyzer implements SegmentAnalyzer {
  private readonly reasm: ConnectionReassembler;
  private conv: HttpConversation | undefined;
  private state: 'detect' | 'http' | 'other' = 'detect';
  /** While detecting: the first bytes of each direction, and how many each sent. */
  private held: Held[] | undefined;
  private heldBytes: { request: number; response: number } | undefined;
  /** TCP events (made on the first one). */
  private events: TcpEvent[] | undefined;

  constructor(
    private readonly conn: TcpConnection,
    budget: ReassemblyBudget,
    private readonly onTransaction: (r: HttpRecord) => void,
    private readonly opts: HttpAnalyzerOptions = NO_OPTIONS,
  ) {
    if (opts.http === false) this.state = 'other';
    this.reasm = new ConnectionReassembler(
      { orig: new SideSink(this, 'request'), resp: new SideSink(this, 'response') },
      budget,
    );
  }

  /** In-order bytes of one direction (from its reassembler). */
  streamData(side: HttpSide, chunk: Uint8Array, ts: number, packet: number): void {
    this.opts.onData?.(side, chunk, ts, packet, this.conn);
    this.data(side, chunk, ts, packet);
  }

  streamGap(side: HttpSide, bytes: number, ts: number, packet: number): void {
    this.opts.onGap?.(side, bytes, ts, packet, this.conn);
    if (this.state === 'http') this.conv?.gap(side, bytes, ts, packet);
    else if (this.state === 'detect') this.stopDetecting('other');
  }

  streamEnd(side: HttpSide, ts: number, packet: number): void {
    if (this.state !== 'http' || this.conv === undefined) return;
    this.conv.end(side, ts, packet);
    // Both directions ended: every transaction is out, and the conversation would ignore anything
    // more. Let it go (the analyser lives as long as the connection is tracked).
    if (this.conv.done) this.conv = undefined;
  }

  private stopDetecting(state: 'http' | 'other'): void {
    this.state = state;
    this.held = undefined;
    this.heldBytes = undefined;
  }

  private data(side: HttpSide, chunk: Uint8Array, ts: number, packet: number): void {
    if (this.state === 'http') {
      this.conv?.push(side, chunk, ts, packet);
      return;
    }
    if (this.state === 'other') return;
    if (this.held === undefined && chunk.length > 0) {
      this.detectFirst(side, chunk, ts, packet);
      return;
    }
    // Detection: hold the first bytes of each side. A view for now: copied below only if they must
    // outlive this call (chunks do not), which most streams, decided by their first chunk, never need.
    this.held ??= [];
    this.heldBytes ??= { request: 0, response: 0 };
    const held = this.held;
    const heldBytes = this.heldBytes;
    const entry: Held = { side, bytes: chunk.subarray(0, DETECT_BYTES), ts, packet };
    held.push(entry);
    heldBytes[side] += chunk.length;
    const joined = (s: HttpSide) => {
      const parts = held.filter((h) => h.side === s).map((h) => h.bytes);
      // One part is at most DETECT_BYTES long: it is what joining would copy.
      if (parts.length === 1) return parts[0] as Uint8Array;
      const out = new Uint8Array(
        Math.min(
          DETECT_BYTES,
          parts.reduce((n, p) => n + p.length, 0),
        ),
      );
      let o = 0;
      for (const p of parts) {
        if (o >= out.length) break;
        const take = Math.min(p.length, out.length - o);
        out.set(p.subarray(0, take), o);
        o += take;
      }
      return out;
    };
    const req = heldBytes.request > 0 ? detectRequest(joined('request')) : 'more';
    const resp = heldBytes.response > 0 ? classifyResponseStart(joined('response')) : 'more';
    if (req === 'yes' || (resp === 'yes' && req !== 'no')) {
      const conv = this.startHttp();
      // Replay what was held, in order; the chunk in hand is replayed whole (its copy may be cut).
      for (const h of held.slice(0, -1)) conv.push(h.side, h.bytes, h.ts, h.packet);
      conv.push(side, chunk, ts, packet);
      return;
    }
    // Not HTTP, or still undecided after a long prefix (an earlier chunk's copy would be cut).
    if (
      req === 'no' ||
      resp === 'no' ||
      heldBytes.request >= DETECT_BYTES ||
      heldBytes.response >= DETECT_BYTES
    ) {
      this.stopDetecting('other');
      return;
    }
    entry.bytes = entry.bytes.slice();
  }

  /**
   * The first chunk of the connection (nothing held yet): decided as the general path below
   * would decide it with only this chunk held, without its arrays and closure; most streams are.
   */
  private detectFirst(side: HttpSide, chunk: Uint8Array, ts: number, packet: number): void {
    const head = chunk.subarray(0, DETECT_BYTES);
    const req = side === 'request' ? detectRequest(head) : 'more';
    const resp = side === 'response' ? classifyResponseStart(head) : 'more';
    if (req === 'yes' || (resp === 'yes' && req !== 'no')) {
      this.startHttp().push(side, chunk, ts, packet);
      return;
    }
    if (req === 'no' || resp === 'no' || chunk.length >= DETECT_BYTES) {
      this.stopDetecting('other');
      return;
    }
    this.held = [{ side, bytes: head.slice(), ts, packet }];
    this.heldBytes = { request: 0, response: 0 };
    this.heldBytes[side] = chunk.length;
  }

  /** HTTP recognised: the conversation both directions now feed. */
  private startHttp(): HttpConversation {
    this.stopDetecting('http');
    const { onEvent, limits } = this.opts;
    const options: HttpConversationOptions | undefined = onEvent
      ? { onEvent: (e) => onEvent(e, this.conn), ...(limits ? { limits } : {}) }
      : limits && { limits };
    const conv = new HttpConversation((tx) => this.emit(tx), options);
    this.conv = conv;
    return conv;
  }

  private emit(tx: HttpTransaction): void {
    const from = tx.request_start_packet ?? tx.response_start_packet ?? 0;
    const to = tx.response_end_packet ?? Number.POSITIVE_INFINITY;
    const events: PhasedEvent[] = [];
    for (const e of this.events ?? []) {
      if (e.packet < from || e.packet > to) continue;
      const phase: Phase =
        tx.request_end_packet !== undefined && e.packet <= tx.request_end_packet && e.fromClient
          ? 'request'
          : tx.response_start_packet === undefined || e.packet < tx.response_start_packet
            ? 'waiting'
            : 'response';
      events.push({ ...e, phase });
    }
    this.onTransaction({ conn: this.conn, tx, events });
  }

  onSegment(seg: Segment, conn: TcpConnection): void {
    const zeroWindow = seg.tcp.window === 0 && !seg.rst && !seg.analysis.includes('zero_window');
    // Most segments have nothing to say: no array for them.
    if (seg.analysis.length > 0 || seg.rst || zeroWindow) {
      const what: string[] = [...seg.analysis];
      if (seg.rst) what.push('rst');
      if (zeroWindow) what.push('zero_window_advertised');
      this.events ??= [];
      const events = this.events;
      if (events.length >= MAX_EVENTS) events.shift();
      events.push({ packet: seg.n, ts: seg.ts, fromClient: seg.fromOrig, what });
    }
    this.reasm.onSegment(seg, conn);
  }

  onEnd(conn: TcpConnection): void {
    this.reasm.onEnd(conn);
    this.conv?.finish();
  }
}
