/** Messages for the user on stderr: warnings about the input, notes, and errors. */
import type { CaptureProblem } from '../capture/types.js';
import { escapeText } from '../core/escape.js';
import type { Style } from '../report/style.js';

export interface Diagnostics {
  warn(msg: string): void;
  info(msg: string): void;
  error(msg: string): void;
}

export function stderrDiagnostics(style: Style, quiet = false): Diagnostics {
  const w = (s: string) => process.stderr.write(`${s}\n`);
  return {
    warn: (m) => w(style.warn(`wirelens: warning: ${m}`)),
    info: (m) => {
      if (!quiet) w(style.dim(`wirelens: ${m}`));
    },
    error: (m) => w(style.error(`wirelens: error: ${m}`)),
  };
}

/** `FILE: packet 57 at byte 12345: message` (file names are escaped: they can come from anywhere). */
export function problemText(file: string, p: CaptureProblem): string {
  const name = file === '-' ? '<stdin>' : escapeText(file);
  return `${name}: packet ${p.packet} at byte ${p.offset}: ${escapeText(p.message)}${p.fatal ? ' (reading stopped here)' : ''}`;
}
