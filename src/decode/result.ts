/** Small constructors for decoder results, so decoders stay declarative. */
import { type Anomaly, anomaly } from '../core/anomaly.js';
import { DA } from './anomalies.js';
import type { DecodeContext, DecodeResult, IpContext, Layer, NextSpace } from './types.js';

const NONE: readonly Anomaly[] = [];

export function ok(
  layer: Layer,
  next: NextSpace,
  nextValue: number,
  payloadOffset: number,
  payloadEnd: number,
  anomalies: readonly Anomaly[] = NONE,
  ip?: IpContext,
  cut?: boolean,
): DecodeResult {
  // One object shape for every result (V8 keeps such call sites monomorphic).
  return { layer, anomalies, next, nextValue, payloadOffset, payloadEnd, ip, cut };
}

/** No layer could be decoded: `id` says why. */
export function fail(id: string, layerName: string, off: number, end: number, detail?: string): DecodeResult {
  return {
    layer: undefined,
    anomalies: [anomaly(id, layerName, off, detail)],
    next: 'none',
    nextValue: 0,
    payloadOffset: off,
    payloadEnd: end,
    ip: undefined,
    cut: undefined,
  };
}

/**
 * The header needs `need` bytes from `off` but only [off, end) exists. If the frame was cut by the
 * snap length this is plain truncation; otherwise the packet itself is too short (malformed).
 * Inside an ICMP quote, running out is expected and is reported as truncation.
 */
export function short(
  ctx: DecodeContext,
  layerName: string,
  off: number,
  end: number,
  need: number,
): DecodeResult {
  const id = ctx.cut || ctx.quoted ? DA.truncated : DA['too-short'];
  return fail(id, layerName, off, end, `needs ${need} bytes, ${Math.max(0, end - off)} captured`);
}
