/**
 * The one error a filter expression can produce. Its message shows the expression, a caret line
 * under the offending token, and what was expected there:
 *
 * ```
 * tcp port htp
 *          ^^^
 * unknown port name 'htp' after 'port' (expected a port number or a name such as http, domain, ssh)
 * ```
 */
import { ExitCode, UserError } from '../core/errors.js';

/** Make the expression printable on one line without shifting columns: every control character becomes one space. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

export class FilterSyntaxError extends UserError {
  /** The whole expression as given. */
  readonly expression: string;
  /** 0-based character offset of the offending token (expression.length at end of input). */
  readonly position: number;
  /** Length of the offending token (at least 1 caret is drawn). */
  readonly length: number;
  /** What was wrong, without the expression and caret lines. */
  readonly reason: string;

  constructor(expression: string, position: number, length: number, reason: string) {
    const pos = Math.max(0, Math.min(position, expression.length));
    const len = Math.max(1, Math.min(length, expression.length - pos));
    super(`${oneLine(expression)}\n${' '.repeat(pos)}${'^'.repeat(len)}\n${reason}`, ExitCode.usage);
    this.name = 'FilterSyntaxError';
    this.expression = expression;
    this.position = pos;
    this.length = len;
    this.reason = reason;
  }
}
