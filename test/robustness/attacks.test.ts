/**
 * Resource attacks through the real CLI (scripts/attacks.ts writes them, merged with the lab
 * capture http-keepalive.pcap): a SYN flood from 1,000,000 distinct sources, 100,000 connections
 * that never close, and one connection with 200,000 pipelined requests never answered. For each:
 * the run finishes, memory stays under a budget, the limits hold and evictions are reported, and
 * the lab capture's own connections and HTTP transactions come out exactly as they do from the lab
 * capture alone (only packet numbers and per-run ids differ).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ATTACKS, BACKGROUND, DEFAULT_SIZES, loadBackground, writeAttack } from '../../scripts/attacks.js';
import { type CliRun, runCliAsync } from './cli.js';

const DIR = mkdtempSync(join(tmpdir(), 'wirelens-attacks-'));
after(() => rmSync(DIR, { recursive: true, force: true }));
const file = (a: (typeof ATTACKS)[number]) => join(DIR, `${a}.pcap`);

let written: Promise<unknown>;
before(() => {
  const bg = loadBackground();
  written = Promise.all(ATTACKS.map((a) => writeAttack(a, file(a), DEFAULT_SIZES, bg)));
});

/**
 * Peak RSS allowed per run (MiB): what the run measured on a 2-core, 24 GiB machine with ~40%
 * headroom. Each is bounded by the tracking limits the run uses (connections tracked at once), not
 * by the size of the attack; the measured figures are in the test diagnostics.
 */
const BUDGET = {
  floodConns: 900,
  floodReport: 1700,
  neverCloseAll: 1100,
  neverCloseCapped: 500,
  neverCloseHttp: 1800,
  pipelined: 300,
};

/** A JSON line about the lab capture's own client (10.0.1.2), not an attacker (172.16/12). */
const isBackground = (line: string) => line.includes('"id.orig_h":"10.0.1.2"');

/** Drop what depends on where the packets sit in the file (numbers, per-run ids). */
function comparable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(comparable);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      if (!/^(uid|index|conn|first_packet|last_packet|packets|packet)$/.test(k)) out[k] = comparable(x);
    return out;
  }
  return v;
}

function jsonLines(r: CliRun): unknown[] {
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => comparable(JSON.parse(l)));
}

async function run(args: string[], budgetMiB: number, keepLines?: (l: string) => boolean): Promise<CliRun> {
  await written;
  const r = await runCliAsync(args, { timeoutSeconds: 600, ...(keepLines ? { keepLines } : {}) });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(
    r.peakRssMiB < budgetMiB,
    `${args.join(' ')}: peak RSS ${r.peakRssMiB.toFixed(0)} MiB, budget ${budgetMiB} MiB`,
  );
  return r;
}

const alone = {
  conns: runCliAsync(['conns', '--json', BACKGROUND]),
  http: runCliAsync(['http', '--json', BACKGROUND]),
};
async function aloneLines(k: keyof typeof alone): Promise<unknown[]> {
  const r = await alone[k];
  assert.equal(r.status, 0, r.stderr);
  return jsonLines(r);
}

interface ReportJson {
  capture: { packets: number };
  tcp: { connections: number; evicted: number; expired: number; peakTracked: number };
  hosts: { total: number; limit: number; untrackedPackets: number };
  conversations: { total: number; limit: number; untrackedPackets: number };
  anomalies: { id: string; count: number }[];
  listeners: {
    addr: string;
    port: number;
    kind: string;
    connections: number;
    synAcked: number;
    established: number;
    findings: { kind: string; count: number }[];
  }[];
}

describe(`a SYN flood from ${DEFAULT_SIZES.synFlood.toLocaleString('en')} distinct sources`, () => {
  const LIMIT = 50_000;
  test(`conns --max-conns ${LIMIT}: the flood is evicted, the lab's connections are untouched`, async (t) => {
    const r = await run(
      ['conns', '--json', '--max-conns', String(LIMIT), file('syn-flood')],
      BUDGET.floodConns,
      isBackground,
    );
    t.diagnostic(`${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    assert.deepEqual(jsonLines(r), await aloneLines('conns'));
    const m = /(\d+) connections evicted \(table limit (\d+), --max-conns\)/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.equal(Number(m[2]), LIMIT);
    assert.ok(Number(m[1]) >= DEFAULT_SIZES.synFlood - LIMIT, m[0]);
  });

  test(`report --json --max-conns ${LIMIT}: every SYN counted, evictions in the summary`, async (t) => {
    const r = await run(
      ['report', '--json', '--max-conns', String(LIMIT), file('syn-flood')],
      BUDGET.floodReport,
    );
    t.diagnostic(`${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    const rep = JSON.parse(r.stdout) as ReportJson;
    // Two lab connections plus one per SYN.
    assert.equal(rep.tcp.connections, DEFAULT_SIZES.synFlood + 2);
    assert.ok(rep.tcp.peakTracked <= LIMIT, `peak tracked ${rep.tcp.peakTracked}`);
    assert.ok(rep.tcp.evicted >= DEFAULT_SIZES.synFlood - LIMIT, `evicted ${rep.tcp.evicted}`);
    assert.ok(rep.anomalies.some((a) => a.id === 'flow.evicted' && a.count === rep.tcp.evicted));
    // The listener: exact counts (the lab's two connections were answered), the flood as a finding.
    const l = rep.listeners.find((x) => x.addr === '10.0.2.2' && x.port === 80);
    assert.ok(l, JSON.stringify(rep.listeners));
    assert.equal(l.kind, 'listener');
    assert.equal(l.connections, DEFAULT_SIZES.synFlood + 2);
    assert.equal(l.synAcked, 2);
    assert.equal(l.established, 2);
    assert.deepEqual(
      l.findings.map((f) => [f.kind, f.count]),
      [['lone-syns', DEFAULT_SIZES.synFlood]],
    );
    // The host and conversation tables are bounded too: full, with the packets they could not
    // count. Every SYN has a source (and so a pair) of its own, so all but the first `limit` of them
    // at most are counted there, and no packet twice.
    for (const [name, t] of [
      ['hosts', rep.hosts],
      ['conversations', rep.conversations],
    ] as const) {
      const facts = JSON.stringify({ ...t, shown: undefined });
      assert.equal(t.total, t.limit, `${name}: ${facts}`);
      assert.ok(t.untrackedPackets >= DEFAULT_SIZES.synFlood - t.limit, `${name}: ${facts}`);
      assert.ok(t.untrackedPackets <= rep.capture.packets - t.limit, `${name}: ${facts}`);
    }
  });
});

describe(`${DEFAULT_SIZES.neverClose.toLocaleString('en')} connections that never close`, () => {
  test('conns with the default limits: every one still open at the end of the capture', async (t) => {
    let attackers = 0;
    let established = 0;
    const r = await run(['conns', '--json', file('never-close')], BUDGET.neverCloseAll, (l) => {
      if (isBackground(l)) return true;
      attackers++;
      if (l.includes('"end_reason":"capture-end"') && l.includes('"resp_state":"ESTABLISHED"')) established++;
      return false;
    });
    t.diagnostic(`${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    assert.equal(attackers, DEFAULT_SIZES.neverClose);
    assert.equal(established, DEFAULT_SIZES.neverClose);
    assert.deepEqual(jsonLines(r), await aloneLines('conns'));
  });

  test('conns --max-conns 20000: the idle ones are evicted, the lab connections kept', async (t) => {
    const r = await run(
      ['conns', '--json', '--max-conns', '20000', file('never-close')],
      BUDGET.neverCloseCapped,
      isBackground,
    );
    t.diagnostic(`${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    assert.deepEqual(jsonLines(r), await aloneLines('conns'));
    const m = /(\d+) connections evicted \(table limit 20000, --max-conns\)/.exec(r.stderr);
    assert.ok(m && Number(m[1]) >= DEFAULT_SIZES.neverClose - 20_000, r.stderr);
  });

  test('http: the lab transactions are all there', async (t) => {
    const r = await run(['http', '--json', file('never-close')], BUDGET.neverCloseHttp, isBackground);
    t.diagnostic(`${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    assert.deepEqual(jsonLines(r), await aloneLines('http'));
  });
});

describe(`${DEFAULT_SIZES.pipelined.toLocaleString('en')} pipelined requests never answered`, () => {
  test('http: pending requests are capped and reported, the lab transactions unchanged', async (t) => {
    let pipelined = 0;
    const r = await run(['http', '--json', file('pipelined')], BUDGET.pipelined, (l) => {
      if (isBackground(l)) return true;
      pipelined++;
      return pipelined <= 3;
    });
    t.diagnostic(`${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, ${pipelined} records`);
    const lab = r.stdout.split('\n').filter(isBackground).join('\n');
    assert.deepEqual(jsonLines({ ...r, stdout: lab }), await aloneLines('http'));
    const first = r.stdout
      .split('\n')
      .filter((l) => l !== '' && !isBackground(l))
      .map((l) => JSON.parse(l) as { uri: string; status_code: unknown });
    assert.equal(first[0]?.uri, '/p/0');
    assert.ok(pipelined > 0 && pipelined <= DEFAULT_SIZES.pipelined, `${pipelined} records`);
  });

  test('report: the cap on pending requests is an anomaly in the summary', async (t) => {
    const r = await run(['report', '--json', file('pipelined')], BUDGET.pipelined);
    t.diagnostic(`${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    const rep = JSON.parse(r.stdout) as ReportJson;
    // Every request beyond the 1,000 awaiting a response is given up on, and counted.
    const pending = rep.anomalies.find((a) => a.id === 'http.too-many-pending');
    assert.equal(pending?.count, DEFAULT_SIZES.pipelined - 1000, JSON.stringify(rep.anomalies));
  });
});
