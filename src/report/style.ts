/**
 * Colours, by meaning. Renderers ask for `style.addr(...)`, never for a colour, so one place decides
 * what an address or a warning looks like, and `--no-color`, NO_COLOR and non-TTY output turn it off.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface Style {
  readonly enabled: boolean;
  readonly chalk: ChalkInstance;
  dim(s: string): string;
  bold(s: string): string;
  addr(s: string): string;
  proto(s: string): string;
  flags(s: string): string;
  num(s: string): string;
  warn(s: string): string;
  error(s: string): string;
  good(s: string): string;
  note(s: string): string;
  heading(s: string): string;
  /** Phase colours for TCP stories. */
  phase(kind: 'handshake' | 'data' | 'close' | 'reset' | 'other', s: string): string;
  tag(s: string): string;
}

export function makeStyle(enabled: boolean): Style {
  const c = new Chalk({ level: enabled ? 1 : 0 });
  const id = (s: string) => s;
  if (!enabled) {
    return {
      enabled,
      chalk: c,
      dim: id,
      bold: id,
      addr: id,
      proto: id,
      flags: id,
      num: id,
      warn: id,
      error: id,
      good: id,
      note: id,
      heading: id,
      phase: (_k, s) => s,
      tag: id,
    };
  }
  return {
    enabled,
    chalk: c,
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
    addr: (s) => c.cyan(s),
    proto: (s) => c.bold(s),
    flags: (s) => c.yellow(s),
    num: (s) => s,
    warn: (s) => c.yellow(s),
    error: (s) => c.red(s),
    good: (s) => c.green(s),
    note: (s) => c.dim(s),
    heading: (s) => c.bold.underline(s),
    phase: (k, s) =>
      k === 'handshake'
        ? c.green(s)
        : k === 'data'
          ? c.blue(s)
          : k === 'close'
            ? c.magenta(s)
            : k === 'reset'
              ? c.red(s)
              : s,
    tag: (s) => c.dim(s),
  };
}

/** Colour is on only for a TTY, unless NO_COLOR is set or --no-color was given; FORCE_COLOR forces it. */
export function colorWanted(stream: { isTTY?: boolean }, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const env = process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
