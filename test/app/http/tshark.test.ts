/**
 * Differential test against tshark's HTTP dissector on every capture under fixtures/ where tshark
 * sees HTTP: per TCP connection, the requests (method, URI) in order, the response codes in order,
 * the pairing (tshark's http.request_in), and the Content-Length of responses. Where the two
 * legitimately differ, EXCEPTIONS says why. Skipped without tshark.
 */
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, test } from 'node:test';
import { allFixtureCaptures, hasTool, runTool } from '../../helpers/corpus.js';
import { httpRecords } from '../../helpers/http.js';

interface TsharkTx {
  method?: string;
  uri?: string;
  status?: number;
  contentLength?: number;
  /** wirelens: body length when the response was framed by a complete Content-Length body. */
  body?: number;
}

const ep = (h: string, p: string | number) => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);

/**
 * tshark's view: connection key (client→server) → requests in order, each with the final response
 * paired to it: by tshark's http.request_in where it has one, else in order (pipelining). Interim
 * 1xx responses are not transactions of their own (wirelens keeps them as interim statuses).
 * Body desegmentation is off so a response whose body the capture cut short still shows its status.
 */
function tsharkHttp(file: string): Map<string, TsharkTx[]> {
  const args = ['-r', file, '-n', '-o', 'ip.defragment:FALSE', '-o', 'http.desegment_body:FALSE'];
  args.push(
    '-Y',
    'http.request or http.response',
    '-T',
    'fields',
    '-E',
    'separator=\t',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=\u0001',
  );
  for (const f of [
    'frame.number',
    'ip.src',
    'ipv6.src',
    'tcp.srcport',
    'ip.dst',
    'ipv6.dst',
    'tcp.dstport',
    'http.request.method',
    'http.request.uri',
    'http.response.code',
    'http.request_in',
    'http.content_length_header',
  ]) {
    args.push('-e', f);
  }
  const { stdout } = runTool('tshark', args, true);
  const requests = new Map<number, TsharkTx>();
  const out = new Map<string, TsharkTx[]>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [n, s4, s6, sp, d4, d6, dp, methods, uris, codes, reqIns, clens] = line.split('\t');
    const src = ep(s4?.split('\u0001')[0] || s6?.split('\u0001')[0] || '', sp?.split('\u0001')[0] ?? '');
    const dst = ep(d4?.split('\u0001')[0] || d6?.split('\u0001')[0] || '', dp?.split('\u0001')[0] ?? '');
    const list = (v: string | undefined) => (v ? v.split('\u0001') : []);
    // Several messages in one frame (pipelining): one occurrence of each field per message.
    const ms = list(methods);
    const us = list(uris);
    ms.forEach((method, i) => {
      const key = `${src} ${dst}`;
      const tx: TsharkTx = { method, uri: us[i] ?? '' };
      if (i === 0) requests.set(Number(n), tx);
      const l = out.get(key) ?? [];
      l.push(tx);
      out.set(key, l);
    });
    const cs = list(codes);
    const rs = list(reqIns);
    const ls = list(clens);
    cs.forEach((code, i) => {
      const status = Number(code);
      if (status >= 100 && status < 200 && status !== 101) return;
      const key = `${dst} ${src}`;
      const l = out.get(key) ?? [];
      const reqIn = rs[i];
      const byIn = reqIn ? requests.get(Number(reqIn)) : undefined;
      const tx = byIn && byIn.status === undefined ? byIn : l.find((x) => x.status === undefined);
      const clen = ls[i];
      if (tx) {
        tx.status = status;
        if (clen) tx.contentLength = Number(clen);
      } else {
        l.push(clen ? { status, contentLength: Number(clen) } : { status });
        out.set(key, l);
      }
    });
  }
  return out;
}

/** Legitimate differences, with the reason. */
const EXCEPTIONS: Record<string, string> = {
  'http-hostile.pcap':
    'A request target with control characters and invalid UTF-8: tshark prints it raw (invalid bytes as U+FFFD, lossy), wirelens escaped (core/escape.ts); the transactions, statuses and pairing agree (test/app/http/lab.test.ts checks the exact bytes).',
};

const haveTshark = hasTool('tshark');

describe('HTTP agrees with tshark', { skip: haveTshark ? false : 'tshark not installed' }, () => {
  const totals = { compared: 0, agreed: 0, bodies: 0 };
  for (const file of allFixtureCaptures()) {
    const name = basename(file);
    if (name === 'tcpdump-vtp_asan.pcap') continue;
    test(name, (t) => {
      const theirs = tsharkHttp(file);
      if (theirs.size === 0) return;
      const ours = new Map<string, TsharkTx[]>();
      for (const r of httpRecords(file)) {
        const key = `${ep(r.conn.orig.addr, r.conn.orig.port)} ${ep(r.conn.resp.addr, r.conn.resp.port)}`;
        const list = ours.get(key) ?? [];
        const tx: TsharkTx = {};
        if (r.tx.method !== undefined) tx.method = r.tx.method;
        if (r.tx.uri !== undefined) tx.uri = r.tx.uri;
        if (r.tx.status_code !== undefined) tx.status = r.tx.status_code;
        if (r.tx.response_framing === 'content-length' && !r.tx.tags.includes('incomplete'))
          tx.body = r.tx.response_body_len;
        list.push(tx);
        ours.set(key, list);
      }
      const diffs: string[] = [];
      for (const [key, want] of theirs) {
        const got = ours.get(key) ?? [];
        for (let i = 0; i < want.length; i++) {
          const w = want[i] as TsharkTx;
          const g = got[i];
          totals.compared++;
          // tshark sometimes leaves a response undissected (several in one segment without body
          // reassembly): the status is compared where tshark has one.
          const same =
            g !== undefined &&
            g.method === w.method &&
            g.uri === w.uri &&
            (w.status === undefined || g.status === w.status) &&
            // A complete Content-Length body has exactly the length its header announced.
            (w.contentLength === undefined || g.body === undefined || g.body === w.contentLength);
          if (same) totals.agreed++;
          else
            diffs.push(
              `${key} #${i + 1}: tshark ${w.method} ${w.uri} → ${w.status} (${w.contentLength ?? '-'}); wirelens ${g ? `${g.method} ${g.uri} → ${g.status} (${g.body ?? '-'})` : 'nothing'}`,
            );
          if (g?.body !== undefined && w.contentLength !== undefined) totals.bodies++;
        }
      }
      if (EXCEPTIONS[name]) {
        t.diagnostic(`excepted: ${EXCEPTIONS[name]}`);
        return;
      }
      assert.deepEqual(diffs, []);
    });
  }
  test('agreement', (t) => {
    t.diagnostic(
      `HTTP transactions compared with tshark: ${totals.compared}, agreeing ${totals.agreed}; Content-Length bodies checked ${totals.bodies}`,
    );
    assert.ok(totals.compared > 50, `only ${totals.compared} transactions compared`);
  });
});
