/**
 * Shared helpers for the decoder specification tests: build a frame from hex, decode it, check
 * the invariants every decoded packet must satisfy, and sweep a frame's headers cut at every byte.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LinkType } from '../../src/capture/linktype.js';
import { readCaptureBuffer } from '../../src/capture/source.js';
import type { Frame } from '../../src/capture/types.js';
import type { Anomaly } from '../../src/core/anomaly.js';
import { fromHex } from '../../src/core/bytes.js';
import { decodeFrame, statusOf } from '../../src/decode/pipeline.js';
import type { Layer, LayerKind, Packet, PacketStatus } from '../../src/decode/types.js';
import { allFixtureCaptures, FIXTURES } from '../helpers/corpus.js';

export { LinkType };

const STATUSES: readonly PacketStatus[] = ['decoded', 'truncated', 'malformed', 'unsupported'];

/** Bytes from hex lines (whitespace and colons ignored). */
export function hex(...lines: readonly string[]): Uint8Array {
  return fromHex(lines.join(''));
}

/** A frame as a capture reader would deliver it; `origlen` > data.length means cut by the snap length. */
export function frameOf(linkType: number, data: Uint8Array, origlen = data.length, index = 1): Frame {
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
    fileOffset: -1,
  };
}

/** Layer kind → the layer name decoders put in their anomalies. */
export function anomalyLayerName(kind: LayerKind, linkType: number): string {
  if (kind === 'icmp4') return 'icmp';
  if (kind === 'null') return linkType === LinkType.LOOP ? 'loop' : 'null';
  return kind;
}

/** Every layer, including those decoded inside an ICMP error's quote. */
export function allLayers(layers: readonly Layer[]): Layer[] {
  const out: Layer[] = [];
  for (const l of layers) {
    out.push(l);
    if ((l.kind === 'icmp4' || l.kind === 'icmp6') && l.quoted) out.push(...allLayers(l.quoted));
  }
  return out;
}

/**
 * What every decoded packet must satisfy, whatever its bytes: exactly one accounting status, the
 * one its anomalies imply, and `truncated` only when the snap length cut the frame; no escaped
 * exception (`decoder-bug`); anomaly offsets inside the frame (or -1); every layer's header
 * [offset, offset + headerLength) inside the frame.
 */
export function checkPacket(p: Packet, what = ''): void {
  const caplen = p.frame.data.length;
  const at = () => `${what} ${JSON.stringify(p.anomalies)}`;
  assert.equal(
    STATUSES.filter((s) => s === p.status).length,
    1,
    `${what}: status ${String(p.status)} is not exactly one of ${STATUSES.join('/')}`,
  );
  assert.equal(p.status, statusOf(p.anomalies), `status disagrees with anomalies: ${at()}`);
  // Only the snap length truncates: a frame captured whole is never `truncated`.
  if (p.status === 'truncated')
    assert.ok(p.frame.caplen < p.frame.origlen, `truncated, yet caplen = origlen = ${caplen}: ${at()}`);
  for (const a of p.anomalies) {
    assert.notEqual(a.id, 'decoder-bug', `escaped exception: ${at()}`);
    assert.ok(
      Number.isInteger(a.offset) && a.offset >= -1 && a.offset <= caplen,
      `offset outside frame: ${at()}`,
    );
  }
  for (const l of allLayers(p.layers)) {
    assert.ok(
      Number.isInteger(l.offset) &&
        Number.isInteger(l.headerLength) &&
        l.offset >= 0 &&
        l.headerLength >= 0 &&
        l.offset + l.headerLength <= caplen,
      `${what}: ${l.kind} layer [${l.offset}, ${l.offset + l.headerLength}) outside a frame of ${caplen} bytes`,
    );
  }
  assert.ok(
    p.payloadOffset >= 0 && p.payloadLength >= 0 && p.payloadOffset + p.payloadLength <= caplen,
    `${what}: payload [${p.payloadOffset}, +${p.payloadLength}) outside the frame`,
  );
}

/** Decode `data` (bytes or hex lines) as one frame of `linkType`, check the invariants, return the packet. */
export function decode(
  linkType: number,
  data: Uint8Array | string | readonly string[],
  origlen?: number,
): Packet {
  const bytes = typeof data === 'string' ? hex(data) : data instanceof Uint8Array ? data : hex(...data);
  const p = decodeFrame(frameOf(linkType, bytes, origlen ?? bytes.length));
  checkPacket(p);
  return p;
}

/** Anomaly ids of a packet, in order. */
export function ids(p: Packet): string[] {
  return p.anomalies.map((a) => a.id);
}

/** The anomaly with this id (asserting it is there). */
export function anomalyOf(p: Packet, id: string): Anomaly {
  const a = p.anomalies.find((x) => x.id === id);
  assert.ok(a, `no ${id} among ${JSON.stringify(ids(p))}`);
  return a;
}

/** Layer kinds in order, quoted layers in brackets after their ICMP layer. */
export function kinds(p: Packet | readonly Layer[]): string[] {
  const layers = 'layers' in p ? p.layers : p;
  return layers.map((l) =>
    (l.kind === 'icmp4' || l.kind === 'icmp6') && l.quoted
      ? `${l.kind}[${kinds(l.quoted).join(',')}]`
      : l.kind,
  );
}

/** The nth layer of a kind (asserting it is there), narrowed to its type. */
export function layer<K extends LayerKind>(
  p: Packet | readonly Layer[],
  kind: K,
  nth = 0,
): Extract<Layer, { kind: K }> {
  const layers = 'layers' in p ? p.layers : p;
  const found = layers.filter((l): l is Extract<Layer, { kind: K }> => l.kind === kind)[nth];
  assert.ok(found, `no ${kind} layer #${nth} in ${kinds(layers).join(' ')}`);
  return found;
}

export interface CutRange {
  /** Anomaly layer name expected for a cut in [from, to). */
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/**
 * The header ranges of a frame's layers, as the sweep cuts them. Layers reached through a port
 * table (DNS) start one byte in: a cut exactly before them leaves an empty transport payload,
 * which is data, not a header.
 */
export function headerRanges(linkType: number, p: Packet): CutRange[] {
  const out: CutRange[] = [];
  for (const l of p.layers) {
    if (l.kind === 'undecoded') continue;
    const from = l.kind === 'dns' ? l.offset + 1 : l.offset;
    out.push({ name: anomalyLayerName(l.kind, linkType), from, to: l.offset + l.headerLength });
  }
  return out;
}

/**
 * Cut a valid frame at every byte boundary inside the given header ranges (default: every layer of
 * the frame; a list of names keeps those layers' ranges). Cut by a snap length (origlen stays the full length) the packet must be `truncated`;
 * cut with origlen = caplen (the packet itself is short) it must be `malformed`. Either way the
 * pipeline never throws, an anomaly names the layer that was cut, and all offsets stay inside
 * the frame. Returns the number of cut points checked.
 */
export function sweepCuts(
  linkType: number,
  data: Uint8Array,
  only?: readonly string[] | readonly CutRange[],
): number {
  const full = decode(linkType, data);
  const all = headerRanges(linkType, full);
  const rs: readonly CutRange[] =
    only === undefined
      ? all
      : only.every((x) => typeof x === 'string')
        ? all.filter((r) => (only as readonly string[]).includes(r.name))
        : (only as readonly CutRange[]);
  assert.ok(rs.length > 0, `nothing to sweep among ${all.map((r) => r.name).join(', ')}`);
  let n = 0;
  for (const r of rs) {
    for (let cut = r.from; cut < r.to; cut++) {
      const bytes = data.slice(0, cut);
      for (const snap of [true, false]) {
        const p = decodeFrame(frameOf(linkType, bytes, snap ? data.length : cut));
        const what = `${r.name} cut at ${cut}/${data.length}${snap ? ' by the snap length' : ' (origlen = caplen)'}`;
        checkPacket(p, what);
        const want: PacketStatus = snap ? 'truncated' : 'malformed';
        assert.equal(p.status, want, `${what}: ${JSON.stringify(p.anomalies)}`);
        assert.ok(
          p.anomalies.some(
            (a) => a.layer === r.name && (a.severity === 'truncated' || a.severity === 'malformed'),
          ),
          `${what}: no truncated/malformed anomaly names ${r.name}: ${JSON.stringify(p.anomalies)}`,
        );
        n++;
      }
    }
  }
  return n;
}

/** Copy `data` with bytes replaced: `patch(d, [offset, byte], ...)`. */
export function patch(data: Uint8Array, ...edits: readonly (readonly [number, number])[]): Uint8Array {
  const out = data.slice();
  for (const [o, b] of edits) out[o] = b;
  return out;
}

/** Copy `data` with a 16-bit big-endian value written at `o`. */
export function put16(data: Uint8Array, o: number, v: number): Uint8Array {
  return patch(data, [o, (v >>> 8) & 0xff], [o + 1, v & 0xff]);
}

export interface FixtureFrame {
  readonly file: string;
  readonly frame: Frame;
}

/** Every frame of every capture under fixtures/ (data copied, so frames outlive the reader). */
export function fixtureFrames(): FixtureFrame[] {
  const out: FixtureFrame[] = [];
  for (const path of allFixtureCaptures()) {
    const file = path.slice(path.indexOf('fixtures/'));
    readCaptureBuffer(
      new Uint8Array(readFileSync(path)),
      {
        frame(f) {
          out.push({ file, frame: { ...f, data: f.data.slice() } });
        },
        problem() {},
      },
      file,
    );
  }
  return out;
}

/** The frames of one capture under fixtures/ (path relative to it), decoded and checked. */
export function fixturePackets(relPath: string): Packet[] {
  const out: Packet[] = [];
  readCaptureBuffer(
    new Uint8Array(readFileSync(`${FIXTURES}/${relPath}`)),
    {
      frame(f) {
        const p = decodeFrame({ ...f, data: f.data.slice() });
        checkPacket(p, `${relPath} #${f.index}`);
        out.push(p);
      },
      problem() {},
    },
    relPath,
  );
  return out;
}

/** RFC 1071 Internet checksum of [start, end) plus `initial` (an independent implementation for building test frames). */
export function inetChecksum(d: Uint8Array, start = 0, end = d.length, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2)
    sum += ((d[i] as number) << 8) | (i + 1 < end ? (d[i + 1] as number) : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const ETH_HEADER_V4 = hex('66778899aabb0011223344550800');
const ETH_HEADER_V6 = hex('66778899aabb00112233445586dd');

/** Ethernet + IPv4 (10.0.0.1 → 10.0.0.2, TTL 64, correct header checksum) around `payload`. */
export function ipv4Frame(
  protocol: number,
  payload: Uint8Array,
  src = '0a000001',
  dst = '0a000002',
): Uint8Array {
  const ip = hex(
    '4500',
    (20 + payload.length).toString(16).padStart(4, '0'),
    '00010000',
    '40',
    protocol.toString(16).padStart(2, '0'),
    '0000',
    src,
    dst,
  );
  const c = inetChecksum(ip);
  ip[10] = c >> 8;
  ip[11] = c & 0xff;
  return concat(ETH_HEADER_V4, ip, payload);
}

/** An ICMPv4 message with a correct checksum: type, code, the 4 "rest of header" bytes, data. */
export function icmp4(
  type: number,
  code: number,
  rest: string,
  data: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const m = concat(
    hex(type.toString(16).padStart(2, '0'), code.toString(16).padStart(2, '0'), '0000', rest),
    data,
  );
  const c = inetChecksum(m);
  m[2] = c >> 8;
  m[3] = c & 0xff;
  return m;
}

export const V6_SRC = '20010db8000000000000000000000001';
export const V6_DST = '20010db8000000000000000000000002';

/** Ethernet + IPv6 (2001:db8::1 → 2001:db8::2 by default, hop limit 255) around `payload`. */
export function ipv6Frame(nextHeader: number, payload: Uint8Array, src = V6_SRC, dst = V6_DST): Uint8Array {
  const ip = hex(
    '60000000',
    payload.length.toString(16).padStart(4, '0'),
    nextHeader.toString(16).padStart(2, '0'),
    'ff',
    src,
    dst,
  );
  return concat(ETH_HEADER_V6, ip, payload);
}

/** An ICMPv6 message with a correct checksum for the given addresses: type, code, body after the checksum. */
export function icmp6(type: number, code: number, body: Uint8Array, src = V6_SRC, dst = V6_DST): Uint8Array {
  const m = concat(hex(type.toString(16).padStart(2, '0'), code.toString(16).padStart(2, '0'), '0000'), body);
  const pseudo = concat(hex(src, dst), hex(m.length.toString(16).padStart(8, '0'), '0000003a'));
  let s = 0;
  for (let i = 0; i < pseudo.length; i += 2) s += ((pseudo[i] as number) << 8) | (pseudo[i + 1] as number);
  const c = inetChecksum(m, 0, m.length, s);
  m[2] = c >> 8;
  m[3] = c & 0xff;
  return m;
}

/** Ethernet + IPv4 (10.0.0.1 → 10.0.0.2) + UDP with a correct checksum around `payload`. */
export function udp4Frame(srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  const seg = concat(
    hex(
      srcPort.toString(16).padStart(4, '0'),
      dstPort.toString(16).padStart(4, '0'),
      len.toString(16).padStart(4, '0'),
      '0000',
    ),
    payload,
  );
  const c = inetChecksum(seg, 0, seg.length, 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + len) || 0xffff;
  seg[6] = c >> 8;
  seg[7] = c & 0xff;
  return ipv4Frame(17, seg);
}
