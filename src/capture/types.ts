/**
 * What a capture source produces: frames with their timestamps, lengths and link type, plus a
 * description of the file. Every source (pcap, pcapng, gzip-wrapped either, stdin, live) produces
 * the same `Frame`s through the same push interface, so the rest of the pipeline cannot tell them apart.
 */

export interface Frame {
  /** 1-based packet number in the capture (tshark's frame.number). */
  readonly index: number;
  /** Capture time: integer seconds and nanoseconds since the Unix epoch. */
  readonly tsSec: number;
  readonly tsNsec: number;
  /** Capture time as a double in seconds, for arithmetic. */
  readonly ts: number;
  /** Bytes captured (== data.length) and bytes on the wire. caplen < origlen: cut by the snap length. */
  readonly caplen: number;
  readonly origlen: number;
  /** LINKTYPE_* value of the interface the frame was captured on. */
  readonly linkType: number;
  /**
   * pcapng interface id (0 for classic pcap and live). Ids restart in each pcapng section, as
   * tshark's frame.interface_id does; `InterfaceInfo.section` tells sections apart.
   */
  readonly interfaceId: number;
  /**
   * The captured bytes. A view into the reader's buffer: valid while the frame is being
   * processed; anything that keeps bytes beyond that (reassembly) must copy them. File sources
   * always deliver a plain Uint8Array (never a Node Buffer), so decoders see a single array type.
   */
  readonly data: Uint8Array;
  /** Byte offset of this frame's record (block) header in the uncompressed file; -1 for live. */
  readonly fileOffset: number;
  /** Direction from pcapng epb_flags or SLL when known. */
  readonly direction?: 'in' | 'out';
}

export interface InterfaceInfo {
  readonly id: number;
  readonly linkType: number;
  readonly snaplen: number;
  /** Ticks per second of this interface's timestamps (1e6 for µs, 1e9 for ns, ...). */
  readonly tsTicksPerSecond: number;
  readonly name?: string;
  readonly description?: string;
  /** pcapng: 0-based section the interface belongs to (ids restart at 0 in each section). */
  readonly section?: number;
  /** pcapng: the `if_tsresol` byte when not the default 6 (10^-6 s); MSB set means 2^-n. */
  readonly tsresol?: number;
  /** pcapng: `if_tsoffset` in seconds, added to every timestamp of the interface, when not 0. */
  readonly tsOffset?: number;
}

export type CaptureFormat = 'pcap' | 'pcapng' | 'live';

export interface CaptureInfo {
  format: CaptureFormat;
  /** 'big' or 'little' (of the file; of the first section for pcapng). */
  byteOrder: 'big' | 'little';
  /** gzip-compressed file. */
  compressed: boolean;
  /** For pcap: the file's version, snaplen and timestamp precision. */
  version?: string;
  snaplen: number;
  /** 'us' or 'ns' for pcap; for pcapng the precision of the first interface. */
  precision: 'us' | 'ns' | 'other';
  interfaces: InterfaceInfo[];
  /** pcapng sections seen. */
  sections: number;
}

/**
 * A problem in the capture file itself (not in a packet): a truncated final record, a corrupt
 * record header, an invalid block. `fatal` problems stop reading; frames before them stand.
 */
export interface CaptureProblem {
  readonly id: string;
  readonly fatal: boolean;
  /** Byte offset in the (uncompressed) file. */
  readonly offset: number;
  /** Number the next frame would have had (the damaged record's packet number). */
  readonly packet: number;
  readonly message: string;
}

/** Receives frames and problems from a parser. */
export interface CaptureSink {
  frame(f: Frame): void;
  problem(p: CaptureProblem): void;
}

/** A push parser: feed chunks in file order, then `end()`. */
export interface CaptureParser {
  push(chunk: Uint8Array): void;
  end(): void;
  /** Filled in as headers are read. */
  readonly info: CaptureInfo;
  /** True after a fatal problem: further input is ignored. */
  readonly stopped: boolean;
  /**
   * Optional: stop at the next frame boundary, delivering nothing more (for `-c N`). File
   * parsers implement it; callable from inside `sink.frame()`.
   */
  halt?(): void;
}

/** Summary a source returns after reading everything. */
export interface CaptureResult {
  info: CaptureInfo;
  frames: number;
  /** Bytes of the (uncompressed) file consumed. */
  bytes: number;
  problems: CaptureProblem[];
  /** Bytes that could not be attributed to any frame (skipped or after a fatal problem). */
  bytesSkipped: number;
}
