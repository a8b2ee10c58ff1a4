/**
 * DNS messages over UDP (RFC 1035): header, questions, and answer records (A, AAAA, CNAME, NS,
 * PTR decoded; other types kept as hex). Names follow compression pointers with loop protection.
 */

import { ip4ToString, ip6ToString } from '../../core/addr.js';
import { type Anomaly, anomaly } from '../../core/anomaly.js';
import { toHex, u16be, u32be } from '../../core/bytes.js';
import { DA } from '../anomalies.js';
import { none, ok, short } from '../result.js';
import type { DecodeContext, DecodeResult, DnsLayer, DnsQuestion, DnsRecord } from '../types.js';

const HEADER = 12;
/** Maximum encoded name length (RFC 1035 section 2.3.4). */
const MAX_NAME = 255;
/** Pointer hops allowed in one name: more means a loop or a bomb. */
const MAX_POINTERS = 32;
/** Records decoded per section; the counts still report the header's values. */
export const MAX_DNS_RECORDS = 64;

type NameResult = { name: string; next: number } | { error: string; at: number; loop?: boolean };

function labelText(d: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) {
    const b = d[i] as number;
    if (b === 0x2e) out += '\\.';
    else if (b === 0x5c) out += '\\\\';
    else if (b > 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${String(b).padStart(3, '0')}`; // RFC 4343 \DDD, as dig prints
  }
  return out;
}

/** Read a possibly-compressed name starting at `o`; `msg` is the message start, `end` its end. */
export function readName(d: Uint8Array, msg: number, o: number, end: number): NameResult {
  const labels: string[] = [];
  let next = -1;
  let hops = 0;
  let length = 1;
  let pos = o;
  for (;;) {
    if (pos >= end) return { error: 'name runs past the message', at: pos };
    const len = d[pos] as number;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    const type = len & 0xc0;
    if (type === 0xc0) {
      if (pos + 1 >= end) return { error: 'pointer runs past the message', at: pos };
      const target = msg + (((len & 0x3f) << 8) | (d[pos + 1] as number));
      if (next < 0) next = pos + 2;
      if (++hops > MAX_POINTERS || target >= pos) {
        return {
          error: target >= pos ? `pointer to ${target - msg} does not point backwards` : 'too many pointers',
          at: pos,
          loop: true,
        };
      }
      pos = target;
      continue;
    }
    if (type !== 0) return { error: `label type 0x${type.toString(16)}`, at: pos };
    if (pos + 1 + len > end) return { error: 'label runs past the message', at: pos };
    length += len + 1;
    if (length > MAX_NAME) return { error: 'name longer than 255 bytes', at: pos };
    labels.push(labelText(d, pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.length === 0 ? '.' : labels.join('.'), next };
}

function rdataText(d: Uint8Array, msg: number, type: number, s: number, len: number, end: number): string {
  if (type === 1 && len === 4) return ip4ToString(u32be(d, s));
  if (type === 28 && len === 16) return ip6ToString(d, s);
  if (type === 5 || type === 2 || type === 12) {
    const r = readName(d, msg, s, end);
    return 'name' in r ? r.name : `<${r.error}>`;
  }
  return toHex(d, s, s + Math.min(len, 64));
}

/**
 * A question or record runs past the message: expected when it is `incomplete` (a fragment or an
 * ICMP quote). Plain functions, not closures: nothing allocated per message.
 */
function ranOut(
  anomalies: Anomaly[],
  ctx: DecodeContext,
  incomplete: boolean,
  at: number,
  what: string,
): void {
  if (!incomplete) anomalies.push(anomaly(ctx.cut ? DA.truncated : DA['dns.bad-record'], 'dns', at, what));
}

function nameError(
  anomalies: Anomaly[],
  ctx: DecodeContext,
  incomplete: boolean,
  r: { error: string; at: number; loop?: boolean },
): void {
  const past = r.error.includes('past');
  if (past && incomplete) return;
  const id = ctx.cut && past ? DA.truncated : r.loop ? DA['dns.pointer-loop'] : DA['dns.bad-name'];
  anomalies.push(anomaly(id, 'dns', r.at, r.error));
}

export function decodeDns(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < HEADER) {
    if (ctx.cut || ctx.quoted) return short(ctx, res, 'dns', off, end, HEADER);
    res.anomalies.push(anomaly(DA['dns.too-short'], 'dns', off, `${end - off} bytes`));
    return none(res, off, end);
  }
  const anomalies = res.anomalies;
  const flags = u16be(d, off + 2);
  const qdcount = u16be(d, off + 4);
  const ancount = u16be(d, off + 6);
  const questions: DnsQuestion[] = [];
  const answers: DnsRecord[] = [];
  let o = off + HEADER;
  let broken = false;
  // A fragment or an ICMP quote holds only the start of the message: running out is expected there.
  const incomplete = ctx.quoted || ctx.ip?.fragment === true;
  for (let i = 0; i < qdcount && i < MAX_DNS_RECORDS && !broken; i++) {
    const r = readName(d, off, o, end);
    if (!('name' in r)) {
      nameError(anomalies, ctx, incomplete, r);
      broken = true;
      break;
    }
    if (r.next + 4 > end) {
      ranOut(anomalies, ctx, incomplete, r.next, 'question type/class missing');
      broken = true;
      break;
    }
    questions.push({ name: r.name, type: u16be(d, r.next), class: u16be(d, r.next + 2) });
    o = r.next + 4;
  }
  for (let i = 0; i < ancount && i < MAX_DNS_RECORDS && !broken; i++) {
    const r = readName(d, off, o, end);
    if (!('name' in r)) {
      nameError(anomalies, ctx, incomplete, r);
      broken = true;
      break;
    }
    const f = r.next;
    if (f + 10 > end) {
      ranOut(anomalies, ctx, incomplete, f, 'record header runs past the message');
      broken = true;
      break;
    }
    const type = u16be(d, f);
    const rdlen = u16be(d, f + 8);
    if (f + 10 + rdlen > end) {
      ranOut(anomalies, ctx, incomplete, f + 8, `rdata length ${rdlen}`);
      broken = true;
      break;
    }
    answers.push({
      name: r.name,
      type,
      class: u16be(d, f + 2),
      ttl: u32be(d, f + 4),
      data: rdataText(d, off, type, f + 10, rdlen, end),
    });
    o = f + 10 + rdlen;
  }
  const layer: DnsLayer = {
    kind: 'dns',
    offset: off,
    headerLength: Math.max(HEADER, o - off),
    id: u16be(d, off),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    qdcount,
    ancount,
    nscount: u16be(d, off + 8),
    arcount: u16be(d, off + 10),
    questions,
    answers,
  };
  return ok(res, layer, 'none', 0, end, end);
}

/**
 * DNS over TCP (RFC 1035 section 4.2.2): a 2-byte length, then the message. Decoded only when the
 * segment holds exactly whole messages starting at its first byte (no stream reassembly here).
 */
export function decodeDnsTcp(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < 2) return none(res, off, end);
  const len = u16be(d, off);
  // Cut by the snap length: decode as far as the bytes go (the length prefix says more was sent).
  const cutShort = ctx.cut && off + 2 + len > end;
  if (!cutShort && (end - off < 2 + HEADER || off + 2 + len !== end)) return none(res, off, end);
  return decodeDns(d, off + 2, end, ctx, res);
}
