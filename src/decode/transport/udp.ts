/** UDP (RFC 768): length against IP, checksum (0 = none on IPv4; offload recognised). */
import { anomaly } from '../../core/anomaly.js';
import { u16be } from '../../core/bytes.js';
import { DA } from '../anomalies.js';
import { finish, fold, sumWords } from '../checksum.js';
import { ok, short } from '../result.js';
import type { ChecksumStatus, DecodeContext, DecodeResult, UdpLayer } from '../types.js';

const SRC_PORT = 0;
const DST_PORT = 2;
const LENGTH = 4;
const CHECKSUM = 6;
const HEADER = 8;

export function decodeUdp(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  const avail = end - off;
  if (avail < HEADER) {
    if (avail >= 4) {
      const layer: UdpLayer = {
        kind: 'udp',
        offset: off,
        headerLength: avail,
        srcPort: u16be(d, off + SRC_PORT),
        dstPort: u16be(d, off + DST_PORT),
        length: avail >= 6 ? u16be(d, off + LENGTH) : 0,
        checksum: 0,
        checksumStatus: 'unverified',
        payloadLength: 0,
        capturedPayload: 0,
        partial: true,
      };
      if (!ctx.quoted)
        res.anomalies.push(
          anomaly(
            ctx.cut ? DA.truncated : DA['too-short'],
            'udp',
            off,
            `header needs 8 bytes, ${avail} captured`,
          ),
        );
      return ok(res, layer, 'none', 0, end, end);
    }
    return short(ctx, res, 'udp', off, end, HEADER);
  }
  const anomalies = res.anomalies;
  const length = u16be(d, off + LENGTH);
  const checksum = u16be(d, off + CHECKSUM);
  const ip = ctx.ip;
  const upper = ip ? ip.upperLength : avail;
  let dgramLen = length;
  let stop = false;
  if (ctx.quoted) {
    // The quote holds only the start of the datagram.
  } else if (length < HEADER) {
    // Length 0 with a jumbogram is legal (RFC 2675); otherwise the header lies.
    if (!(length === 0 && ip?.superFrame)) {
      anomalies.push(anomaly(DA['udp.bad-length'], 'udp', off + LENGTH, `length ${length} < 8`));
      stop = true;
    }
    dgramLen = upper;
  } else if (ip && !ip.superFrame && !ip.fragment && length > upper) {
    anomalies.push(
      anomaly(DA['udp.bad-length'], 'udp', off + LENGTH, `length ${length} > IP payload ${upper}`),
    );
    stop = true;
  } else if (ip && !ip.superFrame && !ip.fragment && length < upper) {
    anomalies.push(
      anomaly(DA['udp.bad-length'], 'udp', off + LENGTH, `length ${length} < IP payload ${upper}`),
    );
  }
  const dEnd = off + dgramLen;
  let checksumStatus: ChecksumStatus = 'unverified';
  if (checksum === 0 && ip?.family === 4) checksumStatus = 'none';
  else if (checksum === 0 && ip?.family === 6 && !ctx.quoted) {
    checksumStatus = 'bad';
    anomalies.push(anomaly(DA['udp.zero-checksum-ipv6'], 'udp', off + CHECKSUM));
  } else if (
    ip &&
    !stop &&
    !ip.fragment &&
    !ip.superFrame &&
    dEnd <= end &&
    !ctx.quoted &&
    length === upper
  ) {
    if (finish(sumWords(d, off, dEnd, ip.pseudoSum)) === 0) checksumStatus = 'good';
    else if (checksum === fold(ip.pseudoSum)) {
      checksumStatus = 'offload';
      anomalies.push(anomaly(DA['udp.checksum-offload'], 'udp', off + CHECKSUM));
    } else {
      checksumStatus = 'bad';
      anomalies.push(
        anomaly(
          DA['udp.bad-checksum'],
          'udp',
          off + CHECKSUM,
          `checksum 0x${checksum.toString(16).padStart(4, '0')}`,
        ),
      );
    }
  }
  const p = off + HEADER;
  const pEnd = Math.min(end, Math.max(p, dEnd));
  const layer: UdpLayer = {
    kind: 'udp',
    offset: off,
    headerLength: HEADER,
    srcPort: u16be(d, off + SRC_PORT),
    dstPort: u16be(d, off + DST_PORT),
    length,
    checksum,
    checksumStatus,
    payloadLength: Math.max(0, dgramLen - HEADER),
    capturedPayload: Math.max(0, pEnd - p),
  };
  if (stop) return ok(res, layer, 'none', 0, p, pEnd);
  return ok(res, layer, 'udp', 0, p, pEnd);
}
