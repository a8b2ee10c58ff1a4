/**
 * Hosts seen in a capture: every IP address with its address class, the MAC addresses it was seen
 * behind, packets and bytes each way, and the initial TTL family it sends with. Bounded.
 */
import type { Mac } from '../core/addr.js';
import type { Packet } from '../decode/types.js';
import { AddrTable } from '../flow/addr-table.js';
import { ipTextOf } from '../flow/addr-text.js';
import { type AddressClass, classifyIp } from './classify.js';
import { shortTag } from './describe.js';
import type { LocalNets } from './local-nets.js';
import {
  type AddrViolation,
  canViolate,
  collectViolations,
  inferInitialTtl,
  type UpperLayer,
  ViolationBuffer,
} from './violations.js';

export interface Host {
  readonly addr: string;
  readonly family: 4 | 6;
  readonly tag: string;
  readonly cls: AddressClass;
  sentPackets: number;
  sentBytes: number;
  recvPackets: number;
  recvBytes: number;
  /**
   * Source MACs of frames it sent, distinct, in order (at most 8 kept; numbers: the text is made for
   * the report only). Small arrays rather than sets: there is one per host, and they stay tiny.
   */
  macs: Mac[];
  /** Initial TTL families (64, 128, 255, …) of what it sent, distinct, in order. */
  initialTtls: number[];
  first: number;
  last: number;
  /** Can the address take part in a registry violation as a source, as a destination (`canViolate`)? */
  readonly suspectSource: boolean;
  readonly suspectDestination: boolean;
  /** The MAC and TTL of its last packet: the next is most often the same, and needs no lookup. */
  lastMac: Mac;
  lastTtl: number;
}

const MAX_MACS = 8;

/** A registry violation seen in the capture (an address used where the IANA registry says it must not be). */
export interface Violation {
  readonly id: string;
  count: number;
  readonly firstPacket: number;
  readonly example: string;
}

export class HostTable {
  readonly hosts = new AddrTable<Host>();
  readonly violations = new Map<string, Violation>();
  dropped = 0;
  /** Violations of the packet in hand (one buffer for all packets). */
  private readonly found = new ViolationBuffer();

  constructor(
    private readonly local?: LocalNets,
    private readonly maxHosts = 100_000,
  ) {}

  private host(a: number | Uint8Array, ts: number): Host | undefined {
    let h = this.hosts.get(a);
    if (!h) {
      if (this.hosts.size >= this.maxHosts) {
        this.dropped++;
        return undefined;
      }
      const cls = classifyIp(a);
      h = {
        addr: ipTextOf(a),
        family: typeof a === 'number' ? 4 : 6,
        tag: shortTag(a, this.local),
        cls,
        sentPackets: 0,
        sentBytes: 0,
        recvPackets: 0,
        recvBytes: 0,
        macs: [],
        initialTtls: [],
        first: ts,
        last: ts,
        suspectSource: canViolate(cls, true),
        suspectDestination: canViolate(cls, false),
        lastMac: -1,
        lastTtl: -1,
      };
      this.hosts.add(a, h);
    }
    h.last = ts;
    return h;
  }

  add(p: Packet): void {
    const ip = p.ip;
    if (!ip) return;
    const ts = p.frame.ts;
    const bytes = p.frame.origlen;
    const s = this.host(ip.src, ts);
    if (s) {
      s.sentPackets++;
      s.sentBytes += bytes;
      // A value seen last time is in its list already, or was left out of a full one (lists only grow).
      const eth = p.layers[0];
      if (eth?.kind === 'eth' && eth.src !== s.lastMac) {
        s.lastMac = eth.src;
        // The first value gets an array of its own size: most hosts never have a second (a push to an
        // empty array would reserve room for 16).
        if (s.macs.length === 0) s.macs = [eth.src];
        else if (s.macs.length < MAX_MACS && !s.macs.includes(eth.src)) s.macs.push(eth.src);
      }
      const ttl = ip.kind === 'ipv4' ? ip.ttl : ip.hopLimit;
      if (ttl !== s.lastTtl) {
        s.lastTtl = ttl;
        const initial = inferInitialTtl(ttl);
        if (s.initialTtls.length === 0) s.initialTtls = [initial];
        else if (s.initialTtls.length < 4 && !s.initialTtls.includes(initial)) s.initialTtls.push(initial);
      }
    }
    const d = this.host(ip.dst, ts);
    if (d) {
      d.recvPackets++;
      d.recvBytes += bytes;
    }
    // Most packets are between addresses no check can fault: skip building the checks' inputs.
    if (s && d && (s.suspectSource || d.suspectDestination)) {
      // The upper layer only decides for a source valid while a host learns its address.
      const upper = s.cls.initOnlySource ? upperLayer(p, ip.protocol) : undefined;
      const ttl = ip.kind === 'ipv4' ? ip.ttl : ip.hopLimit;
      const found = this.found;
      collectViolations(found, s.cls, d.cls, ttl, upper);
      for (let i = 0; i < found.n; i++) {
        const id = found.ids[i] as AddrViolation;
        const v = this.violations.get(id);
        if (v) v.count++;
        else
          this.violations.set(id, {
            id,
            count: 1,
            firstPacket: p.frame.index,
            example: `${s.addr} → ${d.addr} (ttl ${ttl})`,
          });
      }
    }
  }
}

function upperLayer(p: Packet, proto: number): UpperLayer {
  const t = p.tcp ?? p.udp;
  if (t) return { proto, srcPort: t.srcPort, dstPort: t.dstPort };
  const icmp = p.layers.find((l) => l.kind === 'icmp4' || l.kind === 'icmp6');
  return icmp && (icmp.kind === 'icmp4' || icmp.kind === 'icmp6')
    ? { proto, icmpType: icmp.type }
    : { proto };
}
