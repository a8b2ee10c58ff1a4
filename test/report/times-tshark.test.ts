/**
 * Times as the capture has them, against tshark's frame.time_epoch (exact decimals): the report's
 * first and last packet times, `explain`'s first packet, and `conns --json` durations. wirelens
 * does its arithmetic on doubles, which near today's epoch are 0.24 µs apart; what it prints must
 * still be the capture's microseconds, not one off (a cut instead of a rounding) and not noise
 * (0.065093994140625 for 65.094 ms).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { hasTool, runTool } from '../helpers/corpus.js';

/** Microsecond captures (pcap, and pcapng with the default resolution). */
const CAPTURES = [
  'fixtures/lab/close-client-first.pcap',
  'fixtures/lab/close-server-first.pcap',
  'fixtures/lab/close-simultaneous.pcap',
  'fixtures/lab/http-keepalive.pcap',
  'fixtures/lab/refused.pcap',
  'fixtures/lab/timewait-reuse.pcap',
  'fixtures/corpus/public/chrissanders-arppoison.pcapng',
  'fixtures/corpus/public/chrissanders-http_google.pcapng',
];

/** Each frame's time as tshark prints it: whole seconds and microseconds (its nanoseconds end in 000). */
function frameTimes(file: string): { sec: number; us: number }[] {
  const out = runTool('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch']).stdout;
  return out
    .trim()
    .split('\n')
    .map((l) => {
      const m = /^(\d+)\.(\d{6})000$/.exec(l.trim());
      assert.ok(m, `${file}: not a microsecond time: ${l}`);
      return { sec: Number(m[1]), us: Number(m[2]) };
    });
}

function iso(t: { sec: number; us: number }): string {
  return `${new Date(t.sec * 1000).toISOString().slice(0, 19)}.${String(t.us).padStart(6, '0')}Z`;
}

/** b - a in seconds, exact to the microsecond. */
function micros(a: { sec: number; us: number }, b: { sec: number; us: number }): number {
  return ((b.sec - a.sec) * 1e6 + (b.us - a.us)) / 1e6;
}

test('report, explain and conns print the capture’s times', { skip: !hasTool('tshark') }, () => {
  let durations = 0;
  for (const file of CAPTURES) {
    const frames = frameTimes(file);
    const first = frames[0];
    const last = frames[frames.length - 1];
    assert.ok(first && last, file);

    const report = runCli(['report', file]);
    assert.equal(report.status, 0, report.stderr);
    const span = /^ {2}time +(\S+) → (\S+) /m.exec(report.stdout);
    assert.ok(span, `${file}: no time line in the report`);
    assert.deepEqual([span[1], span[2]], [iso(first), iso(last)], `${file}: report time line`);

    const conns = runCli(['conns', '--json', file]);
    assert.equal(conns.status, 0, conns.stderr);
    const records = conns.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            proto: string;
            index: number;
            duration: number;
            first_packet: number;
            last_packet: number;
          },
      )
      .filter((r) => r.proto === 'tcp');
    for (const r of records) {
      const a = frames[r.first_packet - 1];
      const b = frames[r.last_packet - 1];
      assert.ok(a && b, `${file}: packets ${r.first_packet}, ${r.last_packet}`);
      assert.equal(r.duration, micros(a, b), `${file}: connection ${r.index}: duration`);
      durations++;
    }

    const firstTcp = records[0];
    if (firstTcp === undefined) continue;
    const explain = runCli(['explain', file, String(firstTcp.index)]);
    assert.equal(explain.status, 0, explain.stderr);
    const at = /first packet (\d+) at (\S+?),/.exec(explain.stdout);
    assert.ok(at, `${file}: no first packet line in explain`);
    const frame = frames[Number(at[1]) - 1];
    assert.ok(frame, file);
    assert.equal(at[2], iso(frame), `${file}: explain's first packet`);
  }
  assert.ok(durations >= 10, `only ${durations} connections compared`);
});
