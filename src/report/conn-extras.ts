/** What views add to a tracked connection: address tags, the Zeek-style summary, flag descriptions. */

import { shortTag } from '../annotate/describe.js';
import type { LocalNets } from '../annotate/local-nets.js';
import { parseIp4, parseIp6 } from '../core/addr.js';
import type { TcpConnection } from '../flow/tcp/connection.js';
import { ZeekTcpSummary } from '../flow/tcp/zeek.js';

/** Tag of an address given as text (flow records keep text). */
export function tagOfText(addr: string, local?: LocalNets): string {
  const v4 = parseIp4(addr);
  if (v4 !== undefined) return shortTag(v4, local);
  const v6 = parseIp6(addr);
  return v6 ? shortTag(v6, local) : '';
}

export interface ConnExtras {
  readonly tags: { readonly orig: string; readonly resp: string };
  readonly zeek?: { readonly connState: string; readonly history: string };
  readonly flagText?: (id: string) => string;
}

const NO_TAGS = { orig: '', resp: '' };

/**
 * Address tags (`tags: false` leaves them empty: two address parses and classifications per
 * connection that some views never show) and the Zeek summary when the connection has one.
 */
export function connectionExtras(c: TcpConnection, local?: LocalNets, tags = true): ConnExtras {
  const t = tags ? { orig: tagOfText(c.orig.addr, local), resp: tagOfText(c.resp.addr, local) } : NO_TAGS;
  for (const a of c.analyzers) {
    if (!(a instanceof ZeekTcpSummary)) continue;
    const zeek = a.firstState();
    return zeek === undefined ? { tags: t } : { tags: t, zeek };
  }
  return { tags: t };
}
