import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PcapngParser } from '../../src/capture/pcapng.js';
import { CaptureProblemId } from '../../src/capture/problems.js';
import {
  block,
  type CollectSink,
  concat,
  epb,
  idb,
  opb,
  opt,
  optU32,
  optU64,
  parseBytewise,
  parseSplit,
  payload,
  shb,
  spb,
  summary,
} from './helpers.js';

const make = (s: CollectSink) => new PcapngParser(s);

const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;
const EPB_FLAGS = 2;

/** A 64-bit tick count as two 32-bit halves (bigint only in tests). */
function halves(t: bigint): { hi: number; lo: number } {
  return { hi: Number(t >> 32n), lo: Number(t & 0xffffffffn) };
}

/** 1262893114.341715 s in microseconds. */
const { hi: US_HI, lo: US_LO } = halves(1262893114341715n);

describe('pcapng: sections, interfaces, packets', () => {
  for (const le of [true, false]) {
    test(`${le ? 'little' : 'big'}-endian section with an enhanced packet block`, () => {
      const buf = concat(
        shb(le, { options: [opt(4, 'test')] }),
        idb(le, 1, { snaplen: 65535, options: [opt(IF_NAME, 'eth0'), opt(IF_DESCRIPTION, 'uplink\0')] }),
        epb(le, { hi: US_HI, lo: US_LO, data: payload(62), origlen: 62 }),
        epb(le, { hi: US_HI, lo: US_LO + 1, data: payload(5), origlen: 1514 }),
      );
      const { parser, sink } = parseSplit(make, buf);
      assert.deepEqual(sink.problems, []);
      assert.equal(parser.info.format, 'pcapng');
      assert.equal(parser.info.byteOrder, le ? 'little' : 'big');
      assert.equal(parser.info.version, '1.0');
      assert.equal(parser.info.sections, 1);
      assert.equal(parser.info.snaplen, 65535);
      assert.equal(parser.info.precision, 'us');
      assert.deepEqual(parser.info.interfaces, [
        {
          id: 0,
          linkType: 1,
          snaplen: 65535,
          tsTicksPerSecond: 1e6,
          section: 0,
          name: 'eth0',
          description: 'uplink',
        },
      ]);
      assert.equal(sink.frames.length, 2);
      const [a, b] = sink.frames;
      assert.equal(a?.index, 1);
      assert.equal(a?.tsSec, 1262893114);
      assert.equal(a?.tsNsec, 341715000);
      assert.equal(a?.ts, 1262893114.341715);
      assert.equal(a?.caplen, 62);
      assert.equal(a?.origlen, 62);
      assert.equal(a?.linkType, 1);
      assert.equal(a?.interfaceId, 0);
      assert.equal(a?.fileOffset, 28 + 12 + 20 + 24); // SHB + option, IDB + options
      assert.deepEqual(a?.data, payload(62));
      assert.equal(b?.index, 2);
      assert.equal(b?.tsNsec, 341716000);
      assert.equal(b?.caplen, 5);
      assert.equal(b?.origlen, 1514);
      assert.deepEqual(b?.data, payload(5));
      assert.equal(parser.result().bytesSkipped, 0);
      assert.equal(parser.result().bytes, buf.length);
    });
  }

  test('several sections in one file, each with its byte order, each resetting the interfaces', () => {
    const buf = concat(
      shb(true),
      idb(true, 1),
      idb(true, 113),
      epb(true, { ifId: 1, hi: 0, lo: 1_000_000, data: payload(3) }),
      shb(false),
      idb(false, 101, { options: [opt(IF_TSRESOL, [9])] }),
      epb(false, { ifId: 0, hi: 0, lo: 2_000_000_001, data: payload(4) }),
      // Interface 1 existed in the first section only.
      epb(false, { ifId: 1, hi: 0, lo: 0, data: payload(4) }),
    );
    const { parser, sink } = parseSplit(make, buf);
    assert.equal(parser.info.sections, 2);
    assert.equal(parser.info.byteOrder, 'little');
    assert.deepEqual(
      parser.info.interfaces.map((i) => [i.section, i.id, i.linkType]),
      [
        [0, 0, 1],
        [0, 1, 113],
        [1, 0, 101],
      ],
    );
    assert.deepEqual(
      sink.frames.map((f) => [f.index, f.interfaceId, f.linkType, f.tsSec, f.tsNsec]),
      [
        [1, 1, 113, 1, 0],
        [2, 0, 101, 2, 1],
      ],
    );
    assert.deepEqual(
      sink.problems.map((p) => [p.id, p.fatal, p.packet]),
      [[CaptureProblemId.pcapngUnknownInterface, false, 3]],
    );
  });

  test('several interfaces with different link types in one section', () => {
    const buf = concat(
      shb(true),
      idb(true, 1),
      idb(true, 276),
      idb(true, 0),
      epb(true, { ifId: 2, hi: 0, lo: 1, data: payload(4) }),
      epb(true, { ifId: 0, hi: 0, lo: 2, data: payload(14) }),
      epb(true, { ifId: 1, hi: 0, lo: 3, data: payload(20) }),
    );
    const { sink } = parseSplit(make, buf);
    assert.deepEqual(
      sink.frames.map((f) => [f.interfaceId, f.linkType]),
      [
        [2, 0],
        [0, 1],
        [1, 276],
      ],
    );
  });

  test('if_tsresol: 10^-3, 10^-9 and 2^-10; if_tsoffset', () => {
    const ns = halves(1767663089500330493n);
    const buf = concat(
      shb(true),
      idb(true, 1, { options: [opt(IF_TSRESOL, [3])] }),
      idb(true, 1, { options: [opt(IF_TSRESOL, [9])] }),
      idb(true, 1, { options: [opt(IF_TSRESOL, [0x8a])] }),
      idb(true, 1, { options: [optU64(IF_TSOFFSET, 0, 1000, true)] }),
      idb(true, 1, { options: [opt(IF_TSRESOL, [9]), optU64(IF_TSOFFSET, 0xffffffff, 0xffffff9c, true)] }),
      epb(true, { ifId: 0, hi: 0, lo: 1_234_567, data: payload(1) }), // 1234.567 s
      epb(true, { ifId: 1, ...ns, data: payload(1) }),
      epb(true, { ifId: 2, hi: 0, lo: 5 * 1024 + 512 + 1, data: payload(1) }), // 5.5009765625 s
      epb(true, { ifId: 3, hi: 0, lo: 7_000_001, data: payload(1) }), // 7.000001 s + 1000 s
      epb(true, { ifId: 4, ...ns, data: payload(1) }), // - 100 s
    );
    const { parser, sink } = parseSplit(make, buf);
    assert.deepEqual(sink.problems, []);
    assert.deepEqual(
      sink.frames.map((f) => [f.tsSec, f.tsNsec]),
      [
        [1234, 567_000_000],
        [1767663089, 500330493],
        [5, 500976562], // 513/1024 s = 0.5009765625 s, truncated to ns
        [1007, 1000],
        [1767662989, 500330493],
      ],
    );
    assert.deepEqual(
      parser.info.interfaces.map((i) => [i.tsTicksPerSecond, i.tsresol, i.tsOffset]),
      [
        [1e3, 3, undefined],
        [1e9, 9, undefined],
        [1024, 0x8a, undefined],
        [1e6, undefined, 1000],
        [1e9, 9, -100],
      ],
    );
    // The first interface's resolution decides the file's precision.
    assert.equal(parser.info.precision, 'other');
  });

  test('epb_flags direction bits give Frame.direction', () => {
    const buf = concat(
      shb(false),
      idb(false, 1),
      epb(false, { hi: 0, lo: 1, data: payload(3), options: [optU32(EPB_FLAGS, 1, false)] }),
      epb(false, {
        hi: 0,
        lo: 2,
        data: payload(3),
        options: [opt(1, 'comment'), optU32(EPB_FLAGS, 2, false)],
      }),
      epb(false, { hi: 0, lo: 3, data: payload(3), options: [optU32(EPB_FLAGS, 0x1e0, false)] }),
      epb(false, { hi: 0, lo: 4, data: payload(3) }),
    );
    const { sink } = parseSplit(make, buf);
    assert.deepEqual(
      sink.frames.map((f) => f.direction),
      ['in', 'out', undefined, undefined],
    );
    assert.ok(!('direction' in (sink.frames[3] ?? {})));
  });

  test('simple packet blocks: first interface, origlen from the block, caplen limited by snaplen', () => {
    const buf = concat(
      shb(true),
      idb(true, 1, { snaplen: 8 }),
      idb(true, 105),
      spb(true, 60, payload(8)),
      spb(true, 5, payload(5)),
    );
    const { sink } = parseSplit(make, buf);
    assert.deepEqual(sink.problems, []);
    assert.deepEqual(
      sink.frames.map((f) => [
        f.interfaceId,
        f.linkType,
        f.caplen,
        f.origlen,
        f.tsSec,
        f.tsNsec,
        f.data.length,
      ]),
      [
        [0, 1, 8, 60, 0, 0, 8],
        [0, 1, 5, 5, 0, 0, 5],
      ],
    );
    assert.deepEqual(sink.frames[1]?.data, payload(5));
  });

  test('a simple packet block before any interface is skipped with a problem', () => {
    const buf = concat(shb(true), spb(true, 4, payload(4)), idb(true, 1), spb(true, 4, payload(4)));
    const { parser, sink } = parseSplit(make, buf);
    assert.equal(sink.frames.length, 1);
    assert.equal(sink.problems[0]?.id, CaptureProblemId.pcapngUnknownInterface);
    assert.equal(parser.result().bytesSkipped, 20);
  });

  test('obsolete packet blocks (type 2) are read, pack_flags included', () => {
    const buf = concat(
      shb(true),
      idb(true, 1),
      idb(true, 113),
      opb(true, {
        ifId: 1,
        drops: 3,
        hi: US_HI,
        lo: US_LO,
        data: payload(9),
        origlen: 99,
        options: [optU32(2, 2, true)],
      }),
    );
    const { sink } = parseSplit(make, buf);
    assert.deepEqual(sink.problems, []);
    const f = sink.frames[0];
    assert.deepEqual(
      [f?.interfaceId, f?.linkType, f?.tsSec, f?.tsNsec, f?.caplen, f?.origlen, f?.direction],
      [1, 113, 1262893114, 341715000, 9, 99, 'out'],
    );
  });

  test('other blocks are skipped silently: name resolution, statistics, secrets, custom, journal, unknown', () => {
    const buf = concat(
      shb(true),
      block(true, 4, payload(16)), // NRB
      idb(true, 1),
      block(true, 5, payload(20)), // ISB
      epb(true, { hi: 0, lo: 1, data: payload(2) }),
      block(true, 0x0a, payload(12)), // DSB
      block(true, 0x0bad, payload(8)), // custom
      block(true, 0x40000bad, payload(8)), // custom, not to be copied
      block(true, 9, payload(6)), // systemd journal
      block(true, 0x12345678, payload(0)), // unknown
      epb(true, { hi: 0, lo: 2, data: payload(2) }),
    );
    const { parser, sink } = parseSplit(make, buf);
    assert.deepEqual(sink.problems, []);
    assert.equal(sink.frames.length, 2);
    assert.equal(sink.frames[1]?.index, 2);
    assert.equal(parser.result().bytesSkipped, 0);
  });

  test('an empty capture (section and interface, no packets)', () => {
    const { parser, sink } = parseSplit(make, concat(shb(true), idb(true, 1)));
    assert.deepEqual(sink.problems, []);
    assert.equal(sink.frames.length, 0);
    assert.equal(parser.info.interfaces.length, 1);
  });
});

describe('pcapng: damage', () => {
  const head = concat(shb(true), idb(true, 1));
  const first = epb(true, { hi: 0, lo: 1, data: payload(10) });

  test('a block length that is not a multiple of 4 is fatal, with the offset', () => {
    const bad = epb(true, { hi: 0, lo: 2, data: payload(10) }, { length: 42 });
    const buf = concat(head, first, bad, first);
    const { parser, sink } = parseSplit(make, buf);
    assert.equal(sink.frames.length, 1);
    assert.equal(sink.problems.length, 1);
    const p = sink.problems[0];
    assert.deepEqual(
      [p?.id, p?.fatal, p?.offset, p?.packet],
      [CaptureProblemId.pcapngBadBlockLength, true, head.length + first.length, 2],
    );
    assert.match(
      p?.message ?? '',
      /enhanced packet block at offset \d+ .*total length 42 is not a multiple of 4/,
    );
    assert.equal(parser.result().bytesSkipped, buf.length - head.length - first.length);
  });

  test('a trailer that disagrees with the header is fatal', () => {
    const bad = epb(true, { hi: 0, lo: 2, data: payload(10) }, { trailer: 48 });
    const { sink } = parseSplit(make, concat(head, first, bad, first));
    assert.equal(sink.frames.length, 1);
    assert.deepEqual(
      sink.problems.map((p) => [p.id, p.fatal, p.offset]),
      [[CaptureProblemId.pcapngBadBlockLength, true, head.length + first.length]],
    );
    assert.match(sink.problems[0]?.message ?? '', /total length 44 in the header but 48 in the trailer/);
  });

  test('a block length below 12 or above the maximum is fatal', () => {
    for (const length of [0, 8, 0x7ffffffc]) {
      const bad = block(true, 6, payload(20), { length });
      const { sink } = parseSplit(make, concat(head, first, bad));
      assert.equal(sink.frames.length, 1, `length ${length}`);
      assert.deepEqual(
        sink.problems.map((p) => [p.id, p.fatal]),
        [[CaptureProblemId.pcapngBadBlockLength, true]],
        `length ${length}`,
      );
    }
  });

  test('a bad byte-order magic, an unsupported version and a missing section header are fatal', () => {
    const badBom = shb(true);
    badBom.set([1, 2, 3, 4], 8);
    assert.equal(parseSplit(make, badBom).sink.problems[0]?.id, CaptureProblemId.pcapngBadByteOrder);
    assert.equal(
      parseSplit(make, concat(shb(true, { major: 2 }), idb(true, 1))).sink.problems[0]?.id,
      CaptureProblemId.pcapngUnsupportedVersion,
    );
    assert.equal(parseSplit(make, idb(true, 1)).sink.problems[0]?.id, CaptureProblemId.pcapngNoSection);
    // A second section with a bad magic stops there; the first section's frames stand.
    const second = shb(false);
    second.set([9, 9, 9, 9], 8);
    const r = parseSplit(make, concat(head, first, second, first));
    assert.equal(r.sink.frames.length, 1);
    assert.equal(r.sink.problems[0]?.id, CaptureProblemId.pcapngBadByteOrder);
    assert.equal(r.sink.problems[0]?.offset, head.length + first.length);
  });

  test('a packet naming an undefined interface is skipped (counted in bytesSkipped), reading goes on', () => {
    const bad = epb(true, { ifId: 7, hi: 0, lo: 2, data: payload(10) });
    const buf = concat(head, first, bad, first);
    const { parser, sink } = parseSplit(make, buf);
    assert.deepEqual(
      sink.frames.map((f) => f.index),
      [1, 2],
    );
    assert.equal(sink.frames[1]?.fileOffset, head.length + first.length + bad.length);
    assert.deepEqual(
      sink.problems.map((p) => [p.id, p.fatal, p.offset, p.packet]),
      [[CaptureProblemId.pcapngUnknownInterface, false, head.length + first.length, 2]],
    );
    assert.match(
      sink.problems[0]?.message ?? '',
      /names interface 7, but the section defines only 1 \(0-0\)/,
    );
    const res = parser.result();
    assert.equal(res.bytesSkipped, bad.length);
    assert.equal(res.frames, 2);
  });

  test('a packet whose caplen runs past its block is skipped; a too-short packet block too', () => {
    const overlong = epb(true, { hi: 0, lo: 2, data: payload(8), caplen: 9 });
    const short = block(true, 6, payload(8));
    const { parser, sink } = parseSplit(make, concat(head, overlong, short, first));
    assert.equal(sink.frames.length, 1);
    assert.deepEqual(
      sink.problems.map((p) => [p.id, p.fatal]),
      [
        [CaptureProblemId.pcapngBadPacketBlock, false],
        [CaptureProblemId.pcapngBadPacketBlock, false],
      ],
    );
    assert.equal(parser.result().bytesSkipped, overlong.length + short.length);
  });

  test('an option running past its block is reported, the rest of the block stands', () => {
    // IDB body: link type, reserved, snaplen, then an if_name option claiming 200 bytes.
    const body = concat(
      Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]),
      Uint8Array.from([2, 0, 200, 0]),
      payload(8),
    );
    const buf = concat(shb(true), block(true, 1, body), first);
    const { sink } = parseSplit(make, buf);
    assert.equal(sink.frames.length, 1);
    assert.deepEqual(
      sink.problems.map((p) => [p.id, p.fatal]),
      [[CaptureProblemId.pcapngBadOption, false]],
    );
  });

  test('an interface description block too short for its fields is fatal', () => {
    const { sink } = parseSplit(make, concat(shb(true), block(true, 1, payload(4)), first));
    assert.deepEqual(
      sink.problems.map((p) => [p.id, p.fatal]),
      [[CaptureProblemId.pcapngBadBlock, true]],
    );
  });

  test('truncation at every byte offset: never throws, names the block and offset, earlier frames stand', () => {
    for (const le of [true, false]) {
      const blocks = [
        shb(le),
        idb(le, 1),
        epb(le, { hi: 0, lo: 1, data: payload(10) }),
        block(le, 5, payload(8)),
        epb(le, { hi: 0, lo: 2, data: payload(3), options: [optU32(EPB_FLAGS, 1, le)] }),
        spb(le, 6, payload(6)),
      ];
      const packets = [false, false, true, false, true, true];
      const names = [
        'section header block',
        'interface description block',
        'packet 1 (enhanced packet block)',
        'interface statistics block',
        'packet 2 (enhanced packet block)',
        'packet 3 (simple packet block)',
      ];
      const buf = concat(...blocks);
      const starts = [0];
      for (const b of blocks) starts.push((starts[starts.length - 1] as number) + b.length);
      for (let cut = 0; cut <= buf.length; cut++) {
        const part = buf.subarray(0, cut);
        for (const way of ['whole', 'bytewise'] as const) {
          const { parser, sink } = way === 'whole' ? parseSplit(make, part) : parseBytewise(make, part);
          const ctx = `${le ? 'LE' : 'BE'} cut at ${cut} (${way})`;
          const complete = starts.filter((s) => s <= cut).length - 1;
          const frames = packets.slice(0, complete).filter(Boolean).length;
          assert.equal(sink.frames.length, frames, ctx);
          const start = starts[complete] as number;
          if (cut === start && cut > 0) {
            assert.deepEqual(sink.problems, [], ctx);
            continue;
          }
          assert.equal(sink.problems.length, 1, ctx);
          const p = sink.problems[0];
          assert.equal(p?.id, CaptureProblemId.truncated, ctx);
          assert.equal(p?.fatal, true, ctx);
          assert.equal(p?.offset, start, ctx);
          assert.equal(p?.packet, frames + 1, ctx);
          const have = cut - start;
          const isShb = complete === 0;
          const headerLen = isShb ? (have < 8 ? 8 : 12) : 8;
          const need = have < headerLen ? headerLen : (blocks[complete] as Uint8Array).length;
          const what = have < 4 ? 'block header' : (names[complete] as string);
          assert.equal(
            p?.message,
            `truncated file: ${what} at offset ${start} needs ${need} bytes, only ${have} remain`,
            ctx,
          );
          assert.equal(parser.result().bytesSkipped, have, ctx);
        }
      }
    }
  });
});

describe('pcapng: chunking', () => {
  test('every split point and byte-by-byte feeding give the same frames as one push', () => {
    const buf = concat(
      shb(false),
      idb(false, 1, { options: [opt(IF_TSRESOL, [9])] }),
      epb(false, {
        ...halves(1767663089500330493n),
        data: payload(33),
        options: [optU32(EPB_FLAGS, 2, false)],
      }),
      block(false, 4, payload(12)),
      spb(false, 7, payload(7)),
      shb(true),
      idb(true, 101),
      epb(true, { hi: 0, lo: 77, data: payload(1) }),
    );
    const whole = parseSplit(make, buf).sink.frames.map(summary);
    assert.equal(whole.length, 3);
    for (let s = 0; s <= buf.length; s++) {
      assert.deepEqual(parseSplit(make, buf, [s]).sink.frames.map(summary), whole, `split at ${s}`);
    }
    assert.deepEqual(parseBytewise(make, buf).sink.frames.map(summary), whole);
  });

  test('random garbage after a valid section header never throws', () => {
    let seed = 99;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 300; i++) {
      const le = i % 2 === 0;
      const junk = new Uint8Array(rnd() % 160);
      for (let j = 0; j < junk.length; j++) junk[j] = rnd() & 0xff;
      // Sometimes make the junk look like a block header with a plausible length.
      if (junk.length >= 8 && i % 3 === 0)
        junk.set(le ? [6, 0, 0, 0, 32, 0, 0, 0] : [0, 0, 0, 6, 0, 0, 0, 32], 0);
      const buf = concat(shb(le), idb(le, 1), junk);
      const { sink } = parseSplit(make, buf, [rnd() % (buf.length + 1)]);
      assert.ok(sink.problems.filter((p) => p.fatal).length <= 1);
    }
  });
});
