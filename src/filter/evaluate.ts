/**
 * Compiles a filter AST once into a tree of closures that test one packet without allocating.
 *
 * Semantics are libpcap's, defined on the captured bytes exactly as the BPF program tcpdump
 * builds would see them, so a filter selects the same packets here, in tcpdump, and later in a
 * live capture handed the same string:
 *
 * - The link type decides where the EtherType (or equivalent) and the network header are:
 *   Ethernet 12/14, Linux cooked v1 14/16, v2 0/20, BSD loopback (address family) -/4, raw IP
 *   (version nibble) -/0. Each `vlan` written before a primitive moves both 4 bytes further
 *   (Ethernet only; libpcap refuses `vlan` on other link types, see `linkTypeError`).
 * - `ip`, `host`, `port`, ... look at the *outermost* header only, after the tags consumed by
 *   `vlan`: plain `ip` does not match a VLAN-tagged IPv4 frame, ICMP-quoted datagrams and
 *   tunnelled packets are never looked into, 802.3/SNAP-encapsulated IP is not `ip`.
 * - IPv4: `port`, `tcp[...]`, ... require fragment offset 0; the transport header is found with the
 *   IHL nibble as written. No version or checksum check (libpcap has none).
 * - IPv6: `port` and `tcp port` check the fixed header's next-header field only; `proto`, `tcp`,
 *   `udp`, `icmp6`, ... also accept a fragment header followed by that protocol. Other extension
 *   headers are not walked. `tcp[...]`, `udp[...]` never match IPv6 (libpcap: IPv4 only).
 * - Reading past the captured bytes rejects the whole packet (BPF returns 0), even under `not`
 *   or in a later alternative: `not tcp[100] = 1` does not match a short TCP segment. Evaluation
 *   is left to right with short-circuit, as in the BPF program.
 * - Arithmetic is unsigned 32-bit; division or modulus by zero at run time rejects the packet;
 *   shifts by 32 or more give 0.
 */
import { assertNever } from '../core/errors.js';
import type { Packet } from '../decode/types.js';
import type { Arith, Dir, Expr, LoadProto, Primitive, RelOp } from './ast.js';
import { applyArith, constValue } from './parser.js';

/** How the link type lays out the frame. */
enum Link {
  Other = 0,
  Ether = 1,
  Sll = 2,
  Sll2 = 3,
  /** BSD loopback: 4-byte address family. */
  Null = 4,
  /** Raw IP: version nibble. */
  Raw = 5,
  Ipv4 = 6,
  Ipv6 = 7,
}

/** Per-filter scratch state, reset for every packet (no allocation per packet). */
export interface Ctx {
  d: Uint8Array;
  caplen: number;
  wirelen: number;
  link: Link;
  /** Offset of the link-layer type field (Ethernet, SLL). */
  lt: number;
  /** Offset of the network-layer header. */
  nl: number;
  /** Address family of a BSD loopback header (-1 if absent). */
  family: number;
  /** A load fell outside the captured bytes or divided by zero: the packet is rejected. */
  abort: boolean;
}

export type Pred = (c: Ctx) => boolean;
type Val = (c: Ctx) => number;

export function newCtx(): Ctx {
  return {
    d: new Uint8Array(0),
    caplen: 0,
    wirelen: 0,
    link: Link.Other,
    lt: 0,
    nl: 0,
    family: -1,
    abort: false,
  };
}

/** Link-layer geometry for a LINKTYPE_* value; undefined if wirelens filters do not know it. */
export function linkKind(linkType: number): Link {
  switch (linkType) {
    case 1:
      return Link.Ether;
    case 113:
      return Link.Sll;
    case 276:
      return Link.Sll2;
    case 0:
    case 108:
      return Link.Null;
    case 12:
    case 14:
    case 101:
      return Link.Raw;
    case 228:
      return Link.Ipv4;
    case 229:
      return Link.Ipv6;
    default:
      return Link.Other;
  }
}

export function setupCtx(c: Ctx, p: Packet): void {
  const f = p.frame;
  c.d = f.data;
  c.caplen = f.data.length;
  c.wirelen = f.origlen;
  c.abort = false;
  const k = linkKind(f.linkType);
  c.link = k;
  switch (k) {
    case Link.Ether:
      c.lt = 12;
      c.nl = 14;
      break;
    case Link.Sll:
      c.lt = 14;
      c.nl = 16;
      break;
    case Link.Sll2:
      c.lt = 0;
      c.nl = 20;
      break;
    case Link.Null: {
      c.lt = 0;
      c.nl = 4;
      // The family is in the writer's byte order; the decoder has worked out which.
      const l0 = p.layers[0];
      c.family = l0?.kind === 'null' ? l0.family : -1;
      break;
    }
    default:
      c.lt = 0;
      c.nl = 0;
      break;
  }
}

// ---- bounded loads: -1 (and abort) when outside the captured bytes ----

function ld8(c: Ctx, o: number): number {
  if (o < 0 || o + 1 > c.caplen) {
    c.abort = true;
    return -1;
  }
  return c.d[o] as number;
}

function ld16(c: Ctx, o: number): number {
  if (o < 0 || o + 2 > c.caplen) {
    c.abort = true;
    return -1;
  }
  const d = c.d;
  return ((d[o] as number) << 8) | (d[o + 1] as number);
}

function ld32(c: Ctx, o: number): number {
  if (o < 0 || o + 4 > c.caplen) {
    c.abort = true;
    return -1;
  }
  const d = c.d;
  return (
    (((d[o] as number) << 24) |
      ((d[o + 1] as number) << 16) |
      ((d[o + 2] as number) << 8) |
      (d[o + 3] as number)) >>>
    0
  );
}

// ---- combinators (left to right, short-circuit, an abort poisons everything after it) ----

const TRUE: Pred = () => true;
const FALSE: Pred = () => false;

function and(a: Pred, b: Pred): Pred {
  if (a === FALSE || b === TRUE) return a;
  if (a === TRUE) return b;
  return (c) => a(c) && b(c);
}

function or(a: Pred, b: Pred): Pred {
  if (a === TRUE || b === FALSE) return a;
  if (a === FALSE) return b;
  return (c) => a(c) || (!c.abort && b(c));
}

function not(a: Pred): Pred {
  if (a === TRUE) return FALSE;
  if (a === FALSE) return TRUE;
  return (c) => !a(c) && !c.abort;
}

// ---- link-layer protocol test (libpcap's gen_linktype) ----

const ETHERMTU = 1500;
/** LLC SAPs libpcap checks as DSAP and SSAP together: ISO, IP, NetBEUI. */
const DOUBLE_SAP = new Set([0xfe, 0x06, 0xf0]);

function linkIs(v: number, depth: number): Pred {
  const sh = 4 * depth;
  const dbl = DOUBLE_SAP.has(v);
  const vv = (v << 8) | v;
  const llc = v <= ETHERMTU;
  const ip4 = v === 0x0800;
  const ip6 = v === 0x86dd;
  return (c) => {
    switch (c.link) {
      case Link.Ether: {
        const t = ld16(c, c.lt + sh);
        if (!llc) return t === v;
        if (t < 0 || t > ETHERMTU) return false;
        return dbl ? ld16(c, c.nl + sh) === vv : ld8(c, c.nl + sh) === v;
      }
      case Link.Sll: {
        const t = ld16(c, c.lt);
        if (!llc) return t === v;
        if (t !== 0x0004) return false; // LINUX_SLL_P_802_2: an LLC header follows
        return dbl ? ld16(c, c.nl) === vv : ld8(c, c.nl) === v;
      }
      case Link.Sll2:
        return ld16(c, c.lt) === v;
      case Link.Null:
        if (!ip4 && !ip6) return false;
        if (c.caplen < 4) {
          c.abort = true;
          return false;
        }
        return ip4 ? c.family === 2 : c.family === 24 || c.family === 28 || c.family === 30;
      case Link.Raw: {
        if (!ip4 && !ip6) return false;
        const b = ld8(c, 0);
        return b >= 0 && (b & 0xf0) === (ip4 ? 0x40 : 0x60);
      }
      case Link.Ipv4:
        return ip4;
      case Link.Ipv6:
        return ip6;
      default:
        return false;
    }
  };
}

/** Network-header offset at a VLAN depth (tags exist only on Ethernet). */
function nlAt(c: Ctx, sh: number): number {
  return c.link === Link.Ether ? c.nl + sh : c.nl;
}

// ---- primitives ----

function byDir(dir: Dir, src: Pred, dst: Pred): Pred {
  switch (dir) {
    case 'src':
      return src;
    case 'dst':
      return dst;
    case 'src or dst':
      return or(src, dst);
    case 'src and dst':
      return and(src, dst);
  }
}

function host4(p: Extract<Primitive, { kind: 'host4' }>): Pred {
  const { addr, mask } = p;
  const sh = 4 * p.depth;
  const one = (ethertype: number, srcOff: number, dstOff: number): Pred => {
    const is = linkIs(ethertype, p.depth);
    const at =
      (off: number): Pred =>
      (c) => {
        const w = ld32(c, nlAt(c, sh) + off);
        return w >= 0 && (w & mask) >>> 0 === addr;
      };
    // libpcap repeats the protocol test before each address; testing it once is equivalent.
    const addrs = byDir(p.dir, at(srcOff), at(dstOff));
    return (c) => is(c) && addrs(c);
  };
  const ip = one(0x0800, 12, 16);
  const arp = one(0x0806, 14, 24);
  const rarp = one(0x8035, 14, 24);
  switch (p.proto) {
    case 'ip':
      return ip;
    case 'arp':
      return arp;
    case 'rarp':
      return rarp;
    case 'any':
      return or(or(ip, arp), rarp);
  }
}

function host6(p: Extract<Primitive, { kind: 'host6' }>): Pred {
  const a: number[] = [];
  const m: number[] = [];
  for (let w = 0; w < 4; w++) {
    let av = 0;
    let mv = 0;
    for (let b = 0; b < 4; b++) {
      const bit = (w * 4 + b) * 8;
      const mb = bit + 8 <= p.prefix ? 0xff : bit >= p.prefix ? 0 : (0xff << (8 - (p.prefix - bit))) & 0xff;
      av = av * 256 + ((p.addr[w * 4 + b] as number) & mb);
      mv = mv * 256 + mb;
    }
    a.push(av);
    m.push(mv);
  }
  const [a0, a1, a2, a3] = a as [number, number, number, number];
  const [m0, m1, m2, m3] = m as [number, number, number, number];
  const sh = 4 * p.depth;
  const is = linkIs(0x86dd, p.depth);
  const at =
    (off: number): Pred =>
    (c) => {
      const o = nlAt(c, sh) + off;
      let w = ld32(c, o);
      if (w < 0 || (w & m0) >>> 0 !== a0) return false;
      w = ld32(c, o + 4);
      if (w < 0 || (w & m1) >>> 0 !== a1) return false;
      w = ld32(c, o + 8);
      if (w < 0 || (w & m2) >>> 0 !== a2) return false;
      w = ld32(c, o + 12);
      return w >= 0 && (w & m3) >>> 0 === a3;
    };
  const addrs = byDir(p.dir, at(8), at(24));
  return (c) => is(c) && addrs(c);
}

function etherHost(p: Extract<Primitive, { kind: 'ether-host' }>): Pred {
  const hi = Math.floor(p.mac / 0x100000000);
  const lo = p.mac % 0x100000000;
  const at =
    (off: number): Pred =>
    (c) => {
      if (c.link !== Link.Ether) return false;
      // libpcap compares the last four bytes first, then the first two.
      const l = ld32(c, off + 2);
      return l >= 0 && l === lo && ld16(c, off) === hi;
    };
  return byDir(p.dir, at(6), at(0));
}

const PORT_PROTOS: Record<'any' | 'tcp' | 'udp' | 'sctp', readonly number[]> = {
  any: [6, 17, 132],
  tcp: [6],
  udp: [17],
  sctp: [132],
};

function port(p: Extract<Primitive, { kind: 'port' }>): Pred {
  const { lo, hi } = p;
  const protos = PORT_PROTOS[p.proto];
  const multi = protos.length > 1;
  const only = protos[0] as number;
  const sh = 4 * p.depth;
  const is4 = linkIs(0x0800, p.depth);
  const is6 = linkIs(0x86dd, p.depth);
  const inRange = (v: number) => v >= lo && v <= hi;
  // Transport-header offset, or -1 if this is not a first fragment of a matching protocol.
  const base4 = (c: Ctx): number => {
    if (!is4(c)) return -1;
    const nl = nlAt(c, sh);
    const pr = ld8(c, nl + 9);
    if (pr < 0 || (multi ? !protos.includes(pr) : pr !== only)) return -1;
    const ff = ld16(c, nl + 6);
    if (ff < 0 || (ff & 0x1fff) !== 0) return -1;
    return nl + 4 * ((c.d[nl] as number) & 0x0f);
  };
  const base6 = (c: Ctx): number => {
    if (!is6(c)) return -1;
    const nl = nlAt(c, sh);
    const nh = ld8(c, nl + 6);
    if (nh < 0 || (multi ? !protos.includes(nh) : nh !== only)) return -1;
    return nl + 40;
  };
  const check = (base: (c: Ctx) => number): Pred => {
    const src: Pred = (c) => {
      const b = base(c);
      return b >= 0 && inRange(ld16(c, b));
    };
    const dst: Pred = (c) => {
      const b = base(c);
      return b >= 0 && inRange(ld16(c, b + 2));
    };
    switch (p.dir) {
      case 'src':
        return src;
      case 'dst':
        return dst;
      case 'src or dst':
        return (c) => {
          const b = base(c);
          if (b < 0) return false;
          if (inRange(ld16(c, b))) return true;
          return !c.abort && inRange(ld16(c, b + 2));
        };
      case 'src and dst':
        return (c) => {
          const b = base(c);
          return b >= 0 && inRange(ld16(c, b)) && inRange(ld16(c, b + 2));
        };
    }
  };
  return or(check(base4), check(base6));
}

function ipProto(family: 'any' | 4 | 6, v: number, depth: number): Pred {
  const sh = 4 * depth;
  const is4 = linkIs(0x0800, depth);
  const is6 = linkIs(0x86dd, depth);
  const v4: Pred = (c) => is4(c) && ld8(c, nlAt(c, sh) + 9) === v;
  const v6: Pred = (c) => {
    if (!is6(c)) return false;
    const nl = nlAt(c, sh);
    const nh = ld8(c, nl + 6);
    if (nh === v) return true;
    // libpcap also accepts a fragment header followed by the protocol.
    return nh === 44 && ld8(c, nl + 40) === v;
  };
  return family === 4 ? v4 : family === 6 ? v6 : or(v4, v6);
}

function broadcast(p: Extract<Primitive, { kind: 'broadcast' }>): Pred {
  if (p.level === 'link')
    return (c) => c.link === Link.Ether && ld32(c, 2) === 0xffffffff && ld16(c, 0) === 0xffff;
  const hm = p.hostmask;
  const sh = 4 * p.depth;
  const is = linkIs(0x0800, p.depth);
  return (c) => {
    if (!is(c)) return false;
    const w = ld32(c, nlAt(c, sh) + 16);
    if (w < 0) return false;
    const h = (w & hm) >>> 0;
    return h === 0 || h === hm;
  };
}

function multicast(p: Extract<Primitive, { kind: 'multicast' }>): Pred {
  const sh = 4 * p.depth;
  switch (p.level) {
    case 'link':
      return (c) => {
        if (c.link !== Link.Ether) return false;
        const b = ld8(c, 0);
        return b >= 0 && (b & 1) !== 0;
      };
    case 'ip': {
      const is = linkIs(0x0800, p.depth);
      return (c) => is(c) && ld8(c, nlAt(c, sh) + 16) >= 224;
    }
    case 'ip6': {
      const is = linkIs(0x86dd, p.depth);
      return (c) => is(c) && ld8(c, nlAt(c, sh) + 24) === 255;
    }
  }
}

function vlan(p: Extract<Primitive, { kind: 'vlan' }>): Pred {
  const sh = 4 * p.depth;
  const id = p.id;
  return (c) => {
    if (c.link !== Link.Ether) return false;
    const t = ld16(c, c.lt + sh);
    if (t !== 0x8100 && t !== 0x88a8 && t !== 0x9100) return false;
    if (id === undefined) return true;
    const tci = ld16(c, c.nl + sh);
    return tci >= 0 && (tci & 0x0fff) === id;
  };
}

// ---- arithmetic ----

const TRANSPORT_PROTO: Partial<Record<LoadProto, number>> = {
  tcp: 6,
  udp: 17,
  sctp: 132,
  icmp: 1,
  igmp: 2,
  igrp: 9,
  pim: 103,
  vrrp: 112,
  carp: 112,
};

/** The checks libpcap puts in front of a `proto[...]` load. */
function loadGuard(proto: LoadProto, depth: number): Pred {
  switch (proto) {
    case 'link':
      return TRUE;
    case 'ip':
      return linkIs(0x0800, depth);
    case 'ip6':
      return linkIs(0x86dd, depth);
    case 'arp':
      return linkIs(0x0806, depth);
    case 'rarp':
      return linkIs(0x8035, depth);
    case 'icmp6': {
      const is = linkIs(0x86dd, depth);
      const sh = 4 * depth;
      return (c) => is(c) && ld8(c, nlAt(c, sh) + 6) === 58;
    }
    default: {
      // IPv4 only, the protocol, and the first (or only) fragment.
      const pr = TRANSPORT_PROTO[proto] as number;
      const is = linkIs(0x0800, depth);
      const sh = 4 * depth;
      return (c) => {
        if (!is(c)) return false;
        const nl = nlAt(c, sh);
        if (ld8(c, nl + 9) !== pr) return false;
        const ff = ld16(c, nl + 6);
        return ff >= 0 && (ff & 0x1fff) === 0;
      };
    }
  }
}

function collectGuards(a: Arith, out: Pred[]): void {
  switch (a.kind) {
    case 'num':
    case 'len':
      return;
    case 'load':
      collectGuards(a.index, out);
      out.push(loadGuard(a.proto, a.depth));
      return;
    case 'binary':
      collectGuards(a.left, out);
      collectGuards(a.right, out);
      return;
    case 'neg':
      collectGuards(a.expr, out);
      return;
    default:
      assertNever(a, 'arithmetic node');
  }
}

function readSized(c: Ctx, off: number, size: 1 | 2 | 4): number {
  const v = size === 1 ? ld8(c, off) : size === 2 ? ld16(c, off) : ld32(c, off);
  return Math.max(v, 0);
}

function load(a: Extract<Arith, { kind: 'load' }>): Val {
  const { size } = a;
  const sh = 4 * a.depth;
  const k = constValue(a.index);
  const idx = k === undefined ? value(a.index) : undefined;
  // A constant index is folded into the instruction's offset by libpcap (32-bit wrap-around);
  // a computed one is added at run time.
  switch (a.proto) {
    case 'link':
      return idx ? (c) => readSized(c, idx(c), size) : (c) => readSized(c, k as number, size);
    case 'ip':
    case 'ip6':
    case 'arp':
    case 'rarp':
      return idx
        ? (c) => readSized(c, nlAt(c, sh) + idx(c), size)
        : (c) => readSized(c, (nlAt(c, sh) + (k as number)) >>> 0, size);
    case 'icmp6':
      return idx
        ? (c) => readSized(c, nlAt(c, sh) + 40 + idx(c), size)
        : (c) => readSized(c, (nlAt(c, sh) + 40 + (k as number)) >>> 0, size);
    default:
      // Transport header: after the IPv4 header, whose length is the IHL nibble.
      return idx
        ? (c) => {
            const nl = nlAt(c, sh);
            const i = idx(c);
            return readSized(c, nl + ((i + 4 * ((c.d[nl] as number) & 0x0f)) >>> 0), size);
          }
        : (c) => {
            const nl = nlAt(c, sh);
            const kk = (nl + (k as number)) >>> 0;
            if (kk > c.caplen) {
              c.abort = true;
              return 0;
            }
            return readSized(c, kk + 4 * ((c.d[nl] as number) & 0x0f), size);
          };
  }
}

function value(a: Arith): Val {
  const k = constValue(a);
  if (k !== undefined) return () => k;
  switch (a.kind) {
    case 'num':
      return () => a.value;
    case 'len':
      return (c) => c.wirelen;
    case 'load':
      return load(a);
    case 'neg': {
      const e = value(a.expr);
      return (c) => (0 - e(c)) >>> 0;
    }
    case 'binary': {
      const l = value(a.left);
      const r = value(a.right);
      const op = a.op;
      switch (op) {
        case '/':
        case '%':
          return (c) => {
            const x = l(c);
            const y = r(c);
            if (y === 0) {
              c.abort = true;
              return 0;
            }
            return op === '/' ? Math.floor(x / y) >>> 0 : x % y;
          };
        default:
          return (c) => applyArith(op, l(c), r(c)) as number;
      }
    }
    default:
      return assertNever(a, 'arithmetic node');
  }
}

function relation(p: Extract<Primitive, { kind: 'relation' }>): Pred {
  const guards: Pred[] = [];
  collectGuards(p.left, guards);
  collectGuards(p.right, guards);
  let guard: Pred = TRUE;
  for (const g of guards) guard = and(guard, g);
  const lk = constValue(p.left);
  const rk = constValue(p.right);
  const cmp = COMPARE[p.op];
  if (lk !== undefined && rk !== undefined) return cmp(lk, rk) ? TRUE : FALSE;
  const l = value(p.left);
  const r = value(p.right);
  return (c) => {
    if (!guard(c)) return false;
    const x = l(c);
    const y = r(c);
    return !c.abort && cmp(x, y);
  };
}

const COMPARE: Record<RelOp, (x: number, y: number) => boolean> = {
  '=': (x, y) => x === y,
  '!=': (x, y) => x !== y,
  '<': (x, y) => x < y,
  '<=': (x, y) => x <= y,
  '>': (x, y) => x > y,
  '>=': (x, y) => x >= y,
};

/** Compile an AST into a predicate over a prepared `Ctx`. */
export function compileExpr(e: Expr): Pred {
  switch (e.kind) {
    case 'true':
      return TRUE;
    case 'and':
      return and(compileExpr(e.left), compileExpr(e.right));
    case 'or':
      return or(compileExpr(e.left), compileExpr(e.right));
    case 'not':
      return not(compileExpr(e.expr));
    case 'host4':
      return host4(e);
    case 'host6':
      return host6(e);
    case 'ether-host':
      return etherHost(e);
    case 'port':
      return port(e);
    case 'link-proto':
      return linkIs(e.value, e.depth);
    case 'ip-proto':
      return ipProto(e.family, e.value, e.depth);
    case 'broadcast':
      return broadcast(e);
    case 'multicast':
      return multicast(e);
    case 'vlan':
      return vlan(e);
    case 'length': {
      const v = e.value;
      return e.op === 'less' ? (c) => c.wirelen <= v : (c) => c.wirelen >= v;
    }
    case 'relation':
      return relation(e);
    default:
      return assertNever(e, 'filter node');
  }
}
