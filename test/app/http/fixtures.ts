/**
 * Hand-made HTTP/1.x messages, one direction each, with the events they must produce.
 * Realistic headers (curl, browsers, Apache, nginx, Python's http.server); the odd ones are
 * modelled on what real captures show (Zeek's test traces: HTTP/0.9, CONNECT, cruft after a
 * request, the 100-continue exchange).
 *
 * `trace` lines (see harness.trace): `start`, `head ...`, `body wire/body`, `end framing
 * body/wire [incomplete] [nohead]`, `! anomaly-id`, `upgrade ...`, `connect ...`.
 */
import zlib from 'node:zlib';
import type { HttpLimits, HttpSide } from '../../../src/app/http/types.js';
import { bytes, concat, crlf } from './harness.js';

export interface MessageFixture {
  readonly name: string;
  readonly side: HttpSide;
  readonly data: Uint8Array;
  readonly expect?: readonly string[];
  readonly limits?: Partial<HttpLimits>;
  readonly trace: readonly string[];
  /** Large inputs: test a sample of split positions instead of all of them. */
  readonly sampleSplits?: boolean;
}

const HTML =
  '<!DOCTYPE html>\n<html><head><title>It works</title></head><body><h1>It works!</h1></body></html>\n';

function len(s: string | Uint8Array): number {
  return typeof s === 'string' ? Buffer.byteLength(s, 'latin1') : s.length;
}

// --- Requests ---------------------------------------------------------------------------------

const GET_SIMPLE = crlf(
  'GET /index.html HTTP/1.1',
  'Host: www.example.com',
  'User-Agent: curl/8.5.0',
  'Accept: */*',
  '',
  '',
);

const FORM = 'username=alice&password=s3cr3t%21&remember=on';
const POST_FORM = crlf(
  'POST /login.php HTTP/1.1',
  'Host: 192.168.56.101',
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Content-Type: application/x-www-form-urlencoded',
  `Content-Length: ${FORM.length}`,
  'Origin: http://192.168.56.101',
  'Connection: keep-alive',
  'Referer: http://192.168.56.101/login.php',
  'Cookie: PHPSESSID=r3v9l0lfhqk3c3n5rf3l2a4s41; security=low',
  '',
  FORM,
);

const CHUNKED_UPLOAD_BODY = crlf('1a', 'abcdefghijklmnopqrstuvwxyz', '10', '0123456789ABCDEF', '0', '', '');
const CHUNKED_UPLOAD = `${crlf(
  'PUT /upload/log.txt HTTP/1.1',
  'Host: files.example.net',
  'User-Agent: python-requests/2.31.0',
  'Transfer-Encoding: chunked',
  'Content-Type: text/plain',
  '',
  '',
)}${CHUNKED_UPLOAD_BODY}`;

const JSON_BODY = '{"name":"widget","qty":12}\n';
const EXPECT_100 = `${crlf(
  'POST /api/items HTTP/1.1',
  'Host: api.example.com',
  'User-Agent: curl/7.68.0',
  'Accept: */*',
  'Content-Type: application/json',
  `Content-Length: ${JSON_BODY.length}`,
  'Expect: 100-continue',
  '',
  '',
)}${JSON_BODY}`;

const PIPELINED = [
  crlf('GET /a.css HTTP/1.1', 'Host: static.example.org', '', ''),
  crlf('GET /b.js HTTP/1.1', 'Host: static.example.org', '', ''),
  crlf('HEAD /c.png HTTP/1.1', 'Host: static.example.org', 'Connection: close', '', ''),
].join('');

const KEEPALIVE_10 = [
  crlf('GET /one HTTP/1.0', 'Host: legacy.example', 'Connection: Keep-Alive', '', ''),
  crlf('GET /two HTTP/1.0', 'Host: legacy.example', 'Connection: Keep-Alive', '', ''),
].join('');

const OBS_FOLD = crlf(
  'GET /fold HTTP/1.1',
  'Host: old.example',
  'X-Long-Header: first part,',
  '   second part,',
  '\tthird part',
  'Accept: */*',
  '',
  '',
);

const BARE_LF_REQUEST = 'GET /lf HTTP/1.1\nHost: unix.example\nAccept: */*\n\n';

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const WEBSOCKET_REQUEST = concat(
  crlf(
    'GET /chat HTTP/1.1',
    'Host: server.example.com',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${WS_KEY}`,
    'Origin: http://example.com',
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ),
  // A masked text frame "Hello" (RFC 6455 §5.7).
  new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]),
);

const TLS_HELLO_START = new Uint8Array([
  0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x5a, 0x9d, 0x10, 0x77, 0xe2, 0x31,
]);
const CONNECT_REQUEST = concat(
  crlf(
    'CONNECT secure.newegg.com:443 HTTP/1.1',
    'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10.10; rv:41.0) Gecko/20100101 Firefox/41.0',
    'Proxy-Connection: keep-alive',
    'Connection: keep-alive',
    'Host: secure.newegg.com:443',
    '',
    '',
  ),
  TLS_HELLO_START,
);

const HTTP09_REQUEST =
  'GET /cgi-bin/formmail.pl?email=f2@aol.com&subject=www-nrg.ee/cgi-bin/formmail.pl&recipient=unknownz@buy2save.com&msg=w00t\r\n';

const CRUFT = crlf('T / HTTP', '', 'GET / HTTP/1.1', 'Host: zeek.org', '', '');

const TE_AND_CL = `${crlf(
  'POST /smuggle HTTP/1.1',
  'Host: victim.example',
  'Content-Length: 6',
  'Transfer-Encoding: chunked',
  '',
  '',
)}${crlf('0', '', '')}`;

const CONFLICTING_CL = `${crlf(
  'POST /x HTTP/1.1',
  'Host: a.example',
  'Content-Length: 5',
  'Content-Length: 6',
  '',
  '',
)}hello!${crlf('GET /after HTTP/1.1', 'Host: a.example', '', '')}`;

const CL_LIST = `${crlf('POST /list HTTP/1.1', 'Host: a.example', 'Content-Length: 3, 3', '', '')}abc`;

const MISSING_HOST = crlf('GET /nohost HTTP/1.1', 'Accept: */*', '', '');

const SPACE_BEFORE_COLON = crlf('GET /sp HTTP/1.1', 'Host: a.example', 'Content-Length : 0', '', '');

const BAD_HEADER_LINE = crlf('GET /nocolon HTTP/1.1', 'Host: a.example', 'this line has no colon', '', '');

const DATA_AFTER_CLOSE = [
  crlf('GET /bye HTTP/1.1', 'Host: a.example', 'Connection: close', '', ''),
  crlf('GET /again HTTP/1.1', 'Host: a.example', '', ''),
].join('');

const H2_PREFACE = concat('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', new Uint8Array([0, 0, 18, 4, 0, 0, 0, 0, 0]));

const MANY_HEADERS = crlf(
  'GET /many HTTP/1.1',
  'Host: a.example',
  ...Array.from({ length: 205 }, (_, k) => `X-H${k}: v${k}`),
  '',
  '',
);

const BIG_HEADERS_TAIL = crlf('GET /next HTTP/1.1', 'Host: a.example', '', '');
const BIG_HEADERS = `${crlf(
  'GET /big HTTP/1.1',
  'Host: a.example',
  ...Array.from({ length: 150 }, (_, k) => `X-Padding-${String(k).padStart(4, '0')}: ${'p'.repeat(480)}`),
  '',
  '',
)}${BIG_HEADERS_TAIL}`;

const MEGA_LINE = `${crlf('GET /mega HTTP/1.1', 'Host: a.example', `Cookie: ${'a'.repeat(1024 * 1024)}`, '', '')}${crlf(
  'GET /ok HTTP/1.1',
  'Host: a.example',
  '',
  '',
)}`;

const UNFINISHED_HEAD = 'GET /cut HTTP/1.1\r\nHost: a.exa';

// --- Responses --------------------------------------------------------------------------------

const RESP_200 = `${crlf(
  'HTTP/1.1 200 OK',
  'Date: Mon, 27 Jul 2009 12:28:53 GMT',
  'Server: Apache/2.2.14 (Ubuntu)',
  'Last-Modified: Wed, 22 Jul 2009 19:15:56 GMT',
  'ETag: "34aa387-d-1568eb00"',
  'Accept-Ranges: bytes',
  `Content-Length: ${HTML.length}`,
  'Content-Type: text/html; charset=UTF-8',
  '',
  '',
)}${HTML}`;

const CHUNKED_TRAILER_BODY = crlf(
  '7;name=value',
  'Mozilla',
  '9 ; quoted="a;b"',
  'Developer',
  '7',
  'Network',
  '0',
  'Expires: Wed, 21 Oct 2015 07:28:00 GMT',
  '',
  '',
);
const CHUNKED_TRAILERS = `${crlf(
  'HTTP/1.1 200 OK',
  'Content-Type: text/plain',
  'Transfer-Encoding: chunked',
  'Trailer: Expires',
  '',
  '',
)}${CHUNKED_TRAILER_BODY}`;

const RESP_204 = crlf(
  'HTTP/1.1 204 No Content',
  'Date: Tue, 01 Aug 2023 10:00:00 GMT',
  'Server: nginx',
  '',
  '',
);

const RESP_304_THEN_200 = `${crlf(
  'HTTP/1.1 304 Not Modified',
  'Date: Tue, 01 Aug 2023 10:00:00 GMT',
  'ETag: "5f2b-1a2b"',
  'Content-Length: 1234',
  '',
  '',
)}${crlf('HTTP/1.1 200 OK', 'Content-Length: 2', '', '')}hi`;

const HEAD_THEN_GET = `${crlf(
  'HTTP/1.1 200 OK',
  'Content-Type: text/html',
  'Content-Length: 1234',
  '',
  '',
)}${crlf('HTTP/1.1 200 OK', 'Content-Length: 5', '', '')}hello`;

const CONTINUE_THEN_201 = `${crlf('HTTP/1.1 100 Continue', '', '')}${crlf(
  'HTTP/1.1 201 Created',
  'Location: /api/items/7',
  'Content-Length: 0',
  '',
  '',
)}`;

const EARLY_HINTS = `${crlf(
  'HTTP/1.1 103 Early Hints',
  'Link: </style.css>; rel=preload; as=style',
  '',
  '',
)}${crlf('HTTP/1.1 200 OK', 'Content-Type: text/html', 'Content-Length: 2', '', '')}ok`;

const PY_BODY = '<html><body>Directory listing for /</body></html>\n';
const HTTP10_UNTIL_CLOSE = `${crlf(
  'HTTP/1.0 200 OK',
  'Server: SimpleHTTP/0.6 Python/3.11.4',
  'Date: Tue, 01 Aug 2023 10:00:00 GMT',
  'Content-type: text/html; charset=utf-8',
  '',
  '',
)}${PY_BODY}`;

const CLOSE_BODY = 'data until the server closes\nmore data\n';
const CONNECTION_CLOSE_11 = `${crlf(
  'HTTP/1.1 200 OK',
  'Server: custom',
  'Connection: close',
  'Content-Type: text/plain',
  '',
  '',
)}${CLOSE_BODY}`;

const BARE_LF_CHUNKED = 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n';

const GZ_TEXT = `${'The quick brown fox jumps over the lazy dog. '.repeat(40)}\n`;
const GZ_BODY = zlib.gzipSync(Buffer.from(GZ_TEXT));
const GZIP_RESPONSE = concat(
  crlf(
    'HTTP/1.1 200 OK',
    'Content-Type: text/plain',
    'Content-Encoding: gzip',
    `Content-Length: ${GZ_BODY.length}`,
    'Vary: Accept-Encoding',
    '',
    '',
  ),
  GZ_BODY,
);

function chunked(body: Uint8Array, size: number): Uint8Array {
  const parts: (Uint8Array | string)[] = [];
  for (let o = 0; o < body.length; o += size) {
    const c = body.subarray(o, Math.min(o + size, body.length));
    parts.push(`${c.length.toString(16)}\r\n`, c, '\r\n');
  }
  parts.push('0\r\n\r\n');
  return concat(...parts);
}

const GZ_CHUNKED_BODY = chunked(GZ_BODY, 40);
const GZIP_CHUNKED = concat(
  crlf('HTTP/1.1 200 OK', 'Content-Encoding: gzip', 'Transfer-Encoding: chunked', '', ''),
  GZ_CHUNKED_BODY,
);

const RAW_DEFLATE = zlib.deflateRawSync(Buffer.from(GZ_TEXT));
const DEFLATE_RESPONSE = concat(
  crlf('HTTP/1.1 200 OK', 'Content-Encoding: deflate', `Content-Length: ${RAW_DEFLATE.length}`, '', ''),
  RAW_DEFLATE,
);

const CORRUPT_GZIP = concat(
  crlf('HTTP/1.1 200 OK', 'Content-Encoding: gzip', 'Content-Length: 20', '', ''),
  'this is not gzip!!!\n',
);

const BOMB_BODY = zlib.gzipSync(Buffer.alloc(4 * 1024 * 1024), { level: 9 });
const GZIP_BOMB = concat(
  crlf('HTTP/1.1 200 OK', 'Content-Encoding: gzip', `Content-Length: ${BOMB_BODY.length}`, '', ''),
  BOMB_BODY,
);

const WEBSOCKET_101 = concat(
  crlf(
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    '',
    '',
  ),
  new Uint8Array([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]),
);

const CONNECT_200 = concat(
  crlf('HTTP/1.0 200 Connection Established', 'Proxy-agent: Apache/2.4.16 (Unix)', '', ''),
  new Uint8Array([0x16, 0x03, 0x03, 0x00, 0x5d, 0x02, 0x00, 0x00, 0x59, 0x03, 0x03]),
);

const BODY_09 = 'HTTP/1.1 looks like a status line but is body\n';
const HTTP09_RESPONSE = '<html>\n  The Zeek Network Security Monitor\n</html>\n';

const BAD_STATUS = `${crlf('HTTP/1.1 200 OK', 'Content-Length: 3', '', '')}abc${crlf(
  'HTTP/1.1 2OO OK',
  'Server: broken',
  '',
  '',
)}${crlf('HTTP/1.1 404 Not Found', 'Content-Length: 0', '', '')}`;

const ENDLESS_CHUNK = `${crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '')}${'f'.repeat(6000)}`;

const HUGE_CHUNK_DIGITS = `${crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '')}${crlf(
  '0000000000000000000000003',
  'abc',
  '10000000000000',
  '',
)}`;

const CL_SHORT = `${crlf('HTTP/1.1 200 OK', 'Content-Length: 100', '', '')}only forty bytes arrived before the FIN`;

const GLUED_STATUS = `${crlf('HTTP/1.1 200 OK', 'Content-Length: 3', '', '')}abcdef${crlf(
  'HTTP/1.1 404 Not Found',
  'Content-Length: 0',
  '',
  '',
)}`;

const GLUED_REQUEST = `${crlf('POST /form HTTP/1.1', 'Host: a.example', 'Content-Length: 3', '', '')}a=1&b=2${crlf(
  'GET /next HTTP/1.1',
  'Host: a.example',
  '',
  '',
)}`;

const TE_GZIP_CHUNKED = `${crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip, chunked', '', '')}${crlf(
  '2',
  'ab',
  '0',
  '',
  '',
)}`;

const TE_NOT_CHUNKED = `${crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: identity', '', '')}raw until close`;

export const FIXTURES: readonly MessageFixture[] = [
  // Requests
  {
    name: 'GET with Host, User-Agent, Accept',
    side: 'request',
    data: bytes(GET_SIMPLE),
    trace: ['start', 'head GET /index.html 1.1 h3', 'end none 0/0'],
  },
  {
    name: 'POST form with Content-Length',
    side: 'request',
    data: bytes(POST_FORM),
    trace: [
      'start',
      'head POST /login.php 1.1 h9',
      `body ${FORM.length}/${FORM.length}`,
      `end content-length ${FORM.length}/${FORM.length}`,
    ],
  },
  {
    name: 'chunked PUT upload',
    side: 'request',
    data: bytes(CHUNKED_UPLOAD),
    trace: [
      'start',
      'head PUT /upload/log.txt 1.1 h4',
      `body ${len(CHUNKED_UPLOAD_BODY)}/42`,
      `end chunked 42/${len(CHUNKED_UPLOAD_BODY)}`,
    ],
  },
  {
    name: 'POST with Expect: 100-continue',
    side: 'request',
    data: bytes(EXPECT_100),
    trace: [
      'start',
      'head POST /api/items 1.1 h6',
      `body ${JSON_BODY.length}/${JSON_BODY.length}`,
      `end content-length ${JSON_BODY.length}/${JSON_BODY.length}`,
    ],
  },
  {
    name: 'three pipelined requests',
    side: 'request',
    data: bytes(PIPELINED),
    trace: [
      'start',
      'head GET /a.css 1.1 h1',
      'end none 0/0',
      'start',
      'head GET /b.js 1.1 h1',
      'end none 0/0',
      'start',
      'head HEAD /c.png 1.1 h2',
      'end none 0/0',
    ],
  },
  {
    name: 'HTTP/1.0 keep-alive, two requests',
    side: 'request',
    data: bytes(KEEPALIVE_10),
    trace: ['start', 'head GET /one 1.0 h2', 'end none 0/0', 'start', 'head GET /two 1.0 h2', 'end none 0/0'],
  },
  {
    name: 'obsolete line folding',
    side: 'request',
    data: bytes(OBS_FOLD),
    trace: ['start', '! http.obs-fold', 'head GET /fold 1.1 h3', 'end none 0/0'],
  },
  {
    name: 'bare LF line endings (request)',
    side: 'request',
    data: bytes(BARE_LF_REQUEST),
    trace: ['start', '! http.bare-lf', 'head GET /lf 1.1 h2', 'end none 0/0'],
  },
  {
    name: 'WebSocket upgrade request, then a client frame',
    side: 'request',
    data: WEBSOCKET_REQUEST,
    trace: ['start', 'head GET /chat 1.1 h6', 'end none 0/0', 'upgrade websocket (inferred)'],
  },
  {
    name: 'CONNECT, then a TLS ClientHello',
    side: 'request',
    data: CONNECT_REQUEST,
    trace: [
      'start',
      'head CONNECT secure.newegg.com:443 1.1 h4',
      'end none 0/0',
      'connect secure.newegg.com:443 (inferred)',
    ],
  },
  {
    name: 'HTTP/0.9-style request without a version',
    side: 'request',
    data: bytes(HTTP09_REQUEST),
    trace: ['start', '! http.version-0.9', `head GET ${HTTP09_REQUEST.slice(4, -2)} 0.9 h0`, 'end none 0/0'],
  },
  {
    name: 'cruft request line, then a valid request',
    side: 'request',
    data: bytes(CRUFT),
    trace: [
      'start',
      '! http.bad-request-line',
      'end none 0/0 incomplete nohead',
      '! http.resync',
      'start',
      'head GET / 1.1 h1',
      'end none 0/0',
    ],
  },
  {
    name: 'body longer than its Content-Length, next request glued to it',
    side: 'request',
    data: bytes(GLUED_REQUEST),
    trace: [
      'start',
      'head POST /form 1.1 h2',
      'body 3/3',
      'end content-length 3/3',
      'start',
      '! http.bad-request-line',
      'end none 0/0 incomplete nohead',
      '! http.resync',
      'start',
      'head GET /next 1.1 h1',
      'end none 0/0',
    ],
  },
  {
    name: 'Transfer-Encoding and Content-Length together',
    side: 'request',
    data: bytes(TE_AND_CL),
    trace: [
      'start',
      'head POST /smuggle 1.1 h3',
      '! http.transfer-encoding-and-content-length',
      'body 5/0',
      'end chunked 0/5',
    ],
  },
  {
    name: 'conflicting Content-Length, then the next request',
    side: 'request',
    data: bytes(CONFLICTING_CL),
    trace: [
      'start',
      'head POST /x 1.1 h3',
      '! http.conflicting-content-length',
      'end none 0/0 incomplete',
      '! http.resync',
      'start',
      'head GET /after 1.1 h1',
      'end none 0/0',
    ],
  },
  {
    name: 'Content-Length list of identical values',
    side: 'request',
    data: bytes(CL_LIST),
    trace: ['start', 'head POST /list 1.1 h2', 'body 3/3', 'end content-length 3/3'],
  },
  {
    name: 'HTTP/1.1 request without Host',
    side: 'request',
    data: bytes(MISSING_HOST),
    trace: ['start', '! http.missing-host', 'head GET /nohost 1.1 h1', 'end none 0/0'],
  },
  {
    name: 'whitespace between header name and colon',
    side: 'request',
    data: bytes(SPACE_BEFORE_COLON),
    trace: ['start', '! http.bad-header-name', 'head GET /sp 1.1 h2', 'end content-length 0/0'],
  },
  {
    name: 'header line without a colon',
    side: 'request',
    data: bytes(BAD_HEADER_LINE),
    trace: ['start', '! http.bad-header-line', 'head GET /nocolon 1.1 h1', 'end none 0/0'],
  },
  {
    name: 'request after Connection: close',
    side: 'request',
    data: bytes(DATA_AFTER_CLOSE),
    trace: [
      'start',
      'head GET /bye 1.1 h2',
      'end none 0/0',
      'start',
      '! http.data-after-close',
      'head GET /again 1.1 h1',
      'end none 0/0',
    ],
  },
  {
    name: 'HTTP/2 connection preface',
    side: 'request',
    data: H2_PREFACE,
    trace: ['start', '! http.unsupported-version', 'end none 0/0 incomplete nohead'],
  },
  {
    name: 'more than 200 header fields',
    side: 'request',
    data: bytes(MANY_HEADERS),
    trace: ['start', '! http.too-many-headers', 'head GET /many 1.1 h200', 'end none 0/0'],
  },
  {
    name: 'header section over 64 KiB, then a valid request',
    side: 'request',
    data: bytes(BIG_HEADERS),
    sampleSplits: true,
    trace: [
      'start',
      '! http.header-too-large',
      'end none 0/0 incomplete nohead',
      '! http.resync',
      'start',
      'head GET /next 1.1 h1',
      'end none 0/0',
    ],
  },
  {
    name: '1 MB header line, then a valid request',
    side: 'request',
    data: bytes(MEGA_LINE),
    sampleSplits: true,
    trace: [
      'start',
      '! http.header-too-large',
      'end none 0/0 incomplete nohead',
      '! http.resync',
      'start',
      'head GET /ok 1.1 h1',
      'end none 0/0',
    ],
  },
  {
    name: 'TLS bytes on an HTTP port (resync gives up)',
    side: 'request',
    data: concat(TLS_HELLO_START, TLS_HELLO_START, TLS_HELLO_START, TLS_HELLO_START),
    limits: { maxResyncBytes: 40 },
    trace: ['start', '! http.bad-request-line', 'end none 0/0 incomplete nohead', '! http.stopped'],
  },
  {
    name: 'connection closed inside the header section',
    side: 'request',
    data: bytes(UNFINISHED_HEAD),
    trace: ['start', '! http.unfinished-message', 'end none 0/0 incomplete nohead'],
  },
  // Responses
  {
    name: '200 with Content-Length',
    side: 'response',
    expect: ['GET'],
    data: bytes(RESP_200),
    trace: [
      'start',
      'head 200 OK 1.1 h7',
      `body ${HTML.length}/${HTML.length}`,
      `end content-length ${HTML.length}/${HTML.length}`,
    ],
  },
  {
    name: 'chunked with extensions and trailers',
    side: 'response',
    expect: ['GET'],
    data: bytes(CHUNKED_TRAILERS),
    trace: [
      'start',
      'head 200 OK 1.1 h3',
      `body ${len(CHUNKED_TRAILER_BODY)}/23`,
      `end chunked 23/${len(CHUNKED_TRAILER_BODY)}`,
    ],
  },
  {
    name: '204 No Content',
    side: 'response',
    expect: ['DELETE'],
    data: bytes(RESP_204),
    trace: ['start', 'head 204 No Content 1.1 h2', 'end none 0/0'],
  },
  {
    name: '304 with Content-Length has no body, next response follows',
    side: 'response',
    expect: ['GET', 'GET'],
    data: bytes(RESP_304_THEN_200),
    trace: [
      'start',
      'head 304 Not Modified 1.1 h3',
      'end none 0/0',
      'start',
      'head 200 OK 1.1 h1',
      'body 2/2',
      'end content-length 2/2',
    ],
  },
  {
    name: 'response to HEAD has no body, pipelined GET response follows',
    side: 'response',
    expect: ['HEAD', 'GET'],
    data: bytes(HEAD_THEN_GET),
    trace: [
      'start',
      'head 200 OK 1.1 h2',
      'end none 0/0',
      'start',
      'head 200 OK 1.1 h1',
      'body 5/5',
      'end content-length 5/5',
    ],
  },
  {
    name: '100 Continue, then 201 Created',
    side: 'response',
    expect: ['POST'],
    data: bytes(CONTINUE_THEN_201),
    trace: [
      'start',
      'head 100 Continue 1.1 h0 interim',
      'end none 0/0',
      'start',
      'head 201 Created 1.1 h2',
      'end content-length 0/0',
    ],
  },
  {
    name: '103 Early Hints, then 200',
    side: 'response',
    expect: ['GET'],
    data: bytes(EARLY_HINTS),
    trace: [
      'start',
      'head 103 Early Hints 1.1 h1 interim',
      'end none 0/0',
      'start',
      'head 200 OK 1.1 h2',
      'body 2/2',
      'end content-length 2/2',
    ],
  },
  {
    name: 'HTTP/1.0 response read until close',
    side: 'response',
    expect: ['GET'],
    data: bytes(HTTP10_UNTIL_CLOSE),
    trace: [
      'start',
      'head 200 OK 1.0 h3',
      `body ${PY_BODY.length}/${PY_BODY.length}`,
      `end until-close ${PY_BODY.length}/${PY_BODY.length}`,
    ],
  },
  {
    name: 'Connection: close without length, read until close',
    side: 'response',
    expect: ['GET'],
    data: bytes(CONNECTION_CLOSE_11),
    trace: [
      'start',
      'head 200 OK 1.1 h3',
      `body ${CLOSE_BODY.length}/${CLOSE_BODY.length}`,
      `end until-close ${CLOSE_BODY.length}/${CLOSE_BODY.length}`,
    ],
  },
  {
    name: 'bare LF line endings (chunked response)',
    side: 'response',
    expect: ['GET'],
    data: bytes(BARE_LF_CHUNKED),
    trace: ['start', '! http.bare-lf', 'head 200 OK 1.1 h1', 'body 9/3', 'end chunked 3/9'],
  },
  {
    name: 'gzip body with Content-Length',
    side: 'response',
    expect: ['GET'],
    data: GZIP_RESPONSE,
    trace: [
      'start',
      'head 200 OK 1.1 h4',
      `body ${GZ_BODY.length}/${GZ_BODY.length}`,
      `end content-length ${GZ_BODY.length}/${GZ_BODY.length}`,
    ],
  },
  {
    name: 'gzip body, chunked',
    side: 'response',
    expect: ['GET'],
    data: GZIP_CHUNKED,
    trace: [
      'start',
      'head 200 OK 1.1 h2',
      `body ${GZ_CHUNKED_BODY.length}/${GZ_BODY.length}`,
      `end chunked ${GZ_BODY.length}/${GZ_CHUNKED_BODY.length}`,
    ],
  },
  {
    name: 'raw deflate body',
    side: 'response',
    expect: ['GET'],
    data: DEFLATE_RESPONSE,
    trace: [
      'start',
      'head 200 OK 1.1 h2',
      `body ${RAW_DEFLATE.length}/${RAW_DEFLATE.length}`,
      `end content-length ${RAW_DEFLATE.length}/${RAW_DEFLATE.length}`,
    ],
  },
  {
    name: 'body labelled gzip that is not',
    side: 'response',
    expect: ['GET'],
    data: CORRUPT_GZIP,
    trace: ['start', 'head 200 OK 1.1 h2', 'body 20/20', '! http.decode-error', 'end content-length 20/20'],
  },
  {
    name: 'gzip bomb (4 MiB of zeros)',
    side: 'response',
    expect: ['GET'],
    data: GZIP_BOMB,
    sampleSplits: true,
    trace: [
      'start',
      'head 200 OK 1.1 h2',
      `body ${BOMB_BODY.length}/${BOMB_BODY.length}`,
      '! http.decode-limit',
      `end content-length ${BOMB_BODY.length}/${BOMB_BODY.length}`,
    ],
  },
  {
    name: '101 Switching Protocols to WebSocket',
    side: 'response',
    expect: ['GET'],
    data: WEBSOCKET_101,
    trace: ['start', 'head 101 Switching Protocols 1.1 h3', 'end none 0/0', 'upgrade websocket'],
  },
  {
    name: '200 to CONNECT opens a tunnel',
    side: 'response',
    expect: ['CONNECT'],
    data: CONNECT_200,
    trace: ['start', 'head 200 Connection Established 1.0 h1', 'end none 0/0', 'connect '],
  },
  {
    name: 'HTTP/0.9-style response without a status line',
    side: 'response',
    expect: ['GET'],
    data: bytes(HTTP09_RESPONSE),
    trace: [
      'start',
      '! http.version-0.9',
      'head 0  0.9 h0',
      `body ${HTTP09_RESPONSE.length}/${HTTP09_RESPONSE.length}`,
      `end until-close ${HTTP09_RESPONSE.length}/${HTTP09_RESPONSE.length}`,
    ],
  },
  {
    name: 'HTTP/0.9 response announced by the request',
    side: 'response',
    expect: ['GET 0.9'],
    data: bytes(BODY_09),
    trace: [
      'start',
      '! http.version-0.9',
      'head 0  0.9 h0',
      `body ${BODY_09.length}/${BODY_09.length}`,
      `end until-close ${BODY_09.length}/${BODY_09.length}`,
    ],
  },
  {
    name: 'bad status line between two responses',
    side: 'response',
    expect: ['GET', 'GET', 'GET'],
    data: bytes(BAD_STATUS),
    trace: [
      'start',
      'head 200 OK 1.1 h1',
      'body 3/3',
      'end content-length 3/3',
      'start',
      '! http.bad-status-line',
      'end none 0/0 incomplete nohead',
      '! http.resync',
      'start',
      'head 404 Not Found 1.1 h1',
      'end content-length 0/0',
    ],
  },
  {
    name: 'body longer than its Content-Length, next status line glued to it',
    side: 'response',
    expect: ['GET', 'GET'],
    data: bytes(GLUED_STATUS),
    trace: [
      'start',
      'head 200 OK 1.1 h1',
      'body 3/3',
      'end content-length 3/3',
      'start',
      '! http.bad-status-line',
      'end none 0/0 incomplete nohead',
      '! http.resync',
      'start',
      'head 404 Not Found 1.1 h1',
      'end content-length 0/0',
    ],
  },
  {
    name: 'endless chunk size',
    side: 'response',
    expect: ['GET'],
    data: bytes(ENDLESS_CHUNK),
    trace: ['start', 'head 200 OK 1.1 h1', '! http.bad-chunk-size', 'end chunked 0/0 incomplete'],
  },
  {
    name: 'chunk size with too many significant digits',
    side: 'response',
    expect: ['GET'],
    data: bytes(HUGE_CHUNK_DIGITS),
    trace: [
      'start',
      'head 200 OK 1.1 h1',
      'body 48/3',
      '! http.bad-chunk-size',
      'end chunked 3/48 incomplete',
    ],
  },
  {
    name: 'connection closed before Content-Length',
    side: 'response',
    expect: ['GET'],
    data: bytes(CL_SHORT),
    trace: [
      'start',
      'head 200 OK 1.1 h1',
      'body 39/39',
      '! http.content-length-mismatch',
      'end content-length 39/39 incomplete',
    ],
  },
  {
    name: 'Transfer-Encoding gzip, chunked',
    side: 'response',
    expect: ['GET'],
    data: bytes(TE_GZIP_CHUNKED),
    trace: ['start', 'head 200 OK 1.1 h1', 'body 12/2', 'end chunked 2/12'],
  },
  {
    name: 'Transfer-Encoding without chunked: until close',
    side: 'response',
    expect: ['GET'],
    data: bytes(TE_NOT_CHUNKED),
    trace: ['start', 'head 200 OK 1.1 h1', 'body 15/15', 'end until-close 15/15'],
  },
];

export const SAMPLES = {
  GET_SIMPLE,
  RESP_200,
  HTML,
  CHUNKED_TRAILERS,
  GZ_TEXT,
  GZIP_RESPONSE,
  GZIP_CHUNKED,
  DEFLATE_RESPONSE,
  POST_FORM,
  FORM,
  PIPELINED,
  EXPECT_100,
  CONTINUE_THEN_201,
  WEBSOCKET_REQUEST,
  WEBSOCKET_101,
  CONNECT_REQUEST,
  CONNECT_200,
  HTTP09_REQUEST,
  HTTP09_RESPONSE,
  CRUFT,
  OBS_FOLD,
  MEGA_LINE,
  GZIP_BOMB,
  HEAD_THEN_GET,
} as const;
