/**
 * ARP explained, on real captures (ARP spoofing, gratuitous ARP, plain resolution, Linux cooked
 * capture, the lab) and on hand-built exchanges for RFC 5227 probes and announcements.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ArpAnalyzer,
  type ArpFinding,
  type ArpSummary,
  arpSummary,
  DEFAULT_ARP_LIMITS,
} from '../../../src/annotate/arp.js';
import { readCaptureBuffer } from '../../../src/capture/source.js';
import type { Frame } from '../../../src/capture/types.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import { renderArp } from '../../../src/report/arp.js';
import { makeStyle } from '../../../src/report/style.js';
import { FIXTURES } from '../../helpers/corpus.js';

const PUBLIC = join(FIXTURES, 'corpus', 'public');

function arpOf(file: string): ArpSummary {
  const a = new ArpAnalyzer();
  readCaptureBuffer(readFileSync(file), { frame: (f) => a.onPacket(decodeFrame(f)), problem: () => {} });
  return arpSummary(a);
}

function find<K extends ArpFinding['kind']>(s: ArpSummary, kind: K): Extract<ArpFinding, { kind: K }>[] {
  return s.findings.filter((f): f is Extract<ArpFinding, { kind: K }> => f.kind === kind);
}

describe('arp: chrissanders-arppoison (the spoofer claims the gateway’s address)', () => {
  const s = arpOf(join(PUBLIC, 'chrissanders-arppoison.pcapng'));
  const SPOOFER = '00:25:b3:bf:91:ee';
  const GATEWAY_MAC = '00:26:0b:31:07:33';
  const VICTIM_MAC = '00:21:70:c0:56:f0';

  test('the finding names the gateway address, the spoofer’s MAC and the gateway’s real MAC', () => {
    const [f, ...rest] = find(s, 'spoofing');
    assert.equal(rest.length, 0);
    assert.ok(f);
    assert.equal(f.severity, 'alert');
    assert.equal(f.ip, '172.16.0.1');
    assert.equal(f.claimant, SPOOFER);
    assert.equal(f.previousMac, GATEWAY_MAC);
    assert.equal(f.previousFrom, 'traffic');
    assert.deepEqual(f.claimantIps, ['172.16.0.105']);
    assert.deepEqual(f.claimPackets, [54, 56]);
    assert.deepEqual(f.unsolicitedPackets, [56]);
    assert.deepEqual(
      f.redirected.map((c) => [c.host, c.hostMac, c.direction, c.from, c.to, c.lastPacketBefore, c.packet]),
      [
        ['172.16.0.107', VICTIM_MAC, 'outbound', GATEWAY_MAC, SPOOFER, 52, 57],
        ['172.16.0.107', VICTIM_MAC, 'inbound', GATEWAY_MAC, SPOOFER, 53, 58],
      ],
    );
    assert.equal(s.findings[0], f, 'the alert comes first');
  });

  test('the reply nobody asked for, and the MAC that claims two addresses', () => {
    const [u] = find(s, 'unsolicited-replies');
    assert.ok(u);
    assert.equal(u.count, 1);
    assert.deepEqual(u.replies[0], {
      ip: '172.16.0.1',
      mac: SPOOFER,
      targetIp: '172.16.0.107',
      targetMac: VICTIM_MAC,
      packet: 56,
      ts: u.replies[0]?.ts,
    });
    const [m] = find(s, 'mac-many-ips');
    assert.deepEqual(m && { mac: m.mac, ips: m.ips, severity: m.severity }, {
      mac: SPOOFER,
      ips: ['172.16.0.1', '172.16.0.105'],
      severity: 'warning',
    });
  });

  test('table, pairing and routers', () => {
    assert.deepEqual(
      s.table.map((b) => [b.ip, b.mac, b.firstPacket, b.lastPacket, b.packets, b.kinds]),
      [
        ['172.16.0.1', SPOOFER, 54, 56, 2, ['request', 'reply']],
        ['172.16.0.105', SPOOFER, 165, 165, 1, ['request']],
        ['172.16.0.107', VICTIM_MAC, 55, 55, 1, ['reply']],
      ],
    );
    assert.deepEqual(
      s.answered.map((a) => [a.ip, a.mac, a.requesterIp, a.requestPacket, a.replyPacket]),
      [['172.16.0.107', VICTIM_MAC, '172.16.0.1', 54, 55]],
    );
    assert.deepEqual(
      s.routers.map((r) => [r.mac, r.hosts, r.firstPacket]),
      [
        [GATEWAY_MAC, ['172.16.0.107'], 1],
        [SPOOFER, ['172.16.0.107'], 57],
      ],
    );
  });
});

describe('arp: ordinary captures', () => {
  test('chrissanders-arp_gratuitous: one gratuitous request, nothing suspicious', () => {
    const s = arpOf(join(PUBLIC, 'chrissanders-arp_gratuitous.pcapng'));
    assert.deepEqual(
      s.gratuitous.map((g) => [g.ip, g.mac, g.op, g.announcement, g.packet]),
      [['24.6.125.19', '00:03:47:b7:f2:f5', 'request', false, 1]],
    );
    assert.deepEqual(
      s.table.map((b) => [b.ip, b.mac, b.kinds]),
      [['24.6.125.19', '00:03:47:b7:f2:f5', ['gratuitous']]],
    );
    assert.deepEqual(s.findings, []);
  });

  test('chrissanders-arp_resolution: a request answered in 4.081 ms', () => {
    const s = arpOf(join(PUBLIC, 'chrissanders-arp_resolution.pcapng'));
    assert.deepEqual(s.answered, [
      {
        ip: '192.168.0.1',
        mac: '00:13:46:0b:22:ba',
        requesterIp: '192.168.0.114',
        requesterMac: '00:16:ce:6e:8b:24',
        requests: 1,
        responseTime: 0.004081,
        requestPacket: 1,
        replyPacket: 2,
      },
    ]);
    assert.deepEqual(s.unanswered, []);
    assert.deepEqual(s.findings, []);
  });

  test('zeek-arp-who-has: who-has 10.0.0.1 answered in 5.453 ms', () => {
    const s = arpOf(join(PUBLIC, 'zeek-arp-who-has.pcap'));
    assert.deepEqual(
      s.answered.map((a) => [a.ip, a.mac, a.requesterIp, a.responseTime]),
      [['10.0.0.1', 'f8:ed:a5:c0:a4:f1', '10.0.0.2', 0.005453]],
    );
    assert.deepEqual(s.findings, []);
  });

  test('zeek-linuxsll-arp (cooked capture): nine unanswered requests for 10.1.10.1, gratuitous ARP twice', () => {
    const s = arpOf(join(PUBLIC, 'zeek-linuxsll-arp.pcap'));
    assert.deepEqual(
      s.unanswered.map((u) => [u.ip, u.requesterIp, u.requesterMac, u.requests, u.firstPacket, u.lastPacket]),
      [
        ['192.168.22.160', '192.168.22.1', 'cc:2d:e0:26:19:99', 1, 1, 1],
        ['10.1.10.1', '10.1.10.100', '00:50:56:8b:cf:fa', 9, 2, 12],
      ],
    );
    assert.deepEqual(
      s.gratuitous.map((g) => [g.ip, g.mac, g.packet]),
      [
        ['192.168.22.81', '00:50:56:8b:3f:0d', 5],
        ['192.168.22.81', '00:50:56:8b:3f:0d', 8],
      ],
    );
    assert.deepEqual(s.answered, []);
    assert.deepEqual(s.findings, []);
  });

  test('lab http-keepalive: the truth’s ARP exchange, and the neighbour the client kept', () => {
    const truth = JSON.parse(readFileSync(join(FIXTURES, 'lab', 'http-keepalive.truth.json'), 'utf8')) as {
      arp: { who_has: string; tell: string; answer_mac: string }[];
      neighbours_end: { client: { ip: string; mac: string }[] };
    };
    const s = arpOf(join(FIXTURES, 'lab', 'http-keepalive.pcap'));
    assert.deepEqual(
      s.answered.map((a) => ({ who_has: a.ip, tell: a.requesterIp, answer_mac: a.mac })),
      truth.arp.map((a) => ({ who_has: a.who_has, tell: a.tell, answer_mac: a.answer_mac })),
    );
    for (const n of truth.neighbours_end.client) {
      assert.ok(
        s.table.some((b) => b.ip === n.ip && b.mac === n.mac),
        `${n.ip} at ${n.mac}`,
      );
    }
    assert.deepEqual(s.findings, []);
  });

  test('lab nat-inside: two clients resolve their gateway, both answered', () => {
    const s = arpOf(join(FIXTURES, 'lab', 'nat-inside.pcap'));
    assert.deepEqual(
      s.answered.map((a) => [a.ip, a.mac, a.requesterIp]),
      [
        ['10.0.1.1', '02:00:0a:00:01:01', '10.0.1.2'],
        ['10.0.1.1', '02:00:0a:00:01:01', '10.0.1.3'],
      ],
    );
    assert.deepEqual(s.findings, []);
  });
});

describe('arp: tcpdump-arp-oobr (fuzzed): no crash, nothing learned from malformed packets', () => {
  const file = join(PUBLIC, 'tcpdump-arp-oobr.pcap');
  const s = arpOf(file);
  const malformed = new Set<number>();
  readCaptureBuffer(readFileSync(file), {
    frame: (f) => {
      const p = decodeFrame(f);
      if (p.arp && (p.arp.senderMac === undefined || p.anomalies.some((x) => x.layer === 'arp')))
        malformed.add(f.index);
    },
    problem: () => {},
  });

  test('every malformed ARP packet is listed as such', () => {
    assert.ok(malformed.size > 300, String(malformed.size));
    const [inv] = find(s, 'invalid');
    assert.ok(inv);
    assert.ok(inv.count >= malformed.size);
  });

  test('no binding, pairing, probe or gratuitous row rests on a malformed packet', () => {
    const used = new Set<number>();
    for (const b of s.table) used.add(b.firstPacket).add(b.lastPacket);
    for (const a of s.answered) used.add(a.requestPacket).add(a.replyPacket);
    for (const g of s.gratuitous) used.add(g.packet);
    for (const p of s.probes) used.add(p.packet);
    for (const u of s.unanswered) used.add(u.firstPacket).add(u.lastPacket);
    for (const n of used) assert.ok(!malformed.has(n), `packet ${n}`);
  });

  test('no impossible address in the table (0.x.x.x, multicast, broadcast, reserved)', () => {
    for (const b of s.table) {
      const first = Number(b.ip.split('.')[0]);
      assert.ok(first !== 0 && first !== 127 && first < 224, b.ip);
      assert.ok((Number.parseInt(b.mac.slice(0, 2), 16) & 1) === 0, b.mac);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-built exchanges.
// ---------------------------------------------------------------------------------------------

function mac(s: string): number[] {
  return s.split(':').map((x) => Number.parseInt(x, 16));
}

function ip(s: string): number[] {
  return s.split('.').map(Number);
}

let index = 0;

/** Ethernet + ARP frame `dt` seconds after T: op 1 request, 2 reply. */
function arpFrame(
  dt: number,
  op: number,
  sha: string,
  spa: string,
  tha: string,
  tpa: string,
  ethDst = 'ff:ff:ff:ff:ff:ff',
  ethSrc = sha,
): Frame {
  const d = new Uint8Array([
    ...mac(ethDst),
    ...mac(ethSrc),
    0x08,
    0x06,
    0,
    1,
    0x08,
    0,
    6,
    4,
    0,
    op,
    ...mac(sha),
    ...ip(spa),
    ...mac(tha),
    ...ip(tpa),
  ]);
  const whole = Math.floor(dt);
  const nsec = Math.round((dt - whole) * 1e9);
  return {
    index: ++index,
    tsSec: T + whole,
    tsNsec: nsec,
    ts: T + whole + nsec / 1e9,
    caplen: d.length,
    origlen: d.length,
    linkType: 1,
    interfaceId: 0,
    data: d,
    fileOffset: -1,
  };
}

function run(frames: Frame[], limits = DEFAULT_ARP_LIMITS): ArpSummary {
  index = 0;
  const a = new ArpAnalyzer(limits);
  for (const f of frames) a.onPacket(decodeFrame(f));
  return arpSummary(a);
}

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const Z = '00:00:00:00:00:00';
const T = 1_700_000_000;

describe('arp: RFC 5227 probes, announcements and conflicts (hand-built)', () => {
  test('three probes, then two announcements: the address is taken cleanly', () => {
    index = 0;
    const s = run([
      arpFrame(0, 1, A, '0.0.0.0', Z, '192.168.1.50'),
      arpFrame(1, 1, A, '0.0.0.0', Z, '192.168.1.50'),
      arpFrame(2, 1, A, '0.0.0.0', Z, '192.168.1.50'),
      arpFrame(4, 1, A, '192.168.1.50', Z, '192.168.1.50'),
      arpFrame(6, 1, A, '192.168.1.50', Z, '192.168.1.50'),
    ]);
    assert.deepEqual(
      s.probes.map((p) => [p.ip, p.mac, p.packet]),
      [
        ['192.168.1.50', A, 1],
        ['192.168.1.50', A, 2],
        ['192.168.1.50', A, 3],
      ],
    );
    assert.deepEqual(
      s.gratuitous.map((g) => [g.ip, g.announcement, g.packet]),
      [
        ['192.168.1.50', true, 4],
        ['192.168.1.50', true, 5],
      ],
    );
    assert.deepEqual(
      s.table.map((b) => [b.ip, b.mac, b.kinds]),
      [['192.168.1.50', A, ['announcement']]],
    );
    assert.deepEqual(s.findings, []);
  });

  test('a probe answered by the address’s owner: conflict detected, the prober must back off', () => {
    const s = run([
      arpFrame(0, 1, A, '0.0.0.0', Z, '192.168.1.60'),
      arpFrame(0.001, 2, B, '192.168.1.60', A, '0.0.0.0', A),
    ]);
    const [c] = find(s, 'probe-conflict');
    assert.deepEqual(c, {
      kind: 'probe-conflict',
      severity: 'warning',
      ip: '192.168.1.60',
      prober: A,
      defender: B,
      probePacket: 1,
      defendPacket: 2,
    });
    assert.equal(s.answered.length, 1, 'the defence answers the probe');
  });

  test('retries before the answer: response time from the last request', () => {
    const s = run([
      arpFrame(0, 1, A, '192.168.1.2', Z, '192.168.1.1'),
      arpFrame(1, 1, A, '192.168.1.2', Z, '192.168.1.1'),
      arpFrame(1.002, 2, B, '192.168.1.1', A, '192.168.1.2', A),
    ]);
    assert.deepEqual(
      s.answered.map((a) => [a.requests, a.responseTime, a.requestPacket, a.replyPacket]),
      [[2, 0.002, 2, 3]],
    );
  });

  test('a standby taking over an address by gratuitous ARP: a takeover warning, not an alert', () => {
    const s = run([
      arpFrame(0, 1, A, '192.168.1.1', Z, '192.168.1.1'),
      arpFrame(1, 1, B, '192.168.1.3', Z, '192.168.1.9'),
      arpFrame(10, 1, B, '192.168.1.1', Z, '192.168.1.1'),
    ]);
    const [t] = find(s, 'spoofing');
    assert.ok(t);
    assert.equal(t.severity, 'warning');
    assert.equal(t.previousFrom, 'arp');
    assert.deepEqual([t.ip, t.claimant, t.previousMac], ['192.168.1.1', B, A]);
    const [c] = find(s, 'ip-conflict');
    assert.deepEqual(
      c?.macs.map((m) => m.mac),
      [A, B],
    );
  });

  test('an ARP sender MAC that is not the frame’s source, and a broadcast sender MAC', () => {
    const s = run([
      arpFrame(0, 1, A, '192.168.1.2', Z, '192.168.1.1', 'ff:ff:ff:ff:ff:ff', B),
      arpFrame(1, 2, 'ff:ff:ff:ff:ff:ff', '192.168.1.1', A, '192.168.1.2', A, B),
    ]);
    const [m] = find(s, 'sender-mismatch');
    assert.deepEqual(m?.examples, [{ packet: 1, arpMac: A, ethMac: B }]);
    const [inv] = find(s, 'invalid');
    assert.deepEqual(
      inv?.packets.map((p) => p.packet),
      [2],
    );
    assert.deepEqual(
      s.table.map((b) => b.ip),
      ['192.168.1.2'],
    );
  });
});

describe('arp: a spoofing attack after a long capture of ordinary ARP', () => {
  // 70,000 ordinary requests and replies on another subnet in the hour before the attack (more ARP
  // packets than the analyser once kept claims of), then chrissanders-arppoison.
  const N = 70_000;
  const capture = readFileSync(join(PUBLIC, 'chrissanders-arppoison.pcapng'));
  const frames: Frame[] = [];
  readCaptureBuffer(capture, { frame: (f) => frames.push({ ...f, index: f.index + N }), problem: () => {} });
  const start = (frames[0] as Frame).tsSec - 3600;
  const a = new ArpAnalyzer();
  for (let i = 0; i < N / 2; i++) {
    const h = (i % 200) + 2;
    const m = `02:00:00:00:01:${h.toString(16).padStart(2, '0')}`;
    const at = (f: Frame, k: number): Frame => ({
      ...f,
      index: 2 * i + k,
      tsSec: start + Math.floor(i / 20),
      ts: start + i / 20,
    });
    a.onPacket(decodeFrame(at(arpFrame(0, 1, m, `10.9.0.${h}`, Z, '10.9.0.1'), 1)));
    a.onPacket(decodeFrame(at(arpFrame(0, 2, '02:00:00:00:01:01', '10.9.0.1', m, `10.9.0.${h}`, m), 2)));
  }
  for (const f of frames) a.onPacket(decodeFrame(f));
  const s = arpSummary(a);

  test('the spoofing alert is found as in the capture alone, with its packets', () => {
    const [f, ...rest] = find(s, 'spoofing');
    assert.equal(rest.length, 0);
    assert.ok(f);
    assert.equal(f.severity, 'alert');
    assert.deepEqual(
      [f.ip, f.claimant, f.previousMac],
      ['172.16.0.1', '00:25:b3:bf:91:ee', '00:26:0b:31:07:33'],
    );
    assert.deepEqual(f.claimPackets, [54 + N, 56 + N]);
    assert.deepEqual(f.unsolicitedPackets, [56 + N]);
    assert.deepEqual(
      f.redirected.map((c) => c.packet),
      [57 + N, 58 + N],
    );
    assert.deepEqual(find(s, 'router-changed'), []);
  });

  test('a busy binding lists its first claims and counts them all', () => {
    const gw = s.table.find((b) => b.ip === '10.9.0.1');
    assert.equal(gw?.packets, N / 2);
    assert.deepEqual(find(s, 'unsolicited-replies').length, 1, 'only the spoofer’s reply');
  });
});

describe('arp: every request gets its own reply (hand-built)', () => {
  const GW = '02:00:00:00:00:01';
  const SPOOF = '02:00:00:00:00:66';

  test('two requests sent at once, two replies: both answered, nothing unsolicited', () => {
    const s = run([
      arpFrame(0, 1, GW, '192.168.1.1', Z, '192.168.1.12'),
      arpFrame(0.00003, 1, GW, '192.168.1.1', Z, '192.168.1.12'),
      arpFrame(0.00007, 2, B, '192.168.1.12', GW, '192.168.1.1', GW, B),
      arpFrame(0.00016, 2, B, '192.168.1.12', GW, '192.168.1.1', GW, B),
    ]);
    assert.deepEqual(find(s, 'unsolicited-replies'), []);
    assert.deepEqual(
      s.answered.map((x) => [x.ip, x.mac, x.requests, x.requestPacket, x.replyPacket]),
      [['192.168.1.12', B, 2, 2, 3]],
    );
  });

  test('one request, two replies; a reply owed but late; a reply owed from another MAC: unsolicited', () => {
    const s = run([
      arpFrame(0, 1, GW, '192.168.1.1', Z, '192.168.1.12'),
      arpFrame(0.0001, 2, B, '192.168.1.12', GW, '192.168.1.1', GW, B),
      arpFrame(0.0002, 2, B, '192.168.1.12', GW, '192.168.1.1', GW, B),
      arpFrame(10, 1, GW, '192.168.1.1', Z, '192.168.1.13'),
      arpFrame(10.5, 1, GW, '192.168.1.1', Z, '192.168.1.13'),
      arpFrame(10.6, 2, A, '192.168.1.13', GW, '192.168.1.1', GW, A),
      arpFrame(20, 2, A, '192.168.1.13', GW, '192.168.1.1', GW, A),
      arpFrame(30, 1, GW, '192.168.1.1', Z, '192.168.1.14'),
      arpFrame(30.001, 1, GW, '192.168.1.1', Z, '192.168.1.14'),
      arpFrame(30.002, 2, A, '192.168.1.14', GW, '192.168.1.1', GW, A),
      arpFrame(30.003, 2, SPOOF, '192.168.1.14', GW, '192.168.1.1', GW, SPOOF),
    ]);
    const [u] = find(s, 'unsolicited-replies');
    assert.ok(u);
    assert.deepEqual(
      u.replies.map((r) => [r.ip, r.mac, r.packet]),
      [
        ['192.168.1.12', B, 3],
        ['192.168.1.13', A, 7],
        ['192.168.1.14', SPOOF, 11],
      ],
    );
  });
});

describe('arp: lists longer than what is kept (hand-built)', () => {
  test('the counts cover every exchange, and the headings say how many rows are shown', () => {
    const GW = '02:00:00:00:00:01';
    const frames: Frame[] = [];
    for (let h = 10; h < 15; h++) {
      frames.push(arpFrame(h, 1, GW, '192.168.1.1', Z, `192.168.1.${h}`));
      if (h < 13) frames.push(arpFrame(h + 0.001, 2, B, `192.168.1.${h}`, GW, '192.168.1.1', GW, B));
    }
    const s = run(frames, { ...DEFAULT_ARP_LIMITS, maxRows: 2 });
    assert.equal(s.answeredCount, 3);
    assert.deepEqual(
      s.answered.map((a) => a.ip),
      ['192.168.1.10', '192.168.1.11'],
    );
    assert.equal(s.unansweredCount, 2);
    assert.equal(s.unanswered.length, 2);
    const text = renderArp(s, T, makeStyle(false));
    assert.ok(text.includes('Requests answered (3; 2 shown)'), text.join('\n'));
    assert.ok(text.includes('Requests never answered (2)'), text.join('\n'));
  });
});
