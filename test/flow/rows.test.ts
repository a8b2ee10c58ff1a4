/** The row store behind the per-connection models (flow/rows.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countPacket, heaviestRows, RowStore } from '../../src/flow/rows.js';

test('RowStore: a row keeps its page arrays for life, rows are reused last released first', () => {
  // A row of two doubles and three integers (four 8-byte units), eight rows to a page.
  const s = new RowStore(2, 3, 3);
  const pages: Float64Array[] = [];
  for (let i = 0; i < 20; i++) {
    const slot = s.alloc();
    assert.equal(slot, i);
    const f = s.f64Of(slot);
    pages.push(f);
    f[s.doublesAt(slot) + 1] = i + 0.25;
    s.i32Of(slot)[s.intsAt(slot) + 2] = -i - 1;
    // The integers share the page's buffer and follow the row's doubles.
    assert.equal(s.i32Of(slot).buffer, f.buffer);
    assert.equal(s.intsAt(slot), 2 * (s.doublesAt(slot) + 2));
  }
  // Three pages for 20 rows; rows of one page share its arrays, and no page was replaced.
  assert.equal(new Set(pages).size, 3);
  for (let i = 0; i < 20; i++) {
    assert.equal(s.f64Of(i), pages[i]);
    assert.equal(s.f64Of(i)[s.doublesAt(i) + 1], i + 0.25);
    assert.equal(s.i32Of(i)[s.intsAt(i) + 2], -i - 1);
  }
  s.release(3);
  s.release(17);
  assert.equal(s.inUse, 18);
  assert.equal(s.alloc(), 17);
  assert.equal(s.alloc(), 3);
  assert.equal(s.alloc(), 20);
  assert.equal(s.inUse, 21);
});

test('heaviestRows: heaviest first, ties in row order, at most n; countPacket adds a packet and its bytes', () => {
  const w = [5, 9, 5, 0, 9, 7];
  assert.deepEqual(
    heaviestRows(w.length, 10, (r) => w[r] as number),
    [1, 4, 5, 0, 2, 3],
  );
  assert.deepEqual(
    heaviestRows(w.length, 3, (r) => w[r] as number),
    [1, 4, 5],
  );
  assert.deepEqual(
    heaviestRows(0, 3, () => 1),
    [],
  );
  const f = new Float64Array(4);
  countPacket(f, 2, 1500);
  countPacket(f, 2, 60);
  assert.deepEqual([...f], [0, 0, 2, 1560]);
});
