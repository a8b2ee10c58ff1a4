/** IPv4 (RFC 791): header checksum, options, fragments, lengths versus captured bytes, TSO/GRO super-frames. */
import { type Anomaly, anomaly } from '../../core/anomaly.js';
import { u16be, u32be } from '../../core/bytes.js';
import { DA } from '../anomalies.js';
import { finish, pseudoSum4, sumWords } from '../checksum.js';
import { fail, ipContext, ok, short } from '../result.js';
import type { ChecksumStatus, DecodeContext, DecodeResult, Ipv4Layer, Ipv4Option } from '../types.js';

const VER_IHL = 0;
const TOS = 1;
const TOTAL_LENGTH = 2;
const ID = 4;
const FLAGS_FRAG = 6;
const TTL = 8;
const PROTOCOL = 9;
const CHECKSUM = 10;
const SRC = 12;
const DST = 16;
const MIN_HEADER = 20;
/** Largest IPv4 packet a standard Ethernet link carries. Bigger ones in a capture were merged by TSO/GRO (or the link uses jumbo frames). */
export const ETHERNET_MTU = 1500;

const OPTION_NAMES: Record<number, string> = {
  0: 'eol',
  1: 'nop',
  7: 'rr',
  68: 'ts',
  130: 'security',
  131: 'lsrr',
  136: 'stream-id',
  137: 'ssrr',
  148: 'ra',
  25: 'quick-start',
  82: 'traceroute',
  134: 'cipso',
};

function parseOptions(d: Uint8Array, start: number, end: number, anomalies: Anomaly[]): Ipv4Option[] {
  const opts: Ipv4Option[] = [];
  let o = start;
  while (o < end) {
    const type = d[o] as number;
    if (type === 0 || type === 1) {
      opts.push({ type, name: OPTION_NAMES[type] as string, length: 1, offset: o });
      o++;
      if (type === 0) break;
      continue;
    }
    const len = o + 1 < end ? (d[o + 1] as number) : 0;
    if (len < 2 || o + len > end) {
      anomalies.push(anomaly(DA['ipv4.bad-option'], 'ipv4', o, `option ${type} length ${len}`));
      break;
    }
    opts.push({ type, name: OPTION_NAMES[type] ?? `opt-${type}`, length: len, offset: o });
    o += len;
  }
  return opts;
}

const NO_OPTIONS: readonly Ipv4Option[] = [];

export function decodeIpv4(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  const avail = end - off;
  if (avail < 1) return short(ctx, res, 'ipv4', off, end, MIN_HEADER);
  const version = (d[off + VER_IHL] as number) >> 4;
  if (version !== 4) return fail(res, DA['ipv4.bad-version'], 'ipv4', off, end, `version ${version}`);
  if (avail < MIN_HEADER) return short(ctx, res, 'ipv4', off, end, MIN_HEADER);
  const ihl = ((d[off + VER_IHL] as number) & 0x0f) * 4;
  if (ihl < MIN_HEADER) return fail(res, DA['ipv4.bad-ihl'], 'ipv4', off, end, `header length ${ihl}`);
  if (avail < ihl) return short(ctx, res, 'ipv4', off, end, ihl);

  const anomalies = res.anomalies;
  const tos = d[off + TOS] as number;
  const totalLength = u16be(d, off + TOTAL_LENGTH);
  const ff = u16be(d, off + FLAGS_FRAG);
  const protocol = d[off + PROTOCOL] as number;
  const checksum = u16be(d, off + CHECKSUM);
  const src = u32be(d, off + SRC);
  const dst = u32be(d, off + DST);
  const fragmentOffset = (ff & 0x1fff) * 8;
  const moreFragments = (ff & 0x2000) !== 0;
  const reservedFlag = (ff & 0x8000) !== 0;

  // Header checksum over the whole header: verifies when the complement of the sum is 0.
  let checksumStatus: ChecksumStatus;
  if (finish(sumWords(d, off, off + ihl)) === 0) checksumStatus = 'good';
  else if (checksum === 0 && !ctx.quoted) {
    checksumStatus = 'offload';
    anomalies.push(anomaly(DA['ipv4.checksum-offload'], 'ipv4', off + CHECKSUM));
  } else {
    checksumStatus = 'bad';
    // A router rewrites the TTL of a quoted datagram's copy; don't flag quotes.
    if (!ctx.quoted)
      anomalies.push(
        anomaly(DA['ipv4.bad-checksum'], 'ipv4', off + CHECKSUM, `checksum 0x${checksum.toString(16)}`),
      );
  }
  if (reservedFlag) anomalies.push(anomaly(DA['ipv4.reserved-flag'], 'ipv4', off + FLAGS_FRAG));

  const options = ihl > MIN_HEADER ? parseOptions(d, off + MIN_HEADER, off + ihl, anomalies) : NO_OPTIONS;

  // Lengths: the header's total length versus what the frame holds.
  let superFrame = false;
  let payloadEnd: number;
  let upperLength: number;
  let stop = false;
  /**
   * For what follows: true = the header claims bytes the frame does not have (decode on as if cut);
   * false = the datagram ends inside the captured bytes (running out there is malformed, whatever
   * the snap length did to a trailer); undefined = as the frame.
   */
  let lengthCut: boolean | undefined;
  if (totalLength === 0 && !ctx.quoted) {
    // TSO: the NIC fills in the length of each segment it cuts; the capture saw the big one.
    superFrame = true;
    payloadEnd = end;
    upperLength = end - off - ihl;
    anomalies.push(anomaly(DA['ipv4.super-frame'], 'ipv4', off + TOTAL_LENGTH, 'total length 0'));
  } else if (totalLength < ihl) {
    anomalies.push(
      anomaly(
        DA['ipv4.bad-total-length'],
        'ipv4',
        off + TOTAL_LENGTH,
        `total length ${totalLength} < header ${ihl}`,
      ),
    );
    payloadEnd = off + ihl;
    upperLength = 0;
    stop = true;
  } else if (totalLength > avail) {
    payloadEnd = end;
    upperLength = totalLength - ihl;
    if (!ctx.cut && !ctx.quoted) {
      anomalies.push(
        anomaly(
          DA['ipv4.bad-total-length'],
          'ipv4',
          off + TOTAL_LENGTH,
          `total length ${totalLength} > ${avail} bytes in the frame`,
        ),
      );
      // Go on like tshark and tcpdump: what follows is decoded as far as the bytes go.
      lengthCut = true;
    }
  } else {
    lengthCut = false;
    // Anything after totalLength is link padding.
    payloadEnd = off + totalLength;
    upperLength = totalLength - ihl;
    if (totalLength > ETHERNET_MTU && !ctx.quoted) {
      superFrame = true;
      anomalies.push(
        anomaly(
          DA['ipv4.super-frame'],
          'ipv4',
          off + TOTAL_LENGTH,
          `total length ${totalLength} > MTU ${ETHERNET_MTU}`,
        ),
      );
    }
  }

  const fragment = moreFragments || fragmentOffset > 0;
  const layer: Ipv4Layer = {
    kind: 'ipv4',
    offset: off,
    headerLength: ihl,
    dscp: tos >> 2,
    ecn: tos & 3,
    totalLength,
    id: u16be(d, off + ID),
    reservedFlag,
    dontFragment: (ff & 0x4000) !== 0,
    moreFragments,
    fragmentOffset,
    ttl: d[off + TTL] as number,
    protocol,
    checksum,
    checksumStatus,
    src,
    dst,
    options,
    superFrame,
  };
  const p = off + ihl;
  if (stop) return ok(res, layer, 'none', 0, p, Math.max(p, Math.min(payloadEnd, end)));
  if (fragmentOffset > 0) {
    // Only the first fragment carries the transport header.
    anomalies.push(
      anomaly(
        DA['ipv4.fragment'],
        'ipv4',
        off + FLAGS_FRAG,
        `offset ${fragmentOffset}${moreFragments ? ', more' : ', last'}`,
      ),
    );
    return ok(res, layer, 'none', 0, p, payloadEnd, undefined, lengthCut);
  }
  if (moreFragments) anomalies.push(anomaly(DA['ipv4.fragment'], 'ipv4', off + FLAGS_FRAG, 'offset 0, more'));
  const ip = ipContext(
    res,
    4,
    pseudoSum4(src, dst, protocol, upperLength & 0xffff),
    upperLength,
    fragment,
    superFrame,
  );
  return ok(res, layer, 'ipproto', protocol, p, payloadEnd, ip, lengthCut);
}
