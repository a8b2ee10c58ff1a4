/**
 * TCP (RFC 9293): every flag, every option kind (MSS, window scale, SACK-permitted, SACK blocks,
 * timestamps, TFO kind 34 and experimental 254/0xF989, MD5, TCP-AO, MPTCP, EOL/NOP, unknown kinds
 * kept as code and bytes), impossible option lengths, data offset below 5 or beyond the segment,
 * checksum good / wrong / offloaded, truncation at every byte.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TcpFlag, type TcpOption } from '../../src/decode/types.js';
import { tcpFlagsText } from '../../src/report/format.js';
import {
  anomalyOf,
  decode,
  fixturePackets,
  hex,
  ids,
  inetChecksum,
  ipv4Frame,
  kinds,
  LinkType,
  layer,
  put16,
  sweepCuts,
} from './helpers.js';

const ETH = LinkType.ETHERNET;

// fixtures/corpus/public/chrissanders-tcp_handshake.pcapng #1
// tcpdump: 00:21:6a:5b:7d:4a > 00:05:5d:21:99:4c, ethertype IPv4 (0x0800), length 66: (tos 0x0, ttl 128, id 12671, offset 0, flags [DF], proto TCP (6), length 52) 172.16.16.128.2826 > 212.58.226.142.80: Flags [S], cksum 0xcfeb (correct), seq 3691127924, win 8192, options [mss 1460,nop,wscale 2,nop,nop,sackOK], length 0
const SYN = hex(
  '00055d21994c00216a5b7d4a080045000034317f4000800655ebac101080d43a',
  'e28e0b0a0050dc0224740000000080022000cfeb0000020405b4010303020101',
  '0402',
);

// fixtures/corpus/public/chrissanders-tcp_handshake.pcapng #2
// tcpdump: 00:05:5d:21:99:4c > 00:21:6a:5b:7d:4a, ethertype IPv4 (0x0800), length 66: (tos 0x0, ttl 49, id 0, offset 0, flags [none], proto TCP (6), length 52) 212.58.226.142.80 > 172.16.16.128.2826: Flags [S.], cksum 0x9ac0 (correct), seq 233779340, ack 3691127925, win 5840, options [mss 1406,nop,nop,sackOK,nop,wscale 7], length 0
const SYN_ACK = hex(
  '00216a5b7d4a00055d21994c080045000034000000003106166bd43ae28eac10',
  '108000500b0a0def308cdc022475801216d09ac000000204057e010104020103',
  '0307',
);

// fixtures/corpus/public/chrissanders-tcp_dupack.pcapng #1: a SACK block
// tcpdump: 00:16:35:a4:c1:c6 > 00:00:0c:07:ac:01, ethertype IPv4 (0x0800), length 78: (tos 0x0, ttl 64, id 12096, offset 0, flags [DF], proto TCP (6), length 64) 172.31.136.85.38760 > 195.81.202.68.80: Flags [.], cksum 0xd1be (correct), seq 704338729, ack 1310973186, win 382, options [nop,nop,TS val 22247173 ecr 1332354,nop,nop,sack 1 {1310978658:1310984130}], length 0
const SACK = hex(
  '00000c07ac01001635a4c1c60800450000402f4040004006496dac1f8855c351',
  'ca449768005029fb5b294e23dd02b010017ed1be00000101080a015377050014',
  '54820101050a4e23f2624e2407c2',
);

// fixtures/corpus/public/zeek-tcp_tcp-fast-open.pcap #1: experimental TFO (254, magic 0xF989), cookie request
// tcpdump: 00:50:56:c0:00:01 > 00:0c:29:6d:b6:7a, ethertype IPv4 (0x0800), length 78: (tos 0x0, ttl 64, id 62182, offset 0, flags [DF], proto TCP (6), length 64) 10.99.99.1.55533 > 10.99.99.45.80: Flags [S], cksum 0xb5d2 (correct), seq 1620482629, win 29200, options [mss 1460,sackOK,TS val 14248099 ecr 0,nop,wscale 7,exp-tfo cookiereq], length 0
const EXP_TFO_REQ = hex(
  '000c296db67a005056c00001080045000040f2e6400040066cdd0a6363010a63',
  '632dd8ed005060969a4500000000b0027210b5d20000020405b40402080a00d9',
  '68a30000000001030307fe04f989',
);

// fixtures/corpus/public/zeek-tcp_tcp-fast-open.pcap #2: experimental TFO with an 8-byte cookie
// tcpdump: 00:0c:29:6d:b6:7a > 00:50:56:c0:00:01, ethertype IPv4 (0x0800), length 86: (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 72) 10.99.99.45.80 > 10.99.99.1.55533: Flags [S.], cksum 0xc277 (correct), seq 991577150, ack 1620482630, win 28960, options [mss 1460,sackOK,TS val 4294965494 ecr 14248099,nop,wscale 6,exp-tfo cookie 261fb060cecab690], length 0
const EXP_TFO_COOKIE = hex(
  '005056c00001000c296db67a0800450000480000400040065fbc0a63632d0a63',
  '63010050d8ed3b1a443e60969a46d0127120c2770000020405b40402080affff',
  'f8f600d968a301030306fe0cf989261fb060cecab690',
);

// fixtures/corpus/public/tcpdump-accecn_handshake.pcap #2: kind 254 with another experiment's magic (AccECN 0xACC0)
// tcpdump: 18:fd:74:07:45:cd > 00:0c:29:f7:80:12, ethertype IPv4 (0x0800), length 86: (tos 0x0, ttl 54, id 0, offset 0, flags [DF], proto TCP (6), length 72) 66.228.43.12.80 > 31.133.146.248.16433: Flags [S.W], cksum 0x22a8 (correct), seq 2972234643, ack 1948076590, win 65160, options [mss 1460,sackOK,TS val 2783239876 ecr 112147477,exp-acc0,wscale 7], length 0
const EXP_ACCECN = hex(
  '000c29f7801218fd740745cd080045000048000040003606244342e42b0c1f85',
  '92f800504031b128b393741d4a2ed092fe8822a80000020405b40402080aa5e4',
  'dec406af3c15fe0dacc0000001000000000000030307',
);

// fixtures/corpus/public/tcpdump-accecn_handshake.pcap #1: AccECN SYN (AE, CWR, ECE); tcpdump finds the checksum wrong
// tcpdump: 00:0c:29:f7:80:12 > 18:fd:74:07:45:cd, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 60) 31.133.146.248.16433 > 66.228.43.12.80: Flags [SEW], cksum 0x209c (incorrect -> 0xe443), seq 1948076589, win 65535, options [mss 1460,nop,wscale 6,sackOK,TS val 112147477 ecr 0], length 0
const ACCECN_SYN = hex(
  '18fd740745cd000c29f7801208004500003c0000400040061a4f1f8592f842e4',
  '2b0c40310050741d4a2d00000000a1c2ffff209c0000020405b4010303060402',
  '080a06af3c1500000000',
);

// fixtures/corpus/public/tcpdump-tcp_eight_lowest_weight_flags_set.pcap #1: FIN SYN RST PSH ACK URG ECE CWR
// tcpdump: 42:01:0a:f0:00:17 > 42:01:0a:f0:00:01, ethertype IPv4 (0x0800), length 54: (tos 0x0, ttl 64, id 36426, offset 0, flags [none], proto TCP (6), length 40) 10.0.0.2.6260 > 10.128.0.2.80: Flags [FSRP.UEW], cksum 0xf4c3 (correct), seq 576462951, ack 486026015, win 512, urg 0, length 0
const EIGHT_FLAGS = hex(
  '42010af0000142010af000170800450000288e4a00004006d8020a0000020a80',
  '000218740050225c20671cf82b1f50ff0200f4c30000',
);

// MSS, SACK-permitted, timestamps, NOP, window scale, TFO (kind 34) with a cookie, EOL.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 86: (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 72) 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], cksum 0x745d (correct), seq 1000, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7,tfo  cookie 0011223344556677,eol], length 0
const ALL_COMMON = hex(
  '66778899aabb00112233445508004500004800014000400626ad0a0000010a00',
  '00029c400050000003e800000000d002ffff745d0000020405b40402080a0000',
  '00010000000001030307220a00112233445566770000',
);

// TFO kind 34 cookie request (empty cookie).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 62: (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 48) 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], cksum 0xb0a4 (correct), seq 1000, win 65535, options [mss 1460,tfo  cookiereq,nop,nop], length 0
const TFO_REQ = hex(
  '66778899aabb00112233445508004500003000014000400626c50a0000010a00',
  '00029c400050000003e8000000007002ffffb0a40000020405b422020101',
);

// TCP MD5 signature (RFC 2385).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60) 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], cksum 0xdafc (correct), seq 1000, win 65535, options [nop,nop,md5 shared secret not supplied with -M, can't check - 00112233445566778899aabbccddeeff], length 0
const MD5 = hex(
  '66778899aabb00112233445508004500003c00014000400626b90a0000010a00',
  '00029c400050000003e800000000a002ffffdafc000001011312001122334455',
  '66778899aabbccddeeff',
);

// TCP-AO (RFC 5925): key id 5, rnext key id 6, 12-byte MAC.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 70: (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 56) 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], cksum 0x7b1d (correct), seq 1000, win 65535, options [tcp-ao keyid 5 rnextkeyid 6 mac 0x000102030405060708090a0b], length 0
const TCP_AO = hex(
  '66778899aabb00112233445508004500003800014000400626bd0a0000010a00',
  '00029c400050000003e8000000009002ffff7b1d00001d100506000102030405',
  '060708090a0b',
);

// Unknown kinds 76 and 253.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 66: (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 52) 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], cksum 0x4ac6 (correct), seq 1000, win 65535, options [unknown-76 0xaabbccdd,unknown-253 0xbeef,nop,nop], length 0
const UNKNOWN = hex(
  '66778899aabb00112233445508004500003400014000400626c10a0000010a00',
  '00029c400050000003e8000000008002ffff4ac600004c06aabbccddfd04beef',
  '0101',
);

// fixtures/corpus/public/tcpdump-mptcp-v1.pcap #1 (Linux cooked v1): MP_CAPABLE
// tcpdump: In 32:32:87:aa:04:02 ethertype IPv4 (0x0800), length 80: 10.0.1.1.33306 > 10.0.2.1.10004: Flags [S], seq 2180756989, win 65535, options [mss 1460,sackOK,TS val 464494241 ecr 0,nop,wscale 8,mptcp 4 capable v1], length 0
const MPTCP = hex(
  '000000010006323287aa04020000080045000040ad7f4000400676370a000101',
  '0a000201821a271481fbb5fd00000000b002ffff17340000020405b40402080a',
  '1baf9ea100000000010303081e040101',
);

/**
 * A TCP segment 10.0.0.1:40000 → 10.0.0.2:80 with the given options (hex) and flags, in Ethernet
 * and IPv4, with a correct checksum (or the offloaded form: the folded pseudo-header sum).
 */
function segment(
  options: string,
  o: {
    flags?: number;
    dataOffset?: number;
    payload?: string;
    srcPort?: number;
    dstPort?: number;
    offload?: boolean;
  } = {},
): Uint8Array {
  const opts = hex(options);
  const payload = hex(o.payload ?? '');
  const doff = o.dataOffset ?? (20 + opts.length) / 4;
  assert.ok(Number.isInteger(doff), 'options must fill whole words');
  const seg = new Uint8Array(20 + opts.length + payload.length);
  seg.set(
    hex(
      (o.srcPort ?? 40000).toString(16).padStart(4, '0'),
      (o.dstPort ?? 80).toString(16).padStart(4, '0'),
      '000003e8',
      '000007d0',
    ),
  );
  seg[12] = (doff << 4) | (((o.flags ?? TcpFlag.SYN) >> 8) & 0x0f);
  seg[13] = (o.flags ?? TcpFlag.SYN) & 0xff;
  seg.set(hex('ffff', '0000', '0000'), 14);
  seg.set(opts, 20);
  seg.set(payload, 20 + opts.length);
  const pseudo = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + seg.length;
  const c = o.offload
    ? ~inetChecksum(new Uint8Array(0), 0, 0, pseudo) & 0xffff
    : inetChecksum(seg, 0, seg.length, pseudo);
  seg[16] = c >> 8;
  seg[17] = c & 0xff;
  return ipv4Frame(6, seg);
}

const optionKinds = (os: readonly TcpOption[]) => os.map((x) => x.kind);

describe('TCP: header fields and checksum', () => {
  test('a real SYN: ports, sequence, data offset, flags, window, checksum, payload', () => {
    const p = decode(ETH, SYN);
    const t = layer(p, 'tcp');
    assert.deepEqual(
      [t.srcPort, t.dstPort, t.seq, t.ack, t.dataOffset, t.flags, t.window, t.urgentPointer],
      [2826, 80, 3691127924, 0, 8, TcpFlag.SYN, 8192, 0],
    );
    assert.deepEqual([t.offset, t.headerLength, t.checksum, t.checksumStatus], [34, 32, 0xcfeb, 'good']);
    assert.deepEqual([t.payloadLength, t.capturedPayload, t.partial], [0, 0, false]);
    assert.equal(p.tcp, t);
    assert.deepEqual(ids(p), []);
  });

  test('a real SYN-ACK: acknowledgement number', () => {
    const t = layer(decode(ETH, SYN_ACK), 'tcp');
    assert.deepEqual([t.seq, t.ack, t.flags], [233779340, 3691127925, TcpFlag.SYN | TcpFlag.ACK]);
  });

  test('checksum: wrong is a warning at the field; the pseudo-header sum alone is an offload note', () => {
    const bad = decode(ETH, put16(SYN, 50, 0xcfec));
    assert.equal(layer(bad, 'tcp').checksumStatus, 'bad');
    assert.deepEqual(ids(bad), ['tcp.bad-checksum']);
    assert.deepEqual([bad.anomalies[0]?.layer, bad.anomalies[0]?.offset], ['tcp', 50]);
    assert.equal(bad.status, 'decoded');
    const off = decode(ETH, segment('020405b4', { offload: true }));
    assert.equal(layer(off, 'tcp').checksumStatus, 'offload');
    assert.deepEqual(ids(off), ['tcp.checksum-offload']);
    assert.equal(anomalyOf(off, 'tcp.checksum-offload').offset, 50);
    assert.equal(off.status, 'decoded');
  });

  test('a real offloaded checksum: an HTTP request sent by the capturing host', () => {
    // fixtures/corpus/public/chrissanders-arppoison.pcapng #6
    // tcpdump: 00:21:70:c0:56:f0 > 00:26:0b:31:07:33, ethertype IPv4 (0x0800), length 684: (tos 0x0, ttl 64, id 15081, offset 0, flags [DF], proto TCP (6), length 670) 172.16.0.107.45691 > 74.125.95.147.80: Flags [P.], cksum 0x591c (incorrect -> 0x64bb), seq 609864122:609864740, ack 1647613826, win 92, options [nop,nop,TS val 586595 ecr 2834267783], length 618: HTTP, length: 618 GET / HTTP/1.1
    const p = fixturePackets('corpus/public/chrissanders-arppoison.pcapng')[5];
    assert.ok(p);
    assert.deepEqual([layer(p, 'tcp').checksum, layer(p, 'tcp').checksumStatus], [0x591c, 'offload']);
    assert.deepEqual(ids(p), ['tcp.checksum-offload']);
  });

  test('the real AccECN SYN whose checksum tcpdump finds wrong: 0x209c is the pseudo-header sum, offloaded', () => {
    const p = decode(ETH, ACCECN_SYN);
    assert.equal(layer(p, 'tcp').checksumStatus, 'offload');
    assert.deepEqual(ids(p), ['tcp.checksum-offload']);
  });

  test('payload length comes from the IP length; a cut frame keeps only what was captured', () => {
    const p = decode(
      ETH,
      segment('', { flags: TcpFlag.ACK | TcpFlag.PSH, payload: '474554202f20485454502f312e310d0a' }),
    );
    assert.deepEqual([layer(p, 'tcp').payloadLength, layer(p, 'tcp').capturedPayload], [16, 16]);
    assert.deepEqual([p.payloadOffset, p.payloadLength], [54, 16]);
    const full = segment('', {
      flags: TcpFlag.ACK | TcpFlag.PSH,
      payload: '474554202f20485454502f312e310d0a',
    });
    const cut = decode(ETH, full.slice(0, 60), full.length);
    assert.deepEqual([layer(cut, 'tcp').payloadLength, layer(cut, 'tcp').capturedPayload], [16, 6]);
    assert.equal(layer(cut, 'tcp').checksumStatus, 'unverified');
    assert.equal(cut.status, 'decoded');
  });
});

describe('TCP: flags', () => {
  const named: [number, string][] = [
    [TcpFlag.FIN, 'FIN'],
    [TcpFlag.SYN, 'SYN'],
    [TcpFlag.RST, 'RST'],
    [TcpFlag.PSH, 'PSH'],
    [TcpFlag.ACK, 'ACK'],
    [TcpFlag.URG, 'URG'],
    [TcpFlag.ECE, 'ECE'],
    [TcpFlag.CWR, 'CWR'],
    [TcpFlag.AE, 'AE'],
  ];
  test('each flag alone is decoded in its bit, with its name', () => {
    for (const [bit, name] of named) {
      const p = decode(ETH, segment('', { flags: bit }));
      assert.equal(layer(p, 'tcp').flags, bit, name);
      assert.ok(tcpFlagsText(layer(p, 'tcp').flags).includes(name), `${name}: ${tcpFlagsText(bit)}`);
      assert.deepEqual(ids(p), [], name);
    }
  });

  test('the eight lowest flags together (real): SYN and FIN is a warning', () => {
    const p = decode(ETH, EIGHT_FLAGS);
    assert.equal(layer(p, 'tcp').flags, 0xff);
    assert.deepEqual(ids(p), ['tcp.syn-fin']);
    assert.equal(anomalyOf(p, 'tcp.syn-fin').offset, 46);
    assert.equal(p.status, 'decoded');
  });

  test('AccECN SYN (real): AE, CWR and ECE', () => {
    const t = layer(decode(ETH, ACCECN_SYN), 'tcp');
    assert.equal(t.flags, TcpFlag.AE | TcpFlag.CWR | TcpFlag.ECE | TcpFlag.SYN);
  });

  test('reserved bits, no flags at all, port 0: warnings', () => {
    for (const bits of [0x200, 0x400, 0x800, 0xe00]) {
      const p = decode(ETH, segment('', { flags: bits | TcpFlag.ACK }));
      assert.equal(layer(p, 'tcp').flags & TcpFlag.RESERVED, bits);
      assert.deepEqual(ids(p), ['tcp.reserved-bits']);
    }
    assert.deepEqual(ids(decode(ETH, segment('', { flags: 0 }))), ['tcp.null-flags']);
    assert.deepEqual(ids(decode(ETH, segment('', { srcPort: 0 }))), ['tcp.port-zero']);
    assert.deepEqual(ids(decode(ETH, segment('', { dstPort: 0 }))), ['tcp.port-zero']);
  });
});

describe('TCP: options', () => {
  test('MSS, NOP, window scale, SACK-permitted, with offsets (real SYN)', () => {
    const t = layer(decode(ETH, SYN), 'tcp');
    assert.deepEqual(t.options, [
      { kind: 'mss', offset: 54, value: 1460 },
      { kind: 'nop', offset: 58 },
      { kind: 'wscale', offset: 59, shift: 2 },
      { kind: 'nop', offset: 62 },
      { kind: 'nop', offset: 63 },
      { kind: 'sack-permitted', offset: 64 },
    ]);
  });

  test('timestamps and a SACK block (real)', () => {
    const t = layer(decode(ETH, SACK), 'tcp');
    assert.deepEqual(t.options, [
      { kind: 'nop', offset: 54 },
      { kind: 'nop', offset: 55 },
      { kind: 'timestamp', offset: 56, tsval: 22247173, tsecr: 1332354 },
      { kind: 'nop', offset: 66 },
      { kind: 'nop', offset: 67 },
      { kind: 'sack', offset: 68, blocks: [[1310978658, 1310984130]] },
    ]);
  });

  test('SACK with four blocks, edges at 2^32 - 1', () => {
    const blocks = 'ffffff000000000f 0000001000000020 0000003000000040 fffffffffffffffe';
    const t = layer(decode(ETH, segment(`0101 0522 ${blocks}`, { flags: TcpFlag.ACK })), 'tcp');
    const s = t.options.find((x) => x.kind === 'sack');
    assert.deepEqual(s && s.kind === 'sack' ? s.blocks : [], [
      [0xffffff00, 0x0f],
      [0x10, 0x20],
      [0x30, 0x40],
      [0xffffffff, 0xfffffffe],
    ]);
  });

  test('TFO kind 34: cookie and cookie request; EOL ends the list', () => {
    const t = layer(decode(ETH, ALL_COMMON), 'tcp');
    assert.deepEqual(optionKinds(t.options), [
      'mss',
      'sack-permitted',
      'timestamp',
      'nop',
      'wscale',
      'tfo',
      'eol',
    ]);
    assert.deepEqual(t.options[5], { kind: 'tfo', offset: 74, cookie: '0011223344556677' });
    assert.deepEqual(t.options[6], { kind: 'eol', offset: 84 });
    const r = layer(decode(ETH, TFO_REQ), 'tcp');
    assert.deepEqual(r.options[1], { kind: 'tfo', offset: 58, cookie: '' });
  });

  test('experimental TFO (254, magic 0xF989), real: cookie request and cookie', () => {
    const q = layer(decode(ETH, EXP_TFO_REQ), 'tcp');
    assert.deepEqual(q.options.at(-1), { kind: 'tfo', offset: 74, cookie: '' });
    const c = layer(decode(ETH, EXP_TFO_COOKIE), 'tcp');
    assert.deepEqual(c.options.at(-1), { kind: 'tfo', offset: 74, cookie: '261fb060cecab690' });
  });

  test('kind 254 with another magic (AccECN, real) is kept as unknown code and bytes', () => {
    const p = decode(ETH, EXP_ACCECN);
    const t = layer(p, 'tcp');
    assert.deepEqual(optionKinds(t.options), ['mss', 'sack-permitted', 'timestamp', 'unknown', 'wscale']);
    assert.deepEqual(t.options[3], {
      kind: 'unknown',
      offset: 70,
      code: 254,
      bytes: 'acc0000001000000000000',
    });
    assert.deepEqual(ids(p), []);
  });

  test('MD5 signature and TCP-AO key ids', () => {
    assert.deepEqual(layer(decode(ETH, MD5), 'tcp').options, [
      { kind: 'nop', offset: 54 },
      { kind: 'nop', offset: 55 },
      { kind: 'md5', offset: 56 },
    ]);
    assert.deepEqual(layer(decode(ETH, TCP_AO), 'tcp').options, [
      { kind: 'tcp-ao', offset: 54, keyId: 5, rnextKeyId: 6 },
    ]);
  });

  test('MPTCP (real MP_CAPABLE): subtype and bytes', () => {
    const t = layer(decode(LinkType.LINUX_SLL, MPTCP), 'tcp');
    assert.deepEqual(t.options.at(-1), { kind: 'mptcp', offset: 76, subtype: 0, bytes: '0101' });
  });

  test('unknown kinds are kept as code and raw bytes, not a throw', () => {
    const p = decode(ETH, UNKNOWN);
    assert.deepEqual(layer(p, 'tcp').options, [
      { kind: 'unknown', offset: 54, code: 76, bytes: 'aabbccdd' },
      { kind: 'unknown', offset: 60, code: 253, bytes: 'beef' },
      { kind: 'nop', offset: 64 },
      { kind: 'nop', offset: 65 },
    ]);
    assert.deepEqual(ids(p), []);
    // An unknown kind with length 2 has no bytes.
    const q = layer(decode(ETH, segment('c8020101')), 'tcp');
    assert.deepEqual(q.options[0], { kind: 'unknown', offset: 54, code: 200, bytes: '' });
  });

  test('bytes after EOL are not parsed', () => {
    const t = layer(decode(ETH, segment('0000ffff')), 'tcp');
    assert.deepEqual(t.options, [{ kind: 'eol', offset: 54 }]);
  });
});

describe('TCP: impossible option lengths are anomalies, not throws', () => {
  // [options, what, offset of the anomaly within the options, option kinds kept]
  const cases: [string, string, number, string[]][] = [
    ['02030000', 'MSS length 3', 1, []],
    ['0205000000000000', 'MSS length 5', 1, []],
    ['03040700', 'window scale length 4', 1, []],
    ['04030000', 'SACK-permitted length 3', 1, []],
    ['0509000000000000 00000000', 'SACK length 9', 1, []],
    ['0502 0000', 'SACK with no block', 1, []],
    ['0808 0000000100000000 0000', 'timestamps length 8', 1, []],
    ['1310 00000000000000000000000000000000 0000', 'MD5 length 16', 1, []],
    ['1d03 000000 000000', 'TCP-AO length 3', 1, []],
    ['1e02 0000', 'MPTCP length 2', 1, []],
    ['0201 0000', 'length 1', 1, []],
    ['0200 0000', 'length 0', 1, []],
    ['0101 02ff', 'length past the header', 3, ['nop', 'nop']],
    ['010101 02', 'kind in the last byte, no room for a length', 3, ['nop', 'nop', 'nop']],
  ];
  for (const [options, what, at, kept] of cases) {
    test(what, () => {
      const p = decode(ETH, segment(options));
      assert.ok(ids(p).includes('tcp.bad-option-length'), `${what}: ${ids(p)}`);
      const a = anomalyOf(p, 'tcp.bad-option-length');
      assert.deepEqual([a.layer, a.offset, a.severity], ['tcp', 54 + at, 'malformed']);
      assert.equal(p.status, 'malformed');
      assert.deepEqual(optionKinds(layer(p, 'tcp').options).slice(0, kept.length), kept);
      // The segment itself is still decoded: checksum verified over the bad options.
      assert.equal(layer(p, 'tcp').checksumStatus, 'good');
    });
  }

  test('a wrong length on a known kind skips that option only', () => {
    const t = layer(decode(ETH, segment('020300 01 020405b4')), 'tcp');
    assert.deepEqual(optionKinds(t.options), ['nop', 'mss']);
  });
});

describe('TCP: data offset', () => {
  test('below 5 words: bad-data-offset; a 20-byte header is kept, nothing after it decoded', () => {
    for (const doff of [0, 1, 4]) {
      const p = decode(ETH, segment('', { dataOffset: doff, payload: '0000000000000000' }));
      assert.deepEqual(ids(p), ['tcp.bad-data-offset'], `data offset ${doff}`);
      assert.deepEqual(
        [anomalyOf(p, 'tcp.bad-data-offset').layer, anomalyOf(p, 'tcp.bad-data-offset').offset],
        ['tcp', 46],
      );
      const t = layer(p, 'tcp');
      assert.deepEqual(
        [t.dataOffset, t.headerLength, t.payloadLength, t.checksumStatus],
        [doff, 20, 0, 'unverified'],
      );
      assert.equal(p.status, 'malformed');
    }
  });

  test('beyond the segment: bad-data-offset', () => {
    const p = decode(ETH, segment('', { dataOffset: 15 }));
    assert.deepEqual(ids(p), ['tcp.bad-data-offset']);
    assert.equal(layer(p, 'tcp').headerLength, 20);
    assert.equal(p.status, 'malformed');
  });

  test('beyond what the snap length kept: truncated, partial', () => {
    const p = decode(ETH, ALL_COMMON.slice(0, 60), ALL_COMMON.length);
    const t = layer(p, 'tcp');
    assert.deepEqual([t.dataOffset, t.headerLength, t.partial, t.options.length], [13, 26, true, 0]);
    assert.deepEqual(ids(p), ['truncated']);
    assert.equal(p.status, 'truncated');
  });
});

describe('TCP: truncated at every byte of the header', () => {
  test('real SYN (32-byte header) and every option frame', () => {
    assert.equal(sweepCuts(ETH, SYN, ['tcp']), 64);
    for (const f of [SACK, ALL_COMMON, MD5, TCP_AO, UNKNOWN, EXP_TFO_COOKIE])
      assert.ok(sweepCuts(ETH, f, ['tcp']) > 0);
    assert.ok(sweepCuts(LinkType.LINUX_SLL, MPTCP, ['tcp']) > 0);
  });

  test('a header cut after the ports keeps what it has', () => {
    const p = decode(ETH, SYN.slice(0, 46), SYN.length);
    const t = layer(p, 'tcp');
    assert.deepEqual(
      [t.srcPort, t.dstPort, t.seq, t.ack, t.partial, t.headerLength],
      [2826, 80, 3691127924, 0, true, 12],
    );
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'tcp']);
  });

  test('fewer than 4 bytes: no TCP layer, only the anomaly', () => {
    const p = decode(ETH, SYN.slice(0, 37), SYN.length);
    assert.deepEqual(kinds(p), ['eth', 'ipv4']);
    assert.deepEqual(ids(p), ['truncated']);
    assert.equal(p.anomalies[0]?.layer, 'tcp');
  });
});
