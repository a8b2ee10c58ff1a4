/**
 * UDP request/response pairing (DNS by message id): the tracker's counts (answered, unanswered,
 * unsolicited, the sum of delays) on random exchanges equal those of a plain model of the rule
 * written here: each request waits in a map by id, oldest dropped (unanswered) beyond 64, a response
 * answers the request of its id or is unsolicited, and what still waits at the end is unanswered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finish, sumWords } from '../../src/decode/checksum.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import type { Packet } from '../../src/decode/types.js';
import { DEFAULT_UDP_OPTIONS, type UdpFlow, UdpTracker } from '../../src/flow/udp.js';
import { etherFrame } from '../helpers/build.js';

const T0 = 1_700_000_000;

/** A DNS message (header only) 10.0.0.1:5353 ⇄ 10.0.0.9:53 with id `id` at `ts`; `query`: to the server. */
function dns(id: number, query: boolean, ts: number): Packet {
  const d = new Uint8Array(14 + 20 + 8 + 12);
  d.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00], 0);
  const ip = 14;
  const [a, b] = query ? [1, 9] : [9, 1];
  d.set([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, a as number, 10, 0, 0, b as number], ip);
  const c = finish(sumWords(d, ip, ip + 20));
  d[ip + 10] = c >> 8;
  d[ip + 11] = c & 0xff;
  const [sp, dp] = query ? [5353, 53] : [53, 5353];
  d.set([sp >> 8, sp & 0xff, dp >> 8, dp & 0xff, 0, 20, 0, 0], ip + 20);
  d.set([id >> 8, id & 0xff, query ? 0x01 : 0x81, query ? 0x00 : 0x80, 0, 0, 0, 0, 0, 0, 0, 0], ip + 28);
  return decodeFrame(etherFrame(d, ts));
}

/** The rule, as plainly as it can be written. */
function reference(exchange: readonly { id: number; query: boolean; ts: number }[]) {
  const waiting = new Map<number, number>();
  let answered = 0;
  let unanswered = 0;
  let unsolicited = 0;
  let rttSum = 0;
  for (const m of exchange) {
    if (m.query) {
      if (waiting.has(m.id)) continue;
      if (waiting.size >= 64) {
        waiting.delete(waiting.keys().next().value as number);
        unanswered++;
      }
      waiting.set(m.id, m.ts);
    } else {
      const t0 = waiting.get(m.id);
      if (t0 === undefined) unsolicited++;
      else {
        waiting.delete(m.id);
        answered++;
        rttSum += m.ts - t0;
      }
    }
  }
  return { answered, unanswered: unanswered + waiting.size, unsolicited, rttSum };
}

/** A small deterministic generator (the same exchanges on every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('DNS pairing by id equals the plain rule on random exchanges', () => {
  const rnd = lcg(7);
  let checked = 0;
  for (let round = 0; round < 300; round++) {
    // Few ids (repeats, answers to nothing) to many (more than 64 outstanding: the oldest dropped).
    const ids = [2, 5, 40, 200][round % 4] as number;
    const n = 1 + Math.floor(rnd() * 400);
    const exchange: { id: number; query: boolean; ts: number }[] = [];
    let ts = T0;
    for (let i = 0; i < n; i++) {
      ts += rnd() * 0.01;
      exchange.push({ id: Math.floor(rnd() * ids), query: rnd() < 0.6, ts });
    }
    let flow: UdpFlow | undefined;
    const t = new UdpTracker(DEFAULT_UDP_OPTIONS, (f) => {
      flow = f;
    });
    for (const m of exchange) t.process(dns(m.id, m.query, m.ts));
    t.finish();
    assert.ok(flow, `round ${round}: no flow ended`);
    const want = reference(exchange);
    assert.deepEqual(
      {
        answered: flow.answered,
        unanswered: flow.unanswered,
        unsolicited: flow.unsolicited,
        rttSum: flow.rttSum,
      },
      want,
      `round ${round} (${n} messages, ${ids} ids)`,
    );
    checked += n;
  }
  assert.ok(checked > 30_000, `${checked} messages`);
});
