/**
 * Differential test against Zeek itself: every capture of fixtures/zeek/ (Zeek's regression traces)
 * through wirelens' Zeek-compatible summary, row by row against the conn.log Zeek's tests expect.
 * Compared: orientation (who is the originator), conn_state, history, packets, bytes, duration, and
 * from the baseline log where it has them missed_bytes and IP bytes; TCP and UDP rows (the corpus has
 * no ICMP rows). Every difference must be in EXCEPTIONS, with its reason.
 *
 * `WIRELENS_ZEEK_CORPUS=/path/to/corpus/zeek` runs the same on another copy (e.g. with the capture
 * left out of fixtures/zeek for size).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES } from '../../helpers/corpus.js';
import { type Comparison, compareRows, type Field, readExpected } from './compare.js';
import { runCapture } from './run.js';
import { runOptionsFor } from './settings.js';

interface Exception {
  readonly test: string;
  /** Line of expected.tsv. */
  readonly line: number;
  readonly fields: readonly Field[];
  readonly reason: string;
}

/** Rows header analysis cannot reproduce. Keep it short; each needs a reason. */
export const EXCEPTIONS: readonly Exception[] = [
  {
    test: 'scripts.base.protocols.ncp.frame_size_tuning',
    line: 4,
    fields: ['history'],
    reason:
      "`X` (analysis partial) is added by Zeek's NCP analyzer when a frame exceeds the test's NCP::max_frame_size=150: it needs the application analyzer, not TCP headers.",
  },
];

const DIR = process.env.WIRELENS_ZEEK_CORPUS ?? join(FIXTURES, 'zeek');

interface IndexRow {
  readonly test: string;
  readonly trace: string;
  readonly kind: string;
}

function readIndex(): IndexRow[] {
  const file = join(DIR, 'INDEX.tsv');
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const head = (lines[0] ?? '').split('\t');
  const col = (name: string) => head.indexOf(name);
  return lines.slice(1).map((l) => {
    const c = l.split('\t');
    return {
      test: c[col('test_name')] ?? '',
      trace: c[col('trace_file')] ?? '',
      kind: c[col('baseline_kind')] ?? '',
    };
  });
}

function compareTest(row: IndexRow): Comparison {
  const dir = join(DIR, row.test);
  const files = readdirSync(dir);
  const log = files.find((f) => f.endsWith('.log') || f.endsWith('.cut'));
  const expected = readExpected(join(dir, 'expected.tsv'), log ? join(dir, log) : undefined);
  const { rows } = runCapture(join(dir, row.trace), runOptionsFor(row.test));
  return compareRows(expected, rows, row.kind === 'conn.log');
}

const excepted = (t: string, line: number, f: Field) =>
  EXCEPTIONS.some((e) => e.test === t && e.line === line && e.fields.includes(f));

const index = readIndex();
const results = new Map<string, Comparison>();

describe("Zeek conn.log: wirelens' summary agrees with Zeek's baselines", () => {
  test('the corpus is there', () => {
    assert.ok(index.length >= 40, `only ${index.length} Zeek pairs under ${DIR}`);
  });

  for (const row of index) {
    test(row.test, () => {
      const cmp = compareTest(row);
      results.set(row.test, cmp);
      const problems: string[] = [];
      for (const p of cmp.pairs) {
        const e = p.expected;
        const where = `line ${e.line} (${e.origAddr}:${e.origPort} > ${e.respAddr}:${e.respPort})`;
        if (!p.actual) problems.push(`${where}: no wirelens row`);
        for (const d of p.diffs)
          if (!excepted(row.test, e.line, d.field))
            problems.push(`${where}: ${d.field} Zeek ${d.expected}, wirelens ${d.actual}`);
      }
      for (const x of cmp.extra)
        problems.push(
          `extra row ${x.proto} ${x.origAddr}:${x.origPort} > ${x.respAddr}:${x.respPort} ${x.connState} ${x.history}`,
        );
      assert.deepEqual(problems, []);
    });
  }

  test('every exception is still needed', () => {
    for (const e of EXCEPTIONS) {
      const cmp = results.get(e.test);
      if (!cmp) continue; // that capture is not in this corpus copy
      const pair = cmp.pairs.find((p) => p.expected.line === e.line);
      assert.ok(pair, `${e.test} has no line ${e.line}`);
      for (const f of e.fields)
        assert.ok(
          pair.diffs.some((d) => d.field === f),
          `${e.test} line ${e.line}: ${f} agrees now, drop the exception`,
        );
    }
  });

  test('agreement', (t) => {
    let rows = 0;
    let matched = 0;
    let cs = 0;
    let csOk = 0;
    let hist = 0;
    let histOk = 0;
    let counts = 0;
    let countsOk = 0;
    for (const [name, cmp] of results) {
      let line = `${name}:`;
      for (const p of cmp.pairs) {
        rows++;
        if (p.actual) matched++;
        const bad = new Set(p.diffs.map((d) => d.field));
        if (p.compared.includes('conn_state')) {
          cs++;
          if (!bad.has('conn_state')) csOk++;
        }
        if (p.compared.includes('history')) {
          hist++;
          if (!bad.has('history')) histOk++;
        }
        for (const f of p.compared)
          if (f !== 'conn_state' && f !== 'history') {
            counts++;
            if (!bad.has(f)) countsOk++;
          }
      }
      line += ` ${cmp.pairs.length} rows, ${cmp.pairs.filter((p) => p.diffs.length === 0).length} identical`;
      t.diagnostic(line);
    }
    const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
    t.diagnostic(
      `rows ${matched}/${rows}; conn_state ${csOk}/${cs} (${pct(csOk, cs)}); history ${histOk}/${hist} (${pct(histOk, hist)}); counts ${countsOk}/${counts} (${pct(countsOk, counts)})`,
    );
    if (rows === 0) return;
    assert.equal(matched, rows);
    assert.ok(csOk / cs >= 0.95, `conn_state agreement ${pct(csOk, cs)}`);
    assert.ok(histOk / hist >= 0.95, `history agreement ${pct(histOk, hist)}`);
  });
});
