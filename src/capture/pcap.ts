/**
 * Classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): a 24-byte file
 * header, then records of a 16-byte header and `caplen` bytes. Either byte order, microsecond
 * (0xa1b2c3d4) or nanosecond (0xa1b23c4d) timestamps.
 *
 * pcap records carry no redundancy: a damaged record header loses the framing of everything
 * after it. So a captured length that no capture could have is fatal (the frames before it stand),
 * while oddities a real capture can have (caplen > origlen, caplen > snaplen, a sub-second field
 * >= 1 s) are reported and read on, as libpcap and Wireshark do.
 */

import { u16be, u16le, u32be, u32le } from '../core/bytes.js';
import { FileParser } from './framing.js';
import { CaptureProblemId } from './problems.js';
import type { CaptureInfo, CaptureSink, InterfaceInfo } from './types.js';

export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

/** File header field offsets. */
const FH_MAGIC = 0;
const FH_VERSION_MAJOR = 4;
const FH_VERSION_MINOR = 6;
const FH_SNAPLEN = 16;
const FH_LINKTYPE = 20;

/** Record header field offsets. */
const RH_TS_SEC = 0;
const RH_TS_FRAC = 4;
const RH_CAPLEN = 8;
const RH_ORIGLEN = 12;

/** Magic numbers as read big-endian from the first four bytes. */
export const PCAP_MAGIC_US_BE = 0xa1b2c3d4;
export const PCAP_MAGIC_US_LE = 0xd4c3b2a1;
export const PCAP_MAGIC_NS_BE = 0xa1b23c4d;
export const PCAP_MAGIC_NS_LE = 0x4d3cb2a1;

/** Largest record libpcap and Wireshark accept for ordinary link types (WTAP_MAX_PACKET_SIZE_STANDARD). */
export const MAX_CAPLEN_STANDARD = 262144;
/** Link types whose records may be larger (D-Bus, USB), as in Wireshark. */
const MAX_CAPLEN_LARGE = 128 * 1024 * 1024;
const LARGE_LINKTYPES = new Set([189, 220, 231, 249]);

/**
 * Largest captured length accepted in a pcap file: 262144, as libpcap and Wireshark. Link types
 * with larger packets (D-Bus, USB) may go up to the file's snap length, at most 128 MiB. Records
 * longer than the snap length but within 262144 are accepted as Wireshark does (libpcap would
 * cut them to the snap length): real files have headers with a wrong snap length.
 */
export function maxCaplenFor(linkType: number, snaplen: number): number {
  if (!LARGE_LINKTYPES.has(linkType)) return MAX_CAPLEN_STANDARD;
  return Math.min(MAX_CAPLEN_LARGE, Math.max(MAX_CAPLEN_STANDARD, snaplen));
}

/** Precision and byte order of a pcap magic (first four bytes read big-endian), or undefined. */
export function pcapMagicKind(magic: number): { le: boolean; nano: boolean } | undefined {
  switch (magic) {
    case PCAP_MAGIC_US_BE:
      return { le: false, nano: false };
    case PCAP_MAGIC_US_LE:
      return { le: true, nano: false };
    case PCAP_MAGIC_NS_BE:
      return { le: false, nano: true };
    case PCAP_MAGIC_NS_LE:
      return { le: true, nano: true };
    default:
      return undefined;
  }
}

export class PcapParser extends FileParser {
  readonly info: CaptureInfo = {
    format: 'pcap',
    byteOrder: 'little',
    compressed: false,
    snaplen: 0,
    precision: 'us',
    interfaces: [],
    sections: 0,
  };

  private headerDone = false;
  private le = true;
  private nano = false;
  private linkType = 0;
  private maxCaplen = MAX_CAPLEN_STANDARD;

  constructor(sink: CaptureSink) {
    super(sink);
  }

  protected override unitLength(buf: Uint8Array, pos: number, avail: number): number {
    if (!this.headerDone) return PCAP_FILE_HEADER_LEN;
    if (avail < PCAP_RECORD_HEADER_LEN) return PCAP_RECORD_HEADER_LEN;
    const caplen = this.u32(buf, pos + RH_CAPLEN);
    if (caplen > this.maxCaplen) {
      const origlen = this.u32(buf, pos + RH_ORIGLEN);
      this.problem(
        CaptureProblemId.pcapBadRecordLength,
        true,
        this.offset,
        `corrupt record header: packet ${this.nextIndex} at offset ${this.offset} claims ${caplen} captured bytes ` +
          `(origlen ${origlen}, snaplen ${this.info.snaplen}); the maximum is ${this.maxCaplen}`,
      );
      return -1;
    }
    return PCAP_RECORD_HEADER_LEN + caplen;
  }

  protected override unit(buf: Uint8Array, pos: number, len: number): void {
    if (!this.headerDone) {
      this.fileHeader(buf, pos);
      return;
    }
    const le = this.le;
    let tsSec = le ? u32le(buf, pos + RH_TS_SEC) : u32be(buf, pos + RH_TS_SEC);
    let frac = le ? u32le(buf, pos + RH_TS_FRAC) : u32be(buf, pos + RH_TS_FRAC);
    const origlen = le ? u32le(buf, pos + RH_ORIGLEN) : u32be(buf, pos + RH_ORIGLEN);
    const caplen = len - PCAP_RECORD_HEADER_LEN;
    const perSecond = this.nano ? 1e9 : 1e6;
    if (frac >= perSecond) {
      const extra = Math.floor(frac / perSecond);
      frac -= extra * perSecond;
      this.badTimestamp(tsSec, extra, frac);
      tsSec += extra;
    }
    const tsNsec = this.nano ? frac : frac * 1000;
    if (caplen > origlen) {
      this.problem(
        CaptureProblemId.pcapCaplenExceedsOriglen,
        false,
        this.offset,
        `packet ${this.nextIndex} at offset ${this.offset}: captured length ${caplen} exceeds original length ${origlen}`,
      );
    }
    this.sink.frame({
      index: this.nextIndex++,
      tsSec,
      tsNsec,
      ts: tsSec + tsNsec / 1e9,
      caplen,
      origlen,
      linkType: this.linkType,
      interfaceId: 0,
      data: buf.subarray(pos + PCAP_RECORD_HEADER_LEN, pos + len),
      fileOffset: this.offset,
    });
  }

  protected override describePartial(_buf: Uint8Array, _len: number): string {
    return this.headerDone ? `packet ${this.nextIndex}` : 'file header';
  }

  protected override needsMoreAtEnd(): boolean {
    return !this.headerDone;
  }

  private badTimestamp(sec: number, extra: number, rest: number): void {
    const unit = this.nano ? 'nanosecond' : 'microsecond';
    const perSecond = this.nano ? 1e9 : 1e6;
    this.problem(
      CaptureProblemId.pcapBadTimestamp,
      false,
      this.offset,
      `packet ${this.nextIndex} at offset ${this.offset}: ${unit} field ${extra * perSecond + rest} is not below ${perSecond}; ` +
        `read as ${sec + extra} s + ${rest} ${unit}s`,
    );
  }

  private fileHeader(buf: Uint8Array, pos: number): void {
    const magic = u32be(buf, pos + FH_MAGIC);
    const kind = pcapMagicKind(magic);
    if (kind === undefined) {
      this.problem(
        CaptureProblemId.pcapBadMagic,
        true,
        this.offset,
        `not a pcap file: magic 0x${magic.toString(16).padStart(8, '0')}`,
      );
      return;
    }
    this.le = kind.le;
    this.nano = kind.nano;
    const major = this.u16(buf, pos + FH_VERSION_MAJOR);
    const minor = this.u16(buf, pos + FH_VERSION_MINOR);
    const snaplen = this.u32(buf, pos + FH_SNAPLEN);
    // Low 16 bits: the link type; bits 26-28 (FCS length and flag) and the reserved bits are ignored.
    const linkType = this.u32(buf, pos + FH_LINKTYPE) & 0xffff;
    this.linkType = linkType;
    this.maxCaplen = maxCaplenFor(linkType, snaplen);
    this.headerDone = true;
    const iface: InterfaceInfo = {
      id: 0,
      linkType,
      snaplen,
      tsTicksPerSecond: kind.nano ? 1e9 : 1e6,
    };
    const info = this.info;
    info.byteOrder = kind.le ? 'little' : 'big';
    info.version = `${major}.${minor}`;
    info.snaplen = snaplen;
    info.precision = kind.nano ? 'ns' : 'us';
    info.interfaces.push(iface);
    if (major !== 2) {
      this.problem(
        CaptureProblemId.pcapBadVersion,
        false,
        this.offset,
        `pcap version ${major}.${minor} (expected 2.x); reading the records as 2.4`,
      );
    }
  }

  private u32(buf: Uint8Array, o: number): number {
    return this.le ? u32le(buf, o) : u32be(buf, o);
  }

  private u16(buf: Uint8Array, o: number): number {
    return this.le ? u16le(buf, o) : u16be(buf, o);
  }
}
