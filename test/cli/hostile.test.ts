/**
 * Hostile text: a capture whose HTTP request lines, headers and DNS names carry ANSI escapes, OSC
 * title changes, backspaces, bidi overrides and invalid UTF-8. Every command's terminal output shows
 * them escaped (nothing that could move the cursor, retitle the window or reorder the line reaches
 * stdout), and every JSON output stays valid JSON.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';

const FILE = 'fixtures/lab/http-hostile.pcap';

/** Characters that must never reach a terminal: C0 except \n, DEL, C1, bidi and invisible format characters. */
const DANGEROUS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/u;

const TEXT_COMMANDS: string[][] = [
  ['read', FILE],
  ['read', FILE, '-v'],
  ['read', FILE, '-x'],
  ['conns', FILE],
  ['explain', FILE],
  ['listeners', FILE],
  ['http', FILE],
  ['http', FILE, '-v'],
  ['follow', FILE, '1'],
  ['follow', FILE, '1', '-x'],
  ['report', FILE],
  ['arp', FILE],
  ['nat', FILE],
];

const JSON_COMMANDS: string[][] = [
  ['read', FILE, '--json'],
  ['conns', FILE, '--json'],
  ['explain', FILE, '--json'],
  ['listeners', FILE, '--json'],
  ['http', FILE, '--json'],
  ['report', FILE, '--json'],
];

describe('hostile text is escaped in every command', () => {
  for (const args of TEXT_COMMANDS) {
    test(args.slice(0, 1).concat(args.slice(2)).join(' '), () => {
      const r = runCli(args);
      assert.equal(r.status, 0, r.stderr);
      const bad = r.stdout.split('\n').findIndex((l) => DANGEROUS.test(l));
      assert.equal(bad, -1, `line ${bad + 1}: ${JSON.stringify(r.stdout.split('\n')[bad])}`);
      assert.ok(!DANGEROUS.test(r.stderr.replace(/\n/g, '')), 'stderr is clean too');
    });
  }
  test('the hostile bytes are visible, escaped', () => {
    const r = runCli(['http', FILE, '-v']);
    assert.match(r.stdout, /\\x1b\[31mred/);
    assert.match(r.stdout, /\\x1b\]0;pwned/);
    assert.match(r.stdout, /\\u\{202e\}/);
    assert.match(r.stdout, /\\x08/);
    assert.match(r.stdout, /\\xff\\xfe/);
  });
  for (const args of JSON_COMMANDS) {
    test(`${args[0]} --json is valid JSON without raw control characters`, () => {
      const r = runCli(args);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.split('\n').filter(Boolean);
      assert.ok(lines.length > 0);
      for (const l of lines) {
        JSON.parse(l);
        assert.ok(!DANGEROUS.test(l), `raw control character in ${l.slice(0, 200)}`);
      }
    });
  }
  test('the DNS name with escapes is escaped in read', () => {
    const r = runCli(['read', FILE, 'udp port 53']);
    assert.ok(r.stdout.includes('DNS'), r.stdout);
    assert.ok(!DANGEROUS.test(r.stdout.replace(/\n/g, '')));
  });
});
