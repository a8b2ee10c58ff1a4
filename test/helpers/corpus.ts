/** Where the test captures are, and small helpers to run reference tools. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test/...). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const FIXTURES = join(ROOT, 'fixtures');

const CAPTURE_EXT = /\.(pcap|pcapng|cap|pcap\.gz|pcapng\.gz)$/;

/** Every capture file under a directory (recursive), sorted. */
export function capturesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (CAPTURE_EXT.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** All captures the differential tests run on: everything in fixtures/. */
export function allFixtureCaptures(): string[] {
  return capturesUnder(FIXTURES);
}

export function hasTool(name: string): boolean {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/** Run a reference tool; returns stdout (throws with stderr on failure unless allowed). */
export function runTool(
  cmd: string,
  args: string[],
  allowFail = false,
): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
  });
  if (!allowFail && r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}
