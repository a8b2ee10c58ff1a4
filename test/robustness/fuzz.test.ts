/**
 * A short run of `npm run fuzz` (scripts/fuzz.ts) in-process, with a fixed seed: 50,000 fuzzed
 * packets from mutated corpus files, mutated fixture frames and crafted hostile TCP streams, through
 * capture reading, decoding, the flow session with HTTP, and the `read` views. Nothing may escape,
 * every packet has exactly one status, every file's CaptureResult accounts for everything, reading
 * in chunks gives the same result as reading whole, finished sessions release everything, and
 * memory stays under budget, and no input hangs the pipeline (a watchdog stops a worker that makes
 * no progress for 15 s and reports the input). FUZZ_N / FUZZ_SEED / FUZZ_SECONDS make the run longer or different.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FuzzReport, formatReport, runFuzzGuarded } from '../../scripts/fuzz.js';

const N = Number(process.env.FUZZ_N ?? 50_000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_f022);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 60);

let report: FuzzReport | undefined;

test(`fuzz: ${N} packets (seed 0x${SEED.toString(16)}) break no invariant`, async (t) => {
  // In a worker thread, watched: an input that hangs the pipeline is reported, not waited for.
  report = await runFuzzGuarded({
    iterations: N,
    seconds: SECONDS,
    seed: SEED,
    rssBudgetMiB: 1024,
    heapBudgetMiB: 512,
    hangSeconds: 15,
  });
  for (const l of formatReport(report)) t.diagnostic(l);
  assert.deepEqual(
    report.violations.map((v) => `[${v.kind}] ${v.message}\n    on ${v.input}`),
    [],
    `${report.violationCount} violations`,
  );
  assert.equal(report.violationCount, 0);
});

test('fuzz: the run covered what it claims', () => {
  const r = report;
  assert.ok(r, 'the fuzz run did not happen');
  // The time limit is a safety net for slow machines; at least most of the packets must have run.
  assert.ok(r.packets >= Math.min(N, 20_000), `only ${r.packets} packets in ${r.seconds.toFixed(1)} s`);
  const statuses = r.statuses.decoded + r.statuses.truncated + r.statuses.malformed + r.statuses.unsupported;
  assert.equal(statuses, r.packets, 'every packet counted in exactly one status');
  assert.equal(r.fromMutatedFiles + r.mutatedPackets + r.craftedPackets, r.packets);
  for (const s of ['decoded', 'truncated', 'malformed', 'unsupported'] as const)
    assert.ok(r.statuses[s] > 0, `no ${s} packet`);
  assert.ok(r.mutatedFiles > 500, `${r.mutatedFiles} mutated files`);
  assert.ok(r.rejectedFiles > 0 && r.fatalFiles > 0, 'files refused and files cut short both happen');
  assert.ok(r.chunkedComparisons > 100, `${r.chunkedComparisons} chunked re-reads`);
  // File-level mutations reach every kind of capture problem a file can have.
  for (const id of [
    'capture.truncated',
    'pcap.bad-record-length',
    'pcap.bad-version',
    'pcap.bad-timestamp',
    'pcap.caplen-exceeds-origlen',
    'pcapng.bad-block-length',
    'pcapng.unknown-interface',
  ])
    assert.ok((r.fileProblems[id] ?? 0) > 0, `no ${id} problem`);
  // Packet-level mutations and crafted streams reach the deep checks.
  for (const id of [
    'too-deep',
    'dns.pointer-loop',
    'tcp.bad-option-length',
    'ipv6.bad-extension',
    'udp.bad-length',
  ])
    assert.ok((r.anomalies[id] ?? 0) > 0, `no ${id} anomaly`);
  for (const id of ['flow.evicted', 'tcp.reassembly.gap', 'http.header-too-large'])
    assert.ok((r.connectionAnomalies[id] ?? 0) > 0, `no ${id} on a connection`);
  assert.ok(r.httpTransactions > 1000, `${r.httpTransactions} HTTP transactions`);
  assert.ok(r.rendered > 1000, `${r.rendered} packets rendered`);
  assert.ok(r.peakRssMiB < 1024, `peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
});
