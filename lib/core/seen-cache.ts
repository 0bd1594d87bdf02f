// Message ids already delivered, bounded in both size and age, with the
// fewest hops any copy of each came with. Ids are kept in a FIFO ring beside
// the Map, so eviction takes the oldest in O(1) instead of walking the Map
// past deleted entries.

export interface SeenCacheOptions { maxSize: number; maxAgeMs: number; now: () => number }

export class SeenCache {
  private readonly hops = new Map<string, number>()
  // FIFO of ids in insertion (= age) order; entries before `head` are gone.
  private ids: string[] = []
  private times: number[] = []
  private head = 0

  constructor (private readonly opts: SeenCacheOptions) {}

  private get count (): number { return this.ids.length - this.head }

  get size (): number { return this.hops.size }

  has (id: string): boolean {
    this.expire()
    return this.hops.has(id)
  }

  /** Fewest hops recorded for an id, or undefined when not seen. */
  hopsOf (id: string): number | undefined {
    this.expire()
    return this.hops.get(id)
  }

  /** Records an id (with the hop count of its copy); returns false if it was already present. */
  add (id: string, hops = 0): boolean {
    if (this.has(id)) return false
    if (this.count >= this.opts.maxSize) this.dropOldest()
    this.ids.push(id)
    this.times.push(this.opts.now())
    this.hops.set(id, hops)
    return true
  }

  /** Lowers the recorded hop count of a seen id. */
  setHops (id: string, hops: number): void {
    if (this.hops.has(id)) this.hops.set(id, hops)
  }

  private dropOldest (): void {
    this.hops.delete(this.ids[this.head])
    this.head++
    // Compact now and then (amortised O(1) per id), and whenever the last id went: an idle node keeps no dropped ids.
    if (this.head === this.ids.length || (this.head >= 1024 && this.head * 2 >= this.ids.length)) {
      this.ids = this.ids.slice(this.head)
      this.times = this.times.slice(this.head)
      this.head = 0
    }
  }

  /** Forgets ids past their age now (also done on every lookup): an idle node lets go of a burst's ids. */
  expire (): void {
    const oldest = this.opts.now() - this.opts.maxAgeMs
    while (this.count > 0 && this.times[this.head] < oldest) this.dropOldest()
  }
}
