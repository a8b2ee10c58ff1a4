/**
 * BSD loopback: LINKTYPE_NULL (a 4-byte address family in the *capturing host's* byte order) and
 * LINKTYPE_LOOP (OpenBSD, always network byte order).
 */
import { anomaly } from '../../core/anomaly.js';
import { u32be, u32le } from '../../core/bytes.js';
import { DA } from '../anomalies.js';
import { ok, short } from '../result.js';
import type { DecodeContext, DecodeResult, NullLayer } from '../types.js';

const HEADER = 4;

/** AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux). */
export function familyEthertype(family: number): number | undefined {
  if (family === 2) return 0x0800;
  if (family === 24 || family === 28 || family === 30 || family === 10) return 0x86dd;
  return undefined;
}

function decode(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
  loop: boolean,
): DecodeResult {
  if (end - off < HEADER) return short(ctx, res, loop ? 'loop' : 'null', off, end, HEADER);
  let family: number;
  let byteOrder: 'little' | 'big';
  if (loop) {
    family = u32be(d, off);
    byteOrder = 'big';
  } else {
    // The writer's byte order is unknown: a family fits in the low 16 bits, so whichever reading
    // gives a small value is the right one (libpcap's own heuristic).
    const le = u32le(d, off);
    if ((le & 0xffff0000) !== 0 && (le & 0x0000ffff) === 0) {
      family = u32be(d, off);
      byteOrder = 'big';
    } else {
      family = le;
      byteOrder = 'little';
    }
  }
  const layer: NullLayer = { kind: 'null', offset: off, headerLength: HEADER, family, byteOrder, loop };
  const et = familyEthertype(family);
  if (et === undefined) {
    res.anomalies.push(anomaly(DA['null.unknown-family'], 'null', off, `address family ${family}`));
    return ok(res, layer, 'none', 0, off + HEADER, end);
  }
  return ok(res, layer, 'ethertype', et, off + HEADER, end);
}

export function decodeNull(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  return decode(d, off, end, ctx, res, false);
}

export function decodeLoop(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  return decode(d, off, end, ctx, res, true);
}
