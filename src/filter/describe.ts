/**
 * A normalised text form of a filter AST: every qualifier explicit, inherited qualifiers
 * repeated, names resolved to numbers, nested operations parenthesised, `and`/`or`/`not`
 * spelled out. The result is itself a valid libpcap expression with the same meaning (primitives
 * stay in their original order, so VLAN depths are preserved): `describe(parse(describe(x)))`
 * equals `describe(parse(x))`.
 *
 *   host 10.0.0.1 or 10.0.0.2 && !tcp port http   →   (host 10.0.0.1 or host 10.0.0.2) and not tcp port 80
 */
import { ip4ToString, ip6ToString, macToString } from '../core/addr.js';
import { assertNever } from '../core/errors.js';
import type { Arith, Dir, Expr } from './ast.js';

function dirWord(d: Dir): string {
  return d === 'src or dst' ? '' : `${d} `;
}

/** Prefix length of a contiguous IPv4 mask, or -1. */
function prefixLen(mask: number): number {
  for (let n = 0; n <= 32; n++) if ((n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0) === mask) return n;
  return -1;
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(4, '0')}`;
}

export function describeArith(a: Arith, nested = false): string {
  switch (a.kind) {
    case 'num':
      return String(a.value);
    case 'len':
      return 'len';
    case 'load': {
      const proto = a.proto === 'link' ? 'ether' : a.proto;
      const idx = describeArith(a.index);
      return a.size === 1 ? `${proto}[${idx}]` : `${proto}[${idx}:${a.size}]`;
    }
    case 'neg': {
      const inner = describeArith(a.expr, true);
      return `-${inner}`;
    }
    case 'binary': {
      const s = `${describeArith(a.left, true)} ${a.op} ${describeArith(a.right, true)}`;
      return nested ? `(${s})` : s;
    }
    default:
      return assertNever(a, 'arithmetic node');
  }
}

function describeNode(e: Expr, parent: 'and' | 'or' | 'not' | 'top'): string {
  switch (e.kind) {
    case 'true':
      return '';
    case 'and':
    case 'or': {
      const s = `${describeNode(e.left, e.kind)} ${e.kind} ${describeNode(e.right, e.kind)}`;
      // Same-operator chains need no parentheses (both are associative and evaluated left to right).
      return parent === 'top' || parent === e.kind ? s : `(${s})`;
    }
    case 'not':
      return `not ${describeNode(e.expr, 'not')}`;
    case 'host4': {
      const proto = e.proto === 'any' ? '' : `${e.proto} `;
      if (!e.net && e.mask === 0xffffffff) return `${proto}${dirWord(e.dir)}host ${ip4ToString(e.addr)}`;
      const n = prefixLen(e.mask);
      const net =
        n >= 0 ? `${ip4ToString(e.addr)}/${n}` : `${ip4ToString(e.addr)} mask ${ip4ToString(e.mask)}`;
      return `${proto}${dirWord(e.dir)}net ${net}`;
    }
    case 'host6':
      return e.prefix === 128
        ? `${dirWord(e.dir)}host ${ip6ToString(e.addr)}`
        : `${dirWord(e.dir)}net ${ip6ToString(e.addr)}/${e.prefix}`;
    case 'ether-host':
      return e.dir === 'src' || e.dir === 'dst' || e.dir === 'src and dst'
        ? `ether ${e.dir} ${macToString(e.mac)}`
        : `ether host ${macToString(e.mac)}`;
    case 'port': {
      const proto = e.proto === 'any' ? '' : `${e.proto} `;
      return e.range
        ? `${proto}${dirWord(e.dir)}portrange ${e.lo}-${e.hi}`
        : `${proto}${dirWord(e.dir)}port ${e.lo}`;
    }
    case 'link-proto':
      return e.abbrev ?? `ether proto ${e.value > 1500 ? hex(e.value) : e.value}`;
    case 'ip-proto':
      return e.abbrev ?? `${e.family === 'any' ? '' : e.family === 4 ? 'ip ' : 'ip6 '}proto ${e.value}`;
    case 'broadcast':
      return e.level === 'link' ? 'ether broadcast' : 'ip broadcast';
    case 'multicast':
      return e.level === 'link' ? 'ether multicast' : `${e.level} multicast`;
    case 'vlan':
      return e.id === undefined ? 'vlan' : `vlan ${e.id}`;
    case 'length':
      return `${e.op} ${e.value}`;
    case 'relation':
      return `${describeArith(e.left)} ${e.op} ${describeArith(e.right)}`;
    default:
      return assertNever(e, 'filter node');
  }
}

/** Normalised text of a filter AST ('' for the empty filter). */
export function describeExpr(e: Expr): string {
  return describeNode(e, 'top');
}
