/**
 * ARP and RARP (RFC 826, RFC 903, RFC 5227): request, reply, gratuitous, probe, RARP, other
 * hardware types decoded generically, unknown opcodes as data, impossible address lengths.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ip4ToString, macToString } from '../../src/core/addr.js';
import { anomalyOf, decode, hex, ids, kinds, LinkType, layer, patch, sweepCuts } from './helpers.js';

const ETH = LinkType.ETHERNET;

// fixtures/corpus/public/chrissanders-arp_resolution.pcapng #1
// tcpdump: 00:16:ce:6e:8b:24 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.168.0.1 tell 192.168.0.114, length 28
const REQUEST = hex(
  'ffffffffffff0016ce6e8b24080600010800060400010016ce6e8b24c0a80072',
  '000000000000c0a80001',
);

// fixtures/corpus/public/chrissanders-arp_resolution.pcapng #2 (4 bytes of trailer after the ARP body)
// tcpdump: 00:13:46:0b:22:ba > 00:16:ce:6e:8b:24, ethertype ARP (0x0806), length 46: Reply 192.168.0.1 is-at 00:13:46:0b:22:ba, length 32
const REPLY = hex(
  '0016ce6e8b240013460b22ba080600010800060400020013460b22bac0a80001',
  '0016ce6e8b24c0a80072c0a80072',
);

// fixtures/corpus/public/chrissanders-arp_gratuitous.pcapng #1
// tcpdump: 00:03:47:b7:f2:f5 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Request who-has 24.6.125.19 tell 24.6.125.19, length 46
const GRATUITOUS = hex(
  'ffffffffffff000347b7f2f508060001080006040001000347b7f2f518067d13',
  '00000000000018067d13000000000000000000000000000000000000',
);

// RFC 5227 probe: sender protocol address 0.0.0.0.
// tcpdump: 00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.168.0.7 tell 0.0.0.0, length 28
const PROBE = hex('ffffffffffff0011223344550806000108000604000100112233445500000000', '000000000000c0a80007');

// Gratuitous reply (opcode 2, sender = target protocol address).
const GRATUITOUS_REPLY = patch(GRATUITOUS, [21, 2]);

// ARP over InfiniBand hardware addresses (type 32, 20-byte addresses), relayed onto Ethernet.
// tcpdump: 00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 70: Request who-has 192.168.0.2 tell 192.168.0.1, length 56
const INFINIBAND = hex(
  'ffffffffffff0011223344550806002008001404000100000000000000000000',
  '00000000000000000001c0a80001000000000000000000000000000000000000',
  '0000c0a80002',
);

// Frame Relay hardware type 15 with 2-byte DLCI addresses.
// tcpdump: 00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 34: Request who-has 10.0.0.2 tell 10.0.0.1, length 20
const FRAME_RELAY = hex('ffffffffffff0011223344550806000f08000204000104d20a00000100000a00', '0002');

// tcpdump: 00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype Reverse ARP (0x8035), length 42: Reverse Request who-is 00:11:22:33:44:55 tell 00:11:22:33:44:55, length 28
const RARP_REQUEST = hex(
  'ffffffffffff0011223344558035000108000604000300112233445500000000',
  '00112233445500000000',
);

// tcpdump: 66:55:44:33:22:11 > 00:11:22:33:44:55, ethertype Reverse ARP (0x8035), length 42: Reverse Reply 00:11:22:33:44:55 at 10.0.0.5, length 28
const RARP_REPLY = hex(
  '001122334455665544332211803500010800060400046655443322110a0000fe',
  '0011223344550a000005',
);

// Inverse ARP request (opcode 8, RFC 2390): not an opcode this decoder names.
// tcpdump: 00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 44: Inverse Request who-is 00:00:00:00:00:00 tell 00:11:22:33:44:55, length 30
const INARP = hex(
  'ffffffffffff001122334455080600010800060400080011223344550a000001',
  '000000000000000000000000',
);

describe('ARP: valid frames', () => {
  test('request: who-has 192.168.0.1, tell 192.168.0.114', () => {
    const p = decode(ETH, REQUEST);
    assert.deepEqual(kinds(p), ['eth', 'arp']);
    const a = layer(p, 'arp');
    assert.deepEqual(
      [a.hwType, a.protoType, a.hwLength, a.protoLength, a.opcode, a.arpKind],
      [1, 0x0800, 6, 4, 1, 'request'],
    );
    assert.equal(macToString(a.senderMac ?? -1), '00:16:ce:6e:8b:24');
    assert.equal(ip4ToString(a.senderIp ?? -1), '192.168.0.114');
    assert.equal(a.targetMac, 0);
    assert.equal(ip4ToString(a.targetIp ?? -1), '192.168.0.1');
    assert.deepEqual(
      [a.senderHw, a.senderProto, a.targetHw, a.targetProto],
      ['00:16:ce:6e:8b:24', '192.168.0.114', '00:00:00:00:00:00', '192.168.0.1'],
    );
    assert.deepEqual([a.offset, a.headerLength], [14, 28]);
    assert.equal(p.status, 'decoded');
    assert.deepEqual(ids(p), []);
  });

  test('reply: 192.168.0.1 is-at 00:13:46:0b:22:ba; the trailer is not part of the header', () => {
    const p = decode(ETH, REPLY);
    const a = layer(p, 'arp');
    assert.equal(a.arpKind, 'reply');
    assert.deepEqual([a.senderHw, a.senderProto], ['00:13:46:0b:22:ba', '192.168.0.1']);
    assert.equal(a.headerLength, 28);
    assert.deepEqual([p.payloadOffset, p.payloadLength], [42, 4]);
  });

  test('gratuitous: a request or a reply for the sender’s own address', () => {
    const p = decode(ETH, GRATUITOUS);
    assert.equal(layer(p, 'arp').arpKind, 'gratuitous');
    assert.equal(layer(p, 'arp').senderProto, '24.6.125.19');
    const r = decode(ETH, GRATUITOUS_REPLY);
    assert.deepEqual([layer(r, 'arp').opcode, layer(r, 'arp').arpKind], [2, 'gratuitous']);
  });

  test('probe: a request from 0.0.0.0', () => {
    const p = decode(ETH, PROBE);
    assert.equal(layer(p, 'arp').arpKind, 'probe');
    assert.equal(layer(p, 'arp').targetProto, '192.168.0.7');
  });

  test('RARP request and reply (EtherType 0x8035)', () => {
    const q = decode(ETH, RARP_REQUEST);
    assert.deepEqual([layer(q, 'arp').opcode, layer(q, 'arp').arpKind], [3, 'rarp-request']);
    const r = decode(ETH, RARP_REPLY);
    assert.deepEqual([layer(r, 'arp').arpKind, layer(r, 'arp').targetProto], ['rarp-reply', '10.0.0.5']);
    assert.equal(r.status, 'decoded');
  });

  test('non-Ethernet hardware is decoded generically: hex hardware addresses, IPv4 text', () => {
    const p = decode(ETH, INFINIBAND);
    const a = layer(p, 'arp');
    assert.deepEqual([a.hwType, a.hwLength, a.protoLength, a.headerLength], [32, 20, 4, 56]);
    assert.equal(a.senderMac, undefined);
    assert.equal(a.senderIp, undefined);
    assert.equal(a.senderHw, `${'00:'.repeat(19)}01`);
    assert.deepEqual([a.senderProto, a.targetProto, a.arpKind], ['192.168.0.1', '192.168.0.2', 'request']);
    assert.deepEqual(ids(p), []);
    const f = layer(decode(ETH, FRAME_RELAY), 'arp');
    assert.deepEqual([f.hwType, f.senderHw, f.targetHw, f.senderProto], [15, '04:d2', '00:00', '10.0.0.1']);
  });

  test('a non-IPv4 protocol type is shown in hex', () => {
    // Protocol 0x86dd with 16-byte addresses on 6-byte hardware.
    const p = decode(
      ETH,
      hex(
        'ffffffffffff0011223344550806',
        '0001 86dd 06 10 0001',
        '11'.repeat(6),
        'aa'.repeat(16),
        '00'.repeat(6),
        'bb'.repeat(16),
      ),
    );
    const a = layer(p, 'arp');
    assert.equal(a.senderProto, 'aa'.repeat(16).replace(/(..)(?!$)/g, '$1:'));
    assert.equal(a.arpKind, 'request');
    assert.equal(p.status, 'decoded');
  });
});

describe('ARP: truncation, impossible lengths, unknown values', () => {
  test('cut at every byte of the ARP body', () => {
    assert.equal(sweepCuts(ETH, REQUEST, ['arp']), 56);
    assert.equal(sweepCuts(ETH, INFINIBAND, ['arp']), 112);
    assert.ok(sweepCuts(ETH, RARP_REQUEST) > 0);
  });

  test('cut inside the addresses: the fixed part is kept', () => {
    const p = decode(ETH, REQUEST.slice(0, 30), 42);
    const a = layer(p, 'arp');
    assert.deepEqual([a.opcode, a.hwType, a.headerLength, a.senderHw], [1, 1, 16, '']);
    assert.deepEqual(ids(p), ['truncated']);
    assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['arp', 14]);
  });

  test('address lengths beyond the frame: too short, not a throw', () => {
    const p = decode(ETH, patch(REQUEST, [18, 0xff], [19, 0xff]));
    assert.deepEqual(ids(p), ['too-short']);
    assert.equal(p.status, 'malformed');
    assert.equal(layer(p, 'arp').hwLength, 255);
  });

  test('zero-length addresses: bad lengths, no ARP layer', () => {
    const p = decode(ETH, patch(REQUEST, [18, 0], [19, 0]));
    assert.deepEqual(ids(p), ['arp.bad-lengths']);
    assert.equal(anomalyOf(p, 'arp.bad-lengths').offset, 18);
    assert.deepEqual(kinds(p), ['eth']);
    assert.equal(p.status, 'malformed');
  });

  test('Ethernet/IPv4 with the wrong address lengths: flagged, then decoded generically', () => {
    // hlen 4 plen 6 instead of 6 and 4: 8 + 2 * 10 = 28 bytes, still inside the frame.
    const p = decode(ETH, patch(REQUEST, [18, 4], [19, 6]));
    assert.deepEqual(ids(p), ['arp.bad-lengths']);
    const a = anomalyOf(p, 'arp.bad-lengths');
    assert.deepEqual([a.layer, a.offset], ['arp', 18]);
    assert.equal(layer(p, 'arp').senderMac, undefined);
    assert.equal(layer(p, 'arp').senderHw, '00:16:ce:6e');
    assert.equal(p.status, 'malformed');
  });

  test('real malformed ARP from the corpus (tcpdump-arp-too-long-tha): 14-byte hardware addresses in a QinQ frame', () => {
    // fixtures/corpus/public/tcpdump-arp-too-long-tha.pcap #1, first 64 of 262144 bytes
    // tcpdump: 30:30:30:30:30:30 > 30:30:30:30:30:30, ethertype 802.1Q-QinQ (0x88a8), length 262144: vlan 48, p 1, DEI, ethertype ARP (0x0806), Request who-has 48.48.48.48 (30:30:30:30:30:30:30:30:30:30:30:30:30:30) tell 48.48.48.48, length 262126
    const d = hex(
      '30303030303030303030303088a830300806303008000e040001303030303030',
      '3030303030303030303030303030303030303030303030303030303030303030',
    );
    const p = decode(ETH, d, 262144);
    const a = layer(p, 'arp');
    assert.deepEqual([a.hwType, a.hwLength, a.protoLength, a.arpKind], [0x3030, 14, 4, 'gratuitous']);
    assert.equal(a.senderHw, Array(14).fill('30').join(':'));
    assert.equal(p.status, 'decoded');
  });

  test('unknown opcode (Inverse ARP, 8): a note, arpKind other, decoded', () => {
    const p = decode(ETH, INARP);
    assert.deepEqual(ids(p), ['arp.unknown-opcode']);
    assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['arp', 20]);
    assert.deepEqual([layer(p, 'arp').opcode, layer(p, 'arp').arpKind], [8, 'other']);
    assert.equal(p.status, 'decoded');
    for (const op of [0, 5, 0xffff]) {
      const q = decode(ETH, patch(REQUEST, [20, op >> 8], [21, op & 0xff]));
      assert.deepEqual(ids(q), ['arp.unknown-opcode'], `opcode ${op}`);
      assert.equal(layer(q, 'arp').arpKind, 'other');
    }
  });

  test('unknown hardware and protocol types are data', () => {
    const p = decode(ETH, patch(REQUEST, [14, 0xab], [15, 0xcd], [16, 0x12], [17, 0x34]));
    const a = layer(p, 'arp');
    assert.deepEqual([a.hwType, a.protoType], [0xabcd, 0x1234]);
    assert.equal(a.senderProto, 'c0:a8:00:72');
    assert.deepEqual(ids(p), []);
  });
});
