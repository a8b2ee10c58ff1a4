/** Pairing requests with responses on one connection. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HttpConversation, type HttpTransaction } from '../../../src/app/http/transaction.js';
import { type HttpSide, NO_PREVIEWS } from '../../../src/app/http/types.js';
import { FIXTURES } from '../../helpers/corpus.js';
import { analyzerRecords, httpRecords } from '../../helpers/http.js';
import { SAMPLES } from './fixtures.js';
import { bytes, concat, crlf } from './harness.js';

type Step = readonly [HttpSide, Uint8Array | string | number] | readonly [HttpSide, 'end'];

/** Replay steps as packets 1, 2, ... (ts = packet / 10); a number is a gap. */
function replay(steps: readonly Step[], finish = true): { txs: HttpTransaction[]; conv: HttpConversation } {
  const txs: HttpTransaction[] = [];
  const conv = new HttpConversation((t) => txs.push(t));
  let packet = 0;
  for (const [side, what] of steps) {
    packet++;
    const ts = packet / 10;
    if (what === 'end') conv.end(side, ts, packet);
    else if (typeof what === 'number') conv.gap(side, what, ts, packet);
    else conv.push(side, typeof what === 'string' ? bytes(what) : what, ts, packet);
  }
  if (finish) conv.finish();
  return { txs, conv };
}

/** The fields a test compares, leaving out headers and previews. */
function brief(t: HttpTransaction): Record<string, unknown> {
  return {
    trans_depth: t.trans_depth,
    method: t.method,
    uri: t.uri,
    status_code: t.status_code,
    request_body_len: t.request_body_len,
    response_body_len: t.response_body_len,
    tags: t.tags,
  };
}

const REQ = (path: string, extra: string[] = []) =>
  crlf(`GET ${path} HTTP/1.1`, 'Host: www.example.com', ...extra, '', '');
const RESP = (body: string, status = '200 OK') =>
  `${crlf(`HTTP/1.1 ${status}`, 'Content-Type: text/plain', `Content-Length: ${body.length}`, '', '')}${body}`;

describe('HttpConversation', () => {
  test('one GET and its response: Zeek fields, timings and packet numbers', () => {
    const { txs } = replay([
      [
        'request',
        crlf(
          'GET /index.html HTTP/1.1',
          'Host: www.example.com',
          'User-Agent: curl/8.5.0',
          'Referer: http://a/',
          '',
          '',
        ),
      ],
      ['response', RESP('hello', '200 OK').slice(0, 20)],
      ['response', RESP('hello', '200 OK').slice(20)],
      ['request', 'end'],
      ['response', 'end'],
    ]);
    assert.equal(txs.length, 1);
    const t = txs[0] as HttpTransaction;
    assert.equal(t.ts, 0.1);
    assert.equal(t.trans_depth, 1);
    assert.equal(t.method, 'GET');
    assert.equal(t.host, 'www.example.com');
    assert.equal(t.uri, '/index.html');
    assert.equal(t.referrer, 'http://a/');
    assert.equal(t.user_agent, 'curl/8.5.0');
    assert.equal(t.version, '1.1');
    assert.equal(t.status_code, 200);
    assert.equal(t.status_msg, 'OK');
    assert.equal(t.response_body_len, 5);
    assert.equal(t.response_content_type, 'text/plain');
    assert.equal(t.request_framing, 'none');
    assert.equal(t.response_framing, 'content-length');
    assert.deepEqual(
      [t.request_start_packet, t.request_end_packet, t.response_start_packet, t.response_end_packet],
      [1, 1, 2, 3],
    );
    assert.deepEqual([t.request_start_ts, t.response_start_ts, t.response_end_ts], [0.1, 0.2, 0.3]);
    assert.deepEqual(t.tags, []);
    assert.deepEqual(t.anomalies, []);
    assert.equal(Buffer.from(t.response_preview ?? []).toString(), 'hello');
  });

  test('pipelining: three requests at once, answered in order, HEAD without body', () => {
    const { txs } = replay([
      ['request', SAMPLES.PIPELINED],
      ['response', RESP('a{}')],
      [
        'response',
        `${RESP('console.log(1)')}${crlf('HTTP/1.1 200 OK', 'Content-Length: 5000', 'Connection: close', '', '')}`,
      ],
      ['request', 'end'],
      ['response', 'end'],
    ]);
    assert.deepEqual(txs.map(brief), [
      {
        trans_depth: 1,
        method: 'GET',
        uri: '/a.css',
        status_code: 200,
        request_body_len: 0,
        response_body_len: 3,
        tags: [],
      },
      {
        trans_depth: 2,
        method: 'GET',
        uri: '/b.js',
        status_code: 200,
        request_body_len: 0,
        response_body_len: 14,
        tags: [],
      },
      {
        trans_depth: 3,
        method: 'HEAD',
        uri: '/c.png',
        status_code: 200,
        request_body_len: 0,
        response_body_len: 0,
        tags: [],
      },
    ]);
  });

  test('100-continue: interim status attached, the final response pairs with the same request', () => {
    const head = SAMPLES.EXPECT_100.slice(0, SAMPLES.EXPECT_100.indexOf('\r\n\r\n') + 4);
    const body = SAMPLES.EXPECT_100.slice(head.length);
    const { txs } = replay([
      ['request', head],
      ['response', crlf('HTTP/1.1 100 Continue', '', '')],
      ['request', body],
      ['response', crlf('HTTP/1.1 201 Created', 'Location: /api/items/7', 'Content-Length: 0', '', '')],
    ]);
    assert.equal(txs.length, 1);
    const t = txs[0] as HttpTransaction;
    assert.equal(t.info_code, 100);
    assert.equal(t.info_msg, 'Continue');
    assert.deepEqual(t.interim_statuses, [100]);
    assert.equal(t.status_code, 201);
    assert.equal(t.request_body_len, body.length);
    assert.equal(t.response_start_packet, 2, 'time to first byte counts the interim response');
    assert.equal(t.request_end_packet, 3);
  });

  test('a transaction is emitted when both messages are done, in order', () => {
    const { txs, conv } = replay(
      [
        ['request', REQ('/1')],
        ['request', REQ('/2')],
        ['response', RESP('one')],
      ],
      false,
    );
    assert.deepEqual(
      txs.map((t) => t.uri),
      ['/1'],
    );
    assert.equal(conv.pending, 1);
    conv.push('response', bytes(RESP('two')), 9, 9);
    assert.deepEqual(
      txs.map((t) => t.uri),
      ['/1', '/2'],
    );
  });

  test('early response before the request body ends', () => {
    const post = crlf('POST /big HTTP/1.1', 'Host: a', 'Content-Length: 10', '', '');
    const { txs } = replay([
      ['request', `${post}01234`],
      ['response', crlf('HTTP/1.1 413 Content Too Large', 'Content-Length: 0', 'Connection: close', '', '')],
      ['request', '56789'],
    ]);
    assert.equal(txs.length, 1);
    assert.equal(txs[0]?.status_code, 413);
    assert.equal(txs[0]?.request_body_len, 10);
  });

  test('WebSocket upgrade: tagged, client frames after it are not parsed as HTTP', () => {
    const head = SAMPLES.WEBSOCKET_REQUEST.subarray(0, SAMPLES.WEBSOCKET_REQUEST.length - 11);
    const frame = SAMPLES.WEBSOCKET_REQUEST.subarray(SAMPLES.WEBSOCKET_REQUEST.length - 11);
    const { txs, conv } = replay([
      ['request', head],
      ['response', SAMPLES.WEBSOCKET_101],
      ['request', frame],
      ['request', 'GET / HTTP/1.1\r\n\r\n'],
      ['request', 'end'],
      ['response', 'end'],
    ]);
    assert.equal(txs.length, 1);
    const t = txs[0] as HttpTransaction;
    assert.deepEqual(t.tags, ['upgraded']);
    assert.equal(t.upgrade, 'websocket');
    assert.equal(t.status_code, 101);
    assert.equal(conv.request.phaseName, 'ended');
    assert.equal(conv.request.stats.opaqueBytes, 11 + 18);
    assert.equal(conv.anomalyCount, 0);
  });

  test('CONNECT tunnel: tagged, both directions opaque', () => {
    const head = SAMPLES.CONNECT_REQUEST.subarray(0, SAMPLES.CONNECT_REQUEST.length - 17);
    const hello = SAMPLES.CONNECT_REQUEST.subarray(SAMPLES.CONNECT_REQUEST.length - 17);
    const { txs, conv } = replay([
      ['request', head],
      ['response', SAMPLES.CONNECT_200],
      ['request', hello],
    ]);
    assert.equal(txs.length, 1);
    assert.deepEqual(txs[0]?.tags, ['connect']);
    assert.equal(txs[0]?.method, 'CONNECT');
    assert.equal(txs[0]?.uri, 'secure.newegg.com:443');
    assert.equal(txs[0]?.version, '1.0', 'the version of the reply, as Zeek logs it');
    assert.equal(txs[0]?.request_version, '1.1');
    assert.equal(conv.request.stats.opaqueBytes, 17);
    assert.equal(conv.response.stats.opaqueBytes, 11);
  });

  test('HTTP/0.9 request and response (Zeek trace no-version, curl_http_09)', () => {
    const { txs } = replay([
      ['request', SAMPLES.HTTP09_REQUEST],
      ['response', SAMPLES.HTTP09_RESPONSE],
      ['response', 'end'],
      ['request', 'end'],
    ]);
    assert.equal(txs.length, 1);
    const t = txs[0] as HttpTransaction;
    assert.deepEqual(t.tags, ['http09']);
    assert.equal(t.status_code, undefined);
    assert.equal(t.version, '0.9');
    assert.equal(t.response_body_len, SAMPLES.HTTP09_RESPONSE.length);
    assert.equal(t.response_framing, 'until-close');
  });

  test('an HTTP/1.1 request answered without a status line (curl_http_09)', () => {
    const { txs } = replay([
      ['request', REQ('/zeek.html', ['User-Agent: curl/7.74.0', 'Accept: */*'])],
      ['response', SAMPLES.HTTP09_RESPONSE],
      ['response', 'end'],
      ['request', 'end'],
    ]);
    assert.deepEqual(txs[0]?.tags, ['http09']);
    assert.equal(txs[0]?.request_version, '1.1');
    assert.equal(txs[0]?.response_version, '0.9');
  });

  test('cruft after a request is answered by 400 and paired with it (Zeek trace http-11-request-then-cruft)', () => {
    const { txs, conv } = replay([
      ['request', 'GET / HTTP/1.1\r\n'],
      ['request', 'Host: zeek.org\r\n\r\n'],
      ['response', RESP('<html>moved</html>', '301 Moved Permanently')],
      ['request', 'T / HTTP\r\n\r\n'],
      ['response', RESP('<html>bad</html>', '400 Bad Request')],
      ['request', 'T / HTTP\r\n\r\n'],
      ['request', 'end'],
      ['response', 'end'],
    ]);
    assert.deepEqual(
      txs.map((t) => [t.trans_depth, t.method, t.status_code, t.tags]),
      [
        [1, 'GET', 301, []],
        [2, undefined, 400, ['incomplete', 'malformed']],
      ],
    );
    // The second cruft line comes while the parser is still looking for a request line: skipped.
    assert.equal(conv.request.stats.skippedBytes, 2 + 12);
    assert.deepEqual(
      txs[1]?.anomalies.map((a) => a.id),
      ['http.bad-request-line'],
    );
  });

  test('a response without a request (request side not captured)', () => {
    const { txs, conv } = replay([['response', RESP('orphan')]]);
    assert.equal(txs.length, 1);
    assert.deepEqual(txs[0]?.tags, ['no-request']);
    assert.equal(txs[0]?.ts, 0.1);
    assert.equal(txs[0]?.status_code, 200);
    assert.deepEqual(
      conv.anomalies.map((a) => a.id),
      ['http.unmatched-response'],
    );
  });

  test('requests without responses are emitted at the end, tagged', () => {
    const { txs } = replay([
      ['request', REQ('/a')],
      ['request', REQ('/b')],
      ['request', 'end'],
      ['response', 'end'],
    ]);
    assert.deepEqual(
      txs.map((t) => [t.uri, t.tags]),
      [
        ['/a', ['no-response']],
        ['/b', ['no-response']],
      ],
    );
  });

  test('a read-until-close response ends with the connection', () => {
    const { txs } = replay(
      [
        ['request', REQ('/')],
        ['response', crlf('HTTP/1.0 200 OK', 'Content-Type: text/html', '', '<html>')],
        ['response', '</html>'],
      ],
      false,
    );
    assert.equal(txs.length, 0);
    const { txs: done } = replay([
      ['request', REQ('/')],
      ['response', crlf('HTTP/1.0 200 OK', 'Content-Type: text/html', '', '<html>')],
      ['response', '</html>'],
      ['response', 'end'],
      ['request', 'end'],
    ]);
    assert.equal(done.length, 1);
    assert.equal(done[0]?.response_body_len, 13);
    assert.deepEqual(done[0]?.tags, []);
    assert.equal(done[0]?.response_end_packet, 4);
  });

  test('gzip response: compressed and decoded body lengths', () => {
    const { txs } = replay([
      ['request', REQ('/', ['Accept-Encoding: gzip'])],
      ['response', SAMPLES.GZIP_RESPONSE],
    ]);
    assert.equal(txs[0]?.response_body_decoded_len, SAMPLES.GZ_TEXT.length);
    assert.ok((txs[0]?.response_body_len ?? 0) < SAMPLES.GZ_TEXT.length);
    assert.equal(
      Buffer.from(txs[0]?.response_decoded_preview ?? [])
        .toString()
        .slice(0, 9),
      'The quick',
    );
  });

  test('a gap in a response body: tagged gap and incomplete, pairing continues', () => {
    const r1 = RESP('0123456789');
    const { txs } = replay([
      ['request', `${REQ('/1')}${REQ('/2')}`],
      ['response', r1.slice(0, -6)],
      ['response', 4],
      ['response', r1.slice(-2)],
      ['response', RESP('ok')],
    ]);
    assert.deepEqual(
      txs.map((t) => [t.uri, t.status_code, t.response_body_len, t.tags]),
      [
        ['/1', 200, 10, ['incomplete', 'gap']],
        ['/2', 200, 2, []],
      ],
    );
    assert.deepEqual(
      txs[0]?.anomalies.map((a) => a.id),
      ['http.gap-in-body'],
    );
  });

  test('pending requests are bounded', () => {
    const txs: HttpTransaction[] = [];
    const conv = new HttpConversation((t) => txs.push(t), { limits: { maxPendingRequests: 3 } });
    for (let k = 1; k <= 5; k++) conv.push('request', bytes(REQ(`/${k}`)), k, k);
    assert.deepEqual(
      txs.map((t) => [t.uri, t.tags]),
      [
        ['/1', ['no-response']],
        ['/2', ['no-response']],
      ],
    );
    conv.push('response', bytes(RESP('x')), 6, 6);
    assert.equal(txs.at(-1)?.uri, '/3');
  });

  test('onEvent sees every parser event of both directions', () => {
    const kinds: string[] = [];
    const conv = new HttpConversation(() => {}, { onEvent: (e) => kinds.push(`${e.side}:${e.kind}`) });
    conv.push('request', bytes(REQ('/')), 1, 1);
    conv.push('response', concat(RESP('x')), 2, 2);
    assert.deepEqual(kinds, [
      'request:messageStart',
      'request:head',
      'request:messageEnd',
      'response:messageStart',
      'response:head',
      'response:body',
      'response:messageEnd',
    ]);
  });
});

describe('the commands keep no body preview (NO_PREVIEWS), and still decode bodies', () => {
  // A gzip-encoded response (Zeek's http/get-gzip): its decoded length comes from content decoding.
  const file = join(FIXTURES, 'corpus', 'public', 'zeek-http_get-gzip.pcap');

  test('an analyser given NO_PREVIEWS copies no preview; its other fields are those of the defaults', () => {
    const plain = analyzerRecords(file);
    const lean = analyzerRecords(file, { limits: NO_PREVIEWS });
    assert.equal(lean.length, plain.length);
    assert.ok(plain.some((r) => (r.tx.response_preview?.length ?? 0) > 0));
    for (const [i, r] of lean.entries()) {
      assert.equal(r.tx.response_preview, undefined);
      const p = plain[i]?.tx;
      assert.ok(p);
      assert.equal(r.tx.response_body_len, p.response_body_len);
      assert.equal(r.tx.response_body_decoded_len, p.response_body_decoded_len);
      assert.deepEqual(r.tx.anomalies, p.anomalies);
    }
    assert.ok(lean.some((r) => (r.tx.response_body_decoded_len ?? 0) > (r.tx.response_body_len ?? 0)));
  });

  test('the http and report commands’ analysers (withHttp) are given it', () => {
    const recs = httpRecords(file);
    assert.ok(recs.length > 0);
    for (const r of recs) assert.equal(r.tx.response_preview, undefined);
  });
});
