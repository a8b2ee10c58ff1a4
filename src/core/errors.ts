/**
 * Errors meant for the user (bad arguments, unreadable files, damaged input). The CLI prints
 * their message without a stack trace and exits with their code. Anything else is a bug.
 */
export const ExitCode = {
  ok: 0,
  /** Unexpected internal error (a bug): printed with a stack trace. */
  internal: 1,
  /** Bad command-line usage: unknown option, invalid filter expression, bad argument. */
  usage: 2,
  /** Input file missing or unreadable, or not a capture format we know. */
  input: 3,
  /** Input was read but damaged (truncated file, corrupt record header); packets before the damage were analysed. */
  damaged: 4,
  /** Live capture unavailable: libpcap or the `cap` binding missing. */
  noCapture: 5,
  /** Live capture not permitted (needs root or CAP_NET_RAW). */
  permission: 6,
  /** Unknown network interface. */
  noInterface: 7,
  /** Output could not be written. */
  output: 8,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** Exhaustiveness check for discriminated unions. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
