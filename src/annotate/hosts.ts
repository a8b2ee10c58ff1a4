/**
 * Hosts seen in a capture: every IP address with its address class, the MAC addresses it was seen
 * behind, packets and bytes each way, and the initial TTL family it sends with. Bounded.
 */
import { macToString } from '../core/addr.js';
import { toHex } from '../core/bytes.js';
import type { Packet } from '../decode/types.js';
import { ipTextOf } from '../flow/addr-text.js';
import { type AddressClass, classifyIp } from './classify.js';
import { shortTag } from './describe.js';
import type { LocalNets } from './local-nets.js';
import { classViolations, inferInitialTtl, type UpperLayer } from './violations.js';

export interface Host {
  readonly addr: string;
  readonly family: 4 | 6;
  readonly tag: string;
  readonly cls: AddressClass;
  sentPackets: number;
  sentBytes: number;
  recvPackets: number;
  recvBytes: number;
  /** Source MACs of frames it sent (at most 8 kept). */
  readonly macs: Set<string>;
  /** Initial TTL families (64, 128, 255, …) of what it sent. */
  readonly initialTtls: Set<number>;
  first: number;
  last: number;
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
  readonly hosts = new Map<string, Host>();
  readonly violations = new Map<string, Violation>();
  dropped = 0;

  constructor(
    private readonly local?: LocalNets,
    private readonly maxHosts = 100_000,
  ) {}

  private host(a: number | Uint8Array, ts: number): Host | undefined {
    const key = typeof a === 'number' ? String(a) : toHex(a);
    let h = this.hosts.get(key);
    if (!h) {
      if (this.hosts.size >= this.maxHosts) {
        this.dropped++;
        return undefined;
      }
      h = {
        addr: ipTextOf(a),
        family: typeof a === 'number' ? 4 : 6,
        tag: shortTag(a, this.local),
        cls: classifyIp(a),
        sentPackets: 0,
        sentBytes: 0,
        recvPackets: 0,
        recvBytes: 0,
        macs: new Set(),
        initialTtls: new Set(),
        first: ts,
        last: ts,
      };
      this.hosts.set(key, h);
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
      const eth = p.layers[0];
      if (eth?.kind === 'eth' && s.macs.size < MAX_MACS) s.macs.add(macToString(eth.src));
      const ttl = ip.kind === 'ipv4' ? ip.ttl : ip.hopLimit;
      if (s.initialTtls.size < 4) s.initialTtls.add(inferInitialTtl(ttl));
    }
    const d = this.host(ip.dst, ts);
    if (d) {
      d.recvPackets++;
      d.recvBytes += bytes;
    }
    if (s && d) {
      const t = p.tcp ?? p.udp;
      const icmp = p.layers.find((l) => l.kind === 'icmp4' || l.kind === 'icmp6');
      const upper: UpperLayer = t
        ? { proto: ip.protocol, srcPort: t.srcPort, dstPort: t.dstPort }
        : icmp && (icmp.kind === 'icmp4' || icmp.kind === 'icmp6')
          ? { proto: ip.protocol, icmpType: icmp.type }
          : { proto: ip.protocol };
      const ttl = ip.kind === 'ipv4' ? ip.ttl : ip.hopLimit;
      for (const id of classViolations(s.cls, d.cls, ttl, upper)) {
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
