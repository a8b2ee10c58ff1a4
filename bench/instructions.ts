/**
 * `npm run bench:instructions`: count the machine instructions wirelens' commands execute on a
 * smaller synthetic capture, under valgrind's callgrind, with V8 set up to run the same way each
 * time; with `--base DIR` (another checkout, built), the same commands of that tree too, and the
 * ratios.
 *
 *   node dist/bench/instructions.js [--connections 30000] [--only conns,report] [--base ../old]
 *
 * Why: wall and CPU time on this shared 2-core machine vary by more than the few per cent one change
 * to the hot path is worth, so side-by-side runs do not resolve it (bench/README.md). An instruction
 * count does: with V8's heuristics that depend on time or on other threads turned off
 * (`--predictable`: no concurrent compilation or marking; fixed hash and random seeds; a young
 * generation of fixed size; no incremental marking or memory reducer; address-space layout
 * randomisation off), the same build on the same capture executes the same number of instructions
 * to within 0.01% (`conns`, `read`; `report` to within 0.6%, bench/README.md), on a machine doing
 * nothing else. It is not time: it misses cache misses (what the size of the working set costs)
 * and a garbage collector set up unlike the real one, so the bench's times stay the measure of
 * record; a count says whether a change does less work.
 *
 * Each command runs once per tree (about 2 minutes for `report` on the default capture), the two trees
 * side by side on two cores: counting is not disturbed by what else runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureCapture, ROOT } from './capture.js';

/** A 37-packet capture: what the same command costs to start, subtracted from each count. */
const SMALL = join(ROOT, 'fixtures', 'lab', 'http-keepalive.pcap');

/** V8 settings that make a run repeatable (see the module comment). */
export const DETERMINISTIC_V8 = [
  '--predictable',
  '--hash-seed=1',
  '--random-seed=1',
  '--min-semi-space-size=16',
  '--max-semi-space-size=16',
  '--no-memory-reducer',
  '--no-incremental-marking',
];

const COMMANDS: Record<string, string[]> = {
  read: ['read', '--json'],
  conns: ['conns', '--json'],
  report: ['report', '--json'],
  http: ['http', '--json'],
};

/** The options (see the module comment). */
function parseOptions(argv: string[]): { connections: number; only: string[]; base: string | undefined } {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string', default: '30000' },
      only: { type: 'string', default: 'conns,report' },
      base: { type: 'string' },
    },
  });
  const only = values.only.split(',');
  for (const c of only) if (!COMMANDS[c]) throw new Error(`--only takes ${Object.keys(COMMANDS).join(', ')}`);
  return {
    connections: Number(values.connections),
    only,
    base: values.base === undefined ? undefined : resolve(values.base),
  };
}

/** Instructions executed by `node <root>/bin/wirelens.js <args>` (output discarded). */
function count(root: string, args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(
      'setarch',
      [
        '-R',
        'valgrind',
        '--tool=callgrind',
        '--callgrind-out-file=/dev/null',
        process.execPath,
        ...DETERMINISTIC_V8,
        join(root, 'bin', 'wirelens.js'),
        ...args,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString('latin1');
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const m = /Collected : (\d+)/.exec(err);
      if (code !== 0 || !m)
        fail(new Error(`${args.join(' ')} in ${root}: exit ${code}\n${err.slice(-2000)}`));
      else done(Number(m[1]));
    });
  });
}

async function main(): Promise<void> {
  const a = parseOptions(process.argv.slice(2));
  for (const tool of ['valgrind', 'setarch'])
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0)
      throw new Error(`${tool} is needed (apt-get install valgrind util-linux)`);
  const cap = await ensureCapture(a.connections);
  const g = (n: number) => (n / 1e9).toFixed(3);
  console.log(
    `${cap.path}: ${cap.packets.toLocaleString('en-US')} packets; instructions in billions, ` +
      'less what the command takes on a 37-packet capture (start-up)',
  );
  /** A command's count on the capture less its count on the small one, in one tree. */
  const net = async (root: string, cmd: string[]) => {
    const [big, small] = [await count(root, [...cmd, cap.path]), await count(root, [...cmd, SMALL])];
    return { big, small, net: big - small };
  };
  for (const name of a.only) {
    const cmd = COMMANDS[name] as string[];
    const [here, base] = await Promise.all([
      net(ROOT, cmd),
      a.base === undefined ? Promise.resolve(undefined) : net(a.base, cmd),
    ]);
    const perPacket = (here.net / cap.packets).toFixed(0);
    const line = `${name.padEnd(7)} ${g(here.net)} (start-up ${g(here.small)}; ${perPacket} a packet)`;
    if (base === undefined) console.log(line);
    else console.log(`${line}  base ${g(base.net)}  ratio ${(here.net / base.net).toFixed(4)}`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
