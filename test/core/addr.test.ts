/**
 * Dotted-quad parsing (`parseIp4`, scanned by character code) against the plain rule written as a
 * regular expression: the same answer on edge cases and on 200,000 random strings built from digits,
 * dots and a few other characters; and text made by `ip4ToString` parses back to its number.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ip4ToString, parseIp4 } from '../../src/core/addr.js';
import { rng } from '../helpers/rng.js';

/** The rule: four groups of 1 to 3 decimal digits, each at most 255, joined by dots, nothing else. */
function reference(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

test('parseIp4 edge cases', () => {
  const cases: [string, number | undefined][] = [
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['10.0.0.1', 0x0a000001],
    ['010.001.000.001', 0x0a010001],
    ['256.0.0.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.', undefined],
    ['.1.2.3.4', undefined],
    ['1..2.3', undefined],
    ['1.2.3.4 ', undefined],
    [' 1.2.3.4', undefined],
    ['1.2.3.0004', undefined],
    ['1.2.3.-4', undefined],
    ['1.2.3.+4', undefined],
    ['1.2.3.4\n', undefined],
    ['１.2.3.4', undefined],
    ['', undefined],
    ['::1', undefined],
  ];
  for (const [s, want] of cases) {
    assert.equal(parseIp4(s), want, JSON.stringify(s));
    assert.equal(reference(s), want, `reference ${JSON.stringify(s)}`);
  }
});

test('parseIp4 agrees with the rule on random strings', () => {
  const r = rng(7);
  const others = 'a -:/+\u0660\n';
  const pick = (chars: string) => chars[Math.floor(r() * chars.length)] as string;
  let valid = 0;
  for (let k = 0; k < 200_000; k++) {
    // Mostly address-shaped: 3 to 5 groups of 0 to 4 digits (a few other characters among them),
    // mostly joined by dots.
    const groups = 3 + Math.floor(r() * 3);
    let s = '';
    for (let g = 0; g < groups; g++) {
      if (g > 0) s += r() < 0.9 ? '.' : pick(others);
      const digits = Math.floor(r() * 5);
      for (let i = 0; i < digits; i++) s += r() < 0.97 ? pick('0123456789') : pick(others);
    }
    const want = reference(s);
    if (want !== undefined) valid++;
    assert.equal(parseIp4(s), want, JSON.stringify(s));
  }
  // The random strings must reach valid addresses too, or the comparison says little.
  assert.ok(valid > 100, `only ${valid} valid addresses generated`);
});

test('parseIp4 reads back what ip4ToString writes', () => {
  const r = rng(11);
  for (let k = 0; k < 20_000; k++) {
    const v = Math.floor(r() * 2 ** 32);
    assert.equal(parseIp4(ip4ToString(v)), v);
  }
});
