/** What the head, body and end events say, field by field. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import zlib from 'node:zlib';
import { HttpStreamParser } from '../../../src/app/http/parser.js';
import type {
  HttpEvent,
  HttpHeadEvent,
  HttpMessageEndEvent,
  HttpRequestHead,
  HttpResponseHead,
} from '../../../src/app/http/types.js';
import { SAMPLES } from './fixtures.js';
import { bytes, concat, crlf, feed, type Piece, trace } from './harness.js';

function heads(events: readonly HttpEvent[]): (HttpRequestHead | HttpResponseHead)[] {
  return events.filter((e): e is HttpHeadEvent => e.kind === 'head').map((e) => e.head);
}

function ends(events: readonly HttpEvent[]): HttpMessageEndEvent['summary'][] {
  return events.filter((e): e is HttpMessageEndEvent => e.kind === 'messageEnd').map((e) => e.summary);
}

function ids(events: readonly HttpEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'anomaly' ? [e.anomaly.id] : []));
}

function text(b: Uint8Array | undefined): string {
  return Buffer.from(b ?? new Uint8Array(0)).toString('latin1');
}

describe('request head', () => {
  test('request line, headers in order, lookup by lowercase name, sizes, offsets', () => {
    const r = feed('request', [bytes(SAMPLES.GET_SIMPLE)]);
    const [h] = heads(r.events);
    assert.ok(h !== undefined && h.kind === 'request');
    assert.equal(h.method, 'GET');
    assert.equal(h.target, '/index.html');
    assert.equal(h.version, '1.1');
    assert.deepEqual(h.headers.list, [
      ['Host', 'www.example.com'],
      ['User-Agent', 'curl/8.5.0'],
      ['Accept', '*/*'],
    ]);
    assert.equal(h.headers.get('HOST'), 'www.example.com');
    assert.equal(h.headers.get('user-agent'), 'curl/8.5.0');
    assert.equal(h.headers.has('cookie'), false);
    assert.equal(h.headerBytes, SAMPLES.GET_SIMPLE.length);
    assert.equal(h.keepAlive, true);
    const start = r.events[0];
    assert.equal(start?.kind, 'messageStart');
    assert.equal(start?.offset, 0);
    assert.equal(r.events[1]?.offset, SAMPLES.GET_SIMPLE.length - 1, 'head event at the final LF');
    assert.deepEqual(JSON.parse(JSON.stringify(h.headers)), h.headers.list, 'headers serialise as the list');
  });

  test('repeated headers keep every value, in order', () => {
    const r = feed('request', [
      bytes(
        crlf(
          'GET / HTTP/1.1',
          'Host: a',
          'Accept: text/html',
          'X-Forwarded-For: 10.0.0.1',
          'accept: */*',
          '',
          '',
        ),
      ),
    ]);
    const [h] = heads(r.events);
    assert.deepEqual(h?.headers.getAll('ACCEPT'), ['text/html', '*/*']);
    assert.equal(h?.headers.get('accept'), 'text/html');
    assert.equal(h?.headers.size, 4);
  });

  test('header values are terminal-safe: escapes, bidi overrides, invalid UTF-8', () => {
    const raw = concat(
      'GET /a\x1b[2Jb HTTP/1.1\r\nHost: a\r\nX-Evil: \x1b]0;pwned\x07 ok\r\nX-Bidi: abc',
      new Uint8Array([0xe2, 0x80, 0xae]),
      'def\r\nX-Bin: \xff\xfe\\\r\n\r\n',
    );
    const r = feed('request', [raw]);
    const [h] = heads(r.events);
    assert.ok(h?.kind === 'request');
    assert.equal(h.target, '/a\\x1b[2Jb');
    assert.equal(h.headers.get('x-evil'), '\\x1b]0;pwned\\x07 ok');
    assert.equal(h.headers.get('x-bidi'), 'abc\\u{202e}def');
    assert.equal(h.headers.get('x-bin'), '\\xff\\xfe\\\\');
    assert.deepEqual(ids(r.events), ['http.bad-request-target']);
  });

  test('obs-fold joins the continuation with one space', () => {
    const r = feed('request', [bytes(SAMPLES.OBS_FOLD)]);
    assert.equal(heads(r.events)[0]?.headers.get('x-long-header'), 'first part, second part, third part');
  });

  test('HTTP/1.0 without keep-alive closes; with it persists; 1.1 with close closes', () => {
    const one = (h: string) => heads(feed('request', [bytes(h)]).events)[0]?.keepAlive;
    assert.equal(one(crlf('GET / HTTP/1.0', '', '')), false);
    assert.equal(one(crlf('GET / HTTP/1.0', 'Connection: keep-alive', '', '')), true);
    assert.equal(one(crlf('GET / HTTP/1.1', 'Host: a', 'Connection: Keep-Alive, Close', '', '')), false);
    assert.equal(one(crlf('GET / HTTP/1.1', 'Host: a', '', '')), true);
  });

  test('request with a Content-Length beyond 15 digits is not believed', () => {
    const r = feed('request', [
      bytes(crlf('POST / HTTP/1.1', 'Host: a', 'Content-Length: 1234567890123456', '', '')),
    ]);
    assert.deepEqual(ids(r.events), ['http.bad-content-length']);
    assert.equal(r.parser.phaseName, 'ended');
  });

  test('request whose Transfer-Encoding does not end in chunked cannot be framed', () => {
    const r = feed('request', [
      bytes(
        `${crlf('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked, gzip', '', '')}xx${crlf('GET /n HTTP/1.1', 'Host: a', '', '')}`,
      ),
    ]);
    assert.deepEqual(ids(r.events), ['http.bad-transfer-encoding', 'http.resync']);
    assert.deepEqual(
      heads(r.events).map((h) => (h.kind === 'request' ? h.target : '')),
      ['/', '/n'],
    );
  });
});

describe('response head', () => {
  test('status line without a reason phrase', () => {
    const r = feed('response', [bytes(crlf('HTTP/1.1 200', 'Content-Length: 0', '', ''))], {
      expect: ['GET'],
    });
    const [h] = heads(r.events);
    assert.ok(h?.kind === 'response');
    assert.equal(h.status, 200);
    assert.equal(h.reason, '');
    assert.equal(h.requestMethod, 'GET');
    assert.deepEqual(ids(r.events), []);
  });

  test('status below 100 or longer than 3 digits is a bad status line', () => {
    for (const line of ['HTTP/1.1 099 Odd', 'HTTP/1.1 2000 OK', 'HTTP/1.1 20 OK', 'HTTP/1.1x200 OK']) {
      const r = feed('response', [bytes(crlf(line, '', ''))], { expect: ['GET'] });
      assert.deepEqual(ids(r.events), ['http.bad-status-line'], line);
    }
  });

  test('responses are matched to expected methods in order; unknown without one', () => {
    const r = feed('response', [bytes(SAMPLES.HEAD_THEN_GET)], { expect: ['HEAD', 'GET'] });
    assert.deepEqual(
      heads(r.events).map((h) => (h.kind === 'response' ? h.requestMethod : '')),
      ['HEAD', 'GET'],
    );
    assert.equal(r.parser.pendingResponses, 0);
    const bare = feed('response', [bytes(crlf('HTTP/1.1 200 OK', 'Content-Length: 2', '', 'ok'))]);
    assert.equal((heads(bare.events)[0] as HttpResponseHead).requestMethod, '');
  });

  test('an interim response does not consume the expected request', () => {
    const events: HttpEvent[] = [];
    const p = new HttpStreamParser('response', { event: (e) => events.push(e) });
    p.expectResponseTo('POST');
    p.push(bytes(crlf('HTTP/1.1 100 Continue', '', '')), 1, 1);
    assert.equal(p.pendingResponses, 1);
    p.push(bytes(crlf('HTTP/1.1 200 OK', 'Content-Length: 0', '', '')), 2, 2);
    assert.equal(p.pendingResponses, 0);
    assert.deepEqual(
      heads(events).map((h) => (h.kind === 'response' ? `${h.status} ${h.interim} ${h.requestMethod}` : '')),
      ['100 true POST', '200 false POST'],
    );
  });

  test('HTTP/0.9 response: head with version 0.9, status 0, the whole stream as body', () => {
    const r = feed('response', [bytes(SAMPLES.HTTP09_RESPONSE)], { expect: ['GET'] });
    const [h] = heads(r.events);
    assert.ok(h?.kind === 'response');
    assert.equal(h.version, '0.9');
    assert.equal(h.status, 0);
    assert.equal(h.headerBytes, 0);
    assert.equal(h.requestMethod, 'GET');
    assert.equal(text(ends(r.events)[0]?.preview), SAMPLES.HTTP09_RESPONSE);
  });

  test('a non-HTTP second response is a bad status line, not HTTP/0.9', () => {
    const r = feed('response', [bytes(`${crlf('HTTP/1.1 204 No Content', '', '')}<html>\n`)], {
      expect: ['GET', 'GET'],
    });
    assert.deepEqual(ids(r.events), ['http.bad-status-line']);
  });
});

describe('bodies and message summaries', () => {
  test('chunked: chunks, extensions, trailers, de-chunked preview', () => {
    const r = feed('response', [bytes(SAMPLES.CHUNKED_TRAILERS)], { expect: ['GET'] });
    const [s] = ends(r.events);
    assert.ok(s);
    assert.equal(s.framing, 'chunked');
    assert.equal(s.chunks, 3);
    assert.equal(s.chunkExtensions, 2, 'the ; inside the quoted value is not an extension');
    assert.deepEqual(s.trailers?.list, [['Expires', 'Wed, 21 Oct 2015 07:28:00 GMT']]);
    assert.equal(text(s.preview), 'MozillaDeveloperNetwork');
    assert.equal(s.complete, true);
  });

  test('Content-Length body: declared length and preview', () => {
    const r = feed('response', [bytes(SAMPLES.RESP_200)], { expect: ['GET'] });
    const [s] = ends(r.events);
    assert.equal(s?.contentLength, SAMPLES.HTML.length);
    assert.equal(text(s?.preview), SAMPLES.HTML);
  });

  test('preview keeps only the first previewBytes bytes of a large body', () => {
    const body = 'x'.repeat(100_000);
    const r = feed(
      'response',
      [bytes(`${crlf('HTTP/1.1 200 OK', `Content-Length: ${body.length}`, '', '')}${body}`)],
      {
        expect: ['GET'],
        limits: { previewBytes: 64 },
      },
    );
    const [s] = ends(r.events);
    assert.equal(s?.preview?.length, 64);
    assert.equal(s?.bodyLength, 100_000);
  });

  for (const [name, data] of [
    ['gzip with Content-Length', SAMPLES.GZIP_RESPONSE],
    ['gzip, chunked', SAMPLES.GZIP_CHUNKED],
    ['raw deflate', SAMPLES.DEFLATE_RESPONSE],
  ] as const) {
    test(`${name}: decoded length and decoded preview`, () => {
      const r = feed('response', [data], { expect: ['GET'] });
      const [s] = ends(r.events);
      assert.ok(s);
      assert.equal(s.decodedLength, SAMPLES.GZ_TEXT.length);
      assert.equal(text(s.decodedPreview), SAMPLES.GZ_TEXT.slice(0, 512));
      assert.ok(s.contentEncoding === 'gzip' || s.contentEncoding === 'deflate');
      assert.deepEqual(ids(r.events), []);
    });
  }

  test('zlib-wrapped deflate and brotli are decoded too', () => {
    for (const [coding, body] of [
      ['deflate', zlib.deflateSync(Buffer.from(SAMPLES.GZ_TEXT))],
      ['br', zlib.brotliCompressSync(Buffer.from(SAMPLES.GZ_TEXT))],
    ] as const) {
      const r = feed(
        'response',
        [
          concat(
            crlf('HTTP/1.1 200 OK', `Content-Encoding: ${coding}`, `Content-Length: ${body.length}`, '', ''),
            body,
          ),
        ],
        { expect: ['GET'] },
      );
      assert.equal(ends(r.events)[0]?.decodedLength, SAMPLES.GZ_TEXT.length, coding);
    }
  });

  test('stacked or unknown codings are not decoded', () => {
    for (const ce of ['gzip, br', 'compress', 'zstd']) {
      const r = feed(
        'response',
        [bytes(crlf('HTTP/1.1 200 OK', `Content-Encoding: ${ce}`, 'Content-Length: 2', '', 'xx'))],
        {
          expect: ['GET'],
        },
      );
      const [s] = ends(r.events);
      assert.equal(s?.contentEncoding, undefined, ce);
      assert.equal(s?.decodedPreview, undefined, ce);
    }
  });

  test('a gzip bomb stops at the decode limit and keeps a preview', () => {
    const r = feed('response', [SAMPLES.GZIP_BOMB], { expect: ['GET'] });
    const [s] = ends(r.events);
    assert.equal(s?.decodedLength, undefined);
    assert.equal(s?.decodedPreview?.length, 512);
    assert.ok(s?.decodedPreview?.every((b) => b === 0));
    assert.deepEqual(ids(r.events), ['http.decode-limit']);
    assert.equal(r.parser.bufferedBytes, 0);
  });

  test('compressed body larger than decodeInputBytes: preview of its start, no length', () => {
    const big = zlib.gzipSync(Buffer.from(Array.from({ length: 20000 }, (_, k) => `line ${k}\n`).join('')));
    assert.ok(big.length > 16 * 1024);
    const r = feed(
      'response',
      [
        concat(
          crlf('HTTP/1.1 200 OK', 'Content-Encoding: gzip', `Content-Length: ${big.length}`, '', ''),
          big,
        ),
      ],
      { expect: ['GET'] },
    );
    const [s] = ends(r.events);
    assert.equal(s?.decodedLength, undefined);
    assert.equal(text(s?.decodedPreview).slice(0, 14), 'line 0\nline 1\n');
    assert.deepEqual(ids(r.events), []);
  });

  test('HEAD response with chunked Transfer-Encoding still has no body', () => {
    const r = feed(
      'response',
      [
        bytes(
          `${crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '')}${crlf('HTTP/1.1 200 OK', 'Content-Length: 0', '', '')}`,
        ),
      ],
      { expect: ['HEAD', 'GET'] },
    );
    assert.deepEqual(trace(r.events), [
      'start',
      'head 200 OK 1.1 h1',
      'end none 0/0',
      'start',
      'head 200 OK 1.1 h1',
      'end content-length 0/0',
    ]);
  });

  test('a non-2xx answer to CONNECT is an ordinary response', () => {
    const r = feed(
      'response',
      [bytes(crlf('HTTP/1.1 407 Proxy Authentication Required', 'Content-Length: 0', '', ''))],
      { expect: ['CONNECT'] },
    );
    assert.equal(r.parser.phaseName, 'ended');
    assert.ok(!r.events.some((e) => e.kind === 'connect'));
  });
});

describe('protocol switches', () => {
  test('after 101 the rest is opaque and counted', () => {
    const r = feed('response', [SAMPLES.WEBSOCKET_101], { expect: ['GET'], end: false });
    assert.equal(r.parser.phaseName, 'opaque');
    assert.equal(r.parser.stats.opaqueBytes, 7);
  });

  test('after 200 to CONNECT the rest is opaque and counted', () => {
    const r = feed('response', [SAMPLES.CONNECT_200, { gap: 100 }, bytes('more tunnel')], {
      expect: ['CONNECT'],
      end: false,
    });
    assert.equal(r.parser.phaseName, 'opaque');
    assert.equal(r.parser.stats.opaqueBytes, 11 + 100 + 11);
  });

  test('an Upgrade request followed by another request: the server refused, parsing goes on', () => {
    const up = crlf('GET /chat HTTP/1.1', 'Host: a', 'Upgrade: websocket', 'Connection: Upgrade', '', '');
    const r = feed('request', [bytes(`${up}${crlf('GET /plain HTTP/1.1', 'Host: a', '', '')}`)]);
    assert.equal(heads(r.events).length, 2);
    assert.ok(!r.events.some((e) => e.kind === 'upgrade'));
  });

  test('protocolSwitched() makes an idle request parser opaque, or after the current message', () => {
    const events: HttpEvent[] = [];
    const p = new HttpStreamParser('request', { event: (e) => events.push(e) });
    p.push(
      bytes(
        crlf('GET /chat HTTP/1.1', 'Host: a', 'Upgrade: h2c', 'Connection: Upgrade, HTTP2-Settings', '', ''),
      ),
      1,
      1,
    );
    assert.equal(p.phaseName, 'probe');
    p.protocolSwitched('upgrade', 2, 2);
    assert.equal(p.phaseName, 'opaque');
    const sw = events.at(-1);
    assert.ok(sw?.kind === 'upgrade');
    assert.equal(sw.protocol, 'h2c');
    assert.equal(sw.confirmed, true);
    assert.equal(sw.packet, 2);
    p.push(bytes('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 3, 3);
    assert.equal(p.stats.opaqueBytes, 24);

    const q = new HttpStreamParser('request', { event: (e) => events.push(e) });
    q.push(bytes(crlf('POST /up HTTP/1.1', 'Host: a', 'Content-Length: 4', '', 'ab')), 1, 1);
    q.protocolSwitched('upgrade', 2, 2);
    assert.equal(q.phaseName, 'body');
    q.push(bytes('cd\x81\x00'), 3, 3);
    assert.equal(q.phaseName, 'opaque');
    assert.equal(q.stats.opaqueBytes, 2);
  });
});

describe('pipelining queue', () => {
  test('more expectations than maxPendingRequests drop the oldest, with an anomaly', () => {
    const events: HttpEvent[] = [];
    const p = new HttpStreamParser('response', { event: (e) => events.push(e) }, { maxPendingRequests: 3 });
    for (const m of ['HEAD', 'GET', 'GET', 'GET']) p.expectResponseTo(m);
    assert.equal(p.pendingResponses, 3);
    assert.deepEqual(ids(events), ['http.too-many-pending']);
    p.push(bytes(crlf('HTTP/1.1 200 OK', 'Content-Length: 1', '', 'x')), 1, 1);
    assert.equal((heads(events)[0] as HttpResponseHead).requestMethod, 'GET');
  });

  test('a long pipelined session keeps the queue compact', () => {
    const events: HttpEvent[] = [];
    const p = new HttpStreamParser('response', { event: () => {} });
    const resp = bytes(crlf('HTTP/1.1 200 OK', 'Content-Length: 1', '', 'x'));
    for (let k = 0; k < 10_000; k++) {
      p.expectResponseTo(k % 7 === 0 ? 'HEAD' : 'GET');
      p.push(k % 7 === 0 ? bytes(crlf('HTTP/1.1 200 OK', 'Content-Length: 1', '', '')) : resp, k, k);
    }
    assert.equal(p.pendingResponses, 0);
    assert.equal(p.stats.messages, 10_000);
    assert.equal(events.length, 0);
    const internal = (p as unknown as { expect: unknown[] }).expect;
    assert.ok(internal.length < 200, `queue array holds ${internal.length}`);
  });
});

describe('stream bookkeeping', () => {
  test('stats count bytes, messages, gaps and skipped bytes', () => {
    // The CRLF after the cruft line is skipped; the gap is counted as a gap; "junk" is skipped at the end.
    const pieces: Piece[] = [bytes(SAMPLES.CRUFT), { gap: 10 }, bytes('junk')];
    const r = feed('request', pieces);
    assert.deepEqual(r.parser.stats, {
      bytes: SAMPLES.CRUFT.length + 14,
      messages: 2,
      gapBytes: 10,
      opaqueBytes: 0,
      skippedBytes: 6,
    });
  });

  test('push, gap and end after end() are ignored', () => {
    const r = feed('request', [bytes(SAMPLES.GET_SIMPLE)]);
    const n = r.events.length;
    r.parser.push(bytes(SAMPLES.GET_SIMPLE), 9, 9);
    r.parser.gap(5, 9, 9);
    r.parser.end(9, 9);
    assert.equal(r.events.length, n);
  });
});
