/** `1 packet`, `2 packets`, `0 packets`: a count and its noun, singular for exactly one. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
