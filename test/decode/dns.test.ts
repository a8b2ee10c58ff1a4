/**
 * DNS (RFC 1035) over UDP and over TCP (one message per segment): header, questions, compression
 * pointers, pointer loops and forward pointers, bad label types, over-long names, A / AAAA / CNAME
 * answers, records running past the end, counts larger than the message, truncation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  anomalyOf,
  decode,
  fixturePackets,
  hex,
  ids,
  kinds,
  LinkType,
  layer,
  put16,
  sweepCuts,
  udp4Frame,
} from './helpers.js';

const ETH = LinkType.ETHERNET;
/** DNS starts after Ethernet, IPv4 and UDP headers in the synthetic frames. */
const DNS_AT = 42;

// fixtures/corpus/public/chrissanders-dns_query_response.pcapng #1
// tcpdump: 00:16:ce:6e:8b:24 > 00:05:5d:21:99:4c, ethertype IPv4 (0x0800), length 73: (tos 0x0, ttl 128, id 7975, offset 0, flags [none], proto UDP (17), length 59) 192.168.0.114.1060 > 205.152.37.23.53: [udp sum ok] 6159+ A? wireshark.org. (31)
const QUERY = hex(
  '00055d21994c0016ce6e8b2408004500003b1f270000801167c1c0a80072cd98',
  '2517042400350027036d180f010000010000000000000977697265736861726b',
  '036f72670000010001',
);

// fixtures/corpus/public/chrissanders-dns_query_response.pcapng #2: the answer's name is a pointer to the question
// tcpdump: 00:05:5d:21:99:4c > 00:16:ce:6e:8b:24, ethertype IPv4 (0x0800), length 89: (tos 0x0, ttl 50, id 30333, offset 0, flags [DF], proto UDP (17), length 75) 205.152.37.23.53 > 192.168.0.114.1060: [udp sum ok] 6159 q: A? wireshark.org. 1/0/0 wireshark.org. A 128.121.50.122 (47)
const RESPONSE_A = hex(
  '0016ce6e8b2400055d21994c08004500004b767d400032111e5bcd982517c0a8',
  '00720035042400373c20180f818000010001000000000977697265736861726b',
  '036f72670000010001c00c000100010000384000048079327a',
);

// fixtures/lab/ipv6-http.pcap #8
// tcpdump: 02:00:0a:00:01:01 > 02:00:0a:00:01:02, ethertype IPv6 (0x86dd), length 123: (flowlabel 0xab57c, hlim 63, next-header UDP (17) payload length: 69) fd00:2::2.53 > fd00:1::2.40053: [udp sum ok] 19521 q: AAAA? www.lab.example. 1/0/0 www.lab.example. AAAA fd00:2::2 (61)
const RESPONSE_AAAA = hex(
  '02000a00010202000a00010186dd600ab57c0045113ffd000002000000000000',
  '000000000002fd00000100000000000000000000000200359c750045d9d54c41',
  '8180000100010000000003777777036c6162076578616d706c6500001c0001c0',
  '0c001c00010000012c0010fd000002000000000000000000000002',
);

// A CNAME whose target is itself compressed (web + pointer to example.com), then an A record for it.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 109: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 95) 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] 4660 q: A? www.example.com. 2/0/0 www.example.com. CNAME web.example.com., web.example.com. A 93.184.216.34 (67)
const RESPONSE_CNAME = hex(
  '66778899aabb00112233445508004500005f000100004011668b0a0000010a00',
  '000200359c40004b3fd212348180000100020000000003777777076578616d70',
  '6c6503636f6d0000010001c00c0005000100000e10000603776562c010c02d00',
  '01000100000e1000045db8d822',
);

// A question name that is a pointer to itself.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 60: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 46) 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] 43981+ A? <BAD PTR> [|domain]
const SELF_POINTER = hex(
  '66778899aabb00112233445508004500002e00010000401166bc0a0000010a00',
  '000200359c40001ae264abcd01000001000000000000c00c00010001',
);

// A question name that points forward.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 60: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 46) 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] 43981+ A? <BAD PTR> [|domain]
const FORWARD_POINTER = hex(
  '66778899aabb00112233445508004500002e00010000401166bc0a0000010a00',
  '000200359c40001ae262abcd01000001000000000000c00e00010001',
);

// Label type 0x40 (extended label, RFC 6891 deprecated) and 0x80 (reserved).
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 62: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 48) 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] 43981+ [|domain]
const LABEL_0X40 = hex(
  '66778899aabb00112233445508004500003000010000401166ba0a0000010a00',
  '000200359c40001c000cabcd010000010000000000004161610000010001',
);
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 62: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 48) 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] 43981+ [|domain]
const LABEL_0X80 = hex(
  '66778899aabb00112233445508004500003000010000401166ba0a0000010a00',
  '000200359c40001cc00babcd010000010000000000008161610000010001',
);

// Labels with a dot, a space, a backslash and UTF-8 bytes: printed RFC 4343 style.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 72: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 58) 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] 43981+ A? a.b.x y.\AM-BM-). (30)
const ESCAPES = hex(
  '66778899aabb00112233445508004500003a00010000401166b00a0000010a00',
  '000200359c4000265d86abcd0100000100000000000003612e6203782079045c',
  '41c2a90000010001',
);

// An answer whose rdata length (64) runs past the message.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 91: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 77) 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] 4660 q: A? www.example.com. 1/0/0 www.example.com. A [|domain]
const RDATA_PAST_END = hex(
  '66778899aabb00112233445508004500004d000100004011669d0a0000010a00',
  '000200359c40003937ee12348180000100010000000003777777076578616d70',
  '6c6503636f6d0000010001c00c0001000100000e1000405db8d822',
);

// A question without its class.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 73: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 59) 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] 43981+ [|domain]
const QCLASS_MISSING = hex(
  '66778899aabb00112233445508004500003b00010000401166af0a0000010a00',
  '000200359c40002759feabcd0100000100000000000003777777076578616d70',
  '6c6503636f6d000001',
);

// Four bytes on port 53.
// tcpdump: 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 46: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 32) 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] domain [length 4 < 12] (invalid)
const TOO_SHORT = hex(
  '66778899aabb00112233445508004500002000010000401166ca0a0000010a00',
  '000200359c40000ca290abcd0100',
);

// fixtures/corpus/public/chrissanders-dns_tcp.pcapng #6: a whole query in one TCP segment
// tcpdump: aa:00:04:00:0a:04 > 4c:e6:76:40:db:2d, ethertype IPv4 (0x0800), length 94: (tos 0x0, ttl 64, id 17582, offset 0, flags [DF], proto TCP (6), length 80) 192.168.11.62.45818 > 192.168.11.1.53: Flags [P.], cksum 0x1447 (correct), seq 1:29, ack 1, win 92, options [nop,nop,TS val 213696738 ecr 682622932], length 28 46275+ ANY? ripe.net. (26)
const TCP_QUERY = hex(
  '4ce67640db2daa0004000a0408004500005044ae400040065e6ac0a80b3ec0a8',
  '0b01b2fa0035cfe7844f19a6470c8018005c144700000101080a0cbcc0e228af',
  'ffd4001ab4c3010000010000000000000472697065036e65740000ff0001',
);

// fixtures/corpus/public/chrissanders-dns_tcp.pcapng #8: one byte of the response's length prefix
// tcpdump: 4c:e6:76:40:db:2d > aa:00:04:00:0a:04, ethertype IPv4 (0x0800), length 67: (tos 0x0, ttl 64, id 47321, offset 0, flags [DF], proto TCP (6), length 53) 192.168.11.1.53 > 192.168.11.62.45818: Flags [P.], cksum 0x7076 (correct), seq 1:2, ack 29, win 2896, options [nop,nop,TS val 682622938 ecr 213696738], length 1 [DNS over TCP: length 1 < 2] (invalid)
const TCP_ONE_BYTE = hex(
  'aa0004000a044ce67640db2d080045000035b8d940004006ea59c0a80b01c0a8',
  '0b3e0035b2fa19a6470ccfe7846b80180b50707600000101080a28afffda0cbc',
  'c0e205',
);

/** Five 63-byte labels: a 321-byte name.
 * tcpdump: ... 10.0.0.1.53 > 10.0.0.2.40000: [udp sum ok] 43981+ A? aaa…aaa.aaa…aaa.aaa…aaa.aaa…aaa.<DOMAIN NAME TOO LONG> (337) */
function longName(): Uint8Array {
  const label = `3f${'61'.repeat(63)}`;
  return udp4Frame(53, 40000, hex('abcd01000001000000000000', label.repeat(5), '00', '00010001'));
}

/**
 * 40 compression pointers in a row, each pointing 2 bytes back (all legal, backwards): question
 * `a`, a first answer whose opaque rdata holds the chain, a second answer named by its last link.
 */
function pointerChain(links = 40): Uint8Array {
  const rdataAt = 31;
  let chain = 'c00c';
  for (let i = 1; i < links; i++) chain += `c0${(rdataAt + 2 * (i - 1)).toString(16).padStart(2, '0')}`;
  const last = (rdataAt + 2 * (links - 1)).toString(16).padStart(2, '0');
  return udp4Frame(
    53,
    40000,
    hex(
      'abcd81800001000200000000',
      '01610000010001',
      'c00c 1234 0001 00000000',
      (links * 2).toString(16).padStart(4, '0'),
      chain,
      `c0${last} 0001 0001 00000000 0004 01020304`,
    ),
  );
}

describe('DNS: valid messages', () => {
  test('query: header fields and question (real)', () => {
    const p = decode(ETH, QUERY);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'udp', 'dns']);
    const d = layer(p, 'dns');
    assert.deepEqual(
      [
        d.id,
        d.response,
        d.opcode,
        d.authoritative,
        d.truncated,
        d.recursionDesired,
        d.recursionAvailable,
        d.rcode,
      ],
      [6159, false, 0, false, false, true, false, 0],
    );
    assert.deepEqual([d.qdcount, d.ancount, d.nscount, d.arcount], [1, 0, 0, 0]);
    assert.deepEqual(d.questions, [{ name: 'wireshark.org', type: 1, class: 1 }]);
    assert.deepEqual([d.offset, d.headerLength], [42, 31]);
    assert.deepEqual(ids(p), []);
  });

  test('A answer whose name is a compression pointer to the question (real)', () => {
    const d = layer(decode(ETH, RESPONSE_A), 'dns');
    assert.deepEqual([d.response, d.recursionAvailable, d.ancount], [true, true, 1]);
    assert.deepEqual(d.answers, [
      { name: 'wireshark.org', type: 1, class: 1, ttl: 14400, data: '128.121.50.122' },
    ]);
  });

  test('AAAA answer in RFC 5952 text (real)', () => {
    const d = layer(decode(ETH, RESPONSE_AAAA), 'dns');
    assert.deepEqual(d.answers, [
      { name: 'www.lab.example', type: 28, class: 1, ttl: 300, data: 'fd00:2::2' },
    ]);
  });

  test('CNAME with a compressed target, then the A record named by a pointer into the CNAME', () => {
    const p = decode(ETH, RESPONSE_CNAME);
    const d = layer(p, 'dns');
    assert.deepEqual(d.answers, [
      { name: 'www.example.com', type: 5, class: 1, ttl: 3600, data: 'web.example.com' },
      { name: 'web.example.com', type: 1, class: 1, ttl: 3600, data: '93.184.216.34' },
    ]);
    assert.equal(d.headerLength, RESPONSE_CNAME.length - DNS_AT);
    assert.deepEqual(ids(p), []);
  });

  test('a real response with a CNAME chain and six A records', () => {
    // fixtures/corpus/public/chrissanders-arppoison.pcapng #2
    // tcpdump: 12.153.20.41.53 > 172.16.0.107.57692: [udp sum ok] 6349 q: A? www.google.com. 7/4/4 www.google.com. CNAME www.l.google.com., www.l.google.com. A 74.125.95.147, ...
    const p = fixturePackets('corpus/public/chrissanders-arppoison.pcapng')[1];
    assert.ok(p);
    const d = layer(p, 'dns');
    assert.deepEqual([d.ancount, d.nscount, d.arcount], [7, 4, 4]);
    assert.deepEqual(d.answers[0], {
      name: 'www.google.com',
      type: 5,
      class: 1,
      ttl: d.answers[0]?.ttl ?? 0,
      data: 'www.l.google.com',
    });
    assert.deepEqual(
      d.answers.slice(1).map((a) => [a.name, a.type]),
      Array(6).fill(['www.l.google.com', 1]),
    );
    assert.equal(d.answers[1]?.data, '74.125.95.147');
  });

  test('label bytes outside printable ASCII, dots and backslashes are escaped RFC 4343 style', () => {
    const d = layer(decode(ETH, ESCAPES), 'dns');
    assert.equal(d.questions[0]?.name, 'a\\.b.x\\032y.\\\\A\\194\\169');
  });

  test('a long backward pointer chain within the limit decodes', () => {
    const d = layer(decode(ETH, pointerChain(30)), 'dns');
    assert.deepEqual(d.answers[1]?.name, 'a');
  });

  test('mDNS (5353) and LLMNR (5355) are DNS too; a TCP segment holding one whole message is decoded', () => {
    const msg = hex('0000000000010000000000000161000001 0001');
    assert.deepEqual(kinds(decode(ETH, udp4Frame(5353, 5353, msg))), ['eth', 'ipv4', 'udp', 'dns']);
    assert.deepEqual(kinds(decode(ETH, udp4Frame(40000, 5355, msg))), ['eth', 'ipv4', 'udp', 'dns']);
    const p = decode(ETH, TCP_QUERY);
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'tcp', 'dns']);
    const d = layer(p, 'dns');
    assert.deepEqual([d.id, d.offset, d.questions], [46275, 68, [{ name: 'ripe.net', type: 255, class: 1 }]]);
    assert.deepEqual(ids(p), []);
  });

  test('DNS over TCP is left alone when the segment is not exactly whole messages', () => {
    const one = decode(ETH, TCP_ONE_BYTE);
    assert.deepEqual(kinds(one), ['eth', 'ipv4', 'tcp']);
    assert.equal(one.status, 'decoded');
    // Length prefix 25 in a 28-byte payload: the checksum is then wrong, a warning only.
    const off = decode(ETH, put16(TCP_QUERY, 66, 25));
    assert.deepEqual(kinds(off), ['eth', 'ipv4', 'tcp']);
    assert.deepEqual(ids(off), ['tcp.bad-checksum']);
  });
});

describe('DNS: malformed names and records', () => {
  test('a pointer to itself: pointer-loop at the pointer', () => {
    const p = decode(ETH, SELF_POINTER);
    assert.deepEqual(ids(p), ['dns.pointer-loop']);
    assert.deepEqual(
      [anomalyOf(p, 'dns.pointer-loop').layer, anomalyOf(p, 'dns.pointer-loop').offset],
      ['dns', 54],
    );
    assert.equal(p.status, 'malformed');
    assert.deepEqual(layer(p, 'dns').questions, []);
  });

  test('a forward pointer: pointer-loop', () => {
    const p = decode(ETH, FORWARD_POINTER);
    assert.deepEqual(ids(p), ['dns.pointer-loop']);
    assert.equal(anomalyOf(p, 'dns.pointer-loop').offset, 54);
  });

  test('more than 32 pointers in one name: pointer-loop', () => {
    const p = decode(ETH, pointerChain(40));
    assert.deepEqual(ids(p), ['dns.pointer-loop']);
    assert.equal(layer(p, 'dns').answers.length, 1);
    assert.equal(p.status, 'malformed');
  });

  test('the classic compression-loop packet (tcpdump-dns-zlip-1) with its UDP length repaired', () => {
    // fixtures/corpus/public/tcpdump-dns-zlip-1.pcap #1, UDP length set to the IP payload (43) and checksum 0.
    // tcpdump: 00:c0:4f:6b:9f:e0 > 00:60:94:eb:55:2f, ethertype IPv4 (0x0800), length 77: (tos 0x0, ttl 64, id 15241, offset 0, flags [none], proto UDP (17), length 63) 10.0.0.1.1024 > 146.84.28.88.53: [bad udp cksum 0x82b7 -> 0x42fc!] domain [length 0 < 12] (invalid)
    const zlip = hex(
      '006094eb552f00c04f6b9fe008004500003f3b890000401186780a0000019254',
      '1c5804000035002b0000ed6900000001000000000000c00cc007c010c017c020',
      'c027c030c0ffcf000000010001',
    );
    const p = decode(ETH, zlip);
    assert.deepEqual(ids(p), ['dns.pointer-loop']);
    assert.equal(p.status, 'malformed');
  });

  test('label types 0x40 and 0x80: bad-name', () => {
    for (const f of [LABEL_0X40, LABEL_0X80]) {
      const p = decode(ETH, f);
      assert.deepEqual(ids(p), ['dns.bad-name']);
      assert.deepEqual(
        [anomalyOf(p, 'dns.bad-name').layer, anomalyOf(p, 'dns.bad-name').offset],
        ['dns', 54],
      );
      assert.equal(p.status, 'malformed');
    }
  });

  test('a name longer than 255 bytes: bad-name', () => {
    const p = decode(ETH, longName());
    assert.deepEqual(ids(p), ['dns.bad-name']);
    const at = anomalyOf(p, 'dns.bad-name').offset;
    assert.ok(at > 54 && at < 54 + 5 * 64, String(at));
  });

  test('a real over-long name (tcpdump-dns-badlabel, 63 KB)', () => {
    const p = fixturePackets('corpus/public/tcpdump-dns-badlabel.pcap')[0];
    assert.ok(p);
    assert.ok(ids(p).includes('dns.bad-name'));
    assert.equal(p.status, 'malformed');
  });

  test('a record whose rdata runs past the end: bad-record at the length field; truncated when cut', () => {
    const p = decode(ETH, RDATA_PAST_END);
    assert.deepEqual(ids(p), ['dns.bad-record']);
    assert.equal(anomalyOf(p, 'dns.bad-record').offset, 85);
    assert.deepEqual(layer(p, 'dns').questions.length, 1);
    assert.deepEqual(layer(p, 'dns').answers, []);
    assert.equal(p.status, 'malformed');
    // The same message cut by the snap length (the IP and UDP lengths say 64 more bytes).
    const cut = put16(put16(RDATA_PAST_END, 16, 77 + 60), 38, 57 + 60);
    const q = decode(ETH, cut, cut.length + 60);
    assert.deepEqual(
      ids(q).filter((i) => i !== 'ipv4.bad-checksum'),
      ['truncated'],
    );
    assert.equal(anomalyOf(q, 'truncated').layer, 'dns');
  });

  test('a question missing its type or class: bad-record', () => {
    const p = decode(ETH, QCLASS_MISSING);
    assert.deepEqual(ids(p), ['dns.bad-record']);
    assert.equal(anomalyOf(p, 'dns.bad-record').offset, 71);
  });

  test('counts larger than the records present: the missing name is reported, nothing thrown', () => {
    const p = decode(ETH, put16(RESPONSE_CNAME, DNS_AT + 6, 0xffff));
    assert.deepEqual(
      ids(p).filter((i) => i !== 'udp.bad-checksum'),
      ['dns.bad-name'],
    );
    assert.equal(layer(p, 'dns').answers.length, 2);
    assert.equal(layer(p, 'dns').ancount, 0xffff);
    const q = decode(ETH, put16(QUERY, DNS_AT + 4, 0xffff));
    assert.equal(layer(q, 'dns').questions.length, 1);
    assert.equal(q.status, 'malformed');
  });

  test('more records than the decoder keeps (64): the first 64, the counts as sent, no anomaly', () => {
    const records = 'c00c 0001 0001 00000e10 0004 0a000001'.repeat(70);
    const p = decode(
      ETH,
      udp4Frame(53, 40000, hex('abcd81800001004600000000', '0161 00 0001 0001', records)),
    );
    const d = layer(p, 'dns');
    assert.deepEqual([d.ancount, d.answers.length, d.answers[63]?.data], [70, 64, '10.0.0.1']);
    assert.deepEqual(ids(p), []);
  });

  test('fewer than 12 bytes on port 53: too-short, no DNS layer', () => {
    const p = decode(ETH, TOO_SHORT);
    assert.deepEqual(ids(p), ['dns.too-short']);
    assert.deepEqual(
      [anomalyOf(p, 'dns.too-short').layer, anomalyOf(p, 'dns.too-short').offset],
      ['dns', 42],
    );
    assert.deepEqual(kinds(p), ['eth', 'ipv4', 'udp']);
    assert.equal(p.status, 'malformed');
  });

  test('DNS in a first IPv6 fragment (real, zeek-ipv6-fragmented-dns): running out of message is expected', () => {
    // tcpdump: IP6 (hlim 53, next-header Fragment (44) payload length: 1440) 2607:f740:b::f93 > 2001:470:1f11:81f:d138:5f55:6d4:1fe2: frag (0x00000002:0|1432) 53 > 51851: 40849*- 1/1/2 txtpadding_3230.n1.netalyzr.icsi.berkeley.edu. TXT [|domain]
    const ps = fixturePackets('corpus/public/zeek-ipv6-fragmented-dns.pcap');
    const first = ps.find((p) => p.ip?.kind === 'ipv6' && p.ip.fragment?.offset === 0 && p.ip.fragment.more);
    assert.ok(first);
    assert.deepEqual(kinds(first), ['eth', 'ipv6', 'udp', 'dns']);
    assert.equal(first.status, 'decoded');
  });
});

describe('DNS: truncated at every byte', () => {
  test('query, A, AAAA and CNAME responses, DNS over TCP', () => {
    assert.equal(sweepCuts(ETH, QUERY, ['dns']), 60);
    assert.ok(sweepCuts(ETH, RESPONSE_A, ['dns']) > 0);
    assert.ok(sweepCuts(ETH, RESPONSE_AAAA, ['dns']) > 0);
    assert.ok(sweepCuts(ETH, RESPONSE_CNAME, ['dns']) > 0);
    // DNS over TCP: from the first cut that leaves the length prefix and a whole header (see the todo below).
    assert.equal(sweepCuts(ETH, TCP_QUERY, [{ name: 'dns', from: 80, to: 94 }]), 28);
  });

  test('DNS over TCP cut by the snap length inside the DNS header is truncated', {}, () => {
    assert.equal(sweepCuts(ETH, TCP_QUERY, [{ name: 'dns', from: 69, to: 80 }]), 22);
  });

  test('header cut by the snap length: truncated, not too-short', () => {
    const p = decode(ETH, QUERY.slice(0, 48), QUERY.length);
    assert.deepEqual(ids(p), ['truncated']);
    assert.equal(p.anomalies[0]?.layer, 'dns');
  });
});
