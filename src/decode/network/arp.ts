/** ARP and RARP (RFC 826, RFC 903; gratuitous and probe forms from RFC 5227). */

import { ip4ToString, macAt, macToString } from '../../core/addr.js';
import { anomaly } from '../../core/anomaly.js';
import { toHex, u16be, u32be } from '../../core/bytes.js';
import { DA } from '../anomalies.js';
import { fail, ok, short, shortAnomaly } from '../result.js';
import type { ArpKind, ArpLayer, DecodeContext, DecodeResult } from '../types.js';

const HTYPE = 0;
const PTYPE = 2;
const HLEN = 4;
const PLEN = 5;
const OPER = 6;
const FIXED = 8;

const HW_ETHERNET = 1;
const HW_IEEE802 = 6;
const PROTO_IPV4 = 0x0800;

function classify(op: number, spa: number | undefined, tpa: number | undefined): ArpKind {
  if (op === 1) {
    if (spa === 0) return 'probe';
    if (spa !== undefined && spa === tpa) return 'gratuitous';
    return 'request';
  }
  if (op === 2) return spa !== undefined && spa === tpa ? 'gratuitous' : 'reply';
  if (op === 3) return 'rarp-request';
  if (op === 4) return 'rarp-reply';
  return 'other';
}

export function decodeArp(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < FIXED) return short(ctx, res, 'arp', off, end, FIXED);
  const hwType = u16be(d, off + HTYPE);
  const protoType = u16be(d, off + PTYPE);
  const hwLength = d[off + HLEN] as number;
  const protoLength = d[off + PLEN] as number;
  const opcode = u16be(d, off + OPER);
  const total = FIXED + 2 * (hwLength + protoLength);
  if (end - off < total) {
    // Keep the fixed part (types and opcode), as tshark does; the addresses are missing.
    const layer: ArpLayer = {
      kind: 'arp',
      offset: off,
      headerLength: end - off,
      hwType,
      protoType,
      hwLength,
      protoLength,
      opcode,
      arpKind: classify(opcode, undefined, undefined),
      senderHw: '',
      senderProto: '',
      targetHw: '',
      targetProto: '',
    };
    res.anomalies.push(shortAnomaly(ctx, 'arp', off, end, total));
    return ok(res, layer, 'none', 0, end, end);
  }
  const sha = off + FIXED;
  const spa = sha + hwLength;
  const tha = spa + protoLength;
  const tpa = tha + hwLength;
  // Before any other anomaly: a packet that fails here reports only this one.
  if (hwLength === 0 && protoLength === 0) {
    return fail(res, DA['arp.bad-lengths'], 'arp', off + HLEN, end, 'zero-length addresses');
  }
  const anomalies = res.anomalies;
  const ethIp =
    (hwType === HW_ETHERNET || hwType === HW_IEEE802) &&
    protoType === PROTO_IPV4 &&
    hwLength === 6 &&
    protoLength === 4;
  if (!ethIp && (hwType === HW_ETHERNET || hwType === HW_IEEE802) && protoType === PROTO_IPV4) {
    anomalies.push(
      anomaly(
        DA['arp.bad-lengths'],
        'arp',
        off + HLEN,
        `hlen ${hwLength} plen ${protoLength} for Ethernet/IPv4`,
      ),
    );
  }
  if (opcode < 1 || opcode > 4)
    anomalies.push(anomaly(DA['arp.unknown-opcode'], 'arp', off + OPER, `opcode ${opcode}`));
  let layer: ArpLayer;
  if (ethIp) {
    const senderIp = u32be(d, spa);
    const targetIp = u32be(d, tpa);
    const senderMac = macAt(d, sha);
    const targetMac = macAt(d, tha);
    layer = {
      kind: 'arp',
      offset: off,
      headerLength: total,
      hwType,
      protoType,
      hwLength,
      protoLength,
      opcode,
      arpKind: classify(opcode, senderIp, targetIp),
      senderMac,
      senderIp,
      targetMac,
      targetIp,
      senderHw: macToString(senderMac),
      senderProto: ip4ToString(senderIp),
      targetHw: macToString(targetMac),
      targetProto: ip4ToString(targetIp),
    };
  } else {
    // Only here (rare hardware/protocol types) are these helpers needed: no closures per common ARP.
    const hex = (o: number, n: number) => toHex(d, o, o + n, ':');
    const ip4 = (o: number) => ip4ToString(u32be(d, o));
    const p4 = protoType === PROTO_IPV4 && protoLength === 4;
    layer = {
      kind: 'arp',
      offset: off,
      headerLength: total,
      hwType,
      protoType,
      hwLength,
      protoLength,
      opcode,
      arpKind: classify(opcode, p4 ? u32be(d, spa) : undefined, p4 ? u32be(d, tpa) : undefined),
      senderHw: hex(sha, hwLength),
      senderProto: p4 ? ip4(spa) : hex(spa, protoLength),
      targetHw: hex(tha, hwLength),
      targetProto: p4 ? ip4(tpa) : hex(tpa, protoLength),
    };
  }
  return ok(res, layer, 'none', 0, off + total, end);
}
