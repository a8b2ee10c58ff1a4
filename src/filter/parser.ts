/**
 * Recursive-descent parser for libpcap filter expressions, producing the typed AST of ast.ts.
 *
 * The grammar, as libpcap 1.10 accepts it (verified against `tcpdump -d`, see test/filter/):
 *
 * ```
 * expr     := term ( ('and' | 'or') (term | id) )*        and/or: equal precedence, left to right
 * term     := 'not' term | rterm
 * rterm    := head id | '(' expr ')' | pname | arith relop arith | other
 * head     := [pname] ( dir [addrtype] | addrtype | 'proto' )
 * id       := value | 'not' id | '(' first (('and'|'or') id)* ')' | pnum
 * first    := value | pnum                                   (a bare value, never '(' value ')')
 * value    := name | NUM | a.b[.c[.d]] ['/' NUM | 'mask' a.b.c.d] | ipv6 ['/' NUM] | mac
 * pnum     := NUM | '(' pnum ')'
 * other    := [pname] ('broadcast' | 'multicast') | 'less' NUM | 'greater' NUM | 'vlan' [pnum]
 * arith    := NUM | 'len' | pname '[' arith [':' size] ']' | '(' arith ')' | '-' arith | arith binop arith
 * ```
 *
 * Qualifier inheritance (libpcap's "implicit qualifier" rule): a bare value after `and`/`or`
 * (or inside parentheses after a head) takes the qualifiers of the primitive just before it:
 * `host a or b` is `host a or host b`, `tcp port 80 or 443` is `tcp port 80 or tcp port 443`,
 * `not host a and b` is `(not host a) and host b`. A parenthesised expression passes on the
 * qualifiers in force *before* it, and primitives without qualifiers (`tcp`, `len > 5`, `vlan`)
 * pass on none, so `tcp or 80` is an error, exactly as in libpcap.
 *
 * Arithmetic precedence, lowest first: `|`, `&`, `<< >>`, `+ -`, `* /`, unary minus. libpcap's
 * grammar gives `%` and `^` no precedence at all, so yacc always shifts on them: each binds to the
 * operand just before it and takes everything to its right as its right operand
 * (`2 * 3 % 4` is `2 * (3 % 4)`, `1 ^ 1 | 1` is `1 ^ (1 | 1)`). This parser does the same.
 *
 * A `vlan` keyword increments the VLAN depth for every primitive written after it, whatever the
 * boolean structure (`vlan 100 or ip` looks for IPv4 inside the tag), as libpcap does.
 */
import { parseIp4, parseIp6 } from '../core/addr.js';
import type { Arith, ArithOp, Dir, Expr, LoadProto, Primitive, RelOp } from './ast.js';
import { FilterSyntaxError } from './errors.js';
import { type Token, tokenize } from './lexer.js';
import {
  ETHER_PROTO_NAMES,
  KEYWORDS,
  LLC_SAP_NAMES,
  PROTOCOL_NAMES,
  SERVICE_NAMES,
  UNSUPPORTED_LINK_PROTOS,
} from './names.js';

export interface ParseOptions {
  /**
   * Netmask used by `ip broadcast`. tcpdump reading a file passes 0 (so `ip broadcast` means a
   * destination of 255.255.255.255 or 0.0.0.0); a live capture passes the interface's mask;
   * 0xffffffff means unknown, which makes `ip broadcast` an error as in libpcap.
   */
  readonly netmask: number;
}

/** Protocol-qualifier keywords and their canonical names (all link-layer aliases become `link`). */
// biome-ignore format: a word list reads better packed
const PNAMES: ReadonlyMap<string, string> = new Map(
  [
    'link', 'ether', 'ppp', 'slip', 'fddi', 'tr', 'wlan', 'arp', 'rarp', 'ip', 'sctp', 'tcp', 'udp',
    'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp', 'radio', 'ip6', 'icmp6', 'ah', 'esp', 'atalk',
    'aarp', 'decnet', 'lat', 'sca', 'moprc', 'mopdl', 'iso', 'esis', 'isis', 'l1', 'l2', 'iih',
    'lsp', 'snp', 'csnp', 'psnp', 'clnp', 'stp', 'ipx', 'netbeui',
  ].map((w): [string, string] => [w, ['ether', 'ppp', 'slip', 'fddi', 'tr', 'wlan'].includes(w) ? 'link' : w]),
);

/** `pname` alone: link-layer protocol abbreviations (`ip` = `ether proto \ip`). */
const LINK_ABBREV: ReadonlyMap<string, number> = new Map([
  ['ip', 0x0800],
  ['ip6', 0x86dd],
  ['arp', 0x0806],
  ['rarp', 0x8035],
  ['decnet', 0x6003],
  ['lat', 0x6004],
  ['sca', 0x6007],
  ['moprc', 0x6002],
  ['mopdl', 0x6001],
  ['iso', 0xfe],
  ['stp', 0x42],
  ['netbeui', 0xf0],
]);

/** `pname` alone: IP protocol abbreviations and the IP versions libpcap checks for each. */
const IP_ABBREV: ReadonlyMap<string, readonly ['any' | 4 | 6, number]> = new Map([
  ['tcp', ['any', 6]],
  ['udp', ['any', 17]],
  ['sctp', ['any', 132]],
  ['icmp', [4, 1]],
  ['icmp6', [6, 58]],
  ['igmp', [4, 2]],
  ['igrp', [4, 9]],
  ['pim', ['any', 103]],
  ['vrrp', [4, 112]],
  ['carp', [4, 112]],
  ['ah', ['any', 51]],
  ['esp', ['any', 50]],
]);

/** Protocols whose header `proto[...]` can index. */
const LOAD_PROTOS: ReadonlyMap<string, LoadProto> = new Map([
  ['link', 'link'],
  ['ip', 'ip'],
  ['ip6', 'ip6'],
  ['arp', 'arp'],
  ['rarp', 'rarp'],
  ['tcp', 'tcp'],
  ['udp', 'udp'],
  ['sctp', 'sctp'],
  ['icmp', 'icmp'],
  ['igmp', 'igmp'],
  ['igrp', 'igrp'],
  ['pim', 'pim'],
  ['vrrp', 'vrrp'],
  ['carp', 'carp'],
  ['icmp6', 'icmp6'],
]);

/** libpcap keywords that wirelens recognises but does not implement. */
const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['gateway', "'gateway' needs host-name and /etc/ethers lookups; write 'ether host MAC and not host ADDR'"],
  ['protochain', "'protochain' (walking the IPv6 extension-header chain) is not supported"],
  ['mpls', 'MPLS filters are not supported'],
  ['pppoed', 'PPPoE filters are not supported'],
  ['pppoes', 'PPPoE filters are not supported'],
  ['geneve', 'Geneve filters are not supported'],
  ['llc', 'LLC filters are not supported'],
  ['lane', 'ATM filters are not supported'],
  ['inbound', "'inbound'/'outbound' are not supported"],
  ['outbound', "'inbound'/'outbound' are not supported"],
  ['ifindex', "'ifindex' is not supported"],
  ['byte', "'byte' is not supported; write 'ip[N] OP VALUE'"],
]);

const RELOPS: ReadonlyMap<string, RelOp> = new Map([
  ['=', '='],
  ['==', '='],
  ['!=', '!='],
  ['<', '<'],
  ['<=', '<='],
  ['>', '>'],
  ['>=', '>='],
]);

/** Binary arithmetic operators: [left binding power, right binding power]. */
const BINOPS: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['|', [1, 1]],
  ['&', [2, 2]],
  ['<<', [3, 3]],
  ['>>', [3, 3]],
  ['+', [4, 4]],
  ['-', [4, 4]],
  ['*', [5, 5]],
  ['/', [5, 5]],
  // No precedence in libpcap's grammar: bind tightest on the left, loosest on the right.
  ['%', [100, 0]],
  ['^', [100, 0]],
]);
const UMINUS_BP = 6;

type AddrQual = 'default' | 'host' | 'net' | 'port' | 'portrange' | 'proto';

/** The qualifiers of a primitive's head, inherited by bare values after it. */
interface Quals {
  /** 'default' or a canonical pname. */
  readonly proto: string;
  readonly dir: Dir | 'default';
  readonly addr: AddrQual;
  /** The head's last token, named in messages ("after 'port'"). */
  readonly last: Token;
  /** The head's first token (its protocol qualifier, when there is one). */
  readonly first: Token;
}

/** A value (or values combined inside parentheses) before its qualifiers are applied. */
type IdTree =
  | { readonly kind: 'not'; readonly inner: IdTree }
  | { readonly kind: 'and' | 'or'; readonly left: IdTree; readonly right: IdTree }
  | {
      readonly kind: 'num' | 'name' | 'hid' | 'hid6' | 'eid' | 'cidr4' | 'cidr6' | 'mask4';
      readonly tok: Token;
      /** cidr: the length token; mask4: the mask token. */
      readonly arg?: Token;
    };

interface State {
  readonly i: number;
  readonly depth: number;
}

function furthest(a: FilterSyntaxError, b: FilterSyntaxError): FilterSyntaxError {
  return b.position > a.position ? b : a;
}

/** Value of an arithmetic expression without packet data, or undefined. */
export function constValue(a: Arith): number | undefined {
  switch (a.kind) {
    case 'num':
      return a.value;
    case 'len':
    case 'load':
      return undefined;
    case 'neg': {
      const v = constValue(a.expr);
      return v === undefined ? undefined : (0 - v) >>> 0;
    }
    case 'binary': {
      const l = constValue(a.left);
      const r = constValue(a.right);
      if (l === undefined || r === undefined) return undefined;
      return applyArith(a.op, l, r);
    }
  }
}

/** 32-bit unsigned BPF arithmetic; undefined for a division or modulus by zero. */
export function applyArith(op: ArithOp, a: number, b: number): number | undefined {
  switch (op) {
    case '+':
      return (a + b) >>> 0;
    case '-':
      return (a - b) >>> 0;
    case '*':
      return Math.imul(a, b) >>> 0;
    case '/':
      return b === 0 ? undefined : Math.floor(a / b) >>> 0;
    case '%':
      return b === 0 ? undefined : (a % b) >>> 0;
    case '&':
      return (a & b) >>> 0;
    case '|':
      return (a | b) >>> 0;
    case '^':
      return (a ^ b) >>> 0;
    case '<<':
      return b < 32 ? (a << b) >>> 0 : 0;
    case '>>':
      return b < 32 ? a >>> b : 0;
  }
}

/** A MAC address in libpcap's forms: 1-2 hex digits per byte separated by ':', '-' or '.', xxxx.xxxx.xxxx, or 12 digits. */
function parseMacText(text: string): number | undefined {
  let bytes: string[];
  if (/^[0-9A-Fa-f]{12}$/.test(text)) bytes = text.match(/../g) as string[];
  else if (/^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/.test(text))
    bytes = text.replace(/\./g, '').match(/../g) as string[];
  else if (/^[0-9A-Fa-f]{1,2}([:.-])[0-9A-Fa-f]{1,2}(\1[0-9A-Fa-f]{1,2}){4}$/.test(text))
    bytes = text.split(/[:.-]/);
  else return undefined;
  let v = 0;
  for (const b of bytes) v = v * 256 + Number.parseInt(b, 16);
  return v;
}

function dirOf(q: Quals): Dir {
  return q.dir === 'default' ? 'src or dst' : q.dir;
}

/** Service lookup as libpcap does it: a name may be TCP, UDP or both (then `any`). Digits are a port. */
function lookupService(name: string): { port: number; proto: 'any' | 'tcp' | 'udp' } | undefined {
  if (/^\d+$/.test(name)) return { port: Number(name), proto: 'any' };
  const e = SERVICE_NAMES.get(name);
  if (!e) return undefined;
  if (e.tcp !== undefined) return { port: e.tcp, proto: e.udp === e.tcp ? 'any' : 'tcp' };
  if (e.udp !== undefined) return { port: e.udp, proto: 'udp' };
  return undefined;
}

/** Dotted IPv4 text with 2 to 4 decimal parts: the value of the parts and their number of bits. */
function parseDotted(text: string): { v: number; bits: number } | undefined {
  const parts = text.split('.');
  let v = 0;
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return { v, bits: parts.length * 8 };
}

class Parser {
  private i = 0;
  /** Number of `vlan` keywords parsed so far. */
  private depth = 0;
  private readonly toks: readonly Token[];

  constructor(
    private readonly src: string,
    private readonly opts: ParseOptions,
  ) {
    this.toks = tokenize(src);
  }

  // ---- token plumbing ----

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)] as Token;
  }

  /** The current token; a malformed token is reported here. */
  private cur(): Token {
    const t = this.peek();
    if (t.kind === 'bad') throw this.err(t, t.problem ?? 'unexpected input');
    return t;
  }

  private next(): Token {
    const t = this.cur();
    this.i++;
    return t;
  }

  private save(): State {
    return { i: this.i, depth: this.depth };
  }

  private restore(s: State): void {
    this.i = s.i;
    this.depth = s.depth;
  }

  private isKw(t: Token, ...words: string[]): boolean {
    return t.kind === 'kw' && words.includes(t.text);
  }

  private isOp(t: Token, ...ops: string[]): boolean {
    return t.kind === 'op' && ops.includes(t.text);
  }

  private show(t: Token): string {
    return t.kind === 'eof' ? 'end of expression' : `'${this.src.slice(t.pos, t.end)}'`;
  }

  private err(t: Token, reason: string): FilterSyntaxError {
    return new FilterSyntaxError(this.src, t.pos, t.end - t.pos, reason);
  }

  private expected(what: string, t: Token = this.peek()): FilterSyntaxError {
    if (t.kind === 'bad') return this.err(t, t.problem ?? 'unexpected input');
    return this.err(t, `expected ${what}, got ${this.show(t)}${this.caseHint(t)}`);
  }

  /** libpcap keywords are lowercase: point that out for `TCP`, `AND`, ... */
  private caseHint(t: Token): string {
    const lower = t.text.toLowerCase();
    return t.kind === 'id' && lower !== t.text && KEYWORDS.has(lower)
      ? ` (keywords are lowercase: '${lower}')`
      : '';
  }

  private expectOp(op: string, what: string): Token {
    const t = this.cur();
    if (!this.isOp(t, op)) throw this.expected(what, t);
    return this.next();
  }

  /** Try `f`; on a syntax error restore the position and return the error instead. */
  private attempt<T>(f: () => T): T | FilterSyntaxError {
    const s = this.save();
    try {
      return f();
    } catch (e) {
      if (!(e instanceof FilterSyntaxError)) throw e;
      this.restore(s);
      return e;
    }
  }

  // ---- boolean structure ----

  parseProgram(): Expr {
    if (this.peek().kind === 'eof') return { kind: 'true' };
    const { node } = this.expr(undefined);
    const t = this.cur();
    if (t.kind !== 'eof') {
      const what = this.isOp(t, ')')
        ? "'and', 'or' or end of expression (unbalanced ')')"
        : "'and', 'or' or end of expression";
      throw this.expected(what, t);
    }
    return node;
  }

  private expr(inQ: Quals | undefined): { node: Expr; q: Quals | undefined } {
    let { node, q } = this.term(inQ);
    for (;;) {
      const t = this.peek();
      if (!this.isKw(t, 'and', 'or')) return { node, q };
      this.next();
      const r = this.operand(q, t);
      node = { kind: t.text as 'and' | 'or', left: node, right: r.node };
      q = r.q;
    }
  }

  /** What follows `and`/`or`: a bare value inheriting `q`, or a term. */
  private operand(q: Quals | undefined, op: Token): { node: Expr; q: Quals | undefined } {
    const first = this.peek();
    // Only a value, a number, 'not' or '(' can start a bare value: anything else is a term.
    if ((first.kind === 'kw' && first.text !== 'not') || (first.kind === 'op' && first.text !== '('))
      return this.term(q);
    const asId = this.attempt(() => {
      const tree = this.id(q, `a primitive or a value after '${op.text}'`);
      const f = this.peek();
      if (!(this.isKw(f, 'and', 'or') || this.isOp(f, ')') || f.kind === 'eof'))
        throw this.expected("'and', 'or', ')' or end of expression", f);
      return tree;
    });
    if (!(asId instanceof FilterSyntaxError)) return { node: this.resolve(asId, q), q };
    const asTerm = this.attempt(() => this.term(q));
    if (!(asTerm instanceof FilterSyntaxError)) return asTerm;
    throw furthest(asId, asTerm);
  }

  private term(inQ: Quals | undefined): { node: Expr; q: Quals | undefined } {
    if (this.isKw(this.peek(), 'not')) {
      this.next();
      const r = this.term(inQ);
      return { node: { kind: 'not', expr: r.node }, q: r.q };
    }
    return this.rterm(inQ);
  }

  /** Index of the ')' matching the '(' at token index `open`, or -1. */
  private matchingParen(open: number): number {
    let level = 0;
    for (let j = open; j < this.toks.length; j++) {
      const t = this.toks[j] as Token;
      if (this.isOp(t, '(')) level++;
      else if (this.isOp(t, ')') && --level === 0) return j;
    }
    return -1;
  }

  private rterm(inQ: Quals | undefined): { node: Expr; q: Quals | undefined } {
    const t = this.cur();
    if (this.isOp(t, '(')) {
      // A parenthesised group followed by an arithmetic or comparison operator is arithmetic.
      const close = this.matchingParen(this.i);
      const after = close >= 0 ? this.toks[close + 1] : undefined;
      if (after && after.kind === 'op' && (BINOPS.has(after.text) || RELOPS.has(after.text)))
        return { node: this.relation(), q: undefined };
      this.next();
      const r = this.expr(inQ);
      this.expectOp(')', "')' or 'and'/'or'");
      return { node: r.node, q: inQ };
    }
    if (t.kind === 'kw') {
      const pname = PNAMES.get(t.text);
      if (pname !== undefined) {
        const n = this.peek(1);
        if (this.isOp(n, '[')) return { node: this.relation(), q: undefined };
        if (this.isKw(n, 'broadcast', 'multicast')) return { node: this.castPrim(), q: undefined };
        if (this.isHeadWord(n)) return this.headed();
        return { node: this.abbrev(), q: undefined };
      }
      if (this.isHeadWord(t)) return this.headed();
      switch (t.text) {
        case 'broadcast':
        case 'multicast':
          return { node: this.castPrim(), q: undefined };
        case 'less':
        case 'greater':
          return { node: this.lengthPrim(), q: undefined };
        case 'vlan':
          return { node: this.vlanPrim(), q: undefined };
        case 'len':
          return { node: this.relation(), q: undefined };
        case 'and':
        case 'or':
          throw this.expected('a primitive (host, net, port, tcp, ...)', t);
      }
      const why = UNSUPPORTED.get(t.text);
      if (why !== undefined)
        throw this.err(t, `${why} (valid libpcap, but not implemented by wirelens filters)`);
      throw this.err(t, `'${t.text}' is a libpcap keyword that wirelens filters do not support here`);
    }
    if (t.kind === 'num' || this.isOp(t, '-')) return { node: this.relation(), q: undefined };
    if (t.kind === 'eof') throw this.expected('a primitive (host, net, port, tcp, ...)', t);
    if (t.kind === 'id' && /^[A-Za-z0-9]+-/.test(t.text))
      throw this.err(t, `'${t.text}' reads as one name: put spaces around '-' to subtract`);
    if (this.caseHint(t) !== '') throw this.err(t, `${this.show(t)} is not a keyword${this.caseHint(t)}`);
    if (t.kind === 'id' || t.kind === 'hid' || t.kind === 'hid6' || t.kind === 'eid')
      throw this.err(
        t,
        `${this.show(t)} needs a qualifier in front of it (host, net, port, ether host, ...): a bare value is only allowed after 'and'/'or', where it repeats the previous qualifiers`,
      );
    throw this.expected('a primitive (host, net, port, tcp, ...)', t);
  }

  private isHeadWord(t: Token): boolean {
    return this.isKw(
      t,
      'src',
      'dst',
      'host',
      'net',
      'port',
      'portrange',
      'proto',
      'protochain',
      'gateway',
      'address1',
      'addr1',
      'address2',
      'addr2',
      'address3',
      'addr3',
      'address4',
      'addr4',
      'ra',
      'ta',
    );
  }

  // ---- head id ----

  private headed(): { node: Expr; q: Quals } {
    let proto = 'default';
    const t0 = this.peek();
    const pn = PNAMES.get(t0.text);
    if (t0.kind === 'kw' && pn !== undefined) {
      proto = pn;
      this.next();
    }
    let dir: Dir | 'default' = 'default';
    let addr: AddrQual = 'default';
    let last = this.toks[this.i - 1] as Token;
    const t = this.cur();
    if (this.isKw(t, 'protochain', 'gateway'))
      throw this.err(
        t,
        `${UNSUPPORTED.get(t.text)} (valid libpcap, but not implemented by wirelens filters)`,
      );
    if (this.isKw(t, 'proto')) {
      addr = 'proto';
      last = this.next();
    } else {
      if (this.isKw(t, 'src', 'dst')) {
        last = this.next();
        dir = t.text as 'src' | 'dst';
        const c = this.peek();
        if (this.isKw(c, 'and', 'or')) {
          const other = t.text === 'src' ? 'dst' : 'src';
          const o = this.peek(1);
          if (!this.isKw(o, other)) {
            this.next();
            throw this.expected(`'${other}' (as in '${t.text} ${c.text} ${other}')`, o);
          }
          this.next();
          last = this.next();
          dir = c.text === 'or' ? 'src or dst' : 'src and dst';
        }
      } else if (
        this.isKw(
          t,
          'address1',
          'addr1',
          'address2',
          'addr2',
          'address3',
          'addr3',
          'address4',
          'addr4',
          'ra',
          'ta',
        )
      ) {
        throw this.err(
          t,
          `'${t.text}' applies to 802.11 headers only, which wirelens filters do not support`,
        );
      }
      const a = this.cur();
      if (this.isKw(a, 'host', 'net', 'port', 'portrange')) {
        addr = a.text as AddrQual;
        last = this.next();
      } else if (this.isKw(a, 'gateway', 'protochain')) {
        throw this.err(
          a,
          `${UNSUPPORTED.get(a.text)} (valid libpcap, but not implemented by wirelens filters)`,
        );
      } else if (this.isKw(a, 'proto')) {
        throw this.err(a, `'proto' cannot follow '${t.text}': write 'ip proto N' or 'proto N'`);
      }
    }
    const q: Quals = { proto, dir, addr, last, first: t0 };
    const tree = this.id(q, `${this.valueWhat(q)} after '${last.text}'`);
    return { node: this.resolve(tree, q), q };
  }

  private valueWhat(q: Quals): string {
    switch (q.addr) {
      case 'default':
      case 'host':
        return q.proto === 'link' ? 'a MAC address' : 'a host address';
      case 'net':
        return 'a network address';
      case 'port':
        return 'a port number';
      case 'portrange':
        return 'a port range (like 6000-6010)';
      case 'proto':
        return 'a protocol number or \\name';
    }
  }

  /** A bare value, possibly negated or combined in parentheses (syntax only). */
  private id(q: Quals | undefined, what: string): IdTree {
    const t = this.cur();
    if (this.isKw(t, 'not')) {
      this.next();
      return { kind: 'not', inner: this.id(q, what) };
    }
    if (this.isOp(t, '(')) {
      const asNum = this.attempt(() => this.pnum());
      if (!(asNum instanceof FilterSyntaxError)) return { kind: 'num', tok: asNum };
      this.next();
      let tree: IdTree;
      // The first value inside the parentheses cannot itself be parenthesised, unless it is a number.
      const f = this.peek();
      if (this.isOp(f, '(')) tree = { kind: 'num', tok: this.pnum() };
      else if (this.isKw(f, 'not')) {
        this.next();
        tree = { kind: 'not', inner: this.id(q, what) };
      } else tree = this.value(what);
      for (;;) {
        const c = this.cur();
        if (this.isOp(c, ')')) {
          this.next();
          return tree;
        }
        if (!this.isKw(c, 'and', 'or')) throw this.expected("'and', 'or' or ')'", c);
        this.next();
        tree = { kind: c.text as 'and' | 'or', left: tree, right: this.id(q, what) };
      }
    }
    return this.value(what);
  }

  /** NUM or a parenthesised NUM: the NUM token. */
  private pnum(): Token {
    const t = this.cur();
    if (this.isOp(t, '(')) {
      this.next();
      const n = this.pnum();
      this.expectOp(')', "')'");
      return n;
    }
    if (t.kind !== 'num') throw this.expected('a number', t);
    return this.next();
  }

  private value(what: string): IdTree {
    const t = this.cur();
    switch (t.kind) {
      case 'num':
        this.next();
        return { kind: 'num', tok: t };
      case 'id':
        this.next();
        return { kind: 'name', tok: t };
      case 'eid':
        this.next();
        return { kind: 'eid', tok: t };
      case 'hid': {
        this.next();
        if (this.isOp(this.peek(), '/')) {
          this.next();
          const n = this.cur();
          if (n.kind !== 'num') throw this.expected("a prefix length after '/'", n);
          this.next();
          return { kind: 'cidr4', tok: t, arg: n };
        }
        if (this.isKw(this.peek(), 'mask')) {
          this.next();
          const m = this.cur();
          if (m.kind !== 'hid') throw this.expected("a dotted netmask after 'mask'", m);
          this.next();
          return { kind: 'mask4', tok: t, arg: m };
        }
        return { kind: 'hid', tok: t };
      }
      case 'hid6': {
        this.next();
        if (this.isOp(this.peek(), '/')) {
          this.next();
          const n = this.cur();
          if (n.kind !== 'num') throw this.expected("a prefix length after '/'", n);
          this.next();
          return { kind: 'cidr6', tok: t, arg: n };
        }
        return { kind: 'hid6', tok: t };
      }
      default:
        throw this.expected(what, t);
    }
  }

  // ---- giving values their meaning ----

  private resolve(tree: IdTree, q: Quals | undefined): Expr {
    switch (tree.kind) {
      case 'not':
        return { kind: 'not', expr: this.resolve(tree.inner, q) };
      case 'and':
      case 'or':
        return { kind: tree.kind, left: this.resolve(tree.left, q), right: this.resolve(tree.right, q) };
      default:
        if (q === undefined) {
          const v = this.src.slice(tree.tok.pos, tree.tok.end);
          const eg =
            tree.kind === 'num'
              ? `'host ${v}' or 'port ${v}'`
              : tree.kind === 'name'
                ? `'port ${v}'`
                : `'host ${v}'`;
          throw this.err(
            tree.tok,
            `${this.show(tree.tok)} has no qualifier to repeat: the primitive before it has none (write e.g. ${eg})`,
          );
        }
        return this.leaf(tree.kind, tree.tok, tree.arg, q);
    }
  }

  private leaf(kind: IdTree['kind'], tok: Token, arg: Token | undefined, q: Quals): Primitive {
    const text = this.src.slice(tok.pos, tok.end);
    const after = `after '${q.last.text}'`;
    const at = { pos: tok.pos, end: arg ? arg.end : tok.end };
    switch (kind) {
      case 'name':
        return this.namedLeaf(tok, q, at);
      case 'num':
        return this.numLeaf(tok, q, at);
      case 'hid':
      case 'cidr4':
      case 'mask4': {
        const d = parseDotted(text);
        if (!d) throw this.err(tok, `invalid IPv4 address '${text}'`);
        const shift = 32 - d.bits;
        const addr = shift === 0 ? d.v : (d.v * 2 ** shift) >>> 0;
        if (q.addr === 'port' || q.addr === 'portrange' || q.addr === 'proto')
          throw this.err(tok, `expected ${this.valueWhat(q)} ${after}, got the IPv4 address '${text}'`);
        if (q.proto === 'link') throw this.err(tok, `expected a MAC address ${after}, got '${text}'`);
        if (kind === 'hid') {
          const mask = shift === 0 ? 0xffffffff : (0xffffffff << shift) >>> 0;
          return this.host4(q, tok, addr, mask, q.addr === 'net' || shift !== 0, at);
        }
        const a = arg as Token;
        let mask: number;
        let written: string;
        if (kind === 'cidr4') {
          const len = a.value as number;
          if (len > 32) throw this.err(a, `prefix length ${len} is greater than 32`);
          mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
          written = `${text}/${this.src.slice(a.pos, a.end)}`;
        } else {
          const m = parseDotted(this.src.slice(a.pos, a.end));
          if (!m) throw this.err(a, `invalid netmask '${this.src.slice(a.pos, a.end)}'`);
          mask = (m.v * 2 ** (32 - m.bits)) >>> 0;
          written = `${text} mask ${this.src.slice(a.pos, a.end)}`;
        }
        if ((addr & ~mask) >>> 0 !== 0)
          throw this.err(tok, `non-network bits set in '${written}': the address has bits outside the mask`);
        if (q.addr !== 'net')
          throw this.err(tok, `a mask is only allowed for networks: write 'net ${written}'`);
        return this.host4(q, tok, addr, mask, true, at);
      }
      case 'hid6':
      case 'cidr6': {
        const addr = parseIp6(text);
        if (!addr) throw this.err(tok, `invalid IPv6 address '${text}'`);
        if (q.addr === 'port' || q.addr === 'portrange' || q.addr === 'proto')
          throw this.err(tok, `expected ${this.valueWhat(q)} ${after}, got the IPv6 address '${text}'`);
        if (q.proto === 'link') throw this.err(tok, `expected a MAC address ${after}, got '${text}'`);
        let prefix = 128;
        if (kind === 'cidr6') {
          const a = arg as Token;
          prefix = a.value as number;
          if (prefix > 128) throw this.err(a, `prefix length ${prefix} is greater than 128`);
          for (let b = prefix; b < 128; b++) {
            if (((addr[b >> 3] as number) >> (7 - (b & 7))) & 1)
              throw this.err(
                tok,
                `non-network bits set in '${text}/${prefix}': the address has bits outside the prefix`,
              );
          }
          if (prefix !== 128 && q.addr !== 'net')
            throw this.err(
              tok,
              `a prefix length is only allowed for networks: write 'net ${text}/${prefix}'`,
            );
        }
        return this.leaf6(q, tok, addr, prefix, at);
      }
      case 'eid': {
        const mac = parseMacText(text);
        if (mac === undefined) throw this.err(tok, `invalid MAC address '${text}'`);
        if (q.proto !== 'link' || (q.addr !== 'default' && q.addr !== 'host'))
          throw this.err(tok, `a MAC address can only be used with 'ether host', 'ether src' or 'ether dst'`);
        return { kind: 'ether-host', dir: dirOf(q), mac, ...at };
      }
    }
    throw this.err(tok, `unexpected value ${this.show(tok)}`);
  }

  private leaf6(
    q: Quals,
    tok: Token,
    addr: Uint8Array,
    prefix: number,
    at: { pos: number; end: number },
  ): Primitive {
    if (q.proto !== 'default' && q.proto !== 'ip6') {
      if (q.proto === 'ip' || q.proto === 'arp' || q.proto === 'rarp')
        throw this.err(
          tok,
          `'${q.proto}' cannot be used with an IPv6 address: write 'ip6 host ...' or 'host ...'`,
        );
      throw this.err(tok, `'${q.proto}' cannot qualify a host address`);
    }
    return { kind: 'host6', dir: dirOf(q), addr, prefix, net: q.addr === 'net', depth: this.depth, ...at };
  }

  private numLeaf(tok: Token, q: Quals, at: { pos: number; end: number }): Primitive {
    const text = this.src.slice(tok.pos, tok.end);
    let v = tok.value as number;
    switch (q.addr) {
      case 'default':
      case 'host':
        if (q.proto === 'link')
          throw this.err(tok, `expected a MAC address after '${q.last.text}', got ${text}`);
        return this.host4(q, tok, v, 0xffffffff, false, at);
      case 'net': {
        // libpcap promotes a short network number: `net 10` is 10.0.0.0/8.
        let mask = 0xffffffff;
        while (v !== 0 && (v & 0xff000000) === 0) {
          v = (v << 8) >>> 0;
          mask = (mask << 8) >>> 0;
        }
        if (q.proto === 'link')
          throw this.err(tok, `expected a MAC address after '${q.last.text}', got ${text}`);
        return this.host4(q, tok, v, mask, true, at);
      }
      case 'port':
      case 'portrange':
        if (v > 65535) throw this.err(tok, `port number ${v} is greater than 65535`);
        return this.portPrim(q, tok, v, v, 'any', at);
      case 'proto':
        return this.protoPrim(q, tok, v, at);
    }
  }

  private namedLeaf(tok: Token, q: Quals, at: { pos: number; end: number }): Primitive {
    const name = tok.text;
    const after = `after '${q.last.text}'`;
    switch (q.addr) {
      case 'default':
      case 'host': {
        // A backslash-escaped numeric address is a "name" that resolves to itself.
        const v4 = q.proto === 'link' ? undefined : parseIp4(name);
        if (v4 !== undefined) return this.host4(q, tok, v4, 0xffffffff, false, at);
        const v6 = q.proto === 'link' ? undefined : parseIp6(name);
        if (v6 !== undefined) return this.leaf6(q, tok, v6, 128, at);
        if (q.proto === 'link')
          throw this.err(
            tok,
            `expected a MAC address ${after}, got '${name}' (names from /etc/ethers are not supported)`,
          );
        throw this.err(
          tok,
          `expected a numeric host address ${after}, got '${name}' (host names are not supported: wirelens does no DNS)`,
        );
      }
      case 'net':
        throw this.err(
          tok,
          `expected a numeric network ${after}, got '${name}' (network names are not supported)`,
        );
      case 'port': {
        const s = lookupService(name);
        if (!s)
          throw this.err(
            tok,
            `expected a port number ${after}, got '${name}' (not a known service name such as http, https, domain, ssh)`,
          );
        return this.portPrim(q, tok, s.port, s.port, s.proto, at);
      }
      case 'portrange': {
        const m = /^(\d+)-(-?\d+)/.exec(name);
        let lo: number;
        let hi: number;
        let proto: 'any' | 'tcp' | 'udp' = 'any';
        if (m) {
          lo = Number(m[1]);
          hi = Number(m[2]);
        } else {
          const dash = name.indexOf('-');
          const a = dash > 0 ? lookupService(name.slice(0, dash)) : undefined;
          const b = dash > 0 ? lookupService(name.slice(dash + 1)) : undefined;
          if (!a || !b)
            throw this.err(
              tok,
              `expected a port range like 6000-6010 ${after}, got '${name}' (unknown port in range)`,
            );
          lo = a.port;
          hi = b.port;
          proto = a.proto === b.proto ? a.proto : 'any';
        }
        for (const p of [lo, hi]) {
          if (p > 65535) throw this.err(tok, `port number ${p} is greater than 65535`);
          if (p < 0) throw this.err(tok, `port number ${p} is negative`);
        }
        if (lo > hi) [lo, hi] = [hi, lo];
        return this.portPrim(q, tok, lo, hi, proto, at);
      }
      case 'proto': {
        let v: number | undefined;
        if (q.proto === 'link') v = ETHER_PROTO_NAMES.get(name) ?? LLC_SAP_NAMES.get(name);
        else if (q.proto === 'default' || q.proto === 'ip' || q.proto === 'ip6') v = PROTOCOL_NAMES.get(name);
        else return this.protoPrim(q, tok, 0, at);
        if (v === undefined)
          throw this.err(
            tok,
            q.proto === 'link'
              ? `unknown ether proto '${name}' (known: ${[...ETHER_PROTO_NAMES.keys(), ...LLC_SAP_NAMES.keys()].join(', ')})`
              : `unknown ip proto '${name}' (use a number or an /etc/protocols name such as tcp, udp, icmp, ipv6-icmp, gre)`,
          );
        return this.protoPrim(q, tok, v, at);
      }
    }
  }

  private host4(
    q: Quals,
    tok: Token,
    addr: number,
    mask: number,
    net: boolean,
    at: { pos: number; end: number },
  ): Primitive {
    let proto: 'any' | 'ip' | 'arp' | 'rarp';
    switch (q.proto) {
      case 'default':
        proto = 'any';
        break;
      case 'ip':
      case 'arp':
      case 'rarp':
        proto = q.proto;
        break;
      case 'ip6':
        throw this.err(tok, `'ip6' cannot be used with an IPv4 address: write 'ip host ...' or 'host ...'`);
      case 'decnet':
        throw this.err(tok, 'DECnet addresses are not supported by wirelens filters');
      default:
        throw this.err(
          q.first,
          `'${q.proto}' cannot qualify a ${q.addr === 'net' ? 'network' : 'host'}: write '${q.proto} and ${q.addr === 'net' ? 'net' : 'host'} ...'`,
        );
    }
    return {
      kind: 'host4',
      proto,
      dir: dirOf(q),
      addr: addr >>> 0,
      mask: mask >>> 0,
      net,
      depth: this.depth,
      ...at,
    };
  }

  private portPrim(
    q: Quals,
    tok: Token,
    lo: number,
    hi: number,
    named: 'any' | 'tcp' | 'udp',
    at: { pos: number; end: number },
  ): Primitive {
    let proto: 'any' | 'tcp' | 'udp' | 'sctp';
    const name = tok.text;
    switch (q.proto) {
      case 'default':
        proto = named;
        break;
      case 'tcp':
      case 'udp':
      case 'sctp':
        if (named !== 'any' && named !== q.proto)
          throw this.err(
            tok,
            `port '${name}' is ${named} only, so '${q.proto} ${q.addr} ${name}' can never match`,
          );
        proto = q.proto;
        break;
      default:
        throw this.err(q.first, `'${q.proto}' cannot qualify '${q.addr}': use tcp, udp, sctp or nothing`);
    }
    return {
      kind: 'port',
      proto,
      dir: dirOf(q),
      lo,
      hi,
      range: q.addr === 'portrange',
      depth: this.depth,
      ...at,
    };
  }

  private protoPrim(q: Quals, tok: Token, v: number, at: { pos: number; end: number }): Primitive {
    switch (q.proto) {
      case 'link': {
        const bad = UNSUPPORTED_LINK_PROTOS.get(v);
        if (bad) throw this.err(tok, `${bad} encapsulations are not supported by wirelens filters`);
        return { kind: 'link-proto', value: v, depth: this.depth, ...at };
      }
      case 'default':
        return { kind: 'ip-proto', family: 'any', value: v, depth: this.depth, ...at };
      case 'ip':
        return { kind: 'ip-proto', family: 4, value: v, depth: this.depth, ...at };
      case 'ip6':
        return { kind: 'ip-proto', family: 6, value: v, depth: this.depth, ...at };
      case 'arp':
      case 'rarp':
        throw this.err(
          q.first,
          `'${q.proto} proto' is meaningless: ${q.proto.toUpperCase()} does not encapsulate another protocol`,
        );
      case 'iso':
        throw this.err(
          q.first,
          "'iso proto' (OSI protocols) is valid libpcap, but not implemented by wirelens filters",
        );
      default:
        throw this.err(
          q.first,
          `'${q.proto} proto' is not valid: use 'ether proto', 'ip proto', 'ip6 proto' or 'proto'`,
        );
    }
  }

  // ---- other primitives ----

  private abbrev(): Primitive {
    const t = this.next();
    const at = { pos: t.pos, end: t.end };
    const name = PNAMES.get(t.text) as string;
    const lv = LINK_ABBREV.get(name);
    if (lv !== undefined) return { kind: 'link-proto', value: lv, abbrev: name, depth: this.depth, ...at };
    const ip = IP_ABBREV.get(name);
    if (ip !== undefined)
      return { kind: 'ip-proto', family: ip[0], value: ip[1], abbrev: name, depth: this.depth, ...at };
    if (name === 'link')
      throw this.err(
        t,
        `'${t.text}' alone is not a primitive: use '${t.text} host', '${t.text} src', '${t.text} dst', '${t.text} proto', '${t.text} broadcast', '${t.text} multicast' or '${t.text}[offset]'`,
      );
    throw this.err(t, `'${t.text}' is valid libpcap, but wirelens filters do not support it`);
  }

  private castPrim(): Primitive {
    let proto = 'default';
    const first = this.peek();
    if (first.kind === 'kw' && PNAMES.has(first.text)) {
      proto = PNAMES.get(first.text) as string;
      this.next();
    }
    const t = this.next();
    const at = { pos: first.pos, end: t.end };
    if (t.text === 'broadcast') {
      if (proto === 'default' || proto === 'link')
        return { kind: 'broadcast', level: 'link', hostmask: 0, depth: this.depth, ...at };
      if (proto === 'ip') {
        if (this.opts.netmask === 0xffffffff)
          throw this.err(t, "the netmask is not known, so 'ip broadcast' is not supported");
        return {
          kind: 'broadcast',
          level: 'ip',
          hostmask: ~this.opts.netmask >>> 0,
          depth: this.depth,
          ...at,
        };
      }
      throw this.err(
        first,
        "only link-layer and IPv4 broadcast are supported: 'broadcast', 'ether broadcast' or 'ip broadcast'",
      );
    }
    if (proto === 'default' || proto === 'link')
      return { kind: 'multicast', level: 'link', depth: this.depth, ...at };
    if (proto === 'ip' || proto === 'ip6')
      return { kind: 'multicast', level: proto, depth: this.depth, ...at };
    throw this.err(
      first,
      "only link-layer, IPv4 and IPv6 multicast are supported: 'multicast', 'ether multicast', 'ip multicast' or 'ip6 multicast'",
    );
  }

  private lengthPrim(): Primitive {
    const t = this.next();
    const n = this.cur();
    if (n.kind !== 'num') throw this.expected(`a packet length (a number) after '${t.text}'`, n);
    this.next();
    return {
      kind: 'length',
      op: t.text as 'less' | 'greater',
      value: n.value as number,
      pos: t.pos,
      end: n.end,
    };
  }

  private vlanPrim(): Primitive {
    const t = this.next();
    const p = this.peek();
    let id: number | undefined;
    let end = t.end;
    if (p.kind === 'num' || this.isOp(p, '(')) {
      const n = this.attempt(() => this.pnum());
      if (!(n instanceof FilterSyntaxError)) {
        id = n.value as number;
        end = this.toks[this.i - 1]?.end ?? end;
        if (id > 4095) throw this.err(n, `VLAN ID ${id} is greater than the maximum, 4095`);
      }
    }
    const depth = this.depth++;
    return id === undefined
      ? { kind: 'vlan', depth, pos: t.pos, end }
      : { kind: 'vlan', id, depth, pos: t.pos, end };
  }

  // ---- arithmetic ----

  private relation(): Primitive {
    const start = this.peek();
    const left = this.arith(0);
    const t = this.cur();
    const op = t.kind === 'op' ? RELOPS.get(t.text) : undefined;
    if (op === undefined)
      throw this.expected('a comparison operator (=, ==, !=, <, <=, >, >=) or an arithmetic operator', t);
    this.next();
    const right = this.arith(0);
    return { kind: 'relation', op, left, right, pos: start.pos, end: (this.toks[this.i - 1] as Token).end };
  }

  private arith(minBp: number): Arith {
    let left = this.arithPrefix();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') return left;
      const bp = BINOPS.get(t.text);
      if (bp === undefined || bp[0] <= minBp) return left;
      this.next();
      const rstart = this.peek();
      const right = this.arith(bp[1]);
      const rend = this.toks[this.i - 1] as Token;
      const op = t.text as ArithOp;
      const at = (reason: string) =>
        new FilterSyntaxError(this.src, rstart.pos, rend.end - rstart.pos, reason);
      // libpcap rejects these at compile time; with a computed operand they reject the packet instead.
      if ((op === '<<' || op === '>>') && right.kind === 'num' && right.value > 31)
        throw at(`shift by ${right.value}: shifts are limited to 31 bits`);
      if ((op === '/' || op === '%') && constValue(right) === 0)
        throw at(op === '/' ? 'division by zero' : 'modulus by zero');
      left = { kind: 'binary', op, left, right };
    }
  }

  private arithPrefix(): Arith {
    const t = this.cur();
    if (t.kind === 'num') {
      this.next();
      return { kind: 'num', value: t.value as number };
    }
    if (this.isKw(t, 'len')) {
      this.next();
      return { kind: 'len' };
    }
    if (this.isOp(t, '-')) {
      this.next();
      return { kind: 'neg', expr: this.arith(UMINUS_BP) };
    }
    if (this.isOp(t, '(')) {
      this.next();
      const e = this.arith(0);
      this.expectOp(')', "')' or an arithmetic operator");
      return e;
    }
    if (t.kind === 'kw' && PNAMES.has(t.text) && this.isOp(this.peek(1), '[')) {
      const proto = LOAD_PROTOS.get(PNAMES.get(t.text) as string);
      if (proto === undefined)
        throw this.err(t, `'${t.text}[...]' is valid libpcap, but wirelens filters do not support it`);
      this.next();
      this.next();
      const index = this.arith(0);
      let size: 1 | 2 | 4 = 1;
      if (this.isOp(this.peek(), ':')) {
        this.next();
        const s = this.cur();
        if (s.kind !== 'num') throw this.expected("a size (1, 2 or 4) after ':'", s);
        if (s.value !== 1 && s.value !== 2 && s.value !== 4)
          throw this.err(s, `data size must be 1, 2 or 4, got ${this.show(s)}`);
        this.next();
        size = s.value;
      }
      this.expectOp(']', size === 1 ? "']' or ':size'" : "']'");
      return { kind: 'load', proto, index, size, depth: this.depth };
    }
    throw this.expected("a number, 'len' or proto[offset]", t);
  }
}

/** Parse a filter expression into its AST; throws FilterSyntaxError. */
export function parseFilter(src: string, opts: ParseOptions = { netmask: 0 }): Expr {
  return new Parser(src, opts).parseProgram();
}
