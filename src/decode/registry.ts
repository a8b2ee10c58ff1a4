/**
 * The registry: which decoder handles which link type, EtherType, IP protocol and UDP port.
 * The only module that imports decoders; the pipeline looks everything up here.
 */
import { LinkType } from '../capture/linktype.js';
import { hexNum } from '../core/bytes.js';
import { decodeDns, decodeDnsTcp } from './app/dns.js';
import { decodeEthernet } from './link/ethernet.js';
import { decodeLlc } from './link/llc.js';
import { decodeLoop, decodeNull } from './link/null.js';
import { decodeRaw } from './link/raw.js';
import { decodeSll, decodeSll2 } from './link/sll.js';
import { decodeVlan } from './link/vlan.js';
import { decodeArp } from './network/arp.js';
import { decodeIcmp4 } from './network/icmp4.js';
import { decodeIcmp6 } from './network/icmp6.js';
import { decodeIpv4 } from './network/ipv4.js';
import { decodeIpv6 } from './network/ipv6.js';
import { decodeTcp } from './transport/tcp.js';
import { decodeUdp } from './transport/udp.js';
import type { Decoder } from './types.js';

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  RARP: 0x8035,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
  IPV6: 0x86dd,
} as const;

export const IpProto = {
  HOPOPT: 0,
  ICMP: 1,
  IGMP: 2,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  SCTP: 132,
} as const;

export interface Registry {
  readonly link: ReadonlyMap<number, Decoder>;
  readonly ethertype: ReadonlyMap<number, Decoder>;
  readonly llc: Decoder;
  readonly ipproto: ReadonlyMap<number, Decoder>;
  readonly udpPort: ReadonlyMap<number, Decoder>;
  readonly tcpPort: ReadonlyMap<number, Decoder>;
}

export const registry: Registry = {
  link: new Map<number, Decoder>([
    [LinkType.ETHERNET, decodeEthernet],
    [LinkType.NULL, decodeNull],
    [LinkType.LOOP, decodeLoop],
    [LinkType.RAW, decodeRaw],
    [12, decodeRaw], // DLT_RAW on most BSDs, as some writers store it
    [14, decodeRaw], // DLT_RAW on OpenBSD
    [LinkType.IPV4, decodeRaw],
    [LinkType.IPV6, decodeRaw],
    [LinkType.LINUX_SLL, decodeSll],
    [LinkType.LINUX_SLL2, decodeSll2],
  ]),
  ethertype: new Map<number, Decoder>([
    [EtherType.IPV4, decodeIpv4],
    [EtherType.IPV6, decodeIpv6],
    [EtherType.ARP, decodeArp],
    [EtherType.RARP, decodeArp],
    [EtherType.VLAN, decodeVlan],
    [EtherType.QINQ, decodeVlan],
    [EtherType.QINQ_OLD, decodeVlan],
  ]),
  llc: decodeLlc,
  ipproto: new Map<number, Decoder>([
    [IpProto.TCP, decodeTcp],
    [IpProto.UDP, decodeUdp],
    [IpProto.ICMP, decodeIcmp4],
    [IpProto.ICMPV6, decodeIcmp6],
    [IpProto.IPIP, decodeIpv4],
    [IpProto.IPV6, decodeIpv6],
  ]),
  udpPort: new Map<number, Decoder>([
    [53, decodeDns],
    [5353, decodeDns], // mDNS
    [5355, decodeDns], // LLMNR
  ]),
  tcpPort: new Map<number, Decoder>([[53, decodeDnsTcp]]),
};

const ETHERTYPE_NAMES: Record<number, string> = {
  2048: 'ipv4',
  2054: 'arp',
  32821: 'rarp',
  33024: '802.1q',
  34984: '802.1ad',
  34525: 'ipv6',
  34915: 'pppoe-discovery',
  34916: 'pppoe-session',
  34887: 'mpls',
  34888: 'mpls-multicast',
  34958: 'eapol',
  35020: 'lldp',
  35045: 'macsec',
  35063: 'ptp',
  34825: 'slow-protocols',
  36864: 'loopback',
  35130: 'ieee1905',
  8944: 'avtp',
  2114: 'wake-on-lan',
  33079: 'ipx',
  32923: 'appletalk',
  25944: 'transparent-ethernet-bridging',
  34997: 'local-experimental-1',
  34998: 'local-experimental-2',
};

/** `ethertype 0x88cc (lldp)` */
export function ethertypeName(t: number): string {
  const n = ETHERTYPE_NAMES[t];
  return n ? `ethertype ${hexNum(t)} (${n})` : `ethertype ${hexNum(t)}`;
}

export function ethertypeShort(t: number): string | undefined {
  return ETHERTYPE_NAMES[t];
}

const IPPROTO_NAMES: Record<number, string> = {
  0: 'hopopt',
  1: 'icmp',
  2: 'igmp',
  4: 'ipip',
  6: 'tcp',
  8: 'egp',
  9: 'igp',
  17: 'udp',
  27: 'rdp',
  33: 'dccp',
  41: 'ipv6',
  43: 'ipv6-route',
  44: 'ipv6-frag',
  46: 'rsvp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'icmpv6',
  59: 'ipv6-nonxt',
  60: 'ipv6-opts',
  88: 'eigrp',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  115: 'l2tp',
  132: 'sctp',
  135: 'mobility',
  136: 'udplite',
  137: 'mpls-in-ip',
  143: 'ethernet',
};

/** `ip proto 47 (gre)` */
export function ipProtoName(p: number): string {
  const n = IPPROTO_NAMES[p];
  return n ? `ip proto ${p} (${n})` : `ip proto ${p}`;
}

export function ipProtoShort(p: number): string | undefined {
  return IPPROTO_NAMES[p];
}
