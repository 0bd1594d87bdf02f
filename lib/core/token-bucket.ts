// A token bucket: `rate` tokens a second, at most `burst` saved. Used for the
// inbound frame rate of a link, per-author flood rates, sync answer budgets.

/** Tokens a bucket holding `tokens` at `last` holds at `now`: the one refill rule, for TokenBucket and for buckets kept inline (author-limits.ts). */
export function refilled (tokens: number, last: number, now: number, rate: number, burst: number): number {
  return Math.min(burst, tokens + (Math.max(0, now - last) / 1000) * rate)
}

export class TokenBucket {
  private tokens: number
  private last: number
  /** `initial`: tokens at the start (a full bucket unless given). */
  constructor (private readonly rate: number, readonly burst: number, private readonly now: () => number, initial = burst) {
    this.tokens = Math.min(burst, initial)
    this.last = now()
  }

  private refill (): void {
    const t = this.now()
    this.tokens = refilled(this.tokens, this.last, t, this.rate, this.burst)
    this.last = t
  }

  /** Tokens available now. */
  get available (): number { this.refill(); return this.tokens }

  /** Takes `cost` tokens if there are that many. */
  take (cost = 1): boolean {
    this.refill()
    if (this.tokens < cost) return false
    this.tokens -= cost
    return true
  }
}
