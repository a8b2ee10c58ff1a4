/**
 * Run the real CLI (bin/wirelens.js) as a child process, asynchronously (so tests can run several
 * at once), without colours, with a time limit, and measure its peak RSS: a preloaded module writes
 * `process.resourceUsage().maxRSS` at exit, and /proc/<pid>/status VmHWM is sampled while it runs
 * (whichever is larger; the sample covers a child killed by the time limit).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/corpus.js';

const BIN = join(ROOT, 'bin', 'wirelens.js');
const PRELOAD = pathToFileURL(join(ROOT, 'dist', 'test', 'robustness', 'maxrss-preload.js')).href;

export interface CliRun {
  readonly args: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code; -1 when killed (timedOut says whether by the time limit). */
  readonly status: number;
  readonly timedOut: boolean;
  /** Peak resident set size in MiB. */
  readonly peakRssMiB: number;
  readonly seconds: number;
}

function vmHwmKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function runCliAsync(
  args: readonly string[],
  opts: {
    timeoutSeconds?: number;
    keepStdout?: boolean;
    /** Keep only the stdout lines this accepts (for outputs too large to hold, such as 1M JSON lines). */
    keepLines?: (line: string) => boolean;
  } = {},
): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-cli-'));
  const rssFile = join(dir, 'maxrss');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', WIRELENS_TEST_MAXRSS: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let partial = '';
    const text = new StringDecoder('utf8');
    const keepLines = opts.keepLines;
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (keepLines) {
        const lines = (partial + text.write(b)).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) if (keepLines(l)) out.push(Buffer.from(`${l}\n`));
      } else if (opts.keepStdout !== false || outBytes < 1 << 20) out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let hwm = 0;
    const sampler = setInterval(() => {
      if (child.pid !== undefined) hwm = Math.max(hwm, vmHwmKiB(child.pid));
    }, 50);
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill('SIGKILL');
      },
      (opts.timeoutSeconds ?? 60) * 1000,
    );
    child.on('error', (e) => {
      clearInterval(sampler);
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      let maxRss = 0;
      try {
        maxRss = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        // killed before exit: the sampled high-water mark is all there is
      }
      rmSync(dir, { recursive: true, force: true });
      if (keepLines && partial !== '' && keepLines(partial)) out.push(Buffer.from(partial));
      resolve({
        args,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        status: code ?? -1,
        timedOut,
        peakRssMiB: Math.max(maxRss, hwm) / 1024,
        seconds: (performance.now() - started) / 1000,
      });
    });
  });
}

/** Run `fn` on every item, at most `n` at a time (default: one per CPU). */
export async function inParallel<T, R>(
  items: readonly T[],
  fn: (x: T) => Promise<R>,
  n = availableParallelism(),
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

/** Characters that must never reach a terminal (as test/cli/hostile.test.ts): C0 but \n, DEL, C1, bidi and invisible format characters. */
export const DANGEROUS =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/u;

/** The same, but a tab is allowed (the Zeek TSV format separates fields with tabs). */
export const DANGEROUS_BUT_TAB =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/u;

/** A stack trace line, or the CLI's internal-error banner. */
export const STACK = /internal error|^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
