// Exponential backoff with jitter for redialling: min, 2*min, ... up to max,
// each delay scaled by a random factor in [1 - jitter, 1].

export interface BackoffOptions { minMs: number; maxMs: number; jitter: number; random?: () => number }

export class Backoff {
  private attempt = 0
  constructor (private readonly opts: BackoffOptions) {}

  next (): number {
    const base = Math.min(this.opts.maxMs, this.opts.minMs * 2 ** this.attempt)
    if (base < this.opts.maxMs) this.attempt++
    const r = (this.opts.random ?? Math.random)()
    return Math.round(base * (1 - this.opts.jitter * r))
  }

  reset (): void { this.attempt = 0 }
}
