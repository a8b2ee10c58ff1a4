/** IEEE 802.1Q VLAN tag and 802.1ad (QinQ) service tag: 4 bytes after the TPID. */
import { u16be } from '../../core/bytes.js';
import { ok, short } from '../result.js';
import type { DecodeContext, DecodeResult } from '../types.js';

const TCI = 0;
const TYPE = 2;
const HEADER = 4;

export function decodeVlan(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < HEADER) return short(ctx, res, 'vlan', off, end, HEADER);
  const tci = u16be(d, off + TCI);
  const etherType = u16be(d, off + TYPE);
  // The TPID is the EtherType just before this tag.
  const tpid = off >= 2 ? u16be(d, off - 2) : 0;
  const layer = {
    kind: 'vlan' as const,
    offset: off,
    headerLength: HEADER,
    tpid,
    pcp: tci >> 13,
    dei: (tci & 0x1000) !== 0,
    vid: tci & 0x0fff,
    etherType,
  };
  const p = off + HEADER;
  if (etherType <= 1500) return ok(res, layer, 'llc', 0, p, Math.min(end, p + etherType));
  return ok(res, layer, 'ethertype', etherType, p, end);
}
