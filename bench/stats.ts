/** The bench's statistics: medians, and ratios of commands measured in the same rounds. */

/** The middle value (the upper one of the two middle values of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/**
 * How many times faster than `reference` a command ran, from their times round by round: the median
 * of each round's ratio (the two runs of a round are minutes apart at most), not the ratio of the
 * two medians, which a machine whose speed drifts between rounds skews.
 */
export function pairedRatio(reference: readonly number[], times: readonly number[]): number {
  const n = Math.min(reference.length, times.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push((reference[i] as number) / (times[i] as number));
  return median(ratios);
}
