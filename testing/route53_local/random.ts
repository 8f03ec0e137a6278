/**
 * A small seeded pseudo-random generator (mulberry32), so throttling injection and
 * generated IDs repeat exactly for a given seed.
 *
 * @module
 */

/** A generator of numbers in [0, 1). */
export type Random = () => number;

/**
 * Creates a generator from a 32-bit seed.
 *
 * @example
 * ```ts
 * const r = seededRandom(42);
 * r(); // same first number for every run with seed 42
 * ```
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** An ID like Route 53's: a prefix letter and 20 upper-case letters and digits. */
export function randomId(prefix: string, random: Random): string {
  let out = prefix;
  for (let i = 0; i < 20; i += 1) out += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return out;
}

/** An integer in [0, n). */
export function randomInt(n: number, random: Random): number {
  return Math.floor(random() * n);
}
