/** ICMP for IPv4 (RFC 792 and successors): type/code names, echo id/seq, and the datagram quoted by error messages. */
import { anomaly } from '../../core/anomaly.js';
import { u16be, u32be } from '../../core/bytes.js';
import { DA } from '../anomalies.js';
import { finish, sumWords } from '../checksum.js';
import { ok, short } from '../result.js';
import type { ChecksumStatus, DecodeContext, DecodeResult, Icmp4Layer } from '../types.js';
import { ICMP4, icmpNames } from './icmp-names.js';

const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const REST = 4;
const HEADER = 8;

/** Error messages quote the offending datagram after the 8-byte header. */
const ERROR_TYPES = new Set([3, 4, 5, 11, 12]);

export function decodeIcmp4(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < HEADER) {
    if (end - off >= 2 && ctx.quoted) {
      // A quote may hold only the type and code of the original ICMP message.
      const [typeName, codeName] = icmpNames(ICMP4, d[off] as number, d[off + 1] as number);
      const layer: Icmp4Layer = {
        kind: 'icmp4',
        offset: off,
        headerLength: end - off,
        type: d[off] as number,
        code: d[off + 1] as number,
        checksum: end - off >= 4 ? u16be(d, off + CHECKSUM) : 0,
        checksumStatus: 'unverified',
        typeName,
        codeName,
      };
      return ok(res, layer, 'none', 0, end, end);
    }
    return short(ctx, res, 'icmp', off, end, HEADER);
  }
  const type = d[off + TYPE] as number;
  const code = d[off + CODE] as number;
  const checksum = u16be(d, off + CHECKSUM);
  const [typeName, codeName, known] = icmpNames(ICMP4, type, code);
  const anomalies = res.anomalies;
  if (!known) anomalies.push(anomaly(DA['icmp.unknown-type'], 'icmp', off, `type ${type}`));
  const ip = ctx.ip;
  const msgEnd = ip && !ip.superFrame ? off + ip.upperLength : end;
  let checksumStatus: ChecksumStatus = 'unverified';
  if (ip && !ip.fragment && msgEnd <= end && !ctx.quoted) {
    checksumStatus = finish(sumWords(d, off, msgEnd)) === 0 ? 'good' : 'bad';
    if (checksumStatus === 'bad')
      anomalies.push(
        anomaly(DA['icmp.bad-checksum'], 'icmp', off + CHECKSUM, `checksum 0x${checksum.toString(16)}`),
      );
  }
  const extra: { echoId?: number; echoSeq?: number; gateway?: number; mtu?: number; pointer?: number } = {};
  if (
    type === 0 ||
    type === 8 ||
    type === 13 ||
    type === 14 ||
    type === 15 ||
    type === 16 ||
    type === 17 ||
    type === 18
  ) {
    extra.echoId = u16be(d, off + REST);
    extra.echoSeq = u16be(d, off + REST + 2);
  } else if (type === 5) extra.gateway = u32be(d, off + REST);
  else if (type === 3 && code === 4) extra.mtu = u16be(d, off + REST + 2);
  else if (type === 12) extra.pointer = d[off + REST] as number;
  const layer: Icmp4Layer = {
    kind: 'icmp4',
    offset: off,
    headerLength: HEADER,
    type,
    code,
    checksum,
    checksumStatus,
    typeName,
    codeName,
    ...extra,
  };
  const p = off + HEADER;
  if (ERROR_TYPES.has(type) && !ctx.quoted) {
    if (end - p < 20 + 8)
      anomalies.push(anomaly(DA['icmp.short-quote'], 'icmp', p, `${Math.max(0, end - p)} bytes quoted`));
    return ok(res, layer, 'quoted-ip', 0, p, end);
  }
  return ok(res, layer, 'none', 0, p, end);
}
