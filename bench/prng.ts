// The benchmark's seeded PRNG: the one in lib/util/prng.ts, re-exported so
// bench modules keep their short import.
export { seededRandom, randomInt, pickDistinct, type Random } from '../lib/util/prng'
