import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PcapParser } from '../../src/capture/pcap.js';
import { CaptureProblemId } from '../../src/capture/problems.js';
import {
  buildPcap,
  type CollectSink,
  concat,
  type PcapRecordSpec,
  parseBytewise,
  parseSplit,
  payload,
  pcapHeader,
  pcapRecord,
  summary,
} from './helpers.js';

const make = (s: CollectSink) => new PcapParser(s);

const RECORDS: PcapRecordSpec[] = [
  { sec: 1262893114, frac: 341715, data: payload(60, 1) },
  { sec: 1262893114, frac: 474342, data: payload(0, 2) },
  { sec: 1262893115, frac: 999999, data: payload(7, 3), origlen: 1514 },
];

describe('pcap: headers and records', () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      test(`${le ? 'little' : 'big'}-endian, ${nano ? 'nano' : 'micro'}second`, () => {
        const recs = RECORDS.map((r) => ({ ...r, frac: nano ? r.frac * 1000 + 123 : r.frac }));
        const buf = buildPcap({ le, nano, snaplen: 1600, linkType: 113 }, recs);
        const { parser, sink } = parseSplit(make, buf);
        assert.deepEqual(sink.problems, []);
        assert.equal(parser.info.format, 'pcap');
        assert.equal(parser.info.byteOrder, le ? 'little' : 'big');
        assert.equal(parser.info.precision, nano ? 'ns' : 'us');
        assert.equal(parser.info.version, '2.4');
        assert.equal(parser.info.snaplen, 1600);
        assert.deepEqual(parser.info.interfaces, [
          { id: 0, linkType: 113, snaplen: 1600, tsTicksPerSecond: nano ? 1e9 : 1e6 },
        ]);
        assert.equal(sink.frames.length, 3);
        let offset = 24;
        sink.frames.forEach((f, i) => {
          const r = recs[i] as PcapRecordSpec;
          const nsec = nano ? r.frac : r.frac * 1000;
          assert.equal(f.index, i + 1);
          assert.equal(f.tsSec, r.sec);
          assert.equal(f.tsNsec, nsec);
          assert.equal(f.ts, r.sec + nsec / 1e9);
          assert.equal(f.caplen, r.data.length);
          assert.equal(f.origlen, r.origlen ?? r.data.length);
          assert.equal(f.linkType, 113);
          assert.equal(f.interfaceId, 0);
          assert.equal(f.fileOffset, offset);
          assert.equal(f.direction, undefined);
          assert.deepEqual(f.data, r.data);
          offset += 16 + r.data.length;
        });
        const res = parser.result();
        assert.equal(res.frames, 3);
        assert.equal(res.bytes, buf.length);
        assert.equal(res.bytesSkipped, 0);
      });
    }
  }

  test('the FCS bits and reserved bits of the link-type field are ignored', () => {
    // LINKTYPE_ETHERNET with the F bit (28) set and an FCS length of 2 (bits 26-27) and a reserved bit.
    const buf = buildPcap({ linkType: 1 | (1 << 28) | (2 << 26) | (1 << 20) }, RECORDS.slice(0, 1));
    const { parser, sink } = parseSplit(make, buf);
    assert.equal(parser.info.interfaces[0]?.linkType, 1);
    assert.equal(sink.frames[0]?.linkType, 1);
  });

  test('a frame cut by the snap length is delivered as is', () => {
    const buf = buildPcap({ snaplen: 68 }, [{ sec: 1, frac: 2, data: payload(68), origlen: 1500 }]);
    const { sink } = parseSplit(make, buf);
    assert.equal(sink.frames[0]?.caplen, 68);
    assert.equal(sink.frames[0]?.origlen, 1500);
    assert.deepEqual(sink.problems, []);
  });

  test('caplen above snaplen but within the maximum is read without complaint (as libpcap does)', () => {
    const buf = buildPcap({ snaplen: 50 }, [{ sec: 1, frac: 2, data: payload(300) }]);
    const { sink } = parseSplit(make, buf);
    assert.equal(sink.frames[0]?.caplen, 300);
    assert.deepEqual(sink.problems, []);
  });

  test('caplen > origlen: a non-fatal problem, the frame is delivered', () => {
    const buf = buildPcap({}, [
      { sec: 1, frac: 2, data: payload(100), origlen: 60 },
      { sec: 1, frac: 3, data: payload(10) },
    ]);
    const { parser, sink } = parseSplit(make, buf);
    assert.equal(sink.frames.length, 2);
    assert.equal(sink.frames[0]?.caplen, 100);
    assert.equal(sink.frames[0]?.origlen, 60);
    assert.deepEqual(
      sink.problems.map((p) => [p.id, p.fatal, p.packet, p.offset]),
      [[CaptureProblemId.pcapCaplenExceedsOriglen, false, 1, 24]],
    );
    assert.equal(parser.stopped, false);
  });

  test('a version other than 2.x is reported and read on', () => {
    const buf = buildPcap({ major: 3, minor: 1 }, RECORDS);
    const { parser, sink } = parseSplit(make, buf);
    assert.equal(parser.info.version, '3.1');
    assert.equal(sink.frames.length, 3);
    assert.deepEqual(
      sink.problems.map((p) => [p.id, p.fatal]),
      [[CaptureProblemId.pcapBadVersion, false]],
    );
  });
});

describe('pcap: timestamps', () => {
  test('microseconds >= 1,000,000 are carried into the seconds, with a non-fatal problem', () => {
    // Like tcpdump-timestamp_invalid_micro.pcap, frame 2.
    const buf = buildPcap({}, [
      { sec: 1418145369, frac: 999999, data: payload(4) },
      { sec: 1418145370, frac: 1000000, data: payload(4) },
      { sec: 100, frac: 4294967295, data: payload(4) },
    ]);
    const { sink } = parseSplit(make, buf);
    assert.deepEqual(
      sink.frames.map((f) => [f.tsSec, f.tsNsec]),
      [
        [1418145369, 999999000],
        [1418145371, 0],
        [100 + 4294, 967295000],
      ],
    );
    assert.deepEqual(
      sink.problems.map((p) => [p.id, p.fatal, p.packet, p.offset]),
      [
        [CaptureProblemId.pcapBadTimestamp, false, 2, 24 + 20],
        [CaptureProblemId.pcapBadTimestamp, false, 3, 24 + 40],
      ],
    );
  });

  test('nanoseconds >= 1e9 are carried too', () => {
    const buf = buildPcap({ nano: true }, [{ sec: 5, frac: 2_500_000_001, data: payload(1) }]);
    const { sink } = parseSplit(make, buf);
    assert.deepEqual([sink.frames[0]?.tsSec, sink.frames[0]?.tsNsec], [7, 500_000_001]);
    assert.equal(sink.problems[0]?.id, CaptureProblemId.pcapBadTimestamp);
  });

  test('seconds are unsigned 32-bit (2038 and after)', () => {
    const buf = buildPcap({}, [{ sec: 0xffffffff, frac: 1, data: payload(1) }]);
    const { sink } = parseSplit(make, buf);
    assert.equal(sink.frames[0]?.tsSec, 4294967295);
  });
});

describe('pcap: damage', () => {
  test('an impossible caplen is fatal: packet number and record offset, earlier frames stand', () => {
    const good = RECORDS.slice(0, 2);
    const bad: PcapRecordSpec = { sec: 1, frac: 1, data: payload(8), caplen: 0x00ffffff };
    const buf = concat(buildPcap({}, good), pcapRecord(bad), pcapRecord(RECORDS[2] as PcapRecordSpec));
    const { parser, sink } = parseSplit(make, buf);
    assert.equal(sink.frames.length, 2);
    const badOffset = 24 + 16 + 60 + 16 + 0;
    assert.equal(sink.problems.length, 1);
    const p = sink.problems[0];
    assert.equal(p?.id, CaptureProblemId.pcapBadRecordLength);
    assert.equal(p?.fatal, true);
    assert.equal(p?.packet, 3);
    assert.equal(p?.offset, badOffset);
    assert.match(p?.message ?? '', /packet 3 at offset 116 claims 16777215 captured bytes/);
    assert.equal(parser.stopped, true);
    const res = parser.result();
    assert.equal(res.bytes, buf.length);
    assert.equal(res.bytesSkipped, buf.length - badOffset);
  });

  test('caplen of exactly 262144 is accepted, 262145 is not', () => {
    const ok = buildPcap({ snaplen: 262144 }, [{ sec: 1, frac: 1, data: payload(262144) }]);
    assert.equal(parseSplit(make, ok).sink.frames.length, 1);
    const bad = buildPcap({ snaplen: 262144 }, [{ sec: 1, frac: 1, data: payload(262145) }]);
    const r = parseSplit(make, bad);
    assert.equal(r.sink.frames.length, 0);
    assert.equal(r.sink.problems[0]?.id, CaptureProblemId.pcapBadRecordLength);
  });

  test('larger records are accepted for D-Bus (link type 231) up to the snap length', () => {
    const buf = buildPcap({ linkType: 231, snaplen: 1 << 27 }, [{ sec: 1, frac: 1, data: payload(300000) }]);
    const { sink } = parseSplit(make, buf);
    assert.equal(sink.frames[0]?.caplen, 300000);
    const beyond = buildPcap({ linkType: 231, snaplen: 262144 }, [
      { sec: 1, frac: 1, data: payload(300000) },
    ]);
    assert.equal(parseSplit(make, beyond).sink.problems[0]?.id, CaptureProblemId.pcapBadRecordLength);
  });

  test('truncation at every byte offset: never throws, names the packet and offset, earlier frames stand', () => {
    const buf = buildPcap({}, RECORDS);
    // Unit boundaries: file header, then each record.
    const starts = [0, 24];
    for (const r of RECORDS) starts.push((starts[starts.length - 1] as number) + 16 + r.data.length);
    assert.equal(starts[starts.length - 1], buf.length);
    for (let cut = 0; cut <= buf.length; cut++) {
      const part = buf.subarray(0, cut);
      for (const way of ['whole', 'bytewise'] as const) {
        const { parser, sink } = way === 'whole' ? parseSplit(make, part) : parseBytewise(make, part);
        const complete = starts.filter((s) => s <= cut).length - 1; // units wholly inside
        const frames = Math.max(0, complete - 1);
        const ctx = `cut at ${cut} (${way})`;
        assert.equal(sink.frames.length, frames, ctx);
        const unitStart = starts[complete] as number;
        if (cut === unitStart && cut >= 24) {
          assert.deepEqual(sink.problems, [], ctx);
          continue;
        }
        assert.equal(sink.problems.length, 1, ctx);
        const p = sink.problems[0];
        assert.equal(p?.id, CaptureProblemId.truncated, ctx);
        assert.equal(p?.fatal, true, ctx);
        assert.equal(p?.offset, unitStart, ctx);
        assert.equal(p?.packet, frames + 1, ctx);
        const have = cut - unitStart;
        const need =
          unitStart === 0 ? 24 : have < 16 ? 16 : 16 + (RECORDS[complete - 1] as PcapRecordSpec).data.length;
        const what = unitStart === 0 ? 'file header' : `packet ${frames + 1}`;
        assert.equal(
          p?.message,
          `truncated file: ${what} at offset ${unitStart} needs ${need} bytes, only ${have} remain`,
          ctx,
        );
        assert.equal(parser.result().bytesSkipped, have, ctx);
        assert.equal(parser.result().bytes, cut, ctx);
      }
    }
  });

  test('random garbage after a valid header never throws', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 300; i++) {
      const junk = new Uint8Array(rnd() % 200);
      for (let j = 0; j < junk.length; j++) junk[j] = rnd() & 0xff;
      const buf = concat(pcapHeader({ le: i % 2 === 0 }), junk);
      const { sink } = parseSplit(
        make,
        buf,
        [rnd() % (buf.length + 1)].sort((a, b) => a - b),
      );
      assert.ok(sink.problems.filter((p) => p.fatal).length <= 1);
    }
  });
});

describe('pcap: chunking', () => {
  test('every split point and byte-by-byte feeding give the same frames as one push', () => {
    const buf = buildPcap({ le: false, nano: true }, RECORDS);
    const whole = parseSplit(make, buf).sink.frames.map(summary);
    for (let s = 0; s <= buf.length; s++) {
      assert.deepEqual(parseSplit(make, buf, [s]).sink.frames.map(summary), whole, `split at ${s}`);
    }
    for (let s = 0; s + 13 <= buf.length; s += 3) {
      assert.deepEqual(
        parseSplit(make, buf, [s, s + 13]).sink.frames.map(summary),
        whole,
        `splits ${s}, ${s + 13}`,
      );
    }
    assert.deepEqual(parseBytewise(make, buf).sink.frames.map(summary), whole);
  });

  test('frames inside one chunk are views into it, not copies', () => {
    const buf = buildPcap({}, RECORDS);
    const parser = new PcapParser({
      frame(f) {
        assert.equal(f.data.buffer, buf.buffer);
      },
      problem() {},
    });
    parser.push(buf);
    parser.end();
    assert.equal(parser.frames, 3);
  });

  test('halt() from inside the sink stops after the current frame; bytes end at that boundary', () => {
    const buf = buildPcap({}, RECORDS);
    const frames: number[] = [];
    const parser: PcapParser = new PcapParser({
      frame(f) {
        frames.push(f.index);
        if (f.index === 2) parser.halt();
      },
      problem() {
        assert.fail('no problem expected');
      },
    });
    parser.push(buf);
    parser.push(payload(5)); // ignored after halt
    parser.end();
    assert.deepEqual(frames, [1, 2]);
    assert.equal(parser.result().bytes, 24 + 16 + 60 + 16);
    assert.equal(parser.result().bytesSkipped, 0);
  });

  test('many identical non-fatal problems are capped and summarised', () => {
    const recs: PcapRecordSpec[] = [];
    for (let i = 0; i < 150; i++) recs.push({ sec: 1, frac: 1_000_001, data: payload(1) });
    const { parser, sink } = parseSplit(make, buildPcap({}, recs));
    assert.equal(sink.frames.length, 150);
    assert.equal(sink.problems.length, 101);
    assert.match(sink.problems[100]?.message ?? '', /^50 more pcap\.bad-timestamp problems/);
    assert.equal(parser.result().problems.length, 101);
  });
});
