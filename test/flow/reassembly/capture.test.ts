/**
 * Reassembly on real captures from the lab (fixtures/lab, with truth files written from what the
 * lab's programs sent). loss-retransmit.pcap loses 6 server segments between the server and the
 * capture point; their retransmissions are captured, so the server→client stream must come out
 * whole: exactly the HTTP response, byte count from the truth, no gap.
 *
 * Two ways in: by hand (direction from the TCP ports, every segment to its sender's reassembler,
 * every ACK to the other one's `ackedUpTo`), and through the real tracker with
 * `ConnectionReassembler` as its analyser, on every lab capture.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readCaptureBuffer } from '../../../src/capture/source.js';
import { seq } from '../../../src/core/seq.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import type { TcpConnection } from '../../../src/flow/tcp/connection.js';
import {
  ConnectionReassembler,
  ReassemblyBudget,
  StreamReassembler,
} from '../../../src/flow/tcp/reassembly.js';
import { DEFAULT_TCP_OPTIONS, TcpTracker } from '../../../src/flow/tcp/tracker.js';
import { FIXTURES } from '../../helpers/corpus.js';
import { Recorder } from './helpers.js';

const LAB = join(FIXTURES, 'lab');

interface TruthHttp {
  method: string;
  status: number;
  request_bytes: number;
  response_bytes: number;
  response_body_bytes: number;
  /** 'content-length', 'chunked', ... (a chunked body counts decoded bytes). */
  transfer: string;
  interim_responses?: { status: number; response_bytes: number }[];
  upgrade?: unknown;
  tunnel?: unknown;
}

interface TruthConn {
  client: string;
  client_seen_as?: string;
  server: string;
  bytes: { client_to_server: number; server_to_client: number };
  http?: TruthHttp[];
}

interface Truth {
  capture: { file: string };
  tcp?: TruthConn[];
}

function truthOf(name: string): Truth {
  return JSON.parse(readFileSync(join(LAB, `${name}.truth.json`), 'utf8')) as Truth;
}

const ascii = (b: Uint8Array) => new TextDecoder('latin1').decode(b);

interface Pair {
  client: Recorder;
  server: Recorder;
  c2s: StreamReassembler;
  s2c: StreamReassembler;
  clientPort: number;
}

/** By hand: the server is port 80; every segment to its sender's reassembler, its ACK to the other. */
function byPorts(file: string): Pair[] {
  const budget = new ReassemblyBudget();
  const pairs = new Map<number, Pair>();
  readCaptureBuffer(readFileSync(file), {
    frame: (f) => {
      const p = decodeFrame(f);
      const t = p.tcp;
      if (!t || t.partial) return;
      const fromServer = t.srcPort === 80;
      const clientPort = fromServer ? t.dstPort : t.srcPort;
      let pair = pairs.get(clientPort);
      if (!pair) {
        const client = new Recorder();
        const server = new Recorder();
        pair = {
          client,
          server,
          clientPort,
          c2s: new StreamReassembler(client, budget),
          s2c: new StreamReassembler(server, budget),
        };
        pairs.set(clientPort, pair);
      }
      const from = fromServer ? pair.s2c : pair.c2s;
      const to = fromServer ? pair.c2s : pair.s2c;
      const flags = { syn: (t.flags & 0x02) !== 0, fin: (t.flags & 0x01) !== 0, rst: (t.flags & 0x04) !== 0 };
      if (t.flags & 0x10) to.ackedUpTo(seq(t.ack), f.ts, f.index);
      const at = t.offset + t.headerLength;
      from.segment(
        seq(t.seq),
        f.data.subarray(at, at + t.capturedPayload),
        f.ts,
        f.index,
        flags,
        t.payloadLength,
      );
      if (flags.rst) to.close(f.ts, f.index, 'rst');
    },
    problem: () => {},
  });
  for (const p of pairs.values()) {
    p.c2s.close(0, 0);
    p.s2c.close(0, 0);
  }
  assert.equal(budget.buffered, 0);
  assert.equal(budget.history, 0);
  return [...pairs.values()].sort((a, b) => a.clientPort - b.clientPort);
}

/** The HTTP messages of the truth lie end to end in the streams, each starting where it should. */
function checkHttp(c: TruthConn, client: Uint8Array, server: Uint8Array, what: string): void {
  let q = 0;
  let s = 0;
  for (const h of c.http ?? []) {
    assert.equal(
      ascii(client.subarray(q, q + h.method.length + 1)),
      `${h.method} `,
      `request at ${q} of ${what}`,
    );
    // Interim responses (100 Continue) come first, each its own message.
    for (const i of h.interim_responses ?? []) {
      assert.equal(
        ascii(server.subarray(s, s + 13)),
        `HTTP/1.1 ${i.status} `,
        `interim response at ${s} of ${what}`,
      );
      s += i.response_bytes;
    }
    assert.equal(ascii(server.subarray(s + 9, s + 13)), `${h.status} `, `response at ${s} of ${what}`);
    if (h.transfer === 'content-length') {
      const msg = ascii(server.subarray(s, s + h.response_bytes));
      const body = msg.length - (msg.indexOf('\r\n\r\n') + 4);
      assert.equal(body, h.response_body_bytes, `body of the response at ${s} of ${what}`);
    }
    q += h.request_bytes;
    s += h.response_bytes;
  }
  // After an Upgrade or CONNECT the rest of each stream is not HTTP.
  if (c.http && !c.http.some((h) => h.upgrade !== undefined || h.tunnel !== undefined)) {
    assert.equal(q, client.length);
    assert.equal(s, server.length);
  }
}

describe('loss-retransmit.pcap by hand (server port 80)', () => {
  const truth = truthOf('loss-retransmit');
  const c = truth.tcp?.[0] as TruthConn;
  const [pair, ...rest] = byPorts(join(LAB, truth.capture.file));

  test('one connection', () => {
    assert.ok(pair);
    assert.equal(rest.length, 0);
  });

  test(`server→client: exactly the ${c.bytes.server_to_client}-byte HTTP response, no gap, ended by FIN`, () => {
    const p = pair as Pair;
    const body = p.server.bytes();
    assert.equal(p.server.gapBytes, 0);
    assert.equal(p.s2c.stats.gapBytes, 0);
    assert.equal(body.length, c.bytes.server_to_client);
    assert.ok(ascii(body.subarray(0, 8)).startsWith('HTTP/1.'));
    const head = ascii(body.subarray(0, 400));
    const len = Number(/content-length: *(\d+)/i.exec(head)?.[1]);
    assert.equal(len, 307200);
    assert.equal(body.length - (head.indexOf('\r\n\r\n') + 4), len);
    assert.equal(p.server.ended, 'fin');
    assert.equal(p.s2c.stats.conflicts, 0);
    // The losses happened before the capture point: what was captured arrived out of order and
    // waited for the retransmissions.
    assert.ok(p.s2c.stats.outOfOrder > 0);
    assert.ok(p.s2c.stats.peakBuffered > 0);
    assert.deepEqual(p.s2c.anomalies, []);
  });

  test(`client→server: the ${c.bytes.client_to_server}-byte request`, () => {
    const p = pair as Pair;
    const req = p.client.bytes();
    assert.equal(req.length, c.bytes.client_to_server);
    assert.ok(ascii(req).startsWith('GET /big HTTP/1.1\r\n'));
    assert.equal(p.client.gapBytes, 0);
    assert.equal(p.client.ended, 'fin');
  });

  test('the HTTP messages of the truth, end to end', () => {
    const p = pair as Pair;
    checkHttp(c, p.client.bytes(), p.server.bytes(), 'loss-retransmit');
  });
});

describe('http-keepalive.pcap by hand (server port 80)', () => {
  const truth = truthOf('http-keepalive');
  const pairs = byPorts(join(LAB, truth.capture.file));
  test('both connections, both directions: the truth bytes, no gap, HTTP messages end to end', () => {
    assert.equal(pairs.length, truth.tcp?.length);
    for (const c of truth.tcp ?? []) {
      const port = Number(c.client.split(':').pop());
      const p = pairs.find((x) => x.clientPort === port);
      assert.ok(p, `connection from ${c.client}`);
      assert.equal(p.client.bytes().length, c.bytes.client_to_server, c.client);
      assert.equal(p.server.bytes().length, c.bytes.server_to_client, c.client);
      assert.equal(p.client.gapBytes + p.server.gapBytes, 0);
      checkHttp(c, p.client.bytes(), p.server.bytes(), c.client);
    }
  });
});

/** Through the tracker: ConnectionReassembler as the analyser of every connection. */
function tracked(
  file: string,
): Array<{ c: TcpConnection; client: Recorder; server: Recorder; r: ConnectionReassembler }> {
  const budget = new ReassemblyBudget();
  const rows: Array<{ c: TcpConnection; client: Recorder; server: Recorder; r: ConnectionReassembler }> = [];
  const byConn = new Map<TcpConnection, (typeof rows)[number]>();
  const t = new TcpTracker(
    {
      ...DEFAULT_TCP_OPTIONS,
      analyzers: (c) => {
        const row = {
          c,
          client: new Recorder(),
          server: new Recorder(),
          r: undefined as unknown as ConnectionReassembler,
        };
        row.r = new ConnectionReassembler({ orig: row.client, resp: row.server }, budget);
        byConn.set(c, row);
        rows.push(row);
        return [row.r];
      },
    },
    {
      // What the tracker itself should do when it retires a connection.
      connectionEnd: (c) => byConn.get(c)?.r.end(c, c.lastTs, c.lastPacket),
    },
  );
  readCaptureBuffer(readFileSync(file), { frame: (f) => t.process(decodeFrame(f)), problem: () => {} });
  t.finish();
  assert.equal(budget.buffered, 0);
  assert.equal(budget.history, 0);
  return rows;
}

const ep = (h: string, p: number) => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);

describe('every lab capture through the tracker: streams match the truth bytes', () => {
  const files = readdirSync(LAB).filter((f) => f.endsWith('.truth.json'));
  for (const f of files) {
    const truth = JSON.parse(readFileSync(join(LAB, f), 'utf8')) as Truth;
    if (!truth.tcp || truth.tcp.length === 0) continue;
    test(f.replace('.truth.json', ''), () => {
      const rows = tracked(join(LAB, truth.capture.file));
      const used = new Set<number>();
      for (const t of truth.tcp ?? []) {
        const row = rows.find(
          (x) =>
            !used.has(x.c.id) &&
            (ep(x.c.orig.addr, x.c.orig.port) === t.client ||
              ep(x.c.orig.addr, x.c.orig.port) === t.client_seen_as) &&
            ep(x.c.resp.addr, x.c.resp.port) === t.server,
        );
        assert.ok(row, `no connection ${t.client} → ${t.server}`);
        used.add(row.c.id);
        const what = `${t.client} → ${t.server} (#${row.c.id})`;
        assert.equal(row.client.bytes().length, t.bytes.client_to_server, `client stream of ${what}`);
        assert.equal(row.server.bytes().length, t.bytes.server_to_client, `server stream of ${what}`);
        assert.equal(row.client.gapBytes + row.server.gapBytes, 0, `gaps in ${what}`);
        assert.equal(row.client.ends, 1);
        assert.equal(row.server.ends, 1);
        assert.equal(row.r.orig.stats.conflicts + row.r.resp.stats.conflicts, 0);
        checkHttp(t, row.client.bytes(), row.server.bytes(), what);
      }
    });
  }
});
