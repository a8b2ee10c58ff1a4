/**
 * pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html): a sequence of
 * blocks `type, total length, body, total length`. A section header block (SHB) sets the byte
 * order and starts a new interface list; interface description blocks (IDB) define link type,
 * snap length and timestamp resolution; packet blocks (EPB, SPB, obsolete PB) carry frames.
 * Everything else (name resolution, statistics, decryption secrets, custom, journal) is skipped.
 *
 * Framing problems (a total length that is not a multiple of 4, too small or too large, or a
 * trailer that disagrees with the header) are fatal: nothing after them can be trusted. A packet
 * block that is well framed but unusable (unknown interface, captured length past its block) is
 * reported and skipped, and reading goes on.
 */

import { u16be, u16le, u32be, u32le } from '../core/bytes.js';
import { FileParser } from './framing.js';
import { CaptureProblemId } from './problems.js';
import { MICROSECONDS, type TickResolution, tickOut, tickResolution, ticksToTime } from './ticks.js';
import type { CaptureInfo, CaptureSink, InterfaceInfo } from './types.js';

/** Block types. */
export const BlockType = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  /** Obsolete packet block. */
  PB: 0x00000002,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  JOURNAL: 0x00000009,
  DSB: 0x0000000a,
  CUSTOM: 0x00000bad,
  CUSTOM_NOCOPY: 0x40000bad,
} as const;

const BLOCK_NAMES: Record<number, string> = {
  [BlockType.SHB]: 'section header block',
  [BlockType.IDB]: 'interface description block',
  [BlockType.PB]: 'packet block',
  [BlockType.SPB]: 'simple packet block',
  [BlockType.NRB]: 'name resolution block',
  [BlockType.ISB]: 'interface statistics block',
  [BlockType.EPB]: 'enhanced packet block',
  [BlockType.JOURNAL]: 'systemd journal export block',
  [BlockType.DSB]: 'decryption secrets block',
  [BlockType.CUSTOM]: 'custom block',
  [BlockType.CUSTOM_NOCOPY]: 'custom block',
};

function blockName(type: number): string {
  return BLOCK_NAMES[type] ?? `block type 0x${type.toString(16).padStart(8, '0')}`;
}

/** The byte-order magic of a section header, read big-endian: as written by a big-endian host. */
const BOM_BE = 0x1a2b3c4d;
const BOM_LE = 0x4d3c2b1a;

/** Block header: type and total length; the trailer repeats the total length. */
const BLOCK_HEADER_LEN = 8;
const BLOCK_TRAILER_LEN = 4;
const MIN_BLOCK_LEN = 12;
/** Largest block accepted (Wireshark accepts larger only for D-Bus packets). */
export const MAX_BLOCK_LEN = 16 * 1024 * 1024;

/** SHB body offsets (from the block start). */
const SHB_BOM = 8;
const SHB_MAJOR = 12;
const SHB_MINOR = 14;
const SHB_MIN_LEN = 28;

/** IDB body offsets. */
const IDB_LINKTYPE = 8;
const IDB_SNAPLEN = 12;
const IDB_OPTIONS = 16;
const IDB_MIN_LEN = 20;

/** EPB body offsets. */
const EPB_INTERFACE = 8;
const EPB_TS_HIGH = 12;
const EPB_TS_LOW = 16;
const EPB_CAPLEN = 20;
const EPB_ORIGLEN = 24;
const EPB_DATA = 28;
const EPB_MIN_LEN = 32;

/** Obsolete PB body offsets: 16-bit interface id and drop count, then as EPB. */
const PB_INTERFACE = 8;
const PB_MIN_LEN = 32;

/** SPB body offsets. */
const SPB_ORIGLEN = 8;
const SPB_DATA = 12;
const SPB_MIN_LEN = 16;

/** Option codes. */
const OPT_ENDOFOPT = 0;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
/** epb_flags (EPB) and pack_flags (PB): bits 0-1 are the direction. */
const OPT_EPB_FLAGS = 2;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** What the per-frame path needs about an interface. */
interface Iface {
  readonly linkType: number;
  readonly snaplen: number;
  readonly res: TickResolution;
  readonly offsetSec: number;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

export class PcapngParser extends FileParser {
  readonly info: CaptureInfo = {
    format: 'pcapng',
    byteOrder: 'little',
    compressed: false,
    snaplen: 0,
    precision: 'us',
    interfaces: [],
    sections: 0,
  };

  /** Byte order of the current section. */
  private le = true;
  /** Interfaces of the current section, by id. */
  private ifaces: Iface[] = [];

  constructor(sink: CaptureSink) {
    super(sink);
  }

  protected override unitLength(buf: Uint8Array, pos: number, avail: number): number {
    if (avail < BLOCK_HEADER_LEN) return BLOCK_HEADER_LEN;
    let le = this.le;
    const type = u32le(buf, pos); // SHB's type is a palindrome; others are checked after the length
    if (type === BlockType.SHB) {
      if (avail < SHB_BOM + 4) return SHB_BOM + 4;
      const bom = u32be(buf, pos + SHB_BOM);
      if (bom === BOM_BE) le = false;
      else if (bom === BOM_LE) le = true;
      else {
        this.problem(
          CaptureProblemId.pcapngBadByteOrder,
          true,
          this.offset,
          `section header block at offset ${this.offset}: byte-order magic 0x${bom.toString(16).padStart(8, '0')} is not 0x1a2b3c4d`,
        );
        return -1;
      }
    } else if (this.info.sections === 0) {
      this.problem(
        CaptureProblemId.pcapngNoSection,
        true,
        this.offset,
        `not a pcapng file: the first block (type 0x${type.toString(16)}) is not a section header block`,
      );
      return -1;
    }
    const len = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
    const min = type === BlockType.SHB ? SHB_MIN_LEN : MIN_BLOCK_LEN;
    if (len % 4 !== 0 || len < min || len > MAX_BLOCK_LEN) {
      const t = le ? type : u32be(buf, pos);
      const why =
        len % 4 !== 0
          ? 'is not a multiple of 4'
          : len < min
            ? `is below the minimum of ${min}`
            : `exceeds the maximum of ${MAX_BLOCK_LEN}`;
      this.problem(
        CaptureProblemId.pcapngBadBlockLength,
        true,
        this.offset,
        `corrupt ${blockName(t)} at offset ${this.offset} (before packet ${this.nextIndex}): total length ${len} ${why}`,
      );
      return -1;
    }
    return len;
  }

  protected override unit(buf: Uint8Array, pos: number, len: number): void {
    const isShb = u32le(buf, pos) === BlockType.SHB;
    const le = isShb ? u32be(buf, pos + SHB_BOM) === BOM_LE : this.le;
    const type = le ? u32le(buf, pos) : u32be(buf, pos);
    const trailer = le ? u32le(buf, pos + len - 4) : u32be(buf, pos + len - 4);
    if (trailer !== len) {
      this.problem(
        CaptureProblemId.pcapngBadBlockLength,
        true,
        this.offset,
        `corrupt ${blockName(type)} at offset ${this.offset} (before packet ${this.nextIndex}): ` +
          `total length ${len} in the header but ${trailer} in the trailer`,
      );
      return;
    }
    switch (type) {
      case BlockType.EPB:
        this.enhancedPacket(buf, pos, len);
        return;
      case BlockType.SPB:
        this.simplePacket(buf, pos, len);
        return;
      case BlockType.PB:
        this.obsoletePacket(buf, pos, len);
        return;
      case BlockType.IDB:
        this.interfaceDescription(buf, pos, len);
        return;
      case BlockType.SHB:
        this.sectionHeader(buf, pos, len, le);
        return;
      default:
        // Name resolution, interface statistics, decryption secrets, custom, journal, unknown: skipped.
        return;
    }
  }

  protected override describePartial(buf: Uint8Array, len: number): string {
    if (len < 4) return 'block header';
    const isShb = u32le(buf, 0) === BlockType.SHB;
    const type = isShb || this.le ? u32le(buf, 0) : u32be(buf, 0);
    if (type === BlockType.EPB || type === BlockType.SPB || type === BlockType.PB) {
      return `packet ${this.nextIndex} (${blockName(type)})`;
    }
    return blockName(type);
  }

  protected override needsMoreAtEnd(): boolean {
    return this.info.sections === 0;
  }

  private u32(buf: Uint8Array, o: number): number {
    return this.le ? u32le(buf, o) : u32be(buf, o);
  }

  private u16(buf: Uint8Array, o: number): number {
    return this.le ? u16le(buf, o) : u16be(buf, o);
  }

  private sectionHeader(buf: Uint8Array, pos: number, _len: number, le: boolean): void {
    this.le = le;
    const major = this.u16(buf, pos + SHB_MAJOR);
    const minor = this.u16(buf, pos + SHB_MINOR);
    if (major !== 1) {
      this.problem(
        CaptureProblemId.pcapngUnsupportedVersion,
        true,
        this.offset,
        `section header block at offset ${this.offset}: pcapng version ${major}.${minor} is not supported (only 1.x)`,
      );
      return;
    }
    if (this.info.sections === 0) {
      this.info.byteOrder = le ? 'little' : 'big';
      this.info.version = `${major}.${minor}`;
    }
    this.info.sections++;
    this.ifaces = [];
    // SHB options (hardware, OS, application) are not needed.
  }

  private interfaceDescription(buf: Uint8Array, pos: number, len: number): void {
    if (len < IDB_MIN_LEN) {
      // Interface ids are positional: losing one would attach later packets to the wrong interface.
      this.problem(
        CaptureProblemId.pcapngBadBlock,
        true,
        this.offset,
        `interface description block at offset ${this.offset}: total length ${len} is below the minimum of ${IDB_MIN_LEN}`,
      );
      return;
    }
    const linkType = this.u16(buf, pos + IDB_LINKTYPE);
    const snaplen = this.u32(buf, pos + IDB_SNAPLEN);
    let res = MICROSECONDS;
    let offsetSec = 0;
    let name: string | undefined;
    let description: string | undefined;
    const end = pos + len - BLOCK_TRAILER_LEN;
    let o = pos + IDB_OPTIONS;
    while (o + 4 <= end) {
      const code = this.u16(buf, o);
      const olen = this.u16(buf, o + 2);
      if (code === OPT_ENDOFOPT) break;
      const v = o + 4;
      if (v + olen > end) {
        this.badOption('interface description block', code, olen);
        break;
      }
      if (code === OPT_IF_NAME) name = optionString(buf, v, olen);
      else if (code === OPT_IF_DESCRIPTION) description = optionString(buf, v, olen);
      else if (code === OPT_IF_TSRESOL && olen >= 1) res = tickResolution(buf[v] as number);
      else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        // Signed 64-bit seconds.
        const hi = this.le ? u32le(buf, v + 4) | 0 : u32be(buf, v) | 0;
        const lo = this.le ? u32le(buf, v) : u32be(buf, v + 4);
        offsetSec = hi * 4294967296 + lo;
      }
      o = v + pad4(olen);
    }
    const id = this.ifaces.length;
    this.ifaces.push({ linkType, snaplen, res, offsetSec });
    const info: InterfaceInfo = {
      id,
      linkType,
      snaplen,
      tsTicksPerSecond: res.ticksPerSecond,
      section: this.info.sections - 1,
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(res.code !== MICROSECONDS.code ? { tsresol: res.code } : {}),
      ...(offsetSec !== 0 ? { tsOffset: offsetSec } : {}),
    };
    if (this.info.interfaces.length === 0) {
      this.info.snaplen = snaplen;
      this.info.precision = res.code === 6 ? 'us' : res.code === 9 ? 'ns' : 'other';
    }
    this.info.interfaces.push(info);
  }

  private enhancedPacket(buf: Uint8Array, pos: number, len: number): void {
    if (len < EPB_MIN_LEN) {
      this.badPacket(len, `total length ${len} is below the minimum of ${EPB_MIN_LEN}`);
      return;
    }
    this.packet(buf, pos, len, this.u32(buf, pos + EPB_INTERFACE));
  }

  private obsoletePacket(buf: Uint8Array, pos: number, len: number): void {
    if (len < PB_MIN_LEN) {
      this.badPacket(len, `total length ${len} is below the minimum of ${PB_MIN_LEN}`);
      return;
    }
    // Same layout as the EPB from the timestamp on; the drops count is ignored.
    this.packet(buf, pos, len, this.u16(buf, pos + PB_INTERFACE));
  }

  /** EPB and obsolete PB: timestamp, caplen, origlen, data, options (flags) at the same offsets. */
  private packet(buf: Uint8Array, pos: number, len: number, ifId: number): void {
    const ifc = this.ifaces[ifId];
    if (ifc === undefined) {
      this.unknownInterface(len, ifId);
      return;
    }
    const le = this.le;
    const caplen = le ? u32le(buf, pos + EPB_CAPLEN) : u32be(buf, pos + EPB_CAPLEN);
    const end = pos + len - BLOCK_TRAILER_LEN;
    const data = pos + EPB_DATA;
    if (caplen > end - data) {
      this.badPacket(len, `captured length ${caplen} exceeds the ${end - data} bytes the block holds`);
      return;
    }
    const origlen = le ? u32le(buf, pos + EPB_ORIGLEN) : u32be(buf, pos + EPB_ORIGLEN);
    const hi = le ? u32le(buf, pos + EPB_TS_HIGH) : u32be(buf, pos + EPB_TS_HIGH);
    const lo = le ? u32le(buf, pos + EPB_TS_LOW) : u32be(buf, pos + EPB_TS_LOW);
    ticksToTime(hi, lo, ifc.res);
    const tsSec = tickOut.sec + ifc.offsetSec;
    const tsNsec = tickOut.nsec;
    const opts = data + pad4(caplen);
    const flags = opts + 4 <= end ? this.packetFlags(buf, opts, end) : 0;
    const dir = flags & 3;
    if (dir === 1 || dir === 2) {
      this.sink.frame({
        index: this.nextIndex++,
        tsSec,
        tsNsec,
        ts: tsSec + tsNsec / 1e9,
        caplen,
        origlen,
        linkType: ifc.linkType,
        interfaceId: ifId,
        data: buf.subarray(data, data + caplen),
        fileOffset: this.offset,
        direction: dir === 1 ? 'in' : 'out',
      });
    } else {
      this.sink.frame({
        index: this.nextIndex++,
        tsSec,
        tsNsec,
        ts: tsSec + tsNsec / 1e9,
        caplen,
        origlen,
        linkType: ifc.linkType,
        interfaceId: ifId,
        data: buf.subarray(data, data + caplen),
        fileOffset: this.offset,
      });
    }
  }

  private simplePacket(buf: Uint8Array, pos: number, len: number): void {
    if (len < SPB_MIN_LEN) {
      this.badPacket(len, `total length ${len} is below the minimum of ${SPB_MIN_LEN}`);
      return;
    }
    const ifc = this.ifaces[0];
    if (ifc === undefined) {
      this.unknownInterface(len, 0);
      return;
    }
    const origlen = this.u32(buf, pos + SPB_ORIGLEN);
    const data = pos + SPB_DATA;
    const room = pos + len - BLOCK_TRAILER_LEN - data;
    // Captured length = min(original length, snap length), within what the block holds.
    let caplen = Math.min(origlen, room);
    if (ifc.snaplen !== 0 && ifc.snaplen < caplen) caplen = ifc.snaplen;
    // No timestamp in a simple packet block.
    this.sink.frame({
      index: this.nextIndex++,
      tsSec: 0,
      tsNsec: 0,
      ts: 0,
      caplen,
      origlen,
      linkType: ifc.linkType,
      interfaceId: 0,
      data: buf.subarray(data, data + caplen),
      fileOffset: this.offset,
    });
  }

  /** The epb_flags / pack_flags option value, or 0. */
  private packetFlags(buf: Uint8Array, o: number, end: number): number {
    while (o + 4 <= end) {
      const code = this.u16(buf, o);
      const olen = this.u16(buf, o + 2);
      if (code === OPT_ENDOFOPT) return 0;
      const v = o + 4;
      if (v + olen > end) {
        this.badOption('packet block', code, olen);
        return 0;
      }
      if (code === OPT_EPB_FLAGS && olen >= 4) return this.u32(buf, v);
      o = v + pad4(olen);
    }
    return 0;
  }

  private unknownInterface(len: number, ifId: number): void {
    this.skipped += len;
    const defined = this.ifaces.length;
    this.problem(
      CaptureProblemId.pcapngUnknownInterface,
      false,
      this.offset,
      `packet block at offset ${this.offset} names interface ${ifId}, but the section defines ` +
        `${defined === 0 ? 'no interfaces' : `only ${defined} (0-${defined - 1})`}; packet skipped`,
    );
  }

  private badPacket(len: number, why: string): void {
    this.skipped += len;
    this.problem(
      CaptureProblemId.pcapngBadPacketBlock,
      false,
      this.offset,
      `packet block at offset ${this.offset}: ${why}; packet skipped`,
    );
  }

  private badOption(where: string, code: number, olen: number): void {
    this.problem(
      CaptureProblemId.pcapngBadOption,
      false,
      this.offset,
      `${where} at offset ${this.offset}: option ${code} of length ${olen} runs past the end of the block; options after it ignored`,
    );
  }
}

/** An option's UTF-8 text without trailing NULs (some writers include the C terminator). */
function optionString(buf: Uint8Array, o: number, len: number): string {
  let end = o + len;
  while (end > o && buf[end - 1] === 0) end--;
  return utf8.decode(buf.subarray(o, end));
}
