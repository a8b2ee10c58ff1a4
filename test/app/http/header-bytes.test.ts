/**
 * Header lines are scanned as bytes, well-known names, methods and reasons are matched as bytes
 * and shared as one string each, and framing values are read without regexes. These tests hold
 * that path to a plain string model of RFC 9112 §5 (what the parser did when it sliced each line
 * into a string), on odd whitespace, obs-fold, non-ASCII and control bytes, names that almost
 * match a well-known one, and long lines, in one chunk and cut into pieces.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpStreamParser } from '../../../src/app/http/parser.js';
import type { HttpEvent, HttpHeadEvent, HttpMessageEndEvent } from '../../../src/app/http/types.js';
import { escapeBytes } from '../../../src/core/escape.js';
import { rng } from '../../helpers/rng.js';
import { bytes, concat, crlf, feed, pieces } from './harness.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

interface Expected {
  readonly anomalies: string[];
  readonly header: readonly [string, string] | undefined;
}

/** One header line (no CR/LF, not starting with SP/HT) as the RFC reads it, with strings. */
function model(line: Uint8Array): Expected {
  const s = Buffer.from(line).toString('latin1');
  const colon = s.indexOf(':');
  if (colon < 0) return { anomalies: ['http.bad-header-line'], header: undefined };
  const rawName = s.slice(0, colon);
  const name = rawName.replace(/[ \t]+$/, '');
  if (name === '') return { anomalies: ['http.bad-header-name'], header: undefined };
  const anomalies: string[] = [];
  if (name.length < rawName.length || !TOKEN.test(name)) anomalies.push('http.bad-header-name');
  const value = s.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  const esc = (t: string) => escapeBytes(Buffer.from(t, 'latin1'));
  return { anomalies, header: [esc(name), esc(value)] };
}

function ids(events: readonly HttpEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'anomaly' ? [e.anomaly.id] : []));
}

function headers(events: readonly HttpEvent[]): ReadonlyArray<readonly [string, string]> {
  const h = events.find((e): e is HttpHeadEvent => e.kind === 'head');
  assert.ok(h !== undefined, 'a head event');
  return h.head.headers.list;
}

function summary(events: readonly HttpEvent[]): HttpMessageEndEvent['summary'] {
  const e = events.find((x): x is HttpMessageEndEvent => x.kind === 'messageEnd');
  assert.ok(e !== undefined, 'a messageEnd event');
  return e.summary;
}

/** A request with one header line under test between two ordinary ones. */
function request(line: Uint8Array): Uint8Array {
  return concat('GET / HTTP/1.1\r\nHost: a\r\n', line, '\r\nAccept: */*\r\n\r\n');
}

function check(line: Uint8Array, label: string, size?: number): void {
  const want = model(line);
  const data = request(line);
  const r = feed('request', size === undefined ? [data] : pieces(data, size));
  // What the line's own name and syntax raise (framing values have their own tests below).
  const own = ids(r.events).filter((id) => id.startsWith('http.bad-header-'));
  assert.deepEqual(own, want.anomalies, `${label}: anomalies`);
  const expected: Array<readonly [string, string]> = [['Host', 'a']];
  if (want.header !== undefined) expected.push(want.header);
  expected.push(['Accept', '*/*']);
  assert.deepEqual(headers(r.events), expected, `${label}: headers`);
}

describe('header lines as bytes', () => {
  test('odd whitespace around names and values', () => {
    for (const line of [
      'X-A:b',
      'X-A: b ',
      'X-A:\t b \t',
      'X-A \t: b',
      'X-A\t:b',
      'X-A:',
      'X-A:   ',
      'X-A: a  b\tc ',
      ':b',
      ' \t:b'.slice(2),
      'no colon here',
      'Host : b',
      'Content-Length :5',
    ]) {
      check(bytes(line), JSON.stringify(line));
    }
  });

  test('non-ASCII, control bytes and backslashes are escaped in the name or value alone', () => {
    for (const line of [
      'X-\xe9: v',
      'X-A: caf\xc3\xa9',
      'X-A: \xff\xfe',
      'X-A: a\\b',
      'X\\A: b',
      'X-A: a\x00b\x1bc\x7f',
      'X-A: a\rb',
      'Host\xc3\xa9: x',
      'Hos\x00: x',
      'Content-Length: 1\xa0',
      'User-Agent: \xe2\x80\xae evil',
    ]) {
      check(bytes(line), JSON.stringify(line));
    }
  });

  test('names near a well-known one keep their own bytes', () => {
    for (const line of [
      'Host: x',
      'host: x',
      'HOST: x',
      'Hosts: x',
      'Hast: x',
      'Hos: x',
      'User-agent: x',
      'User-Agent: x',
      'user-agent: x',
      'Content-Type: text/plain',
      'Content-Typf: text/plain',
      'content-type: text/plain',
      'X-Forwarded-For: 10.0.0.1',
      'TE: trailers',
      'Te: trailers',
    ]) {
      check(bytes(line), JSON.stringify(line));
    }
  });

  test('random lines match the model, whole and cut in pieces', () => {
    const rand = rng(0x5eed13);
    const alphabet = [
      ...'abcXYZ-09_!~',
      ':',
      ':',
      ' ',
      ' ',
      '\t',
      '\\',
      '\r',
      '\x00',
      '\x7f',
      '\x80',
      '\xa0',
      '\xc3\xa9',
      '\xe2\x80\xae',
      '\xff',
    ];
    const names = ['Host', 'host', 'Content-Length', 'Connection', 'User-Agent', 'X', ''];
    for (let n = 0; n < 400; n++) {
      let line = rand() < 0.5 ? (names[Math.floor(rand() * names.length)] as string) : '';
      const len = Math.floor(rand() * 24);
      for (let k = 0; k < len; k++) line += alphabet[Math.floor(rand() * alphabet.length)];
      // Not a continuation line, no CR before the LF (those are other paths).
      if (line.startsWith(' ') || line.startsWith('\t')) line = `x${line}`;
      if (line.endsWith('\r') || line === '') line += 'z';
      const b = bytes(line);
      check(b, `#${n} ${JSON.stringify(line)}`);
      check(b, `#${n} ${JSON.stringify(line)} in 3-byte pieces`, 3);
    }
  });

  test('a header line up to the header budget is parsed; one byte more is too large', () => {
    const max = 256;
    const head = 'GET / HTTP/1.1\r\n';
    const fixed = head.length + 'X-Long: '.length + 2 + 2;
    const fill = max - fixed;
    const ok = `${head}X-Long: ${'v'.repeat(fill)}\r\n\r\n`;
    assert.equal(ok.length, max);
    for (const size of [undefined, 7, 100]) {
      const data = bytes(ok);
      const r = feed('request', size === undefined ? [data] : pieces(data, size), {
        limits: { maxHeaderBytes: max },
      });
      assert.deepEqual(ids(r.events), ['http.missing-host'], `size ${size}`);
      assert.deepEqual(headers(r.events), [['X-Long', 'v'.repeat(fill)]]);
      const over = bytes(`${head}X-Long: ${'v'.repeat(fill + 1)}\r\n\r\n`);
      const r2 = feed('request', size === undefined ? [over] : pieces(over, size), {
        limits: { maxHeaderBytes: max },
      });
      assert.deepEqual(ids(r2.events), ['http.header-too-large'], `size ${size}`);
    }
  });

  test('a long value with one non-ASCII byte at its end is escaped whole', () => {
    const v = `${'a'.repeat(5000)}\xe9`;
    const r = feed('request', [bytes(crlf('GET / HTTP/1.1', 'Host: h', `X-Big: ${v}`, '', ''))]);
    assert.deepEqual(headers(r.events)[1], ['X-Big', `${'a'.repeat(5000)}\\xe9`]);
  });
});

describe('obs-fold and framing values', () => {
  test('folded lines join the value; a folded Transfer-Encoding still frames the body', () => {
    const r = feed('request', [
      bytes(
        crlf('POST / HTTP/1.1', 'Host: a', ' b', 'X-A:', '\t 1 \t', '  2', 'Content-Length: 3', '', 'abc'),
      ),
    ]);
    assert.deepEqual(ids(r.events), ['http.obs-fold']);
    assert.deepEqual(headers(r.events), [
      ['Host', 'a b'],
      ['X-A', '1 2'],
      ['Content-Length', '3'],
    ]);
    assert.equal(summary(r.events).contentLength, 3);
    const r2 = feed(
      'response',
      [bytes(crlf('HTTP/1.1 200 OK', 'Transfer-Encoding:', '\tchunked', '', '1', 'x', '0', '', ''))],
      { expect: ['GET'] },
    );
    assert.deepEqual(ids(r2.events), ['http.obs-fold']);
    assert.equal(summary(r2.events).framing, 'chunked');
    assert.equal(summary(r2.events).bodyLength, 1);
  });

  test('Content-Length values: digits, lists, case, spaces, too many digits', () => {
    const cases: Array<[string, number | undefined, string[]]> = [
      ['0', 0, []],
      ['007', 7, []],
      ['123456789012345', 123456789012345, []],
      ['1234567890123456', undefined, ['http.bad-content-length']],
      ['3, 3', 3, []],
      ['3,4', undefined, ['http.conflicting-content-length']],
      ['+3', undefined, ['http.bad-content-length']],
      ['3 ', 3, []],
      ['0x3', undefined, ['http.bad-content-length']],
      ['1:', undefined, ['http.bad-content-length']],
      ['/1', undefined, ['http.bad-content-length']],
      ['', undefined, ['http.bad-content-length']],
      ['\xd9\xa3', undefined, ['http.bad-content-length']],
    ];
    for (const [value, length, anomalies] of cases) {
      // No body is sent: a declared length above 0 ends in a mismatch at the close.
      const r = feed('response', [bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\n`)], {
        expect: ['GET'],
      });
      const want = length !== undefined && length > 0 ? ['http.content-length-mismatch'] : anomalies;
      assert.deepEqual(ids(r.events), want, JSON.stringify(value));
      if (length !== undefined) assert.equal(summary(r.events).contentLength, length, JSON.stringify(value));
    }
  });

  test('Transfer-Encoding and Connection values in any case and as lists', () => {
    const framing = (te: string) => {
      const r = feed('response', [bytes(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${te}\r\n\r\n0\r\n\r\n`)], {
        expect: ['GET'],
      });
      return summary(r.events).framing;
    };
    assert.equal(framing('chunked'), 'chunked');
    assert.equal(framing('Chunked'), 'chunked');
    assert.equal(framing('gzip, chunked'), 'chunked');
    assert.equal(framing('chunked;x=1'), 'chunked');
    assert.equal(framing('chunked, gzip'), 'until-close');
    assert.equal(framing('chunkedx'), 'until-close');
    const keepAlive = (line: string) => {
      const r = feed('request', [bytes(`GET / HTTP/1.0\r\nHost: a\r\n${line}\r\n\r\n`)]);
      const h = r.events.find((e): e is HttpHeadEvent => e.kind === 'head');
      return h?.head.keepAlive;
    };
    assert.equal(keepAlive('Connection: keep-alive'), true);
    assert.equal(keepAlive('connection: Keep-Alive'), true);
    assert.equal(keepAlive('Connection: close, keep-alive'), false);
    assert.equal(keepAlive('Connection: keep-alivex'), false);
    assert.equal(keepAlive('X: keep-alive'), false);
  });
});

describe('start lines as bytes', () => {
  test('methods, versions and reasons: shared strings are equal to the bytes', () => {
    for (const method of ['GET', 'GETS', 'GE', 'get', 'POST', 'PATCH', 'M-SEARCH']) {
      const r = feed('request', [bytes(`${method} /x HTTP/1.0\r\n\r\n`)]);
      const h = r.events.find((e): e is HttpHeadEvent => e.kind === 'head');
      assert.ok(h !== undefined && h.head.kind === 'request', method);
      assert.equal(h.head.method, method);
      assert.equal(h.head.version, '1.0');
    }
    for (const reason of ['OK', 'Ok', 'OK ', 'Not Found', 'Not  Found', 'Caf\xc3\xa9', '']) {
      const r = feed('response', [bytes(`HTTP/1.1 404 ${reason}\r\nContent-Length: 0\r\n\r\n`)], {
        expect: ['GET'],
      });
      const h = r.events.find((e): e is HttpHeadEvent => e.kind === 'head');
      assert.ok(h !== undefined && h.head.kind === 'response', reason);
      assert.equal(h.head.reason, escapeBytes(Buffer.from(reason, 'latin1')));
      assert.equal(h.head.version, '1.1');
    }
  });

  test('a target with a control byte or an extra word is flagged, a plain one is not', () => {
    const flagged = (line: string) => ids(feed('request', [bytes(`${line}\r\nHost: a\r\n\r\n`)]).events);
    assert.deepEqual(flagged('GET /a HTTP/1.1'), []);
    assert.deepEqual(flagged('GET /a\x01 HTTP/1.1'), ['http.bad-request-target']);
    assert.deepEqual(flagged('GET /a\x7f HTTP/1.1'), ['http.bad-request-target']);
    assert.deepEqual(flagged('GET /a\\b HTTP/1.1'), []);
    assert.deepEqual(flagged('GET /caf\xc3\xa9 HTTP/1.1'), []);
    assert.deepEqual(flagged('GET /a b HTTP/1.1'), ['http.bad-request-target']);
  });
});

describe('chunks that are views into a larger buffer', () => {
  test('strings come from the view, not from the start of its ArrayBuffer', () => {
    const msg = 'GET /p HTTP/1.1\r\nHost: example\r\nX-Y: z\r\n\r\n';
    const backing = new Uint8Array(msg.length + 40).fill(0x41);
    backing.set(bytes(msg), 17);
    const events: HttpEvent[] = [];
    const p = new HttpStreamParser('request', { event: (e) => events.push(e) });
    // Two views at odd offsets, the line split between them.
    p.push(backing.subarray(17, 17 + 20), 1, 1);
    p.push(backing.subarray(17 + 20, 17 + msg.length), 2, 2);
    const h = events.find((e): e is HttpHeadEvent => e.kind === 'head');
    assert.ok(h !== undefined && h.head.kind === 'request');
    assert.equal(h.head.target, '/p');
    assert.deepEqual(h.head.headers.list, [
      ['Host', 'example'],
      ['X-Y', 'z'],
    ]);
    assert.deepEqual(ids(events), []);
  });

  test('a body preview copied from a view holds the body bytes', () => {
    const msg = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
    const backing = new Uint8Array(msg.length + 9).fill(0x5a);
    backing.set(bytes(msg), 9);
    const events: HttpEvent[] = [];
    const p = new HttpStreamParser('response', { event: (e) => events.push(e) });
    p.expectResponseTo('GET');
    p.push(backing.subarray(9), 1, 1);
    assert.equal(Buffer.from(summary(events).preview ?? []).toString('latin1'), 'hello');
  });
});
