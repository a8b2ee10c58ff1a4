/**
 * Test-only classic pcap reader and writer (the real reader lives in src/capture/, written in
 * parallel). Reads both byte orders and both microsecond (a1b2c3d4) and nanosecond (a1b23c4d)
 * files; stops quietly at a truncated final record.
 */
import type { Frame } from '../../src/capture/types.js';

export interface TestPcap {
  readonly linkType: number;
  readonly frames: Frame[];
}

export function readPcap(buf: Uint8Array): TestPcap {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, true);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const m = le ? magic : dv.getUint32(0, false);
  if (m !== 0xa1b2c3d4 && m !== 0xa1b23c4d)
    throw new Error(`not a classic pcap file (magic ${magic.toString(16)})`);
  const nano = m === 0xa1b23c4d;
  const linkType = dv.getUint32(20, le) & 0x0fffffff;
  const frames: Frame[] = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    const tsSec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const caplen = dv.getUint32(off + 8, le);
    const origlen = dv.getUint32(off + 12, le);
    if (off + 16 + caplen > buf.length) break;
    const tsNsec = nano ? frac : frac * 1000;
    frames.push({
      index: frames.length + 1,
      tsSec,
      tsNsec,
      ts: tsSec + tsNsec / 1e9,
      caplen,
      origlen,
      linkType,
      interfaceId: 0,
      data: buf.subarray(off + 16, off + 16 + caplen),
      fileOffset: off,
    });
    off += 16 + caplen;
  }
  return { linkType, frames };
}

/** A little-endian microsecond pcap holding `frames` (snaplen 262144, libpcap's maximum). */
export function writePcap(linkType: number, frames: readonly Frame[]): Uint8Array {
  const size = 24 + frames.reduce((n, f) => n + 16 + f.data.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, linkType, true);
  let off = 24;
  for (const f of frames) {
    dv.setUint32(off, f.tsSec, true);
    dv.setUint32(off + 4, Math.floor(f.tsNsec / 1000), true);
    dv.setUint32(off + 8, f.data.length, true);
    dv.setUint32(off + 12, f.origlen, true);
    out.set(f.data, off + 16);
    off += 16 + f.data.length;
  }
  return out;
}

/** A Frame for hand-built test packets. */
export function frameOf(data: Uint8Array, linkType = 1, origlen = data.length, index = 1): Frame {
  return {
    index,
    tsSec: 0,
    tsNsec: 0,
    ts: 0,
    caplen: data.length,
    origlen,
    linkType,
    interfaceId: 0,
    data,
    fileOffset: 0,
  };
}
