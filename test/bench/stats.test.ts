/** The bench's ratios: paired by round, so that a machine's drift between rounds cancels out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, pairedRatio } from '../../bench/stats.js';

test('median: the middle value, the upper middle one of an even count', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 3);
  assert.equal(median([7]), 7);
});

test("pairedRatio: the median of the rounds' ratios, not the ratio of the medians", () => {
  // Twice as fast as the reference in the first two rounds, though the machine ran at a quarter of
  // its speed in the second; in the third, a hiccup slowed the measured command alone.
  const reference = [10, 40, 20];
  const times = [5, 20, 40];
  assert.equal(pairedRatio(reference, times), 2);
  assert.equal(median(reference) / median(times), 1);
  // Same speed in every round: the plain ratio.
  assert.equal(pairedRatio([12, 12, 12], [4, 4, 4]), 3);
});
