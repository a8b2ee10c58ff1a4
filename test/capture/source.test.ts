import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CaptureProblemId } from '../../src/capture/problems.js';
import {
  detectFormat,
  openCaptureParser,
  readCapture,
  readCaptureBuffer,
  readCaptureStream,
} from '../../src/capture/source.js';
import { ExitCode, UserError } from '../../src/core/errors.js';
import {
  buildPcap,
  CollectSink,
  concat,
  epb,
  idb,
  type PcapRecordSpec,
  payload,
  pcapRecord,
  shb,
  summary,
} from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE_JS = resolve(here, '../../src/capture/source.js');

const tmp = mkdtempSync(join(tmpdir(), 'wirelens-capture-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

/** n records of varying sizes, µs timestamps. */
function records(n: number): PcapRecordSpec[] {
  const out: PcapRecordSpec[] = [];
  for (let i = 0; i < n; i++)
    out.push({ sec: 1_600_000_000 + i, frac: (i * 7919) % 1_000_000, data: payload(i % 97, i) });
  return out;
}

const PCAP = buildPcap({}, records(200));
const PCAPNG = concat(
  shb(true),
  idb(true, 1),
  idb(true, 113),
  ...records(150).map((r, i) => epb(true, { ifId: i % 2, hi: 0, lo: r.sec, data: r.data })),
);

function expected(buf: Uint8Array) {
  const sink = new CollectSink();
  const res = readCaptureBuffer(buf, sink);
  return { frames: sink.frames.map(summary), res };
}

async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a UserError');
}

describe('format detection', () => {
  test('magic numbers', () => {
    assert.equal(detectFormat(Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1])), 'pcap');
    assert.equal(detectFormat(Uint8Array.from([0xa1, 0xb2, 0xc3, 0xd4])), 'pcap');
    assert.equal(detectFormat(Uint8Array.from([0x4d, 0x3c, 0xb2, 0xa1])), 'pcap');
    assert.equal(detectFormat(Uint8Array.from([0xa1, 0xb2, 0x3c, 0x4d])), 'pcap');
    assert.equal(detectFormat(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a])), 'pcapng');
    assert.equal(detectFormat(Uint8Array.from([0x1f, 0x8b])), 'gzip');
    assert.equal(detectFormat(Uint8Array.from([0xa1, 0xb2, 0xcd, 0x34])), undefined);
    assert.equal(detectFormat(Uint8Array.from([0xd4, 0xc3])), undefined);
  });

  test('openCaptureParser picks the parser, or says what it saw', () => {
    assert.equal(openCaptureParser(PCAP, new CollectSink()).info.format, 'pcap');
    assert.equal(openCaptureParser(PCAPNG, new CollectSink()).info.format, 'pcapng');
    assert.throws(
      () => openCaptureParser(new TextEncoder().encode('GET / HTTP/1.1'), new CollectSink()),
      UserError,
    );
  });
});

describe('readCapture: files', () => {
  for (const [name, buf] of [
    ['pcap', PCAP],
    ['pcapng', PCAPNG],
  ] as const) {
    test(`${name}: whatever the chunk size, the same frames`, async () => {
      const path = file(`chunks.${name}`, buf);
      const want = expected(buf);
      for (const chunkSize of [16, 17, 100, 4096, undefined]) {
        const sink = new CollectSink();
        const res = await readCapture(path, sink, { chunkSize });
        assert.deepEqual(sink.frames.map(summary), want.frames, `chunk ${chunkSize}`);
        assert.deepEqual(sink.problems, []);
        assert.equal(res.frames, want.frames.length);
        assert.equal(res.bytes, buf.length);
        assert.equal(res.bytesSkipped, 0);
        assert.equal(res.info.format, name);
        assert.equal(res.info.compressed, false);
      }
    });

    test(`${name}, gzip-compressed: detected inside, same frames`, async () => {
      const path = file(`c.${name}.gz`, gzipSync(buf));
      const want = expected(buf);
      for (const chunkSize of [64, undefined]) {
        const sink = new CollectSink();
        const res = await readCapture(path, sink, { chunkSize });
        assert.deepEqual(sink.frames.map(summary), want.frames);
        assert.equal(res.info.format, name);
        assert.equal(res.info.compressed, true);
        assert.equal(res.bytes, buf.length);
      }
      const sink = new CollectSink();
      assert.equal(readCaptureBuffer(gzipSync(buf), sink).info.compressed, true);
      assert.deepEqual(sink.frames.map(summary), want.frames);
    });
  }

  test('a gzip file cut short: frames decompressed before stand, one fatal problem', async () => {
    const gz = gzipSync(buildPcap({}, records(3000)), { level: 1 });
    const path = file('cut.pcap.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const sink = new CollectSink();
    const res = await readCapture(path, sink);
    assert.ok(res.frames > 100 && res.frames < 3000, `${res.frames} frames`);
    const fatal = sink.problems.filter((p) => p.fatal);
    assert.equal(fatal.length, 1);
    assert.equal(fatal[0]?.id, CaptureProblemId.gzipCorrupt);
    assert.equal(fatal[0]?.packet, res.frames + 1);
  });

  test('corrupt gzip data: one fatal problem, never a throw', async () => {
    const gz = Uint8Array.from(gzipSync(buildPcap({}, records(3000)), { level: 1 }));
    const at = Math.floor(gz.length * 0.6);
    for (let i = at; i < at + 60; i++) gz[i] = (gz[i] as number) ^ 0x5a;
    const sink = new CollectSink();
    const res = await readCapture(file('bad.pcap.gz', gz), sink);
    assert.equal(sink.problems.filter((p) => p.fatal).length, 1, JSON.stringify(sink.problems));
    assert.ok(res.frames > 100 && res.frames < 3000, `${res.frames} frames`);
  });

  test('a damaged record stops reading; everything after it is skipped, even unread', async () => {
    const good = buildPcap({}, records(10));
    const bad = pcapRecord({ sec: 1, frac: 1, data: payload(4), caplen: 1 << 30 });
    const buf = concat(good, bad, new Uint8Array(100_000));
    const sink = new CollectSink();
    const res = await readCapture(file('damaged.pcap', buf), sink, { chunkSize: 4096 });
    assert.equal(res.frames, 10);
    assert.equal(sink.problems[0]?.id, CaptureProblemId.pcapBadRecordLength);
    assert.equal(sink.problems[0]?.offset, good.length);
    assert.equal(res.bytesSkipped, buf.length - good.length);
  });

  test('a truncated file reports the packet and offset', async () => {
    const buf = buildPcap({}, records(5));
    const sink = new CollectSink();
    const res = await readCapture(file('trunc.pcap', buf.subarray(0, buf.length - 3)), sink, {
      chunkSize: 32,
    });
    assert.equal(res.frames, 4);
    const p = sink.problems[0];
    assert.equal(p?.id, CaptureProblemId.truncated);
    assert.equal(p?.packet, 5);
    assert.match(p?.message ?? '', /^truncated file: packet 5 at offset \d+ needs 20 bytes, only 17 remain$/);
  });

  test('abort stops at the next frame boundary (-c N)', async () => {
    for (const [name, bytes, plain] of [
      ['pcap', PCAP, PCAP],
      ['pcapng', PCAPNG, PCAPNG],
      ['pcap.gz', gzipSync(PCAP), PCAP],
    ] as const) {
      const path = file(`abort.${name}`, bytes);
      const all = expected(plain).frames;
      for (const n of [1, 7, 150]) {
        for (const chunkSize of [50, undefined]) {
          const ac = new AbortController();
          const sink = new CollectSink();
          sink.onFrame = (f) => {
            if (f.index === n) ac.abort();
          };
          const res = await readCapture(path, sink, { signal: ac.signal, chunkSize });
          const ctx = `${name}, n=${n}, chunk ${chunkSize}`;
          assert.equal(sink.frames.length, n, ctx);
          assert.equal(res.frames, n, ctx);
          // Bytes consumed end where frame n+1's record starts.
          assert.equal(res.bytes, all[n]?.fileOffset ?? plain.length, ctx);
          assert.deepEqual(sink.problems, [], ctx);
        }
      }
    }
  });

  test('an already aborted signal reads nothing', async () => {
    const sink = new CollectSink();
    const res = await readCapture(file('pre.pcap', PCAP), sink, { signal: AbortSignal.abort() });
    assert.equal(res.frames, 0);
    assert.equal(sink.frames.length, 0);
  });

  test('progress and throttle are called per chunk', async () => {
    const path = file('progress.pcapng', PCAPNG);
    const seen: [number, number | undefined][] = [];
    let throttled = 0;
    await readCapture(path, new CollectSink(), {
      chunkSize: 1000,
      onProgress: (a, b) => seen.push([a, b]),
      throttle: () => {
        throttled++;
        return throttled % 2 === 0 ? new Promise((r) => setTimeout(r, 1)) : undefined;
      },
    });
    assert.ok(seen.length >= Math.floor(PCAPNG.length / 1000));
    assert.deepEqual(seen[seen.length - 1], [PCAPNG.length, PCAPNG.length]);
    for (let i = 1; i < seen.length; i++) assert.ok((seen[i]?.[0] as number) >= (seen[i - 1]?.[0] as number));
    assert.ok(throttled >= seen.length - 1);
    const gz = file('progress.pcapng.gz', gzipSync(PCAPNG));
    const gzSeen: [number, number | undefined][] = [];
    await readCapture(gz, new CollectSink(), { onProgress: (a, b) => gzSeen.push([a, b]) });
    const size = gzipSync(PCAPNG).length;
    assert.deepEqual(gzSeen[gzSeen.length - 1], [size, size]);
  });
});

describe('readCapture: what is not a capture', () => {
  test('missing file: UserError naming it', async () => {
    const e = await userError(readCapture(join(tmp, 'nope.pcap'), new CollectSink()));
    assert.equal(e.exitCode, ExitCode.input);
    assert.match(e.message, /nope\.pcap: no such file/);
  });

  test('a directory', async () => {
    const d = join(tmp, 'dir.pcap');
    mkdirSync(d);
    const e = await userError(readCapture(d, new CollectSink()));
    assert.equal(e.exitCode, ExitCode.input);
    assert.match(e.message, /is a directory/);
  });

  test('an empty file', async () => {
    const e = await userError(readCapture(file('empty.pcap', ''), new CollectSink()));
    assert.equal(e.exitCode, ExitCode.input);
    assert.match(e.message, /empty file, not a capture/);
    assert.throws(() => readCaptureBuffer(new Uint8Array(0), new CollectSink()), /empty file/);
  });

  test('unknown magic: the first bytes and the supported formats', async () => {
    const e = await userError(readCapture(file('text.pcap', 'hello world\n'), new CollectSink()));
    assert.equal(e.exitCode, ExitCode.input);
    assert.match(e.message, /not a capture file: first bytes 68 65 6c 6c 6f 20 77 6f "hello wo"/);
    assert.match(e.message, /Supported: pcap \(microsecond or nanosecond, either byte order\), pcapng/);
  });

  test('formats we can name get a hint', async () => {
    const e = await userError(
      readCapture(file('x.zst', Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0])), new CollectSink()),
    );
    assert.match(e.message, /zstd-compressed/);
    const m = await userError(
      readCapture(file('kuz.pcap', Uint8Array.from([0x34, 0xcd, 0xb2, 0xa1, 2, 0, 4, 0])), new CollectSink()),
    );
    assert.match(m.message, /modified \(Kuznetzov\) pcap/);
  });

  test('a file too short for any magic', async () => {
    const e = await userError(
      readCapture(file('two.pcap', Uint8Array.from([0xd4, 0xc3])), new CollectSink()),
    );
    assert.match(e.message, /only 2 bytes/);
  });

  test('gzip holding something else, and gzip that is not gzip', async () => {
    const e = await userError(
      readCapture(file('text.gz', gzipSync(new TextEncoder().encode('hello'))), new CollectSink()),
    );
    assert.equal(e.exitCode, ExitCode.input);
    assert.match(e.message, /gzip-compressed data is not a capture: first bytes 68 65 6c 6c 6f/);
    const bad = await userError(
      readCapture(
        file('bad.gz', Uint8Array.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])),
        new CollectSink(),
      ),
    );
    assert.match(bad.message, /corrupt gzip data/);
  });
});

describe('frame data type', () => {
  test('every source delivers plain Uint8Arrays, never Buffers', async () => {
    const sinks: CollectSink[] = [];
    for (const [name, bytes] of [
      ['t.pcap', PCAP],
      ['t.pcapng.gz', gzipSync(PCAPNG)],
    ] as const) {
      const sink = new CollectSink();
      await readCapture(file(name, bytes), sink, { chunkSize: 100 });
      sinks.push(sink);
    }
    const s3 = new CollectSink();
    await readCaptureStream(
      Readable.from([Buffer.from(PCAP.subarray(0, 3)), Buffer.from(PCAP.subarray(3))]),
      s3,
    );
    sinks.push(s3);
    const s4 = new CollectSink();
    readCaptureBuffer(Buffer.from(PCAPNG), s4);
    sinks.push(s4);
    for (const s of sinks) {
      assert.ok(s.frames.length > 0);
      assert.deepEqual([...s.dataTypes], ['Uint8Array']);
    }
  });
});

describe('readCaptureStream and standard input', () => {
  test('a stream delivered in tiny pieces, first chunk of one byte', async () => {
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < PCAPNG.length; ) {
      const n = 1 + (i % 5) * 37;
      pieces.push(PCAPNG.slice(i, i + n));
      i += n;
    }
    const sink = new CollectSink();
    const res = await readCaptureStream(Readable.from(pieces), sink, {}, 'pieces');
    assert.deepEqual(sink.frames.map(summary), expected(PCAPNG).frames);
    assert.equal(res.bytes, PCAPNG.length);
  });

  test('a sink that throws: the error propagates and the input stream is released', async () => {
    const stream = Readable.from([PCAP.subarray(0, 1000), PCAP.subarray(1000)]);
    const sink = new CollectSink();
    sink.onFrame = (f) => {
      if (f.index === 2) throw new Error('sink failed');
    };
    await assert.rejects(readCaptureStream(stream, sink), /sink failed/);
    assert.equal(stream.destroyed, true);
  });

  test('a named pipe (FIFO) is read as a stream', { skip: process.platform === 'win32' }, async () => {
    const fifo = join(tmp, 'fifo.pcapng');
    const mk = spawnSync('mkfifo', [fifo]);
    if (mk.status !== 0) return;
    const feeder = spawn('sh', [
      '-c',
      'cat "$1" > "$2"',
      'sh',
      file('fifo-src.pcapng', gzipSync(PCAPNG)),
      fifo,
    ]);
    const closed = new Promise((r) => feeder.on('close', r));
    const sink = new CollectSink();
    const res = await readCapture(fifo, sink);
    await closed;
    assert.equal(res.info.compressed, true);
    assert.deepEqual(sink.frames.map(summary), expected(PCAPNG).frames);
  });

  const script = `
    import { readCapture } from ${JSON.stringify(SOURCE_JS)};
    let n = 0, bytes = 0;
    try {
      const r = await readCapture('-', { frame(f) { n++; bytes += f.data.length; }, problem(p) { console.error(p.id); } });
      console.log(JSON.stringify({ n, bytes, frames: r.frames, format: r.info.format, compressed: r.info.compressed }));
    } catch (e) {
      console.log(JSON.stringify({ error: e.message, exitCode: e.exitCode }));
    }
  `;
  const runStdin = (input: Uint8Array) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', script], { input, encoding: 'utf8' });

  test('"-" reads standard input (child process), plain and gzip', () => {
    const want = expected(PCAP).frames;
    const wantBytes = want.reduce((n, f) => n + (f.bytes as number[]).length, 0);
    for (const [input, compressed] of [
      [PCAP, false],
      [gzipSync(PCAP), true],
    ] as const) {
      const r = runStdin(input);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), {
        n: 200,
        bytes: wantBytes,
        frames: 200,
        format: 'pcap',
        compressed,
      });
    }
  });

  test('empty standard input is a UserError', () => {
    const r = runStdin(new Uint8Array(0));
    assert.deepEqual(JSON.parse(r.stdout), {
      error: 'standard input: empty file, not a capture',
      exitCode: 3,
    });
  });
});
