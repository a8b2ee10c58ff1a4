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
import { type Fragment, fragment, keyFragment, TextBuffer } from '../core/text-buffer.js';
import { formatEpoch } from '../core/time.js';
import type {
  ArpLayer,
  ChecksumStatus,
  DnsLayer,
  DnsQuestion,
  DnsRecord,
  EthernetLayer,
  Ipv4Layer,
  Layer,
  Packet,
  TcpLayer,
  TcpOption,
  UdpLayer,
} from '../decode/types.js';
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
// UDP, DNS, ARP) are written field by field; anything else goes through layerJson and JSON.stringify.
// Every string written here without escaping is protocol text that needs none (addresses, fixed names).
//
// Most fields take few values (header lengths, TTLs, flags, checksum status), so the constant text
// around them is copied as one fragment per run of such fields, made on first use from a template
// literal (hence exactly the text the slow path would write); only the values that change from
// packet to packet (addresses, ports, sequence numbers, lengths, ids, checksums) are written one
// by one. A value outside the range a table covers takes the field-by-field way.

/** Fragments for the integers 0 <= key < size (a field, or a few packed together), made on first use. */
class FragmentTable {
  private readonly fragments: (Fragment | undefined)[];

  constructor(
    size: number,
    private readonly make: (key: number) => string,
  ) {
    this.fragments = new Array<Fragment | undefined>(size).fill(undefined);
  }

  get(key: number): Fragment {
    return this.fragments[key] ?? this.add(key);
  }

  private add(key: number): Fragment {
    const f = fragment(this.make(key));
    this.fragments[key] = f;
    return f;
  }
}

/** Fragments keyed by a value from a small set in practice (checksum status, EtherType), made on first use. */
class FragmentMap<K extends string | number> {
  private readonly fragments = new Map<K, Fragment>();

  constructor(private readonly make: (key: K) => string) {}

  get(key: K): Fragment {
    let f = this.fragments.get(key);
    if (f === undefined) {
      // The bound only guards against a capture full of odd values; it is never reached in practice.
      if (this.fragments.size >= 256) this.fragments.clear();
      f = fragment(this.make(key));
      this.fragments.set(key, f);
    }
    return f;
  }
}

const key = keyFragment;

const K = {
  n: fragment('{"n":'),
  ts: fragment(',"ts":"'),
  caplen: fragment('","caplen":'),
  len: key('len'),
  noAnomalies: fragment('],"anomalies":[]'),
  noAnomaliesRelSeq: fragment('],"anomalies":[],"relSeq":'),
  anomalies: fragment('],"anomalies":'),
  relSeq: key('relSeq'),
  relAck: key('relAck'),
  offset: key('offset'),
  length: key('length'),
  dstStr: fragment('","dst":"'),
  dstPort: key('dstPort'),
  checksum: key('checksum'),
  checksumStatus: fragment(',"checksumStatus":"'),
  payloadLength: key('payloadLength'),
  capturedPayload: key('capturedPayload'),
  partial: fragment(',"partial":true}'),
  dscp: fragment('","dscp":'),
  ecn: key('ecn'),
  totalLength: key('totalLength'),
  id: key('id'),
  df: key('df'),
  mf: key('mf'),
  fragmentOffset: key('fragmentOffset'),
  protocol: key('protocol'),
  seq: key('seq'),
  ack: key('ack'),
  window: fragment('","window":'),
  flags: key('flags'),
  flagNames: fragment(',"flagNames":"'),
  urgentPointer: fragment('","urgentPointer":'),
  udpLength: key('udpLength'),
  type: key('type'),
  arpHead: fragment('{"layer":"arp","offset":'),
  hwType: key('hwType'),
  protoType: key('protoType'),
  opcode: key('opcode'),
  kind: key('kind'),
  senderHw: key('senderHw'),
  senderProto: key('senderProto'),
  targetHw: key('targetHw'),
  targetProto: key('targetProto'),
  dnsHead: fragment('{"layer":"dns","offset":'),
  response: key('response'),
  rcode: key('rcode'),
  dnsFlags: fragment(',"flags":{"aa":'),
  tc: key('tc'),
  rd: key('rd'),
  ra: key('ra'),
  counts: fragment('},"counts":['),
  questions: fragment('],"questions":['),
  answers: fragment('],"answers":['),
  name: fragment('{"name":'),
  class: key('class'),
  ttl: key('ttl'),
  data: key('data'),
  options: fragment(',"options":['),
  /** Linux's options on every segment after the handshake: NOP, NOP, timestamps. */
  optNopNopTimestamp: fragment(',"options":[{"kind":"nop"},{"kind":"nop"},{"kind":"timestamp","tsval":'),
  optNop: fragment('{"kind":"nop"}'),
  optEol: fragment('{"kind":"eol"}'),
  optSackPermitted: fragment('{"kind":"sack-permitted"}'),
  optMd5: fragment('{"kind":"md5"}'),
  optMss: fragment('{"kind":"mss","value":'),
  optWscale: fragment('{"kind":"wscale","shift":'),
  optTimestamp: fragment('{"kind":"timestamp","tsval":'),
  tsecr: key('tsecr'),
  optEnd: fragment('}]'),
  optSack: fragment('{"kind":"sack","blocks":['),
  optTcpAo: fragment('{"kind":"tcp-ao","keyId":'),
  rnextKeyId: key('rnextKeyId'),
};

const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/** `{"layer":"<kind>","offset":<offset>,"length":<length>` and the key after it, from a table for small values. */
class LayerHead {
  private readonly table: FragmentTable;
  private readonly start: Fragment;
  private readonly next: Fragment;

  constructor(kind: string, next: string) {
    this.table = new FragmentTable(
      128 * 64,
      (k) => `{"layer":"${kind}","offset":${k >>> 6},"length":${k & 63}${next}`,
    );
    this.start = fragment(`{"layer":"${kind}"`);
    this.next = fragment(next);
  }

  write(b: TextBuffer, offset: number, length: number): void {
    if ((offset & 127) === offset && (length & 63) === length) {
      b.put(this.table.get(offset * 64 + length));
    } else {
      b.put(this.start);
      b.put(K.offset);
      b.num(offset);
      b.put(K.length);
      b.num(length);
      b.put(this.next);
    }
  }
}

const ETH_HEAD = new LayerHead('eth', ',"src":"');
const IPV4_HEAD = new LayerHead('ipv4', ',"src":"');
const TCP_HEAD = new LayerHead('tcp', ',"srcPort":');
const UDP_HEAD = new LayerHead('udp', ',"srcPort":');

/** `","type":<etherType>}` */
const ETHER_TYPE_END = new FragmentMap<number>((t) => `","type":${t}}`);
/** `","dscp":<dscp>,"ecn":<ecn>,"totalLength":`, key dscp << 2 | ecn. */
const DSCP_ECN = new FragmentTable(256, (k) => `","dscp":${k >>> 2},"ecn":${k & 3},"totalLength":`);
/** `,"df":<df>,"mf":<mf>,"fragmentOffset":0,"ttl":<ttl>,"protocol":`, key ttl << 2 | df << 1 | mf. */
const UNFRAGMENTED_TTL = new FragmentTable(
  1024,
  (k) => `,"df":${(k & 2) !== 0},"mf":${(k & 1) !== 0},"fragmentOffset":0,"ttl":${k >>> 2},"protocol":`,
);
/** `<protocol>,"checksum":` */
const PROTOCOL_CHECKSUM = new FragmentTable(256, (p) => `${p},"checksum":`);
/** `,"checksumStatus":"<status>"}` */
const IPV4_END = new FragmentMap<ChecksumStatus>((s) => `,"checksumStatus":"${s}"}`);
/** `,"flags":<flags>,"flagNames":"<names>","window":` for all 12-bit flag values. */
const TCP_FLAGS = new FragmentTable(
  1 << 12,
  (f) => `,"flags":${f},"flagNames":"${tcpFlagsText(f)}","window":`,
);
/** `,"checksumStatus":"<status>","urgentPointer":0` */
const TCP_STATUS_NO_URGENT = new FragmentMap<ChecksumStatus>(
  (s) => `,"checksumStatus":"${s}","urgentPointer":0`,
);
/** `,"checksumStatus":"<status>","payloadLength":` */
const UDP_STATUS = new FragmentMap<ChecksumStatus>((s) => `,"checksumStatus":"${s}","payloadLength":`);

const SUPER_FRAME_END = fragment('","superFrame":true}');

/** `,"ts":"<sec>.` of the last timestamp: seconds change rarely from one packet to the next. */
let tsSec = Number.NaN;
let tsStart = K.ts;

/** `,"ts":"<formatEpoch(sec, nsec)>` */
function writeEpoch(b: TextBuffer, sec: number, nsec: number): void {
  if (Number.isInteger(nsec) && nsec >= 0 && nsec < 1e9) {
    if (sec !== tsSec) {
      tsSec = sec;
      tsStart = fragment(`,"ts":"${sec}.`);
    }
    b.put(tsStart);
    b.nine(nsec);
  } else {
    b.put(K.ts);
    b.text(formatEpoch(sec, nsec));
  }
}

/**
 * `,"linktype":"<name>","iface":<id>[,"direction":"<dir>"],"status":"<status>","layers":[` of
 * the last frame: these change rarely from one packet to the next.
 */
const frameMiddle = {
  linkType: -1,
  interfaceId: -1,
  direction: undefined as string | undefined,
  status: '',
  text: K.ts,
};

function writeFrameMiddle(b: TextBuffer, p: Packet): void {
  const f = p.frame;
  const m = frameMiddle;
  if (
    f.linkType !== m.linkType ||
    f.interfaceId !== m.interfaceId ||
    f.direction !== m.direction ||
    p.status !== m.status
  ) {
    m.linkType = f.linkType;
    m.interfaceId = f.interfaceId;
    m.direction = f.direction;
    m.status = p.status;
    const direction = f.direction !== undefined ? `,"direction":"${f.direction}"` : '';
    m.text = fragment(
      `,"linktype":"${linkTypeName(f.linkType)}","iface":${f.interfaceId}${direction},"status":"${p.status}","layers":[`,
    );
  }
  b.put(m.text);
}

function writeTcpOptions(b: TextBuffer, options: readonly TcpOption[]): void {
  const o3 = options[2];
  if (
    options.length === 3 &&
    options[0]?.kind === 'nop' &&
    options[1]?.kind === 'nop' &&
    o3?.kind === 'timestamp'
  ) {
    b.put(K.optNopNopTimestamp);
    b.num(o3.tsval);
    b.put(K.tsecr);
    b.num(o3.tsecr);
    b.put(K.optEnd);
    return;
  }
  b.put(K.options);
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

function writeEthernet(b: TextBuffer, l: EthernetLayer): void {
  ETH_HEAD.write(b, l.offset, l.headerLength);
  b.mac(l.src);
  b.put(K.dstStr);
  b.mac(l.dst);
  b.put(ETHER_TYPE_END.get(l.etherType));
}

/** IPv4 without options. */
function writeIpv4(b: TextBuffer, l: Ipv4Layer): void {
  IPV4_HEAD.write(b, l.offset, l.headerLength);
  b.ip4(l.src);
  b.put(K.dstStr);
  b.ip4(l.dst);
  if ((l.dscp & 63) === l.dscp && (l.ecn & 3) === l.ecn) {
    b.put(DSCP_ECN.get((l.dscp << 2) | l.ecn));
  } else {
    b.put(K.dscp);
    b.num(l.dscp);
    b.put(K.ecn);
    b.num(l.ecn);
    b.put(K.totalLength);
  }
  b.num(l.totalLength);
  b.put(K.id);
  b.num(l.id);
  if (l.fragmentOffset === 0 && (l.ttl & 255) === l.ttl) {
    b.put(UNFRAGMENTED_TTL.get((l.ttl << 2) | (l.dontFragment ? 2 : 0) | (l.moreFragments ? 1 : 0)));
  } else {
    b.put(K.df);
    b.bool(l.dontFragment);
    b.put(K.mf);
    b.bool(l.moreFragments);
    b.put(K.fragmentOffset);
    b.num(l.fragmentOffset);
    b.put(K.ttl);
    b.num(l.ttl);
    b.put(K.protocol);
  }
  if ((l.protocol & 255) === l.protocol) {
    b.put(PROTOCOL_CHECKSUM.get(l.protocol));
  } else {
    b.num(l.protocol);
    b.put(K.checksum);
  }
  b.num(l.checksum);
  if (l.superFrame) {
    b.put(K.checksumStatus);
    b.text(l.checksumStatus);
    b.put(SUPER_FRAME_END);
  } else {
    b.put(IPV4_END.get(l.checksumStatus));
  }
}

function writeTcp(b: TextBuffer, l: TcpLayer): void {
  TCP_HEAD.write(b, l.offset, l.headerLength);
  b.num(l.srcPort);
  b.put(K.dstPort);
  b.num(l.dstPort);
  b.put(K.seq);
  b.num(l.seq);
  b.put(K.ack);
  b.num(l.ack);
  if ((l.flags & 0xfff) === l.flags) {
    b.put(TCP_FLAGS.get(l.flags));
  } else {
    b.put(K.flags);
    b.num(l.flags);
    b.put(K.flagNames);
    b.text(tcpFlagsText(l.flags));
    b.put(K.window);
  }
  b.num(l.window);
  b.put(K.checksum);
  b.num(l.checksum);
  if (l.urgentPointer === 0) {
    b.put(TCP_STATUS_NO_URGENT.get(l.checksumStatus));
  } else {
    b.put(K.checksumStatus);
    b.text(l.checksumStatus);
    b.put(K.urgentPointer);
    b.num(l.urgentPointer);
  }
  if (l.options.length > 0) writeTcpOptions(b, l.options);
  b.put(K.payloadLength);
  b.num(l.payloadLength);
  b.put(K.capturedPayload);
  b.num(l.capturedPayload);
  if (l.partial) b.put(K.partial);
  else b.byte(CLOSE_BRACE);
}

function writeUdp(b: TextBuffer, l: UdpLayer): void {
  UDP_HEAD.write(b, l.offset, l.headerLength);
  b.num(l.srcPort);
  b.put(K.dstPort);
  b.num(l.dstPort);
  b.put(K.udpLength);
  b.num(l.length);
  b.put(K.checksum);
  b.num(l.checksum);
  b.put(UDP_STATUS.get(l.checksumStatus));
  b.num(l.payloadLength);
  b.put(K.capturedPayload);
  b.num(l.capturedPayload);
  if (l.partial) b.put(K.partial);
  else b.byte(CLOSE_BRACE);
}

/** Text from packet bytes (DNS names and data): escaped for terminals, then quoted. */
function writePacketText(b: TextBuffer, s: string): void {
  // Plain printable ASCII (the usual name) is its own escapeText, and needs no JSON escaping either.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
      b.utf8(JSON.stringify(escapeText(s)));
      return;
    }
  }
  b.byte(QUOTE);
  b.text(s);
  b.byte(QUOTE);
}

function writeArp(b: TextBuffer, l: ArpLayer): void {
  b.put(K.arpHead);
  b.num(l.offset);
  b.put(K.length);
  b.num(l.headerLength);
  b.put(K.hwType);
  b.num(l.hwType);
  b.put(K.protoType);
  b.num(l.protoType);
  b.put(K.opcode);
  b.num(l.opcode);
  b.put(K.kind);
  b.jsonString(l.arpKind);
  b.put(K.senderHw);
  b.jsonString(l.senderHw);
  b.put(K.senderProto);
  b.jsonString(l.senderProto);
  b.put(K.targetHw);
  b.jsonString(l.targetHw);
  b.put(K.targetProto);
  b.jsonString(l.targetProto);
  b.byte(CLOSE_BRACE);
}

function writeDns(b: TextBuffer, l: DnsLayer): void {
  b.put(K.dnsHead);
  b.num(l.offset);
  b.put(K.length);
  b.num(l.headerLength);
  b.put(K.id);
  b.num(l.id);
  b.put(K.response);
  b.bool(l.response);
  b.put(K.opcode);
  b.num(l.opcode);
  b.put(K.rcode);
  b.num(l.rcode);
  b.put(K.dnsFlags);
  b.bool(l.authoritative);
  b.put(K.tc);
  b.bool(l.truncated);
  b.put(K.rd);
  b.bool(l.recursionDesired);
  b.put(K.ra);
  b.bool(l.recursionAvailable);
  b.put(K.counts);
  b.num(l.qdcount);
  b.byte(COMMA);
  b.num(l.ancount);
  b.byte(COMMA);
  b.num(l.nscount);
  b.byte(COMMA);
  b.num(l.arcount);
  b.put(K.questions);
  for (let i = 0; i < l.questions.length; i++) {
    const q = l.questions[i] as DnsQuestion;
    if (i > 0) b.byte(COMMA);
    b.put(K.name);
    writePacketText(b, q.name);
    b.put(K.type);
    b.num(q.type);
    b.put(K.class);
    b.num(q.class);
    b.byte(CLOSE_BRACE);
  }
  b.put(K.answers);
  for (let i = 0; i < l.answers.length; i++) {
    const a = l.answers[i] as DnsRecord;
    if (i > 0) b.byte(COMMA);
    b.put(K.name);
    writePacketText(b, a.name);
    b.put(K.type);
    b.num(a.type);
    b.put(K.class);
    b.num(a.class);
    b.put(K.ttl);
    b.num(a.ttl);
    b.put(K.data);
    writePacketText(b, a.data);
    b.byte(CLOSE_BRACE);
  }
  b.byte(CLOSE_BRACKET);
  b.byte(CLOSE_BRACE);
}

function writeLayer(b: TextBuffer, l: Layer): void {
  switch (l.kind) {
    case 'eth':
      writeEthernet(b, l);
      return;
    case 'ipv4':
      if (l.options.length > 0) break;
      writeIpv4(b, l);
      return;
    case 'tcp':
      writeTcp(b, l);
      return;
    case 'udp':
      writeUdp(b, l);
      return;
    case 'dns':
      writeDns(b, l);
      return;
    case 'arp':
      writeArp(b, l);
      return;
    default:
      break;
  }
  b.utf8(JSON.stringify(layerJson(l)));
}

/** The packet up to its last layer: `{"n":…,"layers":[…` (the caller closes the array). */
function writeFrameAndLayers(b: TextBuffer, p: Packet): void {
  const f = p.frame;
  b.put(K.n);
  b.num(f.index);
  writeEpoch(b, f.tsSec, f.tsNsec);
  b.put(K.caplen);
  b.num(f.caplen);
  b.put(K.len);
  b.num(f.origlen);
  writeFrameMiddle(b, p);
  const layers = p.layers;
  for (let i = 0; i < layers.length; i++) {
    if (i > 0) b.byte(COMMA);
    writeLayer(b, layers[i] as Layer);
  }
}

/** `],"anomalies":[…]`: closes the layers. */
function writeAnomalies(b: TextBuffer, p: Packet): void {
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
  writeFrameAndLayers(b, p);
  if (rel) {
    if (p.anomalies.length === 0) {
      b.put(K.noAnomaliesRelSeq);
    } else {
      writeAnomalies(b, p);
      b.put(K.relSeq);
    }
    b.num(rel.seq);
    if (rel.ack !== undefined) {
      b.put(K.relAck);
      b.num(rel.ack);
    }
  } else {
    writeAnomalies(b, p);
  }
  b.byte(CLOSE_BRACE);
}

/** Scratch space for packetJsonLine. */
const lineBuffer = new TextBuffer(4096);

/** One NDJSON line; the same text as JSON.stringify(packetJson(p, extra)). */
export function packetJsonLine(p: Packet, extra?: { [k: string]: Json | undefined }): string {
  const b = lineBuffer;
  b.truncate();
  writeFrameAndLayers(b, p);
  writeAnomalies(b, p);
  if (extra) {
    for (const k in extra) {
      const v = extra[k];
      if (v !== undefined) b.utf8(`,${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
  }
  b.byte(CLOSE_BRACE);
  return b.toString();
}
