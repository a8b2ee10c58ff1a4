/**
 * Flow keys. A directional key names one direction of a transport conversation; the canonical key
 * is the same for both directions (the smaller endpoint first), so one map entry serves a connection.
 */
import { toHex } from '../core/bytes.js';
import type { Packet } from '../decode/types.js';

function addrKey(a: number | Uint8Array): string {
  return typeof a === 'number' ? String(a) : toHex(a);
}

/** `src|sport|dst|dport` for the packet's outermost IP and TCP/UDP header, or undefined. */
export function directionalKey(p: Packet): string | undefined {
  const ip = p.ip;
  const t = p.tcp ?? p.udp;
  if (!ip || !t) return undefined;
  return `${addrKey(ip.src)}|${t.srcPort}|${addrKey(ip.dst)}|${t.dstPort}`;
}

/** The key of the reverse direction. */
export function reverseKey(p: Packet): string | undefined {
  const ip = p.ip;
  const t = p.tcp ?? p.udp;
  if (!ip || !t) return undefined;
  return `${addrKey(ip.dst)}|${t.dstPort}|${addrKey(ip.src)}|${t.srcPort}`;
}
