/** The row store behind the per-connection models (flow/rows.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowStore } from '../../src/flow/rows.js';

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
