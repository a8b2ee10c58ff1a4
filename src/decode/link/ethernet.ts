/** Ethernet II / IEEE 802.3 (LINKTYPE_ETHERNET). */
import { macAt } from '../../core/addr.js';
import { u16be } from '../../core/bytes.js';
import { ok, short } from '../result.js';
import type { DecodeContext, DecodeResult } from '../types.js';

const DST = 0;
const SRC = 6;
const TYPE = 12;
const HEADER = 14;

export function decodeEthernet(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < HEADER) return short(ctx, res, 'eth', off, end, HEADER);
  const etherType = u16be(d, off + TYPE);
  const layer = {
    kind: 'eth' as const,
    offset: off,
    headerLength: HEADER,
    dst: macAt(d, off + DST),
    src: macAt(d, off + SRC),
    etherType,
  };
  const p = off + HEADER;
  if (etherType <= 1500) {
    // IEEE 802.3: the field is the length of the LLC payload; anything after it is padding.
    return ok(res, layer, 'llc', 0, p, Math.min(end, p + etherType));
  }
  return ok(res, layer, 'ethertype', etherType, p, end);
}
