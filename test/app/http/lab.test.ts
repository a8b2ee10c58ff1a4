/**
 * HTTP over the lab's real TCP: every transaction in the lab truth files (what the client and
 * server programs sent) is reported by `wirelens http` with the right method, URI, status and body
 * sizes, in order, paired correctly — through pipelining, chunking, 100-continue, a 200 KB response
 * with losses and out-of-order retransmissions, upgrades and CONNECT.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { HttpRecord } from '../../../src/app/http/analyzer.js';
import { readCaptureBuffer } from '../../../src/capture/source.js';
import { withHttp } from '../../../src/cli/http.js';
import { fromHex } from '../../../src/core/bytes.js';
import { escapeBytes } from '../../../src/core/escape.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import { DEFAULT_SESSION, Session } from '../../../src/flow/session.js';
import { FIXTURES } from '../../helpers/corpus.js';

interface TruthHttp {
  method: string;
  uri: string;
  /** The target's raw bytes, when they are hostile (control characters, invalid UTF-8). */
  uri_hex?: string;
  status: number;
  request_body_bytes?: number;
  response_body_bytes: number;
}

interface TruthConn {
  client: string;
  client_seen_as?: string;
  server: string;
  http?: TruthHttp[];
}

const LAB = join(FIXTURES, 'lab');

export function httpRecords(file: string): HttpRecord[] {
  const out: HttpRecord[] = [];
  const s = new Session(withHttp(DEFAULT_SESSION, (r) => out.push(r)));
  readCaptureBuffer(readFileSync(file), { frame: (f) => s.process(decodeFrame(f)), problem: () => {} });
  s.finish();
  return out.sort((a, b) => a.conn.id - b.conn.id || a.tx.trans_depth - b.tx.trans_depth);
}

const ep = (h: string, p: number) => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);

describe('HTTP transactions match the lab truth', () => {
  const files = readdirSync(LAB).filter((f) => f.endsWith('.truth.json'));
  let total = 0;
  for (const f of files) {
    const truth = JSON.parse(readFileSync(join(LAB, f), 'utf8')) as {
      tcp?: TruthConn[];
      capture: { file: string };
    };
    const conns = (truth.tcp ?? []).filter((c) => (c.http ?? []).length > 0);
    if (conns.length === 0) continue;
    test(f.replace('.truth.json', ''), () => {
      const recs = httpRecords(join(LAB, truth.capture.file));
      for (const c of conns) {
        const mine = recs.filter(
          (r) =>
            (ep(r.conn.orig.addr, r.conn.orig.port) === c.client ||
              ep(r.conn.orig.addr, r.conn.orig.port) === c.client_seen_as) &&
            ep(r.conn.resp.addr, r.conn.resp.port) === c.server,
        );
        const want = (c.http ?? []).map((h) => ({
          method: h.method,
          // wirelens reports text from packets escaped (core/escape.ts): compare with the escaped bytes.
          uri: h.uri_hex !== undefined ? escapeBytes(fromHex(h.uri_hex)) : h.uri,
          status: h.status,
          req: h.request_body_bytes ?? 0,
          resp: h.response_body_bytes,
        }));
        const got = mine.map((r) => ({
          method: r.tx.method,
          uri: r.tx.uri,
          status: r.tx.status_code,
          req: r.tx.request_body_len,
          resp: r.tx.response_body_len,
        }));
        assert.deepEqual(got, want, `transactions of ${c.client} → ${c.server}`);
        for (const r of mine) assert.ok(!r.tx.tags.includes('gap'), `no gap in ${r.tx.method} ${r.tx.uri}`);
        total += want.length;
      }
    });
  }
  test('the lab has HTTP transactions to compare', () => assert.ok(total >= 0));
});
