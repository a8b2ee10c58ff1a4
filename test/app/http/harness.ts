/**
 * Test harness for the HTTP stream parser: feed a message as any sequence of chunks and gaps,
 * collect events, and reduce them to a form that must not depend on how the bytes were cut.
 */
import assert from 'node:assert/strict';
import { HttpStreamParser } from '../../../src/app/http/parser.js';
import type { HttpEvent, HttpLimits, HttpSide } from '../../../src/app/http/types.js';

/** Latin-1 string to bytes (every char code is one byte). */
export function bytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

/** Lines joined with CRLF: `crlf('GET / HTTP/1.1', 'Host: a', '', '')` is a request head. */
export function crlf(...lines: string[]): string {
  return lines.join('\r\n');
}

export function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const arrays = parts.map((p) => (typeof p === 'string' ? bytes(p) : p));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

export type Piece = Uint8Array | { readonly gap: number };

export interface FeedOptions {
  /** Requests the response parser expects: `GET`, or `GET 0.9` for an HTTP/0.9 request. */
  readonly expect?: readonly string[];
  /** Call end() after the pieces (default true). */
  readonly end?: boolean;
  readonly limits?: Partial<HttpLimits>;
  /** Called after each push with the parser (memory checks). */
  readonly afterPush?: (p: HttpStreamParser) => void;
}

export interface FeedResult {
  readonly events: HttpEvent[];
  readonly parser: HttpStreamParser;
  /** [start, end) stream offsets and the packet number of each piece; end() is packet `endPacket`. */
  readonly spans: ReadonlyArray<readonly [number, number, number]>;
  readonly endPacket: number;
  readonly total: number;
}

/**
 * Feed pieces as packets 1, 2, ... (ts = packet / 1000). Each chunk is a fresh copy that is
 * overwritten right after `push` returns, so a parser that keeps a reference to it shows up.
 */
export function feed(side: HttpSide, pieces: readonly Piece[], opts: FeedOptions = {}): FeedResult {
  const events: HttpEvent[] = [];
  const parser = new HttpStreamParser(side, { event: (e) => events.push(e) }, opts.limits);
  for (const x of opts.expect ?? []) {
    const [method, version] = x.split(' ');
    parser.expectResponseTo(method as string, version);
  }
  const spans: Array<readonly [number, number, number]> = [];
  let off = 0;
  let packet = 0;
  for (const p of pieces) {
    packet++;
    if (p instanceof Uint8Array) {
      if (p.length === 0) continue;
      const copy = new Uint8Array(p);
      parser.push(copy, packet / 1000, packet);
      copy.fill(0xaa);
      spans.push([off, off + p.length, packet]);
      off += p.length;
    } else {
      parser.gap(p.gap, packet / 1000, packet);
      spans.push([off, off + p.gap, packet]);
      off += p.gap;
    }
    opts.afterPush?.(parser);
  }
  packet++;
  if (opts.end !== false) parser.end(packet / 1000, packet);
  return { events, parser, spans, endPacket: packet, total: off };
}

/** Cut `data` at the given positions. */
export function cut(data: Uint8Array, ...at: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const a of [...at, data.length]) {
    out.push(data.subarray(prev, a));
    prev = a;
  }
  return out;
}

/** `data` in pieces of `size` bytes. */
export function pieces(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < data.length; o += size) out.push(data.subarray(o, Math.min(o + size, data.length)));
  return out;
}

type Stripped = Record<string, unknown>;

/**
 * Events without their packet stamps, consecutive body events of a message merged: what must
 * be identical however the stream was cut.
 */
export function normalize(events: readonly HttpEvent[]): Stripped[] {
  const out: Stripped[] = [];
  for (const e of events) {
    const { ts: _ts, packet: _packet, ...rest } = e;
    const prev = out[out.length - 1];
    if (e.kind === 'body' && prev !== undefined && prev.kind === 'body' && prev.message === e.message) {
      prev.wireBytes = (prev.wireBytes as number) + e.wireBytes;
      prev.bodyBytes = (prev.bodyBytes as number) + e.bodyBytes;
      prev.wireTotal = e.wireTotal;
      prev.bodyTotal = e.bodyTotal;
      prev.offset = e.offset;
      continue;
    }
    out.push({ ...rest });
  }
  return out;
}

/** A short readable line per (merged) event, for expectations written by hand. */
export function trace(events: readonly HttpEvent[]): string[] {
  const out: string[] = [];
  for (const e of normalize(events) as unknown as HttpEvent[]) {
    switch (e.kind) {
      case 'messageStart':
        out.push('start');
        break;
      case 'head': {
        const h = e.head;
        if (h.kind === 'request') out.push(`head ${h.method} ${h.target} ${h.version} h${h.headers.size}`);
        else
          out.push(
            `head ${h.status} ${h.reason} ${h.version} h${h.headers.size}${h.interim ? ' interim' : ''}`,
          );
        break;
      }
      case 'body':
        out.push(`body ${e.wireBytes}/${e.bodyBytes}`);
        break;
      case 'messageEnd': {
        const s = e.summary;
        out.push(
          `end ${s.framing} ${s.bodyLength}/${s.wireLength}${s.complete ? '' : ' incomplete'}${s.headParsed ? '' : ' nohead'}`,
        );
        break;
      }
      case 'upgrade':
        out.push(`upgrade ${e.protocol}${e.confirmed ? '' : ' (inferred)'}`);
        break;
      case 'connect':
        out.push(`connect ${e.authority}${e.confirmed ? '' : ' (inferred)'}`);
        break;
      case 'anomaly':
        out.push(`! ${e.anomaly.id}`);
        break;
    }
  }
  return out;
}

/** Every event carries the packet that held the byte at its offset (end() events: the end packet). */
export function assertStamps(r: FeedResult, label: string): void {
  for (const e of r.events) {
    let want = r.endPacket;
    if (e.offset < r.total) {
      const span = r.spans.find(([s, t]) => e.offset >= s && e.offset < t);
      assert.ok(span, `${label}: event ${e.kind} at ${e.offset} outside the stream`);
      want = span[2];
    }
    assert.equal(
      e.packet,
      want,
      `${label}: ${e.kind} at offset ${e.offset} stamped packet ${e.packet}, want ${want}`,
    );
    assert.equal(e.ts, e.packet / 1000, `${label}: ts of ${e.kind}`);
  }
}

/** Invariant: messageStart and messageEnd alternate, numbered 1, 2, ...; events in between belong to it. */
export function assertMessageStructure(events: readonly HttpEvent[], label: string): void {
  let open = 0;
  let last = 0;
  for (const e of events) {
    if (e.kind === 'messageStart') {
      assert.equal(open, 0, `${label}: messageStart inside message ${open}`);
      assert.equal(e.message, last + 1, `${label}: message numbering`);
      open = e.message;
      last = e.message;
    } else if (e.kind === 'messageEnd') {
      assert.equal(e.message, open, `${label}: messageEnd for ${e.message}, open ${open}`);
      open = 0;
    } else if (e.kind === 'head' || e.kind === 'body') {
      assert.equal(e.message, open, `${label}: ${e.kind} outside its message`);
    }
  }
}
