/** Address text for flow records (kept per connection, not per packet). */
import { ip4ToString, ip6ToString } from '../core/addr.js';

/**
 * Recent IPv4 texts, direct-mapped by a hash of the address: a capture repeats the same addresses
 * in connection after connection (a server's, a busy client's), so most texts are found here,
 * and records that keep them share one string instead of holding copies.
 */
const CACHE_BITS = 12;
const cachedAddr = new Float64Array(1 << CACHE_BITS).fill(-1);
const cachedText: string[] = new Array<string>(1 << CACHE_BITS).fill('');

export function ipTextOf(a: number | Uint8Array): string {
  if (typeof a !== 'number') return ip6ToString(a);
  const i = Math.imul(a, 0x9e3779b1) >>> (32 - CACHE_BITS);
  if (cachedAddr[i] === a) return cachedText[i] as string;
  const text = ip4ToString(a);
  cachedAddr[i] = a;
  cachedText[i] = text;
  return text;
}
