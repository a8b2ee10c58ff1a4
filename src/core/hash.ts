/**
 * One hash over 32-bit words for the hash tables of the hot paths (flow tables, address tables):
 * fold the words in one at a time, starting from `HASH_SEED`. Every input bit reaches the low bits,
 * which is what tables indexed by `hash & mask` (open addressing, or a Map keyed by a small integer)
 * need. Not for anything an adversary must not collide on purpose: tables resolve collisions.
 */
export const HASH_SEED = 0x811c9dc5;

/** Fold the 32-bit word `w` into the running hash `h`. */
export function mixWord(h: number, w: number): number {
  h = Math.imul(h ^ w, 0x85ebca6b);
  return h ^ (h >>> 15);
}
