/**
 * Capture-wide counters for the report: the capture summary (packets, bytes, time span, link types,
 * accounting classes), the protocol hierarchy (like tshark's `-z io,phs`), anomalies by id, and IP
 * conversations (like `-z conv,ip`). Bounded: at most `maxConversations` pairs are kept; the rest
 * are counted together.
 */

import { linkTypeName } from '../capture/linktype.js';
import type { Anomaly } from '../core/anomaly.js';
import type { Layer, Packet, PacketStatus } from '../decode/types.js';
import { ConversationTable } from './conversations.js';

export interface HierarchyNode {
  readonly name: string;
  packets: number;
  bytes: number;
  readonly children: Map<string, HierarchyNode>;
  /** The child the last packet went on to (most packets follow the same path: no map lookup). */
  last: HierarchyNode | undefined;
}

function layerName(l: Layer): string {
  switch (l.kind) {
    case 'icmp4':
      return 'icmp';
    case 'icmp6':
      return 'icmpv6';
    case 'undecoded':
      return 'data';
    default:
      return l.kind;
  }
}

export class CaptureStats {
  packets = 0;
  bytes = 0;
  capturedBytes = 0;
  first: number | undefined;
  last: number | undefined;
  readonly linkTypes = new Map<string, number>();
  readonly byStatus: Record<PacketStatus, number> = {
    decoded: 0,
    truncated: 0,
    malformed: 0,
    unsupported: 0,
  };
  readonly anomalies = new Map<
    string,
    { count: number; severity: Anomaly['severity']; firstPacket: number }
  >();
  readonly hierarchy: HierarchyNode = {
    name: 'frame',
    packets: 0,
    bytes: 0,
    children: new Map(),
    last: undefined,
  };
  readonly conversations: ConversationTable;

  constructor(maxConversations = 100_000) {
    this.conversations = new ConversationTable(maxConversations);
  }

  /**
   * Count an anomaly found above the packet (a connection's: eviction, reassembly, HTTP) at the
   * packet where it was found, or the connection's first.
   */
  addFlowAnomaly(a: Anomaly, packet: number): void {
    const e = this.anomalies.get(a.id);
    if (e) {
      e.count++;
      if (packet < e.firstPacket) e.firstPacket = packet;
    } else this.anomalies.set(a.id, { count: 1, severity: a.severity, firstPacket: packet });
  }

  add(p: Packet): void {
    const f = p.frame;
    this.packets++;
    this.bytes += f.origlen;
    this.capturedBytes += f.caplen;
    if (this.first === undefined || f.ts < this.first) this.first = f.ts;
    if (this.last === undefined || f.ts > this.last) this.last = f.ts;
    const lt = linkTypeName(f.linkType);
    this.linkTypes.set(lt, (this.linkTypes.get(lt) ?? 0) + 1);
    this.byStatus[p.status]++;
    for (const a of p.anomalies) {
      const e = this.anomalies.get(a.id);
      if (e) e.count++;
      else this.anomalies.set(a.id, { count: 1, severity: a.severity, firstPacket: f.index });
    }
    let node = this.hierarchy;
    node.packets++;
    node.bytes += f.origlen;
    for (const l of p.layers) {
      const name = layerName(l);
      let child = node.last;
      if (child === undefined || child.name !== name) {
        child = node.children.get(name);
        if (!child) {
          child = { name, packets: 0, bytes: 0, children: new Map(), last: undefined };
          node.children.set(name, child);
        }
        node.last = child;
      }
      child.packets++;
      child.bytes += f.origlen;
      node = child;
    }
    const ip = p.ip;
    if (ip) this.conversations.add(ip.src, ip.dst, f.origlen, f.ts);
  }
}
