/**
 * `wirelens arp`: the IP → MAC table, requests and replies, gratuitous ARP and probes, the routers
 * the traffic shows, and findings. A pure renderer of `ArpSummary` (annotate/arp.ts); every line
 * fits 100 columns.
 */
import type { ArpFinding, ArpSummary, RouterChange } from '../annotate/arp.js';
import { plural } from '../core/plural.js';
import { formatDuration } from '../core/time.js';
import { fitTable, WIDTH } from './nat.js';
import type { Style } from './style.js';
import { shownOf } from './table.js';
import { wrap } from './wrap.js';

function para(text: string, indent: string, out: string[], style?: (s: string) => string): void {
  for (const l of wrap(text, WIDTH - indent.length, '  ')) out.push(indent + (style ? style(l) : l));
}

function rel(ts: number, start: number): string {
  return `+${(ts - start).toFixed(6)}`;
}

/** The first `max` of `xs`, and how many more of `total` there are. */
function list(xs: readonly (string | number)[], max = 8, total = xs.length): string {
  const shown = xs.slice(0, max).join(', ');
  const n = Math.min(xs.length, max);
  return total > n ? `${shown}, … ${(total - n).toLocaleString('en')} more` : shown;
}

function changeText(c: RouterChange): string {
  return c.direction === 'outbound'
    ? `${c.host} (${c.hostMac}) sends its off-link traffic to ${c.to} instead of ${c.from} from packet ${c.packet} (last through ${c.from}: packet ${c.lastPacketBefore})`
    : `${c.host}'s traffic from the Internet comes from ${c.to} instead of ${c.from} from packet ${c.packet} (last from ${c.from}: packet ${c.lastPacketBefore})`;
}

function findingLines(f: ArpFinding, st: Style, out: string[]): void {
  const mark = f.severity === 'alert' ? st.error('‼') : f.severity === 'warning' ? st.warn('⚠') : st.dim('ℹ');
  const head = (s: string) => {
    wrap(s, WIDTH - 4, '  ').forEach((l, i) => {
      out.push(i === 0 ? `  ${mark} ${st.bold(l)}` : `    ${st.bold(l)}`);
    });
  };
  switch (f.kind) {
    case 'spoofing': {
      head(
        f.severity === 'alert'
          ? `ARP spoofing: ${f.claimant} took over ${f.ip} from ${f.previousMac}`
          : `address takeover: ${f.claimant} claims ${f.ip}, first claimed by ${f.previousMac}`,
      );
      para(
        `${f.claimant}${f.claimantIps.length > 0 ? ` (which is also ${list(f.claimantIps)})` : ''} claims ${f.ip} in ARP packet${f.claims === 1 ? '' : 's'} ${list(f.claimPackets, 8, f.claims)}` +
          (f.unasked > 0
            ? `; unasked (unsolicited reply or gratuitous): ${list(f.unsolicitedPackets, 8, f.unasked)}`
            : ''),
        '    ',
        out,
      );
      for (const c of f.redirected) para(`then ${changeText(c)}`, '    ', out);
      para(
        f.previousFrom === 'traffic'
          ? `${f.ip} is the router these hosts used, and its real MAC is ${f.previousMac}: their traffic now ` +
              `passes through ${f.claimant} (a man in the middle if it forwards it, a denial of service if not). ` +
              `Check the router's MAC on the hosts (ip neigh, arp -a) and the switch's port for ${f.claimant}.`
          : `Either a failover (VRRP, keepalived: a standby taking over a virtual address announces it this way) or ` +
              `ARP spoofing. Check which device owns ${f.claimant}.`,
        '    ',
        out,
        st.dim,
      );
      return;
    }
    case 'ip-conflict':
      head(`${f.ip} claimed by ${f.macs.length} MACs`);
      para(
        [...f.macs]
          .sort((a, b) => b.packets - a.packets || a.firstPacket - b.firstPacket)
          .slice(0, 6)
          .map((m) => `${m.mac} (from packet ${m.firstPacket}, ${plural(m.packets, 'packet')})`)
          .join('; ') + (f.macs.length > 6 ? `; … ${f.macs.length - 6} more` : ''),
        '    ',
        out,
      );
      para(
        'two hosts configured with one address (duplicate address), a failover, or spoofing; hosts ' +
          'caching the wrong one lose their traffic to it',
        '    ',
        out,
        st.dim,
      );
      return;
    case 'probe-conflict':
      head(
        `${f.ip} is in use: ${f.prober} probed it (packet ${f.probePacket}), ${f.defender} answered (packet ${f.defendPacket})`,
      );
      para('RFC 5227: the prober must not use the address (address conflict detected)', '    ', out, st.dim);
      return;
    case 'unsolicited-replies':
      head(`${plural(f.count, 'ARP reply', 'ARP replies')} nobody asked for`);
      for (const r of f.replies.slice(0, 8)) {
        para(
          `packet ${r.packet}: ${r.ip} is-at ${r.mac}, sent to ${r.targetIp} (${r.targetMac})`,
          '    ',
          out,
        );
      }
      if (f.count > 8) out.push(st.dim(`    … ${f.count - 8} more`));
      para(
        'a reply without a request updates the receiver’s cache anyway on many systems: the classic ' +
          'way to poison it (or the request was not captured)',
        '    ',
        out,
        st.dim,
      );
      return;
    case 'mac-many-ips':
      head(`${f.mac} claims ${plural(f.ips.length, 'address', 'addresses')}: ${list(f.ips)}`);
      para(
        `first claimed in packets ${list(f.firstPackets)}` +
          (f.severity === 'warning'
            ? ' — with replies nobody asked for'
            : ' (a router answering for several addresses, proxy ARP, or a host with secondary addresses)'),
        '    ',
        out,
        st.dim,
      );
      return;
    case 'sender-mismatch':
      head(`${plural(f.count, 'ARP packet')} whose sender MAC is not the frame’s source MAC`);
      for (const e of f.examples.slice(0, 5))
        para(`packet ${e.packet}: ARP says ${e.arpMac}, Ethernet ${e.ethMac}`, '    ', out);
      para('proxy ARP or a bridge rewrites one of them; crafted packets do too', '    ', out, st.dim);
      return;
    case 'router-changed':
      head(`router changed for ${f.change.host}`);
      para(changeText(f.change), '    ', out);
      para(
        'no ARP claim by the new MAC was seen before it: a failover, or a change the capture did not see',
        '    ',
        out,
        st.dim,
      );
      return;
    case 'invalid':
      head(`${plural(f.count, 'ARP packet')} not learned from (malformed or impossible)`);
      para(
        f.packets
          .slice(0, 6)
          .map((x) => `${x.packet}: ${x.why}`)
          .join('; ') + (f.count > 6 ? `; … ${f.count - 6} more` : ''),
        '    ',
        out,
      );
      return;
  }
}

/** The count of one kind of ARP packet (`byKind`), in words: `1 request`, `2 replies`, `3 with an invalid sender`. */
function kindCount(kind: string, n: number): string {
  switch (kind) {
    case 'reply':
      return plural(n, 'reply', 'replies');
    case 'request':
    case 'probe':
    case 'announcement':
    case 'rarp-request':
    case 'rarp-reply':
      return plural(n, kind);
    case 'gratuitous':
      return plural(n, 'gratuitous ARP');
    case 'not Ethernet/IPv4, or malformed':
      // Its comma would read as a list separator here.
      return `${n} not Ethernet/IPv4 or malformed`;
    case 'unknown opcode':
    case 'invalid sender':
      return `${n} with an ${kind}`;
    default:
      return `${n} ${kind}`;
  }
}

/** The ARP view. `start`: the capture's first timestamp (times are shown relative to it). */
export function renderArp(s: ArpSummary, start: number, st: Style): string[] {
  const out: string[] = [];
  const kinds = Object.entries(s.byKind)
    .map(([k, n]) => kindCount(k, n))
    .join(', ');
  out.push(st.heading(`ARP: ${plural(s.packets, 'packet')}`));
  if (kinds) para(kinds, '  ', out);
  if (s.packets === 0) {
    para('no ARP in this capture', '  ', out, st.dim);
  }

  if (s.table.length > 0) {
    out.push('');
    out.push(st.heading(`IP → MAC (${s.table.length})`));
    out.push(
      ...fitTable(
        ['address', 'MAC', 'first seen', 'last seen', 'packets', 'as sender of'],
        s.table.map((b) => [
          b.ip,
          b.mac,
          `${rel(b.firstSeen, start)} #${b.firstPacket}`,
          `${rel(b.lastSeen, start)} #${b.lastPacket}`,
          String(b.packets),
          b.kinds.join(', '),
        ]),
        [5, 3, 2],
        st,
      ),
    );
  }

  out.push('');
  out.push(st.heading(`Requests answered (${shownOf(s.answered.length, s.answeredCount)})`));
  if (s.answered.length > 0) {
    out.push(
      ...fitTable(
        ['who has', 'is at', 'asked by', 'tries', 'answered in', 'packets'],
        s.answered.map((a) => [
          a.ip,
          a.mac,
          `${a.requesterIp} (${a.requesterMac})`,
          String(a.requests),
          formatDuration(a.responseTime),
          `${a.requestPacket} → ${a.replyPacket}`,
        ]),
        [2],
        st,
      ),
    );
    const rt = s.responseTime;
    if (rt)
      para(
        `response time: min ${formatDuration(rt.min)}, median ${formatDuration(rt.median)}, max ${formatDuration(rt.max)} (from the last request to the reply)`,
        '',
        out,
        st.dim,
      );
  }
  out.push('');
  out.push(st.heading(`Requests never answered (${shownOf(s.unanswered.length, s.unansweredCount)})`));
  if (s.unanswered.length > 0) {
    out.push(
      ...fitTable(
        ['who has', 'asked by', 'requests', 'packets', 'over', 'then'],
        s.unanswered.map((u) => [
          u.ip,
          `${u.requesterIp} (${u.requesterMac})`,
          String(u.requests),
          u.requests === 1 ? String(u.firstPacket) : `${u.firstPacket}…${u.lastPacket}`,
          u.requests === 1 ? '-' : formatDuration(u.lastSeen - u.firstSeen),
          u.waited < 1 ? 'capture ended' : `${formatDuration(u.waited)} quiet`,
        ]),
        [1],
        st,
      ),
    );
    para(
      'nobody answered: the address is not in use on this link, the host is down, or the capture ' +
        'point does not see the replies (they are unicast to the requester)',
      '',
      out,
      st.dim,
    );
  }
  if (s.gratuitous.length > 0 || s.probes.length > 0) {
    out.push('');
    out.push(st.heading(`Gratuitous ARP (${s.gratuitous.length}), probes (${s.probes.length})`));
    const rows = [
      ...s.probes.map((p) => [String(p.packet), rel(p.ts, start), 'probe (sender 0.0.0.0)', p.ip, p.mac]),
      ...s.gratuitous.map((g) => [
        String(g.packet),
        rel(g.ts, start),
        g.announcement ? 'announcement' : `gratuitous ${g.op}`,
        g.ip,
        g.mac,
      ]),
    ].sort((a, b) => Number(a[0]) - Number(b[0]));
    out.push(...fitTable(['packet', 'time', 'kind', 'address', 'MAC'], rows, [3], st));
    para(
      'gratuitous ARP: a host announcing its own address (after boot, an address change or a failover), ' +
        'so others update their caches; probe: RFC 5227 duplicate-address check before using an address',
      '',
      out,
      st.dim,
    );
  }
  if (s.routers.length > 0) {
    out.push('');
    out.push(st.heading(`Routers seen in the traffic (${s.routers.length})`));
    out.push(
      ...fitTable(
        ['MAC', 'for hosts', 'packets', 'first', 'last'],
        s.routers.map((r) => [
          r.mac,
          list(r.hosts, 4),
          String(r.packets),
          String(r.firstPacket),
          String(r.lastPacket),
        ]),
        [1],
        st,
      ),
    );
    para('the MAC that private hosts’ Internet traffic goes to and comes from', '', out, st.dim);
  }
  out.push('');
  out.push(st.heading(`Findings (${s.findings.length})`));
  if (s.findings.length === 0) para('none', '  ', out, st.dim);
  for (const f of s.findings) findingLines(f, st, out);
  if (s.overflow > 0)
    para(`memory budget reached: ${s.overflow} rows or entries not kept`, '  ', out, st.warn);
  return out;
}
