/** Raw IP link types (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6): no link header; IPv4 or IPv6 by the version nibble. */
import type { DecodeContext, DecodeResult } from '../types.js';

const NO_ANOMALIES: readonly never[] = [];

export function decodeRaw(_d: Uint8Array, off: number, end: number, _ctx: DecodeContext): DecodeResult {
  return {
    layer: undefined,
    anomalies: NO_ANOMALIES,
    next: 'ip-version',
    nextValue: 0,
    payloadOffset: off,
    payloadEnd: end,
    ip: undefined,
    cut: undefined,
  };
}
