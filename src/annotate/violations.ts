/**
 * Registry violations a packet's addresses can show, as stable anomaly ids (never English;
 * the catalogue holds one summary sentence per id for the report layer).
 *
 * The checks read the registry columns (`Source`, `Destination`) and the data flags of each
 * entry (`tag`, `linkLocal`, `initOnlySource`), so a registry update changes them without code.
 * RFC 6890 defines Source and Destination for "a datagram that transits two devices": traffic
 * between two loopback addresses never leaves the host, so it is not held to them.
 */
import { defineAnomalies } from '../core/anomaly.js';
import { type AddressClass, classifyIp } from './classify.js';

export const ADDR_ANOMALIES = defineAnomalies({
  'addr.bad-source': {
    severity: 'warning',
    summary:
      'The source address is not valid as a source: its block says Source = False in the IANA ' +
      'special-purpose registry (or it is multicast).',
  },
  'addr.bad-destination': {
    severity: 'warning',
    summary: 'The destination address is not valid as a destination: its block says Destination = False.',
  },
  'addr.unspecified-source': {
    severity: 'warning',
    summary:
      'Unspecified ("this network") source address outside the exchanges that may use it while a ' +
      'host learns its address (DHCP, IGMP, neighbour discovery, MLD).',
  },
  'addr.documentation': {
    severity: 'warning',
    summary:
      'A documentation address (RFC 5737, RFC 3849, RFC 9637, RFC 6676) on a live network: ' +
      'copied from an example, or a capture made for teaching.',
  },
  'addr.benchmarking': {
    severity: 'note',
    summary:
      'A benchmarking address (RFC 2544, RFC 5180) outside a test lab (some VPN and proxy tools use it).',
  },
  'addr.link-local-routed': {
    severity: 'warning',
    summary:
      'Link-local traffic whose TTL or hop limit is below the sender\u2019s initial value: it crossed ' +
      'a router, which must never forward it.',
  },
  'addr.nat64-non-global': {
    severity: 'warning',
    summary:
      'The NAT64 Well-Known Prefix 64:ff9b::/96 carries a non-global IPv4 address, which RFC 6052 ' +
      'section 3.1 forbids.',
  },
});

export type AddrViolation = (typeof ADDR_ANOMALIES)[keyof typeof ADDR_ANOMALIES];

/** The upper-layer header, when known: decides whether an unspecified source is legitimate. */
export interface UpperLayer {
  /** IPv4 protocol / IPv6 next header of the upper-layer header (17 UDP, 2 IGMP, 58 ICMPv6). */
  readonly proto: number;
  readonly srcPort?: number;
  readonly dstPort?: number;
  readonly icmpType?: number;
}

const NONE: readonly AddrViolation[] = Object.freeze([]);

/**
 * May a host that does not know its address yet send this? DHCP/BOOTP client to server (UDP
 * 68 -> 67, RFC 2131) and IGMP reports (RFC 3376 section 4.2.13) for IPv4; for IPv6 router
 * solicitations (133) and neighbour solicitations for duplicate address detection (135)
 * (RFC 4861, RFC 4862) and MLD reports (131, 143; RFC 3590, RFC 9777).
 */
export function isAddressConfigExchange(family: 4 | 6, upper: UpperLayer): boolean {
  if (family === 4)
    return (upper.proto === 17 && upper.srcPort === 68 && upper.dstPort === 67) || upper.proto === 2;
  if (upper.proto !== 58) return false;
  const t = upper.icmpType;
  return t === 133 || t === 135 || t === 131 || t === 143;
}

/**
 * Violations of the source address alone. `upper` omitted: the unspecified-source check is
 * skipped (it cannot be decided without the upper layer).
 */
export function sourceViolations(src: AddressClass, upper?: UpperLayer): readonly AddrViolation[] {
  const out = new ViolationBuffer();
  addSource(out, src, upper);
  return out.toArray();
}

/** Violations of the destination address alone. */
export function destinationViolations(dst: AddressClass): readonly AddrViolation[] {
  const out = new ViolationBuffer();
  addDestination(out, dst);
  return out.toArray();
}

/**
 * The violations of one packet, `ids[0 … n)`, each id once, in the order found. Per-packet callers
 * keep one and `clear` it: it is never shortened, so it never reallocates (setting an array's
 * length to 0 drops its storage in V8, and the next push allocates it anew: on every packet whose
 * addresses raise a violation, such as traffic to a documentation address).
 */
export class ViolationBuffer {
  readonly ids: AddrViolation[] = [];
  n = 0;

  clear(): void {
    this.n = 0;
  }

  add(id: AddrViolation): void {
    for (let i = 0; i < this.n; i++) if (this.ids[i] === id) return;
    this.ids[this.n++] = id;
  }

  /** The ids found, as an array of their own (a shared empty one when none). */
  toArray(): readonly AddrViolation[] {
    return this.n === 0 ? NONE : this.ids.slice(0, this.n);
  }
}

function addSource(out: ViolationBuffer, src: AddressClass, upper: UpperLayer | undefined): void {
  // A documentation address gets the specific id instead of the generic Source = False.
  if (src.tag === 'doc') out.add(ADDR_ANOMALIES['addr.documentation']);
  else if (src.attrs.source === false) out.add(ADDR_ANOMALIES['addr.bad-source']);
  else if (src.initOnlySource && upper !== undefined && !isAddressConfigExchange(src.family, upper)) {
    out.add(ADDR_ANOMALIES['addr.unspecified-source']);
  }
  addCommon(out, src);
}

function addDestination(out: ViolationBuffer, dst: AddressClass): void {
  if (dst.tag === 'doc') out.add(ADDR_ANOMALIES['addr.documentation']);
  else if (dst.attrs.destination === false) out.add(ADDR_ANOMALIES['addr.bad-destination']);
  addCommon(out, dst);
}

function addCommon(out: ViolationBuffer, c: AddressClass): void {
  if (c.tag === 'benchmark') out.add(ADDR_ANOMALIES['addr.benchmarking']);
  const e = c.embedded;
  if (e !== undefined && e.kind === 'nat64-wkp' && e.class.attrs.globallyReachable !== true) {
    out.add(ADDR_ANOMALIES['addr.nat64-non-global']);
  }
}

/**
 * Can an address of this class take part in a violation, as a source (`asSource`) or as a
 * destination? When neither address of a packet can, `classViolations` finds nothing whatever the
 * TTL and upper layer: per-packet callers skip it.
 */
export function canViolate(c: AddressClass, asSource: boolean): boolean {
  if (c.linkLocal || c.tag === 'doc' || c.tag === 'benchmark') return true;
  if (asSource ? c.attrs.source === false || c.initOnlySource : c.attrs.destination === false) return true;
  const e = c.embedded;
  return e !== undefined && e.kind === 'nat64-wkp' && e.class.attrs.globallyReachable !== true;
}

/**
 * Initial TTL / hop limit candidates. Senders start at 64 (Linux, macOS, IPv6 default), 128
 * (Windows), 255 (network gear, NDP, mDNS), 32 (old stacks), or 1 for traffic that must stay
 * on the link by construction (IGMP, OSPF, PIM, MLD): without 1, every IGMP report would look
 * as if it had crossed 31 routers.
 */
export const INITIAL_TTLS: readonly number[] = Object.freeze([1, 32, 64, 128, 255]);

/** The sender's most likely initial TTL: the nearest candidate at or above the observed value. */
export function inferInitialTtl(ttl: number): number {
  const known = INITIAL_TTL_OF[ttl];
  if (known !== undefined) return known;
  for (const t of INITIAL_TTLS) if (ttl <= t) return t;
  return 255;
}

/** `inferInitialTtl` of every 8-bit TTL, computed once: it runs for every packet. */
const INITIAL_TTL_OF: Uint8Array = Uint8Array.from({ length: 256 }, (_, ttl) => {
  for (const t of INITIAL_TTLS) if (ttl <= t) return t;
  return 255;
});

/** Routers crossed, assuming the inferred initial TTL (0: came straight from the sender). */
export function hopsTaken(ttl: number): number {
  return inferInitialTtl(ttl) - ttl;
}

/** Link-scoped source or destination, yet the TTL shows at least one router on the way. */
export function crossedRouter(src: AddressClass, dst: AddressClass, ttl: number): boolean {
  return (src.linkLocal || dst.linkLocal) && hopsTaken(ttl) > 0;
}

/**
 * Every address violation of one packet, from classified addresses. `ttl` is the IPv4 TTL or
 * IPv6 hop limit as captured. Returns a shared empty array when there are none.
 */
export function classViolations(
  src: AddressClass,
  dst: AddressClass,
  ttl: number,
  upper?: UpperLayer,
): readonly AddrViolation[] {
  const out = new ViolationBuffer();
  collectViolations(out, src, dst, ttl, upper);
  return out.toArray();
}

/** `classViolations` into `out`, cleared first: per-packet callers reuse one buffer. */
export function collectViolations(
  out: ViolationBuffer,
  src: AddressClass,
  dst: AddressClass,
  ttl: number,
  upper?: UpperLayer,
): void {
  out.clear();
  const insideHost = src.tag === 'loopback' && dst.tag === 'loopback';
  if (!insideHost) {
    addSource(out, src, upper);
    addDestination(out, dst);
  }
  if (crossedRouter(src, dst, ttl)) out.add(ADDR_ANOMALIES['addr.link-local-routed']);
}

export interface PacketAddresses {
  /** IPv4 number or 16-byte IPv6 address. */
  readonly src: number | Uint8Array;
  readonly dst: number | Uint8Array;
  /** IPv4 TTL or IPv6 hop limit. */
  readonly ttl: number;
  readonly upper?: UpperLayer;
}

/** `classViolations` for raw addresses. */
export function packetViolations(p: PacketAddresses): readonly AddrViolation[] {
  return classViolations(classifyIp(p.src), classifyIp(p.dst), p.ttl, p.upper);
}
