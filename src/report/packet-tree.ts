/** `read -v`: every layer's fields as a tree, with checksum verdicts, options and anomalies in place. */

import { linkTypeName } from '../capture/linktype.js';
import { anomalySpec } from '../core/anomaly.js';
import { assertNever } from '../core/errors.js';
import { escapeText } from '../core/escape.js';
import { formatIso } from '../core/time.js';
import { ethertypeName, ipProtoName } from '../decode/registry.js';
import type { ChecksumStatus, Layer, Packet } from '../decode/types.js';
import { dnsClassText, dnsRcodeText, dnsTypeText } from './dns-names.js';
import { ipText, mac, tcpFlagsText, tcpOptionsText } from './format.js';
import type { Style } from './style.js';

const SLL_TYPES = ['unicast to us', 'broadcast', 'multicast', 'to another host', 'sent by us'];

function hex(n: number, digits = 4): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

function csum(v: number, s: ChecksumStatus, st: Style): string {
  const word =
    s === 'good'
      ? st.good('correct')
      : s === 'bad'
        ? st.error('WRONG')
        : s === 'offload'
          ? st.note('not filled in: offloaded to the NIC')
          : s === 'none'
            ? st.note('none (sender sent 0)')
            : st.note('not verified');
  return `${hex(v)} (${word})`;
}

/** Title and detail lines of one layer. */
function layerLines(l: Layer, st: Style): [string, string[]] {
  switch (l.kind) {
    case 'eth':
      return [
        `Ethernet II: ${mac(l.src)} → ${mac(l.dst)}`,
        [l.etherType <= 1500 ? `802.3 length ${l.etherType}` : `type ${ethertypeName(l.etherType)}`],
      ];
    case 'llc':
      return [
        'IEEE 802.2 LLC',
        [
          `dsap ${hex(l.dsap, 2)}, ssap ${hex(l.ssap, 2)}, control ${hex(l.control, 2)}`,
          ...(l.pid !== undefined
            ? [`SNAP oui ${hex(l.oui ?? 0, 6)}, protocol ${ethertypeName(l.pid)}`]
            : []),
        ],
      ];
    case 'vlan':
      return [
        `802.1${l.tpid === 0x8100 ? 'Q' : 'ad'} VLAN ${l.vid}`,
        [
          `tpid ${hex(l.tpid)}, priority ${l.pcp}, drop-eligible ${l.dei ? 'yes' : 'no'}, id ${l.vid}`,
          `type ${ethertypeName(l.etherType)}`,
        ],
      ];
    case 'sll':
      return [
        'Linux cooked capture v1',
        [
          `packet type ${l.packetType} (${SLL_TYPES[l.packetType] ?? 'unknown'}), hardware type ${l.arphrd}`,
          `address ${l.addr || '(none)'} (${l.addrLength} bytes), protocol ${hex(l.protocol)}`,
        ],
      ];
    case 'sll2':
      return [
        `Linux cooked capture v2, interface ${l.ifindex}`,
        [
          `packet type ${l.packetType} (${SLL_TYPES[l.packetType] ?? 'unknown'}), hardware type ${l.arphrd}`,
          `address ${l.addr || '(none)'} (${l.addrLength} bytes), protocol ${hex(l.protocol)}`,
        ],
      ];
    case 'null':
      return [
        `${l.loop ? 'OpenBSD' : 'BSD'} loopback`,
        [`address family ${l.family} (${l.byteOrder}-endian)`],
      ];
    case 'arp':
      return [
        `ARP ${l.arpKind}`,
        [
          `hardware type ${l.hwType}, protocol ${hex(l.protoType)}, sizes ${l.hwLength}/${l.protoLength}, opcode ${l.opcode}`,
          `sender ${l.senderHw} ${l.senderProto}`,
          `target ${l.targetHw} ${l.targetProto}`,
        ],
      ];
    case 'ipv4': {
      const flags = [
        l.dontFragment ? 'DF' : '',
        l.moreFragments ? 'MF' : '',
        l.reservedFlag ? 'RESERVED' : '',
      ].filter(Boolean);
      return [
        `IPv4: ${ipText(l.src)} → ${ipText(l.dst)}`,
        [
          `header ${l.headerLength} bytes, total length ${l.totalLength}${l.superFrame ? ' (TSO/GRO super-frame)' : ''}, dscp ${l.dscp}, ecn ${l.ecn}`,
          `id ${hex(l.id)}, flags ${flags.join(' ') || 'none'}, fragment offset ${l.fragmentOffset}`,
          `ttl ${l.ttl}, protocol ${ipProtoName(l.protocol)}, checksum ${csum(l.checksum, l.checksumStatus, st)}`,
          ...(l.options.length > 0
            ? [`options: ${l.options.map((o) => `${o.name}(${o.length})`).join(', ')}`]
            : []),
        ],
      ];
    }
    case 'ipv6':
      return [
        `IPv6: ${ipText(l.src)} → ${ipText(l.dst)}`,
        [
          `payload length ${l.payloadLength}${l.superFrame ? ' (jumbogram or TSO/GRO super-frame)' : ''}, traffic class ${hex(l.trafficClass, 2)}, flow label ${hex(l.flowLabel, 5)}`,
          `hop limit ${l.hopLimit}, next header ${ipProtoName(l.nextHeader)}`,
          ...l.extensions.map((e) => {
            let s = `extension ${e.kind} (${e.length} bytes) → next ${ipProtoName(e.nextHeader)}`;
            if (e.kind === 'fragment')
              s += `: offset ${e.fragmentOffset}, ${e.moreFragments ? 'more follow' : 'last'}, id ${hex(e.fragmentId ?? 0, 8)}`;
            if (e.kind === 'routing') s += `: type ${e.routingType}, segments left ${e.segmentsLeft}`;
            if (e.spi !== undefined) s += `: spi ${hex(e.spi, 8)}`;
            if (e.optionTypes && e.optionTypes.length > 0)
              s += `: options ${e.optionTypes.map((t) => hex(t, 2)).join(' ')}`;
            return s;
          }),
        ],
      ];
    case 'icmp4':
    case 'icmp6': {
      const lines = [
        `type ${l.type} (${l.typeName}), code ${l.code}${l.codeName ? ` (${l.codeName})` : ''}, checksum ${csum(l.checksum, l.checksumStatus, st)}`,
      ];
      if (l.echoId !== undefined) lines.push(`identifier ${l.echoId}, sequence ${l.echoSeq}`);
      if (l.mtu !== undefined) lines.push(`next-hop MTU ${l.mtu}`);
      if (l.gateway !== undefined) lines.push(`gateway ${ipText(l.gateway)}`);
      if (l.pointer !== undefined) lines.push(`pointer ${l.pointer}`);
      if (l.kind === 'icmp6' && l.ndTarget) lines.push(`target ${ipText(l.ndTarget)}`);
      if (l.kind === 'icmp6' && l.ndFlags)
        lines.push(
          `flags router ${l.ndFlags.router}, solicited ${l.ndFlags.solicited}, override ${l.ndFlags.override}`,
        );
      if (l.kind === 'icmp6' && l.ndLinkAddr !== undefined)
        lines.push(`link-layer address ${mac(l.ndLinkAddr)}`);
      if (l.quoted) {
        lines.push('quoted original datagram:');
        for (const q of l.quoted) {
          const [t, ls] = layerLines(q, st);
          lines.push(`  ${t}`);
          for (const x of ls) lines.push(`    ${x}`);
        }
      }
      return [`${l.kind === 'icmp4' ? 'ICMP' : 'ICMPv6'} ${l.typeName}`, lines];
    }
    case 'tcp': {
      if (l.partial)
        return [
          `TCP ${l.srcPort} → ${l.dstPort}`,
          [`only ${l.headerLength} header bytes present`, `seq ${l.seq}`],
        ];
      const lines = [
        `seq ${l.seq}, ack ${l.ack}, header ${l.dataOffset * 4} bytes`,
        `flags ${hex(l.flags, 3)} [${tcpFlagsText(l.flags)}], window ${l.window}, urgent pointer ${l.urgentPointer}`,
        `checksum ${csum(l.checksum, l.checksumStatus, st)}`,
        `payload ${l.payloadLength} bytes${l.capturedPayload < l.payloadLength ? ` (${l.capturedPayload} captured)` : ''}`,
      ];
      if (l.options.length > 0) lines.push(`options: ${tcpOptionsText(l.options)}`);
      return [`TCP ${l.srcPort} → ${l.dstPort}`, lines];
    }
    case 'udp':
      if (l.partial)
        return [`UDP ${l.srcPort} → ${l.dstPort}`, [`only ${l.headerLength} header bytes present`]];
      return [
        `UDP ${l.srcPort} → ${l.dstPort}`,
        [
          `length ${l.length}, checksum ${csum(l.checksum, l.checksumStatus, st)}`,
          `payload ${l.payloadLength} bytes${l.capturedPayload < l.payloadLength ? ` (${l.capturedPayload} captured)` : ''}`,
        ],
      ];
    case 'dns': {
      const flags = [
        l.authoritative ? 'aa' : '',
        l.truncated ? 'tc' : '',
        l.recursionDesired ? 'rd' : '',
        l.recursionAvailable ? 'ra' : '',
      ].filter(Boolean);
      const lines = [
        `id ${hex(l.id)}, ${l.response ? 'response' : 'query'}, opcode ${l.opcode}, rcode ${dnsRcodeText(l.rcode)}, flags ${flags.join(' ') || 'none'}`,
        `questions ${l.qdcount}, answers ${l.ancount}, authority ${l.nscount}, additional ${l.arcount}`,
        ...l.questions.map(
          (q) => `question: ${escapeText(q.name)} ${dnsTypeText(q.type)} ${dnsClassText(q.class)}`,
        ),
        ...l.answers.map(
          (a) => `answer: ${escapeText(a.name)} ${dnsTypeText(a.type)} ttl ${a.ttl} ${escapeText(a.data)}`,
        ),
      ];
      return [`DNS ${l.response ? 'response' : 'query'}`, lines];
    }
    case 'undecoded':
      return [`Data: ${l.what}`, [`${l.headerLength} bytes not decoded`]];
    default:
      return assertNever(l, 'layer');
  }
}

export function packetTree(p: Packet, st: Style): string {
  const f = p.frame;
  const out: string[] = [];
  const cut = f.caplen < f.origlen ? st.warn(` (cut to ${f.caplen} by the snap length)`) : '';
  out.push(
    st.bold(`Frame ${f.index}: ${f.origlen} bytes on the wire, ${f.caplen} captured${cut}`) +
      st.dim(
        `  ${formatIso(f.tsSec, f.tsNsec, 9)}  ${linkTypeName(f.linkType)}${f.interfaceId ? ` if ${f.interfaceId}` : ''}  [${p.status}]`,
      ),
  );
  p.layers.forEach((l, i) => {
    const last = i === p.layers.length - 1;
    const [title, lines] = layerLines(l, st);
    out.push(`${last ? '└─' : '├─'} ${st.proto(title)} ${st.dim(`@${l.offset}`)}`);
    const pad = last ? '   ' : '│  ';
    for (const line of lines) out.push(`${pad} ${line}`);
  });
  for (const a of p.anomalies) {
    const spec = anomalySpec(a.id);
    const text = `${a.severity} ${a.id}${a.offset >= 0 ? ` at byte ${a.offset}` : ''}${a.detail ? `: ${escapeText(a.detail)}` : ''}${spec ? ` — ${spec.summary}` : ''}`;
    out.push(
      `   ${a.severity === 'malformed' ? st.error(text) : a.severity === 'note' || a.severity === 'truncated' ? st.note(text) : st.warn(text)}`,
    );
  }
  return out.join('\n');
}
