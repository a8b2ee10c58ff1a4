/**
 * Tokenizer for libpcap filter expressions, reproducing the shape of libpcap's scanner: at each
 * position the longest token wins, and between equally long candidates a MAC address beats a
 * number, which beats a dotted IPv4 form, an IPv6 address and finally a name. That is why
 * `len-20` is one (unknown) name in libpcap and here, while `len - 20` is arithmetic, and why
 * `aabbccddeeff` is a MAC address.
 *
 * Malformed tokens (bad numbers, stray characters) become `bad` tokens: the parser reports them
 * when it reaches them, so errors come out left to right.
 */
import { parseIp6 } from '../core/addr.js';
import { KEYWORDS, NAMED_CONSTANTS } from './names.js';

export type TokenKind =
  /** Number: decimal, 0x hex, 0-prefixed octal, or a named constant (`tcp-syn`). */
  | 'num'
  /** Dotted IPv4 form with 2 to 4 parts (`10.1`, `192.168.0.1`). */
  | 'hid'
  /** IPv6 address. */
  | 'hid6'
  /** MAC address in one of the forms libpcap accepts. */
  | 'eid'
  /** Name (host, port, protocol...), possibly backslash-escaped (`\tcp`). */
  | 'id'
  /** Reserved word; `&&`, `||` and `!` arrive as `and`, `or`, `not`. */
  | 'kw'
  /** Punctuation and arithmetic/comparison operators. */
  | 'op'
  | 'bad'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Keyword or operator (canonical), name, or the source text for numbers and addresses. */
  readonly text: string;
  /** Character offsets [pos, end) in the expression. */
  readonly pos: number;
  readonly end: number;
  /** `num`: its value. */
  readonly value?: number;
  /** `bad`: what is wrong with it. */
  readonly problem?: string;
}

const TWO_CHAR_OPS = new Set(['>=', '<=', '!=', '==', '<<', '>>', '&&', '||']);
const ONE_CHAR_OPS = new Set([
  '+',
  '-',
  '*',
  '/',
  '%',
  ':',
  '[',
  ']',
  '!',
  '<',
  '>',
  '(',
  ')',
  '&',
  '|',
  '^',
  '=',
]);
const ESCAPE_STOP = new Set([' ', '!', '(', ')', '\n', '\t']);

const RE_ID = /[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?/y;
const RE_NUM = /0[xX][0-9a-fA-F]+|[0-9]+/y;
const RE_HID = /(?:0[xX][0-9a-fA-F]+|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]+|[0-9]+)){1,3}/y;
const RE_V6RUN = /[0-9A-Fa-f:.]+/y;
const RE_EIDS = [
  /[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}/y,
  /[0-9A-Fa-f]{1,2}(?:-[0-9A-Fa-f]{1,2}){5}/y,
  /[0-9A-Fa-f]{1,2}(?:\.[0-9A-Fa-f]{1,2}){5}/y,
  /[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}/y,
  /[0-9A-Fa-f]{12}/y,
];

function matchAt(re: RegExp, s: string, i: number): number {
  re.lastIndex = i;
  const m = re.exec(s);
  return m ? m[0].length : 0;
}

/** Value of a libpcap number: 0x hex, leading-0 octal, else decimal; must fit in 32 bits. */
export function parseNumber(text: string): number | string {
  let v: number;
  if (/^0[xX]/.test(text)) v = Number.parseInt(text.slice(2), 16);
  else if (text.length > 1 && text.startsWith('0')) {
    if (/[89]/.test(text))
      return `invalid number ${text}: a leading 0 makes it octal, and octal has no 8 or 9`;
    v = Number.parseInt(text, 8);
  } else v = Number.parseInt(text, 10);
  if (!(v <= 0xffffffff)) return `number ${text} does not fit in 32 bits`;
  return v;
}

/** Longest valid IPv6 address starting at i (0 if none). */
function matchIp6(s: string, i: number): number {
  let len = matchAt(RE_V6RUN, s, i);
  for (; len >= 2; len--) {
    const t = s.slice(i, i + len);
    if (t.includes(':') && parseIp6(t) !== undefined) return len;
  }
  return 0;
}

function lexOne(s: string, i: number): Token {
  const c = s[i] as string;
  if (c === '\\') {
    let j = i + 1;
    while (j < s.length && !ESCAPE_STOP.has(s[j] as string)) j++;
    if (j === i + 1)
      return { kind: 'bad', text: c, pos: i, end: j, problem: 'a backslash must be followed by a name' };
    return { kind: 'id', text: s.slice(i + 1, j), pos: i, end: j };
  }
  if (c === ':' && s[i + 1] === ':') {
    const len = matchIp6(s, i);
    if (len > 0) return { kind: 'hid6', text: s.slice(i, i + len), pos: i, end: i + len };
  }
  const two = s.slice(i, i + 2);
  if (TWO_CHAR_OPS.has(two)) {
    const text = two === '&&' ? 'and' : two === '||' ? 'or' : two;
    return { kind: two === '&&' || two === '||' ? 'kw' : 'op', text, pos: i, end: i + 2 };
  }
  if (ONE_CHAR_OPS.has(c)) {
    if (c === '!') return { kind: 'kw', text: 'not', pos: i, end: i + 1 };
    return { kind: 'op', text: c, pos: i, end: i + 1 };
  }
  if (/[A-Za-z0-9:]/.test(c)) {
    // Candidates in priority order for equal lengths.
    let eid = 0;
    for (const re of RE_EIDS) eid = Math.max(eid, matchAt(re, s, i));
    const cands: [TokenKind, number][] = [
      ['eid', eid],
      ['num', matchAt(RE_NUM, s, i)],
      ['hid', matchAt(RE_HID, s, i)],
      ['hid6', matchIp6(s, i)],
      ['id', matchAt(RE_ID, s, i)],
    ];
    let best: [TokenKind, number] = ['bad', 0];
    for (const cand of cands) if (cand[1] > best[1]) best = cand;
    const [kind, len] = best;
    if (len > 0) {
      const text = s.slice(i, i + len);
      const end = i + len;
      if (kind === 'num') {
        const v = parseNumber(text);
        if (typeof v === 'string') return { kind: 'bad', text, pos: i, end, problem: v };
        return { kind, text, pos: i, end, value: v };
      }
      if (kind === 'id') {
        if (KEYWORDS.has(text)) {
          const canon = text === 'es-is' ? 'esis' : text === 'is-is' ? 'isis' : text;
          return { kind: 'kw', text: canon, pos: i, end };
        }
        const named = NAMED_CONSTANTS.get(text);
        if (named !== undefined) return { kind: 'num', text, pos: i, end, value: named };
      }
      return { kind, text, pos: i, end };
    }
  }
  return { kind: 'bad', text: c, pos: i, end: i + 1, problem: `unexpected character '${c}'` };
}

/** Split an expression into tokens; the last one is always `eof`. */
export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
    if (i >= s.length) {
      out.push({ kind: 'eof', text: '', pos: s.length, end: s.length });
      return out;
    }
    const t = lexOne(s, i);
    out.push(t);
    i = t.end;
  }
}
