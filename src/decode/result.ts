/** Small writers for decoder results, so decoders stay declarative. Each returns the result it filled. */
import { type Anomaly, anomaly } from '../core/anomaly.js';
import { DA } from './anomalies.js';
import type { DecodeContext, DecodeResult, IpContext, Layer, NextSpace } from './types.js';

/** The result object of one walk; decoder anomalies go to `anomalies`. */
export function newResult(anomalies: Anomaly[]): DecodeResult {
  // One object shape for every result (V8 keeps the walk's reads monomorphic).
  return {
    layer: undefined,
    anomalies,
    next: 'none',
    nextValue: 0,
    payloadOffset: 0,
    payloadEnd: 0,
    ip: undefined,
    cut: undefined,
    ipRecord: { family: 4, pseudoSum: 0, upperLength: 0, fragment: false, superFrame: false },
  };
}

/** A decoded layer; what follows is `next`/`nextValue` in [payloadOffset, payloadEnd). */
export function ok(
  res: DecodeResult,
  layer: Layer,
  next: NextSpace,
  nextValue: number,
  payloadOffset: number,
  payloadEnd: number,
  ip?: IpContext,
  cut?: boolean,
): DecodeResult {
  res.layer = layer;
  res.next = next;
  res.nextValue = nextValue;
  res.payloadOffset = payloadOffset;
  res.payloadEnd = payloadEnd;
  res.ip = ip;
  res.cut = cut;
  return res;
}

/** No layer, and nothing more to decode in [off, end). */
export function none(res: DecodeResult, off: number, end: number): DecodeResult {
  res.layer = undefined;
  res.next = 'none';
  res.nextValue = 0;
  res.payloadOffset = off;
  res.payloadEnd = end;
  res.ip = undefined;
  res.cut = undefined;
  return res;
}

/** An IP header's context for the transport decoder, in the walk's one record (see `DecodeResult.ipRecord`). */
export function ipContext(
  res: DecodeResult,
  family: 4 | 6,
  pseudoSum: number,
  upperLength: number,
  fragment: boolean,
  superFrame: boolean,
): IpContext {
  const r = res.ipRecord;
  r.family = family;
  r.pseudoSum = pseudoSum;
  r.upperLength = upperLength;
  r.fragment = fragment;
  r.superFrame = superFrame;
  return r;
}

/** No layer could be decoded: `id` says why. */
export function fail(
  res: DecodeResult,
  id: string,
  layerName: string,
  off: number,
  end: number,
  detail?: string,
): DecodeResult {
  res.anomalies.push(anomaly(id, layerName, off, detail));
  return none(res, off, end);
}

/** The anomaly `short` reports (for decoders that keep a partial layer). */
export function shortAnomaly(
  ctx: DecodeContext,
  layerName: string,
  off: number,
  end: number,
  need: number,
): Anomaly {
  const id = ctx.cut || ctx.quoted ? DA.truncated : DA['too-short'];
  return anomaly(id, layerName, off, `needs ${need} bytes, ${Math.max(0, end - off)} captured`);
}

/**
 * The header needs `need` bytes from `off` but only [off, end) exists. If the frame was cut by the
 * snap length this is plain truncation; otherwise the packet itself is too short (malformed).
 * Inside an ICMP quote, running out is expected and is reported as truncation.
 */
export function short(
  ctx: DecodeContext,
  res: DecodeResult,
  layerName: string,
  off: number,
  end: number,
  need: number,
): DecodeResult {
  res.anomalies.push(shortAnomaly(ctx, layerName, off, end, need));
  return none(res, off, end);
}
