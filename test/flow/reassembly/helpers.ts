/** Test helpers for stream reassembly: a recording sink, a reused-buffer feeder, a seeded PRNG. */
import { type Seq, seq, seqAdd } from '../../../src/core/seq.js';
import {
  ReassemblyBudget,
  type ReassemblyOptions,
  type StreamEndReason,
  type StreamFlags,
  StreamReassembler,
  type StreamSink,
} from '../../../src/flow/tcp/reassembly.js';

/** Records what the reassembler delivers; copies chunks (they are only valid during the call). */
export class Recorder implements StreamSink {
  readonly chunks: Uint8Array[] = [];
  /** 'data N', 'gap N', 'end reason' in delivery order. */
  readonly events: string[] = [];
  /** Packet number given with each data chunk. */
  readonly packets: number[] = [];
  ended: StreamEndReason | undefined;
  ends = 0;
  gapBytes = 0;
  dataBytes = 0;

  data(chunk: Uint8Array, _ts: number, packet: number): void {
    if (this.ended !== undefined) throw new Error('data after end');
    this.chunks.push(chunk.slice());
    this.packets.push(packet);
    this.events.push(`data ${chunk.length}`);
    this.dataBytes += chunk.length;
  }

  gap(bytes: number): void {
    if (this.ended !== undefined) throw new Error('gap after end');
    if (!(bytes > 0)) throw new Error(`bad gap ${bytes}`);
    this.events.push(`gap ${bytes}`);
    this.gapBytes += bytes;
    // Keep the place of the gap in the text view.
    this.chunks.push(new TextEncoder().encode(`<${bytes}>`));
  }

  end(_ts: number, _packet: number, reason: StreamEndReason): void {
    this.ends++;
    this.ended = reason;
    this.events.push(`end ${reason}`);
  }

  /** Everything delivered, gaps shown as <N>. */
  text(): string {
    return this.chunks.map((c) => new TextDecoder('latin1').decode(c)).join('');
  }

  /** Delivered bytes only (gaps marked in text() only). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.dataBytes);
    let o = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      const e = this.events[i] ?? '';
      const c = this.chunks[i] as Uint8Array;
      if (e.startsWith('data')) {
        out.set(c, o);
        o += c.length;
      }
    }
    return out;
  }
}

export const NONE: StreamFlags = { syn: false, fin: false, rst: false };
export const SYN: StreamFlags = { syn: true, fin: false, rst: false };
export const FIN: StreamFlags = { syn: false, fin: true, rst: false };
export const RST: StreamFlags = { syn: false, fin: false, rst: true };

/** ISN just below 2^32: every stream crosses the wraparound after 9 bytes. */
export const ISN = 2 ** 32 - 10;

export const te = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * A reassembler on a recorder whose segments are fed from one reused scratch buffer that is
 * scribbled over after every call, as a capture reader does: any byte the reassembler keeps without
 * copying shows up as corruption.
 */
export class Harness {
  readonly out = new Recorder();
  readonly budget: ReassemblyBudget;
  readonly r: StreamReassembler;
  readonly isn: number;
  private readonly scratch = new Uint8Array(256 * 1024);
  packet = 0;
  ts = 0;

  constructor(opts: Partial<ReassemblyOptions> = {}, isn = ISN, budget = new ReassemblyBudget(), syn = true) {
    this.budget = budget;
    this.isn = isn;
    this.r = new StreamReassembler(this.out, budget, opts);
    if (syn) this.r.segment(seq(isn), new Uint8Array(0), this.ts, ++this.packet, SYN);
  }

  /** Sequence number of stream offset `off` (the SYN takes one). */
  seqAt(off: number): Seq {
    return seqAdd(seq(this.isn), 1 + off);
  }

  /** Send bytes at stream offset `off`. */
  send(off: number, bytes: Uint8Array | string, flags: StreamFlags = NONE, wireLen?: number): void {
    const b = typeof bytes === 'string' ? te(bytes) : bytes;
    this.scratch.set(b, 17);
    const view = this.scratch.subarray(17, 17 + b.length);
    this.ts += 0.001;
    this.r.segment(this.seqAt(off), view, this.ts, ++this.packet, flags, wireLen ?? b.length);
    this.scratch.fill(0xee, 0, 17 + b.length + 1);
  }

  fin(off: number, bytes: Uint8Array | string = ''): void {
    this.send(off, bytes, FIN);
  }

  ack(off: number): void {
    this.ts += 0.001;
    this.r.ackedUpTo(this.seqAt(off), this.ts, ++this.packet);
  }

  close(reason?: StreamEndReason): void {
    this.r.close(this.ts, ++this.packet, reason);
  }

  ids(): string[] {
    return this.r.anomalies.map((a) => a.id);
  }
}

/** mulberry32: a small seeded PRNG, so property tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic pseudo-random bytes. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

export function shuffle<T>(a: T[], rnd: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a;
}

export function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}
