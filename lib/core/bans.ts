// Keys and IP addresses refused for a while after their link was closed for
// a low score. Bounded; the oldest ban is lifted first when full.

/** How long a key and its IP stay refused after a link is closed for its score. */
export const DEFAULT_BAN_MS = 10 * 60 * 1000
/** Bans held at once (keys and IPs together). */
export const MAX_BANS = 4096

export class Bans {
  private readonly until = new Map<string, number>()

  constructor (private readonly now: () => number, private readonly banMs = DEFAULT_BAN_MS) {}

  ban (...names: Array<string | null | undefined>): void {
    const t = this.now() + this.banMs
    for (const n of names) {
      if (!n) continue
      this.until.delete(n)
      if (this.until.size >= MAX_BANS) this.until.delete(this.until.keys().next().value as string)
      this.until.set(n, t)
    }
  }

  /** True while `name` (a hex key or an IP) is refused. */
  has (name: string): boolean {
    const t = this.until.get(name)
    if (t === undefined) return false
    if (t > this.now()) return true
    this.until.delete(name)
    return false
  }

  get size (): number { return this.until.size }
}
