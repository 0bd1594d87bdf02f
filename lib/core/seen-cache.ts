// Message ids already delivered, bounded in both size and age. Insertion order
// is age order, so eviction walks from the front of the Map.

export interface SeenCacheOptions { maxSize: number; maxAgeMs: number; now: () => number }

export class SeenCache {
  private readonly map = new Map<string, number>()
  constructor (private readonly opts: SeenCacheOptions) {}

  get size (): number { return this.map.size }

  has (id: string): boolean {
    const at = this.map.get(id)
    if (at === undefined) return false
    if (this.opts.now() - at > this.opts.maxAgeMs) { this.map.delete(id); return false }
    return true
  }

  /** Records an id; returns false if it was already present. */
  add (id: string): boolean {
    if (this.has(id)) return false
    this.map.set(id, this.opts.now())
    this.evict()
    return true
  }

  private evict (): void {
    const oldest = this.opts.now() - this.opts.maxAgeMs
    for (const [id, at] of this.map) {
      if (this.map.size <= this.opts.maxSize && at >= oldest) break
      this.map.delete(id)
    }
  }
}
