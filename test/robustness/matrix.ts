/**
 * The command matrix: every analysis command of the real CLI on one capture, and what a clean run
 * means for hostile input. Exit 0 (fine), 3 (not a capture) or 4 (damaged: reading stopped) — never
 * 1 (internal error); `explain` and `follow 1` may also say there is no such connection (2, a usage
 * error). No stack trace on stderr, no raw control character on stdout or stderr, and JSON output
 * that parses.
 */
import assert from 'node:assert/strict';
import { type CliRun, DANGEROUS, DANGEROUS_BUT_TAB, inParallel, runCliAsync, STACK } from './cli.js';

export interface Command {
  readonly name: string;
  readonly args: (file: string) => string[];
  readonly json?: 'lines' | 'document';
  /** Tabs are part of the format (Zeek TSV). */
  readonly tabs?: boolean;
  /** May answer "no TCP connection" with the usage exit code. */
  readonly mayFindNothing?: boolean;
}

export const COMMANDS: readonly Command[] = [
  { name: 'read', args: (f) => ['read', f] },
  { name: 'read -v', args: (f) => ['read', f, '-v'] },
  { name: 'read -x', args: (f) => ['read', f, '-x'] },
  { name: 'read --json', args: (f) => ['read', f, '--json'], json: 'lines' },
  { name: 'conns', args: (f) => ['conns', f] },
  { name: 'conns --json', args: (f) => ['conns', f, '--json'], json: 'lines' },
  { name: 'conns --zeek', args: (f) => ['conns', f, '--zeek'], tabs: true },
  { name: 'explain', args: (f) => ['explain', f], mayFindNothing: true },
  { name: 'listeners', args: (f) => ['listeners', f] },
  { name: 'http', args: (f) => ['http', f] },
  { name: 'follow 1', args: (f) => ['follow', f, '1'], mayFindNothing: true },
  { name: 'report', args: (f) => ['report', f] },
  { name: 'report --json', args: (f) => ['report', f, '--json'], json: 'document' },
  { name: 'arp', args: (f) => ['arp', f] },
  { name: 'nat', args: (f) => ['nat', f] },
];

/** What is wrong with one run (empty when it ran clean). */
export function problemsOf(c: Command, r: CliRun): string[] {
  const out: string[] = [];
  if (r.timedOut) out.push(`did not finish within the time limit (${r.seconds.toFixed(0)} s)`);
  const nothing =
    c.mayFindNothing === true && r.status === 2 && /^wirelens: no TCP connection/m.test(r.stderr);
  if (!r.timedOut && ![0, 3, 4].includes(r.status) && !nothing)
    out.push(`exit code ${r.status}: ${r.stderr.slice(0, 600)}`);
  if (STACK.test(r.stderr)) out.push(`stack trace on stderr: ${r.stderr.slice(0, 600)}`);
  const bad = c.tabs ? DANGEROUS_BUT_TAB : DANGEROUS;
  const lines = r.stdout.split('\n');
  const i = lines.findIndex((l) => bad.test(l));
  if (i >= 0)
    out.push(`raw control character on stdout line ${i + 1}: ${JSON.stringify(lines[i]?.slice(0, 200))}`);
  if (DANGEROUS.test(r.stderr.replace(/\n/g, '')))
    out.push(`raw control character on stderr: ${JSON.stringify(r.stderr.slice(0, 200))}`);
  if (c.json && r.status === 0) {
    try {
      if (c.json === 'document') JSON.parse(r.stdout);
      else for (const l of lines) if (l !== '') JSON.parse(l);
    } catch (e) {
      out.push(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}

export interface MatrixResult {
  readonly runs: ReadonlyMap<string, CliRun>;
  readonly problems: readonly string[];
}

/** Every command on `file` (a few at a time); the problems of all runs, prefixed with the command. */
export async function runMatrix(file: string, timeoutSeconds = 60): Promise<MatrixResult> {
  const runs = await inParallel(COMMANDS, (c) => runCliAsync(c.args(file), { timeoutSeconds }));
  const problems: string[] = [];
  const byName = new Map<string, CliRun>();
  COMMANDS.forEach((c, k) => {
    const r = runs[k] as CliRun;
    byName.set(c.name, r);
    for (const p of problemsOf(c, r)) problems.push(`${c.name}: ${p}`);
  });
  return { runs: byName, problems };
}

/** One line on how a capture's problems are reported, from `report --json`. */
export function reportedAs(r: CliRun | undefined): string {
  if (!r) return 'no report';
  if (r.status === 3) return `refused (exit 3): ${r.stderr.trim().split('\n').pop() ?? ''}`;
  let m: {
    capture: {
      packets: number;
      decoded: number;
      truncated: number;
      malformed: number;
      unsupported: number;
      bytesSkipped: number;
      problems: { id: string; fatal: boolean }[];
    };
    anomalies: { id: string; count: number }[];
  };
  try {
    m = JSON.parse(r.stdout);
  } catch {
    return `unreadable report (exit ${r.status})`;
  }
  const c = m.capture;
  const problems = [...new Set(c.problems.map((p) => `${p.id}${p.fatal ? ' (fatal)' : ''}`))];
  const statuses = (['decoded', 'truncated', 'malformed', 'unsupported'] as const)
    .filter((s) => c[s] > 0)
    .map((s) => `${c[s]} ${s}`);
  return [
    `${c.packets} packets: ${statuses.join(', ') || 'none'}`,
    problems.length
      ? `file: ${problems.join(', ')}${c.bytesSkipped ? `, ${c.bytesSkipped} bytes skipped` : ''}`
      : '',
    m.anomalies.length
      ? `anomalies: ${m.anomalies
          .slice(0, 12)
          .map((a) => `${a.id} ${a.count}`)
          .join(', ')}`
      : '',
    r.status !== 0 ? `exit ${r.status}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

export function assertClean(m: MatrixResult): void {
  assert.deepEqual(m.problems, []);
}
