/**
 * The lab's truth, matched by `conns --json`: for every TCP connection the lab made (fixtures/lab/
 * *.truth.json, written from what the programs did and what the kernel's `ss` reported), wirelens'
 * record has the same endpoints, both final RFC 9293 states, who closed first, and payload bytes;
 * and each listener's peaks are at least what was still waiting on the server when the capture ended.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readCaptureBuffer } from '../../src/capture/source.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { Session } from '../../src/flow/session.js';
import { ListenerTracker } from '../../src/flow/tcp/listeners.js';
import { connectionExtras } from '../../src/report/conn-extras.js';
import { type ConnRecord, tcpRecord } from '../../src/report/conns.js';
import { FIXTURES } from '../helpers/corpus.js';

interface TruthConn {
  client: string;
  /** Captured outside a NAT: the client's address and port as translated. */
  client_seen_as?: string;
  server: string;
  first_close: 'client' | 'server' | 'simultaneous' | 'reset' | 'refused' | 'never';
  final_state: { client: string; server: string };
  bytes: { client_to_server: number; server_to_client: number };
  zeek_conn_state?: string;
}

const LAB = join(FIXTURES, 'lab');

export function conns(file: string): ConnRecord[] {
  const rows: ConnRecord[] = [];
  const s = new Session(undefined, { tcpEnd: (c) => rows.push(tcpRecord(c, connectionExtras(c))) });
  readCaptureBuffer(readFileSync(file), { frame: (f) => s.process(decodeFrame(f)), problem: () => {} });
  s.finish();
  return rows.sort((a, b) => a.index - b.index);
}

const ep = (h: string, p: number) => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);

const CLOSER: Record<TruthConn['first_close'], string | undefined> = {
  client: 'orig',
  server: 'resp',
  simultaneous: 'both',
  reset: undefined,
  refused: 'resp',
  never: undefined,
};

describe('lab truth matched by conns', () => {
  const files = readdirSync(LAB).filter((f) => f.endsWith('.truth.json'));
  test('there are lab truths', () => assert.ok(files.length >= 15));
  for (const f of files) {
    const truth = JSON.parse(readFileSync(join(LAB, f), 'utf8')) as {
      tcp?: TruthConn[];
      capture: { file: string };
    };
    if (!truth.tcp || truth.tcp.length === 0) continue;
    const name = f.replace('.truth.json', '');
    test(name, () => {
      const rows = conns(join(LAB, truth.capture.file));
      const used = new Set<number>();
      for (const t of truth.tcp ?? []) {
        const r = rows.find(
          (x) =>
            !used.has(x.index) &&
            (ep(x['id.orig_h'], x['id.orig_p']) === t.client ||
              ep(x['id.orig_h'], x['id.orig_p']) === t.client_seen_as) &&
            ep(x['id.resp_h'], x['id.resp_p']) === t.server,
        );
        assert.ok(r, `no connection ${t.client} → ${t.server}`);
        used.add(r.index);
        const what = `${t.client} → ${t.server} (#${r.index})`;
        assert.deepEqual(
          { client: r.orig_state, server: r.resp_state },
          t.final_state,
          `final states of ${what}`,
        );
        assert.equal(r.orig_bytes, t.bytes.client_to_server, `client bytes of ${what}`);
        assert.equal(r.resp_bytes, t.bytes.server_to_client, `server bytes of ${what}`);
        const want = CLOSER[t.first_close];
        if (t.first_close !== 'reset') assert.equal(r.closer, want, `who closed first in ${what}`);
        else assert.ok(r.closer === 'orig' || r.closer === 'resp', `a reset names its sender in ${what}`);
        if (t.zeek_conn_state !== undefined && r.conn_state !== undefined)
          assert.equal(r.conn_state, t.zeek_conn_state, `conn_state of ${what}`);
      }
      assert.equal(used.size, rows.length, 'every connection wirelens found is in the truth');
    });
  }
});

describe('lab truth matched by listeners', () => {
  // What `ss` saw on the server at the end of the capture: handshakes completed but never served
  // (ESTABLISHED, nothing sent, nobody closed) and half-open ones (SYN-RECEIVED). All were waiting
  // at once then, so the peaks wirelens reports must be at least these counts.
  let checked = 0;
  for (const f of readdirSync(LAB).filter((x) => x.endsWith('.truth.json'))) {
    const truth = JSON.parse(readFileSync(join(LAB, f), 'utf8')) as {
      tcp?: TruthConn[];
      capture: { file: string };
    };
    const waiting = new Map<string, { unserved: number; halfOpen: number }>();
    for (const t of truth.tcp ?? []) {
      const w = waiting.get(t.server) ?? { unserved: 0, halfOpen: 0 };
      if (
        t.final_state.server === 'ESTABLISHED' &&
        t.first_close === 'never' &&
        t.bytes.server_to_client === 0
      )
        w.unserved++;
      if (t.final_state.server === 'SYN-RECEIVED') w.halfOpen++;
      waiting.set(t.server, w);
    }
    if (![...waiting.values()].some((w) => w.unserved > 0 || w.halfOpen > 0)) continue;
    checked++;
    test(f.replace('.truth.json', ''), () => {
      const listeners = new ListenerTracker();
      const s = new Session(undefined, { tcpEnd: (c) => listeners.add(c) });
      const file = join(LAB, truth.capture.file);
      readCaptureBuffer(readFileSync(file), { frame: (fr) => s.process(decodeFrame(fr)), problem: () => {} });
      s.finish();
      const reports = listeners.reports();
      for (const [server, w] of waiting) {
        const r = reports.find((x) => ep(x.addr, x.port) === server);
        assert.ok(r, `listener ${server} reported`);
        assert.ok(
          (r.peakNeverServed?.count ?? 0) >= w.unserved,
          `${server}: peak never served ${r.peakNeverServed?.count ?? 0}, but ${w.unserved} waited at the end`,
        );
        assert.ok(
          (r.peakHalfOpen?.count ?? 0) >= w.halfOpen,
          `${server}: peak half-open ${r.peakHalfOpen?.count ?? 0}, but ${w.halfOpen} were SYN-RECEIVED at the end`,
        );
      }
    });
  }
  test('some lab capture ends with handshakes waiting on the server', () => assert.ok(checked >= 1));
});
