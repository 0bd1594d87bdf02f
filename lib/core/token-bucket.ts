// Inbound rate limit of one link: `rate` tokens a second, at most `burst` saved.

export class TokenBucket {
  private tokens: number
  private last: number
  constructor (private readonly rate: number, private readonly burst: number, private readonly now: () => number) {
    this.tokens = burst
    this.last = now()
  }

  take (): boolean {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate)
    this.last = t
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
