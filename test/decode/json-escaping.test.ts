/**
 * What a decoded packet turns into on a terminal or in JSON is attacker-controlled text. For every
 * fixture packet: the NDJSON line parses, and the one-line and tree views (colours off) hold no C0
 * control character but newline (none at all in the one-line view), no DEL, no ESC, no C1 control,
 * no bidi override. Then a hostile DNS message (ESC sequences, an OSC title change ending in BEL,
 * backspaces, U+202E in UTF-8, invalid UTF-8) shows all of it escaped in all three.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeFrame } from '../../src/decode/pipeline.js';
import type { Packet } from '../../src/decode/types.js';
import { packetJsonLine } from '../../src/report/packet-json.js';
import { packetLine } from '../../src/report/packet-line.js';
import { packetTree } from '../../src/report/packet-tree.js';
import { makeStyle } from '../../src/report/style.js';
import { decode, fixtureFrames, hex, LinkType, layer, udp4Frame } from './helpers.js';

const STYLE = makeStyle(false);

/** C0 controls except newline, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph separators. */
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u2028-\u202e\u2066-\u2069]/u;

function line(p: Packet): string {
  return packetLine(p, { style: STYLE, time: '00:00:00.000000', rel: undefined, numberWidth: 4 });
}

function assertSafe(text: string, what: string, newlines: boolean): void {
  const m = UNSAFE.exec(text);
  assert.equal(m, null, `${what}: U+${m?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} at ${m?.index}`);
  if (!newlines) assert.ok(!text.includes('\n'), `${what}: newline in a one-line view`);
}

/** One DNS label from raw bytes (hex). */
function label(bytesHex: string): string {
  return (bytesHex.length / 2).toString(16).padStart(2, '0') + bytesHex;
}
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');

/**
 * The hostile name: `ESC[31m red`, `ESC]0;title BEL` (OSC: set the window title), `a BS BS BS b`,
 * `x U+202E y` (right-to-left override, UTF-8 e2 80 ae), and invalid UTF-8 `ff fe c0 80`.
 */
const HOSTILE_NAME = [
  label(ascii('\x1b[31mred')),
  label(ascii('\x1b]0;title\x07')),
  label(ascii('a\x08\x08\x08b')),
  label(`78${'e280ae'}79`),
  label('fffec080'),
  '00',
].join('');

/** A response: the hostile name asked for, answered by a CNAME to itself (name compressed, target not). */
function hostileResponse(): Uint8Array {
  const rdlen = (HOSTILE_NAME.length / 2).toString(16).padStart(4, '0');
  return udp4Frame(
    53,
    40000,
    hex('123481800001000100000000', HOSTILE_NAME, '00010001', 'c00c 0005 0001 00000e10', rdlen, HOSTILE_NAME),
  );
}

describe('rendering every fixture packet', () => {
  test('JSON lines parse; line and tree views hold no control characters', (t) => {
    let n = 0;
    for (const { file, frame } of fixtureFrames()) {
      const p = decodeFrame(frame);
      const what = `${file} #${frame.index}`;
      const json = packetJsonLine(p);
      assert.ok(!json.includes('\n'), `${what}: newline in NDJSON`);
      const parsed = JSON.parse(json) as { n: number; status: string; layers: unknown[] };
      assert.deepEqual(
        [parsed.n, parsed.status, parsed.layers.length],
        [frame.index, p.status, p.layers.length],
        what,
      );
      assertSafe(json, `${what} json`, false);
      assertSafe(line(p), `${what} line`, false);
      assertSafe(packetTree(p, STYLE), `${what} tree`, true);
      n++;
    }
    t.diagnostic(`${n} packets rendered`);
  });
});

describe('a hostile DNS message', () => {
  const p = decode(LinkType.ETHERNET, hostileResponse());
  // The decoder already writes label bytes outside printable ASCII as RFC 4343 \DDD.
  const DECODED = '\\027[31mred.\\027]0;title\\007.a\\008\\008\\008b.x\\226\\128\\174y.\\255\\254\\192\\128';

  test('decodes cleanly; the name is kept as escaped text, not raw bytes', () => {
    assert.equal(p.status, 'decoded');
    const d = layer(p, 'dns');
    assert.equal(d.questions[0]?.name, DECODED);
    assert.deepEqual(
      d.answers.map((a) => [a.name, a.type, a.data]),
      [[DECODED, 5, DECODED]],
    );
  });

  /** Every hostile piece, as it must appear: escaped, one or two backslashes in front. */
  const PIECES = [
    /\\{1,2}027\[31mred/,
    /\\{1,2}027]0;title\\{1,2}007/,
    /a(\\{1,2}008){3}b/,
    /x(\\{1,2}(226|128|174)){3}y/,
    /(\\{1,2}(255|254|192|128)){4}/,
  ];

  test('the one-line view shows every piece escaped and nothing raw', () => {
    const text = line(p);
    assertSafe(text, 'line', false);
    for (const re of PIECES) assert.match(text, re);
    assert.ok(
      !text.includes('\u202e') && !text.includes('\x1b') && !text.includes('\x07') && !text.includes('\b'),
    );
  });

  test('the tree view shows every piece escaped in the question and the answer', () => {
    const text = packetTree(p, STYLE);
    assertSafe(text, 'tree', true);
    const q = text.split('\n').find((l) => l.includes('question:'));
    const a = text.split('\n').find((l) => l.includes('answer:'));
    for (const re of PIECES) {
      assert.match(q ?? '', re);
      assert.match(a ?? '', re);
    }
  });

  test('the JSON line carries the escaped text: no raw control character even inside strings', () => {
    const json = packetJsonLine(p);
    assertSafe(json, 'json', false);
    // JSON.stringify would write a raw ESC as \u001b; it must not have to.
    assert.ok(!/\\u00(1b|07|08)|\\b/.test(json), json);
    const parsed = JSON.parse(json) as {
      layers: { layer: string; questions?: { name: string }[]; answers?: { name: string; data: string }[] }[];
    };
    const dns = parsed.layers.find((l) => l.layer === 'dns');
    assert.ok(dns?.questions?.[0] && dns.answers?.[0]);
    for (const s of [dns.questions[0].name, dns.answers[0].name, dns.answers[0].data]) {
      assertSafe(s, 'json string', false);
      for (const re of PIECES) assert.match(s, re);
    }
  });

  test('a cut hostile message is escaped the same way', () => {
    const full = hostileResponse();
    for (let cut = 42; cut < full.length; cut += 3) {
      const q = decode(LinkType.ETHERNET, full.slice(0, cut), full.length);
      assertSafe(line(q), `line cut at ${cut}`, false);
      assertSafe(packetTree(q, STYLE), `tree cut at ${cut}`, true);
      assertSafe(packetJsonLine(q), `json cut at ${cut}`, false);
    }
  });
});
