/**
 * Hosts seen in a capture: every IP address with its address class, the MAC addresses it was seen
 * behind, packets and bytes each way, and the initial TTL family it sends with. Bounded.
 */
import type { Mac } from '../core/addr.js';
import type { Packet } from '../decode/types.js';
import { AddrIndex } from '../flow/addr-table.js';
import { ipTextOf } from '../flow/addr-text.js';
import { countPacket, heaviestRows, RowStore } from '../flow/rows.js';
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

/** A host as reported. */
export interface Host {
  readonly addr: string;
  readonly family: 4 | 6;
  readonly tag: string;
  readonly cls: AddressClass;
  readonly sentPackets: number;
  readonly sentBytes: number;
  readonly recvPackets: number;
  readonly recvBytes: number;
  /** Source MACs of frames it sent, distinct, in order (at most 8 kept). */
  readonly macs: readonly Mac[];
  /** Initial TTL families (64, 128, 255, …) of what it sent, distinct, in order (at most 4). */
  readonly initialTtls: readonly number[];
  readonly first: number;
  readonly last: number;
}

const MAX_MACS = 8;
const MAX_TTLS = 4;

/** A registry violation seen in the capture (an address used where the IANA registry says it must not be). */
export interface Violation {
  readonly id: string;
  count: number;
  readonly firstPacket: number;
  readonly example: string;
}

/**
 * A host's doubles: its IPv4 address (NaN for IPv6), counters, first and last packet times, the
 * source MAC of its last frame (-1 before the first) and the first of its MACs.
 */
const D = {
  v4: 0,
  sentPackets: 1,
  sentBytes: 2,
  recvPackets: 3,
  recvBytes: 4,
  first: 5,
  last: 6,
  lastMac: 7,
  mac0: 8,
} as const;
const DOUBLES = 9;
/**
 * Its integers: the TTL of its last packet (-1 before the first), whether it can take part in a
 * registry violation (`canViolate`: bit 1 as a source, bit 2 as a destination), how many MACs and
 * initial TTL families it has, and those families, a byte each.
 */
const I = { lastTtl: 0, suspect: 1, macs: 2, ttls: 3, ttlBytes: 4 } as const;
const INTS = 5;
const SUSPECT_SOURCE = 1;
const SUSPECT_DESTINATION = 2;

/**
 * Every IP address seen, with its counters. A capture can hold a hundred thousand addresses, each
 * updated on every packet and kept to the end: a host is a row of numbers in a `RowStore` (not an
 * object with boxed numbers, texts and two lists), found by its address, with its class alongside;
 * the texts (address, tag) are made only for the hosts a report shows (`top`).
 */
export class HostTable {
  private readonly index = new AddrIndex();
  /** Rows are never released: an address's number in `index` is its row. */
  private readonly rows = new RowStore(DOUBLES, INTS);
  /** The address class of each row (shared objects of the registry). */
  private readonly classes: AddressClass[] = [];
  /** IPv6 addresses by row (an IPv4 address is in its row). */
  private readonly v6 = new Map<number, Uint8Array>();
  /** The second to eighth MACs of the rows that have them (most hosts have one). */
  private readonly moreMacs = new Map<number, Mac[]>();
  readonly violations = new Map<string, Violation>();
  /** Packets with an address not kept, because `maxHosts` addresses were kept already (not how many addresses). */
  untrackedPackets = 0;
  /** Violations of the packet in hand (one buffer for all packets). */
  private readonly found = new ViolationBuffer();

  constructor(
    private readonly local?: LocalNets,
    readonly maxHosts = 100_000,
  ) {}

  get size(): number {
    return this.index.size;
  }

  /** The row of an address (made on its first packet), its last time set to `ts`; -1 once the table is full. */
  private host(a: number | Uint8Array, ts: number): number {
    let row = this.index.indexOf(a);
    if (row < 0) {
      if (this.index.size >= this.maxHosts) return -1;
      row = this.index.add(a);
      const slot = this.rows.alloc();
      if (slot !== row) throw new Error(`host row ${slot} for address ${row}`);
      const cls = classifyIp(a);
      this.classes.push(cls);
      if (typeof a !== 'number') this.v6.set(row, a);
      const f = this.rows.f64Of(row);
      const d = this.rows.doublesAt(row);
      f[d + D.v4] = typeof a === 'number' ? a : Number.NaN;
      f[d + D.sentPackets] = 0;
      f[d + D.sentBytes] = 0;
      f[d + D.recvPackets] = 0;
      f[d + D.recvBytes] = 0;
      f[d + D.first] = ts;
      f[d + D.lastMac] = -1;
      f[d + D.mac0] = -1;
      const i = this.rows.i32Of(row);
      const n = this.rows.intsAt(row);
      i[n + I.lastTtl] = -1;
      i[n + I.suspect] =
        (canViolate(cls, true) ? SUSPECT_SOURCE : 0) | (canViolate(cls, false) ? SUSPECT_DESTINATION : 0);
      i[n + I.macs] = 0;
      i[n + I.ttls] = 0;
      i[n + I.ttlBytes] = 0;
    }
    this.rows.f64Of(row)[this.rows.doublesAt(row) + D.last] = ts;
    return row;
  }

  add(p: Packet): void {
    const ip = p.ip;
    if (!ip) return;
    const ts = p.frame.ts;
    const bytes = p.frame.origlen;
    const rows = this.rows;
    const s = this.host(ip.src, ts);
    if (s >= 0) {
      const f = rows.f64Of(s);
      const d = rows.doublesAt(s);
      countPacket(f, d + D.sentPackets, bytes);
      // A value seen last time is in its list already, or was left out of a full one (lists only grow).
      const eth = p.layers[0];
      if (eth?.kind === 'eth' && eth.src !== f[d + D.lastMac]) {
        f[d + D.lastMac] = eth.src;
        this.addMac(s, eth.src);
      }
      const ttl = ip.kind === 'ipv4' ? ip.ttl : ip.hopLimit;
      const i = rows.i32Of(s);
      const n = rows.intsAt(s);
      if (ttl !== i[n + I.lastTtl]) {
        i[n + I.lastTtl] = ttl;
        addTtl(i, n, inferInitialTtl(ttl));
      }
    }
    const r = this.host(ip.dst, ts);
    if (r >= 0) countPacket(rows.f64Of(r), rows.doublesAt(r) + D.recvPackets, bytes);
    if (s < 0 || r < 0) this.untrackedPackets++;
    // Most packets are between addresses no check can fault: skip building the checks' inputs.
    if (
      s >= 0 &&
      r >= 0 &&
      ((this.suspect(s) & SUSPECT_SOURCE) !== 0 || (this.suspect(r) & SUSPECT_DESTINATION) !== 0)
    ) {
      const sCls = this.classes[s] as AddressClass;
      // The upper layer only decides for a source valid while a host learns its address.
      const upper = sCls.initOnlySource ? upperLayer(p, ip.protocol) : undefined;
      const ttl = ip.kind === 'ipv4' ? ip.ttl : ip.hopLimit;
      const found = this.found;
      collectViolations(found, sCls, this.classes[r] as AddressClass, ttl, upper);
      for (let k = 0; k < found.n; k++) {
        const id = found.ids[k] as AddrViolation;
        const v = this.violations.get(id);
        if (v) v.count++;
        else
          this.violations.set(id, {
            id,
            count: 1,
            firstPacket: p.frame.index,
            example: `${ipTextOf(ip.src)} → ${ipTextOf(ip.dst)} (ttl ${ttl})`,
          });
      }
    }
  }

  private suspect(row: number): number {
    return this.rows.i32Of(row)[this.rows.intsAt(row) + I.suspect] as number;
  }

  /** A MAC not its last one: added to its list when new and the list is not full. */
  private addMac(row: number, mac: Mac): void {
    const i = this.rows.i32Of(row);
    const n = this.rows.intsAt(row) + I.macs;
    const count = i[n] as number;
    if (count === 0) {
      this.rows.f64Of(row)[this.rows.doublesAt(row) + D.mac0] = mac;
      i[n] = 1;
      return;
    }
    if (count >= MAX_MACS) return;
    const macs = this.macsOf(row);
    if (macs.includes(mac)) return;
    const more = this.moreMacs.get(row);
    if (more) more.push(mac);
    else this.moreMacs.set(row, [mac]);
    i[n] = count + 1;
  }

  private macsOf(row: number): Mac[] {
    const count = this.rows.i32Of(row)[this.rows.intsAt(row) + I.macs] as number;
    if (count === 0) return [];
    const first = this.rows.f64Of(row)[this.rows.doublesAt(row) + D.mac0] as number;
    return [first, ...(this.moreMacs.get(row) ?? [])];
  }

  /** The `n` hosts with the most bytes sent and received, most first (ties in the order first seen). */
  top(n: number): Host[] {
    const rows = this.rows;
    const bytes = (row: number): number => {
      const f = rows.f64Of(row);
      const d = rows.doublesAt(row);
      return (f[d + D.sentBytes] as number) + (f[d + D.recvBytes] as number);
    };
    return heaviestRows(this.size, n, bytes).map((row) => this.hostAt(row));
  }

  private hostAt(row: number): Host {
    const f = this.rows.f64Of(row);
    const d = this.rows.doublesAt(row);
    const i = this.rows.i32Of(row);
    const n = this.rows.intsAt(row);
    const a = this.v6.get(row) ?? (f[d + D.v4] as number);
    const ttls: number[] = [];
    for (let k = 0; k < (i[n + I.ttls] as number); k++)
      ttls.push(((i[n + I.ttlBytes] as number) >>> (8 * k)) & 0xff);
    return {
      addr: ipTextOf(a),
      family: typeof a === 'number' ? 4 : 6,
      tag: shortTag(a, this.local),
      cls: this.classes[row] as AddressClass,
      sentPackets: f[d + D.sentPackets] as number,
      sentBytes: f[d + D.sentBytes] as number,
      recvPackets: f[d + D.recvPackets] as number,
      recvBytes: f[d + D.recvBytes] as number,
      macs: this.macsOf(row),
      initialTtls: ttls,
      first: f[d + D.first] as number,
      last: f[d + D.last] as number,
    };
  }
}

/** An initial TTL family added to a row's list (a byte each) when new and the list is not full. */
function addTtl(i: Int32Array, n: number, initial: number): void {
  const count = i[n + I.ttls] as number;
  if (count >= MAX_TTLS) return;
  const packed = i[n + I.ttlBytes] as number;
  for (let k = 0; k < count; k++) if (((packed >>> (8 * k)) & 0xff) === initial) return;
  i[n + I.ttlBytes] = packed | (initial << (8 * count));
  i[n + I.ttls] = count + 1;
}

function upperLayer(p: Packet, proto: number): UpperLayer {
  const t = p.tcp ?? p.udp;
  if (t) return { proto, srcPort: t.srcPort, dstPort: t.dstPort };
  const icmp = p.layers.find((l) => l.kind === 'icmp4' || l.kind === 'icmp6');
  return icmp && (icmp.kind === 'icmp4' || icmp.kind === 'icmp6')
    ? { proto, icmpType: icmp.type }
    : { proto };
}
