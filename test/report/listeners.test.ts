/**
 * A listener past the details it keeps: its counts stay exact, and the report says which
 * connections were only counted. Real connections from two captures are fed to the listener
 * analysis many times over, as a busy server's would be.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ETHERTYPE_IPV4,
  IPPROTO_TCP,
  OPTS_SYN,
  OPTS_SYN_LEN,
  TCP_HEADER,
  TCP_SYN,
  writeEthernet,
  writeIpv4,
  writeTcp,
} from '../../bench/frames.js';
import { readCaptureBuffer } from '../../src/capture/source.js';
import type { Frame } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { Session } from '../../src/flow/session.js';
import type { TcpConnection } from '../../src/flow/tcp/connection.js';
import {
  ListenerTracker,
  MAX_FACTS_PER_LISTENER,
  MAX_LISTENERS,
  MAX_QUIET_FACTS,
} from '../../src/flow/tcp/listeners.js';
import { renderListeners } from '../../src/report/listeners.js';
import { makeStyle } from '../../src/report/style.js';
import { FIXTURES } from '../helpers/corpus.js';

/** The connections of `file` under `fixtures/`, in the order they ended. */
function connectionsOf(file: string): TcpConnection[] {
  const all: TcpConnection[] = [];
  const s = new Session(undefined, { tcpEnd: (c) => all.push(c) });
  readCaptureBuffer(readFileSync(join(FIXTURES, file)), {
    frame: (f) => s.process(decodeFrame(f)),
    problem: () => {},
  });
  s.finish();
  return all;
}

/** The first connection of `file` (opened by a SYN) that `pick` accepts. */
function connectionOf(file: string, pick: (c: TcpConnection) => boolean): TcpConnection {
  const found = connectionsOf(file).find((c) => c.origin === 'syn' && pick(c));
  assert.ok(found, `a connection in ${file}`);
  return found;
}

describe('a listener with more connections than it keeps in detail', () => {
  const answered = connectionOf('lab/http-keepalive.pcap', (c) => c.resp.syns > 0);
  const lone = connectionOf(
    'corpus/public/chrissanders-synscan.pcapng',
    (c) => c.resp.syns === 0 && !c.refused && c.orig.syns <= 1,
  );

  test('answered connections past MAX_FACTS_PER_LISTENER are counted, not called lone SYNs', () => {
    const t = new ListenerTracker();
    for (let i = 0; i < MAX_FACTS_PER_LISTENER + 3; i++) t.add(answered);
    const [r] = t.reports();
    assert.ok(r);
    assert.equal(r.connections, MAX_FACTS_PER_LISTENER + 3);
    assert.equal(r.synAcked, MAX_FACTS_PER_LISTENER + 3);
    assert.equal(r.detailsFrom, MAX_FACTS_PER_LISTENER);
    assert.deepEqual(r.countedOnly, { loneSyns: 0, notable: 0, ordinary: 3 });
    const text = renderListeners([r], 0, makeStyle(false)).join('\n');
    assert.match(
      text,
      /findings and peaks come from 100,000 of its 100,003 connections; only counted: 3 ordinary connections beyond the 100,000 kept for the peaks$/m,
    );
    assert.doesNotMatch(text, /lone SYNs/);
  });

  test('lone SYNs past MAX_QUIET_FACTS are counted as such', () => {
    const t = new ListenerTracker();
    for (let i = 0; i < MAX_QUIET_FACTS + 4; i++) t.add(lone);
    const [r] = t.reports();
    assert.ok(r);
    assert.equal(r.unanswered, MAX_QUIET_FACTS + 4);
    assert.equal(r.detailsFrom, MAX_QUIET_FACTS);
    assert.deepEqual(r.countedOnly, { loneSyns: 4, notable: 0, ordinary: 0 });
    const text = renderListeners([r], 0, makeStyle(false)).join('\n');
    assert.match(text, /only counted: 4 lone SYNs nobody answered beyond the 10,000 kept/);
    assert.doesNotMatch(text, /ordinary|finding could name/);
  });

  test('ordinary connections past the cap do not hide a later overflow', () => {
    // The lab's backlog overflow: 3 connections answered, then 17 whose SYNs the full queue dropped.
    const all = connectionsOf('lab/backlog-overflow.pcap');
    const ordinary = all.find((c) => c.resp.syns === 1 && c.orig.syns === 1 && c.ackDropped.length === 0);
    assert.ok(ordinary);
    const t = new ListenerTracker();
    for (let i = 0; i < MAX_FACTS_PER_LISTENER + 10; i++) t.add(ordinary);
    for (const c of all) t.add(c);
    const [r] = t.reports();
    assert.ok(r);
    const dropped = r.findings.find((f) => f.kind === 'syn-dropped');
    assert.ok(dropped, `findings: ${r.findings.map((f) => f.kind).join(', ')}`);
    assert.equal(dropped.count, 17);
    assert.match(dropped.detail, /17 connections/);
    assert.deepEqual(r.countedOnly, { loneSyns: 0, notable: 0, ordinary: 10 + all.length - 18 });
  });
});

/** A SYN from 10.0.9.9 to 10.0.2.2:`port` at capture time `ts` (Linux-like options, checksums right). */
function synFrame(index: number, ts: number, port: number): Frame {
  const len = 14 + 20 + TCP_HEADER + OPTS_SYN_LEN;
  const d = new Uint8Array(len);
  const src = 0x0a000909;
  const dst = 0x0a000202;
  writeEthernet(d, 0, new Uint8Array([2, 0, 0, 0, 2, 2]), new Uint8Array([2, 0, 0, 0, 9, 9]), ETHERTYPE_IPV4);
  writeIpv4(d, 14, len - 14, index & 0xffff, true, 64, IPPROTO_TCP, src, dst);
  writeTcp(
    d,
    34,
    {
      srcPort: 40000 + (index % 20000),
      dstPort: port,
      seq: index * 7919,
      ack: 0,
      flags: TCP_SYN,
      window: 64240,
      options: OPTS_SYN,
      tsVal: index,
      tsEcr: 0,
      mss: 1460,
      wscale: 7,
      payload: null,
      payloadOffset: 0,
      payloadLength: 0,
    },
    src,
    dst,
  );
  const sec = Math.floor(ts);
  return {
    index,
    tsSec: sec,
    tsNsec: Math.round((ts - sec) * 1e9),
    ts,
    caplen: len,
    origlen: len,
    linkType: 1,
    interfaceId: 0,
    data: d,
    fileOffset: -1,
  };
}

describe('a port scan does not crowd out the listeners seen after it', () => {
  test('a scan of more ports than the table holds, then the lab backlog overflow: the overflow is found', () => {
    const t = new ListenerTracker();
    const capture = readFileSync(join(FIXTURES, 'lab/backlog-overflow.pcap'));
    const frames: Frame[] = [];
    readCaptureBuffer(capture, { frame: (f) => frames.push(f), problem: () => {} });
    // One SYN to each of MAX_LISTENERS + 500 ports of the server, in the minute before the overflow.
    const ports = MAX_LISTENERS + 500;
    const scanStart = (frames[0] as Frame).ts - 60;
    const scan = new Session(undefined, { tcpEnd: (c) => t.add(c) });
    for (let i = 0; i < ports; i++)
      scan.process(decodeFrame(synFrame(i + 1, scanStart + i / 1000, 20000 + i)));
    scan.finish();
    const lab = new Session(undefined, { tcpEnd: (c) => t.add(c) });
    for (const f of frames) lab.process(decodeFrame(f));
    lab.finish();
    const reports = t.reports();
    assert.equal(reports.length, MAX_LISTENERS);
    const server = reports.find((r) => r.port === 9100);
    assert.ok(server, 'the real listener is tracked');
    assert.equal(server.findings.find((f) => f.kind === 'syn-dropped')?.count, 17);
    assert.equal(t.evictedListeners, 501);
    assert.equal(t.evictedConnections, 501);
    assert.equal(t.droppedConnections, 0);
    assert.match(
      t.untrackedNote() ?? '',
      /^listener table limit 10,000: 501 endpoints that looked like a port scan's/,
    );
  });
});
