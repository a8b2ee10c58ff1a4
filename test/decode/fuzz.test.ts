/**
 * Fuzz: every frame of every capture under fixtures/, mutated with a fixed seed (random bit flips,
 * truncation at random points, random bytes, and targeted corruption of the length and chain fields
 * of each layer found in the original: IPv4 IHL and total length, IPv6 payload length and the
 * next-header chain, UDP length, TCP data offset and option lengths, DNS counts and compression
 * pointers, VLAN and EtherType chains, ARP address lengths), set to 0, the maximum or a random value.
 *
 * For every mutated packet: decodeFrame does not throw, and since it catches internally, no packet
 * carries a `decoder-bug` anomaly (that would be an escaped exception); exactly one status; every
 * anomaly offset in [-1, caplen]; every layer's header inside the frame (see checkPacket).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame } from '../../src/capture/types.js';
import { toHex } from '../../src/core/bytes.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import type { Layer, Packet } from '../../src/decode/types.js';
import { allLayers, checkPacket, type FixtureFrame, fixtureFrames } from './helpers.js';

/** Fixed seed and count; FUZZ_SEED / FUZZ_N override them for a longer exploratory run. */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_d3c0);
const MUTATIONS = Number(process.env.FUZZ_N ?? 20_000);

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

/** A field worth corrupting: where, how wide (1 = byte, 2 = 16 bits, 4 = high nibble, 0.5 = low nibble). */
interface Field {
  readonly what: string;
  readonly at: number;
  readonly width: 0.5 | 1 | 2 | 4;
  /** Values that make the field say something interesting (chain to another header, ...). */
  readonly special?: readonly number[];
}

const TPIDS = [0x8100, 0x88a8, 0x9100, 0x0800, 0x86dd, 0x0806, 0x0026];
const NEXT_HEADERS = [0, 43, 44, 50, 51, 59, 60, 135, 6, 17, 58, 4, 41];

/** Length and chain fields of the layers decoded from the original frame. */
function fieldsOf(layers: readonly Layer[]): Field[] {
  const out: Field[] = [];
  for (const l of allLayers(layers)) {
    const o = l.offset;
    switch (l.kind) {
      case 'eth':
        out.push({ what: 'eth.type', at: o + 12, width: 2, special: TPIDS });
        break;
      case 'vlan':
        out.push({ what: 'vlan.type', at: o + 2, width: 2, special: TPIDS });
        break;
      case 'llc':
        out.push({ what: 'llc.dsap', at: o, width: 1, special: [0xaa] });
        break;
      case 'sll':
        out.push(
          { what: 'sll.addrlen', at: o + 4, width: 2 },
          { what: 'sll.proto', at: o + 14, width: 2, special: TPIDS },
        );
        break;
      case 'sll2':
        out.push(
          { what: 'sll2.proto', at: o, width: 2, special: TPIDS },
          { what: 'sll2.addrlen', at: o + 11, width: 1 },
        );
        break;
      case 'null':
        out.push({ what: 'null.family', at: o, width: 1, special: [2, 10, 24, 28, 30] });
        break;
      case 'arp':
        out.push({ what: 'arp.hlen', at: o + 4, width: 1 }, { what: 'arp.plen', at: o + 5, width: 1 });
        break;
      case 'ipv4':
        out.push(
          { what: 'ipv4.ihl', at: o, width: 0.5, special: [0, 4, 5, 6, 15] },
          { what: 'ipv4.total-length', at: o + 2, width: 2, special: [0, 20, l.headerLength, 1501] },
          { what: 'ipv4.frag', at: o + 6, width: 2, special: [0x2000, 0x0001, 0x3fff] },
          { what: 'ipv4.protocol', at: o + 9, width: 1, special: [1, 4, 6, 17, 41, 58] },
        );
        for (const opt of l.options)
          if (opt.length > 1) out.push({ what: 'ipv4.option-length', at: opt.offset + 1, width: 1 });
        break;
      case 'ipv6':
        out.push(
          { what: 'ipv6.payload-length', at: o + 4, width: 2, special: [0, 8, 1461] },
          { what: 'ipv6.next-header', at: o + 6, width: 1, special: NEXT_HEADERS },
        );
        for (const e of l.extensions) {
          out.push({ what: 'ipv6.ext-next', at: e.offset, width: 1, special: NEXT_HEADERS });
          if (e.kind !== 'esp') out.push({ what: 'ipv6.ext-length', at: e.offset + 1, width: 1 });
        }
        break;
      case 'icmp4':
      case 'icmp6':
        out.push({
          what: `${l.kind}.type`,
          at: o,
          width: 1,
          special: [1, 2, 3, 4, 5, 11, 12, 128, 135, 136, 137],
        });
        break;
      case 'tcp':
        if (l.headerLength >= 13)
          out.push({ what: 'tcp.data-offset', at: o + 12, width: 4, special: [0, 4, 5, 15] });
        for (const opt of l.options) {
          out.push({
            what: 'tcp.option-kind',
            at: opt.offset,
            width: 1,
            special: [0, 1, 2, 3, 4, 5, 8, 19, 29, 30, 34, 254],
          });
          if (opt.kind !== 'nop' && opt.kind !== 'eol')
            out.push({ what: 'tcp.option-length', at: opt.offset + 1, width: 1 });
        }
        break;
      case 'udp':
        if (l.headerLength >= 6) out.push({ what: 'udp.length', at: o + 4, width: 2, special: [0, 7, 8, 9] });
        break;
      case 'dns':
        for (let c = 0; c < 4; c++)
          out.push({ what: 'dns.count', at: o + 4 + 2 * c, width: 2, special: [0, 1, 64, 65] });
        // Bytes of the questions and records, to be turned into pointers, bad label types, long labels.
        for (let i = o + 12; i < o + l.headerLength; i += 7)
          out.push({ what: 'dns.name-byte', at: i, width: 1, special: [0xc0, 0xff, 0x40, 0x80, 0x3f] });
        break;
      case 'undecoded':
        break;
    }
  }
  return out;
}

interface Original {
  readonly file: string;
  readonly frame: Frame;
  readonly fields: readonly Field[];
  /** DNS compression pointers in the original: [offset of the pointer, offset of its message]. */
  readonly pointers: readonly (readonly [number, number])[];
}

function dnsPointers(frame: Frame, layers: readonly Layer[]): [number, number][] {
  const out: [number, number][] = [];
  for (const l of allLayers(layers)) {
    if (l.kind !== 'dns') continue;
    for (let i = l.offset + 12; i + 1 < l.offset + l.headerLength; i++)
      if (((frame.data[i] as number) & 0xc0) === 0xc0) out.push([i, l.offset]);
  }
  return out;
}

function setField(d: Uint8Array, f: Field, v: number): void {
  if (f.at < 0 || f.at >= d.length) return;
  switch (f.width) {
    case 0.5:
      d[f.at] = ((d[f.at] as number) & 0xf0) | (v & 0x0f);
      break;
    case 4:
      d[f.at] = ((d[f.at] as number) & 0x0f) | ((v & 0x0f) << 4);
      break;
    case 1:
      d[f.at] = v & 0xff;
      break;
    case 2:
      d[f.at] = (v >>> 8) & 0xff;
      if (f.at + 1 < d.length) d[f.at + 1] = v & 0xff;
      break;
  }
}

function maxOf(f: Field): number {
  return f.width === 2 ? 0xffff : f.width === 1 ? 0xff : 0x0f;
}

/** A broken invariant on one mutated packet. */
interface Violation {
  readonly what: string;
  readonly message: string;
  readonly packet: Packet | undefined;
}

/**
 * Decoder bugs this fuzz finds that are reported and not fixed yet: recognised by shape, counted
 * separately (and asserted in a todo test) so the main test still fails on anything new.
 */
const KNOWN_BUGS: readonly { readonly id: string; readonly matches: (v: Violation) => boolean }[] = [];

const found: { mutated: number; unknown: Violation[]; known: Map<string, Violation[]> } = {
  mutated: 0,
  unknown: [],
  known: new Map(),
};

test(`fuzz: ${MUTATIONS} mutated fixture frames never throw and keep every invariant`, (t) => {
  const started = performance.now();
  const rand = prng(SEED);
  const int = (n: number) => Math.floor(rand() * n);
  const originals: Original[] = fixtureFrames().map(({ file, frame }: FixtureFrame) => {
    const p = decodeFrame(frame);
    return { file, frame, fields: fieldsOf(p.layers), pointers: dnsPointers(frame, p.layers) };
  });
  assert.ok(originals.length > 1000, `only ${originals.length} fixture frames`);
  // Pick a capture first, then a frame in it: the 2000-frame scans do not drown the rare protocols.
  const byFile = new Map<string, Original[]>();
  for (const o of originals) byFile.set(o.file, [...(byFile.get(o.file) ?? []), o]);
  const files = [...byFile.values()];

  const kinds: Record<string, number> = {};
  let mutated = 0;
  let emptied = 0;
  for (let n = 0; n < MUTATIONS; n++) {
    const inFile = files[int(files.length)] as Original[];
    const o = inFile[int(inFile.length)] as Original;
    let data = o.frame.data.slice();
    let origlen = o.frame.origlen;
    let how: string;
    const r = rand();
    if (data.length === 0) {
      how = 'empty frame';
      emptied++;
    } else if (r < 0.2) {
      const flips = 1 + int(8);
      for (let i = 0; i < flips; i++) {
        const at = int(data.length);
        data[at] = (data[at] as number) ^ (1 << int(8));
      }
      how = `${flips} bit flips`;
    } else if (r < 0.35) {
      const cut = int(data.length);
      data = data.slice(0, cut);
      // Either the snap length cut it (origlen kept) or the packet itself is short.
      origlen = rand() < 0.5 ? Math.max(origlen, cut) : cut;
      how = `cut at ${cut}${origlen > cut ? ' (snap)' : ''}`;
    } else if (r < 0.45) {
      const count = 1 + int(16);
      for (let i = 0; i < count; i++) data[int(data.length)] = int(256);
      how = `${count} random bytes`;
    } else if (r < 0.5 && o.pointers.length > 0) {
      const [at, msg] = o.pointers[int(o.pointers.length)] as readonly [number, number];
      const choice = int(5);
      // A pointer to itself, just past itself, to the end of the range, to the header, or anywhere.
      const target =
        choice === 0
          ? at - msg
          : choice === 1
            ? at - msg + 2
            : choice === 2
              ? 0x3fff
              : choice === 3
                ? int(12)
                : int(0x4000);
      data[at] = 0xc0 | ((target >> 8) & 0x3f);
      if (at + 1 < data.length) data[at + 1] = target & 0xff;
      how = `dns pointer at ${at} → ${target}`;
    } else if (o.fields.length > 0) {
      const f = o.fields[int(o.fields.length)] as Field;
      const choice = int(4);
      const v =
        choice === 0
          ? 0
          : choice === 1
            ? maxOf(f)
            : choice === 2 && f.special
              ? (f.special[int(f.special.length)] as number)
              : int(maxOf(f) + 1);
      setField(data, f, v);
      // Sometimes two fields at once (a chain and a length, say).
      if (rand() < 0.25) {
        const g = o.fields[int(o.fields.length)] as Field;
        setField(data, g, int(maxOf(g) + 1));
      }
      how = `${f.what} = ${v}`;
      kinds[f.what] = (kinds[f.what] ?? 0) + 1;
    } else {
      data[int(data.length)] = int(256);
      how = '1 random byte';
    }
    const frame: Frame = { ...o.frame, data, caplen: data.length, origlen: Math.max(origlen, data.length) };
    const what = `${o.file} #${o.frame.index}, ${how}: ${toHex(data, 0, Math.min(data.length, 96))}`;
    let v: Violation | undefined;
    let p: Packet | undefined;
    try {
      p = decodeFrame(frame);
      const bug = p.anomalies.find((a) => a.id === 'decoder-bug');
      if (bug) v = { what, message: `escaped exception: ${bug.detail ?? ''}`, packet: p };
      else checkPacket(p, what);
    } catch (e) {
      v = { what, message: p ? String(e) : `decodeFrame threw: ${String(e)}`, packet: p };
    }
    if (v) {
      const violation = v;
      const known = KNOWN_BUGS.find((k) => k.matches(violation));
      if (known) found.known.set(known.id, [...(found.known.get(known.id) ?? []), violation]);
      else found.unknown.push(violation);
    }
    mutated++;
  }
  const ms = performance.now() - started;
  found.mutated = mutated;
  assert.equal(mutated, MUTATIONS);
  t.diagnostic(
    `${mutated} mutated packets from ${originals.length} fixture frames in ${(ms / 1000).toFixed(2)} s (seed 0x${SEED.toString(16)})`,
  );
  t.diagnostic(
    `targeted fields: ${Object.entries(kinds)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  if (emptied > 0) t.diagnostic(`${emptied} empty frames`);
  for (const [id, vs] of found.known) t.diagnostic(`known decoder bug, ${vs.length} packets: ${id}`);
  assert.deepEqual(
    found.unknown.slice(0, 5).map((v) => `${v.message}\n    on ${v.what}`),
    [],
    `${found.unknown.length} packets broke an invariant`,
  );
});

test('fuzz: the known decoder bugs no longer show', () => {
  assert.ok(found.mutated > 0, 'the fuzz test did not run');
  assert.deepEqual(
    [...found.known].map(([id, vs]) => `${id}: ${vs.length} packets, e.g. ${vs[0]?.what}`),
    [],
  );
});
