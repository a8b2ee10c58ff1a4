/**
 * Every malformed or crafted capture of the public corpus (MANIFEST.tsv column `malformed` = yes,
 * and tcpdump's heap-overflow, out-of-bounds-read, ASan and truncation regression captures) runs
 * clean through every command of the real CLI (see matrix.ts for what clean means). The diagnostics
 * say how each one is reported: statuses, file problems, anomaly ids.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES } from '../helpers/corpus.js';
import { assertClean, reportedAs, runMatrix } from './matrix.js';

const PUBLIC = join(FIXTURES, 'corpus', 'public');

function malformedCorpus(): string[] {
  const rows = readFileSync(join(FIXTURES, 'corpus', 'MANIFEST.tsv'), 'utf8')
    .trim()
    .split('\n');
  const head = (rows[0] ?? '').split('\t');
  const file = head.indexOf('file');
  const malformed = head.indexOf('malformed');
  const names = new Set<string>();
  for (const r of rows.slice(1)) {
    const cols = r.split('\t');
    const name = cols[file] ?? '';
    if (cols[malformed] === 'yes' || /heapoverflow|oobr|asan|trunc/.test(name)) names.add(name);
  }
  return [...names].sort();
}

const FILES = malformedCorpus();

describe('malformed corpus captures run clean through every command', () => {
  test('the list is what the manifest promises', () => {
    if (FILES.length < 15) throw new Error(`only ${FILES.length} malformed captures in the manifest`);
  });
  for (const name of FILES) {
    test(name, async (t) => {
      const m = await runMatrix(join(PUBLIC, name));
      t.diagnostic(`${name}: ${reportedAs(m.runs.get('report --json'))}`);
      assertClean(m);
    });
  }
});
