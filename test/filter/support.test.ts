/**
 * The test-only pcap reader, and the name tables against this machine's /etc/services and
 * /etc/protocols (libpcap reads those files; wirelens carries fixed copies).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PROTOCOL_NAMES, SERVICE_NAMES } from '../../src/filter/names.js';
import { readPcap, writePcap } from './pcap-for-tests.js';

const CORPUS = '/work/shared/corpus/public';

test('reads big-endian microsecond pcap', { skip: !existsSync(`${CORPUS}/tcpdump-pptp.pcap`) }, () => {
  // 954147395.148077 IP 10.1.1.11.3025 > 10.1.1.12.1723: ... (23 packets, Ethernet)
  const p = readPcap(readFileSync(`${CORPUS}/tcpdump-pptp.pcap`));
  assert.equal(p.linkType, 1);
  assert.equal(p.frames.length, 23);
  assert.deepEqual([p.frames[0]?.tsSec, p.frames[0]?.tsNsec], [954147395, 148077000]);
});

test('reads little-endian nanosecond pcap', {
  skip: !existsSync(`${CORPUS}/tcpdump-tcp-handshake-nano.pcap`),
}, () => {
  // 1418145369.924505488 IP 131.155.215.69.46656 > 137.116.81.94.80: Flags [S] ...
  const p = readPcap(readFileSync(`${CORPUS}/tcpdump-tcp-handshake-nano.pcap`));
  assert.equal(p.linkType, 113);
  assert.equal(p.frames.length, 3);
  assert.deepEqual([p.frames[0]?.tsSec, p.frames[0]?.tsNsec], [1418145369, 924505488]);
  assert.deepEqual(
    p.frames.map((f) => f.index),
    [1, 2, 3],
  );
});

test('write then read keeps frames (microsecond precision)', () => {
  const data = new Uint8Array([1, 2, 3, 4, 5]);
  const frame = {
    index: 1,
    tsSec: 7,
    tsNsec: 123456789,
    ts: 7.123456789,
    caplen: 5,
    origlen: 60,
    linkType: 1,
    interfaceId: 0,
    data,
    fileOffset: 0,
  };
  const back = readPcap(writePcap(1, [frame, frame]));
  assert.equal(back.frames.length, 2);
  assert.deepEqual(
    [back.frames[1]?.tsNsec, back.frames[1]?.origlen, [...(back.frames[1]?.data ?? [])]],
    [123456000, 60, [1, 2, 3, 4, 5]],
  );
  // A truncated final record is dropped quietly.
  const bytes = writePcap(1, [frame]);
  assert.equal(readPcap(bytes.subarray(0, bytes.length - 1)).frames.length, 0);
});

/** name -> {tcp, udp} from an /etc/services file (names and aliases). */
function parseServices(text: string): Map<string, { tcp?: number; udp?: number }> {
  const m = new Map<string, { tcp?: number; udp?: number }>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const [port, proto] = (portProto ?? '').split('/');
    if (proto !== 'tcp' && proto !== 'udp') continue;
    for (const n of [name, ...aliases]) {
      if (!n) continue;
      const e = m.get(n) ?? {};
      if (e[proto] === undefined) e[proto] = Number(port);
      m.set(n, e);
    }
  }
  return m;
}

test('service names agree with /etc/services', { skip: !existsSync('/etc/services') }, () => {
  const sys = parseServices(readFileSync('/etc/services', 'utf8'));
  const differ: string[] = [];
  let compared = 0;
  for (const [name, ours] of SERVICE_NAMES) {
    const theirs = sys.get(name);
    if (!theirs) continue; // not on this machine: nothing to compare
    compared++;
    if (theirs.tcp !== ours.tcp || theirs.udp !== ours.udp)
      differ.push(`${name}: ours ${JSON.stringify(ours)}, /etc/services ${JSON.stringify(theirs)}`);
  }
  assert.deepEqual(differ, []);
  assert.ok(compared > 50, `only ${compared} names compared`);
});

test('protocol names agree with /etc/protocols', { skip: !existsSync('/etc/protocols') }, () => {
  const differ: string[] = [];
  for (const raw of readFileSync('/etc/protocols', 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, num, ...aliases] = line.split(/\s+/);
    for (const n of [name, ...aliases]) {
      if (!n) continue;
      const ours = PROTOCOL_NAMES.get(n);
      if (ours !== undefined && ours !== Number(num))
        differ.push(`${n}: ours ${ours}, /etc/protocols ${num}`);
    }
  }
  assert.deepEqual(differ, []);
});
