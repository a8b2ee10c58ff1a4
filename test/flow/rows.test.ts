/** The row store behind the per-connection models (flow/rows.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PagedRowStore, RowStore } from '../../src/flow/rows.js';

test('RowStore: rows are reused last released first, and growing keeps what rows hold', () => {
  // A row of one double and four integers: three 8-byte units.
  const s = new RowStore(1, 4);
  const slots: number[] = [];
  for (let i = 0; i < 2500; i++) {
    const slot = s.alloc();
    slots.push(slot);
    // Its doubles, then its integers (two to an 8-byte unit).
    s.f64[slot * 3] = i + 0.5;
    s.i32[2 * (slot * 3 + 1)] = -(i + 1);
  }
  assert.deepEqual(
    slots,
    Array.from({ length: 2500 }, (_, i) => i),
  );
  assert.equal(s.inUse, 2500);
  assert.ok(s.f64.length >= 2500 * 3);
  for (let i = 0; i < 2500; i++) {
    assert.equal(s.f64[i * 3], i + 0.5);
    assert.equal(s.i32[2 * (i * 3 + 1)], -(i + 1));
  }
  s.release(7);
  s.release(1200);
  assert.equal(s.inUse, 2498);
  assert.equal(s.alloc(), 1200);
  assert.equal(s.alloc(), 7);
  assert.equal(s.alloc(), 2500);
  assert.equal(s.inUse, 2501);
  // The two views share one buffer: a row's integers follow its doubles.
  assert.equal(s.i32.buffer, s.f64.buffer);
});

test('PagedRowStore: a row keeps its page arrays for life, rows are reused last released first', () => {
  // A row of two doubles and three integers (four 8-byte units), eight rows to a page.
  const s = new PagedRowStore(2, 3, 3);
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
