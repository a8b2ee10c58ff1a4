/**
 * Start-up stays light: the command line's own module loads no command and none of the analysis
 * stack before it knows which command runs (each command's module is imported when it runs). Checked
 * on the compiled JavaScript's static imports, the graph Node loads before `main()` starts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/corpus.js';

const DIST = join(ROOT, 'dist', 'src');

/** Files reachable from `entry` through static `import … from` / `export … from` (not `import()`). */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of readFileSync(f, 'utf8').matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.[^']+)';/gms)) {
      todo.push(resolve(dirname(f), m[1] as string));
    }
  }
  return new Set([...seen].map((f) => relative(DIST, f)));
}

test('the command line loads no command and no analysis before one runs', () => {
  const loaded = staticClosure(join(DIST, 'cli', 'main.js'));
  const heavy = [...loaded].filter(
    (f) =>
      (f.startsWith('cli/') && !['cli/main.js', 'cli/conn-sort.js', 'cli/diagnostics.js'].includes(f)) ||
      f.startsWith('flow/tcp/') ||
      f.startsWith('app/') ||
      f.startsWith('capture/') ||
      f === 'decode/pipeline.js' ||
      f === 'flow/session.js' ||
      f === 'annotate/nat.js',
  );
  assert.deepEqual(heavy, [], `loaded at start-up: ${heavy.join(', ')}`);
  assert.ok(loaded.size < 15, `${loaded.size} modules at start-up: ${[...loaded].join(', ')}`);
  // Each command is still reachable: main imports its module when it runs.
  const main = readFileSync(join(DIST, 'cli', 'main.js'), 'utf8');
  for (const c of [
    'read',
    'conns',
    'explain',
    'listeners',
    'report',
    'sniff',
    'interfaces',
    'http',
    'nat',
    'arp',
    'addr',
  ])
    assert.match(main, new RegExp(`await import\\('\\./${c}\\.js'\\)`), `${c} is imported when it runs`);
});

test('the closure walk follows static imports (a command imported statically is found)', () => {
  const loaded = staticClosure(join(DIST, 'cli', 'conns.js'));
  assert.ok(loaded.has('flow/session.js') && loaded.has('flow/tcp/tracker.js'), [...loaded].join(', '));
});
