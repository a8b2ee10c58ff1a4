/**
 * The whole `sniff` path without root or libpcap: a stand-in for `cap` replays lab captures as
 * packet events, and what sniff prints must be what `read`, `conns` and `listeners` print for the
 * same capture — live and replay run the same decoder and flow code. Only timestamps differ (live
 * times are taken on arrival).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readCaptureBuffer } from '../../src/capture/source.js';
import { ExitCode } from '../../src/core/errors.js';
import {
  LAB,
  packetLines,
  packetObjects,
  type Run,
  summaryOf,
  wirelensAsync,
  writeFakeCap,
} from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'wirelens-live-replay-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const fakeCap = writeFakeCap(tmp);

function sniff(fixture: string, args: readonly string[]): Promise<Run> {
  return wirelensAsync(['sniff', '-i', 'fake0', ...args], {
    WIRELENS_CAP_MODULE: fakeCap,
    FAKE_CAP_PCAP: join(LAB, fixture),
  });
}

function packetCount(fixture: string): number {
  return readCaptureBuffer(readFileSync(join(LAB, fixture)), { frame() {}, problem() {} }).frames;
}

const KEEPALIVE = 'http-keepalive.pcap';
const BACKLOG = 'backlog-overflow.pcap';
const total = packetCount(KEEPALIVE);
const out = join(tmp, 'keepalive.pcap');
const cutOut = join(tmp, 'cut.pcapng');
// Every run at once (each is mostly Node's startup); tests wait for the ones they need.
const runs = {
  replay: wirelensAsync(['read', '--json', join(LAB, KEEPALIVE)]),
  replayText: wirelensAsync(['read', join(LAB, KEEPALIVE)]),
  conns: wirelensAsync(['conns', '--json', join(LAB, KEEPALIVE)]),
  live: sniff(KEEPALIVE, ['--json', '-c', String(total), '-w', out]),
  liveText: sniff(KEEPALIVE, ['-c', String(total)]),
  cut: sniff(KEEPALIVE, ['--json', '-c', '14', '-s', '60', '-w', cutOut]),
  connsView: sniff(KEEPALIVE, ['--conns', '--interval', '0.05', '--duration', '0.6']),
  backlog: sniff(BACKLOG, ['--conns', '--json', '-c', String(packetCount(BACKLOG)), '--interval', '60']),
  listeners: wirelensAsync(['listeners', '--json', join(LAB, BACKLOG)]),
};

function withoutTs(line: string): unknown {
  const o = JSON.parse(line) as Record<string, unknown>;
  delete o.ts;
  return o;
}

/** Connection fields that do not depend on packet times. */
function connShape(r: Record<string, unknown>): Record<string, unknown> {
  const { ts, duration, irtt, time_wait, time_wait_reuse, ...rest } = r;
  void ts;
  void duration;
  void irtt;
  void time_wait_reuse;
  return {
    ...rest,
    time_wait: Array.isArray(time_wait) ? time_wait.map((t) => (t as { side: string }).side) : undefined,
  };
}

describe('sniff through a stand-in cap', () => {
  let live: Run;
  let replay: Run;
  before(async () => {
    [live, replay] = await Promise.all([runs.live, runs.replay]);
  });

  test('stops at -c with exit 0 and one JSON line per packet', () => {
    assert.equal(live.code, ExitCode.ok, live.stderr);
    assert.equal(packetLines(live.stdout).length, total);
    assert.match(live.stderr, /capturing on fake0 \(ether, snap length 65535\)/);
  });

  test('every packet is what read --json prints for it, except the time', () => {
    const a = packetLines(live.stdout).map(withoutTs);
    const b = packetLines(replay.stdout).map(withoutTs);
    assert.deepEqual(a, b);
    const ts = packetObjects(live.stdout).map((p) => Number(p.ts));
    for (let i = 1; i < ts.length; i++) assert.ok(ts[i]! >= ts[i - 1]!, 'live times never go back');
  });

  test('the -w file reads back as exactly the live packets, times included', async () => {
    const back = await wirelensAsync(['read', '--json', out]);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(packetLines(back.stdout), packetLines(live.stdout));
  });

  test('the final connections are what conns --json finds in the capture', async () => {
    const s = summaryOf(live.stdout);
    const conns = await runs.conns;
    const expected = conns.stdout
      .trim()
      .split('\n')
      .map((l) => connShape(JSON.parse(l) as Record<string, unknown>));
    // conns --json streams each connection when it is retired (Zeek's conn.log order); the live
    // summary lists them at the end. Same set, so compare in one order.
    const byUid = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.uid).localeCompare(String(b.uid));
    assert.deepEqual(s.connections.map(connShape).sort(byUid), expected.sort(byUid));
    assert.ok(s.connections.some((c) => c.proto === 'tcp' && c.resp_state === 'CLOSED'));
  });

  test('capture statistics: what is known, and null for what the binding cannot tell', () => {
    const c = summaryOf(live.stdout).capture;
    assert.equal(c.interface, 'fake0');
    assert.equal(c.stopped_by, 'count');
    assert.equal(c.passed_to_wirelens, total);
    assert.equal(c.received_by_filter, null);
    assert.equal(c.dropped_by_kernel, null);
    assert.equal(c.interface_counters, null, 'fake0 has no /sys/class/net entry');
    assert.deepEqual(c.written, { file: out, packets: total });
    assert.match(String(c.timestamps), /taken when each packet reached wirelens/);
  });

  test('the text view prints the same lines as read, then the tables and statistics', async () => {
    const text = await runs.liveText;
    assert.equal(text.code, 0, text.stderr);
    const strip = (l: string) => l.replace(/^(\s*\d+) \S+/, '$1');
    const readLines = (await runs.replayText).stdout.trimEnd().split('\n');
    const liveLines = text.stdout.split('\n').slice(0, total);
    assert.deepEqual(liveLines.map(strip), readLines.map(strip));
    assert.match(text.stdout, /^TCP connections \(\d+\)$/m);
    assert.match(
      text.stdout,
      /^Capture statistics: fake0 \(ether\), [\d.]+ s, stopped: packet count \(-c\) reached$/m,
    );
    assert.match(text.stdout, /received by the filter, dropped by the kernel or libpcap: not available/);
    assert.match(
      text.stdout,
      /interface counters: not available \(no \/sys\/class\/net\/fake0\/statistics\)/,
    );
  });
});

describe('sniff -s emulates a snap length', () => {
  test('caplen is cut, the original length kept, and the file says so', async () => {
    const live = await runs.cut;
    assert.equal(live.code, 0, live.stderr);
    const pk = packetObjects(live.stdout);
    assert.equal(pk.length, 14);
    for (const p of pk) assert.ok((p.caplen as number) <= 60 && (p.len as number) >= (p.caplen as number));
    const syn = pk[10];
    assert.deepEqual([syn?.caplen, syn?.len, syn?.status], [60, 74, 'truncated']);
    const cut = pk.filter((p) => (p.len as number) > 60).length;
    assert.equal(summaryOf(live.stdout).capture.cut_by_snaplen, cut);
    const back = await wirelensAsync(['read', '--json', cutOut]);
    assert.deepEqual(packetLines(back.stdout), packetLines(live.stdout));
  });
});

describe('sniff --conns', () => {
  test('periodic lines when not a terminal, then the final table', async () => {
    const r = await runs.connsView;
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^\+\d+\.\ds \d+ packets; TCP \d+ seen: \d+ new, \d+ established, \d+ closing, \d+ TIME-WAIT, \d+ closed; UDP \d+ seen, \d+ tracked$/m,
    );
    assert.match(r.stdout, /^TCP connections \(\d+\)$/m);
    assert.match(r.stdout, /stopped: duration \(--duration\) reached/);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no cursor movement when not a terminal');
  });

  test('listen-backlog warnings as they happen, and the same findings as listeners at the end', async () => {
    const r = await runs.backlog;
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"warning":'))
      .map((l) => (JSON.parse(l) as { warning: { kind: string; listener: string } }).warning);
    const kinds = new Set(warnings.map((w) => w.kind));
    assert.ok(kinds.has('syn-dropped'), JSON.stringify(warnings));
    assert.ok(kinds.has('ack-dropped'), JSON.stringify(warnings));
    for (const w of warnings) assert.equal(w.listener, '10.0.2.2:9100');
    const listeners = (await runs.listeners).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { addr: string; port: number; findings: { kind: string }[] });
    const s = summaryOf(r.stdout);
    assert.deepEqual(
      s.listeners.map((l) => [l.addr, l.port, l.findings.map((f) => f.kind)]),
      listeners
        .filter((l) => l.findings.length > 0)
        .map((l) => [l.addr, l.port, l.findings.map((f) => f.kind)]),
    );
  });
});
