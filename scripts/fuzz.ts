/**
 * `npm run fuzz`: hostile input through the whole pipeline, bounded in time and iterations, with a
 * fixed seed (a small PRNG of our own: the same seed and options give the same inputs).
 *
 *   node --expose-gc dist/scripts/fuzz.js --iterations 1000000 --seconds 1800 --seed 0x5eed
 *
 * Two kinds of input, interleaved:
 *
 * - **Mutated files.** Every capture under fixtures/ (pcap, pcapng, gzip), cut to a window of its
 *   first records and mutated at file level: truncation at every offset of the first records (a
 *   systematic sweep) and at random; pcap and pcapng header fields (magic, version, snap length,
 *   link type, byte-order magic, block types and lengths, trailers, interface ids, captured and
 *   original lengths, timestamp resolution and options); random bytes in the headers; bit flips;
 *   records spliced, dropped and repeated; garbage between records; gzip wrapping, cut and corrupt.
 *   Each file goes through `readCaptureBuffer` → `decodeFrame` → a fresh flow `Session` with the HTTP
 *   analyser (reassembly included), as the CLI commands run it. One file in four is also parsed
 *   pushed in random-sized chunks, which must give exactly the same frames and problems.
 *
 * - **Mutated packets** into one long-lived session (renewed every epoch): fixture frames with bit
 *   flips, random bytes, truncation (by the snap length or not), and their length and chain fields
 *   (IPv4 IHL and total length, IPv6 payload length and next-header chain, UDP length, TCP data
 *   offset, option kinds and lengths, DNS counts and name bytes, VLAN/EtherType chains, ARP address
 *   lengths, ICMP types) set to 0, the maximum, ±1 or interesting values; and crafted traffic inside
 *   valid TCP streams with correct checksums: HTTP requests with 1 MB of headers, chunked bodies with
 *   endless chunk-size lines or chunk extensions, huge or endless chunk sizes, thousands of
 *   pipelined requests, TCP flag storms, odd TCP options; VLAN chains of up to 300 tags; IPv6
 *   extension-header chains of up to 200 headers; IP-in-IP nesting; DNS compression loops (self,
 *   mutual, long backward chains) over UDP and TCP; ICMP errors quoting garbage. A few packets of
 *   every stream are mutated too, and timestamps sometimes jump back or far ahead.
 *
 * Checked on every packet: no exception escapes decoding, flow tracking or HTTP (a `decoder-bug`
 * anomaly counts as one); the packet has exactly one status (decoded, truncated, malformed,
 * unsupported), the one its anomalies imply; anomaly offsets and layers lie inside the frame. A
 * sample of packets is rendered as `read`, `read -v`, `read -x` and `read --json` print them, and
 * HTTP transactions and connection records as JSON and table rows: nothing throws, JSON parses, and
 * no raw control character reaches the output. Per file: the CaptureResult accounts for everything
 * (frames delivered = frames counted, problems delivered = problems listed, at most one fatal
 * problem and then bytes skipped, pcap byte arithmetic exact, pcapng block alignment). Per session:
 * never more connections than the limit, and after `finish()` no connection and no reassembly byte
 * left reserved. Memory: RSS and heap are sampled and must stay under a budget; with --expose-gc the
 * heap retained after each epoch must not grow.
 *
 * Prints: mutated files, packets (by origin), packets/s, peak RSS and heap, statuses, file problems,
 * mutation counts, and every violation (first ones in full). Exit code 1 when anything broke.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { HttpAnalyzer, type HttpRecord } from '../src/app/http/analyzer.js';
import { CaptureProblemId } from '../src/capture/problems.js';
import { detectFormat, openCaptureParser, readCaptureBuffer } from '../src/capture/source.js';
import type { CaptureProblem, CaptureResult, CaptureSink, Frame } from '../src/capture/types.js';
import { withHttp } from '../src/cli/http.js';
import { toHex, u16be, u16le, u32be, u32le } from '../src/core/bytes.js';
import { ExitCode, isUserError } from '../src/core/errors.js';
import { finish, pseudoSum4, sumWords } from '../src/decode/checksum.js';
import { decodeFrame, statusOf } from '../src/decode/pipeline.js';
import type { Layer, Packet, PacketStatus } from '../src/decode/types.js';
import { RelativeSeqTracker } from '../src/flow/relseq.js';
import { DEFAULT_SESSION, Session, type SessionOptions } from '../src/flow/session.js';
import { connRowsInUse } from '../src/flow/tcp/conn-rows.js';
import { ReassemblyBudget } from '../src/flow/tcp/reassembly.js';
import { connectionExtras } from '../src/report/conn-extras.js';
import { renderConnsTable, tcpRecord, udpRecord } from '../src/report/conns.js';
import { httpJson, renderHttpTable } from '../src/report/http.js';
import { packetHex } from '../src/report/packet-hex.js';
import { packetJsonLine } from '../src/report/packet-json.js';
import { packetLine } from '../src/report/packet-line.js';
import { packetTree } from '../src/report/packet-tree.js';
import { makeStyle } from '../src/report/style.js';
import { TagCache } from '../src/report/tag-cache.js';

// ─── options and results ────────────────────────────────────────────────────────────────────────

export interface FuzzOptions {
  /** Stop after this many fuzzed packets (from mutated files, mutated packets and crafted streams). */
  readonly iterations: number;
  /** Stop after this many seconds, whichever comes first. */
  readonly seconds: number;
  readonly seed: number;
  /** Fail (and stop) when the resident set exceeds this many MiB. */
  readonly rssBudgetMiB: number;
  /** Fail (and stop) when the V8 heap in use exceeds this many MiB. */
  readonly heapBudgetMiB: number;
  /** Render one packet in N through the `read` views (0: never). */
  readonly renderEvery: number;
  /** Directory of the corpus (every capture under it is used). */
  readonly fixtures: string;
  /** Packets per packet-level session before it is finished and replaced. */
  readonly epochPackets: number;
  /** Called with a progress line now and then. */
  readonly progress?: ((line: string) => void) | undefined;
  /** runFuzzGuarded: an input that keeps the pipeline busy this long without progress is a hang. */
  readonly hangSeconds: number;
  /** runFuzzGuarded: write the input of every hang here (for a reproduction). */
  readonly saveDir?: string | undefined;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DEFAULT_FUZZ_OPTIONS: FuzzOptions = {
  iterations: 100_000,
  seconds: 60,
  seed: 0x5eed_f022,
  rssBudgetMiB: 1536,
  heapBudgetMiB: 768,
  renderEvery: 8,
  fixtures: join(ROOT, 'fixtures'),
  epochPackets: 25_000,
  hangSeconds: 20,
};

export type ViolationKind =
  | 'exception'
  | 'decoder-bug'
  | 'status'
  | 'bounds'
  | 'accounting'
  | 'chunking'
  | 'render'
  | 'limit'
  | 'leak'
  | 'hang'
  | 'memory';

export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  /** What was fed: the mutation, and the bytes (hex, first 128) of the packet or file. */
  readonly input: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly seconds: number;
  readonly stoppedBy: 'iterations' | 'time' | 'memory' | 'violations' | 'hang';
  /** Every packet that went through the pipeline. */
  readonly packets: number;
  readonly fromMutatedFiles: number;
  /** Fixture frames and stream packets with their bytes mutated. */
  readonly mutatedPackets: number;
  /** Valid-framed packets of crafted hostile streams (1 MB headers, endless chunks, loops, chains). */
  readonly craftedPackets: number;
  readonly mutatedFiles: number;
  /** Files refused as a whole (not a capture, empty, corrupt gzip: exit code 3 in the CLI). */
  readonly rejectedFiles: number;
  /** Files whose reading stopped at a fatal problem. */
  readonly fatalFiles: number;
  readonly chunkedComparisons: number;
  readonly bytesSkipped: number;
  readonly statuses: Record<PacketStatus, number>;
  readonly fileProblems: Record<string, number>;
  readonly anomalies: Record<string, number>;
  /** Anomaly ids on TCP connections (flow, reassembly; once per connection) and on HTTP transactions. */
  readonly connectionAnomalies: Record<string, number>;
  readonly mutations: Record<string, number>;
  readonly rendered: number;
  readonly connections: number;
  readonly evicted: number;
  readonly expired: number;
  readonly httpTransactions: number;
  readonly peakRssMiB: number;
  readonly peakHeapMiB: number;
  /** Heap in use after a full GC at the end of each epoch (only with --expose-gc). */
  readonly retainedHeapMiB: readonly number[];
  readonly packetsPerSecond: number;
  readonly violationCount: number;
  /** The first violations, in full. */
  readonly violations: readonly Violation[];
}

// ─── PRNG ───────────────────────────────────────────────────────────────────────────────────────

/**
 * A 32-bit counter-based generator: a Weyl sequence (odd increment) put through an
 * xorshift-multiply finaliser. Plenty for fuzzing; the same seed gives the same stream.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ Math.floor(seed / 0x100000000)) >>> 0;
  }

  u32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.u32() / 0x100000000) * n);
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)] as T;
  }

  /** Small numbers more often than large ones: uniform in [0, 2^k) for k uniform in [0, bits]. */
  small(bits: number): number {
    return this.below(2 ** this.int(0, bits));
  }
}

// ─── byte helpers ───────────────────────────────────────────────────────────────────────────────

function put16(b: Uint8Array, o: number, v: number, le = false): void {
  if (o < 0 || o + 2 > b.length) return;
  if (le) {
    b[o] = v & 0xff;
    b[o + 1] = (v >>> 8) & 0xff;
  } else {
    b[o] = (v >>> 8) & 0xff;
    b[o + 1] = v & 0xff;
  }
}

function put32(b: Uint8Array, o: number, v: number, le = false): void {
  if (o < 0 || o + 4 > b.length) return;
  if (le) {
    b[o] = v & 0xff;
    b[o + 1] = (v >>> 8) & 0xff;
    b[o + 2] = (v >>> 16) & 0xff;
    b[o + 3] = (v >>> 24) & 0xff;
  } else {
    b[o] = (v >>> 24) & 0xff;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
  }
}

function get32(b: Uint8Array, o: number, le: boolean): number {
  return le ? u32le(b, o) : u32be(b, o);
}

function get16(b: Uint8Array, o: number, le: boolean): number {
  return le ? u16le(b, o) : u16be(b, o);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

function hexOf(d: Uint8Array, max = 128): string {
  return `${toHex(d, 0, Math.min(d.length, max))}${d.length > max ? `… (${d.length} bytes)` : ''}`;
}

// ─── the corpus ─────────────────────────────────────────────────────────────────────────────────

/** A file header, record header + data (pcap) or block (pcapng), as found in an original capture. */
interface Unit {
  readonly offset: number;
  readonly length: number;
  /** -1 pcap file header, 0 pcap record, otherwise the pcapng block type. */
  readonly type: number;
  /** Byte order of the section the unit is in. */
  readonly le: boolean;
}

interface CorpusFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly format: 'pcap' | 'pcapng' | 'gzip';
  /** The first units (up to MAX_UNITS). */
  readonly units: readonly Unit[];
}

const MAX_UNITS = 64;
const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2;
const SPB = 3;
const NRB = 4;
const ISB = 5;
const EPB = 6;

/** Walk the first units of a pcap or pcapng file (our own walk: it trusts nothing it cannot check). */
function unitsOf(b: Uint8Array, format: 'pcap' | 'pcapng'): Unit[] {
  const out: Unit[] = [];
  if (format === 'pcap') {
    if (b.length < 24) return out;
    const magic = u32be(b, 0);
    const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
    out.push({ offset: 0, length: 24, type: -1, le });
    let o = 24;
    while (o + 16 <= b.length && out.length < MAX_UNITS) {
      const len = 16 + get32(b, o + 8, le);
      if (o + len > b.length) break;
      out.push({ offset: o, length: len, type: 0, le });
      o += len;
    }
    return out;
  }
  let o = 0;
  let le = true;
  while (o + 12 <= b.length && out.length < MAX_UNITS) {
    const type = get32(b, o, le);
    if (u32be(b, o) === SHB && o + 12 <= b.length) le = u32be(b, o + 8) === 0x4d3c2b1a;
    const len = get32(b, o + 4, le);
    if (len < 12 || len % 4 !== 0 || o + len > b.length) break;
    out.push({ offset: o, length: len, type: u32be(b, o) === SHB ? SHB : type, le });
    o += len;
  }
  return out;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

function loadCorpus(dir: string): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (const path of listFiles(dir)) {
    const bytes = new Uint8Array(readFileSync(path));
    const format = detectFormat(bytes);
    if (format === undefined) continue;
    const name = relative(dirname(dir), path);
    out.push({ name, bytes, format, units: format === 'gzip' ? [] : unitsOf(bytes, format) });
  }
  return out;
}

interface Original {
  readonly file: string;
  readonly frame: Frame;
  readonly fields: readonly Field[];
}

/** Every frame of the corpus (copied), decoded once to find the fields worth corrupting. */
function corpusFrames(corpus: readonly CorpusFile[]): Original[] {
  const out: Original[] = [];
  for (const f of corpus) {
    try {
      readCaptureBuffer(
        f.bytes,
        {
          frame(fr) {
            const frame = { ...fr, data: fr.data.slice() };
            out.push({ file: f.name, frame, fields: fieldsOf(decodeFrame(frame).layers, frame.data.length) });
          },
          problem() {},
        },
        f.name,
      );
    } catch {
      // A corpus file that is not readable as a whole is still used at file level.
    }
  }
  return out;
}

// ─── packet fields ──────────────────────────────────────────────────────────────────────────────

/** A field of a decoded frame: where, how wide, and values that make it say something interesting. */
interface Field {
  readonly what: string;
  readonly at: number;
  /** 1 or 2 bytes, or 'hi'/'lo' for a nibble. */
  readonly width: 1 | 2 | 'hi' | 'lo';
  readonly special: readonly number[];
}

const TPIDS = [0x8100, 0x88a8, 0x9100, 0x0800, 0x86dd, 0x0806, 0x8035, 0x05dc, 0x0600, 0];
const NEXT_HEADERS = [0, 4, 6, 17, 41, 43, 44, 50, 51, 58, 59, 60, 135, 139, 140, 253, 255];
const TCP_KINDS = [0, 1, 2, 3, 4, 5, 8, 19, 27, 28, 29, 30, 34, 253, 254, 255];

function allLayers(layers: readonly Layer[]): Layer[] {
  const out: Layer[] = [];
  for (const l of layers) {
    out.push(l);
    if ((l.kind === 'icmp4' || l.kind === 'icmp6') && l.quoted)
      for (const q of allLayers(l.quoted)) out.push(q);
  }
  return out;
}

function fieldsOf(layers: readonly Layer[], caplen: number): Field[] {
  const out: Field[] = [];
  const add = (what: string, at: number, width: Field['width'], special: readonly number[] = []) => {
    if (at >= 0 && at < caplen) out.push({ what, at, width, special });
  };
  for (const l of allLayers(layers)) {
    const o = l.offset;
    switch (l.kind) {
      case 'eth':
        add('eth.type', o + 12, 2, TPIDS);
        break;
      case 'vlan':
        add('vlan.type', o + 2, 2, TPIDS);
        break;
      case 'llc':
        add('llc.dsap', o, 1, [0xaa, 0x42, 0xff]);
        break;
      case 'sll':
        add('sll.addrlen', o + 4, 2, [0, 6, 8, 9, 0xffff]);
        add('sll.proto', o + 14, 2, TPIDS);
        break;
      case 'sll2':
        add('sll2.proto', o, 2, TPIDS);
        add('sll2.addrlen', o + 11, 1, [0, 6, 8, 9, 0xff]);
        break;
      case 'null':
        add('null.family', o, 1, [2, 10, 24, 28, 30]);
        break;
      case 'arp':
        add('arp.hlen', o + 4, 1, [0, 6, 14, 0xff]);
        add('arp.plen', o + 5, 1, [0, 4, 16, 0xff]);
        add('arp.op', o + 6, 2, [1, 2, 3, 4, 8]);
        break;
      case 'ipv4':
        add('ipv4.version', o, 'hi', [0, 4, 6, 15]);
        add('ipv4.ihl', o, 'lo', [0, 4, 5, 6, 15]);
        add('ipv4.total-length', o + 2, 2, [0, 1, 19, 20, l.headerLength, l.totalLength + 1, 1501, 65535]);
        add('ipv4.frag', o + 6, 2, [0x2000, 0x0001, 0x1fff, 0x3fff, 0x8000]);
        add('ipv4.protocol', o + 9, 1, [1, 4, 6, 17, 41, 58, 0]);
        for (const opt of l.options)
          if (opt.length > 1) add('ipv4.option-length', opt.offset + 1, 1, [0, 1, 2, 40]);
        break;
      case 'ipv6':
        add('ipv6.version', o, 'hi', [0, 4, 6, 15]);
        add('ipv6.payload-length', o + 4, 2, [0, 1, 8, 40, 1461, 65535]);
        add('ipv6.next-header', o + 6, 1, NEXT_HEADERS);
        for (const e of l.extensions) {
          add('ipv6.ext-next', e.offset, 1, NEXT_HEADERS);
          if (e.kind !== 'esp') add('ipv6.ext-length', e.offset + 1, 1, [0, 1, 0xff]);
        }
        break;
      case 'icmp4':
      case 'icmp6':
        add(`${l.kind}.type`, o, 1, [0, 1, 2, 3, 4, 5, 8, 11, 12, 128, 129, 133, 134, 135, 136, 137]);
        add(`${l.kind}.code`, o + 1, 1, [0, 1, 4, 0xff]);
        break;
      case 'tcp':
        add('tcp.data-offset', o + 12, 'hi', [0, 4, 5, 6, 15]);
        add('tcp.flags', o + 13, 1, [0, 0x02, 0x12, 0x04, 0x01, 0x03, 0x3f, 0xff]);
        add('tcp.urgent', o + 18, 2, [0, 1, 0xffff]);
        for (const opt of l.options) {
          add('tcp.option-kind', opt.offset, 1, TCP_KINDS);
          if (opt.kind !== 'nop' && opt.kind !== 'eol')
            add('tcp.option-length', opt.offset + 1, 1, [0, 1, 2, 3, 40, 0xff]);
        }
        break;
      case 'udp':
        add('udp.length', o + 4, 2, [0, 1, 7, 8, 9, 65535]);
        break;
      case 'dns':
        for (let c = 0; c < 4; c++) add('dns.count', o + 4 + 2 * c, 2, [0, 1, 64, 65535]);
        for (let i = o + 12; i < o + l.headerLength; i += 5)
          add('dns.name-byte', i, 1, [0xc0, 0xc1, 0xff, 0x40, 0x80, 0x3f, 0]);
        break;
      case 'undecoded':
        break;
    }
  }
  return out;
}

function fieldMax(f: Field): number {
  return f.width === 2 ? 0xffff : f.width === 1 ? 0xff : 0x0f;
}

function fieldGet(d: Uint8Array, f: Field): number {
  const b = d[f.at] ?? 0;
  switch (f.width) {
    case 'hi':
      return b >> 4;
    case 'lo':
      return b & 0x0f;
    case 1:
      return b;
    case 2:
      return (b << 8) | (d[f.at + 1] ?? 0);
  }
}

function fieldSet(d: Uint8Array, f: Field, v: number): void {
  if (f.at >= d.length) return;
  const b = d[f.at] as number;
  switch (f.width) {
    case 'hi':
      d[f.at] = (b & 0x0f) | ((v & 0x0f) << 4);
      break;
    case 'lo':
      d[f.at] = (b & 0xf0) | (v & 0x0f);
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

/** A value for a field: 0, the maximum, ±1 of the current value, an interesting one, or random. */
function fieldValue(rng: Rng, d: Uint8Array, f: Field): { v: number; how: string } {
  const max = fieldMax(f);
  switch (rng.below(6)) {
    case 0:
      return { v: 0, how: '0' };
    case 1:
      return { v: max, how: 'max' };
    case 2:
      return { v: (fieldGet(d, f) + 1) & max, how: '+1' };
    case 3:
      return { v: (fieldGet(d, f) - 1) & max, how: '-1' };
    case 4:
      if (f.special.length > 0) {
        const v = rng.pick(f.special) & max;
        return { v, how: String(v) };
      }
      return { v: rng.below(max + 1), how: 'random' };
    default:
      return { v: rng.below(max + 1), how: 'random' };
  }
}

// ─── frame builders (correct checksums) ─────────────────────────────────────────────────────────

const MAC_CLIENT = [0x02, 0x00, 0x5e, 0x00, 0x00, 0x01];
const MAC_SERVER = [0x02, 0x00, 0x5e, 0x00, 0x00, 0x02];

function ether(type: number, payload: Uint8Array, toServer = true, tags: readonly number[] = []): Uint8Array {
  const d = new Uint8Array(14 + 4 * tags.length + payload.length);
  d.set(toServer ? MAC_SERVER : MAC_CLIENT, 0);
  d.set(toServer ? MAC_CLIENT : MAC_SERVER, 6);
  let o = 12;
  for (let i = 0; i < tags.length; i++) {
    put16(d, o, tags[i] as number);
    put16(d, o + 2, (i * 37 + 1) & 0x0fff);
    o += 4;
  }
  put16(d, o, type);
  d.set(payload, o + 2);
  return d;
}

let ipId = 1;

function ipv4(
  proto: number,
  payload: Uint8Array,
  src: number,
  dst: number,
  options: readonly number[] = [],
): Uint8Array {
  const optLen = (options.length + 3) & ~3;
  const hl = 20 + optLen;
  const d = new Uint8Array(hl + payload.length);
  d[0] = 0x40 | (hl >> 2);
  put16(d, 2, Math.min(0xffff, d.length));
  put16(d, 4, ipId++ & 0xffff);
  d[6] = 0x40;
  d[8] = 64;
  d[9] = proto;
  put32(d, 12, src);
  put32(d, 16, dst);
  d.set(options, 20);
  put16(d, 10, finish(sumWords(d, 0, hl)));
  d.set(payload, hl);
  return d;
}

function v6addr(last: number): Uint8Array {
  const a = new Uint8Array(16);
  a.set([0x20, 0x01, 0x0d, 0xb8]);
  put32(a, 12, last);
  return a;
}

/** Pseudo-header sum of IPv6 (addresses, length, next header). */
function pseudo6(src: Uint8Array, dst: Uint8Array, proto: number, length: number): number {
  return (
    sumWords(src, 0, 16, sumWords(dst, 0, 16)) + Math.floor(length / 0x10000) + (length & 0xffff) + proto
  );
}

function ipv6(nh: number, payload: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const d = new Uint8Array(40 + payload.length);
  d[0] = 0x60;
  put16(d, 4, Math.min(0xffff, payload.length));
  d[6] = nh;
  d[7] = 64;
  d.set(src, 8);
  d.set(dst, 24);
  d.set(payload, 40);
  return d;
}

interface Endpoints {
  readonly v6: boolean;
  readonly src4: number;
  readonly dst4: number;
  readonly src6: Uint8Array;
  readonly dst6: Uint8Array;
}

/** A TCP segment inside IP inside Ethernet, checksums correct. */
function tcpFrame(
  e: Endpoints,
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
  payload: Uint8Array,
  options: readonly number[] = [],
  toServer = true,
  win = 65535,
): Uint8Array {
  const optLen = (options.length + 3) & ~3;
  const hl = 20 + optLen;
  const t = new Uint8Array(hl + payload.length);
  put16(t, 0, sport);
  put16(t, 2, dport);
  put32(t, 4, seq >>> 0);
  put32(t, 8, ack >>> 0);
  t[12] = (hl >> 2) << 4;
  t[13] = flags & 0xff;
  put16(t, 14, win);
  t.set(options, 20);
  t.set(payload, hl);
  const ps = e.v6 ? pseudo6(e.src6, e.dst6, 6, t.length) : pseudoSum4(e.src4, e.dst4, 6, t.length);
  put16(t, 16, finish(sumWords(t, 0, t.length, ps)));
  return e.v6
    ? ether(0x86dd, ipv6(6, t, e.src6, e.dst6), toServer)
    : ether(0x0800, ipv4(6, t, e.src4, e.dst4), toServer);
}

function udpFrame(e: Endpoints, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const u = new Uint8Array(8 + payload.length);
  put16(u, 0, sport);
  put16(u, 2, dport);
  put16(u, 4, Math.min(0xffff, u.length));
  u.set(payload, 8);
  const ps = e.v6 ? pseudo6(e.src6, e.dst6, 17, u.length) : pseudoSum4(e.src4, e.dst4, 17, u.length);
  put16(u, 6, finish(sumWords(u, 0, u.length, ps)) || 0xffff);
  return e.v6 ? ether(0x86dd, ipv6(17, u, e.src6, e.dst6)) : ether(0x0800, ipv4(17, u, e.src4, e.dst4));
}

function reversed(e: Endpoints): Endpoints {
  return { v6: e.v6, src4: e.dst4, dst4: e.src4, src6: e.dst6, dst6: e.src6 };
}

// ─── crafted streams ────────────────────────────────────────────────────────────────────────────

/** Link-layer bytes of one packet a crafted source produced (Ethernet unless `linkType` says so). */
interface Crafted {
  readonly data: Uint8Array;
  readonly linkType?: number;
  readonly origlen?: number;
}

type Source = { readonly kind: string; readonly it: Iterator<Crafted> };

const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
const MSS = 1460;

let streamNo = 0;

/** A fresh 4-tuple (v4 or v6) for a crafted connection. */
function endpoints(rng: Rng): { e: Endpoints; cport: number; sport: number } {
  const n = ++streamNo;
  return {
    e: {
      v6: rng.chance(0.2),
      src4: (0x0a000000 + (n & 0xffff) * 4 + 1) >>> 0,
      dst4: 0xc0000201 + (n % 8),
      src6: v6addr(0x1000 + n),
      dst6: v6addr(0x80 + (n % 8)),
    },
    cport: 1024 + (n % 60000),
    sport: rng.pick([80, 8080, 3128, 80, 5000 + (n % 1000)]),
  };
}

/**
 * One TCP connection, scripted: handshake, client and server data in MSS segments (each answered
 * by a bare ACK now and then), close. Sequence numbers are tracked so every segment is in order.
 */
class Conn {
  cseq: number;
  sseq: number;
  constructor(
    readonly rng: Rng,
    readonly e: Endpoints,
    readonly cport: number,
    readonly sport: number,
  ) {
    // ISNs near the wrap now and then.
    this.cseq = rng.chance(0.2) ? 0xffffffff - rng.below(4000) : rng.u32();
    this.sseq = rng.chance(0.2) ? 0xffffffff - rng.below(4000) : rng.u32();
  }

  c(flags: number, payload: Uint8Array = EMPTY, options: readonly number[] = []): Crafted {
    const f = tcpFrame(this.e, this.cport, this.sport, this.cseq, this.sseq, flags, payload, options, true);
    this.cseq = (this.cseq + payload.length + (flags & (F.SYN | F.FIN) ? 1 : 0)) >>> 0;
    return { data: f };
  }

  s(flags: number, payload: Uint8Array = EMPTY, options: readonly number[] = []): Crafted {
    const f = tcpFrame(
      reversed(this.e),
      this.sport,
      this.cport,
      this.sseq,
      this.cseq,
      flags,
      payload,
      options,
      false,
    );
    this.sseq = (this.sseq + payload.length + (flags & (F.SYN | F.FIN) ? 1 : 0)) >>> 0;
    return { data: f };
  }

  *open(): Generator<Crafted> {
    yield this.c(F.SYN, EMPTY, [2, 4, 5, 0xb4, 4, 2, 1, 3, 3, 7]);
    yield this.s(F.SYN | F.ACK, EMPTY, [2, 4, 5, 0xb4, 4, 2, 1, 3, 3, 7]);
    yield this.c(F.ACK);
  }

  /** `bytes` from the client (or server), in segments of at most MSS, the peer ACKing every other one. */
  *send(fromClient: boolean, bytes: Uint8Array): Generator<Crafted> {
    let n = 0;
    for (let o = 0; o < bytes.length; o += MSS) {
      const seg = bytes.subarray(o, Math.min(bytes.length, o + MSS));
      yield fromClient ? this.c(F.PSH | F.ACK, seg) : this.s(F.PSH | F.ACK, seg);
      if (++n % 2 === 0) yield fromClient ? this.s(F.ACK) : this.c(F.ACK);
    }
  }

  /** Bytes made on the fly by `next` (called until it returns undefined), sent in MSS segments. */
  *stream(fromClient: boolean, next: () => Uint8Array | undefined): Generator<Crafted> {
    let pending: Uint8Array = new Uint8Array(0);
    for (;;) {
      while (pending.length < MSS) {
        const more = next();
        if (more === undefined) break;
        pending = concat([pending, more]);
      }
      if (pending.length === 0) return;
      const take = Math.min(MSS, pending.length);
      yield* this.send(fromClient, pending.subarray(0, take));
      pending = pending.slice(take);
    }
  }

  *close(): Generator<Crafted> {
    const how = this.rng.below(4);
    if (how === 0) {
      yield this.c(F.RST | F.ACK);
      return;
    }
    if (how === 1) return; // left open
    yield this.c(F.FIN | F.ACK);
    yield this.s(F.FIN | F.ACK);
    yield this.c(F.ACK);
  }
}

const EMPTY = new Uint8Array(0);

/** Repeat a string into `n` bytes. */
function filled(s: string, n: number): Uint8Array {
  const unit = ascii(s);
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += unit.length) out.set(unit.subarray(0, Math.min(unit.length, n - o)), o);
  return out;
}

const MiB = 1024 * 1024;

/** HTTP request with 1 MB of headers: one huge header, or thousands of small ones; sometimes no end. */
function* hugeHeaders(rng: Rng): Generator<Crafted> {
  const { e, cport, sport } = endpoints(rng);
  const c = new Conn(rng, e, cport, sport);
  yield* c.open();
  const size = rng.int(MiB / 4, MiB + 4096);
  const many = rng.chance(0.5);
  const body = many
    ? filled('X-Fuzz-Header: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n', size)
    : filled('a', size);
  const head = ascii(
    `${rng.pick(['GET', 'POST', 'PUT', 'BREW'])} /${'x'.repeat(rng.small(12))} HTTP/1.1\r\nHost: fuzz\r\n${many ? '' : 'X-Big: '}`,
  );
  const tail = ascii(rng.chance(0.7) ? '\r\n\r\n' : '');
  yield* c.send(true, concat([head, body, tail]));
  if (rng.chance(0.5))
    yield* c.send(false, ascii('HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n'));
  yield* c.close();
}

/** A response whose chunked body never ends: endless chunk-size line, endless extension, huge or endless chunks. */
function* endlessChunks(rng: Rng): Generator<Crafted> {
  const { e, cport, sport } = endpoints(rng);
  const c = new Conn(rng, e, cport, sport);
  yield* c.open();
  yield* c.send(true, ascii('GET /stream HTTP/1.1\r\nHost: fuzz\r\n\r\n'));
  yield* c.send(false, ascii('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'));
  const budget = rng.int(64 * 1024, 2 * MiB);
  let sent = 0;
  const variant = rng.below(5);
  const next = (): Uint8Array | undefined => {
    if (sent >= budget) return undefined;
    let b: Uint8Array;
    switch (variant) {
      case 0: // a chunk-size line that never ends
        b = filled('f', 4096);
        break;
      case 1: // a chunk extension that never ends
        b = sent === 0 ? ascii('10;ext=') : filled('v', 4096);
        break;
      case 2: // a chunk size far beyond any capture, then data forever
        b = sent === 0 ? ascii('7fffffffffffffffffff\r\n') : filled('d', 4096);
        break;
      case 3: // small chunks, forever
        b = filled('1\r\nX\r\n', 4096 - (4096 % 6));
        break;
      default: // chunk sizes with leading zeros and whitespace, forever
        b = filled('0000000000000000000000000000001 \r\nY\r\n', 4096);
        break;
    }
    sent += b.length;
    return b;
  };
  yield* c.stream(false, next);
  yield* c.close();
}

/** Thousands of pipelined requests on one connection, no response (or one at the end). */
function* pipelined(rng: Rng): Generator<Crafted> {
  const { e, cport, sport } = endpoints(rng);
  const c = new Conn(rng, e, cport, sport);
  yield* c.open();
  const n = rng.int(500, 20_000);
  let i = 0;
  yield* c.stream(true, () => (i++ < n ? ascii(`GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`) : undefined));
  if (rng.chance(0.5)) yield* c.send(false, ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  yield* c.close();
}

/** An ordinary HTTP exchange (keep-alive, content-length and chunked), for the mutations to bite into. */
function* plainHttp(rng: Rng): Generator<Crafted> {
  const { e, cport, sport } = endpoints(rng);
  const c = new Conn(rng, e, cport, sport);
  yield* c.open();
  for (let k = rng.int(1, 4); k > 0; k--) {
    yield* c.send(true, ascii(`GET /page${k} HTTP/1.1\r\nHost: example\r\nUser-Agent: fuzz\r\n\r\n`));
    const body = filled('<p>hello</p>', rng.int(0, 6000));
    yield* c.send(
      false,
      rng.chance(0.5)
        ? concat([ascii(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body])
        : concat([
            ascii(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`),
            body,
            ascii('\r\n0\r\n\r\n'),
          ]),
    );
  }
  yield* c.close();
}

/** Random flags, sequence and acknowledgement numbers on one 4-tuple: the state machine's worst day. */
function* flagStorm(rng: Rng): Generator<Crafted> {
  const { e, cport, sport } = endpoints(rng);
  const c = new Conn(rng, e, cport, sport);
  if (rng.chance(0.5)) yield* c.open();
  for (let i = rng.int(20, 400); i > 0; i--) {
    const flags = rng.chance(0.3)
      ? rng.below(0x100)
      : rng.pick([
          F.SYN,
          F.SYN | F.ACK,
          F.ACK,
          F.FIN | F.ACK,
          F.RST,
          F.RST | F.ACK,
          F.PSH | F.ACK,
          0,
          F.SYN | F.FIN,
        ]);
    const payload = rng.chance(0.3) ? filled('z', rng.small(11)) : EMPTY;
    const fromClient = rng.chance(0.5);
    if (rng.chance(0.3)) {
      // Sequence numbers anywhere: old, future, wrapped.
      if (fromClient) c.cseq = rng.chance(0.5) ? rng.u32() : (c.cseq + rng.int(-70000, 70000)) >>> 0;
      else c.sseq = rng.chance(0.5) ? rng.u32() : (c.sseq + rng.int(-70000, 70000)) >>> 0;
    }
    yield fromClient ? c.c(flags, payload) : c.s(flags, payload);
  }
}

/** SYNs and data with odd TCP options: lengths 0, 1, 2, 255; truncated SACK and timestamps; many NOPs; unknown kinds. */
function* tcpOptions(rng: Rng): Generator<Crafted> {
  const { e, cport, sport } = endpoints(rng);
  const c = new Conn(rng, e, cport, sport);
  for (let i = rng.int(3, 30); i > 0; i--) {
    const opts: number[] = [];
    while (opts.length < 40 && rng.chance(0.8)) {
      const kind = rng.pick(TCP_KINDS);
      if (kind === 0 || kind === 1) {
        opts.push(kind);
        continue;
      }
      const len = rng.chance(0.5) ? rng.pick([0, 1, 2, 3, 4, 6, 10, 18, 34, 40, 255]) : rng.int(0, 44);
      opts.push(kind, len);
      for (let k = 2; k < len && opts.length < 40; k++) opts.push(rng.below(256));
    }
    const flags = rng.pick([F.SYN, F.SYN | F.ACK, F.ACK, F.PSH | F.ACK]);
    yield rng.chance(0.5)
      ? c.c(flags, rng.chance(0.3) ? filled('q', 100) : EMPTY, opts.slice(0, 40))
      : c.s(flags, EMPTY, opts.slice(0, 40));
  }
}

/** Frames with long VLAN tag chains (802.1Q, 802.1ad, legacy 0x9100) before IPv4/TCP or UDP. */
function* vlanChains(rng: Rng): Generator<Crafted> {
  const { e, cport, sport } = endpoints(rng);
  for (let i = rng.int(1, 8); i > 0; i--) {
    const n = rng.chance(0.5) ? rng.int(1, 40) : rng.int(40, 300);
    const tags = Array.from({ length: n }, () => rng.pick([0x8100, 0x88a8, 0x9100]));
    const inner = rng.chance(0.5)
      ? ipv4(6, tcpFrame(e, cport, sport, rng.u32(), 0, F.SYN, EMPTY).subarray(34), e.src4, e.dst4)
      : ipv4(17, new Uint8Array(12), e.src4, e.dst4);
    let d = ether(rng.chance(0.9) ? 0x0800 : rng.pick(TPIDS), inner, true, tags);
    if (rng.chance(0.3)) d = d.slice(0, rng.below(d.length + 1));
    yield { data: d };
  }
}

/** IPv6 with long extension-header chains (hop-by-hop, destination, routing, fragment), lengths sometimes lying. */
function* ipv6Chains(rng: Rng): Generator<Crafted> {
  const { e, cport, sport } = endpoints(rng);
  for (let i = rng.int(1, 6); i > 0; i--) {
    const n = rng.chance(0.5) ? rng.int(1, 12) : rng.int(12, 200);
    const kinds = Array.from({ length: n }, (_, k) =>
      k === 0 && rng.chance(0.5) ? 0 : rng.pick([0, 43, 44, 60, 60, 135, 51]),
    );
    const upper = rng.pick([6, 17, 58, 59, 50, 41, 4]);
    const parts: Uint8Array[] = [];
    for (let k = 0; k < n; k++) {
      const nh = k + 1 < n ? (kinds[k + 1] as number) : upper;
      const kind = kinds[k] as number;
      let h: Uint8Array;
      if (kind === 44) {
        h = new Uint8Array(8);
        put16(h, 2, rng.below(0x10000));
        put32(h, 4, rng.u32());
      } else if (kind === 51) {
        h = new Uint8Array(rng.chance(0.9) ? 16 : 8);
        h[1] = rng.chance(0.9) ? (h.length >> 2) - 2 : rng.below(256);
      } else {
        const words = rng.chance(0.9) ? rng.below(3) : rng.below(256);
        h = new Uint8Array(8 + 8 * Math.min(words, 4));
        h[1] = words;
        if (kind === 43) {
          h[2] = rng.pick([0, 2, 3, 4]);
          h[3] = rng.below(4);
        } else {
          // PadN filling the options area, or a jumbo payload option now and then.
          if (rng.chance(0.1) && h.length >= 8) h.set([0xc2, 4, 0, 1, 0, 0], 2);
          else h.set([1, h.length - 4], 2);
        }
      }
      h[0] = nh;
      parts.push(h);
    }
    const tail =
      upper === 6
        ? tcpFrame(e, cport, sport, rng.u32(), 0, F.SYN, EMPTY).subarray(54)
        : upper === 17
          ? new Uint8Array(8)
          : new Uint8Array(rng.below(40));
    const payload = concat([...parts, tail]);
    const first = kinds[0] as number;
    let d = ether(0x86dd, ipv6(first, payload, e.src6, e.dst6));
    if (rng.chance(0.2)) put16(d, 18, rng.pick([0, 8, payload.length - 1, payload.length + 1, 0xffff]));
    if (rng.chance(0.2)) d = d.slice(0, rng.below(d.length + 1));
    yield { data: d };
  }
}

/** IPv4-in-IPv4 and IPv6-in-IPv4 nested deeper than any decoder should follow. */
function* tunnels(rng: Rng): Generator<Crafted> {
  const { e } = endpoints(rng);
  let inner: Uint8Array = new Uint8Array(8);
  let proto = 17;
  for (let k = rng.int(2, 80); k > 0; k--) {
    if (rng.chance(0.7) || inner.length + 40 > 60000) {
      inner = ipv4(proto, inner, e.src4, e.dst4);
      proto = 4;
    } else {
      inner = ipv6(proto === 4 ? 4 : proto, inner, e.src6, e.dst6);
      proto = 41;
    }
  }
  yield { data: ether(0x0800, ipv4(proto, inner, e.src4, e.dst4)) };
}

/** DNS names that loop: a pointer to itself, two pointers to each other, long backward chains, forward pointers, overlong names. */
function dnsMessage(rng: Rng): Uint8Array {
  const m: number[] = [];
  const push16 = (v: number) => m.push((v >>> 8) & 0xff, v & 0xff);
  push16(rng.below(0x10000));
  push16(rng.chance(0.5) ? 0x8180 : 0x0100);
  push16(rng.chance(0.8) ? 1 : rng.pick([0, 2, 0xffff]));
  push16(rng.chance(0.5) ? rng.pick([1, 5, 100, 0xffff]) : 0);
  push16(rng.chance(0.2) ? 0xffff : 0);
  push16(rng.chance(0.2) ? 0xffff : 0);
  const variant = rng.below(6);
  switch (variant) {
    case 0: // pointer to itself
      m.push(0xc0, m.length);
      break;
    case 1: {
      // two pointers to each other: name1 at 12 → 14, name2 at 14 → 12
      m.push(0xc0, 14, 0xc0, 12);
      break;
    }
    case 2: {
      // a label, then a long backward chain of pointers, each to the one before
      m.push(3, 0x61, 0x62, 0x63, 0);
      let prev = 12;
      for (let k = rng.int(10, 2000); k > 0 && m.length < 65000; k--) {
        const here = m.length;
        m.push(1, 0x78, 0xc0 | (prev >> 8), prev & 0xff);
        prev = here;
      }
      m.push(0xc0 | (prev >> 8), prev & 0xff);
      break;
    }
    case 3: // a forward pointer, past the end
      m.push(0xc0 | rng.below(0x40), rng.below(256));
      break;
    case 4: // labels of 63 bytes, many more than a 255-byte name allows
      for (let k = rng.int(4, 300); k > 0; k--) {
        m.push(63);
        for (let i = 0; i < 63; i++) m.push(0x61 + (i % 26));
      }
      m.push(0);
      break;
    default: // reserved label types and control bytes in labels
      m.push(rng.pick([0x40, 0x80, 0x41]), 5, 4, 0x1b, 0x5b, 0x32, 0x4a, 0);
      break;
  }
  push16(1);
  push16(1);
  // An answer whose name points back at the question, with a lying rdlength.
  m.push(0xc0, 12);
  push16(rng.pick([1, 5, 28, 16]));
  push16(1);
  m.push(0, 0, 0, 60);
  push16(rng.chance(0.5) ? 4 : 0xffff);
  m.push(0xc0, 12, 0, 0);
  return Uint8Array.from(m);
}

function* dnsLoops(rng: Rng): Generator<Crafted> {
  const { e, cport } = endpoints(rng);
  for (let i = rng.int(1, 6); i > 0; i--) {
    const msg = dnsMessage(rng);
    if (rng.chance(0.7)) {
      yield {
        data: udpFrame(e, cport, rng.pick([53, 5353, 5355]), msg.subarray(0, Math.min(msg.length, 65000))),
      };
    } else {
      // DNS over TCP: a length prefix, then the message (the prefix sometimes lies).
      const c = new Conn(rng, e, cport, 53);
      const body = msg.subarray(0, Math.min(msg.length, 60000));
      const prefixed = new Uint8Array(body.length + 2);
      put16(prefixed, 0, rng.chance(0.8) ? body.length : rng.below(0x10000));
      prefixed.set(body, 2);
      yield* c.open();
      yield* c.send(true, prefixed);
    }
  }
}

/** ICMP errors quoting garbage, truncated datagrams, and ICMP errors quoting ICMP errors. */
function* icmpQuotes(rng: Rng): Generator<Crafted> {
  const { e } = endpoints(rng);
  for (let i = rng.int(1, 6); i > 0; i--) {
    let quoted: Uint8Array;
    if (rng.chance(0.4)) {
      quoted = new Uint8Array(rng.below(80));
      for (let k = 0; k < quoted.length; k++) quoted[k] = rng.below(256);
      if (quoted.length > 0) quoted[0] = rng.pick([0x45, 0x4f, 0x60, 0x40, 0x46]);
    } else {
      const inner = new Uint8Array(8 + rng.below(30));
      inner[0] = rng.pick([3, 11, 12]);
      quoted = ipv4(1, inner, e.dst4, e.src4);
      if (rng.chance(0.5)) quoted = quoted.slice(0, rng.below(quoted.length + 1));
    }
    const icmp = new Uint8Array(8 + quoted.length);
    icmp[0] = rng.pick([3, 11, 12, 5, 4]);
    icmp[1] = rng.below(16);
    icmp.set(quoted, 8);
    put16(icmp, 2, finish(sumWords(icmp, 0, icmp.length)));
    yield { data: ether(0x0800, ipv4(1, icmp, e.src4, e.dst4)) };
  }
}

/** Raw, SLL, SLL2, null and loopback frames with random bytes after a valid start: the link decoders. */
function* otherLinks(rng: Rng): Generator<Crafted> {
  yield* otherLinksOf(rng, rng.pick([0, 12, 14, 101, 108, 113, 228, 229, 276, 105, 127, 147, 9999]));
}

function* otherLinksOf(rng: Rng, linkType: number): Generator<Crafted> {
  for (let i = rng.int(1, 8); i > 0; i--) {
    const d = new Uint8Array(rng.below(120));
    for (let k = 0; k < d.length; k++) d[k] = rng.below(256);
    if (
      d.length > 0 &&
      (linkType === 101 || linkType === 228 || linkType === 229 || linkType === 12 || linkType === 14)
    )
      d[0] = rng.pick([0x45, 0x60, 0x46, 0x4f]);
    yield { data: d, linkType, origlen: d.length + (rng.chance(0.3) ? rng.below(100) : 0) };
  }
}

const STREAMS: readonly {
  readonly kind: string;
  readonly weight: number;
  readonly make: (rng: Rng) => Iterator<Crafted>;
}[] = [
  { kind: 'http-huge-headers', weight: 1, make: hugeHeaders },
  { kind: 'http-endless-chunks', weight: 1, make: endlessChunks },
  { kind: 'http-pipelined', weight: 1, make: pipelined },
  { kind: 'http-plain', weight: 3, make: plainHttp },
  { kind: 'tcp-flag-storm', weight: 3, make: flagStorm },
  { kind: 'tcp-options', weight: 3, make: tcpOptions },
  { kind: 'vlan-chain', weight: 3, make: vlanChains },
  { kind: 'ipv6-ext-chain', weight: 3, make: ipv6Chains },
  { kind: 'ip-tunnels', weight: 2, make: tunnels },
  { kind: 'dns-loops', weight: 3, make: dnsLoops },
  { kind: 'icmp-quotes', weight: 2, make: icmpQuotes },
  { kind: 'other-links', weight: 2, make: otherLinks },
];

function newStream(rng: Rng): Source {
  let total = 0;
  for (const s of STREAMS) total += s.weight;
  let r = rng.below(total);
  for (const s of STREAMS) {
    r -= s.weight;
    if (r < 0) return { kind: s.kind, it: s.make(rng) };
  }
  const s = STREAMS[0] as (typeof STREAMS)[number];
  return { kind: s.kind, it: s.make(rng) };
}

// ─── packet mutations ───────────────────────────────────────────────────────────────────────────

interface Mutated {
  data: Uint8Array;
  origlen: number;
  how: string;
  /** Keep the original timestamp (time warp) instead of the fuzz clock. */
  keepTime: boolean;
  /** The values set, for a violation report. */
  detail?: string;
}

/** Mutate a copy of a frame's bytes: bit flips, random bytes, a field, a cut, a DNS pointer, a time warp. */
function mutatePacket(rng: Rng, data: Uint8Array, origlen: number, fields: readonly Field[]): Mutated {
  let d = data.slice();
  if (d.length === 0) return { data: d, origlen, how: 'empty', keepTime: false };
  const r = rng.below(100);
  if (r < 18) {
    const n = 1 + rng.small(3);
    for (let i = 0; i < n; i++) {
      const at = rng.below(d.length);
      d[at] = (d[at] as number) ^ (1 << rng.below(8));
    }
    return { data: d, origlen, how: 'bit-flips', keepTime: false };
  }
  if (r < 28) {
    const n = 1 + rng.small(4);
    for (let i = 0; i < n; i++) d[rng.below(d.length)] = rng.below(256);
    return { data: d, origlen, how: 'random-bytes', keepTime: false };
  }
  if (r < 40) {
    const cut = rng.below(d.length);
    d = d.slice(0, cut);
    const snap = rng.chance(0.5);
    return {
      data: d,
      origlen: snap ? Math.max(origlen, data.length) : cut,
      how: snap ? 'cut-by-snaplen' : 'cut-short',
      keepTime: false,
    };
  }
  if (r < 43) {
    return { data: d, origlen, how: 'time-warp', keepTime: true };
  }
  if (r < 46) {
    // A frame longer than it claims on the wire, or far shorter.
    return {
      data: d,
      origlen: rng.chance(0.5) ? 0 : rng.below(d.length + 1),
      how: 'origlen',
      keepTime: false,
    };
  }
  if (fields.length === 0) {
    d[rng.below(d.length)] = rng.below(256);
    return { data: d, origlen, how: 'random-bytes', keepTime: false };
  }
  const f = rng.pick(fields);
  const { v, how } = fieldValue(rng, d, f);
  fieldSet(d, f, v);
  let what = `${f.what}=${how}`;
  if (rng.chance(0.25)) {
    const g = rng.pick(fields);
    const x = fieldValue(rng, d, g);
    fieldSet(d, g, x.v);
    what += `+${g.what}=${x.how}`;
  }
  return { data: d, origlen, how: f.what, keepTime: false, detail: what };
}

// ─── file mutations ─────────────────────────────────────────────────────────────────────────────

const LINK_TYPES = [
  0, 1, 9, 12, 14, 101, 105, 108, 113, 127, 147, 182, 189, 220, 228, 229, 231, 249, 276, 0xffff, 65000,
];
const PCAP_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0xa1b2cd34, 0x0a0d0d0a, 0];
const BLOCK_TYPES = [SHB, IDB, PB, SPB, NRB, ISB, EPB, 9, 10, 0xbad, 0x40000bad, 0, 0xffffffff];

interface MutatedFile {
  readonly bytes: Uint8Array;
  readonly how: string;
}

/** The bytes of a file up to the end of unit `k` (the whole file when it is small and the dice say so). */
function windowOf(rng: Rng, f: CorpusFile): { bytes: Uint8Array; units: readonly Unit[] } {
  if (f.units.length === 0 || (f.bytes.length <= 64 * 1024 && rng.chance(0.2)))
    return { bytes: f.bytes.slice(), units: f.units };
  const k = rng.int(1, f.units.length);
  const units = f.units.slice(0, k);
  const last = units[units.length - 1] as Unit;
  return { bytes: f.bytes.slice(0, last.offset + last.length), units };
}

/** Offsets (from a block start) of the options of a pcapng block, and where its options start. */
function optionsStart(b: Uint8Array, u: Unit): number | undefined {
  const base = u.offset;
  switch (u.type) {
    case SHB:
      return base + 24;
    case IDB:
      return base + 16;
    case EPB:
    case PB: {
      const caplen = get32(b, base + 20, u.le);
      return base + 28 + ((caplen + 3) & ~3);
    }
    case ISB:
      return base + 16;
    default:
      return undefined;
  }
}

function optionHeaders(b: Uint8Array, u: Unit): number[] {
  const start = optionsStart(b, u);
  const out: number[] = [];
  if (start === undefined) return out;
  const end = u.offset + u.length - 4;
  let o = start;
  while (o + 4 <= end && out.length < 16) {
    out.push(o);
    const len = get16(b, o + 2, u.le);
    if (get16(b, o, u.le) === 0) break;
    o += 4 + ((len + 3) & ~3);
  }
  return out;
}

function mutateFile(rng: Rng, f: CorpusFile, sweep: Map<string, number>): MutatedFile {
  const { bytes, units } = windowOf(rng, f);
  const le = units[0]?.le ?? true;
  const op = rng.below(100);
  // Truncation at every offset of the first records, in order, one offset per visit.
  if (op < 22 && f.units.length > 0) {
    const firstRecords = f.units.slice(0, 4);
    const last = firstRecords[firstRecords.length - 1] as Unit;
    const end = Math.min(f.bytes.length, last.offset + last.length);
    const at = (sweep.get(f.name) ?? 0) % (end + 1);
    sweep.set(f.name, at + 1);
    return { bytes: f.bytes.slice(0, at), how: `truncate-sweep@${at}` };
  }
  if (op < 32) {
    const at = rng.below(bytes.length + 1);
    return { bytes: bytes.slice(0, at), how: 'truncate' };
  }
  if (op < 40) {
    const n = 1 + rng.small(4);
    for (let i = 0; i < n; i++) {
      const at = rng.below(bytes.length);
      bytes[at] = (bytes[at] as number) ^ (1 << rng.below(8));
    }
    return { bytes, how: 'bit-flips' };
  }
  if (op < 48) {
    // Random bytes inside the headers (file header, record and block headers) of the window.
    const headers: [number, number][] = units.map((u) => [
      u.offset,
      u.type === -1 ? 24 : u.type === 0 ? 16 : Math.min(u.length, 32),
    ]);
    const n = 1 + rng.small(3);
    for (let i = 0; i < n && headers.length > 0; i++) {
      const [o, len] = rng.pick(headers);
      bytes[o + rng.below(len)] = rng.below(256);
    }
    return { bytes, how: 'random-header-bytes' };
  }
  if (op < 54) {
    // Units dropped, repeated, swapped; garbage between them.
    if (units.length < 2) return { bytes, how: 'splice-none' };
    const parts = units.map((u) => bytes.subarray(u.offset, u.offset + u.length));
    const i = rng.int(1, parts.length - 1);
    const how = rng.below(4);
    if (how === 0) parts.splice(i, 1);
    else if (how === 1) parts.splice(i, 0, parts[i] as Uint8Array);
    else if (how === 2) {
      const j = rng.int(1, parts.length - 1);
      const t = parts[i] as Uint8Array;
      parts[i] = parts[j] as Uint8Array;
      parts[j] = t;
    } else {
      const g = new Uint8Array(1 + rng.small(6));
      for (let k = 0; k < g.length; k++) g[k] = rng.below(256);
      parts.splice(i, 0, g);
    }
    return {
      bytes: concat(parts),
      how: ['splice-drop', 'splice-repeat', 'splice-swap', 'splice-garbage'][how] as string,
    };
  }
  if (op < 60) {
    // gzip: whole, cut, or with a corrupt byte.
    let z = new Uint8Array(gzipSync(bytes));
    const how = rng.below(3);
    if (how === 1) z = z.slice(0, rng.below(z.length + 1));
    else if (how === 2 && z.length > 10) z[rng.int(10, z.length - 1)] = rng.below(256);
    return { bytes: z, how: ['gzip', 'gzip-cut', 'gzip-corrupt'][how] as string };
  }
  if (f.format === 'pcap' && units.length > 0) return mutatePcapFields(rng, bytes, units, le);
  if (f.format === 'pcapng' && units.length > 0) return mutatePcapngFields(rng, bytes, units);
  const at = rng.below(bytes.length);
  bytes[at] = rng.below(256);
  return { bytes, how: 'random-byte' };
}

function mutatePcapFields(rng: Rng, b: Uint8Array, units: readonly Unit[], le: boolean): MutatedFile {
  if (rng.chance(0.35) || units.length < 2) {
    switch (rng.below(6)) {
      case 0:
        put32(b, 0, rng.pick(PCAP_MAGICS));
        return { bytes: b, how: 'pcap.magic' };
      case 1:
        put16(b, 4, rng.pick([0, 1, 2, 3, 0xffff]), le);
        put16(b, 6, rng.pick([0, 4, 0xffff]), le);
        return { bytes: b, how: 'pcap.version' };
      case 2:
        put32(b, 16, rng.pick([0, 1, 14, 65535, 262144, 262145, 0x7fffffff, 0xffffffff]), le);
        return { bytes: b, how: 'pcap.snaplen' };
      case 3:
        put32(b, 20, rng.chance(0.7) ? rng.pick(LINK_TYPES) : rng.u32(), le);
        return { bytes: b, how: 'pcap.linktype' };
      case 4:
        put32(b, 8, rng.u32(), le);
        put32(b, 12, rng.u32(), le);
        return { bytes: b, how: 'pcap.thiszone-sigfigs' };
      default:
        // The other byte order: every field is then read swapped.
        put32(b, 0, le ? 0xa1b2c3d4 : 0xd4c3b2a1);
        return { bytes: b, how: 'pcap.byte-order' };
    }
  }
  const u = units[rng.int(1, units.length - 1)] as Unit;
  const o = u.offset;
  const caplen = u.length - 16;
  const origlen = get32(b, o + 12, le);
  switch (rng.below(5)) {
    case 0:
      put32(
        b,
        o + 8,
        rng.pick([
          0,
          1,
          caplen + 1,
          caplen - 1,
          origlen + 1,
          262144,
          262145,
          0x7fffffff,
          0xffffffff,
          rng.u32(),
        ]) >>> 0,
        le,
      );
      return { bytes: b, how: 'pcap.caplen' };
    case 1:
      put32(b, o + 12, rng.pick([0, 1, caplen - 1, 0xffffffff, rng.u32()]) >>> 0, le);
      return { bytes: b, how: 'pcap.origlen' };
    case 2:
      put32(b, o + 4, rng.pick([999999, 1000000, 999999999, 1000000000, 0xffffffff]), le);
      return { bytes: b, how: 'pcap.ts-frac' };
    case 3:
      put32(b, o, rng.pick([0, 0xffffffff, 0x7fffffff, rng.u32()]), le);
      return { bytes: b, how: 'pcap.ts-sec' };
    default:
      put32(b, o + 8, 0, le);
      put32(b, o + 12, 0, le);
      return { bytes: b, how: 'pcap.zero-lengths' };
  }
}

function mutatePcapngFields(rng: Rng, b: Uint8Array, units: readonly Unit[]): MutatedFile {
  const u = rng.pick(units);
  const o = u.offset;
  const le = u.le;
  const choice = rng.below(8);
  if (choice === 0) {
    put32(b, o, rng.pick(BLOCK_TYPES), le);
    return { bytes: b, how: 'pcapng.block-type' };
  }
  if (choice === 1) {
    const len = u.length;
    const v =
      rng.pick([
        0,
        4,
        8,
        11,
        12,
        len + 1,
        len + 2,
        len - 4,
        len + 4,
        16 * MiB,
        16 * MiB + 4,
        0x7ffffff0,
        0xfffffffc,
      ]) >>> 0;
    put32(b, o + 4, v, le);
    if (rng.chance(0.5)) put32(b, o + len - 4, v, le);
    return { bytes: b, how: 'pcapng.block-length' };
  }
  if (choice === 2) {
    put32(b, o + u.length - 4, rng.pick([0, u.length + 4, rng.u32()]) >>> 0, le);
    return { bytes: b, how: 'pcapng.trailer' };
  }
  if (choice === 3 && u.type === SHB) {
    switch (rng.below(3)) {
      case 0:
        put32(b, o + 8, rng.pick([0x1a2b3c4d, 0x4d3c2b1a, 0, rng.u32()]));
        return { bytes: b, how: 'pcapng.byte-order-magic' };
      case 1:
        put16(b, o + 12, rng.pick([0, 1, 2, 0xffff]), le);
        put16(b, o + 14, rng.pick([0, 2, 0xffff]), le);
        return { bytes: b, how: 'pcapng.version' };
      default:
        put32(b, o + 16, rng.u32(), le);
        put32(b, o + 20, rng.u32(), le);
        return { bytes: b, how: 'pcapng.section-length' };
    }
  }
  if (choice === 4 && u.type === IDB) {
    if (rng.chance(0.5)) put16(b, o + 8, rng.chance(0.7) ? rng.pick(LINK_TYPES) : rng.below(0x10000), le);
    else put32(b, o + 12, rng.pick([0, 1, 65535, 262144, 0xffffffff]), le);
    return { bytes: b, how: 'pcapng.idb' };
  }
  if (choice === 5 && (u.type === EPB || u.type === PB || u.type === SPB)) {
    if (u.type === SPB) {
      put32(b, o + 8, rng.pick([0, 1, u.length, 0xffffffff]), le);
      return { bytes: b, how: 'pcapng.spb-origlen' };
    }
    switch (rng.below(4)) {
      case 0:
        if (u.type === EPB) put32(b, o + 8, rng.pick([1, 2, 255, 0xffffffff]), le);
        else put16(b, o + 8, rng.pick([1, 255, 0xffff]), le);
        return { bytes: b, how: 'pcapng.interface-id' };
      case 1:
        put32(b, o + 20, rng.pick([0, 1, u.length, u.length - 28, u.length - 27, 0xffffffff]) >>> 0, le);
        return { bytes: b, how: 'pcapng.caplen' };
      case 2:
        put32(b, o + 24, rng.pick([0, 1, 0xffffffff]), le);
        return { bytes: b, how: 'pcapng.origlen' };
      default:
        put32(b, o + 12, rng.u32(), le);
        put32(b, o + 16, rng.u32(), le);
        return { bytes: b, how: 'pcapng.timestamp' };
    }
  }
  // An option: its code or length, or an if_tsresol / if_tsoffset value.
  const opts = optionHeaders(b, u);
  if (opts.length === 0) {
    put32(b, o + 4 + 4 * rng.below(Math.max(1, (u.length - 8) / 4)), rng.u32());
    return { bytes: b, how: 'pcapng.random-word' };
  }
  const at = rng.pick(opts);
  switch (rng.below(4)) {
    case 0:
      put16(b, at, rng.pick([0, 1, 2, 3, 9, 14, 0xffff, 2988, 2989]), le);
      return { bytes: b, how: 'pcapng.option-code' };
    case 1:
      put16(b, at + 2, rng.pick([0, 1, 3, 8, 0xfffc, 0xffff, rng.below(0x10000)]), le);
      return { bytes: b, how: 'pcapng.option-length' };
    case 2:
      if (u.type === IDB && at + 5 <= b.length) {
        put16(b, at, 9, le);
        put16(b, at + 2, 1, le);
        b[at + 4] = rng.pick([0, 6, 9, 19, 63, 64, 0x7f, 0x80, 0x8a, 0xbf, 0xff]);
        return { bytes: b, how: 'pcapng.if_tsresol' };
      }
      put16(b, at + 2, 0xffff, le);
      return { bytes: b, how: 'pcapng.option-length' };
    default:
      if (u.type === IDB && at + 12 <= b.length) {
        put16(b, at, 14, le);
        put16(b, at + 2, 8, le);
        put32(b, at + 4, rng.u32(), le);
        put32(b, at + 8, rng.u32(), le);
        return { bytes: b, how: 'pcapng.if_tsoffset' };
      }
      put16(b, at, rng.below(0x10000), le);
      return { bytes: b, how: 'pcapng.option-code' };
  }
}

// ─── checks ─────────────────────────────────────────────────────────────────────────────────────

const STATUSES: readonly PacketStatus[] = ['decoded', 'truncated', 'malformed', 'unsupported'];

/** Characters that must never reach a terminal (as test/cli/hostile.test.ts). */
export const DANGEROUS =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/u;

const PROBLEM_IDS = new Set<string>(Object.values(CaptureProblemId));

function errText(e: unknown): string {
  return e instanceof Error
    ? `${e.name}: ${e.message} ${(e.stack ?? '').split('\n').slice(1, 4).join(' | ')}`
    : String(e);
}

/** The invariants of one decoded packet; returns a violation or undefined. */
function checkPacket(p: Packet): { kind: ViolationKind; message: string } | undefined {
  const caplen = p.frame.data.length;
  for (const a of p.anomalies)
    if (a.id === 'decoder-bug')
      return { kind: 'decoder-bug', message: `escaped exception in a decoder: ${a.detail ?? ''}` };
  if (!STATUSES.includes(p.status)) return { kind: 'status', message: `status ${String(p.status)}` };
  if (p.status !== statusOf(p.anomalies))
    return { kind: 'status', message: `status ${p.status} but anomalies say ${statusOf(p.anomalies)}` };
  for (const a of p.anomalies)
    if (!Number.isInteger(a.offset) || a.offset < -1 || a.offset > caplen)
      return { kind: 'bounds', message: `anomaly ${a.id} at offset ${a.offset} of a ${caplen}-byte frame` };
  for (const l of allLayers(p.layers))
    if (!(l.offset >= 0 && l.headerLength >= 0 && l.offset + l.headerLength <= caplen))
      return {
        kind: 'bounds',
        message: `${l.kind} layer [${l.offset}, +${l.headerLength}) outside a ${caplen}-byte frame`,
      };
  if (!(p.payloadOffset >= 0 && p.payloadLength >= 0 && p.payloadOffset + p.payloadLength <= caplen))
    return {
      kind: 'bounds',
      message: `payload [${p.payloadOffset}, +${p.payloadLength}) outside a ${caplen}-byte frame`,
    };
  return undefined;
}

function firstDangerous(text: string): string | undefined {
  for (const line of text.split('\n')) if (DANGEROUS.test(line)) return line.slice(0, 200);
  return undefined;
}

// ─── the run ────────────────────────────────────────────────────────────────────────────────────

const MAX_KEPT_VIOLATIONS = 25;
/** Connection limits of the packet-level sessions, in turn: a small one evicts all the time. */
const EPOCH_LIMITS = [300, 3000, 30_000];
const MAX_VIOLATIONS = 500;

class Fuzzer {
  readonly rng: Rng;
  readonly started = performance.now();
  readonly style = makeStyle(false);
  readonly tags = new TagCache();
  rel = new RelativeSeqTracker(10_000);

  packets = 0;
  fromMutatedFiles = 0;
  mutatedPackets = 0;
  craftedPackets = 0;
  mutatedFiles = 0;
  rejectedFiles = 0;
  fatalFiles = 0;
  chunkedComparisons = 0;
  bytesSkipped = 0;
  rendered = 0;
  connections = 0;
  evicted = 0;
  expired = 0;
  httpTransactions = 0;
  peakRss = 0;
  peakHeap = 0;
  readonly retained: number[] = [];
  readonly statuses: Record<PacketStatus, number> = {
    decoded: 0,
    truncated: 0,
    malformed: 0,
    unsupported: 0,
  };
  readonly fileProblems = new Map<string, number>();
  readonly anomalies = new Map<string, number>();
  /** Anomaly ids on retired TCP connections (flow, reassembly; once per connection) and HTTP transactions. */
  readonly connAnomalies = new Map<string, number>();
  readonly mutations = new Map<string, number>();
  readonly violations: Violation[] = [];
  violationCount = 0;
  memoryExceeded = false;

  /** What the packet being processed is, for a violation report. */
  private current = '';
  private currentBytes: Uint8Array = EMPTY;

  constructor(
    readonly o: FuzzOptions,
    private readonly guard?: Guard,
  ) {
    this.rng = new Rng(o.seed);
  }

  /** Tell the watchdog (if any) what is about to be fed, and that we are alive. */
  mark(desc: string, bytes: Uint8Array): void {
    const g = this.guard;
    if (!g) return;
    const n = Math.min(bytes.length, g.bytes.length);
    g.bytes.set(bytes.subarray(0, n));
    const d = new TextEncoder().encodeInto(desc.slice(0, 400), g.desc);
    Atomics.store(g.state, GUARD_BYTES, n);
    Atomics.store(g.state, GUARD_DESC, d.written);
    Atomics.add(g.state, GUARD_BEAT, 1);
  }

  count(map: Map<string, number>, k: string, by = 1): void {
    map.set(k, (map.get(k) ?? 0) + by);
  }

  violation(
    kind: ViolationKind,
    message: string,
    input = `${this.current}: ${hexOf(this.currentBytes)}`,
  ): void {
    this.violationCount++;
    if (this.violations.length < MAX_KEPT_VIOLATIONS) this.violations.push({ kind, message, input });
  }

  get done(): boolean {
    return (
      this.packets >= this.o.iterations ||
      (performance.now() - this.started) / 1000 >= this.o.seconds ||
      this.memoryExceeded ||
      this.violationCount >= MAX_VIOLATIONS
    );
  }

  sampleMemory(): void {
    const m = process.memoryUsage();
    if (m.rss > this.peakRss) this.peakRss = m.rss;
    if (m.heapUsed > this.peakHeap) this.peakHeap = m.heapUsed;
    if (m.rss > this.o.rssBudgetMiB * MiB || m.heapUsed > this.o.heapBudgetMiB * MiB) {
      this.memoryExceeded = true;
      this.violation(
        'memory',
        `memory over budget after ${this.packets} packets: rss ${(m.rss / MiB).toFixed(0)} MiB (budget ${this.o.rssBudgetMiB}), heap ${(m.heapUsed / MiB).toFixed(0)} MiB (budget ${this.o.heapBudgetMiB})`,
        this.current,
      );
    }
  }

  /** A session as the `http`/`report` commands build it (withHttp), or the same with the reassembly budget in hand. */
  newSession(
    maxConnections: number,
    exposeBudget: boolean,
  ): { session: Session; budget: ReassemblyBudget | undefined; rows: number } {
    // Connections' rows go back as they are retired, as `report` has them: the fuzz checks all do.
    const base: SessionOptions = {
      ...DEFAULT_SESSION,
      maxConnections,
      maxUdpFlows: maxConnections,
      recycleEnded: true,
    };
    const rows = connRowsInUse();
    const onHttp = (r: HttpRecord) => this.onHttp(r);
    let budget: ReassemblyBudget | undefined;
    let opts: SessionOptions;
    if (exposeBudget) {
      // What withHttp does, keeping the shared budget to check it is all released at the end.
      const b = new ReassemblyBudget();
      budget = b;
      opts = { ...base, analyzers: (c) => [new HttpAnalyzer(c, b, onHttp)] };
    } else opts = withHttp(base, onHttp);
    const session = new Session(opts, {
      tcpEnd: (c) => {
        this.connections++;
        for (const id of new Set(c.anomalies.map((a) => a.id))) this.count(this.connAnomalies, id);
        if (this.rng.chance(0.02)) this.renderConn(() => tcpRecord(c, connectionExtras(c)));
      },
      udpEnd: (f) => {
        if (this.rng.chance(0.01)) this.renderConn(() => udpRecord(f));
      },
    });
    return { session, budget, rows };
  }

  renderConn(make: () => ReturnType<typeof tcpRecord>): void {
    try {
      const r = make();
      const json = JSON.stringify(r);
      JSON.parse(json);
      const bad = firstDangerous(json) ?? firstDangerous(renderConnsTable([r], this.style).join('\n'));
      if (bad !== undefined)
        this.violation('render', `raw control character in a connection record: ${JSON.stringify(bad)}`);
    } catch (e) {
      this.violation('exception', `rendering a connection: ${errText(e)}`);
    }
  }

  onHttp(r: HttpRecord): void {
    this.httpTransactions++;
    for (const a of r.tx.anomalies) this.count(this.connAnomalies, a.id);
    if (!this.rng.chance(0.05)) return;
    try {
      const row = httpJson(r, true);
      const json = JSON.stringify(row);
      JSON.parse(json);
      const bad =
        firstDangerous(json) ?? firstDangerous(renderHttpTable([row], 0, this.style, true).join('\n'));
      if (bad !== undefined)
        this.violation('render', `raw control character in an HTTP transaction: ${JSON.stringify(bad)}`);
    } catch (e) {
      this.violation('exception', `rendering an HTTP transaction: ${errText(e)}`);
    }
  }

  /** One packet through decode, checks, the session and (sometimes) the `read` views. */
  packet(frame: Frame, session: Session): PacketStatus | undefined {
    this.packets++;
    if (this.guard) {
      Atomics.add(this.guard.state, GUARD_BEAT, 1);
      Atomics.store(this.guard.state, GUARD_PACKETS, this.packets);
    }
    if ((this.packets & 4095) === 0) this.sampleMemory();
    let p: Packet;
    try {
      p = decodeFrame(frame);
    } catch (e) {
      this.violation('exception', `decodeFrame threw: ${errText(e)}`);
      return undefined;
    }
    const bad = checkPacket(p);
    if (bad) this.violation(bad.kind, bad.message);
    this.statuses[p.status]++;
    for (const a of p.anomalies) this.count(this.anomalies, a.id);
    try {
      session.process(p);
    } catch (e) {
      this.violation('exception', `flow session threw: ${errText(e)}`);
    }
    if (session.tcp.size > session.tcp.opts.maxConnections)
      this.violation(
        'limit',
        `${session.tcp.size} connections tracked, limit ${session.tcp.opts.maxConnections}`,
      );
    if (this.o.renderEvery > 0 && this.packets % this.o.renderEvery === 0) this.render(p);
    return p.status;
  }

  render(p: Packet): void {
    this.rendered++;
    try {
      const rel = p.tcp ? this.rel.relative(p) : undefined;
      const line = packetLine(p, {
        style: this.style,
        time: '0.000000',
        rel,
        numberWidth: 5,
        addrTag: this.tags.tag,
      });
      const tree = packetTree(p, this.style);
      const hex = packetHex(p, this.style);
      const json = packetJsonLine(p, rel ? { relSeq: rel.seq, relAck: rel.ack } : undefined);
      JSON.parse(json);
      for (const [what, text] of [
        ['read', line],
        ['read -v', tree],
        ['read -x', hex],
        ['read --json', json],
      ] as const) {
        if (what !== 'read -v' && what !== 'read -x' && text.includes('\n'))
          this.violation('render', `${what}: a line break inside one packet's line`);
        const bad = firstDangerous(text);
        if (bad !== undefined)
          this.violation('render', `${what}: raw control character in ${JSON.stringify(bad)}`);
      }
    } catch (e) {
      this.violation('exception', `rendering a packet (read views): ${errText(e)}`);
    }
  }

  /** `rows`: the connection rows in use when the session was made; all of its own must be back. */
  finishSession(session: Session, budget: ReassemblyBudget | undefined, rows: number, what: string): void {
    try {
      session.finish();
    } catch (e) {
      this.violation('exception', `session.finish threw: ${errText(e)}`, what);
    }
    this.evicted += session.tcp.evicted;
    this.expired += session.tcp.expired;
    if (session.tcp.size !== 0)
      this.violation('leak', `${session.tcp.size} connections still tracked after finish()`, what);
    if (budget && (budget.buffered !== 0 || budget.history !== 0))
      this.violation(
        'leak',
        `reassembly budget not released after finish(): ${budget.buffered} buffered, ${budget.history} history bytes`,
        what,
      );
    if (connRowsInUse() !== rows)
      this.violation('leak', `${connRowsInUse() - rows} connection rows not given back after finish()`, what);
  }

  // ── file level ──

  file(corpus: readonly CorpusFile[], sweep: Map<string, number>): void {
    const f = this.rng.pick(corpus);
    const m = mutateFile(this.rng, f, sweep);
    this.mutatedFiles++;
    this.mark(`mutated file ${f.name} (${m.how})`, m.bytes);
    this.count(this.mutations, `file:${m.how.replace(/@.*/, '')}`);
    const what = `${f.name} ${m.how}`;
    const { session, budget, rows } = this.newSession(1000, this.rng.chance(0.5));
    let frames = 0;
    let sumCaplen = 0;
    const delivered: CaptureProblem[] = [];
    const sigs: string[] = [];
    const sink: CaptureSink = {
      frame: (fr) => {
        frames++;
        sumCaplen += fr.caplen;
        if (fr.index !== frames)
          this.violation('accounting', `frame index ${fr.index}, expected ${frames}`, what);
        if (fr.data.length !== fr.caplen)
          this.violation('accounting', `frame data ${fr.data.length} bytes, caplen ${fr.caplen}`, what);
        if (!Number.isFinite(fr.ts) || fr.tsNsec < 0 || fr.tsNsec >= 1e9 || !Number.isInteger(fr.tsNsec))
          this.violation('accounting', `frame ${fr.index}: timestamp ${fr.tsSec} s + ${fr.tsNsec} ns`, what);
        if (sigs.length < 256) sigs.push(frameSig(fr));
        this.fromMutatedFiles++;
        this.current = `${what}, frame ${fr.index}`;
        this.currentBytes = fr.data;
        this.packet(fr, session);
      },
      problem: (p) => {
        delivered.push(p);
      },
    };
    let result: CaptureResult | undefined;
    try {
      result = readCaptureBuffer(m.bytes, sink, f.name);
    } catch (e) {
      if (isUserError(e) && e.exitCode === ExitCode.input && frames === 0) this.rejectedFiles++;
      else
        this.violation('exception', `readCaptureBuffer threw: ${errText(e)}`, `${what}: ${hexOf(m.bytes)}`);
    }
    this.finishSession(session, budget, rows, what);
    if (!result) return;
    this.checkResult(result, delivered, frames, sumCaplen, m.bytes, what);
    if (this.rng.chance(0.25)) this.compareChunked(m.bytes, result, sigs, what);
  }

  checkResult(
    r: CaptureResult,
    delivered: readonly CaptureProblem[],
    frames: number,
    sumCaplen: number,
    bytes: Uint8Array,
    what: string,
  ): void {
    const input = `${what}: ${hexOf(bytes)}`;
    const fail = (msg: string) => this.violation('accounting', msg, input);
    if (r.frames !== frames) fail(`result says ${r.frames} frames, ${frames} delivered`);
    if (r.problems.length !== delivered.length || r.problems.some((p, i) => p !== delivered[i]))
      fail(`result lists ${r.problems.length} problems, ${delivered.length} delivered`);
    const fatal = r.problems.filter((p) => p.fatal);
    if (fatal.length > 1) fail(`${fatal.length} fatal problems`);
    for (const p of r.problems) {
      this.count(this.fileProblems, p.id);
      if (!PROBLEM_IDS.has(p.id)) fail(`unknown problem id ${p.id}`);
      if (!(p.offset >= 0 && p.offset <= r.bytes))
        fail(`problem ${p.id} at offset ${p.offset} of ${r.bytes} bytes`);
      const bad = firstDangerous(p.message);
      if (bad !== undefined) fail(`raw control character in a problem message: ${JSON.stringify(bad)}`);
    }
    if (fatal.length > 0) this.fatalFiles++;
    this.bytesSkipped += r.bytesSkipped;
    if (!(r.bytesSkipped >= 0 && r.bytesSkipped <= r.bytes))
      fail(`${r.bytesSkipped} bytes skipped of ${r.bytes}`);
    if (fatal.length > 0 && r.bytesSkipped === 0) fail(`fatal ${fatal[0]?.id} but no byte skipped`);
    if (sumCaplen + r.bytesSkipped > r.bytes)
      fail(`${sumCaplen} frame bytes + ${r.bytesSkipped} skipped > ${r.bytes} read`);
    if (!r.info.compressed && r.bytes !== bytes.length) fail(`read ${r.bytes} of ${bytes.length} bytes`);
    if (r.info.format === 'pcap') {
      const header = r.info.version !== undefined ? 24 : 0;
      const expect = header + 16 * frames + sumCaplen + r.bytesSkipped;
      if (expect !== r.bytes)
        fail(
          `pcap: ${header} + 16 × ${frames} + ${sumCaplen} + ${r.bytesSkipped} skipped = ${expect}, not the ${r.bytes} bytes read`,
        );
    } else if (r.info.format === 'pcapng' && (r.bytes - r.bytesSkipped) % 4 !== 0) {
      fail(`pcapng: ${r.bytes} bytes read - ${r.bytesSkipped} skipped is not whole blocks`);
    }
  }

  /** The same bytes pushed in random-sized chunks must give the same frames and problems. */
  compareChunked(bytes: Uint8Array, whole: CaptureResult, sigs: readonly string[], what: string): void {
    if (whole.info.compressed || bytes.length < 4) return;
    this.chunkedComparisons++;
    const got: string[] = [];
    const problems: CaptureProblem[] = [];
    try {
      const parser = openCaptureParser(bytes, {
        frame: (fr) => {
          if (got.length < 256) got.push(frameSig(fr));
        },
        problem: (p) => problems.push(p),
      });
      const tiny = this.rng.chance(0.3);
      for (let o = 0; o < bytes.length; ) {
        const n = tiny ? 1 + this.rng.below(3) : 1 + this.rng.small(13);
        parser.push(bytes.subarray(o, Math.min(bytes.length, o + n)));
        o += n;
      }
      parser.end();
      const r = parser.result();
      const sig = (x: CaptureResult, ps: readonly CaptureProblem[]) =>
        `${x.frames} frames, ${x.bytes} bytes, ${x.bytesSkipped} skipped; ${ps.map((p) => `${p.id}@${p.offset}#${p.packet}${p.fatal ? '!' : ''}`).join(' ')}`;
      const a = sig(whole, whole.problems);
      const b = sig(r, problems);
      if (a !== b)
        this.violation('chunking', `whole buffer: ${a}; in chunks: ${b}`, `${what}: ${hexOf(bytes)}`);
      else if (got.join() !== sigs.join())
        this.violation(
          'chunking',
          'frames differ when the file is pushed in chunks',
          `${what}: ${hexOf(bytes)}`,
        );
    } catch (e) {
      this.violation('exception', `chunked parse threw: ${errText(e)}`, `${what}: ${hexOf(bytes)}`);
    }
  }

  // ── packet level ──

  private clock = 1_700_000_000;
  private index = 0;
  private epochs = 0;

  frame(data: Uint8Array, linkType: number, origlen: number, original?: Frame): Frame {
    this.clock += 0.0001 + this.rng.below(1000) / 1e6;
    const ts = original ? original.ts : this.clock;
    const tsSec = original ? original.tsSec : Math.floor(ts);
    const tsNsec = original ? original.tsNsec : Math.min(999_999_999, Math.round((ts - tsSec) * 1e9));
    return {
      index: ++this.index,
      tsSec,
      tsNsec,
      ts,
      caplen: data.length,
      origlen: Math.max(origlen, 0),
      linkType,
      interfaceId: 0,
      data,
      fileOffset: -1,
    };
  }

  packetEpoch(originals: readonly Original[]): void {
    const { session, budget, rows } = this.newSession(
      EPOCH_LIMITS[this.epochs++ % EPOCH_LIMITS.length] as number,
      this.rng.chance(0.5),
    );
    this.index = 0;
    this.rel = new RelativeSeqTracker(10_000);
    const streams: Source[] = [];
    for (let i = 0; i < 6; i++) streams.push(newStream(this.rng));
    const end = this.packets + this.o.epochPackets;
    while (this.packets < end && !this.done) {
      if (this.rng.chance(0.45) && originals.length > 0) {
        const o = this.rng.pick(originals);
        const m = mutatePacket(this.rng, o.frame.data, o.frame.origlen, o.fields);
        this.count(this.mutations, `packet:${m.how}`);
        this.mutatedPackets++;
        this.current = `${o.file} #${o.frame.index} ${m.detail ?? m.how}`;
        this.currentBytes = m.data;
        this.mark(
          `packet-level session (the packet alone may not reproduce it), link type ${o.frame.linkType}: ${this.current}`,
          m.data,
        );
        this.packet(
          this.frame(m.data, o.frame.linkType, m.origlen, m.keepTime ? o.frame : undefined),
          session,
        );
        continue;
      }
      const k = this.rng.below(streams.length);
      const s = streams[k] as Source;
      const next = s.it.next();
      if (next.done) {
        streams[k] = newStream(this.rng);
        continue;
      }
      const c = next.value;
      const linkType = c.linkType ?? 1;
      let data = c.data;
      let origlen = c.origlen ?? data.length;
      let how = s.kind;
      if (this.rng.chance(0.03)) {
        const fields = fieldsOf(decodeFrame(this.frame(data, linkType, origlen)).layers, data.length);
        const m = mutatePacket(this.rng, data, origlen, fields);
        data = m.data;
        origlen = m.origlen;
        how = `${s.kind} + ${m.detail ?? m.how}`;
        this.count(this.mutations, `packet:${m.how}`);
        this.mutatedPackets++;
      } else {
        this.craftedPackets++;
      }
      this.count(this.mutations, `stream:${s.kind}`);
      this.current = how;
      this.currentBytes = data;
      this.mark(
        `packet-level session (the packet alone may not reproduce it), link type ${linkType}: ${how}`,
        data,
      );
      this.packet(this.frame(data, linkType, origlen), session);
    }
    this.finishSession(session, budget, rows, 'packet-level session');
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      this.retained.push(process.memoryUsage().heapUsed / MiB);
      const first = this.retained[0] as number;
      const last = this.retained[this.retained.length - 1] as number;
      if (this.retained.length > 3 && last > first + 128)
        this.violation(
          'leak',
          `heap retained after epoch ${this.retained.length}: ${last.toFixed(0)} MiB, after the first ${first.toFixed(0)} MiB`,
          'epoch end',
        );
    }
  }

  report(): FuzzReport {
    this.sampleMemory();
    const seconds = (performance.now() - this.started) / 1000;
    const obj = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
    return {
      seed: this.o.seed,
      seconds,
      stoppedBy: this.memoryExceeded
        ? 'memory'
        : this.violationCount >= MAX_VIOLATIONS
          ? 'violations'
          : this.packets >= this.o.iterations
            ? 'iterations'
            : 'time',
      packets: this.packets,
      fromMutatedFiles: this.fromMutatedFiles,
      mutatedPackets: this.mutatedPackets,
      craftedPackets: this.craftedPackets,
      mutatedFiles: this.mutatedFiles,
      rejectedFiles: this.rejectedFiles,
      fatalFiles: this.fatalFiles,
      chunkedComparisons: this.chunkedComparisons,
      bytesSkipped: this.bytesSkipped,
      statuses: { ...this.statuses },
      fileProblems: obj(this.fileProblems),
      anomalies: obj(this.anomalies),
      connectionAnomalies: obj(this.connAnomalies),
      mutations: obj(this.mutations),
      rendered: this.rendered,
      connections: this.connections,
      evicted: this.evicted,
      expired: this.expired,
      httpTransactions: this.httpTransactions,
      peakRssMiB: this.peakRss / MiB,
      peakHeapMiB: this.peakHeap / MiB,
      retainedHeapMiB: this.retained,
      packetsPerSecond: this.packets / Math.max(seconds, 1e-9),
      violationCount: this.violationCount,
      violations: this.violations,
    };
  }
}

/** A frame's identity for comparing two readings of the same bytes. */
function frameSig(f: Frame): string {
  let h = 0;
  for (let i = 0; i < f.data.length; i++) h = (Math.imul(h, 31) + (f.data[i] as number)) | 0;
  return `${f.index}:${f.tsSec}.${f.tsNsec}:${f.caplen}/${f.origlen}:${f.linkType}:${f.interfaceId}:${f.fileOffset}:${h}`;
}

/**
 * Run the fuzzer in-process; never throws for what it finds (see `violations`). It returns to the
 * event loop between the mutated files and each packet-level epoch, as the commands do between
 * reads: what Node defers to it (the cleanup of a zlib stream that met corrupt data is queued with
 * `process.nextTick`) would otherwise pile up for the whole run and count as heap retained.
 */
export async function runFuzz(
  options: Partial<FuzzOptions> = {},
  internal: { guard?: Guard; interim?: (r: FuzzReport) => void } = {},
): Promise<FuzzReport> {
  const o: FuzzOptions = { ...DEFAULT_FUZZ_OPTIONS, ...options };
  const fz = new Fuzzer(o, internal.guard);
  const corpus = loadCorpus(o.fixtures);
  if (corpus.length === 0) throw new Error(`no capture under ${o.fixtures}`);
  const originals = corpusFrames(corpus);
  const sweep = new Map<string, number>();
  let lastProgress = performance.now();
  while (!fz.done) {
    // About one packet in five comes from a mutated file, the rest from packet-level sessions.
    const batch = fz.packets;
    while (!fz.done && fz.packets - batch < 5000) fz.file(corpus, sweep);
    await new Promise((resume) => setImmediate(resume));
    if (!fz.done) fz.packetEpoch(originals);
    internal.interim?.(fz.report());
    if (o.progress && performance.now() - lastProgress > 10_000) {
      lastProgress = performance.now();
      const s = (performance.now() - fz.started) / 1000;
      o.progress(
        `${fz.packets} packets, ${fz.mutatedFiles} files, ${(fz.packets / s).toFixed(0)} packets/s, rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB, ${fz.violationCount} violations`,
      );
    }
  }
  return fz.report();
}

// ─── the watchdog: the run in a worker thread, hangs detected and reported ──────────────────────

/** Shared memory through which a worker says what it is feeding and that it is alive. */
interface Guard {
  /** Int32 slots: GUARD_BEAT (bumped on every input), GUARD_PACKETS, GUARD_DESC and GUARD_BYTES (lengths). */
  readonly state: Int32Array;
  readonly desc: Uint8Array;
  readonly bytes: Uint8Array;
}

const GUARD_BEAT = 0;
const GUARD_PACKETS = 1;
const GUARD_DESC = 2;
const GUARD_BYTES = 3;
const GUARD_INPUT_BYTES = 4 * MiB;

interface WorkerInput {
  readonly options: Omit<FuzzOptions, 'progress'>;
  readonly state: SharedArrayBuffer;
  readonly desc: SharedArrayBuffer;
  readonly bytes: SharedArrayBuffer;
}

type WorkerMessage =
  | { readonly type: 'progress'; readonly line: string }
  | { readonly type: 'interim' | 'report'; readonly report: FuzzReport };

function sumRecords(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).sort((x, y) => y[1] - x[1]));
}

/** Several partial runs (one per worker) as one report. */
function mergeReports(
  parts: readonly FuzzReport[],
  extra: readonly Violation[],
  seed: number,
  seconds: number,
  hung: boolean,
): FuzzReport {
  const sum = (f: (r: FuzzReport) => number) => parts.reduce((n, r) => n + f(r), 0);
  const rec = (f: (r: FuzzReport) => Record<string, number>) =>
    parts.reduce<Record<string, number>>((m, r) => sumRecords(m, f(r)), {});
  const packets = sum((r) => r.packets);
  const violations = [...extra, ...parts.flatMap((r) => r.violations)].slice(0, MAX_KEPT_VIOLATIONS);
  const last = parts[parts.length - 1];
  return {
    seed,
    seconds,
    stoppedBy: last && !hung ? last.stoppedBy : 'hang',
    packets,
    fromMutatedFiles: sum((r) => r.fromMutatedFiles),
    mutatedPackets: sum((r) => r.mutatedPackets),
    craftedPackets: sum((r) => r.craftedPackets),
    mutatedFiles: sum((r) => r.mutatedFiles),
    rejectedFiles: sum((r) => r.rejectedFiles),
    fatalFiles: sum((r) => r.fatalFiles),
    chunkedComparisons: sum((r) => r.chunkedComparisons),
    bytesSkipped: sum((r) => r.bytesSkipped),
    statuses: {
      decoded: sum((r) => r.statuses.decoded),
      truncated: sum((r) => r.statuses.truncated),
      malformed: sum((r) => r.statuses.malformed),
      unsupported: sum((r) => r.statuses.unsupported),
    },
    fileProblems: rec((r) => r.fileProblems),
    anomalies: rec((r) => r.anomalies),
    connectionAnomalies: rec((r) => r.connectionAnomalies),
    mutations: rec((r) => r.mutations),
    rendered: sum((r) => r.rendered),
    connections: sum((r) => r.connections),
    evicted: sum((r) => r.evicted),
    expired: sum((r) => r.expired),
    httpTransactions: sum((r) => r.httpTransactions),
    peakRssMiB: Math.max(0, ...parts.map((r) => r.peakRssMiB)),
    peakHeapMiB: Math.max(0, ...parts.map((r) => r.peakHeapMiB)),
    retainedHeapMiB: parts.flatMap((r) => r.retainedHeapMiB),
    packetsPerSecond: packets / Math.max(seconds, 1e-9),
    violationCount: extra.length + sum((r) => r.violationCount),
    violations,
  };
}

/**
 * `runFuzz` in a worker thread, watched: when the worker makes no progress for `hangSeconds` (an
 * input sent some loop into a spin), the worker is stopped, the input it was on is reported as a
 * `hang` violation (and saved to `saveDir`), and a new worker goes on with the remaining packets
 * and the next seed. The counts of every worker are added up.
 */
export async function runFuzzGuarded(options: Partial<FuzzOptions> = {}): Promise<FuzzReport> {
  const o: FuzzOptions = { ...DEFAULT_FUZZ_OPTIONS, ...options };
  const started = performance.now();
  const parts: FuzzReport[] = [];
  const hangs: Violation[] = [];
  let seed = o.seed;
  let remaining = o.iterations;
  let hung = false;
  for (let round = 0; remaining > 0; round++) {
    const left = o.seconds - (performance.now() - started) / 1000;
    if (left <= 0) break;
    const state = new SharedArrayBuffer(4 * 4);
    const desc = new SharedArrayBuffer(1024);
    const bytes = new SharedArrayBuffer(GUARD_INPUT_BYTES);
    const { progress, ...plain } = o;
    const input: WorkerInput = {
      options: { ...plain, iterations: remaining, seconds: left, seed },
      state,
      desc,
      bytes,
    };
    const worker = new Worker(new URL(import.meta.url), { workerData: { wirelensFuzz: input } });
    const view = new Int32Array(state);
    let interim: FuzzReport | undefined;
    const outcome = await new Promise<{ report: FuzzReport } | { hang: true } | { error: string }>((done) => {
      let lastBeat = -1;
      let lastChange = performance.now();
      const timer = setInterval(() => {
        const beat = Atomics.load(view, GUARD_BEAT);
        if (beat !== lastBeat) {
          lastBeat = beat;
          lastChange = performance.now();
        } else if (performance.now() - lastChange > o.hangSeconds * 1000) {
          clearInterval(timer);
          done({ hang: true });
        }
      }, 250);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') progress?.(m.line);
        else if (m.type === 'interim') interim = m.report;
        else {
          clearInterval(timer);
          done({ report: m.report });
        }
      });
      worker.on('error', (e) => {
        clearInterval(timer);
        done({ error: errText(e) });
      });
      worker.on('exit', (code) => {
        clearInterval(timer);
        done({ error: `worker exited with code ${code}` });
      });
    });
    if ('report' in outcome) {
      parts.push(outcome.report);
      await worker.terminate();
      break;
    }
    await worker.terminate();
    if (interim) parts.push(interim);
    const done = Atomics.load(view, GUARD_PACKETS);
    const what = new TextDecoder().decode(new Uint8Array(desc, 0, Atomics.load(view, GUARD_DESC)));
    const data = new Uint8Array(bytes, 0, Atomics.load(view, GUARD_BYTES)).slice();
    if ('error' in outcome) {
      hangs.push({
        kind: 'exception',
        message: `the fuzz worker died: ${outcome.error}`,
        input: `${what}: ${hexOf(data)}`,
      });
      hung = true;
      break;
    }
    let saved = '';
    if (o.saveDir) {
      mkdirSync(o.saveDir, { recursive: true });
      const file = join(
        o.saveDir,
        `hang-${seed.toString(16)}-${round}${what.startsWith('mutated file') ? (what.includes('gzip') ? '.pcap.gz' : '.cap') : '.bin'}`,
      );
      writeFileSync(file, data);
      saved = ` (saved as ${file})`;
    }
    hangs.push({
      kind: 'hang',
      message: `no progress for ${o.hangSeconds} s after ${done} packets of this worker${saved}`,
      input: `${what}: ${hexOf(data, 2048)}`,
    });
    // Go on with what is left, from the next seed (the same seed would meet the same input).
    remaining -= interim?.packets ?? 0;
    seed = (seed + 0x9e3779b9) % 0x100000000;
    if (hangs.length >= 20) {
      hung = true;
      break;
    }
  }
  return mergeReports(parts, hangs, o.seed, (performance.now() - started) / 1000, hung);
}

async function workerMain(input: WorkerInput): Promise<void> {
  const guard: Guard = {
    state: new Int32Array(input.state),
    desc: new Uint8Array(input.desc),
    bytes: new Uint8Array(input.bytes),
  };
  const post = (m: WorkerMessage) => parentPort?.postMessage(m);
  const report = await runFuzz(
    { ...input.options, progress: (line) => post({ type: 'progress', line }) },
    { guard, interim: (r) => post({ type: 'interim', report: r }) },
  );
  post({ type: 'report', report });
}

if (!isMainThread) {
  const d = (workerData as { wirelensFuzz?: WorkerInput } | null)?.wirelensFuzz;
  if (d) await workerMain(d);
}

// ─── crafted captures (for the CLI tests) ───────────────────────────────────────────────────────

/** One packet of a crafted capture. */
export interface CraftedPacket {
  readonly data: Uint8Array;
  readonly linkType?: number;
  readonly origlen?: number;
}

/** A classic pcap (little-endian, microseconds) of these packets, 1 ms apart; every record's link type must be the file's. */
export function pcapOf(packets: readonly CraftedPacket[], linkType = 1, start = 1_700_000_000): Uint8Array {
  let n = 24;
  for (const p of packets) n += 16 + p.data.length;
  const b = new Uint8Array(n);
  put32(b, 0, 0xa1b2c3d4, true);
  put16(b, 4, 2, true);
  put16(b, 6, 4, true);
  put32(b, 16, 262144, true);
  put32(b, 20, linkType, true);
  let o = 24;
  packets.forEach((p, i) => {
    put32(b, o, start + Math.floor(i / 1000), true);
    put32(b, o + 4, (i % 1000) * 1000, true);
    put32(b, o + 8, p.data.length, true);
    put32(b, o + 12, Math.max(p.origlen ?? p.data.length, p.data.length), true);
    b.set(p.data, o + 16);
    o += 16 + p.data.length;
  });
  return b;
}

/** Every packet a crafted stream produces (the streams are finite). */
function drain(it: Iterator<Crafted>, max = 100_000): CraftedPacket[] {
  const out: CraftedPacket[] = [];
  for (let r = it.next(); !r.done && out.length < max; r = it.next()) out.push(r.value);
  return out;
}

/** A pcapng block: type, total length, body padded to 4, total length (little-endian). */
function block(type: number, body: Uint8Array): Uint8Array {
  const len = 12 + ((body.length + 3) & ~3);
  const b = new Uint8Array(len);
  put32(b, 0, type, true);
  put32(b, 4, len, true);
  b.set(body, 8);
  put32(b, len - 4, len, true);
  return b;
}

function option(code: number, value: Uint8Array): Uint8Array {
  const b = new Uint8Array(4 + ((value.length + 3) & ~3));
  put16(b, 0, code, true);
  put16(b, 2, value.length, true);
  b.set(value, 4);
  return b;
}

function epb(
  iface: number,
  data: Uint8Array,
  caplen = data.length,
  ts = 0,
  opts: Uint8Array = EMPTY,
): Uint8Array {
  const body = new Uint8Array(20 + ((data.length + 3) & ~3) + opts.length);
  put32(body, 0, iface, true);
  put32(body, 4, Math.floor(ts / 0x100000000), true);
  put32(body, 8, ts >>> 0, true);
  put32(body, 12, caplen, true);
  put32(body, 16, data.length, true);
  body.set(data, 20);
  body.set(opts, 20 + ((data.length + 3) & ~3));
  return block(EPB, body);
}

/**
 * A pcapng whose headers are hostile: interface names and descriptions with terminal escapes and
 * bidi overrides, odd timestamp resolutions (2^-127, 10^-127, 10^0) and a huge if_tsoffset, a
 * section header with an unknown minor version and a bogus section length, a packet block for an
 * interface that does not exist, one whose captured length runs past its block, options running
 * past their block, custom, name-resolution and statistics blocks, a second section in the other
 * byte order, and a final block cut short.
 */
export function hostilePcapng(): Uint8Array {
  const syn = tcpFrame(
    { v6: false, src4: 0x0a000001, dst4: 0x0a000002, src6: v6addr(1), dst6: v6addr(2) },
    40000,
    80,
    1,
    0,
    F.SYN,
    EMPTY,
  );
  const shbBody = new Uint8Array(16);
  put32(shbBody, 0, 0x1a2b3c4d, true);
  put16(shbBody, 4, 1, true);
  put16(shbBody, 6, 7, true);
  put32(shbBody, 8, 0xdeadbeef, true);
  put32(shbBody, 12, 0x12345678, true);
  const shbOpts = concat([
    option(2, ascii('\x1b[2J\x1b[H hw \x07')),
    option(3, ascii('os \u202e\x9b31m')),
    option(0, EMPTY),
  ]);
  const idb = (linkType: number, opts: readonly Uint8Array[]) => {
    const fixed = new Uint8Array(8);
    put16(fixed, 0, linkType, true);
    put32(fixed, 4, 262144, true);
    return block(IDB, concat([fixed, ...opts, option(0, EMPTY)]));
  };
  const nrbBody = concat([
    ascii('\x01\x00\x0c\x00\x0a\x00\x00\x01evil\x1b]0;x\x07\x00\x00'),
    new Uint8Array(4),
  ]);
  const isbBody = new Uint8Array(12);
  const badOpt = new Uint8Array(8);
  put16(badOpt, 0, 2, true);
  put16(badOpt, 2, 0xfff0, true);
  const tsoff = new Uint8Array(8);
  put32(tsoff, 0, 0xffffffff, true);
  put32(tsoff, 4, 0x7fffffff, true);
  const second = new Uint8Array(block(SHB, new Uint8Array(16)));
  // The second section is big-endian: rewrite its header fields in that order.
  put32(second, 4, second.length, false);
  put32(second, 8, 0x1a2b3c4d, false);
  put16(second, 12, 1, false);
  put32(second, second.length - 4, second.length, false);
  const beIdb = new Uint8Array(20);
  put32(beIdb, 0, IDB, false);
  put32(beIdb, 4, 20, false);
  put16(beIdb, 8, 1, false);
  put32(beIdb, 16, 20, false);
  const beEpb = new Uint8Array(32 + ((syn.length + 3) & ~3));
  put32(beEpb, 0, EPB, false);
  put32(beEpb, 4, beEpb.length, false);
  put32(beEpb, 20, syn.length, false);
  put32(beEpb, 24, syn.length, false);
  beEpb.set(syn, 28);
  put32(beEpb, beEpb.length - 4, beEpb.length, false);
  return concat([
    block(SHB, concat([shbBody, shbOpts])),
    idb(1, [
      option(2, ascii('eth0\x1b]0;pwned\x07\x1b[31m')),
      option(3, ascii('\u202edesc\u200b\x00\x7f')),
      option(9, Uint8Array.of(0xff)),
    ]),
    idb(1, [option(9, Uint8Array.of(0x7f)), option(14, tsoff)]),
    idb(1, [option(9, Uint8Array.of(0x00))]),
    idb(0xfffe, []),
    epb(0, syn, syn.length, 1_700_000_000_000_000),
    epb(1, syn, syn.length, 0xffffffffffff),
    epb(2, syn, syn.length, 5),
    epb(3, syn),
    epb(9, syn),
    epb(0, syn, syn.length + 100),
    epb(0, syn, syn.length, 1, concat([badOpt, new Uint8Array(8)])),
    block(NRB, nrbBody),
    block(ISB, isbBody),
    block(0xbad, ascii('\x00\x00\x7f\xfe\x1b[1mcustom')),
    block(SPB, concat([Uint8Array.of(0xff, 0xff, 0, 0), syn])),
    second,
    beIdb,
    beEpb,
    beEpb.subarray(0, beEpb.length - 7),
  ]);
}

/**
 * A pcap whose records are odd but readable (sub-second fields of a second or more, caplen above
 * origlen and above the snap length, an empty record), then a record header no capture could have.
 */
export function damagedPcap(): Uint8Array {
  const syn = tcpFrame(
    { v6: false, src4: 0x0a000001, dst4: 0x0a000002, src6: v6addr(1), dst6: v6addr(2) },
    40001,
    80,
    7,
    0,
    F.SYN,
    EMPTY,
  );
  const records = [syn, syn, syn, EMPTY, syn, syn];
  const b = pcapOf(records.map((data) => ({ data })));
  const at: number[] = [];
  let o = 24;
  for (const r of records) {
    at.push(o);
    o += 16 + r.length;
  }
  put32(b, 16, 40, true); // a snap length below the records' length
  put32(b, (at[0] as number) + 4, 1_000_000, true); // a whole second in the microsecond field
  put32(b, (at[1] as number) + 4, 0xffffffff, true);
  put32(b, (at[2] as number) + 12, 10, true); // caplen above origlen
  put32(b, (at[5] as number) + 8, 0xfffffff0, true); // an impossible captured length
  return b;
}

/**
 * A pcapng of these packets on one Ethernet interface whose `if_tsoffset` is `offsetSec` (signed
 * 64-bit seconds, as hi/lo 32-bit halves) and whose timestamps are `stepUs` microseconds apart.
 */
export function pcapngOf(
  packets: readonly CraftedPacket[],
  offsetHi: number,
  offsetLo: number,
  stepUs = 1000,
): Uint8Array {
  const shb = new Uint8Array(16);
  put32(shb, 0, 0x1a2b3c4d, true);
  put16(shb, 4, 1, true);
  put32(shb, 8, 0xffffffff, true);
  put32(shb, 12, 0xffffffff, true);
  const fixed = new Uint8Array(8);
  put16(fixed, 0, 1, true);
  put32(fixed, 4, 262144, true);
  const off = new Uint8Array(8);
  put32(off, 0, offsetLo >>> 0, true);
  put32(off, 4, offsetHi >>> 0, true);
  const blocks = [block(SHB, shb), block(IDB, concat([fixed, option(14, off), option(0, EMPTY)]))];
  packets.forEach((p, i) => {
    blocks.push(epb(0, p.data, p.data.length, i * stepUs));
  });
  return concat(blocks);
}

/**
 * A short TCP conversation (handshake, a request, the client's FIN, the server's data seconds
 * later) whose capture times are around 2^60 s: an interface with a huge `if_tsoffset`. At that
 * magnitude adding a few seconds to a time changes nothing (the spacing of doubles is 256 s).
 */
export function hugeTimestampsPcapng(): Uint8Array {
  const rng = new Rng(1);
  const c = new Conn(
    rng,
    { v6: false, src4: 0x0a000001, dst4: 0x0a000002, src6: v6addr(1), dst6: v6addr(2) },
    40002,
    80,
  );
  const packets: CraftedPacket[] = [
    ...drain(c.open()),
    ...drain(c.send(true, ascii('GET / HTTP/1.1\r\nHost: h\r\n\r\n'))),
    c.c(F.FIN | F.ACK),
    c.s(F.ACK),
  ];
  for (let i = 0; i < 4; i++) packets.push(c.s(F.PSH | F.ACK, ascii('late data')));
  // 2^60 s of offset; packets 1 ms apart (all at the same double).
  return pcapngOf(packets, 0x10000000, 0, 1000);
}

/** The named crafted captures (deterministic for a seed), each well under 1 MB. */
export function craftedCaptures(seed = 0x5eed): { readonly name: string; readonly bytes: Uint8Array }[] {
  const rng = new Rng(seed);
  streamNo = 0;
  const v4: Endpoints = { v6: false, src4: 0x0a000001, dst4: 0xc0000250, src6: v6addr(1), dst6: v6addr(2) };
  const v6: Endpoints = { ...v4, v6: true };
  const out: { name: string; bytes: Uint8Array }[] = [];
  const add = (name: string, packets: readonly CraftedPacket[], linkType = 1) =>
    out.push({ name, bytes: pcapOf(packets, linkType) });

  // HTTP: 200 KB of request headers (over the 64 KB limit), then an answer.
  {
    const c = new Conn(rng, v4, 41000, 80);
    add('http-huge-headers.pcap', [
      ...drain(c.open()),
      ...drain(
        c.send(
          true,
          concat([
            ascii('GET / HTTP/1.1\r\nHost: h\r\n'),
            filled('X-Fill: 0123456789abcdef0123456789abcdef\r\n', 200_000),
            ascii('\r\n'),
          ]),
        ),
      ),
      ...drain(c.send(false, ascii('HTTP/1.1 431 Too Large\r\nContent-Length: 0\r\n\r\n'))),
      ...drain(c.close()),
    ]);
  }
  // HTTP: a chunk-size line that never ends, a chunk extension that never ends, a chunk size of 2^80.
  for (const [name, body] of [
    ['http-endless-chunk-line.pcap', filled('f', 150_000)],
    ['http-endless-chunk-ext.pcap', concat([ascii('10;a='), filled('v', 150_000)])],
    ['http-huge-chunk-size.pcap', concat([ascii('ffffffffffffffffffff\r\n'), filled('d', 150_000)])],
  ] as const) {
    const c = new Conn(rng, v6, 41001, 8080);
    add(name, [
      ...drain(c.open()),
      ...drain(c.send(true, ascii('GET /s HTTP/1.1\r\nHost: h\r\n\r\n'))),
      ...drain(c.send(false, concat([ascii('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), body]))),
      ...drain(c.close()),
    ]);
  }
  // HTTP: 3000 pipelined requests, never answered.
  {
    const c = new Conn(rng, v4, 41002, 80);
    const reqs: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) reqs.push(ascii(`GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`));
    add('http-pipelined-3000.pcap', [...drain(c.open()), ...drain(c.send(true, concat(reqs)))]);
  }
  // Packet-level hostility in one Ethernet capture: 300 VLAN tags, 200 IPv6 extension headers,
  // 80 nested IP tunnels, DNS loops and overlong names (UDP and TCP), odd TCP options, a TCP flag
  // storm, ICMP errors quoting garbage.
  {
    const syn = tcpFrame(v4, 41003, 80, 1, 0, F.SYN, EMPTY).subarray(14);
    const ps: CraftedPacket[] = [];
    for (const n of [1, 2, 31, 32, 33, 300])
      ps.push({
        data: ether(
          0x0800,
          syn,
          true,
          Array.from({ length: n }, (_, i) => [0x88a8, 0x8100, 0x9100][i % 3] as number),
        ),
      });
    ps.push(...drain(ipv6Chains(new Rng(seed + 1)), 50), ...drain(ipv6Chains(new Rng(seed + 2)), 50));
    ps.push(...drain(tunnels(new Rng(seed + 3))), ...drain(tunnels(new Rng(seed + 4))));
    for (let k = 0; k < 40; k++) ps.push(...drain(dnsLoops(new Rng(seed + 100 + k))));
    ps.push(...drain(tcpOptions(new Rng(seed + 5))), ...drain(tcpOptions(new Rng(seed + 6))));
    ps.push(...drain(flagStorm(new Rng(seed + 7))));
    ps.push(...drain(icmpQuotes(new Rng(seed + 8))), ...drain(icmpQuotes(new Rng(seed + 9))));
    add('packet-hostility.pcap', ps);
  }
  // Raw IP with garbage after a plausible first byte, SLL2 with random bytes.
  add('raw-garbage.pcap', drain(otherLinksOf(new Rng(seed + 10), 101)), 101);
  add('sll2-garbage.pcap', drain(otherLinksOf(new Rng(seed + 11), 276)), 276);
  out.push({ name: 'hostile-headers.pcapng', bytes: hostilePcapng() });
  out.push({ name: 'damaged-records.pcap', bytes: damagedPcap() });
  const http = out[0]?.bytes ?? EMPTY;
  const gz = new Uint8Array(gzipSync(http));
  out.push({ name: 'gzip-cut.pcap.gz', bytes: gz.subarray(0, gz.length >> 1) });
  out.push({ name: 'cut-in-record.pcap', bytes: http.subarray(0, 24 + 16 + 30) });
  return out;
}

// ─── command line ───────────────────────────────────────────────────────────────────────────────

export function formatReport(r: FuzzReport): string[] {
  const pct = (n: number) => `${((100 * n) / Math.max(1, r.packets)).toFixed(1)}%`;
  const top = (m: Record<string, number>, n: number) =>
    Object.entries(m)
      .slice(0, n)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const lines = [
    `wirelens fuzz: seed 0x${r.seed.toString(16)}, ${r.seconds.toFixed(1)} s, stopped by ${r.stoppedBy}`,
    `  packets        ${r.packets} (${r.packetsPerSecond.toFixed(0)}/s): ${r.fromMutatedFiles} from mutated files, ${r.mutatedPackets} mutated packets, ${r.craftedPackets} crafted stream packets`,
    `  mutated files  ${r.mutatedFiles}: ${r.rejectedFiles} refused as a whole (exit 3), ${r.fatalFiles} with a fatal problem, ${r.chunkedComparisons} re-read in chunks, ${r.bytesSkipped} bytes skipped`,
    `  statuses       ${STATUSES.map((s) => `${s} ${r.statuses[s]} (${pct(r.statuses[s])})`).join(', ')}`,
    `  file problems  ${top(r.fileProblems, 20) || '-'}`,
    `  anomalies      ${Object.keys(r.anomalies).length} ids; ${top(r.anomalies, 60)}`,
    `  conn anomalies ${Object.keys(r.connectionAnomalies).length} ids; ${top(r.connectionAnomalies, 40)}`,
    `  flows          ${r.connections} TCP connections (${r.evicted} evicted, ${r.expired} expired), ${r.httpTransactions} HTTP transactions, ${r.rendered} packets rendered`,
    `  memory         peak RSS ${r.peakRssMiB.toFixed(0)} MiB, peak heap ${r.peakHeapMiB.toFixed(0)} MiB${r.retainedHeapMiB.length > 0 ? `; retained after each epoch ${r.retainedHeapMiB.map((x) => x.toFixed(0)).join(' ')} MiB` : ''}`,
    `  mutations      ${top(r.mutations, 60)}`,
    `  violations     ${r.violationCount}`,
  ];
  for (const v of r.violations) lines.push(`    [${v.kind}] ${v.message}`, `        on ${v.input}`);
  return lines;
}

function parseArgs(argv: readonly string[]): Partial<FuzzOptions> & { json?: boolean } {
  const out: Partial<{ -readonly [K in keyof FuzzOptions]: FuzzOptions[K] }> & { json?: boolean } = {};
  const num = (flag: string, v: string | undefined): number => {
    const n = v !== undefined && /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v.slice(2), 16) : Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0)
      throw new Error(`${flag} needs a number, got ${String(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const v = argv[i + 1];
    switch (a) {
      case '--iterations':
        out.iterations = num(a, v);
        i++;
        break;
      case '--seconds':
        out.seconds = num(a, v);
        i++;
        break;
      case '--seed':
        out.seed = num(a, v);
        i++;
        break;
      case '--rss-budget':
        out.rssBudgetMiB = num(a, v);
        i++;
        break;
      case '--heap-budget':
        out.heapBudgetMiB = num(a, v);
        i++;
        break;
      case '--render-every':
        out.renderEvery = num(a, v);
        i++;
        break;
      case '--fixtures':
        out.fixtures = resolve(v ?? '');
        i++;
        break;
      case '--hang-seconds':
        out.hangSeconds = num(a, v);
        i++;
        break;
      case '--save':
        out.saveDir = resolve(v ?? '');
        i++;
        break;
      case '--json':
        out.json = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write(
          'usage: node --expose-gc dist/scripts/fuzz.js [--iterations N] [--seconds S] [--seed X] [--rss-budget MiB] [--heap-budget MiB] [--render-every N] [--fixtures DIR] [--hang-seconds S] [--save DIR] [--json]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a} (--help for usage)`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
    return;
  }
  const { json, ...opts } = args;
  const r = await runFuzzGuarded({ ...opts, progress: (l) => process.stderr.write(`fuzz: ${l}\n`) });
  if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else process.stdout.write(`${formatReport(r).join('\n')}\n`);
  process.exitCode = r.violationCount > 0 ? 1 : 0;
}

if (
  isMainThread &&
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
)
  await main();
