/**
 * The one decoding loop: walk from the link type through the registry, decoder by decoder, until
 * a decoder says there is nothing more it knows. Decoders never call each other; this loop is the
 * only place that chains them (including the datagram quoted inside an ICMP error).
 */

import { linkTypeName } from '../capture/linktype.js';
import type { Frame } from '../capture/types.js';
import { type Anomaly, anomaly } from '../core/anomaly.js';
import { DA } from './anomalies.js';
import { decodeArp } from './network/arp.js';
import { decodeIpv4 } from './network/ipv4.js';
import { decodeIpv6 } from './network/ipv6.js';
import { ethertypeName, ipProtoName, registry } from './registry.js';
import { newResult } from './result.js';
import { decodeTcp } from './transport/tcp.js';
import { decodeUdp } from './transport/udp.js';
import type {
  ArpLayer,
  DecodeResult,
  Decoder,
  Icmp4Layer,
  Icmp6Layer,
  IpContext,
  Ipv4Layer,
  Ipv6Layer,
  Layer,
  NextSpace,
  Packet,
  PacketStatus,
  TcpLayer,
  UdpLayer,
} from './types.js';

/** Deepest header chain we follow (tags, tunnels, quoted datagrams together). */
export const MAX_LAYERS = 32;

/**
 * The registry's maps as arrays indexed by number, for the walk: an array element is read in one
 * step where a map is hashed, and the walk looks up three or four decoders a packet.
 */
function dense(m: ReadonlyMap<number, Decoder>, size: number): (Decoder | undefined)[] {
  const a = new Array<Decoder | undefined>(size).fill(undefined);
  for (const [k, d] of m) if (k >= 0 && k < size) a[k] = d;
  return a;
}
const BY_LINK = dense(registry.link, 1024);
const BY_ETHERTYPE = dense(registry.ethertype, 65536);
const BY_IPPROTO = dense(registry.ipproto, 256);
const BY_UDP_PORT = dense(registry.udpPort, 65536);
const BY_TCP_PORT = dense(registry.tcpPort, 65536);

/**
 * What one walk accumulates, and what it hands its decoders: one object per walk (per packet, plus
 * one per ICMP quote, whose nested walk has its own, so nothing a walk reads is overwritten under
 * it). All of it is short-lived on purpose: a long-lived holder reused for every packet would save
 * these few allocations but pay V8's old-to-young write barrier on every store of a new layer.
 */
interface Walk {
  readonly layers: Layer[];
  /** The anomalies found: decoders push here (`res.anomalies` is this array). */
  readonly anomalies: Anomaly[];
  /** The context for the next decoder, updated in place when an IP header changes it. */
  readonly ctx: { cut: boolean; ip: IpContext | undefined; quoted: boolean };
  /** The one result object every decoder of this walk fills, read right after each call. */
  readonly res: DecodeResult;
  payloadOffset: number;
  payloadEnd: number;
  /** Outermost IP, TCP, UDP and ARP layers (set by the packet's walk only, not a quote's). */
  ip: Ipv4Layer | Ipv6Layer | undefined;
  tcp: TcpLayer | undefined;
  udp: UdpLayer | undefined;
  arp: ArpLayer | undefined;
}

function newWalk(cut: boolean, quoted: boolean): Walk {
  const anomalies: Anomaly[] = [];
  return {
    layers: [],
    anomalies,
    ctx: { cut, ip: undefined, quoted },
    res: newResult(anomalies),
    payloadOffset: 0,
    payloadEnd: 0,
    ip: undefined,
    tcp: undefined,
    udp: undefined,
    arp: undefined,
  };
}

function walk(
  d: Uint8Array,
  off: number,
  end: number,
  space: NextSpace,
  value: number,
  w: Walk,
  top: boolean,
): void {
  const ctx = w.ctx;
  const res = w.res;
  w.payloadOffset = off;
  w.payloadEnd = end;
  for (let depth = 0; ; depth++) {
    if (space === 'none') return;
    if (depth >= MAX_LAYERS) {
      w.anomalies.push(anomaly(DA['too-deep'], 'decode', off, `more than ${MAX_LAYERS} headers`));
      return;
    }
    if (space === 'ip-version') {
      if (off >= end) {
        // Nothing where an IP header should start (a quote may legitimately stop here).
        if (!ctx.quoted)
          w.anomalies.push(anomaly(ctx.cut ? DA.truncated : DA['too-short'], 'ip', off, 'no IP header'));
        return;
      }
      const version = (d[off] as number) >> 4;
      if (version === 4) value = 0x0800;
      else if (version === 6) value = 0x86dd;
      else {
        w.layers.push({
          kind: 'undecoded',
          offset: off,
          headerLength: end - off,
          what: `ip version ${version}`,
        });
        w.anomalies.push(anomaly(DA['ipv4.bad-version'], 'ip', off, `version nibble ${version}`));
        return;
      }
      space = 'ethertype';
    }
    if (space === 'quoted-ip') {
      // Handled by the caller: the ICMP layer gets the quoted layers attached.
      return;
    }
    let dec: Decoder | undefined;
    switch (space) {
      case 'link':
        dec = value < BY_LINK.length ? BY_LINK[value] : registry.link.get(value);
        if (!dec) {
          w.layers.push({
            kind: 'undecoded',
            offset: off,
            headerLength: end - off,
            what: `linktype ${value} (${linkTypeName(value)})`,
          });
          w.anomalies.push(anomaly(DA['unsupported-linktype'], 'link', off, `linktype ${value}`));
          return;
        }
        break;
      case 'ethertype':
        dec = BY_ETHERTYPE[value];
        if (!dec) {
          if (off < end)
            w.layers.push({
              kind: 'undecoded',
              offset: off,
              headerLength: end - off,
              what: ethertypeName(value),
            });
          return;
        }
        break;
      case 'llc':
        dec = registry.llc;
        break;
      case 'ipproto':
        dec = BY_IPPROTO[value];
        if (!dec) {
          if (off < end)
            w.layers.push({
              kind: 'undecoded',
              offset: off,
              headerLength: end - off,
              what: ipProtoName(value),
            });
          return;
        }
        break;
      case 'udp':
      case 'tcp': {
        const t = w.layers[w.layers.length - 1];
        if ((t?.kind !== 'udp' && t?.kind !== 'tcp') || off >= end) return;
        const table = t.kind === 'udp' ? BY_UDP_PORT : BY_TCP_PORT;
        dec = table[t.dstPort] ?? table[t.srcPort];
        if (!dec) return;
        break;
      }
    }
    dec(d, off, end, ctx, res);
    const layer = res.layer;
    if (!layer) {
      // Header-less link types (RAW) only name what follows; failures have next 'none'.
      if (res.next === 'none') return;
      off = res.payloadOffset;
      end = res.payloadEnd;
      space = res.next;
      value = res.nextValue;
      continue;
    }
    // Only ICMP errors quote a datagram.
    if (res.next === 'quoted-ip') {
      const inner = newWalk(ctx.cut, true);
      walk(d, res.payloadOffset, res.payloadEnd, 'ip-version', 0, inner, false);
      const icmp = layer as Icmp4Layer | Icmp6Layer;
      w.layers.push(inner.layers.length > 0 ? { ...icmp, quoted: inner.layers } : icmp);
      // A quote is cut short by design: only its malformations are news.
      for (const a of inner.anomalies) if (a.severity !== 'truncated') w.anomalies.push(a);
      // The inner walk has its own result: `res` still holds the ICMP header's.
      w.payloadOffset = res.payloadOffset;
      w.payloadEnd = res.payloadEnd;
      return;
    }
    w.layers.push(layer);
    if (top) {
      // Each decoder makes layers of one kind, so the decoder says which of the packet's own layers
      // this is (reading `layer.kind` here would be a lookup by name: the layers have a dozen shapes).
      if (dec === decodeTcp) {
        if (!w.tcp) w.tcp = layer as TcpLayer;
      } else if (dec === decodeUdp) {
        if (!w.udp) w.udp = layer as UdpLayer;
      } else if (dec === decodeIpv4 || dec === decodeIpv6) {
        if (!w.ip) w.ip = layer as Ipv4Layer | Ipv6Layer;
      } else if (dec === decodeArp) {
        if (!w.arp) w.arp = layer as ArpLayer;
      }
    }
    w.payloadOffset = res.payloadOffset;
    w.payloadEnd = res.payloadEnd;
    if (res.ip) ctx.ip = res.ip;
    if (res.cut !== undefined) ctx.cut = res.cut;
    off = res.payloadOffset;
    end = res.payloadEnd;
    space = res.next;
    value = res.nextValue;
  }
}

const RANK: Record<PacketStatus, number> = { decoded: 0, unsupported: 1, truncated: 2, malformed: 3 };

/** Accounting class from the anomalies: malformed beats truncated beats unsupported. */
export function statusOf(anomalies: readonly Anomaly[]): PacketStatus {
  let s: PacketStatus = 'decoded';
  for (const a of anomalies) {
    const sev = a.severity;
    if ((sev === 'malformed' || sev === 'truncated' || sev === 'unsupported') && RANK[sev] > RANK[s]) s = sev;
  }
  return s;
}

/** Decode one frame into its layers. Never throws: an unexpected error becomes a `decoder-bug` anomaly. */
export function decodeFrame(frame: Frame): Packet {
  const w = newWalk(frame.caplen < frame.origlen, false);
  try {
    walk(frame.data, 0, frame.data.length, 'link', frame.linkType, w, true);
  } catch (e) {
    w.anomalies.push(anomaly(DA['decoder-bug'], 'decode', -1, e instanceof Error ? e.message : String(e)));
  }
  return {
    frame,
    layers: w.layers,
    anomalies: w.anomalies,
    status: statusOf(w.anomalies),
    ip: w.ip,
    tcp: w.tcp,
    udp: w.udp,
    arp: w.arp,
    payloadOffset: w.payloadOffset,
    payloadLength: Math.max(0, w.payloadEnd - w.payloadOffset),
  };
}
