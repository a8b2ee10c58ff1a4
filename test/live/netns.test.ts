/**
 * Real live capture (root): two network namespaces joined by a veth pair, wirelens sniffing on one
 * end while small Node programs talk across it — an ARP exchange (neighbour tables flushed first),
 * a TCP handshake carrying an HTTP/1.1 request and response, a UDP datagram and its reply.
 *
 * Three sniffers run at once on the same interface:
 *   all   `sniff --json -c 1000 -w all.pcap`, stopped with SIGINT (Ctrl-C)
 *   udp   `sniff --json -c 2 -s 64 -w udp.pcapng udp`, stops by itself at -c
 *   conns `sniff --conns --interval 0.2`, not a terminal, stopped with SIGINT
 * and the -w files are read back with `wirelens read --json` and with tshark.
 *
 * Traffic only ever goes between the two namespaces created here; both are deleted afterwards
 * (deleting a namespace deletes its end of the veth pair, and with it the other end).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readCaptureBuffer } from '../../src/capture/source.js';
import type { Frame } from '../../src/capture/types.js';
import { ExitCode } from '../../src/core/errors.js';
import {
  BIN,
  haveCommand,
  liveSkipReason,
  Proc,
  packetLines,
  packetObjects,
  type Run,
  type Summary,
  sleep,
  summaryOf,
  wirelens,
} from './helpers.js';

const skip = liveSkipReason();
const id = randomBytes(3).toString('hex');
const NS_A = `wl-${id}-a`;
const NS_B = `wl-${id}-b`;
const VETH_A = `wla${id}`;
const VETH_B = `wlb${id}`;
const ADDR_A = '10.99.0.1';
const ADDR_B = '10.99.0.2';
const HTTP_PORT = 8080;
const UDP_PORT = 9999;
const UDP_CLIENT_PORT = 40999;
/** The UDP ping carries this many bytes, so the 64-byte snap length has something to cut. */
const PING_BYTES = 100;

const SERVER = `
const http = require('node:http');
const dgram = require('node:dgram');
let ready = 0;
const up = () => { if (++ready === 2) console.log('ready'); };
http.createServer((req, res) => {
  res.setHeader('Connection', 'close');
  res.end('hello from ' + req.url + '\\n');
}).listen(${HTTP_PORT}, '${ADDR_B}', up);
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send(Buffer.concat([Buffer.from('pong:'), m]), r.port, r.address));
u.bind(${UDP_PORT}, '${ADDR_B}', up);
`;

const CLIENT = `
const http = require('node:http');
const dgram = require('node:dgram');
setTimeout(() => { console.error('client: timed out'); process.exit(1); }, 8000).unref();
const req = http.get({ host: '${ADDR_B}', port: ${HTTP_PORT}, path: '/hello', agent: false, headers: { Connection: 'close' } }, (res) => {
  let body = '';
  res.on('data', (d) => { body += d; });
  res.on('end', () => console.log('http ' + res.statusCode + ' ' + body.trim()));
});
req.on('socket', (s) => s.on('close', () => {
  const u = dgram.createSocket('udp4');
  u.on('message', (m) => { console.log('udp ' + m.subarray(0, 9).toString()); u.close(); });
  u.bind(${UDP_CLIENT_PORT}, '${ADDR_A}', () => u.send(Buffer.alloc(${PING_BYTES}, 'p'), ${UDP_PORT}, '${ADDR_B}'));
}));
`;

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

function inNs(ns: string, ...cmd: string[]): void {
  ip('netns', 'exec', ns, ...cmd);
}

function sniffer(args: readonly string[]): Proc {
  return new Proc('ip', ['netns', 'exec', NS_A, process.execPath, BIN, 'sniff', '-i', VETH_A, ...args]);
}

const layer = (p: Record<string, unknown>, kind: string) =>
  (p.layers as Record<string, unknown>[]).find((l) => l.layer === kind);

describe('live capture between two network namespaces', { skip: skip ?? false, timeout: 60_000 }, () => {
  let tmp = '';
  const procs: Proc[] = [];
  let all: Run;
  let udp: Run;
  let conns: Run;
  let client: Run;
  let t0 = 0;
  let elapsed = 0;

  before(async () => {
    t0 = Date.now();
    tmp = mkdtempSync(join(tmpdir(), 'wirelens-netns-'));
    ip('netns', 'add', NS_A);
    ip('netns', 'add', NS_B);
    // No IPv6 on the link: no router solicitations or MLD reports among the packets we count.
    for (const ns of [NS_A, NS_B]) {
      inNs(ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    ip('link', 'add', VETH_A, 'netns', NS_A, 'type', 'veth', 'peer', 'name', VETH_B, 'netns', NS_B);
    inNs(NS_A, 'ip', 'addr', 'add', `${ADDR_A}/24`, 'dev', VETH_A);
    inNs(NS_B, 'ip', 'addr', 'add', `${ADDR_B}/24`, 'dev', VETH_B);
    inNs(NS_A, 'ip', 'link', 'set', VETH_A, 'up');
    inNs(NS_B, 'ip', 'link', 'set', VETH_B, 'up');

    const server = new Proc('ip', ['netns', 'exec', NS_B, process.execPath, '-e', SERVER]);
    procs.push(server);
    const sAll = sniffer(['--json', '-c', '1000', '-w', join(tmp, 'all.pcap')]);
    const sUdp = sniffer(['--json', '-c', '2', '-s', '64', '-w', join(tmp, 'udp.pcapng'), 'udp']);
    const sConns = sniffer(['--conns', '--interval', '0.2']);
    procs.push(sAll, sUdp, sConns);
    await server.waitFor(/ready/);
    for (const s of [sAll, sUdp, sConns]) await s.waitFor(/capturing on/);

    // Forget the neighbours, so the first packet has to ARP.
    inNs(NS_A, 'ip', 'neigh', 'flush', 'dev', VETH_A);
    inNs(NS_B, 'ip', 'neigh', 'flush', 'dev', VETH_B);
    const c = new Proc('ip', ['netns', 'exec', NS_A, process.execPath, '-e', CLIENT]);
    procs.push(c);
    client = await c.finish(10_000);
    await sleep(300); // the last ACK
    udp = await sUdp.finish(5_000);
    // The connection view prints a line every 0.2 s, and the whole exchange can fit between two:
    // stop it once it has printed the final state after at least one earlier line.
    await sConns.waitFor(
      /^\+\d+\.\ds [^\n]*\n(?:[^\n]*\n)*?\+\d+\.\ds \d+ packets; TCP 1 seen: 0 new, 0 established, 0 closing, 1 TIME-WAIT, 0 closed; UDP 1 seen/m,
    );
    sAll.signal('SIGINT');
    sConns.signal('SIGINT');
    all = await sAll.finish(10_000);
    conns = await sConns.finish(10_000);
    elapsed = Date.now() - t0;
  });

  after(() => {
    for (const p of procs) p.signal('SIGKILL');
    for (const ns of [NS_A, NS_B]) spawnSync('ip', ['netns', 'del', ns]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('the programs talked', () => {
    assert.equal(client.code, 0, client.stderr);
    assert.match(client.stdout, /^http 200 hello from \/hello$/m);
    assert.match(client.stdout, /^udp pong:pppp$/m);
  });

  test('Ctrl-C stops capture cleanly: exit 0, packets, then one summary', () => {
    assert.equal(all.code, ExitCode.ok, all.stderr);
    assert.doesNotMatch(all.stderr, /^\s+at /m);
    const lines = all.stdout.trim().split('\n');
    assert.ok(lines.at(-1)?.startsWith('{"summary":'));
    assert.equal(packetLines(all.stdout).length, lines.length - 1);
    assert.equal(summaryOf(all.stdout).capture.stopped_by, 'interrupt');
  });

  test('ARP: a broadcast request for B and its reply', () => {
    const pk = packetObjects(all.stdout);
    const req = pk.find(
      (p) => layer(p, 'arp')?.kind === 'request' && layer(p, 'arp')?.targetProto === ADDR_B,
    );
    const rep = pk.find(
      (p) =>
        layer(p, 'arp')?.kind === 'reply' &&
        layer(p, 'arp')?.senderProto === ADDR_B &&
        layer(p, 'arp')?.targetProto === ADDR_A,
    );
    assert.ok(req && rep, JSON.stringify(pk.map((p) => layer(p, 'arp')).filter(Boolean)));
    assert.equal(layer(req, 'eth')?.dst, 'ff:ff:ff:ff:ff:ff');
    assert.equal(layer(rep, 'eth')?.dst, layer(req, 'eth')?.src);
    assert.ok((req.n as number) < (rep.n as number));
  });

  test('TCP: SYN, SYN-ACK, ACK in order, relative numbers from 0', () => {
    const tcp = packetObjects(all.stdout).filter((p) => layer(p, 'tcp'));
    const flags = tcp.slice(0, 3).map((p) => layer(p, 'tcp')?.flagNames);
    assert.deepEqual(flags, ['SYN', 'SYN, ACK', 'ACK']);
    const [syn, synAck, ack] = tcp.map((p) => ({ p, t: layer(p, 'tcp')! }));
    assert.equal(syn!.t.dstPort, HTTP_PORT);
    assert.equal(synAck!.t.srcPort, HTTP_PORT);
    assert.equal(synAck!.t.dstPort, syn!.t.srcPort);
    assert.equal(ack!.t.ack, ((synAck!.t.seq as number) + 1) >>> 0);
    assert.deepEqual([syn!.p.relSeq, synAck!.p.relSeq, ack!.p.relSeq, ack!.p.relAck], [0, 0, 1, 1]);
  });

  test('HTTP: the request line is in the first payload to port 8080 (bytes from the -w file)', () => {
    const pk = packetObjects(all.stdout);
    const get = pk.find((p) => {
      const t = layer(p, 'tcp');
      return t && t.dstPort === HTTP_PORT && (t.payloadLength as number) > 0;
    });
    assert.ok(get);
    const t = layer(get, 'tcp')!;
    const frames: Frame[] = [];
    readCaptureBuffer(readFileSync(join(tmp, 'all.pcap')), {
      frame: (f) => frames.push({ ...f, data: f.data.slice() }),
      problem: (p) => assert.fail(p.message),
    });
    const f = frames[(get.n as number) - 1]!;
    const start = (t.offset as number) + (t.length as number);
    const text = Buffer.from(f.data.subarray(start, start + (t.payloadLength as number))).toString('latin1');
    assert.match(text, /^GET \/hello HTTP\/1\.1\r\n/);
    assert.match(text, /\r\nConnection: close\r\n/i);
  });

  test('UDP: the datagram and its reply, with their ports', () => {
    const u = packetObjects(all.stdout)
      .map((p) => layer(p, 'udp'))
      .filter((x) => x !== undefined);
    assert.deepEqual(
      u.map((x) => [x.srcPort, x.dstPort, x.payloadLength]),
      [
        [UDP_CLIENT_PORT, UDP_PORT, PING_BYTES],
        [UDP_PORT, UDP_CLIENT_PORT, PING_BYTES + 5],
      ],
    );
  });

  test('final connection states: one side in TIME-WAIT, the other CLOSED; the UDP flow answered', () => {
    const s: Summary = summaryOf(all.stdout);
    const tcp = s.connections.filter((c) => c.proto === 'tcp');
    assert.equal(tcp.length, 1);
    const c = tcp[0]!;
    assert.deepEqual([c['id.orig_h'], c['id.resp_h'], c['id.resp_p']], [ADDR_A, ADDR_B, HTTP_PORT]);
    const states = [c.orig_state, c.resp_state];
    assert.ok(
      (states[0] === 'TIME-WAIT' && states[1] === 'CLOSED' && c.closer === 'orig') ||
        (states[0] === 'CLOSED' && states[1] === 'TIME-WAIT' && c.closer === 'resp'),
      JSON.stringify(c),
    );
    assert.deepEqual([c.orig_initial_state, c.origin], ['CLOSED', 'syn']);
    const u = s.connections.find((x) => x.proto === 'udp');
    assert.deepEqual([u?.['id.orig_p'], u?.['id.resp_p'], u?.answered], [UDP_CLIENT_PORT, UDP_PORT, 1]);
  });

  test('capture statistics: packets passed, interface counters, no invented drops', () => {
    const cap = summaryOf(all.stdout).capture as Record<string, unknown> & {
      interface_counters: {
        rx_packets: number;
        tx_packets: number;
        rx_dropped: number;
        source: string;
      } | null;
    };
    const n = packetLines(all.stdout).length;
    assert.equal(cap.interface, VETH_A);
    assert.equal(cap.linktype, 'ether');
    assert.equal(cap.passed_to_wirelens, n);
    assert.equal(cap.received_by_filter, null);
    assert.equal(cap.dropped_by_kernel, null);
    assert.ok(cap.interface_counters);
    assert.equal(cap.interface_counters.source, `/sys/class/net/${VETH_A}/statistics`);
    // Every packet captured crossed the interface, one way or the other.
    assert.ok(cap.interface_counters.rx_packets + cap.interface_counters.tx_packets >= n);
    assert.ok(cap.interface_counters.rx_dropped >= 0);
  });

  test('the -w pcap reads back as the live packets, timestamps included', () => {
    const back = wirelens(['read', '--json', join(tmp, 'all.pcap')]);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(packetLines(back.stdout), packetLines(all.stdout));
  });

  test('tshark reads the -w pcap: same packet count, ports, ARP opcodes and the HTTP request', {
    skip: !haveCommand('tshark'),
  }, () => {
    const r = spawnSync(
      'tshark',
      [
        '-r',
        join(tmp, 'all.pcap'),
        '-T',
        'fields',
        '-E',
        'separator=,',
        '-e',
        'arp.opcode',
        '-e',
        'tcp.srcport',
        '-e',
        'tcp.dstport',
        '-e',
        'udp.srcport',
        '-e',
        'udp.dstport',
        '-e',
        'http.request.uri',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n');
    const pk = packetObjects(all.stdout);
    assert.equal(rows.length, pk.length);
    rows.forEach((row, i) => {
      const [op, ts, td, us, ud] = row.split(',');
      const p = pk[i]!;
      const a = layer(p, 'arp');
      const t = layer(p, 'tcp');
      const u = layer(p, 'udp');
      assert.equal(op, a ? String(a.opcode) : '', `packet ${i + 1}`);
      assert.equal(`${ts},${td}`, t ? `${t.srcPort},${t.dstPort}` : ',', `packet ${i + 1}`);
      assert.equal(`${us},${ud}`, u ? `${u.srcPort},${u.dstPort}` : ',', `packet ${i + 1}`);
    });
    assert.ok(rows.some((row) => row.endsWith(',/hello')));
  });

  test('-c 2 -s 64 udp: stops by itself; caplen cut to 64, lengths kept; the pcapng reads back the same', () => {
    assert.equal(udp.code, ExitCode.ok, udp.stderr);
    const pk = packetObjects(udp.stdout);
    assert.equal(pk.length, 2);
    assert.deepEqual(
      pk.map((p) => [p.caplen, p.len]),
      [
        [64, 14 + 20 + 8 + PING_BYTES],
        [64, 14 + 20 + 8 + PING_BYTES + 5],
      ],
    );
    const cap = summaryOf(udp.stdout).capture;
    assert.deepEqual([cap.stopped_by, cap.cut_by_snaplen, cap.snaplen, cap.filter], ['count', 2, 64, 'udp']);
    const back = wirelens(['read', '--json', join(tmp, 'udp.pcapng')]);
    assert.deepEqual(packetLines(back.stdout), packetLines(udp.stdout));
    if (haveCommand('tshark')) {
      const r = spawnSync(
        'tshark',
        [
          '-r',
          join(tmp, 'udp.pcapng'),
          '-T',
          'fields',
          '-e',
          'frame.cap_len',
          '-e',
          'frame.len',
          '-e',
          'udp.dstport',
        ],
        { encoding: 'utf8' },
      );
      assert.deepEqual(r.stdout.trim().split('\n'), [
        `64\t${42 + PING_BYTES}\t${UDP_PORT}`,
        `64\t${42 + PING_BYTES + 5}\t${UDP_CLIENT_PORT}`,
      ]);
    }
  });

  test('--conns (not a terminal): periodic lines, then the connections table and statistics', () => {
    assert.equal(conns.code, ExitCode.ok, conns.stderr);
    const status = conns.stdout.split('\n').filter((l) => /^\+\d+\.\ds \d+ packets; TCP \d+ seen/.test(l));
    assert.ok(status.length >= 2, conns.stdout);
    assert.match(
      status.at(-1)!,
      /TCP 1 seen: 0 new, 0 established, 0 closing, 1 TIME-WAIT, 0 closed; UDP 1 seen/,
    );
    assert.match(conns.stdout, /^TCP connections \(1\)$/m);
    assert.match(
      conns.stdout,
      new RegExp(
        `^1\\s+${ADDR_A.replace(/\./g, '\\.')}:\\d+\\s+${ADDR_B.replace(/\./g, '\\.')}:${HTTP_PORT}\\s+(CLOSED/TIME-WAIT|TIME-WAIT/CLOSED)\\s`,
        'm',
      ),
    );
    assert.match(conns.stdout, /^UDP flows \(1\)$/m);
    assert.match(
      conns.stdout,
      new RegExp(
        `^Capture statistics: ${VETH_A} \\(ether\\), [\\d.]+ s, stopped: interrupted \\(Ctrl-C\\)$`,
        'm',
      ),
    );
    assert.match(
      conns.stdout,
      /interface counters during the capture \(\/sys\/class\/net\/wla[0-9a-f]+\/statistics/,
    );
  });

  test('the whole exchange took well under 30 s', () => {
    assert.ok(elapsed < 30_000, `${elapsed} ms`);
  });
});
