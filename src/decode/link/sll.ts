/**
 * Linux cooked captures: SLL v1 (LINKTYPE_LINUX_SLL, 16 bytes) and SLL v2 (LINKTYPE_LINUX_SLL2,
 * 20 bytes, what `tcpdump -i any` writes since libpcap 1.10, with the interface index).
 */
import { toHex, u16be, u32be } from '../../core/bytes.js';
import { ok, short } from '../result.js';
import type { DecodeContext, DecodeResult, NextSpace } from '../types.js';

const SLL_HEADER = 16;
const SLL2_HEADER = 20;

/** Linux packet types (sll_pkttype). */
export const SLL_PACKET_TYPES = [
  'unicast-to-us',
  'broadcast',
  'multicast',
  'to-other-host',
  'outgoing',
] as const;

/** ARPHRD values whose protocol field is a GRE/netlink/CAN number rather than an EtherType. */
const ARPHRD_NETLINK = 824;

/** What follows the cooked header (its value is the protocol when that is an EtherType). */
function next(protocol: number, arphrd: number): NextSpace {
  if (arphrd === ARPHRD_NETLINK) return 'none';
  if (protocol >= 0x0600) return 'ethertype';
  // LINUX_SLL_P_802_2: an 802.2 LLC header follows.
  if (protocol === 0x0004) return 'llc';
  return 'none';
}

function addrText(d: Uint8Array, o: number, len: number): string {
  return toHex(d, o, o + Math.min(len, 8), ':');
}

export function decodeSll(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < SLL_HEADER) return short(ctx, res, 'sll', off, end, SLL_HEADER);
  const packetType = u16be(d, off);
  const arphrd = u16be(d, off + 2);
  const addrLength = u16be(d, off + 4);
  const protocol = u16be(d, off + 14);
  const layer = {
    kind: 'sll' as const,
    offset: off,
    headerLength: SLL_HEADER,
    packetType,
    arphrd,
    addrLength,
    addr: addrText(d, off + 6, addrLength),
    protocol,
  };
  const space = next(protocol, arphrd);
  return ok(res, layer, space, space === 'ethertype' ? protocol : 0, off + SLL_HEADER, end);
}

export function decodeSll2(
  d: Uint8Array,
  off: number,
  end: number,
  ctx: DecodeContext,
  res: DecodeResult,
): DecodeResult {
  if (end - off < SLL2_HEADER) return short(ctx, res, 'sll2', off, end, SLL2_HEADER);
  const protocol = u16be(d, off);
  const ifindex = u32be(d, off + 4);
  const arphrd = u16be(d, off + 8);
  const packetType = d[off + 10] as number;
  const addrLength = d[off + 11] as number;
  const layer = {
    kind: 'sll2' as const,
    offset: off,
    headerLength: SLL2_HEADER,
    protocol,
    ifindex,
    arphrd,
    packetType,
    addrLength,
    addr: addrText(d, off + 12, addrLength),
  };
  const space = next(protocol, arphrd);
  return ok(res, layer, space, space === 'ethertype' ? protocol : 0, off + SLL2_HEADER, end);
}
