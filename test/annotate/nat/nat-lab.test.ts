/**
 * The lab's NAT pair: client1 10.0.1.2 and client2 10.0.1.3 behind a Linux masquerading router
 * (outside address 10.0.2.1), captured on the router's lan0 (inside) and wan0 (outside). The
 * router's conntrack table, read after the traffic, is the truth (nat-outside.truth.json →
 * nat.translations): the translation table must reproduce it exactly, no more, no less.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_NAT_LIMITS, matchNat, type NatReport } from '../../../src/annotate/nat.js';
import { FIXTURES } from '../../helpers/corpus.js';
import { collect, setU32, shifted, u32 } from './helpers.js';

const LAB = join(FIXTURES, 'lab');
const INSIDE = join(LAB, 'nat-inside.pcap');
const OUTSIDE = join(LAB, 'nat-outside.pcap');

interface TruthTranslation {
  protocol: 'tcp' | 'udp' | 'icmp';
  inside: string;
  outside: string;
  server: string;
  port_changed: boolean;
}

const truth = (
  JSON.parse(readFileSync(join(LAB, 'nat-outside.truth.json'), 'utf8')) as {
    nat: { translations: TruthTranslation[]; outside_address: string };
  }
).nat;

function rows(r: NatReport): string[] {
  return r.translations.map(
    (t) => `${t.protocol} ${t.inside} ⇄ ${t.outside} remote ${t.remote} changed=${!t.portPreserved}`,
  );
}

const expected = truth.translations
  .map((t) => `${t.protocol} ${t.inside} ⇄ ${t.outside} remote ${t.server} changed=${t.port_changed}`)
  .sort();

describe('nat: the lab pair against the router’s conntrack', () => {
  const r = matchNat(collect(INSIDE), collect(OUTSIDE));

  test('every conntrack translation, and no other', () => {
    assert.equal(truth.translations.length, 7);
    assert.deepEqual(rows(r).sort(), expected);
  });

  test('nothing is left on one side only', () => {
    assert.deepEqual(r.insideOnly, []);
    assert.deepEqual(r.outsideOnly, []);
  });

  test('TCP pairs rest on sequence numbers and timestamps kept by masquerade', () => {
    for (const t of r.translations.filter((x) => x.protocol === 'tcp')) {
      assert.equal(t.evidence.localSeq, 'preserved', t.inside);
      assert.ok(t.evidence.ids.includes('isn-preserved'));
      assert.ok(t.evidence.ids.includes('tsval'));
      assert.ok(t.evidence.ids.includes('remote-seq'));
      assert.equal(t.evidence.alignedPackets, Math.min(t.evidence.insideKept, t.evidence.outsideKept));
      assert.equal(t.initiator, 'inside');
    }
  });

  test('one outside address, two inside hosts behind it, paired', () => {
    assert.deepEqual(r.pooling.addresses, [
      { outsideAddr: truth.outside_address, insideHosts: ['10.0.1.2', '10.0.1.3'], translations: 7 },
    ]);
    assert.equal(r.pooling.paired, true);
    assert.deepEqual(r.ports.byProtocol, {
      tcp: { preserved: 2, changed: 1 },
      udp: { preserved: 1, changed: 1 },
      icmp: { preserved: 1, changed: 1 },
    });
  });

  test('each changed port was already taken by client1 towards the same remote', () => {
    // From the truth: every changed translation's inside port is the outside port of an
    // unchanged one of the same protocol and remote.
    const want = truth.translations
      .filter((t) => t.port_changed)
      .map((t) => {
        const port = t.inside.split(/[: ]/).pop();
        const holder = truth.translations.find(
          (u) =>
            !u.port_changed &&
            u.protocol === t.protocol &&
            u.server === t.server &&
            u.outside.split(/[: ]/).pop() === port,
        );
        return [t.inside, t.outside, holder?.inside];
      });
    assert.equal(want.length, 3);
    assert.deepEqual(
      r.ports.clashes.map((c) => [c.inside, c.outside, c.takenBy]),
      want,
    );
  });

  test('the router takes one off the TTL each way', () => {
    assert.deepEqual(Object.keys(r.ttl.outbound), ['1']);
    assert.deepEqual(Object.keys(r.ttl.inbound), ['1']);
    for (const t of r.translations) assert.deepEqual(t.ttlDecrement, { outbound: 1, inbound: 1 });
  });

  test('both captures share the router’s clock: offset within a few microseconds of 0', () => {
    assert.equal(r.clock.method, 'bounds');
    assert.ok(Math.abs(r.clock.offset) <= 5e-6, String(r.clock.offset));
    assert.equal(r.clock.samples, 44);
    const d = r.delay;
    assert.ok(d);
    assert.equal(d.count, 44);
    assert.ok(d.min >= 0 && d.max < 0.001, JSON.stringify(d));
    for (const t of r.translations) assert.ok(t.delay && t.delay.min >= -5e-6, t.inside);
  });
});

describe('nat: matching without trusting the clock, the ISN or a long memory', () => {
  test('outside clock an hour and a quarter-second ahead: same table, offset found', () => {
    const r = matchNat(
      collect(INSIDE),
      collect(OUTSIDE, (f) => shifted(f, 3600.25)),
    );
    assert.deepEqual(rows(r).sort(), expected);
    assert.ok(Math.abs(r.clock.offset - 3600.25) <= 5e-6, String(r.clock.offset));
    assert.ok(r.delay && r.delay.min >= -5e-6 && r.delay.max < 0.001);
  });

  test('outside clock behind: negative offset', () => {
    const r = matchNat(
      collect(INSIDE),
      collect(OUTSIDE, (f) => shifted(f, -42.5)),
    );
    assert.deepEqual(rows(r).sort(), expected);
    assert.ok(Math.abs(r.clock.offset + 42.5) <= 5e-6, String(r.clock.offset));
  });

  test('a NAT that rewrites the inside hosts’ ISNs (sequence numbers shifted by a constant)', () => {
    // Outside: 10.0.2.1's seq + K on its segments, ack + K on the server's (as pf's modulate state does).
    const K = 0x9e3779b9;
    const r = matchNat(
      collect(INSIDE),
      collect(OUTSIDE, (f) => {
        const d = f.data.slice();
        if (d[23] !== 6) return f; // IPv4 protocol byte (Ethernet + 9)
        const src = u32(d, 26);
        const t = 34;
        if (src === 0x0a000201) setU32(d, t + 4, (u32(d, t + 4) + K) >>> 0);
        else if ((d[t + 13] as number) & 0x10) setU32(d, t + 8, (u32(d, t + 8) + K) >>> 0);
        return { ...f, data: d };
      }),
    );
    assert.deepEqual(rows(r).sort(), expected);
    for (const t of r.translations.filter((x) => x.protocol === 'tcp')) {
      assert.equal(t.evidence.localSeq, 'shifted', t.inside);
      assert.equal(t.evidence.seqShift, K);
    }
  });

  test('a budget of three packets per flow is enough here', () => {
    const limits = { ...DEFAULT_NAT_LIMITS, packetsPerFlow: 3 };
    const r = matchNat(collect(INSIDE, undefined, limits), collect(OUTSIDE, undefined, limits));
    assert.deepEqual(rows(r).sort(), expected);
    for (const t of r.translations) assert.ok(t.evidence.insideKept <= 3);
  });

  test('beyond the flow budget, flows are counted, not kept', () => {
    const limits = { ...DEFAULT_NAT_LIMITS, maxFlows: 3 };
    const r = matchNat(collect(INSIDE, undefined, limits), collect(OUTSIDE, undefined, limits));
    assert.equal(r.inside.dropped, 4);
    assert.equal(r.outside.dropped, 4);
    assert.ok(r.translations.length <= 3);
    for (const t of r.translations)
      assert.ok(expected.includes(rows({ ...r, translations: [t] })[0] as string));
  });

  test('packets lost between the capture points do not break a pair', () => {
    // Drop outside packets 6 and 31 (a request of client1 and one of client2).
    const r = matchNat(
      collect(INSIDE),
      collect(OUTSIDE, (f) => (f.index === 6 || f.index === 31 ? undefined : f)),
    );
    assert.deepEqual(rows(r).sort(), expected);
  });

  test('a flow the outside never saw is reported inside only, not forced onto another', () => {
    // Remove client2's TCP connection (its translated port, from the truth) from the outside capture.
    const tcp2 = truth.translations.find((t) => t.protocol === 'tcp' && t.port_changed);
    assert.ok(tcp2);
    const port = Number(tcp2.outside.split(':')[1]);
    const r = matchNat(
      collect(INSIDE),
      collect(OUTSIDE, (f) => {
        const d = f.data;
        if (d.length < 38 || d[23] !== 6) return f;
        const sport = ((d[34] as number) << 8) | (d[35] as number);
        const dport = ((d[36] as number) << 8) | (d[37] as number);
        return sport === port || dport === port ? undefined : f;
      }),
    );
    assert.deepEqual(
      rows(r).sort(),
      expected.filter((e) => !e.includes(tcp2.outside)),
    );
    assert.deepEqual(
      r.insideOnly.map((f) => `${f.protocol} ${f.client}`),
      ['tcp 10.0.1.3:40000'],
    );
  });

  test('unrelated captures sharing servers and even a DNS query: no translation', () => {
    // http-keepalive: the same lab client and server, two minutes earlier; its DNS query has the
    // same id and name as client1's here, but nothing else agrees.
    const r = matchNat(collect(join(LAB, 'http-keepalive.pcap')), collect(OUTSIDE));
    assert.deepEqual(r.translations, []);
    assert.equal(r.clock.method, 'none');
    assert.equal(r.outsideOnly.length, 7);
  });

  test('a given clock offset is used as is', () => {
    const r = matchNat(
      collect(INSIDE),
      collect(OUTSIDE, (f) => shifted(f, 10)),
      {
        maxDelay: 2,
        candidates: 64,
        clockOffset: 10,
      },
    );
    assert.equal(r.clock.method, 'given');
    assert.deepEqual(rows(r).sort(), expected);
  });

  test('the same capture on both sides: every flow matches itself, untranslated', () => {
    const r = matchNat(collect(INSIDE), collect(INSIDE));
    assert.equal(r.translations.length, 7);
    for (const t of r.translations) {
      assert.equal(t.inside, t.outside);
      assert.equal(t.addressChanged, false);
      assert.equal(t.initiator, 'inside');
    }
  });
});
