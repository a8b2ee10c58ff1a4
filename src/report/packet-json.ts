/**
 * The `--json` schema for packets (one object per line, NDJSON). Stable: fields are added, never
 * renamed or removed. Addresses are text (IPv6 in RFC 5952 form, MACs as aa:bb:cc:dd:ee:ff);
 * numbers stay numbers; anything that came from packet bytes as text is escaped (see core/escape.ts),
 * so a consumer never receives raw control characters. Documented in docs/json.md.
 */

import { linkTypeName } from '../capture/linktype.js';
import type { Anomaly } from '../core/anomaly.js';
import { assertNever } from '../core/errors.js';
import { escapeText } from '../core/escape.js';
import { type Fragment, fragment, TextBuffer } from '../core/text-buffer.js';
import { formatEpoch } from '../core/time.js';
import type { Layer, Packet, TcpOption } from '../decode/types.js';
import type { RelativeSeq } from '../flow/relseq.js';
import { ipText, mac, tcpFlagsText } from './format.js';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json | undefined };

function optionJson(o: TcpOption): Json {
  switch (o.kind) {
    case 'eol':
    case 'nop':
    case 'sack-permitted':
    case 'md5':
      return { kind: o.kind };
    case 'mss':
      return { kind: o.kind, value: o.value };
    case 'wscale':
      return { kind: o.kind, shift: o.shift };
    case 'sack':
      return { kind: o.kind, blocks: o.blocks.map(([l, r]) => [l, r]) };
    case 'timestamp':
      return { kind: o.kind, tsval: o.tsval, tsecr: o.tsecr };
    case 'tfo':
      return { kind: o.kind, cookie: o.cookie };
    case 'tcp-ao':
      return { kind: o.kind, keyId: o.keyId, rnextKeyId: o.rnextKeyId };
    case 'mptcp':
      return { kind: o.kind, subtype: o.subtype, bytes: o.bytes };
    case 'unknown':
      return { kind: o.kind, code: o.code, bytes: o.bytes };
    default:
      return assertNever(o, 'tcp option');
  }
}

export function layerJson(l: Layer): { [k: string]: Json | undefined } {
  switch (l.kind) {
    case 'eth':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        src: mac(l.src),
        dst: mac(l.dst),
        type: l.etherType,
      };
    case 'llc':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        dsap: l.dsap,
        ssap: l.ssap,
        control: l.control,
        oui: l.oui,
        pid: l.pid,
      };
    case 'vlan':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        tpid: l.tpid,
        pcp: l.pcp,
        dei: l.dei,
        vid: l.vid,
        type: l.etherType,
      };
    case 'sll':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        packetType: l.packetType,
        arphrd: l.arphrd,
        addr: l.addr,
        protocol: l.protocol,
      };
    case 'sll2':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        protocol: l.protocol,
        ifindex: l.ifindex,
        arphrd: l.arphrd,
        packetType: l.packetType,
        addr: l.addr,
      };
    case 'null':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        family: l.family,
        byteOrder: l.byteOrder,
        loop: l.loop,
      };
    case 'arp':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        hwType: l.hwType,
        protoType: l.protoType,
        opcode: l.opcode,
        kind: l.arpKind,
        senderHw: l.senderHw,
        senderProto: l.senderProto,
        targetHw: l.targetHw,
        targetProto: l.targetProto,
      };
    case 'ipv4':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        src: ipText(l.src),
        dst: ipText(l.dst),
        dscp: l.dscp,
        ecn: l.ecn,
        totalLength: l.totalLength,
        id: l.id,
        df: l.dontFragment,
        mf: l.moreFragments,
        fragmentOffset: l.fragmentOffset,
        ttl: l.ttl,
        protocol: l.protocol,
        checksum: l.checksum,
        checksumStatus: l.checksumStatus,
        options: l.options.length > 0 ? l.options.map((o) => o.name) : undefined,
        superFrame: l.superFrame || undefined,
      };
    case 'ipv6':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        src: ipText(l.src),
        dst: ipText(l.dst),
        trafficClass: l.trafficClass,
        flowLabel: l.flowLabel,
        payloadLength: l.payloadLength,
        nextHeader: l.nextHeader,
        hopLimit: l.hopLimit,
        protocol: l.protocol,
        extensions:
          l.extensions.length > 0
            ? l.extensions.map((e) => ({
                kind: e.kind,
                offset: e.offset,
                length: e.length,
                nextHeader: e.nextHeader,
                fragmentOffset: e.fragmentOffset,
                more: e.moreFragments,
                id: e.fragmentId,
                routingType: e.routingType,
                segmentsLeft: e.segmentsLeft,
                spi: e.spi,
              }))
            : undefined,
        superFrame: l.superFrame || undefined,
      };
    case 'icmp4':
    case 'icmp6':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        type: l.type,
        code: l.code,
        typeName: l.typeName,
        codeName: l.codeName || undefined,
        checksum: l.checksum,
        checksumStatus: l.checksumStatus,
        echoId: l.echoId,
        echoSeq: l.echoSeq,
        mtu: l.mtu,
        gateway: l.gateway !== undefined ? ipText(l.gateway) : undefined,
        pointer: l.pointer,
        ndTarget: l.kind === 'icmp6' && l.ndTarget ? ipText(l.ndTarget) : undefined,
        ndLinkAddr: l.kind === 'icmp6' && l.ndLinkAddr !== undefined ? mac(l.ndLinkAddr) : undefined,
        quoted: l.quoted ? l.quoted.map(layerJson) : undefined,
      };
    case 'tcp':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        srcPort: l.srcPort,
        dstPort: l.dstPort,
        seq: l.seq,
        ack: l.ack,
        flags: l.flags,
        flagNames: tcpFlagsText(l.flags),
        window: l.window,
        checksum: l.checksum,
        checksumStatus: l.checksumStatus,
        urgentPointer: l.urgentPointer,
        options: l.options.length > 0 ? l.options.map(optionJson) : undefined,
        payloadLength: l.payloadLength,
        capturedPayload: l.capturedPayload,
        partial: l.partial || undefined,
      };
    case 'udp':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        srcPort: l.srcPort,
        dstPort: l.dstPort,
        udpLength: l.length,
        checksum: l.checksum,
        checksumStatus: l.checksumStatus,
        payloadLength: l.payloadLength,
        capturedPayload: l.capturedPayload,
        partial: l.partial,
      };
    case 'dns':
      return {
        layer: l.kind,
        offset: l.offset,
        length: l.headerLength,
        id: l.id,
        response: l.response,
        opcode: l.opcode,
        rcode: l.rcode,
        flags: { aa: l.authoritative, tc: l.truncated, rd: l.recursionDesired, ra: l.recursionAvailable },
        counts: [l.qdcount, l.ancount, l.nscount, l.arcount],
        questions: l.questions.map((q) => ({ name: escapeText(q.name), type: q.type, class: q.class })),
        answers: l.answers.map((a) => ({
          name: escapeText(a.name),
          type: a.type,
          class: a.class,
          ttl: a.ttl,
          data: escapeText(a.data),
        })),
      };
    case 'undecoded':
      return { layer: l.kind, offset: l.offset, length: l.headerLength, what: l.what };
    default:
      return assertNever(l, 'layer');
  }
}

export function anomalyJson(a: Anomaly): { [k: string]: Json | undefined } {
  return {
    id: a.id,
    severity: a.severity,
    layer: a.layer,
    offset: a.offset,
    detail: a.detail !== undefined ? escapeText(a.detail) : undefined,
  };
}

export function packetJson(
  p: Packet,
  extra?: { [k: string]: Json | undefined },
): { [k: string]: Json | undefined } {
  const f = p.frame;
  return {
    n: f.index,
    ts: formatEpoch(f.tsSec, f.tsNsec),
    caplen: f.caplen,
    len: f.origlen,
    linktype: linkTypeName(f.linkType),
    iface: f.interfaceId,
    direction: f.direction,
    status: p.status,
    layers: p.layers.map(layerJson),
    anomalies: p.anomalies.map(anomalyJson),
    ...extra,
  };
}

// The hot path of `read --json`: the packet written straight into the output bytes, in the same
// field order and with the same text as JSON.stringify(packetJson(p)) (test/report/packet-json.test.ts
// checks every fixture packet). Building objects only to stringify them, or even building one string
// per line, cost most of the command's time. The common layers (Ethernet, IPv4 without options, TCP,
// UDP) are written field by field; every string written here without escaping is protocol text that
// needs none (addresses, fixed names). Anything else goes through layerJson and JSON.stringify.

/** `,"name":` */
const key = (name: string) => fragment(`,"${name}":`);
/** `,"name":"` (a string value follows) */
const keyStr = (name: string) => fragment(`,"${name}":"`);
/** `","name":` (closes the string value before it) */
const afterStr = (name: string) => fragment(`","${name}":`);

const K = {
  n: fragment('{"n":'),
  ts: keyStr('ts'),
  caplen: afterStr('caplen'),
  len: key('len'),
  linktype: keyStr('linktype'),
  iface: afterStr('iface'),
  direction: keyStr('direction'),
  status: keyStr('status'),
  layers: fragment('","layers":['),
  anomalies: fragment('],"anomalies":'),
  noAnomalies: fragment('],"anomalies":[]'),
  relSeq: key('relSeq'),
  relAck: key('relAck'),
  length: key('length'),
  src: keyStr('src'),
  dst: afterStr('dst'),
  dstStr: fragment('","dst":"'),
  type: afterStr('type'),
  srcPort: key('srcPort'),
  dstPort: key('dstPort'),
  checksum: key('checksum'),
  checksumStatus: keyStr('checksumStatus'),
  payloadLength: key('payloadLength'),
  capturedPayload: key('capturedPayload'),
  partial: fragment(',"partial":true}'),
  ethHead: fragment('{"layer":"eth","offset":'),
  ipv4Head: fragment('{"layer":"ipv4","offset":'),
  dscp: afterStr('dscp'),
  ecn: key('ecn'),
  totalLength: key('totalLength'),
  id: key('id'),
  df: key('df'),
  mf: key('mf'),
  fragmentOffset: key('fragmentOffset'),
  ttl: key('ttl'),
  protocol: key('protocol'),
  superFrame: fragment('","superFrame":true}'),
  tcpHead: fragment('{"layer":"tcp","offset":'),
  seq: key('seq'),
  ack: key('ack'),
  flags: key('flags'),
  flagNames: keyStr('flagNames'),
  window: afterStr('window'),
  urgentPointer: afterStr('urgentPointer'),
  options: key('options'),
  udpHead: fragment('{"layer":"udp","offset":'),
  udpLength: key('udpLength'),
  optNop: fragment('{"kind":"nop"}'),
  optEol: fragment('{"kind":"eol"}'),
  optSackPermitted: fragment('{"kind":"sack-permitted"}'),
  optMd5: fragment('{"kind":"md5"}'),
  optMss: fragment('{"kind":"mss","value":'),
  optWscale: fragment('{"kind":"wscale","shift":'),
  optTimestamp: fragment('{"kind":"timestamp","tsval":'),
  tsecr: key('tsecr'),
  optSack: fragment('{"kind":"sack","blocks":['),
  optTcpAo: fragment('{"kind":"tcp-ao","keyId":'),
  rnextKeyId: key('rnextKeyId'),
};

const COMMA = 0x2c;
const QUOTE = 0x22;
const DOT = 0x2e;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/** `"SYN, ACK"` and so on for all 12-bit flag values, made when first needed. */
const FLAG_NAMES: (Fragment | undefined)[] = new Array(4096).fill(undefined);

function flagNames(flags: number): Fragment {
  if (flags >= 0 && flags < 4096) {
    let f = FLAG_NAMES[flags];
    if (f === undefined) FLAG_NAMES[flags] = f = fragment(tcpFlagsText(flags));
    return f;
  }
  return fragment(tcpFlagsText(flags));
}

/** `formatEpoch(sec, nsec)` */
function writeEpoch(b: TextBuffer, sec: number, nsec: number): void {
  if (Number.isInteger(nsec) && nsec >= 0 && nsec < 1e9) {
    b.num(sec);
    b.byte(DOT);
    b.nine(nsec);
  } else {
    b.text(formatEpoch(sec, nsec));
  }
}

function writeTcpOptions(b: TextBuffer, options: readonly TcpOption[]): void {
  b.put(K.options);
  b.byte(OPEN_BRACKET);
  for (let i = 0; i < options.length; i++) {
    const o = options[i] as TcpOption;
    if (i > 0) b.byte(COMMA);
    switch (o.kind) {
      case 'nop':
        b.put(K.optNop);
        break;
      case 'timestamp':
        b.put(K.optTimestamp);
        b.num(o.tsval);
        b.put(K.tsecr);
        b.num(o.tsecr);
        b.byte(CLOSE_BRACE);
        break;
      case 'mss':
        b.put(K.optMss);
        b.num(o.value);
        b.byte(CLOSE_BRACE);
        break;
      case 'wscale':
        b.put(K.optWscale);
        b.num(o.shift);
        b.byte(CLOSE_BRACE);
        break;
      case 'sack-permitted':
        b.put(K.optSackPermitted);
        break;
      case 'eol':
        b.put(K.optEol);
        break;
      case 'md5':
        b.put(K.optMd5);
        break;
      case 'sack':
        b.put(K.optSack);
        for (let j = 0; j < o.blocks.length; j++) {
          const [l, r] = o.blocks[j] as readonly [number, number];
          if (j > 0) b.byte(COMMA);
          b.byte(OPEN_BRACKET);
          b.num(l);
          b.byte(COMMA);
          b.num(r);
          b.byte(CLOSE_BRACKET);
        }
        b.byte(CLOSE_BRACKET);
        b.byte(CLOSE_BRACE);
        break;
      case 'tcp-ao':
        b.put(K.optTcpAo);
        b.num(o.keyId);
        b.put(K.rnextKeyId);
        b.num(o.rnextKeyId);
        b.byte(CLOSE_BRACE);
        break;
      default:
        // Options carrying text (cookies, raw bytes): rare, and JSON.stringify does their quoting.
        b.utf8(JSON.stringify(optionJson(o)));
        break;
    }
  }
  b.byte(CLOSE_BRACKET);
}

function writeLayer(b: TextBuffer, l: Layer): void {
  switch (l.kind) {
    case 'eth':
      b.put(K.ethHead);
      b.num(l.offset);
      b.put(K.length);
      b.num(l.headerLength);
      b.put(K.src);
      b.mac(l.src);
      b.put(K.dstStr);
      b.mac(l.dst);
      b.put(K.type);
      b.num(l.etherType);
      b.byte(CLOSE_BRACE);
      return;
    case 'ipv4':
      if (l.options.length > 0) break;
      b.put(K.ipv4Head);
      b.num(l.offset);
      b.put(K.length);
      b.num(l.headerLength);
      b.put(K.src);
      b.ip4(l.src);
      b.put(K.dstStr);
      b.ip4(l.dst);
      b.put(K.dscp);
      b.num(l.dscp);
      b.put(K.ecn);
      b.num(l.ecn);
      b.put(K.totalLength);
      b.num(l.totalLength);
      b.put(K.id);
      b.num(l.id);
      b.put(K.df);
      b.bool(l.dontFragment);
      b.put(K.mf);
      b.bool(l.moreFragments);
      b.put(K.fragmentOffset);
      b.num(l.fragmentOffset);
      b.put(K.ttl);
      b.num(l.ttl);
      b.put(K.protocol);
      b.num(l.protocol);
      b.put(K.checksum);
      b.num(l.checksum);
      b.put(K.checksumStatus);
      b.text(l.checksumStatus);
      if (l.superFrame) {
        b.put(K.superFrame);
      } else {
        b.byte(QUOTE);
        b.byte(CLOSE_BRACE);
      }
      return;
    case 'tcp':
      b.put(K.tcpHead);
      b.num(l.offset);
      b.put(K.length);
      b.num(l.headerLength);
      b.put(K.srcPort);
      b.num(l.srcPort);
      b.put(K.dstPort);
      b.num(l.dstPort);
      b.put(K.seq);
      b.num(l.seq);
      b.put(K.ack);
      b.num(l.ack);
      b.put(K.flags);
      b.num(l.flags);
      b.put(K.flagNames);
      b.put(flagNames(l.flags));
      b.put(K.window);
      b.num(l.window);
      b.put(K.checksum);
      b.num(l.checksum);
      b.put(K.checksumStatus);
      b.text(l.checksumStatus);
      b.put(K.urgentPointer);
      b.num(l.urgentPointer);
      if (l.options.length > 0) writeTcpOptions(b, l.options);
      b.put(K.payloadLength);
      b.num(l.payloadLength);
      b.put(K.capturedPayload);
      b.num(l.capturedPayload);
      if (l.partial) b.put(K.partial);
      else b.byte(CLOSE_BRACE);
      return;
    case 'udp':
      b.put(K.udpHead);
      b.num(l.offset);
      b.put(K.length);
      b.num(l.headerLength);
      b.put(K.srcPort);
      b.num(l.srcPort);
      b.put(K.dstPort);
      b.num(l.dstPort);
      b.put(K.udpLength);
      b.num(l.length);
      b.put(K.checksum);
      b.num(l.checksum);
      b.put(K.checksumStatus);
      b.text(l.checksumStatus);
      b.byte(QUOTE);
      b.put(K.payloadLength);
      b.num(l.payloadLength);
      b.put(K.capturedPayload);
      b.num(l.capturedPayload);
      if (l.partial) b.put(K.partial);
      else b.byte(CLOSE_BRACE);
      return;
    default:
      break;
  }
  b.utf8(JSON.stringify(layerJson(l)));
}

/** Everything but the closing brace, so that callers can add their fields. */
function writePacketFields(b: TextBuffer, p: Packet): void {
  const f = p.frame;
  b.put(K.n);
  b.num(f.index);
  b.put(K.ts);
  writeEpoch(b, f.tsSec, f.tsNsec);
  b.put(K.caplen);
  b.num(f.caplen);
  b.put(K.len);
  b.num(f.origlen);
  b.put(K.linktype);
  b.text(linkTypeName(f.linkType));
  b.put(K.iface);
  b.num(f.interfaceId);
  if (f.direction !== undefined) {
    b.put(K.direction);
    b.text(f.direction);
    b.byte(QUOTE);
  }
  b.put(K.status);
  b.text(p.status);
  b.put(K.layers);
  const layers = p.layers;
  for (let i = 0; i < layers.length; i++) {
    if (i > 0) b.byte(COMMA);
    writeLayer(b, layers[i] as Layer);
  }
  if (p.anomalies.length === 0) {
    b.put(K.noAnomalies);
  } else {
    b.put(K.anomalies);
    b.utf8(JSON.stringify(p.anomalies.map(anomalyJson)));
  }
}

/**
 * One NDJSON line (without the newline) written into `b`: the same text as packetJsonLine(p,
 * { relSeq: rel.seq, relAck: rel.ack }), or packetJsonLine(p) without `rel`.
 */
export function writePacketJson(b: TextBuffer, p: Packet, rel: RelativeSeq | undefined): void {
  writePacketFields(b, p);
  if (rel) {
    b.put(K.relSeq);
    b.num(rel.seq);
    if (rel.ack !== undefined) {
      b.put(K.relAck);
      b.num(rel.ack);
    }
  }
  b.byte(CLOSE_BRACE);
}

/** Scratch space for packetJsonLine. */
const lineBuffer = new TextBuffer(4096);

/** One NDJSON line; the same text as JSON.stringify(packetJson(p, extra)). */
export function packetJsonLine(p: Packet, extra?: { [k: string]: Json | undefined }): string {
  const b = lineBuffer;
  b.truncate();
  writePacketFields(b, p);
  if (extra) {
    for (const k in extra) {
      const v = extra[k];
      if (v !== undefined) b.utf8(`,${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
  }
  b.byte(CLOSE_BRACE);
  return b.toString();
}
