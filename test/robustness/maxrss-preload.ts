/**
 * Preloaded into a CLI child (`node --import`) by test/robustness/cli.ts: at exit, writes the
 * process's peak resident set size (KiB) to the file named by WIRELENS_TEST_MAXRSS. Does nothing
 * otherwise (node --test also runs this file: it has no tests).
 */
import { writeFileSync } from 'node:fs';

const out = process.env.WIRELENS_TEST_MAXRSS;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
