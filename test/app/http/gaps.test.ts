/** Missing bytes (capture loss reported by the reassembler): count through bodies, resync elsewhere. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpEvent, HttpMessageEndEvent } from '../../../src/app/http/types.js';
import { SAMPLES } from './fixtures.js';
import {
  assertMessageStructure,
  assertStamps,
  bytes,
  crlf,
  feed,
  normalize,
  type Piece,
  trace,
} from './harness.js';

function withGap(data: Uint8Array, at: number, len: number): Piece[] {
  return [data.subarray(0, at), { gap: len }, data.subarray(at + len)];
}

function ends(events: readonly HttpEvent[]): HttpMessageEndEvent['summary'][] {
  return events.filter((e): e is HttpMessageEndEvent => e.kind === 'messageEnd').map((e) => e.summary);
}

const BODY = 'abcdefghijklmnopqrstuvwxyz0123456789';
const POST = crlf('POST /upload HTTP/1.1', 'Host: a.example', `Content-Length: ${BODY.length}`, '', '');
const NEXT = crlf('GET /second HTTP/1.1', 'Host: a.example', '', '');
const TWO = bytes(`${POST}${BODY}${NEXT}`);

describe('gaps', () => {
  test('inside a Content-Length body: counted, body incomplete, next message intact', () => {
    const r = feed('request', withGap(TWO, POST.length + 10, 5));
    assert.deepEqual(trace(r.events), [
      'start',
      'head POST /upload 1.1 h2',
      'body 10/10',
      '! http.gap-in-body',
      `body ${BODY.length - 10}/${BODY.length - 10}`,
      `end content-length ${BODY.length}/${BODY.length} incomplete`,
      'start',
      'head GET /second 1.1 h1',
      'end none 0/0',
    ]);
    const [s] = ends(r.events);
    assert.equal(s?.gapBytes, 5);
    assert.equal(s?.bodyLength, BODY.length);
    assertStamps(r, 'gap in body');
  });

  test('ending exactly at the end of the body', () => {
    const r = feed('request', withGap(TWO, POST.length + BODY.length - 6, 6));
    assert.deepEqual(trace(r.events).slice(-3), ['start', 'head GET /second 1.1 h1', 'end none 0/0']);
    assert.equal(ends(r.events)[0]?.gapBytes, 6);
    assertStamps(r, 'gap to body end');
  });

  test('past the end of the body: the next start line is found again', () => {
    const r = feed('request', withGap(TWO, POST.length + BODY.length - 4, 8));
    assert.deepEqual(trace(r.events), [
      'start',
      'head POST /upload 1.1 h2',
      `body ${BODY.length - 4}/${BODY.length - 4}`,
      '! http.gap-in-body',
      'body 4/4',
      `end content-length ${BODY.length}/${BODY.length} incomplete`,
    ]);
    // The gap ate the start of "GET /second": that request is lost, nothing is invented.
    const r2 = feed('request', [...withGap(TWO, POST.length + BODY.length - 4, 8), bytes(NEXT)]);
    assert.deepEqual(trace(r2.events).slice(-4), [
      '! http.resync',
      'start',
      'head GET /second 1.1 h1',
      'end none 0/0',
    ]);
    assertStamps(r2, 'gap past body');
  });

  test('inside the headers: the message is given up, the next one parsed', () => {
    const r = feed('request', withGap(TWO, 10, 7));
    assert.deepEqual(trace(r.events), [
      'start',
      '! http.gap-in-headers',
      'end none 0/0 incomplete nohead',
      '! http.resync',
      'start',
      'head GET /second 1.1 h1',
      'end none 0/0',
    ]);
    assertStamps(r, 'gap in headers');
  });

  test('between messages: flagged, the following start line is accepted at once', () => {
    const r = feed('request', [bytes(SAMPLES.GET_SIMPLE), { gap: 300 }, bytes(NEXT)]);
    assert.deepEqual(trace(r.events).slice(3), [
      '! http.gap-between-messages',
      '! http.resync',
      'start',
      'head GET /second 1.1 h1',
      'end none 0/0',
    ]);
    const resync = r.events.find((e) => e.kind === 'anomaly' && e.anomaly.id === 'http.resync');
    assert.ok(resync?.kind === 'anomaly');
    assert.equal(resync.anomaly.detail, 'skipped 0 bytes');
    assertStamps(r, 'gap between');
  });

  test('inside chunk data: counted, the next chunk is parsed', () => {
    const data = bytes(SAMPLES.CHUNKED_TRAILERS);
    const at = SAMPLES.CHUNKED_TRAILERS.indexOf('Mozilla') + 2;
    const r = feed('response', withGap(data, at, 3), { expect: ['GET'] });
    const [s] = ends(r.events);
    assert.equal(s?.bodyLength, 23);
    assert.equal(s?.gapBytes, 3);
    assert.equal(s?.complete, false);
    assert.equal(s?.chunks, 3);
    assert.deepEqual(s?.trailers?.list, [['Expires', 'Wed, 21 Oct 2015 07:28:00 GMT']]);
    assertStamps(r, 'gap in chunk');
  });

  test('in a chunk-size line: the framing is lost, resync', () => {
    const data = bytes(SAMPLES.CHUNKED_TRAILERS);
    const at = SAMPLES.CHUNKED_TRAILERS.indexOf('9 ; quoted');
    const r = feed('response', withGap(data, at, 2), { expect: ['GET'] });
    assert.deepEqual(trace(r.events).slice(2), [
      'body 23/7',
      '! http.gap-in-body',
      'end chunked 7/23 incomplete',
    ]);
    assertStamps(r, 'gap in chunk size');
  });

  test('in a read-until-close body: counted', () => {
    const r = feed('response', [bytes(crlf('HTTP/1.0 200 OK', '', 'abc')), { gap: 1000 }, bytes('xyz')], {
      expect: ['GET'],
    });
    const [s] = ends(r.events);
    assert.equal(s?.framing, 'until-close');
    assert.equal(s?.bodyLength, 1006);
    assert.equal(s?.gapBytes, 1000);
    assert.equal(s?.complete, false);
  });

  test('in a gzip body: no decoded length, the preview comes from the bytes before the gap', () => {
    const data = SAMPLES.GZIP_RESPONSE;
    const headLen = data.length - (data.length - SAMPLES.GZIP_RESPONSE.indexOf(0x1f));
    const r = feed('response', withGap(data, headLen + 60, 4), { expect: ['GET'] });
    const [s] = ends(r.events);
    assert.equal(s?.decodedLength, undefined);
    assert.ok((s?.decodedPreview?.length ?? 0) > 0);
    assert.equal(
      Buffer.from(s?.decodedPreview ?? []).toString('latin1'),
      SAMPLES.GZ_TEXT.slice(0, s?.decodedPreview?.length),
    );
  });

  test('while resynchronising past the budget: stop', () => {
    const r = feed('request', [bytes('\x16\x03\x01'), { gap: 5000 }, bytes('GET / HTTP/1.1\r\n\r\n')], {
      limits: { maxResyncBytes: 4096 },
    });
    assert.deepEqual(trace(r.events), [
      'start',
      '! http.bad-request-line',
      'end none 0/0 incomplete nohead',
      '! http.stopped',
    ]);
    assert.equal(r.parser.phaseName, 'ended');
    assertStamps(r, 'gap past resync budget');
  });

  test('at every position of two messages, of several sizes: never throws, stays consistent', () => {
    const secondStart = POST.length + BODY.length;
    for (const len of [1, 3, 17]) {
      for (let at = 0; at + len <= TWO.length; at++) {
        const label = `gap of ${len} at ${at}`;
        const r = feed('request', withGap(TWO, at, len));
        assertMessageStructure(r.events, label);
        assertStamps(r, label);
        const t = trace(r.events);
        if (at + len <= secondStart - 1 || at >= secondStart + NEXT.length) {
          // The second request is untouched (a gap ending on the body's last byte included).
          assert.ok(t.includes('head GET /second 1.1 h1'), `${label}: ${t.join(' | ')}`);
        }
        // Gapped and whole feeds agree on every event after the second request's start when the gap is in the body.
        if (at >= POST.length && at + len <= secondStart) {
          const whole = normalize(feed('request', [TWO]).events);
          assert.deepEqual(normalize(r.events).slice(-3), whole.slice(-3), label);
        }
      }
    }
  });
});
