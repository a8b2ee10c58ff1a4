/**
 * The `nat` and `arp` commands end to end: JSON that parses into the view models, terminal
 * output no wider than 100 columns (on every lab and public capture for the single-capture
 * forms), usage errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ArpAnalyzer, type ArpSummary, arpSummary } from '../../../src/annotate/arp.js';
import type { NatReport } from '../../../src/annotate/nat.js';
import type { NatHintsSummary } from '../../../src/annotate/nat-hints.js';
import { readCaptureBuffer } from '../../../src/capture/source.js';
import { decodeFrame } from '../../../src/decode/pipeline.js';
import { renderArp } from '../../../src/report/arp.js';
import { renderNatHints } from '../../../src/report/nat.js';
import { makeStyle } from '../../../src/report/style.js';
import { displayWidth } from '../../../src/report/wrap.js';
import { capturesUnder, FIXTURES, ROOT } from '../../helpers/corpus.js';
import { hintsOf } from './helpers.js';

const PLAIN = makeStyle(false);

const BIN = join(ROOT, 'bin', 'wirelens.js');
const LAB = join(FIXTURES, 'lab');

function wl(...args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 28,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

function assertWidth(text: string, what: string): void {
  text.split('\n').forEach((l, i) => {
    assert.ok(displayWidth(l) <= 100, `${what}: line ${i + 1} is ${displayWidth(l)} columns: ${l}`);
  });
}

describe('wirelens nat', () => {
  const inside = join(LAB, 'nat-inside.pcap');
  const outside = join(LAB, 'nat-outside.pcap');

  test('--json: the translation table as one object', () => {
    const r = wl('nat', inside, outside, '--json');
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout) as NatReport;
    assert.equal(o.translations.length, 7);
    assert.equal(o.clock.method, 'bounds');
  });

  test('--json --hints: the hints of both captures ride along', () => {
    const r = wl('nat', inside, outside, '--json', '--hints');
    const o = JSON.parse(r.stdout) as NatReport & {
      hints: { inside: NatHintsSummary; outside: NatHintsSummary };
    };
    assert.equal(o.translations.length, 7);
    assert.ok(o.hints.inside.profiles.length > 0);
    assert.ok(o.hints.outside.profiles.some((p) => p.address === '10.0.2.1' && p.undetermined));
  });

  test('the table fits 100 columns and says what the NAT did', () => {
    const r = wl('nat', inside, outside, '--hints');
    assert.equal(r.status, 0, r.stderr);
    assertWidth(r.stdout, 'nat');
    assert.match(r.stdout, /NAT translations \(7\)/);
    assert.match(r.stdout, /10\.0\.1\.3:40000 +10\.0\.2\.1:\d+ +10\.0\.2\.2:80 +new/);
    assert.match(r.stdout, /2 hosts share one outside address/);
  });

  test('one capture: hints only', () => {
    const r = wl('nat', join(FIXTURES, 'corpus', 'public', 'chrissanders-http_google.pcapng'), '--json');
    const o = JSON.parse(r.stdout) as NatHintsSummary;
    assert.equal(o.hints[0]?.kind, 'translation-upstream');
  });

  test('--clock-offset is used as given', () => {
    const o = JSON.parse(wl('nat', inside, outside, '--json', '--clock-offset', '0').stdout) as NatReport;
    assert.equal(o.clock.method, 'given');
    assert.equal(o.translations.length, 7);
  });

  test('three captures is a usage error', () => {
    assert.equal(wl('nat', inside, outside, inside).status, 2);
  });

  test('a missing capture is an input error', () => {
    assert.equal(wl('nat', inside, join(LAB, 'no-such.pcap')).status, 3);
  });

  test('hints on every capture: no crash, 100 columns (rendered in process)', () => {
    for (const f of [...capturesUnder(LAB), ...capturesUnder(join(FIXTURES, 'corpus', 'public'))]) {
      assertWidth(renderNatHints(hintsOf(f), 'test', PLAIN).join('\n'), f);
    }
  });
});

describe('wirelens arp', () => {
  test('--json on the ARP-poisoning capture', () => {
    const r = wl('arp', join(FIXTURES, 'corpus', 'public', 'chrissanders-arppoison.pcapng'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout) as ArpSummary;
    assert.equal(o.findings[0]?.kind, 'spoofing');
  });

  test('the view names the spoofer, the gateway’s address and its real MAC', () => {
    const r = wl('arp', join(FIXTURES, 'corpus', 'public', 'chrissanders-arppoison.pcapng'));
    assert.match(r.stdout, /ARP spoofing: 00:25:b3:bf:91:ee took over 172\.16\.0\.1 from 00:26:0b:31:07:33/);
  });

  test('every capture: no crash, 100 columns (rendered in process)', () => {
    for (const f of [...capturesUnder(LAB), ...capturesUnder(join(FIXTURES, 'corpus', 'public'))]) {
      const a = new ArpAnalyzer();
      let start: number | undefined;
      readCaptureBuffer(readFileSync(f), {
        frame: (x) => {
          start ??= x.ts;
          a.onPacket(decodeFrame(x));
        },
        problem: () => {},
      });
      assertWidth(renderArp(arpSummary(a), start ?? 0, PLAIN).join('\n'), f);
    }
  });

  test('a damaged capture: what was read is analysed, exit code 4', () => {
    const r = wl('arp', join(FIXTURES, 'corpus', 'public', 'tcpdump-arp-oobr.pcap'));
    assert.ok(r.status === 0 || r.status === 4, `${r.status} ${r.stderr}`);
    assertWidth(r.stdout, 'arp-oobr');
  });
});
