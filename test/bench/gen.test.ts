/**
 * The benchmark's synthetic capture is only useful if every packet in it is right: these tests
 * generate small captures and check them with tshark, capinfos and tcpdump (skipped when the tool
 * is missing), with wirelens's own decoder, and with a minimal pcap reader written here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type GenerateResult, generateCapture, parseArgs } from '../../bench/gen.js';
import { decodeFrame } from '../../src/decode/pipeline.js';

const CONNECTIONS = 200;
const RETRANSMIT_RATE = 0.1;
const SEED = 42;

/** `--version` only prints (tcpdump -v alone would start a live capture). */
function available(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}
const HAVE_TSHARK = available('tshark');
const HAVE_CAPINFOS = available('capinfos');
const HAVE_TCPDUMP = available('tcpdump');

function run(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${tool} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.trim() !== '');
}

const CHECKSUMS_ON = [
  '-o',
  'ip.check_checksum:TRUE',
  '-o',
  'tcp.check_checksum:TRUE',
  '-o',
  'udp.check_checksum:TRUE',
];

/** The fields the tests look at, for every frame, from one two-pass run (the *_in fields need it). */
const FIELDS = [
  'frame.number',
  'ip.checksum.status',
  '_ws.malformed',
  'tcp.analysis.flags',
  'tcp.analysis.retransmission',
  '_ws.expert.severity',
  'tcp.flags.reset',
  'http.request',
  'http.response',
  'http.request_in',
  'http.response_in',
  'http.transfer_encoding',
  'http.content_length',
  'dns.flags.response',
  'dns.response_in',
  'arp.opcode',
] as const;
type Row = { [F in (typeof FIELDS)[number]]: string };

function tsharkRows(file: string): Row[] {
  const args = ['-2', '-r', file, ...CHECKSUMS_ON, '-T', 'fields', '-E', 'occurrence=a'];
  for (const f of FIELDS) args.push('-e', f);
  return lines(run('tshark', args)).map((line) => {
    const values = line.split('\t');
    return Object.fromEntries(FIELDS.map((f, i) => [f, values[i] ?? ''])) as Row;
  });
}

/** Expert info at warning level or above (tshark's PI_WARN = 0x00600000). */
function warnsOrWorse(r: Row): boolean {
  return r['_ws.expert.severity'].split(',').some((v) => v !== '' && Number(v) >= 0x00600000);
}

interface Record {
  tsUs: number;
  data: Uint8Array;
}

/** Classic little-endian microsecond pcap, the only thing the generator writes. */
function readPcap(file: string): { linkType: number; records: Record[] } {
  const b = readFileSync(file);
  assert.equal(b.readUInt32LE(0), 0xa1b2c3d4, 'magic');
  assert.equal(b.readUInt16LE(4), 2);
  assert.equal(b.readUInt16LE(6), 4);
  const records: Record[] = [];
  let o = 24;
  while (o < b.length) {
    assert.ok(o + 16 <= b.length, 'record header fits');
    const sec = b.readUInt32LE(o);
    const usec = b.readUInt32LE(o + 4);
    const caplen = b.readUInt32LE(o + 8);
    assert.equal(b.readUInt32LE(o + 12), caplen, 'full frames (caplen == origlen)');
    assert.ok(usec < 1e6);
    records.push({ tsUs: sec * 1e6 + usec, data: b.subarray(o + 16, o + 16 + caplen) });
    o += 16 + caplen;
  }
  assert.equal(o, b.length, 'no trailing bytes');
  return { linkType: b.readUInt32LE(20), records };
}

describe('synthetic benchmark capture', () => {
  let dir: string;
  let file: string;
  let result: GenerateResult;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wirelens-gen-'));
    file = join(dir, 'synth.pcap');
    result = await generateCapture({
      path: file,
      connections: CONNECTIONS,
      seed: SEED,
      retransmitRate: RETRANSMIT_RATE,
    });
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('reports a consistent traffic mix', () => {
    assert.equal(result.connections, CONNECTIONS);
    assert.equal(result.packets, result.tcpPackets + result.udpPackets + result.arpPackets);
    assert.equal(result.udpPackets, result.dnsQueries + result.dnsResponses);
    assert.equal(result.dnsQueries, result.dnsResponses);
    assert.ok(result.udpPackets > 0, 'DNS mixed in');
    assert.ok(result.arpPackets > 0 && result.arpPackets % 2 === 0, 'ARP request/reply pairs mixed in');
    assert.equal(result.httpRequests, result.httpResponses);
    assert.ok(result.httpRequests >= CONNECTIONS * 0.95);
    const perConnection = result.packets / result.connections;
    assert.ok(
      perConnection > 8 && perConnection < 13,
      `about 10 packets per connection, got ${perConnection}`,
    );
    assert.ok(result.maxConcurrentConnections >= 10, 'connections overlap in time');
    const endings = Object.values(result.endings).reduce((a, b) => a + b, 0);
    assert.equal(endings, CONNECTIONS);
    assert.ok(result.endings['client-rst'] + result.endings['server-rst'] > 0, 'some resets');
    assert.ok(
      result.endings['open-after-response'] + result.endings['open-after-handshake'] > 0,
      'a few never finish',
    );
  });

  test('the same seed gives the same bytes, another seed different ones', async () => {
    const again = join(dir, 'again.pcap');
    const other = join(dir, 'other.pcap');
    // The smallest write chunk, so the file is written in several chunks.
    const r2 = await generateCapture({
      path: again,
      connections: CONNECTIONS,
      seed: SEED,
      retransmitRate: RETRANSMIT_RATE,
      chunkSize: 64 * 1024,
    });
    assert.ok(r2.bytes > 64 * 1024);
    await generateCapture({
      path: other,
      connections: CONNECTIONS,
      seed: SEED + 1,
      retransmitRate: RETRANSMIT_RATE,
    });
    assert.deepEqual(r2, { ...result, path: again });
    assert.ok(readFileSync(file).equals(readFileSync(again)), 'byte-identical');
    assert.ok(!readFileSync(file).equals(readFileSync(other)));
  });

  test('a valid pcap: record count, file size, timestamps never decrease, Ethernet minimum size', () => {
    const { linkType, records } = readPcap(file);
    assert.equal(linkType, 1);
    assert.equal(records.length, result.packets);
    assert.equal(readFileSync(file).length, result.bytes);
    for (let i = 1; i < records.length; i++) {
      assert.ok(
        (records[i] as Record).tsUs >= (records[i - 1] as Record).tsUs,
        `time order at record ${i + 1}`,
      );
    }
    for (const r of records) assert.ok(r.data.length >= 60 && r.data.length <= 1514);
    assert.equal(result.firstTime, (records[0] as Record).tsUs / 1e6);
    assert.equal(result.lastTime, (records.at(-1) as Record).tsUs / 1e6);
  });

  test("wirelens's decoder reads every frame without an anomaly", () => {
    const { records } = readPcap(file);
    records.forEach((r, i) => {
      const p = decodeFrame({
        index: i + 1,
        tsSec: Math.floor(r.tsUs / 1e6),
        tsNsec: (r.tsUs % 1e6) * 1000,
        ts: r.tsUs / 1e6,
        caplen: r.data.length,
        origlen: r.data.length,
        linkType: 1,
        interfaceId: 0,
        data: r.data,
        fileOffset: 0,
      });
      assert.equal(p.status, 'decoded', `frame ${i + 1}`);
      assert.deepEqual(
        p.anomalies.map((a) => a.id),
        [],
        `frame ${i + 1}`,
      );
    });
  });

  test('each connection has its own 4-tuple, and some sequence numbers wrap past 2^32', () => {
    const { records } = readPcap(file);
    const syns = new Map<string, number>();
    const isn = new Map<string, number>();
    const wrapped = new Set<string>();
    for (const { data: d } of records) {
      if (d[12] !== 0x08 || d[13] !== 0x00 || d[23] !== 6) continue;
      const tcp = 14 + ((d[14] as number) & 0x0f) * 4;
      const key = `${Buffer.from(d.subarray(26, 34)).toString('hex')}:${Buffer.from(d.subarray(tcp, tcp + 4)).toString('hex')}`;
      const seqNo = Buffer.from(d).readUInt32BE(tcp + 4);
      const flags = d[tcp + 13] as number;
      if (flags & 0x02) {
        syns.set(key, (syns.get(key) ?? 0) + 1);
        isn.set(key, seqNo);
      } else {
        const start = isn.get(key);
        if (start !== undefined && seqNo < start) wrapped.add(key);
      }
    }
    const clientSyns = [...syns.values()];
    assert.equal(clientSyns.length, 2 * CONNECTIONS, 'one SYN per direction per connection');
    assert.ok(
      clientSyns.every((n) => n === 1),
      'no 4-tuple reused',
    );
    assert.ok(wrapped.size >= 3, `connections whose sequence numbers wrap: ${wrapped.size}`);
  });

  test('tshark: no bad IP, TCP or UDP checksum', { skip: !HAVE_TSHARK && 'tshark not installed' }, () => {
    const filter = 'ip.checksum.status==0 || tcp.checksum.status==0 || udp.checksum.status==0';
    assert.deepEqual(lines(run('tshark', ['-r', file, ...CHECKSUMS_ON, '-Y', filter])), []);
  });

  describe('tshark analysis', { skip: !HAVE_TSHARK && 'tshark not installed' }, () => {
    let rows: Row[];
    const count = (pred: (r: Row) => boolean): number => rows.filter(pred).length;

    before(() => {
      rows = tsharkRows(file);
    });

    test('every frame read, every IPv4 header checksum verified good', () => {
      assert.equal(rows.length, result.packets);
      // Status 1 is "good": the checksum was really checked, not just "unverified" (2).
      assert.equal(
        count((r) => r['ip.checksum.status'] === '1'),
        result.tcpPackets + result.udpPackets,
      );
    });

    test('nothing malformed; no TCP analysis flag but the retransmissions; only resets warn', () => {
      assert.equal(
        count((r) => r['_ws.malformed'] !== ''),
        0,
      );
      assert.deepEqual(
        rows
          .filter((r) => r['tcp.analysis.flags'] !== '' && r['tcp.analysis.retransmission'] === '')
          .map((r) => r['frame.number']),
        [],
      );
      assert.deepEqual(
        rows.filter((r) => warnsOrWorse(r) && r['tcp.flags.reset'] !== '1').map((r) => r['frame.number']),
        [],
      );
    });

    test('every HTTP request has its response', () => {
      assert.equal(
        count((r) => r['http.request'] !== ''),
        result.httpRequests,
      );
      assert.equal(
        count((r) => r['http.response'] !== ''),
        result.httpResponses,
      );
      assert.equal(
        count((r) => r['http.response'] !== '' && r['http.request_in'] === ''),
        0,
      );
      assert.equal(
        count((r) => r['http.request'] !== '' && r['http.response_in'] === ''),
        0,
      );
      assert.ok(count((r) => r['http.transfer_encoding'] === 'chunked') > 0, 'some chunked responses');
      assert.ok(count((r) => Number(r['http.content_length']) > 5000) > 0, 'some responses span segments');
    });

    test('retransmissions at about the configured rate', () => {
      const seen = count((r) => r['tcp.analysis.retransmission'] !== '');
      assert.equal(seen, result.retransmissions);
      // Binomial(CONNECTIONS, rate): allow four standard deviations.
      const expected = CONNECTIONS * RETRANSMIT_RATE;
      const sd = Math.sqrt(CONNECTIONS * RETRANSMIT_RATE * (1 - RETRANSMIT_RATE));
      assert.ok(Math.abs(seen - expected) <= 4 * sd, `retransmissions ${seen}, expected about ${expected}`);
    });

    test('DNS queries answered, ARP requests replied', () => {
      assert.equal(
        count((r) => r['dns.flags.response'] === '0'),
        result.dnsQueries,
      );
      assert.equal(
        count((r) => r['dns.flags.response'] === '1'),
        result.dnsResponses,
      );
      assert.equal(
        count((r) => r['dns.flags.response'] === '0' && r['dns.response_in'] === ''),
        0,
      );
      assert.equal(
        count((r) => r['arp.opcode'] === '1'),
        result.arpPackets / 2,
      );
      assert.equal(
        count((r) => r['arp.opcode'] === '2'),
        result.arpPackets / 2,
      );
    });

    test('one TCP conversation per connection', () => {
      const out = run('tshark', ['-r', file, '-q', '-z', 'conv,tcp']);
      assert.equal(lines(out).filter((l) => l.includes('<->')).length, CONNECTIONS);
    });
  });

  test('capinfos reads the reported packet count', {
    skip: !HAVE_CAPINFOS && 'capinfos not installed',
  }, () => {
    const out = run('capinfos', ['-M', '-c', file]);
    const m = /Number of packets:\s+(\d+)/.exec(out);
    assert.ok(m, out);
    assert.equal(Number(m[1]), result.packets);
  });

  test('tcpdump reads every packet', { skip: !HAVE_TCPDUMP && 'tcpdump not installed' }, () => {
    const r = spawnSync('tcpdump', ['-n', '-r', file], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(lines(r.stdout).length, result.packets);
  });

  test('retransmitRate 0 and no mix: only HTTP over TCP', async () => {
    const plain = join(dir, 'plain.pcap');
    const r = await generateCapture({
      path: plain,
      connections: 50,
      seed: 7,
      retransmitRate: 0,
      mixArp: false,
      mixUdp: false,
    });
    assert.equal(r.retransmissions, 0);
    assert.equal(r.packets, r.tcpPackets);
    assert.equal(readPcap(plain).records.length, r.packets);
  });
});

describe('gen CLI', () => {
  test('parses its arguments', () => {
    assert.deepEqual(parseArgs(['--connections', '100000', '--seed', '1', '--out', '.bench/synth-1m.pcap']), {
      options: { path: '.bench/synth-1m.pcap', connections: 100000, seed: 1 },
      json: false,
    });
    assert.deepEqual(
      parseArgs([
        '--out',
        'x.pcap',
        '--retransmit-rate',
        '0.05',
        '--no-arp',
        '--no-udp',
        '--rate',
        '200',
        '--json',
      ]),
      {
        options: {
          path: 'x.pcap',
          connections: 100000,
          seed: 1,
          retransmitRate: 0.05,
          mixArp: false,
          mixUdp: false,
          connectionsPerSecond: 200,
        },
        json: true,
      },
    );
    assert.equal(parseArgs(['--help']), 'help');
    assert.throws(() => parseArgs(['--connections', '10']), /--out is required/);
    assert.throws(() => parseArgs(['--out', 'x', '--connections', '-1']), /non-negative integer/);
    assert.throws(() => parseArgs(['--out', 'x', '--retransmit-rate', '2']), /\[0, 1\]/);
    assert.throws(() => parseArgs(['--out', 'x', '--bogus']), /unknown argument/);
    assert.throws(() => parseArgs(['--out']), /needs a value/);
  });

  test('writes the capture and prints its summary as JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirelens-gen-cli-'));
    try {
      const out = join(dir, 'sub', 'cli.pcap');
      const gen = fileURLToPath(new URL('../../bench/gen.js', import.meta.url));
      const stdout = run(process.execPath, [
        gen,
        '--connections',
        '30',
        '--seed',
        '5',
        '--out',
        out,
        '--json',
      ]);
      const r = JSON.parse(stdout) as GenerateResult;
      assert.equal(r.connections, 30);
      assert.equal(readPcap(out).records.length, r.packets);
      const bad = spawnSync(process.execPath, [gen, '--connections', 'many', '--out', out], {
        encoding: 'utf8',
      });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--connections must be a non-negative integer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
