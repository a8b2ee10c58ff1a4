/** ICMPv6 (RFC 4443) with Neighbor Discovery (RFC 4861) targets and link-layer address options. */

import { macAt } from '../../core/addr.js';
import { anomaly } from '../../core/anomaly.js';
import { u16be, u32be } from '../../core/bytes.js';
import { DA } from '../anomalies.js';
import { finish, sumWords } from '../checksum.js';
import { ok, short } from '../result.js';
import type { ChecksumStatus, DecodeContext, DecodeResult, Icmp6Layer } from '../types.js';
import { ICMP6, icmpNames } from './icmp-names.js';

const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const REST = 4;
const HEADER = 8;

const NS = 135;
const NA = 136;
const REDIRECT = 137;
const RS = 133;
const RA = 134;

export function decodeIcmp6(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < 4 || (end - off < HEADER && !ctx.quoted)) return short(ctx, res, 'icmp6', off, end, HEADER);
  const type = d[off + TYPE] as number;
  const code = d[off + CODE] as number;
  const checksum = u16be(d, off + CHECKSUM);
  const [typeName, codeName, known] = icmpNames(ICMP6, type, code);
  const anomalies = res.anomalies;
  if (!known) anomalies.push(anomaly(DA['icmp.unknown-type'], 'icmp6', off, `type ${type}`));
  const ip = ctx.ip;
  const msgEnd = ip && !ip.superFrame ? off + ip.upperLength : end;
  let checksumStatus: ChecksumStatus = 'unverified';
  if (ip && !ip.fragment && msgEnd <= end && !ctx.quoted) {
    checksumStatus = finish(sumWords(d, off, msgEnd, ip.pseudoSum)) === 0 ? 'good' : 'bad';
    if (checksumStatus === 'bad')
      anomalies.push(
        anomaly(DA['icmp.bad-checksum'], 'icmp6', off + CHECKSUM, `checksum 0x${checksum.toString(16)}`),
      );
  }
  const hdrLen = Math.min(HEADER, end - off);
  const extra: {
    echoId?: number;
    echoSeq?: number;
    mtu?: number;
    pointer?: number;
    ndTarget?: Uint8Array;
    ndFlags?: { router: boolean; solicited: boolean; override: boolean };
    ndLinkAddr?: number;
  } = {};
  let headerLength = hdrLen;
  if (end - off >= HEADER) {
    if (type === 128 || type === 129) {
      extra.echoId = u16be(d, off + REST);
      extra.echoSeq = u16be(d, off + REST + 2);
    } else if (type === 2) extra.mtu = u32be(d, off + REST);
    else if (type === 4) extra.pointer = u32be(d, off + REST);
    else if (type === NA) {
      const f = d[off + REST] as number;
      extra.ndFlags = { router: (f & 0x80) !== 0, solicited: (f & 0x40) !== 0, override: (f & 0x20) !== 0 };
    }
    // NDP: target address and options.
    let optStart = -1;
    const nd = type === NS || type === NA || type === REDIRECT;
    // Target (and, for a redirect, destination) addresses follow the 8-byte header.
    const ndFixed = HEADER + (type === REDIRECT ? 32 : 16);
    if (nd && end - off >= ndFixed) {
      extra.ndTarget = d.slice(off + HEADER, off + HEADER + 16);
      optStart = off + ndFixed;
      headerLength = ndFixed;
    } else if (nd && !ctx.quoted) {
      anomalies.push(
        anomaly(
          ctx.cut ? DA.truncated : DA['too-short'],
          'icmp6',
          off + HEADER,
          `needs ${ndFixed} bytes, ${end - off} captured`,
        ),
      );
    } else if (type === RS) optStart = off + HEADER;
    else if (type === RA) optStart = off + 16;
    if (optStart >= 0 && !ctx.quoted) {
      let o = optStart;
      const lim = Math.min(end, msgEnd);
      while (o + 2 <= lim) {
        const ot = d[o] as number;
        const ol = (d[o + 1] as number) * 8;
        if (ol === 0 || o + ol > lim) break;
        if ((ot === 1 || ot === 2) && ol >= 8) extra.ndLinkAddr = macAt(d, o + 2);
        o += ol;
      }
    }
  }
  const layer: Icmp6Layer = {
    kind: 'icmp6',
    offset: off,
    headerLength,
    type,
    code,
    checksum,
    checksumStatus,
    typeName,
    codeName,
    ...extra,
  };
  const p = off + HEADER;
  if (type < 128 && !ctx.quoted && end - off >= HEADER) {
    if (end - p < 40 + 8)
      anomalies.push(anomaly(DA['icmp.short-quote'], 'icmp6', p, `${Math.max(0, end - p)} bytes quoted`));
    return ok(res, layer, 'quoted-ip', 0, p, end);
  }
  return ok(res, layer, 'none', 0, Math.min(p, end), end);
}
