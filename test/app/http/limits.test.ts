/** Limits hold: buffered bytes stay under their caps whatever the input, and hitting one is an anomaly. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';
import { HttpStreamParser } from '../../../src/app/http/parser.js';
import { DEFAULT_HTTP_LIMITS, type HttpEvent } from '../../../src/app/http/types.js';
import { bytes, concat, crlf, feed, pieces, trace } from './harness.js';

const MSS = 1460;
/** Line buffer (grown by doubling up to the header budget) + preview + compressed input. */
const CAP =
  DEFAULT_HTTP_LIMITS.maxHeaderBytes +
  DEFAULT_HTTP_LIMITS.previewBytes +
  DEFAULT_HTTP_LIMITS.decodeInputBytes;

function ids(events: readonly HttpEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'anomaly' ? [e.anomaly.id] : []));
}

/** Feed `total` bytes of `fill` after `prefix`, in MSS-sized chunks, without building them all. */
function stream(
  side: 'request' | 'response',
  prefix: string,
  fill: number,
  total: number,
  suffix: string,
  expect?: string,
): { events: HttpEvent[]; maxBuffered: number; parser: HttpStreamParser } {
  const events: HttpEvent[] = [];
  const p = new HttpStreamParser(side, { event: (e) => events.push(e) });
  if (expect !== undefined) p.expectResponseTo(expect);
  let maxBuffered = 0;
  let packet = 0;
  const push = (c: Uint8Array) => {
    p.push(c, ++packet, packet);
    maxBuffered = Math.max(maxBuffered, p.bufferedBytes);
  };
  for (const c of pieces(bytes(prefix), MSS)) push(c);
  const block = new Uint8Array(MSS).fill(fill);
  for (let sent = 0; sent < total; sent += MSS) push(block.subarray(0, Math.min(MSS, total - sent)));
  for (const c of pieces(bytes(suffix), MSS)) push(c);
  p.end(++packet, packet);
  return { events, maxBuffered, parser: p };
}

describe('memory bounds', () => {
  test('a 3 MB header line keeps the line buffer under the header cap, then parsing resumes', () => {
    const r = stream(
      'request',
      'GET / HTTP/1.1\r\nHost: a\r\nCookie: ',
      0x61,
      3 * 1024 * 1024,
      `\r\n\r\n${crlf('GET /after HTTP/1.1', 'Host: a', '', '')}`,
    );
    assert.ok(r.maxBuffered <= DEFAULT_HTTP_LIMITS.maxHeaderBytes, `buffered ${r.maxBuffered}`);
    assert.deepEqual(ids(r.events), ['http.header-too-large', 'http.resync']);
    assert.deepEqual(trace(r.events).slice(-3), ['start', 'head GET /after 1.1 h1', 'end none 0/0']);
    assert.equal(r.parser.bufferedBytes, 0);
  });

  test('a 10 MB header line: bounded too; skipping it exhausts the resync budget, so the parser stops', () => {
    const r = stream(
      'request',
      'GET / HTTP/1.1\r\nHost: a\r\nCookie: ',
      0x61,
      10 * 1024 * 1024,
      `\r\n\r\n${crlf('GET /after HTTP/1.1', 'Host: a', '', '')}`,
    );
    assert.ok(r.maxBuffered <= DEFAULT_HTTP_LIMITS.maxHeaderBytes, `buffered ${r.maxBuffered}`);
    assert.deepEqual(ids(r.events), ['http.header-too-large', 'http.stopped']);
    assert.equal(r.parser.bufferedBytes, 0);
  });

  test('a 10 MB header line in a single chunk is never copied', () => {
    const line = new Uint8Array(10 * 1024 * 1024 + 40).fill(0x61);
    line.set(bytes('GET / HTTP/1.1\r\nCookie: '));
    const events: HttpEvent[] = [];
    const p = new HttpStreamParser('request', { event: (e) => events.push(e) });
    p.push(line, 1, 1);
    assert.ok(p.bufferedBytes <= 1024, `buffered ${p.bufferedBytes}`);
    assert.deepEqual(ids(events), ['http.header-too-large']);
  });

  test('a 10 MB request line without LF', () => {
    const r = stream('request', 'GET /', 0x61, 10 * 1024 * 1024, '');
    assert.ok(r.maxBuffered <= DEFAULT_HTTP_LIMITS.maxHeaderBytes);
    assert.deepEqual(ids(r.events), ['http.header-too-large', 'http.stopped']);
  });

  test('an endless chunk size stays under the chunk-line cap', () => {
    const r = stream(
      'response',
      crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', ''),
      0x66,
      10 * 1024 * 1024,
      '',
      'GET',
    );
    assert.ok(r.maxBuffered <= 2 * DEFAULT_HTTP_LIMITS.maxChunkLineBytes, `buffered ${r.maxBuffered}`);
    assert.deepEqual(ids(r.events), ['http.bad-chunk-size', 'http.stopped']);
  });

  test('binary junk without line ends: resync gives up after maxResyncBytes', () => {
    const head = crlf('HTTP/1.1 204 No Content', '', '');
    const r = stream('response', head, 0x00, 10 * 1024 * 1024, '', 'GET');
    assert.ok(r.maxBuffered <= DEFAULT_HTTP_LIMITS.maxHeaderBytes);
    assert.deepEqual(ids(r.events), ['http.bad-status-line', 'http.stopped']);
    const stopped = r.events.find((e) => e.kind === 'anomaly' && e.anomaly.id === 'http.stopped');
    assert.equal(stopped?.offset, head.length + DEFAULT_HTTP_LIMITS.maxResyncBytes - 1);
    assert.equal(r.parser.stats.opaqueBytes, 10 * 1024 * 1024 - DEFAULT_HTTP_LIMITS.maxResyncBytes);
  });

  test('a 100 MB body is counted, not kept', () => {
    const size = 100 * 1024 * 1024;
    const r = stream(
      'response',
      crlf('HTTP/1.1 200 OK', `Content-Length: ${size}`, '', ''),
      0x42,
      size,
      '',
      'GET',
    );
    assert.ok(r.maxBuffered <= CAP);
    const end = r.events.at(-1);
    assert.ok(end?.kind === 'messageEnd');
    assert.equal(end.summary.bodyLength, size);
    assert.equal(end.summary.complete, true);
  });

  test('a long header section under the limit is accepted; one byte over is not', () => {
    const limits = { maxHeaderBytes: 200 };
    const head = (n: number) => {
      const base = crlf('GET / HTTP/1.1', 'Host: a', 'X: ', '', '');
      return bytes(base.replace('X: ', `X: ${'v'.repeat(n - base.length)}`));
    };
    assert.equal(head(200).length, 200);
    assert.deepEqual(ids(feed('request', [head(200)], { limits }).events), []);
    const over = feed('request', [head(201)], { limits });
    assert.deepEqual(ids(over.events), ['http.header-too-large']);
    const at = over.events.find((e) => e.kind === 'anomaly');
    assert.equal(at?.offset, 199, 'the 200th byte is not the final LF');
  });

  test('maxHeaders is configurable', () => {
    const r = feed('request', [bytes(crlf('GET / HTTP/1.1', 'Host: a', 'A: 1', 'B: 2', 'C: 3', '', ''))], {
      limits: { maxHeaders: 2 },
    });
    assert.deepEqual(ids(r.events), ['http.too-many-headers']);
    assert.deepEqual(trace(r.events).slice(1, 3), ['! http.too-many-headers', 'head GET / 1.1 h2']);
  });

  test('trailer sections have the same limits', () => {
    const body = concat(
      crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', ''),
      crlf('1', 'x', '0', `X-Big: ${'t'.repeat(300)}`, '', ''),
    );
    const r = feed('response', [body], { expect: ['GET'], limits: { maxHeaderBytes: 200 } });
    assert.deepEqual(ids(r.events), ['http.header-too-large']);
  });

  test('a gzip bomb: bounded decoding memory and time', () => {
    // 1 GiB of zeros would be too slow to build; 64 MiB compresses to ~64 KiB, over the input cap.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const t0 = process.hrtime.bigint();
    const r = feed(
      'response',
      [
        concat(
          crlf('HTTP/1.1 200 OK', 'Content-Encoding: gzip', `Content-Length: ${bomb.length}`, '', ''),
          bomb,
        ),
      ],
      { expect: ['GET'], afterPush: (p) => assert.ok(p.bufferedBytes <= CAP) },
    );
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(ms < 2000, `${ms} ms`);
    assert.deepEqual(ids(r.events), ['http.decode-limit']);
  });
});
