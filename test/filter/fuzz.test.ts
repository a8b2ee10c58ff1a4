/**
 * Robustness: random token soup either compiles or fails with a FilterSyntaxError (never another
 * exception), compiled filters never throw on any frame, and very long or deeply nested
 * expressions stay within the stack.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame } from '../../src/decode/pipeline.js';
import { compileFilter, describeFilter, FilterSyntaxError } from '../../src/filter/index.js';
import { SYNTHETIC, syntheticFrame } from './synthetic.js';

// biome-ignore format: a word list reads better packed
const WORDS = [
  'host', 'net', 'port', 'portrange', 'src', 'dst', 'and', 'or', 'not', '!', '&&', '||', '(', ')', 'tcp',
  'udp', 'ip', 'ip6', 'arp', 'ether', 'vlan', 'proto', 'mask', 'less', 'greater', 'len', 'broadcast',
  'multicast', '[', ']', ':', '+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>', '=', '!=', '<', '>=',
  '0', '1', '2', '4', '13', '80', '0x1fff', '10.0.0.1', '10.1', '10.0.0.0/8', 'fe80::1', '::',
  '00:11:22:33:44:55', 'http', '20-21', 'tcp-syn', 'icmptype', '\\tcp', 'x',
];

/** Deterministic xorshift PRNG. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

test('random expressions compile or raise FilterSyntaxError; filters never throw', () => {
  const rand = rng(20240607);
  const packets = SYNTHETIC.map((s) => decodeFrame(syntheticFrame(s.name)));
  let compiled = 0;
  for (let n = 0; n < 20000; n++) {
    const len = 1 + Math.floor(rand() * 8);
    const expr = Array.from({ length: len }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
    let f: ReturnType<typeof compileFilter>;
    try {
      f = compileFilter(expr);
    } catch (e) {
      assert.ok(e instanceof FilterSyntaxError, `${expr}: ${e}`);
      assert.ok(e.position >= 0 && e.position <= expr.length, expr);
      continue;
    }
    compiled++;
    for (const p of packets) f.matches(p);
    // The description compiles to something that selects the same packets.
    const again = compileFilter(describeFilter(f));
    for (const p of packets) assert.equal(again.matches(p), f.matches(p), `${expr} vs ${describeFilter(f)}`);
  }
  assert.ok(compiled > 200, `only ${compiled} random expressions compiled`);
});

// biome-ignore format: a word list reads better packed
const SNIPPETS = [
  'tcp', 'udp port 53', 'host 10.0.0.1', '10.0.0.2', '80', 'not', 'vlan', 'vlan 100', 'ip6', 'arp',
  'net 10.1', 'ether src 00:11:22:33:44:55', 'tcp[13] & 2 != 0', 'ip[0] >> 4 = 4', 'len > 60', 'icmp6',
  'ip multicast', 'broadcast', 'portrange 1-1023', 'stp', 'ip6 net fe80::/10',
];

test('random combinations of valid snippets: description and evaluation agree', () => {
  const rand = rng(7);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)] as T;
  const packets = SYNTHETIC.map((s) => decodeFrame(syntheticFrame(s.name)));
  let compiled = 0;
  for (let n = 0; n < 5000; n++) {
    let expr = pick(SNIPPETS);
    for (let k = Math.floor(rand() * 4); k > 0; k--) {
      const s = pick(SNIPPETS);
      expr =
        rand() < 0.3
          ? `(${expr}) ${pick(['and', 'or'])} ${s}`
          : `${expr} ${pick(['and', 'or', '&&', '||'])} ${s}`;
    }
    let f: ReturnType<typeof compileFilter>;
    try {
      f = compileFilter(expr);
    } catch (e) {
      assert.ok(e instanceof FilterSyntaxError, `${expr}: ${e}`);
      continue;
    }
    compiled++;
    const again = compileFilter(describeFilter(f));
    for (const p of packets) assert.equal(again.matches(p), f.matches(p), `${expr} vs ${describeFilter(f)}`);
  }
  assert.ok(compiled > 2000, `only ${compiled} combinations compiled`);
});

test('long and deeply nested expressions', () => {
  const p = decodeFrame(syntheticFrame('tcp-syn-80'));
  const many = Array.from({ length: 3000 }, (_, i) => `port ${i}`).join(' or ');
  assert.equal(compileFilter(many).matches(p), true);
  assert.equal(compileFilter(`${'('.repeat(2000)}tcp${')'.repeat(2000)}`).matches(p), true);
  assert.equal(compileFilter(`${'not '.repeat(2001)}tcp`).matches(p), false);
  assert.equal(compileFilter(`${Array(2001).fill('1').join(' ^ ')} = 1`).matches(p), true);
});
