/**
 * Frame encoders for the synthetic capture: pcap record header + Ethernet II + IPv4 + TCP/UDP, and
 * ARP. Each writes into a caller-provided buffer at an offset and returns the offset after the
 * record; the caller guarantees room for MAX_RECORD bytes. IPv4, TCP and UDP checksums are computed
 * over the bytes actually written, so what the file holds is what was checksummed.
 */
import { finish, pseudoSum4, sumWords } from '../src/decode/checksum.js';
import { PCAP_RECORD_HEADER } from './pcap-writer.js';

export const ETH_HEADER = 14;
export const IPV4_HEADER = 20;
export const TCP_HEADER = 20;
export const UDP_HEADER = 8;
export const ARP_PAYLOAD = 28;
/** Ethernet minimum frame without FCS. */
export const ETH_MIN_FRAME = 60;
/** Largest record any encoder writes: record header + 1514-byte frame. */
export const MAX_RECORD = PCAP_RECORD_HEADER + ETH_HEADER + 1500;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

// Ethernet II field offsets.
const ETH_DST = 0;
const ETH_SRC = 6;
const ETH_TYPE = 12;

// IPv4 field offsets (RFC 791).
const IP_VER_IHL = 0;
const IP_TOS = 1;
const IP_TOTAL_LENGTH = 2;
const IP_ID = 4;
const IP_FLAGS_FRAG = 6;
const IP_TTL = 8;
const IP_PROTOCOL = 9;
const IP_CHECKSUM = 10;
const IP_SRC = 12;
const IP_DST = 16;
const IP_FLAG_DF = 0x4000;

// TCP field offsets (RFC 9293).
const TCP_SPORT = 0;
const TCP_DPORT = 2;
const TCP_SEQ = 4;
const TCP_ACKNUM = 8;
const TCP_DATA_OFFSET = 12;
const TCP_FLAGS = 13;
const TCP_WINDOW = 14;
const TCP_CHECKSUM = 16;
const TCP_URGENT = 18;

// UDP field offsets (RFC 768).
const UDP_SPORT = 0;
const UDP_DPORT = 2;
const UDP_LENGTH = 4;
const UDP_CHECKSUM = 6;

// TCP option kinds.
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WSCALE = 3;
const OPT_SACK_PERM = 4;
const OPT_TIMESTAMP = 8;

/** Which option block a TCP segment carries (Linux defaults with timestamps enabled). */
export const OPTS_SYN = 0;
export const OPTS_TIMESTAMP = 1;
/** SYN/SYN-ACK: mss, sackOK, TS val ecr, nop, wscale (Linux order). */
export const OPTS_SYN_LEN = 20;
/** Every later segment: nop, nop, TS val ecr. */
export const OPTS_TIMESTAMP_LEN = 12;

export function writeRecordHeader(b: Uint8Array, o: number, tsUs: number, length: number): number {
  const sec = Math.floor(tsUs / 1e6);
  const usec = tsUs - sec * 1e6;
  put32le(b, o, sec);
  put32le(b, o + 4, usec);
  put32le(b, o + 8, length);
  put32le(b, o + 12, length);
  return o + PCAP_RECORD_HEADER;
}

export function writeEthernet(
  b: Uint8Array,
  o: number,
  dst: Uint8Array,
  src: Uint8Array,
  type: number,
): number {
  for (let i = 0; i < 6; i++) {
    b[o + ETH_DST + i] = dst[i] as number;
    b[o + ETH_SRC + i] = src[i] as number;
  }
  put16be(b, o + ETH_TYPE, type);
  return o + ETH_HEADER;
}

/** IPv4 header without options; the checksum covers the 20 bytes just written. */
export function writeIpv4(
  b: Uint8Array,
  o: number,
  totalLength: number,
  id: number,
  df: boolean,
  ttl: number,
  protocol: number,
  src: number,
  dst: number,
): number {
  b[o + IP_VER_IHL] = 0x45;
  b[o + IP_TOS] = 0;
  put16be(b, o + IP_TOTAL_LENGTH, totalLength);
  put16be(b, o + IP_ID, id);
  put16be(b, o + IP_FLAGS_FRAG, df ? IP_FLAG_DF : 0);
  b[o + IP_TTL] = ttl;
  b[o + IP_PROTOCOL] = protocol;
  put16be(b, o + IP_CHECKSUM, 0);
  put32be(b, o + IP_SRC, src);
  put32be(b, o + IP_DST, dst);
  put16be(b, o + IP_CHECKSUM, finish(sumWords(b, o, o + IPV4_HEADER)));
  return o + IPV4_HEADER;
}

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  /** Raw 32-bit sequence and acknowledgement numbers as sent on the wire. */
  seq: number;
  ack: number;
  flags: number;
  window: number;
  options: number;
  tsVal: number;
  tsEcr: number;
  /** SYN options only. */
  mss: number;
  wscale: number;
  payload: Uint8Array | null;
  payloadOffset: number;
  payloadLength: number;
}

/** Writes the TCP header, options and payload at `o`; returns the end offset. */
export function writeTcp(b: Uint8Array, o: number, s: TcpSegment, srcIp: number, dstIp: number): number {
  const optLen = s.options === OPTS_SYN ? OPTS_SYN_LEN : OPTS_TIMESTAMP_LEN;
  const hdrLen = TCP_HEADER + optLen;
  put16be(b, o + TCP_SPORT, s.srcPort);
  put16be(b, o + TCP_DPORT, s.dstPort);
  put32be(b, o + TCP_SEQ, s.seq);
  put32be(b, o + TCP_ACKNUM, s.ack);
  b[o + TCP_DATA_OFFSET] = (hdrLen >> 2) << 4;
  b[o + TCP_FLAGS] = s.flags;
  put16be(b, o + TCP_WINDOW, s.window);
  put16be(b, o + TCP_CHECKSUM, 0);
  put16be(b, o + TCP_URGENT, 0);
  let p = o + TCP_HEADER;
  if (s.options === OPTS_SYN) {
    b[p] = OPT_MSS;
    b[p + 1] = 4;
    put16be(b, p + 2, s.mss);
    b[p + 4] = OPT_SACK_PERM;
    b[p + 5] = 2;
    p += 6;
  } else {
    b[p] = OPT_NOP;
    b[p + 1] = OPT_NOP;
    p += 2;
  }
  b[p] = OPT_TIMESTAMP;
  b[p + 1] = 10;
  put32be(b, p + 2, s.tsVal);
  put32be(b, p + 6, s.tsEcr);
  p += 10;
  if (s.options === OPTS_SYN) {
    b[p] = OPT_NOP;
    b[p + 1] = OPT_WSCALE;
    b[p + 2] = 3;
    b[p + 3] = s.wscale;
    p += 4;
  }
  const n = s.payloadLength;
  if (n > 0 && s.payload) {
    b.set(s.payload.subarray(s.payloadOffset, s.payloadOffset + n), p);
    p += n;
  }
  const tcpLength = p - o;
  const sum = sumWords(b, o, p, pseudoSum4(srcIp, dstIp, IPPROTO_TCP, tcpLength));
  put16be(b, o + TCP_CHECKSUM, finish(sum));
  return p;
}

/** TCP header length (with options) for a segment, to size the IP total length before writing. */
export function tcpHeaderLength(options: number): number {
  return TCP_HEADER + (options === OPTS_SYN ? OPTS_SYN_LEN : OPTS_TIMESTAMP_LEN);
}

/** UDP header + payload with its checksum (0 is sent as 0xffff, RFC 768). */
export function writeUdp(
  b: Uint8Array,
  o: number,
  srcPort: number,
  dstPort: number,
  payload: Uint8Array,
  srcIp: number,
  dstIp: number,
): number {
  const length = UDP_HEADER + payload.length;
  put16be(b, o + UDP_SPORT, srcPort);
  put16be(b, o + UDP_DPORT, dstPort);
  put16be(b, o + UDP_LENGTH, length);
  put16be(b, o + UDP_CHECKSUM, 0);
  b.set(payload, o + UDP_HEADER);
  const end = o + length;
  const c = finish(sumWords(b, o, end, pseudoSum4(srcIp, dstIp, IPPROTO_UDP, length)));
  put16be(b, o + UDP_CHECKSUM, c === 0 ? 0xffff : c);
  return end;
}

// ARP field offsets (RFC 826, Ethernet/IPv4).
const ARP_HTYPE = 0;
const ARP_PTYPE = 2;
const ARP_HLEN = 4;
const ARP_PLEN = 5;
const ARP_OPER = 6;
const ARP_SHA = 8;
const ARP_SPA = 14;
const ARP_THA = 18;
const ARP_TPA = 24;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

const ZERO_MAC = new Uint8Array(6);
export const BROADCAST_MAC = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/**
 * A complete ARP record: request (broadcast, target hardware address zero) or reply (unicast),
 * padded with zeros to the 60-byte Ethernet minimum as received frames are.
 */
export function writeArpRecord(
  b: Uint8Array,
  o: number,
  tsUs: number,
  op: number,
  senderMac: Uint8Array,
  senderIp: number,
  targetMac: Uint8Array,
  targetIp: number,
): number {
  o = writeRecordHeader(b, o, tsUs, ETH_MIN_FRAME);
  const start = o;
  o = writeEthernet(b, o, op === ARP_REQUEST ? BROADCAST_MAC : targetMac, senderMac, ETHERTYPE_ARP);
  put16be(b, o + ARP_HTYPE, 1);
  put16be(b, o + ARP_PTYPE, ETHERTYPE_IPV4);
  b[o + ARP_HLEN] = 6;
  b[o + ARP_PLEN] = 4;
  put16be(b, o + ARP_OPER, op);
  const tha = op === ARP_REQUEST ? ZERO_MAC : targetMac;
  for (let i = 0; i < 6; i++) {
    b[o + ARP_SHA + i] = senderMac[i] as number;
    b[o + ARP_THA + i] = tha[i] as number;
  }
  put32be(b, o + ARP_SPA, senderIp);
  put32be(b, o + ARP_TPA, targetIp);
  o += ARP_PAYLOAD;
  const end = start + ETH_MIN_FRAME;
  b.fill(0, o, end);
  return end;
}

export function put16be(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

export function put32be(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

function put32le(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}
