/**
 * Decoded packets. Every layer is a plain record in one discriminated union (`kind`), so a
 * consumer's `switch` ends in `assertNever` and the compiler lists every place a new layer must be
 * handled. Addresses are numbers (IPv4, MAC) or 16-byte arrays (IPv6); text is made only when printed.
 *
 * Offsets are byte offsets in the frame, so an anomaly or a hex view can point at the exact byte.
 */

import type { Frame } from '../capture/types.js';
import type { Ip4, Mac } from '../core/addr.js';
import type { Anomaly } from '../core/anomaly.js';

interface LayerBase {
  /** Byte offset of this layer's header within the frame. */
  readonly offset: number;
  /** Header length in bytes (what the hex view shades as this layer). */
  readonly headerLength: number;
}

/** Ethernet II, or IEEE 802.3 when `etherType` <= 1500 (then it is a length and LLC follows). */
export interface EthernetLayer extends LayerBase {
  readonly kind: 'eth';
  readonly dst: Mac;
  readonly src: Mac;
  /** EtherType (>= 0x0600) or 802.3 length (<= 1500). */
  readonly etherType: number;
}

/** IEEE 802.2 LLC, with SNAP when dsap = ssap = 0xaa. */
export interface LlcLayer extends LayerBase {
  readonly kind: 'llc';
  readonly dsap: number;
  readonly ssap: number;
  readonly control: number;
  /** SNAP organisation code and protocol id, when present. */
  readonly oui?: number;
  readonly pid?: number;
}

/** 802.1Q (TPID 0x8100) or 802.1ad S-tag (0x88a8, also legacy 0x9100) VLAN tag. */
export interface VlanLayer extends LayerBase {
  readonly kind: 'vlan';
  /** The EtherType that announced this tag. */
  readonly tpid: number;
  readonly pcp: number;
  readonly dei: boolean;
  readonly vid: number;
  /** EtherType of what follows the tag. */
  readonly etherType: number;
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL). */
export interface SllLayer extends LayerBase {
  readonly kind: 'sll';
  /** 0 to-us, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing. */
  readonly packetType: number;
  readonly arphrd: number;
  readonly addrLength: number;
  /** Link-layer source address (first min(addrLength, 8) bytes) as lowercase hex with colons. */
  readonly addr: string;
  /** Protocol (EtherType, or a Linux pseudo-protocol for ARPHRD types without one). */
  readonly protocol: number;
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, what `tcpdump -i any` writes). */
export interface Sll2Layer extends LayerBase {
  readonly kind: 'sll2';
  readonly protocol: number;
  readonly ifindex: number;
  readonly arphrd: number;
  readonly packetType: number;
  readonly addrLength: number;
  readonly addr: string;
}

/** BSD loopback (LINKTYPE_NULL, host byte order) or OpenBSD loopback (LINKTYPE_LOOP, network order). */
export interface NullLayer extends LayerBase {
  readonly kind: 'null';
  /** Address family: 2 = AF_INET; 24, 28, 30 = AF_INET6 on NetBSD/OpenBSD, FreeBSD, macOS. */
  readonly family: number;
  /** Byte order the family was written in. */
  readonly byteOrder: 'little' | 'big';
  readonly loop: boolean;
}

export type ArpKind =
  | 'request'
  | 'reply'
  | 'gratuitous'
  | 'probe'
  | 'announcement'
  | 'rarp-request'
  | 'rarp-reply'
  | 'other';

export interface ArpLayer extends LayerBase {
  readonly kind: 'arp';
  readonly hwType: number;
  readonly protoType: number;
  readonly hwLength: number;
  readonly protoLength: number;
  /** 1 request, 2 reply, 3/4 RARP, others kept as numbers. */
  readonly opcode: number;
  /** Classification: a request for one's own address is gratuitous (or a probe if the sender is 0.0.0.0). */
  readonly arpKind: ArpKind;
  /** Ethernet/IPv4 ARP: addresses as numbers. Other hardware/protocol types: undefined, see the text fields. */
  readonly senderMac?: Mac;
  readonly senderIp?: Ip4;
  readonly targetMac?: Mac;
  readonly targetIp?: Ip4;
  /** Text forms of all four addresses (MAC/IPv4 notation when the types are Ethernet/IPv4, hex otherwise). */
  readonly senderHw: string;
  readonly senderProto: string;
  readonly targetHw: string;
  readonly targetProto: string;
}

export type ChecksumStatus =
  /** Verified correct. */
  | 'good'
  /** Verified wrong. */
  | 'bad'
  /** Wrong, but shaped like a checksum the NIC fills in later (pseudo-header sum only): outgoing packet on the capturing host. */
  | 'offload'
  /** Not checkable: bytes missing (snaplen), fragment, or TSO super-frame. */
  | 'unverified'
  /** Sender did not compute one (UDP over IPv4 with checksum 0). */
  | 'none';

export interface Ipv4Option {
  readonly type: number;
  /** Name for known options (`rr`, `ts`, `lsrr`, `ssrr`, `ra`, `nop`, `eol`, ...) or `opt-N`. */
  readonly name: string;
  readonly length: number;
  readonly offset: number;
}

export interface Ipv4Layer extends LayerBase {
  readonly kind: 'ipv4';
  readonly dscp: number;
  readonly ecn: number;
  readonly totalLength: number;
  readonly id: number;
  readonly reservedFlag: boolean;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  /** Fragment offset in bytes (the header field times 8). */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly checksumStatus: ChecksumStatus;
  readonly src: Ip4;
  readonly dst: Ip4;
  readonly options: readonly Ipv4Option[];
  /** TSO/GRO super-frame: total length 0 (filled in by the NIC) or larger than the link MTU. */
  readonly superFrame: boolean;
}

export type Ipv6ExtKind = 'hop-by-hop' | 'routing' | 'fragment' | 'destination' | 'ah' | 'esp' | 'mobility';

export interface Ipv6Extension {
  readonly kind: Ipv6ExtKind;
  /** IPv6 next-header value of this extension (0, 43, 44, 60, 51, 50, 135). */
  readonly code: number;
  readonly offset: number;
  readonly length: number;
  /** Next header value inside this extension. */
  readonly nextHeader: number;
  /** Routing: type and segments left. */
  readonly routingType?: number;
  readonly segmentsLeft?: number;
  /** Fragment: offset in bytes, more-fragments flag, identification. */
  readonly fragmentOffset?: number;
  readonly moreFragments?: boolean;
  readonly fragmentId?: number;
  /** AH/ESP security parameters index. */
  readonly spi?: number;
  /** Hop-by-hop / destination options: option types present. */
  readonly optionTypes?: readonly number[];
}

export interface Ipv6Layer extends LayerBase {
  readonly kind: 'ipv6';
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  /** Next header field of the fixed header. */
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly extensions: readonly Ipv6Extension[];
  /** The upper-layer protocol after all extension headers (59 = no next header; 50 = ESP, opaque). */
  readonly protocol: number;
  /** Set when a fragment extension header is present. */
  readonly fragment?: { readonly offset: number; readonly more: boolean; readonly id: number };
  /** Jumbogram or TSO super-frame: payload length 0 with a hop-by-hop jumbo option, or larger than the link MTU. */
  readonly superFrame: boolean;
}

export interface IcmpLayerBase extends LayerBase {
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  readonly checksumStatus: ChecksumStatus;
  /** `echo-request`, `destination-unreachable`, ... (stable identifiers) */
  readonly typeName: string;
  /** `port-unreachable`, `ttl-exceeded-in-transit`, ... or '' when the type has no codes. */
  readonly codeName: string;
  /** Echo request/reply identifier and sequence number. */
  readonly echoId?: number;
  readonly echoSeq?: number;
  /** Error messages: the quoted original datagram, decoded (IP header and the start of its transport header). */
  readonly quoted?: readonly Layer[];
  /** Redirect gateway (ICMPv4 type 5), as a number. */
  readonly gateway?: Ip4;
  /** Next-hop MTU (ICMPv4 frag-needed, ICMPv6 packet-too-big). */
  readonly mtu?: number;
  /** Parameter problem pointer. */
  readonly pointer?: number;
}

export interface Icmp4Layer extends IcmpLayerBase {
  readonly kind: 'icmp4';
}

export interface Icmp6Layer extends IcmpLayerBase {
  readonly kind: 'icmp6';
  /** Neighbor solicitation/advertisement and redirect target address. */
  readonly ndTarget?: Uint8Array;
  /** Neighbor advertisement flags R, S, O. */
  readonly ndFlags?: { readonly router: boolean; readonly solicited: boolean; readonly override: boolean };
  /** Source/target link-layer address options (NDP). */
  readonly ndLinkAddr?: Mac;
}

export type TcpOption =
  | { readonly kind: 'eol'; readonly offset: number }
  | { readonly kind: 'nop'; readonly offset: number }
  | { readonly kind: 'mss'; readonly offset: number; readonly value: number }
  | { readonly kind: 'wscale'; readonly offset: number; readonly shift: number }
  | { readonly kind: 'sack-permitted'; readonly offset: number }
  | {
      readonly kind: 'sack';
      readonly offset: number;
      readonly blocks: readonly (readonly [number, number])[];
    }
  | { readonly kind: 'timestamp'; readonly offset: number; readonly tsval: number; readonly tsecr: number }
  /** TCP Fast Open cookie (kind 34, or experimental 254 with magic 0xF989); empty cookie = cookie request. */
  | { readonly kind: 'tfo'; readonly offset: number; readonly cookie: string }
  | { readonly kind: 'md5'; readonly offset: number }
  | { readonly kind: 'tcp-ao'; readonly offset: number; readonly keyId: number; readonly rnextKeyId: number }
  | { readonly kind: 'mptcp'; readonly offset: number; readonly subtype: number; readonly bytes: string }
  /** Any other kind, kept as its code and raw bytes (hex, without kind and length). */
  | { readonly kind: 'unknown'; readonly offset: number; readonly code: number; readonly bytes: string };

/** TCP flag bits as they sit in the 12-bit field after the data offset. */
export const TcpFlag = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  /** AE (Accurate ECN, RFC 9768), formerly NS. */
  AE: 0x100,
  /** The three remaining reserved bits. */
  RESERVED: 0xe00,
} as const;

export interface TcpLayer extends LayerBase {
  readonly kind: 'tcp';
  readonly srcPort: number;
  readonly dstPort: number;
  /** Raw 32-bit sequence and acknowledgement numbers as on the wire. */
  readonly seq: number;
  readonly ack: number;
  /** Header length in 32-bit words. */
  readonly dataOffset: number;
  /** 12 bits: reserved(3) AE CWR ECE URG ACK PSH RST SYN FIN; test with TcpFlag. */
  readonly flags: number;
  /** Raw window field (before scaling). */
  readonly window: number;
  readonly checksum: number;
  readonly checksumStatus: ChecksumStatus;
  readonly urgentPointer: number;
  readonly options: readonly TcpOption[];
  /** Segment payload length as the IP header declares it (may exceed what was captured). */
  readonly payloadLength: number;
  /** Payload bytes actually captured (starting at offset + headerLength). */
  readonly capturedPayload: number;
  /**
   * Only the start of the header was available (inside an ICMP error's quote, or cut by the snap
   * length): fields past `headerLength` bytes are 0 and must not be shown.
   */
  readonly partial?: boolean;
}

export interface UdpLayer extends LayerBase {
  readonly kind: 'udp';
  readonly srcPort: number;
  readonly dstPort: number;
  readonly length: number;
  readonly checksum: number;
  readonly checksumStatus: ChecksumStatus;
  readonly payloadLength: number;
  readonly capturedPayload: number;
  readonly partial?: boolean;
}

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /** A/AAAA address text, CNAME/NS/PTR name; other types: hex of the rdata (truncated to 64 bytes). */
  readonly data: string;
}

export interface DnsLayer extends LayerBase {
  readonly kind: 'dns';
  readonly id: number;
  readonly response: boolean;
  readonly opcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly recursionDesired: boolean;
  readonly recursionAvailable: boolean;
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
}

/** Bytes we did not decode, with the reason (unknown link type, EtherType, protocol; fragment data). */
export interface UndecodedLayer extends LayerBase {
  readonly kind: 'undecoded';
  /** What these bytes are, as precisely as known: `linktype 182 (mtp2-with-phdr)`, `ethertype 0x88cc`, `ip proto 47`. */
  readonly what: string;
}

export type Layer =
  | EthernetLayer
  | LlcLayer
  | VlanLayer
  | SllLayer
  | Sll2Layer
  | NullLayer
  | ArpLayer
  | Ipv4Layer
  | Ipv6Layer
  | Icmp4Layer
  | Icmp6Layer
  | TcpLayer
  | UdpLayer
  | DnsLayer
  | UndecodedLayer;

export type LayerKind = Layer['kind'];

/**
 * Accounting class of a packet: exactly one per packet.
 * - `decoded`: every layer we recognised decoded cleanly (unknown protocols above are just data);
 * - `truncated`: the snap length cut a header we were decoding;
 * - `malformed`: a header contradicted itself or the captured bytes;
 * - `unsupported`: the link type (or encapsulation) is not one we decode.
 */
export type PacketStatus = 'decoded' | 'truncated' | 'malformed' | 'unsupported';

export interface Packet {
  readonly frame: Frame;
  readonly layers: Layer[];
  readonly anomalies: Anomaly[];
  status: PacketStatus;
  /** Outermost IP layer (not the one quoted inside an ICMP error). */
  ip: Ipv4Layer | Ipv6Layer | undefined;
  tcp: TcpLayer | undefined;
  udp: UdpLayer | undefined;
  arp: ArpLayer | undefined;
  /** Offset and captured length of the innermost decoded layer's payload (TCP/UDP data, ...). */
  payloadOffset: number;
  payloadLength: number;
}

/** Namespaces in which a decoder names the next protocol. */
export type NextSpace =
  | 'none'
  | 'link'
  | 'ethertype'
  /** 802.3 length field: an LLC header follows. */
  | 'llc'
  | 'ipproto'
  /** UDP: look the ports up in the UDP port table. */
  | 'udp'
  /** TCP payload: look the ports up in the TCP port table (single-segment protocols only). */
  | 'tcp'
  /** ICMP error: payload is a quoted IP datagram. */
  | 'quoted-ip'
  /** Link layers without their own type field (RAW): guess IPv4/IPv6 by the version nibble. */
  | 'ip-version';

/** What the enclosing IP header tells the transport decoders (for checksums and length checks). */
export interface IpContext {
  readonly family: 4 | 6;
  /** Sum of the pseudo-header (addresses, protocol, upper-layer length), unfolded 32-bit-ish accumulator. */
  readonly pseudoSum: number;
  /** Upper-layer length the IP header declares. */
  readonly upperLength: number;
  /** Transport header cannot be verified as a whole: fragment or super-frame. */
  readonly fragment: boolean;
  readonly superFrame: boolean;
}

/** The record behind `IpContext`, which IP decoders fill (`ipContext` in result.ts). */
export type IpRecord = { -readonly [K in keyof IpContext]: IpContext[K] };

export interface DecodeContext {
  /** The frame was cut by the snap length (caplen < origlen). */
  readonly cut: boolean;
  /** Enclosing IP header, when inside one. */
  readonly ip: IpContext | undefined;
  /** Decoding the datagram quoted inside an ICMP error: lengths are expected to exceed what is present. */
  readonly quoted: boolean;
}

/**
 * Where a decoder reports. Each walk (pipeline.ts) owns one and hands it to every decoder it calls,
 * reading it back as soon as the decoder returns: one object per walk instead of one per layer.
 * Decoders fill it with `ok`, `fail` and `short` (result.ts) and push anomalies onto `anomalies`.
 */
export interface DecodeResult {
  layer: Layer | undefined;
  /**
   * The walk's anomaly list (the packet's, or the ICMP quote's): a decoder pushes what it finds in its
   * header here, in order. Nothing is allocated for a header without anomalies.
   */
  readonly anomalies: Anomaly[];
  next: NextSpace;
  nextValue: number;
  /** Where this layer's payload lies in the frame: [payloadOffset, payloadEnd). */
  payloadOffset: number;
  payloadEnd: number;
  /** For IP layers: context handed to the transport decoder (`ipRecord`, filled by `ipContext`). */
  ip: IpContext | undefined;
  /**
   * How upper layers should read running out of bytes: true = the header claims more bytes than the
   * frame has (already reported as malformed): decode on as if the capture had cut it; false = the
   * payload ends inside the captured bytes, so running out there is malformed even if the snap
   * length cut a trailer later; undefined = as the enclosing context says.
   */
  cut: boolean | undefined;
  /**
   * The walk's one IP context record, refilled by each IP header (a tunnelled header replaces the
   * outer one's context, as before). Safe because IP decoders never read `ctx.ip`, and a quoted
   * datagram is decoded by a walk of its own.
   */
  readonly ipRecord: IpRecord;
}

/**
 * A decoder: a pure function from the bytes [off, end) of a frame to a layer, its anomalies and
 * a hint for the next layer, all written to `res`. It never throws on any input and never reads
 * outside [off, end).
 */
export type Decoder = (
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
) => void;
