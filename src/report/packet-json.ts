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
import { formatEpoch } from '../core/time.js';
import type { Layer, Packet, TcpOption } from '../decode/types.js';
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

/**
 * The common layers written straight to text (the same fields and order as `layerJson`): the JSON
 * line is the hot path of `read --json`, and building objects only to stringify them cost most of it.
 * Every string written here is protocol text that needs no escaping (addresses, fixed names).
 */
function fastLayer(l: Layer): string | undefined {
  const head = `{"layer":"${l.kind}","offset":${l.offset},"length":${l.headerLength}`;
  switch (l.kind) {
    case 'eth':
      return `${head},"src":"${mac(l.src)}","dst":"${mac(l.dst)}","type":${l.etherType}}`;
    case 'ipv4':
      if (l.options.length > 0) return undefined;
      return `${head},"src":"${ipText(l.src)}","dst":"${ipText(l.dst)}","dscp":${l.dscp},"ecn":${l.ecn},"totalLength":${l.totalLength},"id":${l.id},"df":${l.dontFragment},"mf":${l.moreFragments},"fragmentOffset":${l.fragmentOffset},"ttl":${l.ttl},"protocol":${l.protocol},"checksum":${l.checksum},"checksumStatus":"${l.checksumStatus}"${l.superFrame ? ',"superFrame":true' : ''}}`;
    case 'tcp': {
      let opts = '';
      if (l.options.length > 0) opts = `,"options":${JSON.stringify(l.options.map(optionJson))}`;
      return `${head},"srcPort":${l.srcPort},"dstPort":${l.dstPort},"seq":${l.seq},"ack":${l.ack},"flags":${l.flags},"flagNames":"${tcpFlagsText(l.flags)}","window":${l.window},"checksum":${l.checksum},"checksumStatus":"${l.checksumStatus}","urgentPointer":${l.urgentPointer}${opts},"payloadLength":${l.payloadLength},"capturedPayload":${l.capturedPayload}${l.partial ? ',"partial":true' : ''}}`;
    }
    case 'udp':
      return `${head},"srcPort":${l.srcPort},"dstPort":${l.dstPort},"udpLength":${l.length},"checksum":${l.checksum},"checksumStatus":"${l.checksumStatus}","payloadLength":${l.payloadLength},"capturedPayload":${l.capturedPayload}${l.partial ? ',"partial":true' : ''}}`;
    default:
      return undefined;
  }
}

/** One NDJSON line; the same text as JSON.stringify(packetJson(p, extra)). */
export function packetJsonLine(p: Packet, extra?: { [k: string]: Json | undefined }): string {
  const f = p.frame;
  let out = `{"n":${f.index},"ts":"${formatEpoch(f.tsSec, f.tsNsec)}","caplen":${f.caplen},"len":${f.origlen},"linktype":"${linkTypeName(f.linkType)}","iface":${f.interfaceId}`;
  if (f.direction !== undefined) out += `,"direction":"${f.direction}"`;
  out += `,"status":"${p.status}","layers":[`;
  const layers = p.layers;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i] as Layer;
    if (i > 0) out += ',';
    out += fastLayer(l) ?? JSON.stringify(layerJson(l));
  }
  out += '],"anomalies":';
  out += p.anomalies.length === 0 ? '[]' : JSON.stringify(p.anomalies.map(anomalyJson));
  if (extra) {
    for (const k in extra) {
      const v = extra[k];
      if (v !== undefined) out += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
    }
  }
  return `${out}}`;
}
