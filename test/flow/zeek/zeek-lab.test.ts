/**
 * The lab captures (fixtures/lab/) with their truth files: every TCP connection's `zeek_conn_state`, the
 * lab's own expectation, must be what the Zeek summary computes (default options: checksums ignored as
 * with `zeek -C`, full scripts' server ports). A capture taken outside a NAT is matched by the address
 * the server saw.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES } from '../../helpers/corpus.js';
import { type Row, runCapture } from './run.js';

interface TruthTcp {
  readonly id: string;
  readonly client: string;
  readonly server: string;
  readonly zeek_conn_state?: string;
  readonly client_seen_as?: string;
}

interface Truth {
  readonly capture: { readonly file: string };
  readonly tcp?: readonly TruthTcp[];
}

/** Lab expectations a Zeek run on the capture would not meet, with the reason. */
const LAB_EXCEPTIONS: ReadonlyArray<{
  fixture: string;
  ids: readonly string[];
  actual: string;
  reason: string;
}> = [];

const LAB = join(FIXTURES, 'lab');

function endpoint(text: string): [string, number] {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(text);
  if (!m) throw new Error(`bad endpoint ${text}`);
  return [m[1] as string, Number(m[2])];
}

function same(r: Row, a: [string, number], b: [string, number]): boolean {
  const o: [string, number] = [r.origAddr, r.origPort];
  const p: [string, number] = [r.respAddr, r.respPort];
  const eq = (x: [string, number], y: [string, number]) => x[0] === y[0] && x[1] === y[1];
  return (eq(o, a) && eq(p, b)) || (eq(o, b) && eq(p, a));
}

const truths = readdirSync(LAB)
  .filter((f) => f.endsWith('.truth.json'))
  .sort();

describe('Zeek conn_state of every lab connection', () => {
  test('there are lab truths', () => assert.ok(truths.length > 10));
  for (const file of truths) {
    const fixture = file.replace(/\.truth\.json$/, '');
    const truth = JSON.parse(readFileSync(join(LAB, file), 'utf8')) as Truth;
    const conns = (truth.tcp ?? []).filter((c) => c.zeek_conn_state);
    if (conns.length === 0) continue;
    test(fixture, () => {
      const rows = runCapture(join(LAB, truth.capture.file), { tcp: {}, udp: {} }).rows.filter(
        (r) => r.proto === 'tcp',
      );
      const used = new Set<Row>();
      const problems: string[] = [];
      for (const c of conns) {
        const server = endpoint(c.server);
        const pick = (client: string) => rows.find((r) => !used.has(r) && same(r, endpoint(client), server));
        const r = pick(c.client) ?? (c.client_seen_as ? pick(c.client_seen_as) : undefined);
        if (!r) {
          problems.push(`${c.id} ${c.client} > ${c.server}: no row`);
          continue;
        }
        used.add(r);
        const ex = LAB_EXCEPTIONS.find((e) => e.fixture === fixture && e.ids.includes(c.id));
        const want = ex ? ex.actual : c.zeek_conn_state;
        if (r.connState !== want)
          problems.push(`${c.id}: lab ${c.zeek_conn_state}, wirelens ${r.connState} (${r.history})`);
      }
      assert.deepEqual(problems, []);
    });
  }
});
