/**
 * IPv6 (RFC 8200) and its extension headers: hop-by-hop, routing, fragment, destination options,
 * AH (RFC 4302) and mobility. ESP (RFC 4303) ends decoding: what follows is encrypted.
 */
import { anomaly } from '../../core/anomaly.js';
import { u16be, u32be } from '../../core/bytes.js';
import { DA } from '../anomalies.js';
import { pseudoSum6 } from '../checksum.js';
import { fail, ipContext, ok, short } from '../result.js';
import type { DecodeContext, DecodeResult, Ipv6Extension, Ipv6ExtKind, Ipv6Layer } from '../types.js';
import { ETHERNET_MTU } from './ipv4.js';

const VTF = 0;
const PAYLOAD_LENGTH = 4;
const NEXT_HEADER = 6;
const HOP_LIMIT = 7;
const SRC = 8;
const DST = 24;
const HEADER = 40;
/** More extension headers than this is an attack, not a packet. */
export const MAX_EXTENSIONS = 16;

const EXT: Record<number, Ipv6ExtKind> = {
  0: 'hop-by-hop',
  43: 'routing',
  44: 'fragment',
  60: 'destination',
  51: 'ah',
  50: 'esp',
  135: 'mobility',
};

const NO_NEXT_HEADER = 59;
const JUMBO_OPTION = 0xc2;

function optionTypes(d: Uint8Array, start: number, end: number): number[] {
  const types: number[] = [];
  let o = start;
  while (o < end) {
    const t = d[o] as number;
    if (t === 0) {
      o++; // Pad1
      continue;
    }
    if (o + 1 >= end) break;
    types.push(t);
    o += 2 + (d[o + 1] as number);
  }
  return types;
}

export function decodeIpv6(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  const avail = end - off;
  if (avail < 1) return short(ctx, res, 'ipv6', off, end, HEADER);
  const version = (d[off] as number) >> 4;
  if (version !== 6) return fail(res, DA['ipv6.bad-version'], 'ipv6', off, end, `version ${version}`);
  if (avail < HEADER) return short(ctx, res, 'ipv6', off, end, HEADER);
  const anomalies = res.anomalies;
  const vtf = u32be(d, off + VTF);
  const payloadLength = u16be(d, off + PAYLOAD_LENGTH);
  const nextHeader = d[off + NEXT_HEADER] as number;
  const src = d.slice(off + SRC, off + SRC + 16);
  const dst = d.slice(off + DST, off + DST + 16);

  let superFrame = false;
  let payloadEnd: number;
  let stop = false;
  /**
   * For what follows: true = the header claims bytes the frame does not have (decode on as if cut);
   * false = the datagram ends inside the captured bytes (running out there is malformed, whatever
   * the snap length did to a trailer); undefined = as the frame.
   */
  let lengthCut: boolean | undefined;
  const p0 = off + HEADER;
  if (payloadLength === 0 && avail > HEADER && !ctx.quoted && (nextHeader === 0 || avail - HEADER > 0xffff)) {
    // Jumbogram (hop-by-hop jumbo option) or a TSO/GRO super-frame.
    superFrame = true;
    payloadEnd = end;
    anomalies.push(anomaly(DA['ipv6.super-frame'], 'ipv6', off + PAYLOAD_LENGTH, 'payload length 0'));
  } else if (payloadLength > avail - HEADER) {
    payloadEnd = end;
    if (!ctx.cut && !ctx.quoted) {
      anomalies.push(
        anomaly(
          DA['ipv6.bad-payload-length'],
          'ipv6',
          off + PAYLOAD_LENGTH,
          `payload length ${payloadLength} > ${avail - HEADER} bytes in the frame`,
        ),
      );
      lengthCut = true;
    }
  } else {
    lengthCut = false;
    payloadEnd = p0 + payloadLength;
    if (payloadLength + HEADER > ETHERNET_MTU && !ctx.quoted) {
      superFrame = true;
      anomalies.push(
        anomaly(
          DA['ipv6.super-frame'],
          'ipv6',
          off + PAYLOAD_LENGTH,
          `packet length ${payloadLength + HEADER} > MTU ${ETHERNET_MTU}`,
        ),
      );
    }
  }

  // Walk the extension header chain.
  const extensions: Ipv6Extension[] = [];
  let nh = nextHeader;
  let o = p0;
  let fragmentAt = off + HEADER;
  let finalDst = off + DST;
  let fragment: Ipv6Layer['fragment'];
  let opaque = false;
  while (!stop) {
    const kind = EXT[nh];
    if (kind === undefined) break;
    if (extensions.length >= MAX_EXTENSIONS) {
      anomalies.push(anomaly(DA['too-deep'], 'ipv6', o, `more than ${MAX_EXTENSIONS} extension headers`));
      stop = true;
      break;
    }
    if (kind === 'esp') {
      const spi = o + 4 <= payloadEnd ? u32be(d, o) : undefined;
      extensions.push(
        spi === undefined
          ? { kind, code: nh, offset: o, length: payloadEnd - o, nextHeader: NO_NEXT_HEADER }
          : { kind, code: nh, offset: o, length: payloadEnd - o, nextHeader: NO_NEXT_HEADER, spi },
      );
      anomalies.push(anomaly(DA['ipv6.esp'], 'ipv6', o));
      opaque = true;
      break;
    }
    if (o + 2 > payloadEnd) {
      anomalies.push(
        anomaly(
          ctx.quoted || (lengthCut ?? ctx.cut) ? DA.truncated : DA['ipv6.bad-extension'],
          'ipv6',
          o,
          `${kind} header`,
        ),
      );
      stop = true;
      break;
    }
    const next = d[o] as number;
    const len =
      kind === 'fragment'
        ? 8
        : kind === 'ah'
          ? ((d[o + 1] as number) + 2) * 4
          : ((d[o + 1] as number) + 1) * 8;
    if (o + len > payloadEnd) {
      anomalies.push(
        anomaly(
          ctx.quoted || (lengthCut ?? ctx.cut) ? DA.truncated : DA['ipv6.bad-extension'],
          'ipv6',
          o,
          `${kind} header of ${len} bytes`,
        ),
      );
      stop = true;
      break;
    }
    let ext: Ipv6Extension;
    switch (kind) {
      case 'hop-by-hop':
      case 'destination': {
        const optionTypesList = optionTypes(d, o + 2, o + len);
        ext = { kind, code: nh, offset: o, length: len, nextHeader: next, optionTypes: optionTypesList };
        if (kind === 'hop-by-hop' && optionTypesList.includes(JUMBO_OPTION)) superFrame = true;
        break;
      }
      case 'routing': {
        // With segments left, the upper-layer checksum uses the final destination (RFC 8200 §8.1).
        const rtype = d[o + 2] as number;
        if ((d[o + 3] as number) > 0 && len >= 24) {
          if (rtype === 0 || rtype === 2) finalDst = o + len - 16;
          else if (rtype === 4) finalDst = o + 8;
        }
        ext = {
          kind,
          code: nh,
          offset: o,
          length: len,
          nextHeader: next,
          routingType: rtype,
          segmentsLeft: d[o + 3] as number,
        };
        break;
      }
      case 'fragment': {
        const fo = u16be(d, o + 2);
        const f = { offset: fo & 0xfff8, more: (fo & 1) !== 0, id: u32be(d, o + 4) };
        fragment = f;
        fragmentAt = o;
        ext = {
          kind,
          code: nh,
          offset: o,
          length: len,
          nextHeader: next,
          fragmentOffset: f.offset,
          moreFragments: f.more,
          fragmentId: f.id,
        };
        break;
      }
      case 'ah':
        ext = { kind, code: nh, offset: o, length: len, nextHeader: next, spi: u32be(d, o + 4) };
        break;
      default:
        ext = { kind, code: nh, offset: o, length: len, nextHeader: next };
        break;
    }
    extensions.push(ext);
    nh = next;
    o += len;
    if (kind === 'fragment' && fragment && fragment.offset > 0) break;
  }

  const base = {
    kind: 'ipv6' as const,
    offset: off,
    headerLength: HEADER,
    trafficClass: (vtf >>> 20) & 0xff,
    flowLabel: vtf & 0xfffff,
    payloadLength,
    nextHeader,
    hopLimit: d[off + HOP_LIMIT] as number,
    src,
    dst,
    extensions,
    protocol: opaque ? 50 : nh,
    superFrame,
  };
  const layer: Ipv6Layer = fragment ? { ...base, fragment } : base;
  if (stop || opaque || nh === NO_NEXT_HEADER)
    return ok(res, layer, 'none', 0, Math.min(o, payloadEnd), payloadEnd, undefined, lengthCut);
  if (fragment) {
    anomalies.push(
      anomaly(
        DA['ipv6.fragment'],
        'ipv6',
        fragmentAt,
        `offset ${fragment.offset}${fragment.more ? ', more' : ', last'}`,
      ),
    );
    if (fragment.offset > 0) return ok(res, layer, 'none', 0, o, payloadEnd, undefined, lengthCut);
  }
  const upperLength = superFrame ? payloadEnd - o : p0 + payloadLength - o;
  const pseudoSum = pseudoSum6(d, off + SRC, finalDst, nh, upperLength);
  const ip = ipContext(res, 6, pseudoSum, upperLength, fragment !== undefined, superFrame);
  return ok(res, layer, 'ipproto', nh, o, payloadEnd, ip, lengthCut);
}
