/** Address text for flow records (kept per connection, not per packet). */
import { ip4ToString, ip6ToString } from '../core/addr.js';

export function ipTextOf(a: number | Uint8Array): string {
  return typeof a === 'number' ? ip4ToString(a) : ip6ToString(a);
}
