/**
 * `npm run bench`: generate the synthetic capture (fixed seed), run wirelens' commands on it several
 * times, and — when installed — tshark and tcpdump on the same file in the same invocation; report
 * the median wall time, packets/s, MB/s and peak RSS of each, and the ratios against tshark. The
 * commands run in rounds (each once per round), and a ratio is the median of the rounds' ratios.
 *
 *   node dist/bench/run.js [--connections 100000] [--runs 3] [--big] [--only conns,report] [--json]
 *
 * `--big` also generates the 10x capture and compares the peak memory of `conns` and `report` (those
 * selected) on both (the memory-is-flat check). Peak RSS is the child's VmHWM from /proc, read every few milliseconds.
 * The figures are checked against the performance targets (issue 7) and each is printed met or missed.
 * `startup` times `wirelens conns` on a 37-packet lab capture against `node -e 0` (what a small
 * capture costs is mostly starting up), alternating the two, 10 runs each. `floor` runs wirelens'
 * reader alone, then reader and decoder, then the reader feeding a bare connection table
 * (bench/floor.ts, bench/bound-table.ts): what any analysis in Node starts from, and how fast a
 * table of typed arrays counts connections when nothing else is done; then two steps up to `conns`
 * (decoded frames tracked by the session with its RFC 9293 machines only, then with the default
 * analysers too, nothing written), which split the time of `conns --json` into its parts, and two
 * more up to `report` (HTTP, then its tables: hosts, conversations, ARP, NAT hints, listeners); and
 * `conns --json` on the same traffic generated at 1% of the rate, so that few connections are open at
 * once: what the size of the working set costs it.
 * `--only` takes conns, report, read, floor, tshark, tcpdump, startup.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type Capture, ensureCapture, OUT_DIR, ROOT } from './capture.js';
import { DEFAULT_RATE } from './gen.js';
import { median, pairedRatio } from './stats.js';

const BIN = join(ROOT, 'bin', 'wirelens.js');
const FLOOR = join(ROOT, 'dist', 'bench', 'floor.js');
const READ_FLOOR = 'floor: records read, nothing else';
const DECODE_FLOOR = 'floor: records read and decoded';
const TABLE_FLOOR = 'floor: records read, bare connection table';
const TRACKER_STEP = 'step: decoded, TCP tracker (RFC 9293 machines), no output';
const MODELS_STEP = 'step: the same with analysis flags and Zeek model, no output';
const HTTP_STEP = 'step: the models step with HTTP (streams reassembled, HTTP parsed), no output';
const TABLES_STEP = "step: the same with report's tables (hosts, conversations, ARP, NAT hints, listeners)";
const SPREAD_STEP = 'step: conns --json, the same traffic at 1% of the rate (few connections open)';
/** New connections per second of the spread-out capture (1% of the bench capture's DEFAULT_RATE). */
const SPREAD_RATE = 50;
const SMALL = join(ROOT, 'fixtures', 'lab', 'http-keepalive.pcap');
const STARTUP_RUNS = 10;

interface Args {
  connections: number;
  runs: number;
  big: boolean;
  only: string[] | undefined;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { connections: 100_000, runs: 3, big: false, only: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--connections' && v) {
      a.connections = Number(v);
      i++;
    } else if (k === '--runs' && v) {
      a.runs = Number(v);
      i++;
    } else if (k === '--only' && v) {
      a.only = v.split(',');
      i++;
    } else if (k === '--big') a.big = true;
    else if (k === '--json') a.json = true;
    else {
      process.stderr.write(`unknown argument ${k}\n`);
      process.exit(2);
    }
  }
  return a;
}

interface Run {
  seconds: number;
  peakRssKb: number;
  status: number;
}

/** Run a command, output to /dev/null, polling its peak RSS. */
function measure(cmd: string, args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    let peak = 0;
    const poll = () => {
      try {
        const s = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const m = /VmHWM:\s+(\d+) kB/.exec(s);
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // exited
      }
    };
    const timer = setInterval(poll, 5);
    child.on('error', fail);
    child.on('exit', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      done({ seconds, peakRssKb: peak, status: code ?? -1 });
    });
  });
}

function have(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

interface Row {
  name: string;
  tool: Job['tool'];
  seconds: number;
  pps: number;
  mbps: number;
  peakMb: number;
  runs: number[];
  /** Run on the 10× capture (`--big`): not comparable with the other rows' times. */
  big?: boolean;
}

/** One command to measure. */
interface Job {
  readonly name: string;
  /** `floor`: the floors and steps, figures that explain the commands' (no target applies to them). */
  readonly tool: 'wirelens' | 'floor' | 'tshark' | 'tcpdump';
  readonly cmd: string;
  readonly args: string[];
}

/**
 * Run every job `runs` times in rounds (each job once per round, in order), so that every command is
 * measured in the same stretches of time: on a machine whose speed drifts over minutes, running one
 * command's runs back to back and then the next one's skewed their ratios.
 */
async function benchRounds(
  jobs: readonly Job[],
  runs: number,
  packets: number,
  bytes: number,
): Promise<Row[]> {
  const times: number[][] = jobs.map(() => []);
  const rss: number[][] = jobs.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, job] of jobs.entries()) {
      const r = await measure(job.cmd, job.args);
      if (r.status !== 0) throw new Error(`${job.name} exited with ${r.status}`);
      (times[j] as number[]).push(r.seconds);
      (rss[j] as number[]).push(r.peakRssKb);
      process.stderr.write(
        `  ${job.name}: run ${i + 1}/${runs} ${r.seconds.toFixed(2)} s, ${(r.peakRssKb / 1024).toFixed(0)} MB\n`,
      );
    }
  }
  return jobs.map((job, j) => {
    const t = median(times[j] as number[]);
    return {
      name: job.name,
      tool: job.tool,
      seconds: t,
      pps: packets / t,
      mbps: bytes / 1e6 / t,
      peakMb: median(rss[j] as number[]) / 1024,
      runs: times[j] as number[],
    };
  });
}

/** Median wall time of `wirelens conns` on a small capture and of a bare `node -e 0`, run alternately. */
async function startup(node: string): Promise<{ wirelens: number; node: number; wirelensMb: number }> {
  const w: number[] = [];
  const n: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    const a = await measure(node, [BIN, 'conns', SMALL]);
    if (a.status !== 0) throw new Error(`wirelens conns ${SMALL} exited with ${a.status}`);
    w.push(a.seconds);
    rss.push(a.peakRssKb);
    n.push((await measure(node, ['-e', '0'])).seconds);
  }
  const r = { wirelens: median(w), node: median(n), wirelensMb: median(rss) / 1024 };
  process.stderr.write(
    `  startup: wirelens conns ${r.wirelens.toFixed(3)} s, node -e 0 ${r.node.toFixed(3)} s\n`,
  );
  return r;
}

/** One of the performance targets (issue 7) checked against a measured figure. */
interface Target {
  readonly what: string;
  readonly value: string;
  readonly want: string;
  readonly met: boolean;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** The targets the figures of this invocation can be checked against (those whose rows ran). */
function targets(
  rows: readonly (Row & { vsTsharkConv: number | undefined })[],
  big: readonly { command: string; small: number; large: number }[],
): Target[] {
  const out: Target[] = [];
  for (const name of ['conns --json', 'report --json']) {
    const r = rows.find((x) => x.name === `wirelens ${name}`);
    if (!r) continue;
    out.push({ what: `${name}: packets/s`, value: count(r.pps), want: '≥ 1,000,000', met: r.pps >= 1e6 });
    if (r.vsTsharkConv !== undefined)
      out.push({
        what: `${name}: × tshark conv,tcp`,
        value: `${r.vsTsharkConv.toFixed(2)}×`,
        want: '≥ 8×',
        met: r.vsTsharkConv >= 8,
      });
    out.push({
      what: `${name}: peak RSS`,
      value: `${r.peakMb.toFixed(0)} MB`,
      want: '< 250 MB',
      met: r.peakMb < 250,
    });
  }
  const read = rows.find((x) => x.name === 'wirelens read --json');
  if (read)
    out.push({
      what: 'read --json: packets/s',
      value: count(read.pps),
      want: '≥ 400,000',
      met: read.pps >= 4e5,
    });
  for (const b of big)
    out.push({
      what: `${b.command}: peak RSS on the 10× capture`,
      value: `${(b.large / b.small).toFixed(2)}× the 1× capture's`,
      want: '≤ 1.20×',
      met: b.large <= 1.2 * b.small,
    });
  return out;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const cap = await ensureCapture(a.connections);
  const want = (n: string) => a.only === undefined || a.only.includes(n);
  const node = process.execPath;
  const jobs: Job[] = [];
  const W = (name: string, args: string[]): Job => ({
    name: `wirelens ${name}`,
    tool: 'wirelens',
    cmd: node,
    args: [BIN, ...args, cap.path],
  });
  if (want('conns')) jobs.push(W('conns --json', ['conns', '--json']));
  if (want('report')) jobs.push(W('report --json', ['report', '--json']));
  if (want('read')) jobs.push(W('read --json', ['read', '--json']));
  if (want('floor')) {
    jobs.push({ name: READ_FLOOR, tool: 'floor', cmd: node, args: [FLOOR, 'read', cap.path] });
    jobs.push({ name: DECODE_FLOOR, tool: 'floor', cmd: node, args: [FLOOR, 'decode', cap.path] });
    jobs.push({ name: TABLE_FLOOR, tool: 'floor', cmd: node, args: [FLOOR, 'table', cap.path] });
    jobs.push({ name: TRACKER_STEP, tool: 'floor', cmd: node, args: [FLOOR, 'tracker', cap.path] });
    jobs.push({ name: MODELS_STEP, tool: 'floor', cmd: node, args: [FLOOR, 'models', cap.path] });
  }
  if (want('floor') && want('report')) {
    jobs.push({ name: HTTP_STEP, tool: 'floor', cmd: node, args: [FLOOR, 'http', cap.path] });
    jobs.push({ name: TABLES_STEP, tool: 'floor', cmd: node, args: [FLOOR, 'tables', cap.path] });
  }
  // The same packets and connections spread over 100 times the capture time: the table holds a few
  // hundred connections instead of tens of thousands. What `conns` saves there is what the size of
  // its working set costs it (cache misses, long-lived state for the garbage collector to move).
  let spread: Capture | undefined;
  if (want('floor') && want('conns')) {
    spread = await ensureCapture(a.connections, SPREAD_RATE);
    if (spread.packets !== cap.packets || spread.bytes !== cap.bytes)
      throw new Error(`${spread.path} differs in size from ${cap.path}: regenerate both`);
    jobs.push({ name: SPREAD_STEP, tool: 'floor', cmd: node, args: [BIN, 'conns', '--json', spread.path] });
  }
  if (want('tshark') && have('tshark')) {
    jobs.push({
      name: 'tshark -q -z conv,tcp',
      tool: 'tshark',
      cmd: 'tshark',
      args: ['-q', '-z', 'conv,tcp', '-r', cap.path],
    });
    jobs.push({
      name: 'tshark -r (one line per packet)',
      tool: 'tshark',
      cmd: 'tshark',
      args: ['-n', '-r', cap.path],
    });
  }
  if (want('tcpdump') && have('tcpdump'))
    jobs.push({ name: 'tcpdump -nn -r', tool: 'tcpdump', cmd: 'tcpdump', args: ['-nn', '-r', cap.path] });
  const rows = await benchRounds(jobs, a.runs, cap.packets, cap.bytes);
  /** Peak memory of each analysis command on the 10× capture against this one. */
  const big: { command: string; small: number; large: number; packets: number }[] = [];
  if (a.big) {
    const bigCap = await ensureCapture(a.connections * 10);
    for (const command of ['conns', 'report']) {
      const small = rows.find((x) => x.name === `wirelens ${command} --json`);
      if (!small) continue;
      const [r] = await benchRounds(
        [
          {
            name: `wirelens ${command} --json (10x)`,
            tool: 'wirelens',
            cmd: node,
            args: [BIN, command, '--json', bigCap.path],
          },
        ],
        1,
        bigCap.packets,
        bigCap.bytes,
      );
      if (r === undefined) continue;
      rows.push({ ...r, big: true });
      big.push({
        command: `${command} --json`,
        small: small.peakMb,
        large: r.peakMb,
        packets: bigCap.packets,
      });
    }
  }
  const start = want('startup') ? await startup(node) : undefined;
  const conv = rows.find((r) => r.name === 'tshark -q -z conv,tcp');
  const measured = rows.map((r) => ({
    ...r,
    vsTsharkConv: conv && !r.big ? pairedRatio(conv.runs, r.runs) : undefined,
  }));
  const goals = targets(measured, big);
  const result = {
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    capture: { path: cap.path, packets: cap.packets, bytes: cap.bytes, connections: a.connections },
    rows: measured,
    memoryFlat: big.length > 0 ? big : undefined,
    startup: start,
    targets: goals,
  };
  writeFileSync(join(OUT_DIR, 'results.json'), JSON.stringify(result, null, 2));
  if (a.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const lines = [
    `capture: ${cap.packets} packets, ${(cap.bytes / 1e6).toFixed(1)} MB, ${a.connections} TCP connections (seed 1); median of ${a.runs} rounds (each command once per round; ratios: median of the rounds' ratios)`,
    `machine: ${result.machine.cpus} × ${result.machine.model}, ${result.machine.memoryGb} GB, Node ${process.version}`,
  ];
  if (result.rows.length > 0)
    lines.push(
      '',
      '| command | seconds | packets/s | MB/s | peak RSS | × tshark conv,tcp |',
      '|---|---:|---:|---:|---:|---:|',
    );
  for (const r of result.rows) {
    lines.push(
      `| ${r.name} | ${r.seconds.toFixed(2)} | ${count(r.pps)} | ${r.mbps.toFixed(1)} | ${r.peakMb.toFixed(0)} MB | ${r.vsTsharkConv !== undefined ? r.vsTsharkConv.toFixed(2) : '-'} |`,
    );
  }
  const rowNamed = (name: string) => result.rows.find((r) => r.name === name);
  const decodeFloor = rowNamed(DECODE_FLOOR);
  const tableFloor = rowNamed(TABLE_FLOOR);
  if (decodeFloor && tableFloor) {
    lines.push('');
    for (const r of result.rows)
      if (r.tool === 'wirelens' && !r.big)
        lines.push(
          `${r.name}: ${pairedRatio(decodeFloor.runs, r.runs).toFixed(2)}× the speed of reading and decoding alone, ${pairedRatio(tableFloor.runs, r.runs).toFixed(2)}× that of a bare connection table`,
        );
  }
  const trackerStep = rowNamed(TRACKER_STEP);
  const modelsStep = rowNamed(MODELS_STEP);
  const conns = rowNamed('wirelens conns --json');
  // Differences of medians: each run's start-up cancels out.
  const part = (from: number, to: number) => `${(to - from).toFixed(2)} s`;
  if (decodeFloor && trackerStep && modelsStep && conns) {
    lines.push(
      `wirelens conns --json, ${conns.seconds.toFixed(2)} s: reading and decoding ${decodeFloor.seconds.toFixed(2)} s, then tracking (RFC 9293 machines) ${part(decodeFloor.seconds, trackerStep.seconds)}, analysis flags and Zeek model ${part(trackerStep.seconds, modelsStep.seconds)}, the command itself (its records, filter and counts) ${part(modelsStep.seconds, conns.seconds)}`,
    );
  }
  const httpStep = rowNamed(HTTP_STEP);
  const tablesStep = rowNamed(TABLES_STEP);
  const report = rowNamed('wirelens report --json');
  if (modelsStep && httpStep && tablesStep && report)
    lines.push(
      `wirelens report --json, ${report.seconds.toFixed(2)} s: up to the models as conns ${modelsStep.seconds.toFixed(2)} s, then HTTP (reassembly and parsing) ${part(modelsStep.seconds, httpStep.seconds)}, hosts, conversations, ARP, NAT hints and listeners ${part(httpStep.seconds, tablesStep.seconds)}, the command itself (its counts, the report built and written) ${part(tablesStep.seconds, report.seconds)}`,
    );
  const spreadStep = rowNamed(SPREAD_STEP);
  if (spread && spreadStep && conns)
    lines.push(
      `wirelens conns --json on the same traffic at ${SPREAD_RATE} connections/s instead of ${count(DEFAULT_RATE)} (at most ${count(spread.open)} open at once instead of ${count(cap.open)}): ${spreadStep.seconds.toFixed(2)} s, ${pairedRatio(spreadStep.runs, conns.runs).toFixed(2)}× the time; the rest is work per packet and per connection`,
    );
  if (big.length > 0) lines.push('');
  for (const b of big) {
    lines.push(
      `memory, ${b.command}: ${b.small.toFixed(0)} MB on ${cap.packets} packets, ${b.large.toFixed(0)} MB on ${b.packets} packets (${((100 * b.large) / b.small - 100).toFixed(0)}% more)`,
    );
  }
  if (goals.length > 0) {
    const note =
      a.connections === 100_000 ? '' : ' (they are set for the default 100,000-connection capture)';
    lines.push('', `targets (issue 7): ${goals.filter((g) => g.met).length} of ${goals.length} met${note}`);
    for (const g of goals)
      lines.push(`  ${g.met ? 'met   ' : 'missed'}  ${g.what}: ${g.value} (want ${g.want})`);
  }
  if (start)
    lines.push(
      '',
      `startup: wirelens conns on a 37-packet capture ${start.wirelens.toFixed(3)} s, ${start.wirelensMb.toFixed(0)} MB; node -e 0 ${start.node.toFixed(3)} s (${(start.wirelens / start.node).toFixed(2)}×; median of ${STARTUP_RUNS})`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
