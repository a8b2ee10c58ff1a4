/**
 * Mutated messages, cut at random with random gaps, never make the parser throw, break the
 * messageStart/messageEnd structure, misstamp an event or buffer past its caps.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpConversation } from '../../../src/app/http/transaction.js';
import { DEFAULT_HTTP_LIMITS, type HttpEvent } from '../../../src/app/http/types.js';
import { FIXTURES } from './fixtures.js';
import { assertMessageStructure, assertStamps, bytes, feed, type Piece } from './harness.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [
  '\r\n',
  '\n',
  '\r',
  ':',
  ' ',
  '0',
  'f',
  ';',
  'HTTP/1.1 200 OK\r\n',
  'GET / HTTP/1.1\r\n',
  '\r\n\r\n',
  '\x00',
  '\xff',
  'Transfer-Encoding: chunked\r\n',
  'Content-Length: 5\r\n',
  '\t',
];

function mutate(data: Uint8Array, rand: () => number): Uint8Array {
  let d = Array.from(data);
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rand() * (d.length + 1));
    switch (Math.floor(rand() * 5)) {
      case 0:
        if (d.length > 0) d[Math.min(at, d.length - 1)] = Math.floor(rand() * 256);
        break;
      case 1: {
        const s = INTERESTING[Math.floor(rand() * INTERESTING.length)] as string;
        d.splice(at, 0, ...bytes(s));
        break;
      }
      case 2:
        d.splice(at, 1 + Math.floor(rand() * 20));
        break;
      case 3: {
        const len = Math.floor(rand() * 40);
        d.splice(at, 0, ...d.slice(Math.max(0, at - len), at));
        break;
      }
      default:
        d = d.slice(0, at);
    }
  }
  return new Uint8Array(d);
}

function randomPieces(data: Uint8Array, rand: () => number): Piece[] {
  const out: Piece[] = [];
  let o = 0;
  while (o < data.length) {
    const size = 1 + Math.floor(rand() * (rand() < 0.3 ? 4 : 200));
    out.push(data.subarray(o, Math.min(data.length, o + size)));
    o += size;
    if (rand() < 0.05) {
      const gap = 1 + Math.floor(rand() * 30);
      out.push({ gap });
      o += gap;
    }
  }
  return out;
}

const small = FIXTURES.filter((f) => f.data.length < 20_000);
const CAP =
  DEFAULT_HTTP_LIMITS.maxHeaderBytes +
  DEFAULT_HTTP_LIMITS.previewBytes +
  DEFAULT_HTTP_LIMITS.decodeInputBytes;

test('mutated fixtures in random pieces with gaps: no throw, consistent events, bounded buffers', () => {
  const rand = rng(20240611);
  for (let round = 0; round < 3000; round++) {
    const f = small[Math.floor(rand() * small.length)] as (typeof small)[number];
    const data = mutate(f.data, rand);
    const label = `round ${round} (${f.name})`;
    const opts = {
      ...(f.expect ? { expect: f.expect } : {}),
      afterPush: (p: { bufferedBytes: number }) => assert.ok(p.bufferedBytes <= CAP, label),
    };
    const r = feed(f.side, randomPieces(data, rand), opts);
    assertMessageStructure(r.events, label);
    assertStamps(r, label);
    for (const e of r.events) {
      if (e.kind === 'messageEnd') {
        assert.ok(
          e.summary.bodyLength >= 0 && e.summary.wireLength >= e.summary.bodyLength - e.summary.gapBytes,
          label,
        );
      }
    }
  }
});

test('both directions of mutated conversations through HttpConversation', () => {
  const rand = rng(7);
  const reqs = small.filter((f) => f.side === 'request');
  const resps = small.filter((f) => f.side === 'response');
  for (let round = 0; round < 1000; round++) {
    const events: HttpEvent[] = [];
    let transactions = 0;
    const conv = new HttpConversation(() => transactions++, { onEvent: (e) => events.push(e) });
    const a = randomPieces(
      mutate((reqs[Math.floor(rand() * reqs.length)] as (typeof reqs)[number]).data, rand),
      rand,
    );
    const b = randomPieces(
      mutate((resps[Math.floor(rand() * resps.length)] as (typeof resps)[number]).data, rand),
      rand,
    );
    let packet = 0;
    while (a.length > 0 || b.length > 0) {
      const side = b.length === 0 || (a.length > 0 && rand() < 0.5) ? 'request' : 'response';
      const p = (side === 'request' ? a : b).shift() as Piece;
      packet++;
      if (p instanceof Uint8Array) conv.push(side, p, packet, packet);
      else conv.gap(side, p.gap, packet, packet);
    }
    conv.end('request', ++packet, packet);
    conv.end('response', ++packet, packet);
    assert.equal(conv.pending, 0, `round ${round}`);
    const starts = events.filter((e) => e.kind === 'messageStart' && e.side === 'request').length;
    assert.ok(transactions >= starts, `round ${round}: ${transactions} transactions for ${starts} requests`);
  }
});
