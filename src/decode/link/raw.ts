/** Raw IP link types (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6): no link header; IPv4 or IPv6 by the version nibble. */
import { none } from '../result.js';
import type { DecodeContext, DecodeResult } from '../types.js';

export function decodeRaw(
  _d: Uint8Array,
  off: number,
  end: number,
  _ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  none(res, off, end);
  res.next = 'ip-version';
  return res;
}
