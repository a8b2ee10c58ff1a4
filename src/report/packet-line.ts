/**
 * One line per packet, tcpdump-style but friendlier: number, time, endpoints, protocol, what the
 * packet says in words (flags by name, relative seq/ack, DNS question and answers, ICMP names), and
 * any warnings with the byte offset where they were found.
 */
import type { Anomaly } from '../core/anomaly.js';
import { assertNever } from '../core/errors.js';
import { escapeText } from '../core/escape.js';
import { ethertypeShort, ipProtoShort } from '../decode/registry.js';
import type { DnsLayer, Icmp4Layer, Icmp6Layer, Layer, Packet } from '../decode/types.js';
import type { RelativeSeq } from '../flow/relseq.js';
import { dnsClassText, dnsRcodeText, dnsTypeText } from './dns-names.js';
import { endpoint, ipText, mac, tcpFlagsText, tcpOptionsText } from './format.js';
import type { Style } from './style.js';

export interface LineContext {
  readonly style: Style;
  readonly time: string;
  /** Relative seq/ack for TCP, when shown relative. */
  readonly rel: RelativeSeq | undefined;
  /** Width of the packet-number column. */
  readonly numberWidth: number;
  /** Short address class shown after each IP address (private, public, …); omitted when undefined. */
  readonly addrTag?: ((a: number | Uint8Array) => string) | undefined;
}

function dnsText(d: DnsLayer): string {
  const q = d.questions[0];
  const qText = q
    ? `${dnsTypeText(q.type)}${q.class !== 1 ? ` ${dnsClassText(q.class)}` : ''} ${escapeText(q.name)}`
    : '(no question)';
  const more = d.questions.length > 1 ? ` +${d.questions.length - 1}q` : '';
  if (!d.response) return `DNS query 0x${d.id.toString(16).padStart(4, '0')} ${qText}${more}`;
  const rc = d.rcode !== 0 ? ` ${dnsRcodeText(d.rcode)}` : '';
  const ans = d.answers.map((a) => `${dnsTypeText(a.type)} ${escapeText(a.data)}`);
  const shown = ans.slice(0, 4).join(', ') + (ans.length > 4 ? `, +${ans.length - 4} more` : '');
  return `DNS response 0x${d.id.toString(16).padStart(4, '0')} ${qText}${more}${rc}${shown ? ` → ${shown}` : ''}`;
}

function quotedText(q: readonly Layer[] | undefined): string {
  if (!q) return '';
  let ip: string | undefined;
  let src = '';
  let dst = '';
  for (const l of q) {
    if (l.kind === 'ipv4' || l.kind === 'ipv6') {
      src = ipText(l.src);
      dst = ipText(l.dst);
      ip = ipProtoShort(l.protocol) ?? `proto ${l.protocol}`;
    } else if (l.kind === 'tcp' || l.kind === 'udp') {
      return ` for ${l.kind.toUpperCase()} ${endpoint(src, l.srcPort)} → ${endpoint(dst, l.dstPort)}`;
    } else if (l.kind === 'icmp4' || l.kind === 'icmp6') {
      return ` for ICMP ${l.typeName} ${src} → ${dst}`;
    }
  }
  return ip ? ` for ${ip} ${src} → ${dst}` : '';
}

function icmpText(l: Icmp4Layer | Icmp6Layer): string {
  const name = l.kind === 'icmp4' ? 'ICMP' : 'ICMPv6';
  let s = `${name} ${l.typeName}`;
  if (l.codeName) s += ` (${l.codeName})`;
  if (l.echoId !== undefined) s += ` id=${l.echoId} seq=${l.echoSeq}`;
  if (l.mtu !== undefined) s += ` mtu=${l.mtu}`;
  if (l.kind === 'icmp6' && l.ndTarget) s += ` target ${ipText(l.ndTarget)}`;
  if (l.kind === 'icmp6' && l.ndLinkAddr !== undefined) s += ` lladdr ${mac(l.ndLinkAddr)}`;
  return s + quotedText(l.quoted);
}

/** Words for the anomalies worth a glance on the one-line view (warnings and worse, not notes). */
export function anomalyTags(anoms: readonly Anomaly[], style: Style): string {
  const parts: string[] = [];
  for (const a of anoms) {
    if (a.severity === 'note') continue;
    const where = a.offset >= 0 ? ` @${a.offset}` : '';
    const detail = a.detail ? `: ${escapeText(a.detail)}` : '';
    const text = `${a.severity === 'malformed' ? '✗' : a.severity === 'truncated' ? '✂' : '⚠'} ${a.id}${where}${detail}`;
    parts.push(
      a.severity === 'malformed'
        ? style.error(text)
        : a.severity === 'truncated'
          ? style.note(text)
          : style.warn(text),
    );
  }
  return parts.join('  ');
}

/** The packet's endpoints and protocol summary (without number and time). */
export function packetSummary(p: Packet, ctx: Pick<LineContext, 'style' | 'rel' | 'addrTag'>): string {
  const st = ctx.style;
  const tags: string[] = [];
  let from = '';
  let to = '';
  let info = '';
  let l2from = '';
  let l2to = '';
  let srcIp: number | Uint8Array | undefined;
  let dstIp: number | Uint8Array | undefined;
  for (const l of p.layers) {
    switch (l.kind) {
      case 'eth':
        l2from = mac(l.src);
        l2to = mac(l.dst);
        if (l.etherType <= 1500) info = `802.3 length ${l.etherType}`;
        break;
      case 'llc':
        info =
          l.pid !== undefined
            ? `LLC/SNAP oui 0x${(l.oui ?? 0).toString(16).padStart(6, '0')} pid 0x${l.pid.toString(16).padStart(4, '0')}`
            : `LLC dsap 0x${l.dsap.toString(16)} ssap 0x${l.ssap.toString(16)}`;
        break;
      case 'vlan':
        tags.push(`vlan ${l.vid}${l.pcp ? ` p${l.pcp}` : ''}`);
        break;
      case 'sll':
      case 'sll2': {
        const dir = ['in', 'bcast', 'mcast', 'other', 'out'][l.packetType] ?? `type ${l.packetType}`;
        tags.push(l.kind === 'sll2' ? `if ${l.ifindex} ${dir}` : dir);
        if (l.addrLength === 6) l2from = l.addr;
        break;
      }
      case 'null':
        break;
      case 'arp': {
        from = l2from || l.senderHw;
        to = l2to || l.targetHw;
        const who = `${l.targetProto}`;
        switch (l.arpKind) {
          case 'request':
            info = `ARP who-has ${who}? tell ${l.senderProto}`;
            break;
          case 'reply':
            info = `ARP ${l.senderProto} is-at ${l.senderHw}`;
            break;
          case 'gratuitous':
            info = `ARP gratuitous ${l.opcode === 2 ? 'reply' : 'request'}: ${l.senderProto} is-at ${l.senderHw}`;
            break;
          case 'probe':
            info = `ARP probe: is ${who} in use? (from ${l.senderHw})`;
            break;
          case 'announcement':
            info = `ARP announcement: ${l.senderProto} is-at ${l.senderHw}`;
            break;
          case 'rarp-request':
            info = `RARP who-is ${l.targetHw}? tell ${l.senderHw}`;
            break;
          case 'rarp-reply':
            info = `RARP ${l.targetHw} at ${l.targetProto}`;
            break;
          case 'other':
            info = `ARP opcode ${l.opcode}`;
            break;
          default:
            assertNever(l.arpKind, 'arp kind');
        }
        break;
      }
      case 'ipv4':
      case 'ipv6': {
        from = ipText(l.src);
        to = ipText(l.dst);
        srcIp = l.src;
        dstIp = l.dst;
        const proto = ipProtoShort(l.protocol) ?? `proto ${l.protocol}`;
        if (l.kind === 'ipv4' && l.fragmentOffset > 0)
          info = `IPv4 fragment id=0x${l.id.toString(16)} offset=${l.fragmentOffset}${l.moreFragments ? ' +more' : ''} (${proto})`;
        else if (l.kind === 'ipv6' && l.fragment && l.fragment.offset > 0)
          info = `IPv6 fragment id=0x${l.fragment.id.toString(16)} offset=${l.fragment.offset}${l.fragment.more ? ' +more' : ''} (${proto})`;
        else info = `${l.kind === 'ipv4' ? 'IPv4' : 'IPv6'} ${proto}`;
        break;
      }
      case 'icmp4':
      case 'icmp6':
        info = icmpText(l);
        break;
      case 'tcp': {
        from = endpoint(from, l.srcPort);
        to = endpoint(to, l.dstPort);
        if (l.partial) {
          // Only the first bytes of the header were captured (or quoted): show just what is there.
          let s = `TCP [header cut after ${l.headerLength} bytes]`;
          if (l.headerLength >= 14) s += ` ${st.flags(`[${tcpFlagsText(l.flags)}]`)}`;
          if (l.headerLength >= 8) s += ` seq=${l.seq}`;
          if (l.headerLength >= 12) s += ` ack=${l.ack}`;
          info = s;
          break;
        }
        const rel = ctx.rel;
        const seqv = rel ? rel.seq : l.seq;
        let s = `TCP ${st.flags(`[${tcpFlagsText(l.flags)}]`)} seq=${seqv}`;
        if (l.flags & 0x10) s += ` ack=${rel ? (rel.ack ?? l.ack) : l.ack}`;
        s += ` win=${l.window} len=${l.payloadLength}`;
        if (l.options.length > 0) {
          const opts = tcpOptionsText(l.options.filter((o) => o.kind !== 'nop' && o.kind !== 'eol'));
          if (opts) s += ` ${st.dim(`<${opts}>`)}`;
        }
        info = s;
        break;
      }
      case 'udp':
        from = endpoint(from, l.srcPort);
        to = endpoint(to, l.dstPort);
        info = `UDP len=${l.payloadLength}`;
        break;
      case 'dns':
        info = dnsText(l);
        break;
      case 'undecoded':
        info = info?.startsWith('IPv')
          ? `${info}, ${l.headerLength} bytes`
          : `${l.what}, ${l.headerLength} bytes`;
        if (from === '' && l2from) {
          from = l2from;
          to = l2to;
        }
        break;
      default:
        assertNever(l, 'layer');
    }
  }
  if (from === '' && l2from) {
    from = l2from;
    to = l2to;
  }
  if (info === '' && p.layers.length > 0) {
    const last = p.layers[p.layers.length - 1] as Layer;
    if (last.kind === 'eth')
      info = ethertypeShort(last.etherType) ?? `ethertype 0x${last.etherType.toString(16)}`;
  }
  const tagOf = ctx.addrTag;
  const ft = tagOf && srcIp !== undefined ? ` ${st.tag(`(${tagOf(srcIp)})`)}` : '';
  const tt = tagOf && dstIp !== undefined ? ` ${st.tag(`(${tagOf(dstIp)})`)}` : '';
  const ends = from || to ? `${st.addr(from)}${ft} → ${st.addr(to)}${tt}  ` : '';
  const tagText = tags.length > 0 ? `${st.tag(tags.join(' '))} ` : '';
  return `${ends}${tagText}${info || `${p.frame.caplen} bytes`}`;
}

export function packetLine(p: Packet, ctx: LineContext): string {
  const n = String(p.frame.index).padStart(ctx.numberWidth);
  const an = anomalyTags(p.anomalies, ctx.style);
  return `${ctx.style.dim(n)} ${ctx.time}  ${packetSummary(p, ctx)}${an ? `  ${an}` : ''}`;
}
