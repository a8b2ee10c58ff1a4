/** TCP (RFC 9293): flags, every option, checksum (with offload recognition), payload lengths. */
import { type Anomaly, anomaly } from '../../core/anomaly.js';
import { toHex, u16be, u32be } from '../../core/bytes.js';
import { DA } from '../anomalies.js';
import { finish, fold, sumWords } from '../checksum.js';
import { ok, short } from '../result.js';
import type { ChecksumStatus, DecodeContext, DecodeResult, TcpLayer, TcpOption } from '../types.js';
import { TcpFlag } from '../types.js';

const SRC_PORT = 0;
const DST_PORT = 2;
const SEQ = 4;
const ACK = 8;
const OFF_FLAGS = 12;
const WINDOW = 14;
const CHECKSUM = 16;
const URGENT = 18;
const MIN_HEADER = 20;

/** Option kinds (IANA "TCP Option Kind Numbers"). */
export const TcpOptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WSCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMP: 8,
  MD5: 19,
  TCP_AO: 29,
  MPTCP: 30,
  TFO: 34,
  EXPERIMENTAL_1: 253,
  EXPERIMENTAL_2: 254,
} as const;

const TFO_EXP_MAGIC = 0xf989;

/** An option whose length does not fit its kind (a function, not a closure: no allocation per option). */
function badLength(anomalies: Anomaly[], o: number, kind: number, len: number, want: string): void {
  anomalies.push(
    anomaly(DA['tcp.bad-option-length'], 'tcp', o + 1, `option ${kind} length ${len}, expected ${want}`),
  );
}

/**
 * NOP and EOL carry nothing but their offset, and nearly every segment has two NOPs (before its
 * timestamp): one shared frozen record per offset instead of two new objects per segment.
 */
const SHARED_OFFSETS = 256;
const NOP_AT: TcpOption[] = [];
const EOL_AT: TcpOption[] = [];
for (let o = 0; o < SHARED_OFFSETS; o++) {
  NOP_AT.push(Object.freeze({ kind: 'nop', offset: o }));
  EOL_AT.push(Object.freeze({ kind: 'eol', offset: o }));
}

/** Parse options in [start, end); a bad length ends parsing with a malformed anomaly (never a throw). */
export function parseTcpOptions(
  d: Uint8Array,
  start: number,
  end: number,
  anomalies: Anomaly[],
): TcpOption[] {
  // Linux's options on every segment after the handshake: NOP, NOP, timestamps (12 bytes). Built as
  // one literal of its exact size: an empty array grown by push reserves room for 17.
  if (
    end - start === 12 &&
    start + 1 < SHARED_OFFSETS &&
    d[start] === TcpOptionKind.NOP &&
    d[start + 1] === TcpOptionKind.NOP &&
    d[start + 2] === TcpOptionKind.TIMESTAMP &&
    d[start + 3] === 10
  ) {
    return [
      NOP_AT[start] as TcpOption,
      NOP_AT[start + 1] as TcpOption,
      { kind: 'timestamp', offset: start + 2, tsval: u32be(d, start + 4), tsecr: u32be(d, start + 8) },
    ];
  }
  const opts: TcpOption[] = [];
  let o = start;
  while (o < end) {
    const kind = d[o] as number;
    if (kind === TcpOptionKind.EOL) {
      opts.push(o < SHARED_OFFSETS ? (EOL_AT[o] as TcpOption) : { kind: 'eol', offset: o });
      break;
    }
    if (kind === TcpOptionKind.NOP) {
      opts.push(o < SHARED_OFFSETS ? (NOP_AT[o] as TcpOption) : { kind: 'nop', offset: o });
      o++;
      continue;
    }
    if (o + 1 >= end) {
      anomalies.push(anomaly(DA['tcp.bad-option-length'], 'tcp', o, `option ${kind} has no length byte`));
      break;
    }
    const len = d[o + 1] as number;
    if (len < 2 || o + len > end) {
      anomalies.push(anomaly(DA['tcp.bad-option-length'], 'tcp', o + 1, `option ${kind} length ${len}`));
      break;
    }
    const v = o + 2;
    switch (kind) {
      case TcpOptionKind.MSS:
        if (len !== 4) badLength(anomalies, o, kind, len, '4');
        else opts.push({ kind: 'mss', offset: o, value: u16be(d, v) });
        break;
      case TcpOptionKind.WSCALE:
        if (len !== 3) badLength(anomalies, o, kind, len, '3');
        else opts.push({ kind: 'wscale', offset: o, shift: d[v] as number });
        break;
      case TcpOptionKind.SACK_PERMITTED:
        if (len !== 2) badLength(anomalies, o, kind, len, '2');
        else opts.push({ kind: 'sack-permitted', offset: o });
        break;
      case TcpOptionKind.SACK: {
        if ((len - 2) % 8 !== 0 || len < 10) {
          badLength(anomalies, o, kind, len, '2 + 8n');
          break;
        }
        const blocks: (readonly [number, number])[] = [];
        for (let b = v; b + 8 <= o + len; b += 8) blocks.push([u32be(d, b), u32be(d, b + 4)]);
        opts.push({ kind: 'sack', offset: o, blocks });
        break;
      }
      case TcpOptionKind.TIMESTAMP:
        if (len !== 10) badLength(anomalies, o, kind, len, '10');
        else opts.push({ kind: 'timestamp', offset: o, tsval: u32be(d, v), tsecr: u32be(d, v + 4) });
        break;
      case TcpOptionKind.MD5:
        if (len !== 18) badLength(anomalies, o, kind, len, '18');
        else opts.push({ kind: 'md5', offset: o });
        break;
      case TcpOptionKind.TCP_AO:
        if (len < 4) badLength(anomalies, o, kind, len, '>= 4');
        else opts.push({ kind: 'tcp-ao', offset: o, keyId: d[v] as number, rnextKeyId: d[v + 1] as number });
        break;
      case TcpOptionKind.MPTCP:
        if (len < 3) badLength(anomalies, o, kind, len, '>= 3');
        else
          opts.push({
            kind: 'mptcp',
            offset: o,
            subtype: (d[v] as number) >> 4,
            bytes: toHex(d, v, o + len),
          });
        break;
      case TcpOptionKind.TFO:
        opts.push({ kind: 'tfo', offset: o, cookie: toHex(d, v, o + len) });
        break;
      case TcpOptionKind.EXPERIMENTAL_2:
        if (len >= 4 && u16be(d, v) === TFO_EXP_MAGIC)
          opts.push({ kind: 'tfo', offset: o, cookie: toHex(d, v + 2, o + len) });
        else opts.push({ kind: 'unknown', offset: o, code: kind, bytes: toHex(d, v, o + len) });
        break;
      default:
        opts.push({ kind: 'unknown', offset: o, code: kind, bytes: toHex(d, v, o + len) });
        break;
    }
    o += len;
  }
  return opts;
}

/** Every TCP layer is built here, with one key order, so V8 gives them all one hidden class. */
function tcpLayer(
  d: Uint8Array,
  off: number,
  avail: number,
  headerLength: number,
  checksumStatus: ChecksumStatus,
  options: readonly TcpOption[],
  payloadLength: number,
  capturedPayload: number,
  partial: boolean,
): TcpLayer {
  return {
    kind: 'tcp',
    offset: off,
    headerLength,
    srcPort: u16be(d, off + SRC_PORT),
    dstPort: u16be(d, off + DST_PORT),
    seq: avail >= 8 ? u32be(d, off + SEQ) : 0,
    ack: avail >= 12 ? u32be(d, off + ACK) : 0,
    dataOffset: avail >= 13 ? (d[off + OFF_FLAGS] as number) >> 4 : 0,
    flags: avail >= 14 ? u16be(d, off + OFF_FLAGS) & 0x0fff : 0,
    window: avail >= 16 ? u16be(d, off + WINDOW) : 0,
    checksum: avail >= 18 ? u16be(d, off + CHECKSUM) : 0,
    checksumStatus,
    urgentPointer: avail >= 20 ? u16be(d, off + URGENT) : 0,
    options,
    payloadLength,
    capturedPayload,
    partial,
  };
}

const NO_OPTIONS: readonly TcpOption[] = [];

export function decodeTcp(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  const avail = end - off;
  if (avail < MIN_HEADER) {
    // An ICMP error quotes at least the ports and the sequence number, and a snap length can cut the
    // header anywhere: keep the fields that are there (like tshark and tcpdump do).
    if (avail >= 4) {
      const dataOffset = avail >= 13 ? (d[off + OFF_FLAGS] as number) >> 4 : 0;
      const upper = ctx.ip ? ctx.ip.upperLength : avail;
      const layer = tcpLayer(
        d,
        off,
        avail,
        avail,
        'unverified',
        NO_OPTIONS,
        dataOffset >= 5 ? Math.max(0, upper - dataOffset * 4) : 0,
        0,
        true,
      );
      if (!ctx.quoted)
        res.anomalies.push(
          anomaly(
            ctx.cut ? DA.truncated : DA['too-short'],
            'tcp',
            off,
            `header needs 20 bytes, ${avail} captured`,
          ),
        );
      return ok(res, layer, 'none', 0, end, end);
    }
    return short(ctx, res, 'tcp', off, end, MIN_HEADER);
  }
  const anomalies = res.anomalies;
  const offFlags = u16be(d, off + OFF_FLAGS);
  const dataOffset = offFlags >> 12;
  const flags = offFlags & 0x0fff;
  const hdr = dataOffset * 4;
  const srcPort = u16be(d, off + SRC_PORT);
  const dstPort = u16be(d, off + DST_PORT);
  const checksum = u16be(d, off + CHECKSUM);
  const ip = ctx.ip;
  const upper = ip ? ip.upperLength : avail;

  if (hdr < MIN_HEADER || hdr > upper) {
    anomalies.push(
      anomaly(DA['tcp.bad-data-offset'], 'tcp', off + OFF_FLAGS, `data offset ${dataOffset} (${hdr} bytes)`),
    );
    const layer = tcpLayer(d, off, avail, MIN_HEADER, 'unverified', NO_OPTIONS, 0, 0, false);
    return ok(res, layer, 'none', 0, off + MIN_HEADER, off + MIN_HEADER);
  }
  let options: readonly TcpOption[] = NO_OPTIONS;
  let partial = false;
  if (hdr > avail) {
    // Options cut off by the snap length (or the quote): decode what is there.
    anomalies.push(
      anomaly(
        ctx.cut || ctx.quoted ? DA.truncated : DA['too-short'],
        'tcp',
        off,
        `header ${hdr} bytes, ${avail} captured`,
      ),
    );
    partial = true;
  } else if (hdr > MIN_HEADER) {
    options = parseTcpOptions(d, off + MIN_HEADER, off + hdr, anomalies);
  }

  const payloadLength = upper - hdr;
  const segEnd = off + upper;
  let checksumStatus: ChecksumStatus = 'unverified';
  if (ip && !ip.fragment && !ip.superFrame && segEnd <= end && !ctx.quoted) {
    if (finish(sumWords(d, off, segEnd, ip.pseudoSum)) === 0) checksumStatus = 'good';
    else if (checksum === fold(ip.pseudoSum)) {
      // CHECKSUM_PARTIAL: the stack left only the pseudo-header sum for the NIC to complete.
      checksumStatus = 'offload';
      anomalies.push(anomaly(DA['tcp.checksum-offload'], 'tcp', off + CHECKSUM));
    } else {
      checksumStatus = 'bad';
      anomalies.push(
        anomaly(
          DA['tcp.bad-checksum'],
          'tcp',
          off + CHECKSUM,
          `checksum 0x${checksum.toString(16).padStart(4, '0')}`,
        ),
      );
    }
  }
  if (!ctx.quoted) {
    if ((flags & (TcpFlag.SYN | TcpFlag.FIN)) === (TcpFlag.SYN | TcpFlag.FIN))
      anomalies.push(anomaly(DA['tcp.syn-fin'], 'tcp', off + OFF_FLAGS));
    if (flags & TcpFlag.RESERVED)
      anomalies.push(
        anomaly(
          DA['tcp.reserved-bits'],
          'tcp',
          off + OFF_FLAGS,
          `bits 0x${(flags & TcpFlag.RESERVED).toString(16)}`,
        ),
      );
    if (flags === 0) anomalies.push(anomaly(DA['tcp.null-flags'], 'tcp', off + OFF_FLAGS));
    if (srcPort === 0 || dstPort === 0) anomalies.push(anomaly(DA['tcp.port-zero'], 'tcp', off));
  }
  const p = Math.min(off + hdr, end);
  const pEnd = Math.min(segEnd, end);
  const layer = tcpLayer(
    d,
    off,
    avail,
    Math.min(hdr, avail),
    checksumStatus,
    options,
    payloadLength,
    Math.max(0, pEnd - p),
    partial,
  );
  return ok(res, layer, pEnd > p && !ctx.quoted ? 'tcp' : 'none', 0, p, Math.max(p, pEnd));
}
