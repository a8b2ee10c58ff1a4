/** IEEE 802.2 LLC with SNAP (RFC 1042): what follows an 802.3 length field. */
import { u16be } from '../../core/bytes.js';
import { ok, short } from '../result.js';
import type { DecodeContext, DecodeResult, LlcLayer } from '../types.js';

const SNAP_SAP = 0xaa;

export function decodeLlc(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < 3) return short(ctx, res, 'llc', off, end, 3);
  const dsap = d[off] as number;
  const ssap = d[off + 1] as number;
  const c0 = d[off + 2] as number;
  // U-format PDUs have a 1-byte control field; I- and S-format have 2.
  const ctlLen = (c0 & 0x03) === 0x03 ? 1 : 2;
  if (end - off < 2 + ctlLen) return short(ctx, res, 'llc', off, end, 2 + ctlLen);
  const control = ctlLen === 1 ? c0 : u16be(d, off + 2);
  const hdr = 2 + ctlLen;
  if (dsap === SNAP_SAP && ssap === SNAP_SAP && ctlLen === 1) {
    if (end - off < hdr + 5) return short(ctx, res, 'llc', off, end, hdr + 5);
    const oui =
      ((d[off + hdr] as number) << 16) | ((d[off + hdr + 1] as number) << 8) | (d[off + hdr + 2] as number);
    const pid = u16be(d, off + hdr + 3);
    const layer: LlcLayer = {
      kind: 'llc',
      offset: off,
      headerLength: hdr + 5,
      dsap,
      ssap,
      control,
      oui,
      pid,
    };
    // OUI 0 (RFC 1042) and 0x0000f8 (802.1H) carry an EtherType.
    if (oui === 0 || oui === 0xf8) return ok(res, layer, 'ethertype', pid, off + hdr + 5, end);
    return ok(res, layer, 'none', 0, off + hdr + 5, end);
  }
  const layer: LlcLayer = { kind: 'llc', offset: off, headerLength: hdr, dsap, ssap, control };
  return ok(res, layer, 'none', 0, off + hdr, end);
}
