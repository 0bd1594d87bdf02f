// A bounded, expiring memory of ids already accepted, so a second copy of a
// private message (in a new envelope) is refused. Entries expire at a time
// the caller gives (after it, the message would be refused as stale anyway);
// when full, the oldest entry is forgotten first.

export interface ReplayGuardOptions {
  /** Most ids held at once. */
  maxSize: number
  now: () => number
}

export class ReplayGuard {
  private readonly expiries = new Map<string, number>()
  /** Ids forgotten while still unexpired because the memory was full. */
  evicted = 0

  constructor (private readonly opts: ReplayGuardOptions) {
    if (!(opts.maxSize >= 1)) throw new RangeError('ReplayGuard maxSize must be at least 1')
  }

  get size (): number { return this.expiries.size }

  /** True when `key` is held and not expired. */
  has (key: string): boolean {
    const at = this.expiries.get(key)
    return at !== undefined && at > this.opts.now()
  }

  /** Remembers `key` until `expiresAt`. Returns false (and changes nothing) when it is already held. */
  add (key: string, expiresAt: number): boolean {
    if (this.has(key)) return false
    this.expiries.delete(key)
    this.sweep()
    const now = this.opts.now()
    while (this.expiries.size >= this.opts.maxSize) {
      const oldest = this.expiries.keys().next().value as string
      if (this.expiries.get(oldest)! > now) this.evicted++
      this.expiries.delete(oldest)
    }
    this.expiries.set(key, expiresAt)
    return true
  }

  /** Drops expired entries from the front (insertion order); stops at the first live one. */
  private sweep (): void {
    const now = this.opts.now()
    for (const [key, at] of this.expiries) {
      if (at > now) break
      this.expiries.delete(key)
    }
  }

  clear (): void { this.expiries.clear() }
}
