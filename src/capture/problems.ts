/**
 * Stable identifiers of problems in capture files (ARCHITECTURE principle 11: tests and callers
 * match identifiers, never English). The message of a problem says what and where in words.
 */
export const CaptureProblemId = {
  /** The file ends in the middle of a header, record or block (fatal). */
  truncated: 'capture.truncated',
  /** Reading the input failed part-way (an I/O error after some bytes were read; fatal). */
  readError: 'capture.read-error',
  /** The gzip stream is corrupt or ends early (fatal; frames decompressed before stand). */
  gzipCorrupt: 'capture.gzip-corrupt',

  /** pcap: the file header's magic is not one of the four pcap magics (fatal). */
  pcapBadMagic: 'pcap.bad-magic',
  /** pcap: the file header's major version is not 2 (not fatal: the records are read anyway). */
  pcapBadVersion: 'pcap.bad-version',
  /** pcap: a record header's captured length is impossible (fatal: record framing is lost). */
  pcapBadRecordLength: 'pcap.bad-record-length',
  /** pcap: caplen > origlen (not fatal: tshark accepts such records; the frame is delivered). */
  pcapCaplenExceedsOriglen: 'pcap.caplen-exceeds-origlen',
  /** pcap: the sub-second field is >= 1 s; it is carried into the seconds (not fatal). */
  pcapBadTimestamp: 'pcap.bad-timestamp',

  /** pcapng: a block's total length is not a multiple of 4, too small, too large, or its trailer disagrees (fatal). */
  pcapngBadBlockLength: 'pcapng.bad-block-length',
  /** pcapng: the section header's byte-order magic is neither 0x1a2b3c4d nor its swap (fatal). */
  pcapngBadByteOrder: 'pcapng.bad-byte-order',
  /** pcapng: a section header with a major version other than 1 (fatal). */
  pcapngUnsupportedVersion: 'pcapng.unsupported-version',
  /** pcapng: the first block is not a section header (fatal). */
  pcapngNoSection: 'pcapng.no-section-header',
  /** pcapng: a section or interface description block too short for its fixed fields (fatal). */
  pcapngBadBlock: 'pcapng.bad-block',
  /** pcapng: a packet block naming an interface the section has not described (packet skipped). */
  pcapngUnknownInterface: 'pcapng.unknown-interface',
  /** pcapng: a packet block too short for its fields or its captured length (packet skipped). */
  pcapngBadPacketBlock: 'pcapng.bad-packet-block',
  /** pcapng: an option running past the end of its block (remaining options ignored). */
  pcapngBadOption: 'pcapng.bad-option',
} as const;

export type CaptureProblemIdValue = (typeof CaptureProblemId)[keyof typeof CaptureProblemId];
