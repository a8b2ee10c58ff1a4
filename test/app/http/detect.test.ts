/** Recognising HTTP by content, from the first bytes of a stream. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyRequestStart,
  classifyResponseStart,
  looksLikeHttpRequest,
  looksLikeHttpResponse,
} from '../../../src/app/http/detect.js';
import { SAMPLES } from './fixtures.js';
import { bytes } from './harness.js';

describe('looksLikeHttpRequest', () => {
  for (const s of [
    'GET / HTTP/1.1\r\n',
    'POST /login.php HTTP/1.1\r\nHost: x\r\n',
    'OPTIONS * HTTP/1.1\r\n',
    'CONNECT secure.newegg.com:443 HTTP/1.1\r\n',
    'PROPFIND /dav/ HTTP/1.1\r\n',
    'M-SEARCH * HTTP/1.1\r\n',
    'BREW /pot-1 HTTP/1.1\r\n',
    "X-Y.Z!#$%&'*+^_`|~ / HTTP/1.0\r\n",
    'GET /cgi-bin/formmail.pl\r\n',
    'GET / HTTP/1.',
  ]) {
    test(`yes: ${JSON.stringify(s)}`, () => assert.equal(looksLikeHttpRequest(bytes(s)), true));
  }
  for (const [why, s] of [
    ['TLS ClientHello', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
    ['SSH banner', 'SSH-2.0-OpenSSH_9.6\r\n'],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['response', 'HTTP/1.1 200 OK\r\n'],
    ['two spaces', 'GET  / HTTP/1.1\r\n'],
    ['version-less non-GET', 'POST /x\r\n'],
    ['version-less without slash', 'GET x\r\n'],
    ['SMTP greeting', '220 mail.example.com ESMTP\r\n'],
    ['method with a control char', 'GE\x01T / HTTP/1.1\r\n'],
    ['lowercase http', 'GET / http/1.1\r\n'],
    ['empty', ''],
    ['cut short', 'GET /index.h'],
  ] as const) {
    test(`no: ${why}`, () => assert.equal(looksLikeHttpRequest(bytes(s)), false));
  }

  test('tri-state: more bytes needed while everything fits', () => {
    assert.equal(classifyRequestStart(bytes('GE')), 'more');
    assert.equal(classifyRequestStart(bytes('GET /very/long/path')), 'more');
    assert.equal(classifyRequestStart(bytes('GET / HTTP')), 'more');
    assert.equal(classifyRequestStart(bytes('GET / HTTQ')), 'no');
    assert.equal(classifyRequestStart(bytes('A'.repeat(33))), 'no', 'method longer than the limit');
    assert.equal(classifyRequestStart(bytes('\x16')), 'no');
  });

  test('the fixture requests are recognised', () => {
    for (const s of [SAMPLES.GET_SIMPLE, SAMPLES.POST_FORM, SAMPLES.PIPELINED, SAMPLES.HTTP09_REQUEST]) {
      assert.equal(looksLikeHttpRequest(bytes(s)), true, s.slice(0, 30));
    }
    assert.equal(looksLikeHttpRequest(SAMPLES.CONNECT_REQUEST), true);
  });
});

describe('looksLikeHttpResponse', () => {
  for (const s of ['HTTP/1.1 200 OK\r\n', 'HTTP/1.0 404 Not Found\r\n', 'HTTP/1.1 101 ', 'HTTP/1.1 200']) {
    test(`yes: ${JSON.stringify(s)}`, () => assert.equal(looksLikeHttpResponse(bytes(s)), true));
  }
  for (const [why, s] of [
    ['HTTP/2 status', 'HTTP/2 200\r\n'],
    ['two-digit status', 'HTTP/1.1 20 OK\r\n'],
    ['no space', 'HTTP/1.1200 OK\r\n'],
    ['lowercase', 'http/1.1 200 OK\r\n'],
    ['HTML (HTTP/0.9 body)', '<html>\n'],
    ['SSH banner', 'SSH-2.0-OpenSSH_9.6\r\n'],
    ['request', 'GET / HTTP/1.1\r\n'],
  ] as const) {
    test(`no: ${why}`, () => assert.equal(looksLikeHttpResponse(bytes(s)), false));
  }

  test('tri-state and offsets', () => {
    assert.equal(classifyResponseStart(bytes('HTTP/1')), 'more');
    assert.equal(classifyResponseStart(bytes('HTTP/1.1 2')), 'more');
    assert.equal(classifyResponseStart(bytes('xxHTTP/1.1 200 OK'), 2), 'yes');
    assert.equal(classifyResponseStart(bytes('HTTP/1.1 200 OK'), 0, 5), 'more');
  });
});
