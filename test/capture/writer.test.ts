import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCapture, readCaptureBuffer } from '../../src/capture/source.js';
import type { Frame } from '../../src/capture/types.js';
import { createCaptureWriter, formatFromPath } from '../../src/capture/writer.js';
import { ExitCode, UserError } from '../../src/core/errors.js';
import { CollectSink, hasTool, payload, type SeenFrame } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const WRITER_JS = resolve(here, '../../src/capture/writer.js');

const tmp = mkdtempSync(join(tmpdir(), 'wirelens-writer-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const haveTshark = hasTool('tshark');
const haveCapinfos = hasTool('capinfos');

function frame(index: number, f: Partial<Frame> & { data: Uint8Array }): Frame {
  const tsSec = f.tsSec ?? 1_700_000_000 + index;
  const tsNsec = f.tsNsec ?? 0;
  return {
    index,
    tsSec,
    tsNsec,
    ts: tsSec + tsNsec / 1e9,
    caplen: f.data.length,
    origlen: f.origlen ?? f.data.length,
    linkType: f.linkType ?? 1,
    interfaceId: f.interfaceId ?? 0,
    data: f.data,
    fileOffset: -1,
    ...(f.direction !== undefined ? { direction: f.direction } : {}),
  };
}

/** Frames with every kind of timestamp and length edge. */
function sampleFrames(nanoTimes: boolean, linkTypes: number[] = [1]): Frame[] {
  const out: Frame[] = [];
  for (let i = 1; i <= 300; i++) {
    const nsec = nanoTimes ? (i * 123_456_789) % 1e9 : ((i * 654_321) % 1e6) * 1000;
    out.push(
      frame(i, {
        tsSec: i === 1 ? 0 : i === 2 ? 4294967295 : 1_262_893_114 + i,
        tsNsec: i === 3 ? 999_999_999 - (nanoTimes ? 0 : 999) : nsec,
        data: payload(i % 3 === 0 ? 0 : (i * 37) % 1600, i),
        origlen: i % 5 === 0 ? 9000 : (i * 37) % 1600,
        linkType: linkTypes[i % linkTypes.length] as number,
        ...(i % 4 === 1 ? { direction: 'in' as const } : i % 4 === 2 ? { direction: 'out' as const } : {}),
      }),
    );
  }
  // Consistent caplen/origlen for frames with no bytes.
  return out.map((f) => (f.data.length === 0 ? { ...f, origlen: 0 } : f));
}

async function writeAll(path: string, format: 'pcap' | 'pcapng', frames: Frame[], opts = {}): Promise<void> {
  const w = createCaptureWriter(path, format, opts);
  for (const f of frames) w.write(f);
  assert.equal(w.frames, frames.length);
  await w.close();
}

async function readBack(path: string): Promise<{ frames: SeenFrame[]; sink: CollectSink }> {
  const sink = new CollectSink();
  await readCapture(path, sink);
  assert.deepEqual(sink.problems, []);
  return { frames: sink.frames, sink };
}

function essentials(f: Frame | SeenFrame, withDirection: boolean) {
  return {
    tsSec: f.tsSec,
    tsNsec: f.tsNsec,
    caplen: f.caplen,
    origlen: f.origlen,
    linkType: f.linkType,
    data: Array.from(f.data),
    direction: withDirection ? f.direction : undefined,
  };
}

describe('writer round trips', () => {
  test('pcap, microseconds: lengths and timestamps preserved', async () => {
    const frames = sampleFrames(false);
    const path = join(tmp, 'us.pcap');
    await writeAll(path, 'pcap', frames);
    const back = await readBack(path);
    assert.deepEqual(
      back.frames.map((f) => essentials(f, false)),
      frames.map((f) => essentials(f, false)),
    );
    assert.deepEqual(
      back.frames.map((f) => f.index),
      frames.map((_, i) => i + 1),
    );
  });

  test('pcap, nanoseconds: exact', async () => {
    const frames = sampleFrames(true);
    const path = join(tmp, 'ns.pcap');
    await writeAll(path, 'pcap', frames, { nanosecond: true });
    const sink = new CollectSink();
    const res = await readCapture(path, sink);
    assert.equal(res.info.precision, 'ns');
    assert.deepEqual(
      sink.frames.map((f) => essentials(f, false)),
      frames.map((f) => essentials(f, false)),
    );
  });

  test('pcap, microseconds, from nanosecond frames: truncated to the microsecond', async () => {
    const path = join(tmp, 'trunc-us.pcap');
    await writeAll(path, 'pcap', [frame(1, { tsSec: 10, tsNsec: 123_456_789, data: payload(4) })]);
    const back = await readBack(path);
    assert.deepEqual([back.frames[0]?.tsSec, back.frames[0]?.tsNsec], [10, 123_456_000]);
  });

  for (const nanosecond of [false, true]) {
    test(`pcapng, ${nanosecond ? 'nano' : 'micro'}seconds, several link types, directions`, async () => {
      const frames = sampleFrames(nanosecond, [1, 113, 101]);
      const path = join(tmp, `multi-${nanosecond}.pcapng`);
      await writeAll(path, 'pcapng', frames, { nanosecond });
      const sink = new CollectSink();
      const res = await readCapture(path, sink);
      assert.deepEqual(sink.problems, []);
      assert.deepEqual(
        sink.frames.map((f) => essentials(f, true)),
        frames.map((f) => essentials(f, true)),
      );
      // One interface per link type, in order of first use.
      assert.deepEqual(
        res.info.interfaces.map((i) => [i.id, i.linkType, i.tsTicksPerSecond]),
        [
          [0, 113, nanosecond ? 1e9 : 1e6],
          [1, 101, nanosecond ? 1e9 : 1e6],
          [2, 1, nanosecond ? 1e9 : 1e6],
        ],
      );
      assert.deepEqual(
        sink.frames.slice(0, 3).map((f) => f.interfaceId),
        [0, 1, 2],
      );
    });
  }

  test('snaplen cuts frames but keeps their original length', async () => {
    const path = join(tmp, 'snap.pcapng');
    await writeAll(path, 'pcapng', [frame(1, { data: payload(100) }), frame(2, { data: payload(10) })], {
      snaplen: 64,
    });
    const { frames } = await readBack(path);
    assert.deepEqual(
      frames.map((f) => [f.caplen, f.origlen]),
      [
        [64, 100],
        [10, 10],
      ],
    );
    assert.deepEqual(frames[0]?.data, payload(100).subarray(0, 64));
    const pcapPath = join(tmp, 'snap.pcap');
    await writeAll(pcapPath, 'pcap', [frame(1, { data: payload(100) })], { snaplen: 64 });
    const sink = new CollectSink();
    const res = await readCapture(pcapPath, sink);
    assert.equal(res.info.snaplen, 64);
    assert.deepEqual([sink.frames[0]?.caplen, sink.frames[0]?.origlen], [64, 100]);
  });

  test('an empty pcap gets a header with the given link type; an empty pcapng a section', async () => {
    const p = join(tmp, 'empty.pcap');
    await writeAll(p, 'pcap', [], { linkType: 113 });
    const res = readCaptureBuffer(readFileSync(p), new CollectSink());
    assert.equal(res.frames, 0);
    assert.equal(res.info.interfaces[0]?.linkType, 113);
    assert.deepEqual(res.problems, []);
    const q = join(tmp, 'empty.pcapng');
    await writeAll(q, 'pcapng', []);
    const r2 = readCaptureBuffer(readFileSync(q), new CollectSink());
    assert.equal(r2.frames, 0);
    assert.equal(r2.info.sections, 1);
    assert.deepEqual(r2.problems, []);
  });

  test('gzip output (.gz), several gzip members, read back by our reader', async () => {
    // 3000 frames of ~1 KB: more than one 1 MiB buffer, so more than one gzip member.
    const frames: Frame[] = [];
    for (let i = 1; i <= 3000; i++) frames.push(frame(i, { data: payload(1000, i) }));
    const path = join(tmp, 'big.pcapng.gz');
    await writeAll(path, formatFromPath(path), frames, { nanosecond: true });
    const raw = readFileSync(path);
    assert.deepEqual([raw[0], raw[1]], [0x1f, 0x8b]);
    const sink = new CollectSink();
    const res = await readCapture(path, sink);
    assert.equal(res.info.compressed, true);
    assert.equal(res.info.format, 'pcapng');
    assert.equal(res.frames, 3000);
    assert.deepEqual(sink.frames[2999]?.data, payload(1000, 3000));
    if (haveCapinfos) {
      const c = spawnSync('capinfos', ['-c', '-M', '-T', '-r', path], { encoding: 'utf8' });
      assert.equal(c.stdout.trim().split('\t')[1], '3000', c.stderr);
    }
  });
});

describe('writer errors', () => {
  test('pcap: a second link type is refused, suggesting pcapng', () => {
    const w = createCaptureWriter(join(tmp, 'two.pcap'), 'pcap');
    w.write(frame(1, { data: payload(4), linkType: 1 }));
    assert.throws(
      () => w.write(frame(2, { data: payload(4), linkType: 113 })),
      (e: unknown) =>
        e instanceof UserError &&
        e.exitCode === ExitCode.output &&
        /link type 113/.test(e.message) &&
        /pcapng/.test(e.message),
    );
    return w.close();
  });

  test('pcap: a timestamp outside 32-bit seconds is refused', async () => {
    const w = createCaptureWriter(join(tmp, 'time.pcap'), 'pcap');
    assert.throws(() => w.write(frame(1, { tsSec: 2 ** 32, data: payload(1) })), UserError);
    assert.throws(() => w.write(frame(1, { tsSec: -1, data: payload(1) })), UserError);
    await w.close();
  });

  test('an unwritable path is a UserError (output)', () => {
    assert.throws(
      () => createCaptureWriter(join(tmp, 'no', 'such', 'dir.pcap'), 'pcap'),
      (e: unknown) =>
        e instanceof UserError && e.exitCode === ExitCode.output && /no such directory/.test(e.message),
    );
  });

  test('formatFromPath', () => {
    assert.equal(formatFromPath('a.pcapng'), 'pcapng');
    assert.equal(formatFromPath('A.PCAPNG.GZ'), 'pcapng');
    assert.equal(formatFromPath('x.ntar'), 'pcapng');
    assert.equal(formatFromPath('x.pcap'), 'pcap');
    assert.equal(formatFromPath('x.pcap.gz'), 'pcap');
    assert.equal(formatFromPath('x.cap'), 'pcap');
    assert.equal(formatFromPath('-'), 'pcap');
  });
});

describe('writer output checked by other tools', () => {
  const opts = { skip: !haveTshark && 'tshark not installed' };

  for (const [format, nanosecond] of [
    ['pcap', false],
    ['pcap', true],
    ['pcapng', false],
    ['pcapng', true],
  ] as const) {
    test(
      `tshark reads our ${format} (${nanosecond ? 'ns' : 'µs'}) with the same times and lengths`,
      opts,
      async () => {
        const frames = sampleFrames(nanosecond).slice(0, 40);
        const path = join(tmp, `tshark-${nanosecond}.${format}`);
        await writeAll(path, format, frames, { nanosecond });
        const r = spawnSync(
          'tshark',
          ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len'],
          { encoding: 'utf8' },
        );
        assert.equal(r.status, 0, r.stderr);
        const lines = r.stdout.trim().split('\n');
        assert.deepEqual(
          lines,
          frames.map(
            (f) => `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}\t${f.data.length}\t${f.origlen}`,
          ),
        );
      },
    );
  }
});

describe('writing to standard output', () => {
  test('"-" writes to stdout (child process); the bytes read back', () => {
    const script = `
      import { createCaptureWriter } from ${JSON.stringify(WRITER_JS)};
      const w = createCaptureWriter('-', process.argv[1]);
      for (let i = 0; i < 5000; i++) {
        const data = new Uint8Array(500).fill(i & 0xff);
        w.write({ index: i + 1, tsSec: 1000 + i, tsNsec: 1000 * i, ts: 0, caplen: 500, origlen: 600,
          linkType: 1, interfaceId: 0, data, fileOffset: -1 });
      }
      await w.close();
    `;
    for (const format of ['pcap', 'pcapng']) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, format], {
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(r.status, 0, r.stderr.toString());
      const sink = new CollectSink();
      const res = readCaptureBuffer(r.stdout, sink);
      assert.equal(res.info.format, format);
      assert.equal(res.frames, 5000);
      assert.deepEqual(sink.problems, []);
      const last = sink.frames[4999];
      assert.deepEqual([last?.tsSec, last?.tsNsec, last?.caplen, last?.origlen], [5999, 4999000, 500, 600]);
      assert.equal(last?.data[0], 4999 & 0xff);
    }
  });
});
