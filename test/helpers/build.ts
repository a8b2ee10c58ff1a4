/**
 * Build real frames for tests: Ethernet + IPv4 + TCP/UDP with correct checksums, so a test can
 * describe a conversation segment by segment and feed it through the real decoder.
 */
import type { Frame } from '../../src/capture/types.js';
import { finish, pseudoSum4, sumWords } from '../../src/decode/checksum.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import type { Packet } from '../../src/decode/types.js';

export const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface TcpSpec {
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack?: number;
  readonly flags: number;
  readonly win?: number;
  readonly payload?: number | Uint8Array;
  /** Raw option bytes (padded to 4 by the builder). */
  readonly options?: readonly number[];
  readonly ts: number;
  readonly ttl?: number;
}

function ip4(s: string): number {
  return s.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}

let counter = 0;

export function tcpFrame(t: TcpSpec): Frame {
  const payload =
    typeof t.payload === 'number' ? new Uint8Array(t.payload).fill(0x61) : (t.payload ?? new Uint8Array(0));
  const opts = [...(t.options ?? [])];
  while (opts.length % 4 !== 0) opts.push(0);
  const tcpLen = 20 + opts.length;
  const total = 20 + tcpLen + payload.length;
  const d = new Uint8Array(14 + total);
  d.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00], 0);
  const o = 14;
  const src = ip4(t.src);
  const dst = ip4(t.dst);
  d[o] = 0x45;
  d[o + 2] = total >> 8;
  d[o + 3] = total & 0xff;
  d[o + 4] = (counter >> 8) & 0xff;
  d[o + 5] = counter++ & 0xff;
  d[o + 6] = 0x40;
  d[o + 8] = t.ttl ?? 64;
  d[o + 9] = 6;
  for (let i = 0; i < 4; i++) {
    d[o + 12 + i] = (src >>> (24 - 8 * i)) & 0xff;
    d[o + 16 + i] = (dst >>> (24 - 8 * i)) & 0xff;
  }
  const ipc = finish(sumWords(d, o, o + 20));
  d[o + 10] = ipc >> 8;
  d[o + 11] = ipc & 0xff;
  const p = o + 20;
  const w32 = (at: number, v: number) => {
    d[at] = (v >>> 24) & 0xff;
    d[at + 1] = (v >>> 16) & 0xff;
    d[at + 2] = (v >>> 8) & 0xff;
    d[at + 3] = v & 0xff;
  };
  d[p] = t.sport >> 8;
  d[p + 1] = t.sport & 0xff;
  d[p + 2] = t.dport >> 8;
  d[p + 3] = t.dport & 0xff;
  w32(p + 4, t.seq >>> 0);
  w32(p + 8, (t.ack ?? 0) >>> 0);
  d[p + 12] = (tcpLen / 4) << 4;
  d[p + 13] = t.flags & 0xff;
  const win = t.win ?? 65535;
  d[p + 14] = win >> 8;
  d[p + 15] = win & 0xff;
  d.set(opts, p + 20);
  d.set(payload, p + tcpLen);
  const c = finish(
    sumWords(d, p, p + tcpLen + payload.length, pseudoSum4(src, dst, 6, tcpLen + payload.length)),
  );
  d[p + 16] = c >> 8;
  d[p + 17] = c & 0xff;
  return etherFrame(d, t.ts);
}

/** An Ethernet frame's bytes as a captured frame at capture time `ts` (whole, not cut by a snap length). */
export function etherFrame(d: Uint8Array, ts: number): Frame {
  const sec = Math.floor(ts);
  return {
    index: 0,
    tsSec: sec,
    tsNsec: Math.round((ts - sec) * 1e9),
    ts,
    caplen: d.length,
    origlen: d.length,
    linkType: 1,
    interfaceId: 0,
    data: d,
    fileOffset: -1,
  };
}

/** A conversation between a client and a server, segment by segment, numbered from 1. */
export class Conversation {
  readonly packets: Packet[] = [];
  private n = 0;
  private t: number;

  constructor(
    readonly client = { addr: '10.0.0.1', port: 40000 },
    readonly server = { addr: '10.0.0.2', port: 80 },
    start = 1_700_000_000,
  ) {
    this.t = start;
  }

  /** Client → server. `dt` seconds after the previous packet. */
  c(flags: number, seq: number, ack = 0, opts: Partial<TcpSpec> = {}, dt = 0.001): Packet {
    return this.add(true, flags, seq, ack, opts, dt);
  }

  /** Server → client. */
  s(flags: number, seq: number, ack = 0, opts: Partial<TcpSpec> = {}, dt = 0.001): Packet {
    return this.add(false, flags, seq, ack, opts, dt);
  }

  private add(
    fromClient: boolean,
    flags: number,
    seq: number,
    ack: number,
    opts: Partial<TcpSpec>,
    dt: number,
  ): Packet {
    this.t += dt;
    const a = fromClient ? this.client : this.server;
    const b = fromClient ? this.server : this.client;
    const f = tcpFrame({
      src: a.addr,
      dst: b.addr,
      sport: a.port,
      dport: b.port,
      seq,
      ack,
      flags,
      ts: this.t,
      ...opts,
    });
    const frame = { ...f, index: ++this.n };
    const p = decodeFrame(frame);
    this.packets.push(p);
    return p;
  }
}

/** TCP option bytes. */
export const opt = {
  mss: (v: number) => [2, 4, v >> 8, v & 0xff],
  wscale: (s: number) => [1, 3, 3, s],
  sackOk: () => [4, 2],
  ts: (val: number, ecr: number) => [
    1,
    1,
    8,
    10,
    (val >>> 24) & 0xff,
    (val >>> 16) & 0xff,
    (val >>> 8) & 0xff,
    val & 0xff,
    (ecr >>> 24) & 0xff,
    (ecr >>> 16) & 0xff,
    (ecr >>> 8) & 0xff,
    ecr & 0xff,
  ],
};
