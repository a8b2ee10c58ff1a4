/**
 * The one decoding loop: walk from the link type through the registry, decoder by decoder, until
 * a decoder says there is nothing more it knows. Decoders never call each other; this loop is the
 * only place that chains them (including the datagram quoted inside an ICMP error).
 */

import { linkTypeName } from '../capture/linktype.js';
import type { Frame } from '../capture/types.js';
import { type Anomaly, anomaly } from '../core/anomaly.js';
import { DA } from './anomalies.js';
import { ethertypeName, ipProtoName, registry } from './registry.js';
import { newResult } from './result.js';
import type { IpContext, Layer, NextSpace, Packet, PacketStatus } from './types.js';

/** Deepest header chain we follow (tags, tunnels, quoted datagrams together). */
export const MAX_LAYERS = 32;

/** The context a walk hands its decoders: its own object, updated in place when an IP header changes it. */
interface WalkContext {
  cut: boolean;
  ip: IpContext | undefined;
  quoted: boolean;
}

interface WalkOut {
  layers: Layer[];
  anomalies: Anomaly[];
  payloadOffset: number;
  payloadEnd: number;
}

function walk(
  d: Uint8Array,
  off: number,
  end: number,
  space: NextSpace,
  value: number,
  ctx: WalkContext,
  out: WalkOut,
  pkt: Packet | undefined,
): void {
  // One result object for the whole walk: each decoder fills it and it is read right after the call
  // (an ICMP quote is decoded by a nested walk with a result of its own).
  const res = newResult(out.anomalies);
  out.payloadOffset = off;
  out.payloadEnd = end;
  for (let depth = 0; ; depth++) {
    if (space === 'none') return;
    if (depth >= MAX_LAYERS) {
      out.anomalies.push(anomaly(DA['too-deep'], 'decode', off, `more than ${MAX_LAYERS} headers`));
      return;
    }
    if (space === 'ip-version') {
      if (off >= end) {
        // Nothing where an IP header should start (a quote may legitimately stop here).
        if (!ctx.quoted)
          out.anomalies.push(anomaly(ctx.cut ? DA.truncated : DA['too-short'], 'ip', off, 'no IP header'));
        return;
      }
      const version = (d[off] as number) >> 4;
      if (version === 4) value = 0x0800;
      else if (version === 6) value = 0x86dd;
      else {
        out.layers.push({
          kind: 'undecoded',
          offset: off,
          headerLength: end - off,
          what: `ip version ${version}`,
        });
        out.anomalies.push(anomaly(DA['ipv4.bad-version'], 'ip', off, `version nibble ${version}`));
        return;
      }
      space = 'ethertype';
    }
    if (space === 'quoted-ip') {
      // Handled by the caller: the ICMP layer gets the quoted layers attached.
      return;
    }
    let dec: ReturnType<typeof registry.link.get>;
    switch (space) {
      case 'link':
        dec = registry.link.get(value);
        if (!dec) {
          out.layers.push({
            kind: 'undecoded',
            offset: off,
            headerLength: end - off,
            what: `linktype ${value} (${linkTypeName(value)})`,
          });
          out.anomalies.push(anomaly(DA['unsupported-linktype'], 'link', off, `linktype ${value}`));
          return;
        }
        break;
      case 'ethertype':
        dec = registry.ethertype.get(value);
        if (!dec) {
          if (off < end)
            out.layers.push({
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
        dec = registry.ipproto.get(value);
        if (!dec) {
          if (off < end)
            out.layers.push({
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
        const t = out.layers[out.layers.length - 1];
        if ((t?.kind !== 'udp' && t?.kind !== 'tcp') || off >= end) return;
        const table = t.kind === 'udp' ? registry.udpPort : registry.tcpPort;
        dec = table.get(t.dstPort) ?? table.get(t.srcPort);
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
    if (res.next === 'quoted-ip' && (layer.kind === 'icmp4' || layer.kind === 'icmp6')) {
      const inner: WalkOut = { layers: [], anomalies: [], payloadOffset: 0, payloadEnd: 0 };
      walk(
        d,
        res.payloadOffset,
        res.payloadEnd,
        'ip-version',
        0,
        { cut: ctx.cut, ip: undefined, quoted: true },
        inner,
        undefined,
      );
      out.layers.push(inner.layers.length > 0 ? { ...layer, quoted: inner.layers } : layer);
      // A quote is cut short by design: only its malformations are news.
      for (const a of inner.anomalies) if (a.severity !== 'truncated') out.anomalies.push(a);
      out.payloadOffset = res.payloadOffset;
      out.payloadEnd = res.payloadEnd;
      return;
    }
    out.layers.push(layer);
    if (pkt) {
      switch (layer.kind) {
        case 'ipv4':
        case 'ipv6':
          if (!pkt.ip) pkt.ip = layer;
          break;
        case 'tcp':
          if (!pkt.tcp) pkt.tcp = layer;
          break;
        case 'udp':
          if (!pkt.udp) pkt.udp = layer;
          break;
        case 'arp':
          if (!pkt.arp) pkt.arp = layer;
          break;
        default:
          break;
      }
    }
    out.payloadOffset = res.payloadOffset;
    out.payloadEnd = res.payloadEnd;
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
  const pkt: Packet = {
    frame,
    layers: [],
    anomalies: [],
    status: 'decoded',
    ip: undefined,
    tcp: undefined,
    udp: undefined,
    arp: undefined,
    payloadOffset: 0,
    payloadLength: 0,
  };
  const out: WalkOut = { layers: pkt.layers, anomalies: pkt.anomalies, payloadOffset: 0, payloadEnd: 0 };
  try {
    walk(
      frame.data,
      0,
      frame.data.length,
      'link',
      frame.linkType,
      { cut: frame.caplen < frame.origlen, ip: undefined, quoted: false },
      out,
      pkt,
    );
  } catch (e) {
    pkt.anomalies.push(anomaly(DA['decoder-bug'], 'decode', -1, e instanceof Error ? e.message : String(e)));
  }
  pkt.payloadOffset = out.payloadOffset;
  pkt.payloadLength = Math.max(0, out.payloadEnd - out.payloadOffset);
  pkt.status = statusOf(pkt.anomalies);
  return pkt;
}
