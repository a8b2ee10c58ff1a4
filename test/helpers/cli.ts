/** Run the real CLI (bin/wirelens.js) without colours. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './corpus.js';

const BIN = join(ROOT, 'bin', 'wirelens.js');

export function runCli(args: readonly string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // The default (1 MiB) is less than some commands print (read --json on a few thousand packets).
    maxBuffer: 1 << 30,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' },
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}
