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
  /** Packets by link type number, in order of first appearance (named in `linkTypes`). */
  private readonly byLinkType = new Map<number, number>();
  /** The link type of the last packet, and its count so far (most captures have one link type). */
  private lastLinkType = -1;
  private lastLinkTypeCount = 0;
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

  /** Packets by link type name, in order of first appearance. */
  get linkTypes(): Map<string, number> {
    this.settleLinkType();
    const byName = new Map<string, number>();
    for (const [t, n] of this.byLinkType) {
      const name = linkTypeName(t);
      byName.set(name, (byName.get(name) ?? 0) + n);
    }
    return byName;
  }

  /** Add the last link type's run of packets to its count. */
  private settleLinkType(): void {
    if (this.lastLinkTypeCount === 0) return;
    const t = this.lastLinkType;
    this.byLinkType.set(t, (this.byLinkType.get(t) ?? 0) + this.lastLinkTypeCount);
    this.lastLinkTypeCount = 0;
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
    // Counted by runs of one link type: no name and no map update per packet.
    if (f.linkType !== this.lastLinkType) {
      this.settleLinkType();
      this.lastLinkType = f.linkType;
      if (!this.byLinkType.has(f.linkType)) this.byLinkType.set(f.linkType, 0);
    }
    this.lastLinkTypeCount++;
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
