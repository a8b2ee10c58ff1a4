/**
 * Streaming classic-pcap writer with bounded memory: records are encoded straight into one of two
 * fixed-size chunk buffers; a full chunk is written while the other one fills, so at most two
 * chunks exist at any time, whatever the size of the capture.
 *
 * Files are little-endian, microsecond resolution (magic 0xa1b2c3d4 written in host order),
 * version 2.4, LINKTYPE_ETHERNET.
 */
import { type FileHandle, open } from 'node:fs/promises';

export const PCAP_GLOBAL_HEADER = 24;
export const PCAP_RECORD_HEADER = 16;
export const LINKTYPE_ETHERNET = 1;
export const DEFAULT_SNAPLEN = 262144;

export class PcapStreamWriter {
  /** The chunk being filled; encoders write at `off` and advance it. */
  buf: Buffer;
  off = 0;
  /** Bytes written to the file so far plus bytes pending in the current chunk. */
  get bytes(): number {
    return this.position + this.off;
  }

  private spare: Buffer;
  private pending: Promise<unknown> | null = null;
  private position = 0;

  private constructor(
    private readonly fh: FileHandle,
    chunkSize: number,
  ) {
    this.buf = Buffer.alloc(chunkSize);
    this.spare = Buffer.alloc(chunkSize);
  }

  static async create(
    path: string,
    chunkSize = 1 << 20,
    snaplen = DEFAULT_SNAPLEN,
    linkType = LINKTYPE_ETHERNET,
  ): Promise<PcapStreamWriter> {
    const fh = await open(path, 'w');
    const w = new PcapStreamWriter(fh, chunkSize);
    const b = w.buf;
    b.writeUInt32LE(0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8); // thiszone
    b.writeUInt32LE(0, 12); // sigfigs
    b.writeUInt32LE(snaplen, 16);
    b.writeUInt32LE(linkType, 20);
    w.off = PCAP_GLOBAL_HEADER;
    return w;
  }

  /** True when fewer than `n` bytes are left in the current chunk: call `flush()` first. */
  needs(n: number): boolean {
    return this.off + n > this.buf.length;
  }

  /** Hands the current chunk to the file and continues in the other one. */
  async flush(): Promise<void> {
    if (this.off === 0) return;
    // The spare chunk's earlier write must be complete before it is reused (and writes stay in order).
    if (this.pending) await this.pending;
    this.pending = this.fh.write(this.buf, 0, this.off, this.position);
    this.position += this.off;
    const full = this.buf;
    this.buf = this.spare;
    this.spare = full;
    this.off = 0;
  }

  async close(): Promise<number> {
    await this.flush();
    if (this.pending) await this.pending;
    this.pending = null;
    await this.fh.close();
    return this.position;
  }

  /** Closes the file after a failure without masking the original error. */
  async abort(): Promise<void> {
    try {
      if (this.pending) await this.pending;
    } catch {
      // the original error is the one worth reporting
    }
    await this.fh.close().catch(() => undefined);
  }
}
