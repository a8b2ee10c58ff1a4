/**
 * UDP (RFC 768): checksum good / bad / none / offloaded, IPv6's mandatory checksum, the length
 * field against the IP length, truncation, port-table dispatch.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  anomalyOf,
  decode,
  hex,
  ids,
  ipv6Frame,
  kinds,
  LinkType,
  layer,
  patch,
  put16,
  sweepCuts,
} from './helpers.js';

const ETH = LinkType.ETHERNET;

// fixtures/corpus/public/chrissanders-dns_query_response.pcapng #1
// tcpdump: 00:16:ce:6e:8b:24 > 00:05:5d:21:99:4c, ethertype IPv4 (0x0800), length 73: (tos 0x0, ttl 128, id 7975, offset 0, flags [none], proto UDP (17), length 59) 192.168.0.114.1060 > 205.152.37.23.53: [udp sum ok] 6159+ A? wireshark.org. (31)
const DNS_QUERY = hex(
  '00055d21994c0016ce6e8b2408004500003b1f270000801167c1c0a80072cd98',
  '2517042400350027036d180f010000010000000000000977697265736861726b',
  '036f72670000010001',
);

// fixtures/corpus/public/chrissanders-arppoison.pcapng #1: sent by the capturing host, checksum left for the NIC.
// tcpdump reports it wrong; 0xcd76 is exactly the pseudo-header sum, so wirelens calls it offloaded.
// tcpdump: 00:21:70:c0:56:f0 > 00:26:0b:31:07:33, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 64, id 62299, offset 0, flags [DF], proto UDP (17), length 60) 172.16.0.107.57692 > 12.153.20.41.53: [bad udp cksum 0xcd76 -> 0xa95a!] 6349+ A? www.google.com. (32)
const OFFLOAD = hex(
  '00260b310733002170c056f008004500003cf35b400040117a18ac10006b0c99',
  '1429e15c00350028cd7618cd010000010000000000000377777706676f6f676c',
  '6503636f6d0000010001',
);

// fixtures/corpus/public/tcpdump-edns-opts.pcap #1: a genuinely wrong checksum.
// tcpdump: 38:d5:47:14:f5:a1 > 00:02:41:05:64:44, ethertype IPv4 (0x0800), length 71: (tos 0x0, ttl 64, id 42311, offset 0, flags [none], proto UDP (17), length 57) 192.0.0.1.46225 > 192.0.0.2.53: [bad udp cksum 0xcd13 -> 0xc573!] 13784+ A? example.com. (29)
const BAD = hex(
  '00024105644438d54714f5a1080045000039a547000040115569c0000001c000',
  '0002b49100350025cd1335d801200001000000000000076578616d706c650363',
  '6f6d0000010001',
);

// fixtures/corpus/public/zeek-udp-contents-truncated-oob.pcap #1: no checksum, 42 of 65549 bytes captured.
// tcpdump: 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 65549: (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 65535) 192.0.2.1.40000 > 198.51.100.2.55555: [no cksum] UDP, length 65507
const NO_CHECKSUM_CUT = hex(
  '02000000000202000000000108004500ffff1234000040117c82c0000201c633',
  '64029c40d903ffeb0000',
);

// fixtures/corpus/public/tcpdump-dns-zlip-1.pcap #1: UDP length 8 in an IP datagram carrying 43 bytes.
// tcpdump: 00:c0:4f:6b:9f:e0 > 00:60:94:eb:55:2f, ethertype IPv4 (0x0800), length 77: (tos 0x0, ttl 64, id 15241, offset 0, flags [none], proto UDP (17), length 63) 10.0.0.1.1024 > 146.84.28.88.53: [bad udp cksum 0x82b7 -> 0x42fc!] domain [length 0 < 12] (invalid)
const SHORT_LENGTH = hex(
  '006094eb552f00c04f6b9fe008004500003f3b890000401186780a0000019254',
  '1c5804000035000882b7ed6900000001000000000000c00cc007c010c017c020',
  'c027c030c0ffcf000000010001',
);

// UDP over IPv6, port 9 (discard).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 66: (hlim 64, next-header UDP (17) payload length: 12) 2001:db8::1.1234 > 2001:db8::2.9: [udp sum ok] UDP, length 4
const UDP6 = hex(
  '66778899aabb00112233445586dd60000000000c114020010db8000000000000',
  '00000000000120010db800000000000000000000000204d20009000cdabf6162',
  '6364',
);

describe('UDP: valid datagrams', () => {
  test('ports, length, payload, checksum verified (real frame)', () => {
    const p = decode(ETH, DNS_QUERY);
    const u = layer(p, 'udp');
    assert.deepEqual(
      [u.srcPort, u.dstPort, u.length, u.checksum, u.checksumStatus, u.payloadLength, u.capturedPayload],
      [1060, 53, 39, 0x036d, 'good', 31, 31],
    );
    assert.deepEqual([u.offset, u.headerLength], [34, 8]);
    assert.equal(p.udp, u);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'udp', 'dns']);
    assert.deepEqual(ids(p), []);
  });

  test('over IPv6, checksum verified with the IPv6 pseudo-header', () => {
    const p = decode(ETH, UDP6);
    assert.equal(layer(p, 'udp').checksumStatus, 'good');
    assert.deepEqual(ids(p), []);
  });

  test('a datagram to an unknown port: payload is data, decoded', () => {
    const p = decode(ETH, UDP6);
    assert.deepEqual(kinds(p), ['eth', 'ipv6', 'udp']);
    assert.deepEqual([p.payloadOffset, p.payloadLength], [62, 4]);
  });
});

describe('UDP: checksum', () => {
  test('offloaded: the field holds the pseudo-header sum (a note, decoded)', () => {
    const p = decode(ETH, OFFLOAD);
    assert.equal(layer(p, 'udp').checksumStatus, 'offload');
    assert.deepEqual(ids(p), ['udp.checksum-offload']);
    assert.deepEqual([p.anomalies[0]?.layer, p.anomalies[0]?.offset], ['udp', 40]);
    assert.equal(p.status, 'decoded');
  });

  test('wrong: a warning at the checksum field, still decoded', () => {
    const p = decode(ETH, BAD);
    assert.equal(layer(p, 'udp').checksumStatus, 'bad');
    assert.deepEqual(ids(p), ['udp.bad-checksum']);
    assert.equal(anomalyOf(p, 'udp.bad-checksum').offset, 40);
    assert.equal(p.status, 'decoded');
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'udp', 'dns']);
  });

  test('0 over IPv4 means none computed', () => {
    const p = decode(ETH, NO_CHECKSUM_CUT, 65549);
    const u = layer(p, 'udp');
    assert.deepEqual(
      [u.checksumStatus, u.length, u.payloadLength, u.capturedPayload],
      ['none', 65515, 65507, 0],
    );
    assert.deepEqual(ids(p), []);
    assert.equal(p.status, 'decoded');
    assert.equal(layer(decode(ETH, put16(DNS_QUERY, 40, 0)), 'udp').checksumStatus, 'none');
  });

  test('0 over IPv6 is forbidden (RFC 8200): a warning, status bad', () => {
    const p = decode(ETH, put16(UDP6, 60, 0));
    assert.equal(layer(p, 'udp').checksumStatus, 'bad');
    assert.deepEqual(ids(p), ['udp.zero-checksum-ipv6']);
    assert.equal(anomalyOf(p, 'udp.zero-checksum-ipv6').offset, 60);
    assert.equal(p.status, 'decoded');
  });

  test('0xffff is how a computed checksum of 0 is sent', () => {
    // The payload chosen so that the sum comes to 0: sent as 0xffff.
    // tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv6 (0x86dd), length 66: (hlim 64, next-header UDP (17) payload length: 12) 2001:db8::1.1234 > 2001:db8::2.9: [udp sum ok] UDP, length 4
    const d = hex(
      '66778899aabb00112233445586dd60000000000c114020010db8000000000000',
      '00000000000120010db800000000000000000000000204d20009000cffff6162',
      '3e24',
    );
    const p = decode(ETH, d);
    assert.deepEqual([layer(p, 'udp').checksum, layer(p, 'udp').checksumStatus], [0xffff, 'good']);
  });

  test('fragments and cut frames leave the checksum unverified', () => {
    const cut = decode(ETH, DNS_QUERY.slice(0, 60), DNS_QUERY.length);
    assert.equal(layer(cut, 'udp').checksumStatus, 'unverified');
  });
});

describe('UDP: impossible lengths', () => {
  test('length below 8: bad-length, nothing decoded after the header', () => {
    for (const len of [0, 1, 7]) {
      const p = decode(ETH, put16(DNS_QUERY, 38, len));
      assert.deepEqual(ids(p), ['udp.bad-length'], `length ${len}`);
      assert.deepEqual(
        [anomalyOf(p, 'udp.bad-length').layer, anomalyOf(p, 'udp.bad-length').offset],
        ['udp', 38],
      );
      assert.deepEqual(kinds(p), ['eth', 'ipv4', 'udp']);
      assert.equal(p.status, 'malformed');
    }
  });

  test('length above the IP payload: bad-length, checksum not verified', () => {
    const p = decode(ETH, put16(DNS_QUERY, 38, 0xffff));
    assert.deepEqual(ids(p), ['udp.bad-length']);
    assert.equal(layer(p, 'udp').checksumStatus, 'unverified');
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'udp']);
    assert.equal(p.status, 'malformed');
  });

  test('length below the IP payload (real zlip frame): bad-length; the bytes past it are not DNS', () => {
    const p = decode(ETH, SHORT_LENGTH);
    assert.deepEqual(ids(p), ['udp.bad-length']);
    const u = layer(p, 'udp');
    assert.deepEqual(
      [u.length, u.payloadLength, u.capturedPayload, u.checksumStatus],
      [8, 0, 0, 'unverified'],
    );
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'udp']);
    assert.equal(p.status, 'malformed');
  });

  test('in a first IPv4 fragment the length covers the whole datagram: not checked', () => {
    // IPv4 MF set (byte 20 = 0x20), checksum then wrong (a warning); UDP length 200 > this fragment.
    const p = decode(ETH, put16(patch(DNS_QUERY, [20, 0x20]), 38, 200));
    assert.deepEqual(
      ids(p).filter((i) => i !== 'ipv4.bad-checksum'),
      ['ipv4.fragment'],
    );
    assert.equal(layer(p, 'udp').checksumStatus, 'unverified');
  });
});

describe('UDP: truncated at every byte of the header', () => {
  test('over IPv4 and IPv6', () => {
    assert.equal(sweepCuts(ETH, DNS_QUERY, ['udp']), 16);
    assert.equal(sweepCuts(ETH, UDP6, ['udp']), 16);
  });

  test('a cut header keeps the ports it has, marked partial', () => {
    const p = decode(ETH, DNS_QUERY.slice(0, 40), DNS_QUERY.length);
    const u = layer(p, 'udp');
    assert.deepEqual([u.srcPort, u.dstPort, u.length, u.partial, u.headerLength], [1060, 53, 39, true, 6]);
    assert.deepEqual(ids(p), ['truncated']);
    assert.equal(p.status, 'truncated');
  });

  test('cut in the payload of an unknown port: data, decoded', () => {
    const p = decode(ETH, ipv6Frame(17, hex('04d2000900100000', '0102030405060708')).slice(0, 64), 70);
    assert.equal(p.status, 'decoded');
  });
});
