/**
 * tcpdump/libpcap filter expressions evaluated on decoded packets.
 *
 * ```ts
 * const f = compileFilter('tcp port 80 or 443');   // throws FilterSyntaxError (exit code 2)
 * if (f.matches(decodeFrame(frame))) ...             // fast: closures, no allocation per packet
 * describeFilter(f)                                 // 'tcp port 80 or tcp port 443'
 * f.linkTypeError(113)                              // libpcap's refusal for this link type, if any
 * ```
 *
 * Only libpcap syntax is accepted, so any expression that compiles here is one libpcap accepts
 * as-is (for a live capture the same string goes to pcap_compile). Two libpcap refusals depend on
 * the capture, not on the text, and are reported separately: primitives that need a link type the
 * capture does not have (`vlan`, `ether host` on Linux cooked captures: `linkTypeError`), and
 * libpcap's optimizer refusing expressions it proves can never match ("expression rejects all
 * packets", e.g. `tcp and udp`); those simply match nothing here.
 *
 * See README.md in this folder for the grammar and the exact semantics.
 */
import { linkTypeName } from '../capture/linktype.js';
import type { Packet } from '../decode/types.js';
import type { Arith, Expr } from './ast.js';
import { describeExpr } from './describe.js';
import { FilterSyntaxError } from './errors.js';
import { compileExpr, linkKind, newCtx, setupCtx } from './evaluate.js';
import { parseFilter } from './parser.js';

const NO_BYTES = new Uint8Array(0);

export type { Arith, Dir, Expr, LoadProto, Primitive, RelOp } from './ast.js';
export { FilterSyntaxError } from './errors.js';

export interface Filter {
  /** The expression as given. */
  readonly source: string;
  /** The parsed expression (qualifiers inherited, names resolved). */
  readonly ast: Expr;
  /** True if the packet is selected. Never throws. */
  matches(p: Packet): boolean;
  /**
   * Why libpcap would refuse this filter for a capture of this LINKTYPE_* (undefined if it
   * would not): `vlan`, `ether host/src/dst`, `broadcast` and `multicast` need Ethernet.
   * `matches` returns false for such primitives on such packets.
   */
  linkTypeError(linkType: number): string | undefined;
}

export interface CompileOptions {
  /**
   * Netmask for `ip broadcast` (default 0, as tcpdump uses when reading a file: destination
   * 255.255.255.255 or 0.0.0.0). Pass the interface's mask for live captures; 0xffffffff means
   * unknown and makes `ip broadcast` an error, as in libpcap.
   */
  readonly netmask?: number;
}

/** Ethernet-only primitive in an AST, or undefined. */
function ethernetOnly(e: Expr): string | undefined {
  switch (e.kind) {
    case 'and':
    case 'or':
      return ethernetOnly(e.left) ?? ethernetOnly(e.right);
    case 'not':
      return ethernetOnly(e.expr);
    case 'vlan':
      return "'vlan'";
    case 'ether-host':
      return 'Ethernet addresses (ether host/src/dst)';
    case 'broadcast':
      return e.level === 'link' ? "link-layer 'broadcast'" : undefined;
    case 'multicast':
      return e.level === 'link' ? "link-layer 'multicast'" : undefined;
    default:
      return undefined;
  }
}

function arithNeedsLink(a: Arith): boolean {
  switch (a.kind) {
    case 'num':
    case 'len':
      return false;
    case 'load':
      return a.proto !== 'link' || arithNeedsLink(a.index);
    case 'binary':
      return arithNeedsLink(a.left) || arithNeedsLink(a.right);
    case 'neg':
      return arithNeedsLink(a.expr);
  }
}

/** True if the expression looks at anything but raw frame bytes and lengths. */
function needsLinkType(e: Expr): boolean {
  switch (e.kind) {
    case 'true':
    case 'length':
      return false;
    case 'and':
    case 'or':
      return needsLinkType(e.left) || needsLinkType(e.right);
    case 'not':
      return needsLinkType(e.expr);
    case 'relation':
      return arithNeedsLink(e.left) || arithNeedsLink(e.right);
    default:
      return true;
  }
}

/** Compile a libpcap filter expression once; throws FilterSyntaxError. An empty expression matches everything. */
export function compileFilter(expr: string, options: CompileOptions = {}): Filter {
  const ast = parseFilter(expr, { netmask: options.netmask ?? 0 });
  const pred = compileExpr(ast);
  const ctx = newCtx();
  // No expression matches every packet: nothing to set up for it.
  const all = ast.kind === 'true';
  return {
    source: expr,
    ast,
    matches(p: Packet): boolean {
      if (all) return true;
      setupCtx(ctx, p);
      const r = pred(ctx) && !ctx.abort;
      ctx.d = NO_BYTES; // do not keep the reader's buffer alive
      return r;
    },
    linkTypeError(linkType: number): string | undefined {
      const kind = linkKind(linkType);
      const name = `link type ${linkType} (${linkTypeName(linkType)})`;
      if (kind === 0) return needsLinkType(ast) ? `wirelens filters do not support ${name}` : undefined;
      if (kind === 1) return undefined;
      const what = ethernetOnly(ast);
      return what === undefined ? undefined : `${what} needs Ethernet framing, but the capture is ${name}`;
    },
  };
}

/** The syntax error libpcap-wise in `expr`, or undefined if it is a valid filter (that wirelens implements). */
export function validateFilter(expr: string, options: CompileOptions = {}): FilterSyntaxError | undefined {
  try {
    parseFilter(expr, { netmask: options.netmask ?? 0 });
    return undefined;
  } catch (e) {
    if (e instanceof FilterSyntaxError) return e;
    throw e;
  }
}

/**
 * True if `expr` can be handed to libpcap as-is: everything wirelens accepts is valid libpcap
 * syntax with the same meaning (wirelens rejects some valid libpcap, such as host names).
 */
export function isValidFilter(expr: string, options: CompileOptions = {}): boolean {
  return validateFilter(expr, options) === undefined;
}

/** Normalised text of a filter: explicit qualifiers, resolved names, full parentheses. */
export function describeFilter(f: Filter): string {
  return describeExpr(f.ast);
}
