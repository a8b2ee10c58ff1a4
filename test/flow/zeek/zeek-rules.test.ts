/**
 * Zeek's conn.log rules, one by one, on hand-made packets (client 10.0.0.1:40000, server 10.0.0.2:80).
 * The corpus test checks them against Zeek itself; these pin each rule down where it is decided.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { zeekConnLogFields, zeekConnState } from '../../../src/flow/tcp/zeek.js';
import { ZeekUdpFlows, zeekUdpConnLogFields } from '../../../src/flow/zeek-udp.js';
import { type Spec, udpPacket, zeekRows } from './builders.js';

/** A complete connection: handshake, 10 bytes up, 20 down, client closes first. */
const NORMAL: Spec[] = [
  { t: 0, from: 'c', flags: 'S', seq: 1000 },
  { t: 0.01, from: 's', flags: 'SA', seq: 5000, ack: 1001 },
  { t: 0.02, from: 'c', flags: 'A', seq: 1001, ack: 5001 },
  { t: 0.03, from: 'c', flags: 'PA', seq: 1001, ack: 5001, len: 10 },
  { t: 0.04, from: 's', flags: 'A', seq: 5001, ack: 1011 },
  { t: 0.05, from: 's', flags: 'PA', seq: 5001, ack: 1011, len: 20 },
  { t: 0.06, from: 'c', flags: 'FA', seq: 1011, ack: 5021 },
  { t: 0.07, from: 's', flags: 'FA', seq: 5021, ack: 1012 },
  { t: 0.08, from: 'c', flags: 'A', seq: 1012, ack: 5022 },
];
const HANDSHAKE = NORMAL.slice(0, 3);

describe('conn_state() from the endpoint states (main.zeek)', () => {
  const cases: Array<[string, string, string, string, number, number]> = [
    // [expected, orig, resp, history, orig size, resp size]
    ['S0', 'TCP_SYN_SENT', 'TCP_INACTIVE', 'S', 0, 0],
    ['S1', 'TCP_ESTABLISHED', 'TCP_ESTABLISHED', 'ShA', 0, 0],
    ['SF', 'TCP_CLOSED', 'TCP_CLOSED', 'ShAFf', 0, 0],
    ['REJ', 'TCP_SYN_SENT', 'TCP_RESET', 'Sr', 0, 0],
    ['REJ', 'TCP_RESET', 'TCP_RESET', 'SrR', 0, 0],
    ['S2', 'TCP_CLOSED', 'TCP_ESTABLISHED', 'ShAF', 0, 0],
    ['S3', 'TCP_ESTABLISHED', 'TCP_CLOSED', 'ShAf', 0, 0],
    ['RSTO', 'TCP_RESET', 'TCP_ESTABLISHED', 'ShAR', 0, 0],
    ['RSTR', 'TCP_ESTABLISHED', 'TCP_RESET', 'ShAr', 0, 0],
    ['RSTR', 'TCP_RESET', 'TCP_RESET', 'ShADRr', 5, 0],
    ['RSTOS0', 'TCP_RESET', 'TCP_INACTIVE', 'SR', 0, 0],
    ['OTH', 'TCP_RESET', 'TCP_INACTIVE', 'R', 0, 0],
    ['RSTRH', 'TCP_INACTIVE', 'TCP_RESET', 'hr', 0, 0],
    ['SH', 'TCP_CLOSED', 'TCP_INACTIVE', 'SF', 0, 0],
    ['SHR', 'TCP_INACTIVE', 'TCP_CLOSED', 'hf', 0, 0],
    ['OTH', 'TCP_PARTIAL', 'TCP_PARTIAL', 'Dd', 0, 0],
  ];
  for (const [want, o, r, h, os, rs] of cases) {
    test(`${o} / ${r} (${h}) is ${want}`, () => {
      assert.equal(zeekConnState(o as never, r as never, os, rs, h), want);
    });
  }
});

describe('a complete connection', () => {
  const [row, ...more] = zeekRows(NORMAL);
  test('one row, SF, ShADadFf', () => {
    assert.equal(more.length, 0);
    assert.ok(row);
    assert.equal(row.connState, 'SF');
    assert.equal(row.history, 'ShADadFf');
    assert.equal(row.flipped, false);
    assert.equal(`${row.origAddr}:${row.origPort}`, '10.0.0.1:40000');
  });
  test('bytes from sequence numbers, packets and IP bytes counted per side', () => {
    assert.ok(row);
    assert.deepEqual(
      [row.origBytes, row.respBytes, row.origPkts, row.respPkts, row.origIpBytes, row.respIpBytes],
      [10, 20, 5, 4, 210, 180],
    );
  });
  test('duration stops at the last packet before both sides closed (the final ACK is not counted)', () => {
    assert.ok(row);
    assert.equal(row.duration, 0.07);
  });
  test('conn.log fields', () => {
    assert.ok(row);
    const f = zeekConnLogFields(row);
    assert.equal(f.duration, '0.070000');
    assert.equal(f.orig_bytes, 10);
  });
});

describe('history letters repeat by Zeek rules', () => {
  test('a retransmitted SYN (same sequence number) is not a new S', () => {
    const [row] = zeekRows([NORMAL[0] as Spec, { ...(NORMAL[0] as Spec), t: 0.5 }, ...NORMAL.slice(1)]);
    assert.equal(row?.history, 'ShADadFf');
  });
  test('t is recorded at the 1st, 10th and 100th retransmission', () => {
    const data: Spec = { t: 0.03, from: 'c', flags: 'PA', seq: 1001, ack: 5001, len: 10 };
    const copies = Array.from({ length: 100 }, (_, i) => ({ ...data, t: 0.04 + i * 0.001 }));
    const [row] = zeekRows([...HANDSHAKE, data, ...copies]);
    assert.equal(row?.history, 'ShADTTT');
  });
  test('a and d once per direction; w (zero window) logarithmic', () => {
    const ack0: Spec = { t: 0.04, from: 's', flags: 'A', seq: 5001, ack: 1011, win: 0 };
    const [row] = zeekRows([...NORMAL.slice(0, 4), ack0, { ...ack0, t: 0.05 }, { ...ack0, t: 0.06 }]);
    assert.equal(row?.history, 'ShADaw');
  });
  test('a FIN is repeated only with a new sequence number', () => {
    const fin = NORMAL[6] as Spec;
    const [row] = zeekRows([...NORMAL.slice(0, 7), { ...fin, t: 0.065 }, ...NORMAL.slice(7)]);
    assert.equal(row?.history, 'ShADadFf');
  });
  test('an RST is repeated only with a new sequence number; RSTO', () => {
    const rst: Spec = { t: 0.05, from: 'c', flags: 'R', seq: 1001 };
    const [row] = zeekRows([...HANDSHAKE, rst, { ...rst, t: 0.06 }, { ...rst, t: 0.07, seq: 1500 }]);
    assert.equal(row?.history, 'ShARR');
    assert.equal(row?.connState, 'RSTO');
  });
  test('a refused connection: Sr, REJ', () => {
    const [row] = zeekRows([NORMAL[0] as Spec, { t: 0.01, from: 's', flags: 'RA', seq: 0, ack: 1001 }]);
    assert.equal(row?.history, 'Sr');
    assert.equal(row?.connState, 'REJ');
  });
});

describe('who is the originator', () => {
  const midstream: Spec[] = [
    { t: 0, from: 's', flags: 'PA', seq: 5001, ack: 1011, len: 20 },
    { t: 0.01, from: 'c', flags: 'A', seq: 1011, ack: 5021 },
  ];
  test('a first packet from a likely server port is flipped (^)', () => {
    const [row] = zeekRows(midstream);
    assert.equal(row?.history, '^dA');
    assert.equal(row?.flipped, true);
    assert.equal(`${row?.origAddr}:${row?.origPort}`, '10.0.0.1:40000');
    assert.equal(row?.connState, 'OTH');
  });
  test('not when the port is not in likely_server_ports (zeek -b)', () => {
    const [row] = zeekRows(midstream, { likelyServerPorts: new Set() });
    assert.equal(row?.history, 'Da');
    assert.equal(row?.flipped, false);
    assert.equal(`${row?.origAddr}:${row?.origPort}`, '10.0.0.2:80');
  });
  test('a SYN-ACK first, then an ACK: flipped as if from the start (^hA), established', () => {
    const specs: Spec[] = [NORMAL[1] as Spec, NORMAL[2] as Spec];
    for (const ports of [new Set<number>(), new Set([80])]) {
      const [row] = zeekRows(specs, { likelyServerPorts: ports });
      assert.equal(row?.history, '^hA');
      assert.equal(row?.connState, 'S1');
    }
  });
  test('a lone SYN-ACK from an unlisted port stays the originator (H)', () => {
    const [row] = zeekRows([NORMAL[1] as Spec], { likelyServerPorts: new Set() });
    assert.equal(row?.history, 'H');
    assert.equal(row?.origPort, 80);
  });
});

describe('checksums', () => {
  const syn = NORMAL[0] as Spec;
  test('validated: a bad TCP checksum only adds C; the packet is not counted', () => {
    const [row] = zeekRows([{ ...syn, tcpChecksum: 'bad' }], { ignoreChecksums: false });
    assert.deepEqual([row?.history, row?.connState, row?.origPkts], ['C', 'OTH', 0]);
  });
  test('ignored (the default, like zeek -C)', () => {
    const [row] = zeekRows([{ ...syn, tcpChecksum: 'bad' }]);
    assert.deepEqual([row?.history, row?.connState, row?.origPkts], ['S', 'S0', 1]);
  });
  test('a NIC-offload checksum is good unless offloadIsBad', () => {
    const pkt: Spec = { ...syn, tcpChecksum: 'offload' };
    assert.equal(zeekRows([pkt], { ignoreChecksums: false })[0]?.history, 'S');
    assert.equal(zeekRows([pkt], { ignoreChecksums: false, offloadIsBad: true })[0]?.history, 'C');
  });
  test('validated: a bad IPv4 header checksum drops the packet before any connection', () => {
    assert.equal(zeekRows([{ ...syn, ipChecksum: 'bad' }], { ignoreChecksums: false }).length, 0);
  });
});

describe("Zeek's connection boundaries inside one tracker connection", () => {
  test('an unanswered SYN is forgotten after 5 s: its retransmission starts a new row', () => {
    const syn = NORMAL[0] as Spec;
    const rows = zeekRows([syn, { ...syn, t: 6 }]);
    assert.deepEqual(
      rows.map((r) => [r.history, r.connState, r.part, r.parts]),
      [
        ['S', 'S0', 0, 2],
        ['S', 'S0', 1, 2],
      ],
    );
    assert.equal(zeekRows([syn, { ...syn, t: 6 }], { timers: false }).length, 1);
  });
  test('5 minutes idle ends an established connection', () => {
    const data: Spec = { t: 301, from: 'c', flags: 'PA', seq: 1001, ack: 5001, len: 10 };
    assert.deepEqual(
      zeekRows([...HANDSHAKE, data]).map((r) => `${r.history} ${r.connState}`),
      ['ShA S1', 'D OTH'],
    );
    assert.deepEqual(
      zeekRows([...HANDSHAKE, { ...data, t: 299 }]).map((r) => `${r.history} ${r.connState}`),
      ['ShAD S1'],
    );
  });
  test('a closed connection is forgotten 5 s after its last packet', () => {
    const late: Spec = { ...(NORMAL[8] as Spec), t: 6 };
    assert.deepEqual(
      zeekRows([...NORMAL, late]).map((r) => `${r.history} ${r.connState}`),
      ['ShADadFf SF', 'A OTH'],
    );
  });
  test('a SYN-ACK with a new sequence number on a half-open connection starts a new row', () => {
    const rows = zeekRows([{ ...(NORMAL[0] as Spec), tcpChecksum: 'bad' }, NORMAL[1] as Spec], {
      ignoreChecksums: false,
      likelyServerPorts: new Set(),
    });
    assert.deepEqual(
      rows.map((r) => `${r.origPort} ${r.history} ${r.connState}`),
      ['40000 C OTH', '80 H OTH'],
    );
  });
});

describe('UDP flows', () => {
  const C: [number, number] = [0x0a000001, 5555];
  const S: [number, number] = [0x0a000002, 53];
  test('request and reply: SF, Dd, payload bytes', () => {
    const u = new ZeekUdpFlows();
    u.process(udpPacket(1, 0, C, S, 30));
    u.process(udpPacket(2, 0.01, S, C, 60));
    const [r] = u.finish();
    assert.deepEqual(
      [r?.connState, r?.history, r?.origBytes, r?.respBytes, r?.origPkts, r?.respPkts],
      ['SF', 'Dd', 30, 60, 1, 1],
    );
  });
  test('a reply seen first, from a likely server port: flipped, SHR', () => {
    const u = new ZeekUdpFlows();
    u.process(udpPacket(1, 0, S, C, 60));
    const [r] = u.finish();
    assert.deepEqual([r?.connState, r?.history, r?.origPort], ['SHR', '^d', 5555]);
    assert.ok(r);
    const f = zeekUdpConnLogFields(r);
    assert.deepEqual([f.duration, f.orig_bytes, f.resp_pkts], ['-', '-', 1]);
  });
  test('no flip towards the broadcast address', () => {
    const u = new ZeekUdpFlows();
    u.process(udpPacket(1, 0, [0x0a000002, 67], [0xffffffff, 68], 300));
    const [r] = u.finish();
    assert.deepEqual([r?.connState, r?.history, r?.origPort], ['S0', 'D', 67]);
  });
  test('a bad checksum, validated: C only', () => {
    const u = new ZeekUdpFlows({ ignoreChecksums: false });
    u.process(udpPacket(1, 0, C, S, 30, 'bad'));
    const [r] = u.finish();
    assert.deepEqual([r?.connState, r?.history, r?.origPkts], ['OTH', 'C', 0]);
  });
  test('a minute without packets ends the flow', () => {
    const u = new ZeekUdpFlows();
    u.process(udpPacket(1, 0, C, S, 30));
    u.process(udpPacket(2, 61, C, S, 30));
    assert.equal(u.finish().length, 2);
  });
});
