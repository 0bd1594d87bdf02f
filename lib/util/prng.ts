// A seeded mulberry32 PRNG, for deterministic tests, benchmarks and the
// simulator: graphs, sender choices and fuzz inputs are the same on every run,
// so a result can be reproduced. Not for anything secret.

export type Random = () => number

export function seededRandom (seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomInt (random: Random, n: number): number {
  return Math.floor(random() * n)
}

/** Picks k distinct values from 0..n-1. */
export function pickDistinct (random: Random, n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i)
  for (let i = 0; i < Math.min(k, n); i++) {
    const j = i + randomInt(random, n - i)
    const t = all[i]; all[i] = all[j]; all[j] = t
  }
  return all.slice(0, Math.min(k, n))
}
