/**
 * The registry table against the registry, and the classifier against the table.
 *
 * 1. Every IANA special-purpose record, transcribed here a second time from the CSV exports
 *    (edition 2025-10-09), must match registry-data.ts column for column.
 * 2. For every prefix of every entry: its first and last address classify to that prefix, or to
 *    a more specific one nested inside it; the addresses just outside classify to another
 *    entry. The expected answer comes from a brute-force scan of all prefixes (bigint, no
 *    shortcuts), independent of the interval tables the classifier builds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bigIntToIp6, ip6ToBigInt } from '../../src/annotate/cidr.js';
import { classifyIp, type RegistryBlock, registryBlocks } from '../../src/annotate/classify.js';
import {
  ADDRESS_TAGS,
  type Attributes,
  type Flag,
  IANA_SPECIAL_ENTRIES,
  REGISTRY,
  REGISTRY_EDITION,
  type RegistryEntry,
} from '../../src/annotate/registry-data.js';
import { ip4ToString, ip6ToString, parseIp4, parseIp6 } from '../../src/core/addr.js';

// Address Block, then Source Destination Forwardable Globally-Reachable Reserved-by-Protocol
// (T True, F False, N N/A, - empty cell), as in iana-ipv{4,6}-special-registry-1.csv.
const IANA_IPV4_CSV = `
0.0.0.0/8 TFFFT
0.0.0.0/32 TFFFT
10.0.0.0/8 TTTFF
100.64.0.0/10 TTTFF
127.0.0.0/8 FFFFT
169.254.0.0/16 TTFFT
172.16.0.0/12 TTTFF
192.0.0.0/24 FFFFF
192.0.0.0/29 TTTFF
192.0.0.8/32 TFFFF
192.0.0.9/32 TTTTF
192.0.0.10/32 TTTTF
192.0.0.170/32,192.0.0.171/32 FFFFT
192.0.2.0/24 FFFFF
192.31.196.0/24 TTTTF
192.52.193.0/24 TTTTF
192.88.99.0/24 -----
192.88.99.2/32 TTTFF
192.168.0.0/16 TTTFF
192.175.48.0/24 TTTTF
198.18.0.0/15 TTTFF
198.51.100.0/24 FFFFF
203.0.113.0/24 FFFFF
240.0.0.0/4 FFFFT
255.255.255.255/32 FTFFT
`;

const IANA_IPV6_CSV = `
::1/128 FFFFT
::/128 TFFFT
::ffff:0:0/96 FFFFT
64:ff9b::/96 TTTTF
64:ff9b:1::/48 TTTFF
100::/64 TTTFF
100:0:0:1::/64 TFFFF
2001::/23 FFFFF
2001::/32 TTTNF
2001:1::1/128 TTTTF
2001:1::2/128 TTTTF
2001:1::3/128 TTTTF
2001:2::/48 TTTFF
2001:3::/32 TTTTF
2001:4:112::/48 TTTTF
2001:10::/28 -----
2001:20::/28 TTTTF
2001:30::/28 TTTTF
2001:db8::/32 FFFFF
2002::/16 TTTNF
2620:4f:8000::/48 TTTTF
3fff::/20 FFFFF
5f00::/16 TTTFF
fc00::/7 TTTFF
fe80::/10 TTFFT
`;

function flagChar(f: Flag): string {
  return f === true ? 'T' : f === false ? 'F' : f === 'n/a' ? 'N' : '-';
}

function colsOf(a: Attributes): string {
  return [a.source, a.destination, a.forwardable, a.globallyReachable, a.reservedByProtocol]
    .map(flagChar)
    .join('');
}

function rows(csv: string): [string, string][] {
  return csv
    .trim()
    .split('\n')
    .map((l) => l.split(' ') as [string, string]);
}

describe('registry data', () => {
  test(`edition is ${REGISTRY_EDITION}`, () => {
    assert.equal(REGISTRY_EDITION, '2025-10-09');
  });

  for (const [family, csv] of [
    [4, IANA_IPV4_CSV],
    [6, IANA_IPV6_CSV],
  ] as const) {
    test(`every IPv${family} special-purpose record, in registry order, with its columns`, () => {
      const ours = IANA_SPECIAL_ENTRIES.filter((e) => e.family === family);
      const theirs = rows(csv);
      assert.equal(ours.length, 25);
      assert.deepEqual(
        ours.map((e) => [e.prefixes.join(','), colsOf(e.attrs as Attributes)]),
        theirs,
      );
    });
  }

  test('every entry has a known tag, references, and attributes or a parent to inherit them from', () => {
    for (const e of REGISTRY) {
      assert.ok(ADDRESS_TAGS.includes(e.tag), `${e.prefixes[0]} tag ${e.tag}`);
      assert.ok(e.name.length > 0);
      if (e.attrs === undefined) assert.ok(e.family === 4 || e.group, `${e.prefixes[0]} has no attributes`);
    }
  });

  test('terminated entries have empty attribute cells and a termination date', () => {
    const terminated = REGISTRY.filter((e) => e.terminated !== undefined);
    assert.deepEqual(
      terminated.map((e) => e.prefixes[0]),
      ['192.88.99.0/24', '2001:10::/28'],
    );
    for (const e of terminated) assert.equal(colsOf(e.attrs as Attributes), '-----');
  });

  test('footnotes sit on the cells the registry puts them on', () => {
    const byPrefix = (p: string) => REGISTRY.find((e) => e.prefixes[0] === p) as RegistryEntry;
    assert.deepEqual(byPrefix('127.0.0.0/8').footnotes?.[0]?.cells, [
      'source',
      'destination',
      'forwardable',
      'globallyReachable',
    ]);
    assert.deepEqual(byPrefix('192.0.0.0/24').footnotes?.[0]?.cells, ['address']);
    assert.deepEqual(byPrefix('2001::/32').footnotes?.[0]?.cells, ['globallyReachable']);
    assert.deepEqual(byPrefix('2002::/16').footnotes?.[0]?.cells, ['address', 'globallyReachable']);
    assert.equal(byPrefix('fc00::/7').footnotes?.[0]?.mark, 4);
  });

  test('ranges split into prefixes that tile the range exactly', () => {
    const ranges = REGISTRY.flatMap((e) =>
      e.prefixes.filter((p) => p.includes('-')).map((p) => [e, p] as const),
    );
    assert.ok(ranges.length >= 4);
    for (const [e, p] of ranges) {
      const [a, b] = p.split('-') as [string, string];
      const blocks = registryBlocks().filter((x) => x.entry === e);
      const first = parseIp4(a) as number;
      const last = parseIp4(b) as number;
      const mine = blocks.filter((x) => (x.first as number) >= first && (x.last as number) <= last);
      assert.equal(mine[0]?.first, first, p);
      assert.equal(mine[mine.length - 1]?.last, last, p);
      for (let i = 1; i < mine.length; i++) {
        assert.equal(mine[i]?.first, (mine[i - 1]?.last as number) + 1, `${p} gap before ${mine[i]?.prefix}`);
      }
    }
    // 224.0.2.0-224.0.255.255 is /23 + /22 + /21 + /20 + /19 + /18 + /17.
    const adhoc = registryBlocks().filter((x) => x.entry.name === 'AD-HOC Block I');
    assert.deepEqual(
      adhoc.map((x) => x.prefix),
      [
        '224.0.2.0/23',
        '224.0.4.0/22',
        '224.0.8.0/21',
        '224.0.16.0/20',
        '224.0.32.0/19',
        '224.0.64.0/18',
        '224.0.128.0/17',
      ],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The classifier against a brute-force reference.
// ---------------------------------------------------------------------------------------------

interface Ref {
  readonly block: RegistryBlock;
  readonly start: bigint;
  readonly end: bigint;
}

/** Reference prefixes, parsed here from the prefix text with the core parsers. */
function refOf(b: RegistryBlock): Ref {
  const [addr, len] = b.prefix.split('/') as [string, string];
  const width = b.family === 4 ? 32 : 128;
  const start = b.family === 4 ? BigInt(parseIp4(addr) as number) : ip6ToBigInt(parseIp6(addr) as Uint8Array);
  return { block: b, start, end: start + (1n << BigInt(width - Number(len))) - 1n };
}

const REFS: readonly Ref[] = registryBlocks().map(refOf);

function mostSpecific(family: 4 | 6, v: bigint): Ref {
  let best: Ref | undefined;
  for (const r of REFS) {
    if (r.block.family !== family || v < r.start || v > r.end) continue;
    if (best === undefined || r.block.len > best.block.len) best = r;
  }
  assert.ok(best, `no block holds ${v}`);
  return best;
}

function addrOf(family: 4 | 6, v: bigint): number | Uint8Array {
  return family === 4 ? Number(v) : bigIntToIp6(v);
}

function text(family: 4 | 6, v: bigint): string {
  return family === 4 ? ip4ToString(Number(v)) : ip6ToString(bigIntToIp6(v));
}

describe('every registry prefix: first, last, and the addresses just outside', () => {
  for (const r of REFS) {
    const { family, prefix, entry } = r.block;
    const max = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    test(`IPv${family} ${prefix} ${entry.name}`, () => {
      for (const v of [r.start, r.end]) {
        const want = mostSpecific(family, v);
        const got = classifyIp(addrOf(family, v));
        assert.equal(got.prefix, want.block.prefix, text(family, v));
        assert.equal(got.entry, want.block.entry, text(family, v));
        // Inside: this block, or one nested inside it.
        assert.ok(want.start >= r.start && want.end <= r.end, `${text(family, v)} -> ${want.block.prefix}`);
      }
      for (const v of [r.start - 1n, r.end + 1n]) {
        if (v < 0n || v > max) continue;
        const got = classifyIp(addrOf(family, v));
        assert.equal(got.prefix, mostSpecific(family, v).block.prefix, text(family, v));
        assert.notEqual(got.prefix, prefix, text(family, v));
      }
    });
  }
});

describe('every registry entry: the addresses just outside it belong to another entry', () => {
  for (const e of REGISTRY) {
    // Adjacent prefixes of one entry (ranges, 192.0.0.170/32 + 192.0.0.171/32) form one run.
    const mine = REFS.filter((r) => r.block.entry === e).sort((a, b) => (a.start < b.start ? -1 : 1));
    const runs: [bigint, bigint][] = [];
    for (const r of mine) {
      const lastRun = runs[runs.length - 1];
      if (lastRun && lastRun[1] + 1n === r.start) lastRun[1] = r.end;
      else runs.push([r.start, r.end]);
    }
    const max = e.family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    test(`IPv${e.family} ${e.prefixes.join(', ')} ${e.name}`, () => {
      for (const [start, end] of runs) {
        for (const v of [start - 1n, end + 1n]) {
          if (v < 0n || v > max) continue;
          const got = classifyIp(addrOf(e.family, v));
          assert.notEqual(got.entry, e, text(e.family, v));
        }
      }
    });
  }
});

test('random addresses agree with the brute-force reference', () => {
  let x = 0x12345678;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  for (let i = 0; i < 20000; i++) {
    const v4 = BigInt(next());
    assert.equal(classifyIp(Number(v4)).prefix, mostSpecific(4, v4).block.prefix, text(4, v4));
  }
  // IPv6: random low bits under each block's first 16 bits, so every region is visited.
  const tops = [...new Set(REFS.filter((r) => r.block.family === 6).map((r) => r.start >> 112n))];
  const low112 = (1n << 112n) - 1n;
  for (let i = 0; i < 20000; i++) {
    const top = tops[i % tops.length] as bigint;
    let low = 0n;
    for (let w = 0; w < 4; w++) low = (low << 32n) | BigInt(next());
    low &= low112;
    // Half the time keep only bits 96-111 and the last byte: special prefixes sit near those.
    if (i % 2 === 0) low &= (0xffffn << 96n) | 0xffn;
    const v = (top << 112n) | low;
    assert.equal(classifyIp(bigIntToIp6(v)).prefix, mostSpecific(6, v).block.prefix, text(6, v));
  }
});
