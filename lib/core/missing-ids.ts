// Lazy push's waits (lazy-push.ts): ids announced by IHAVE and not yet
// received. Each remembers who announced it (each asked in turn by GRAFT,
// the one with the fewest hops first) and is given up after the last.
// Bounded in all and per announcing link, so a peer announcing ids it never
// sends costs a bounded number of waits and GRAFTs.
import type { Clock, TimerHandle } from './clock'
import type { LinkSession } from './link-session'

/** Ids waiting to be fetched (announced, not yet received), in all. */
export const MAX_MISSING_IDS = 4096
/** Of those, how many one link's announcements may have started. */
export const MAX_MISSING_PER_LINK = 512
/** Links remembered as holding one missing id; each is asked in turn (a closed one is replaced by the next announcer). */
export const MAX_GRAFT_SOURCES = 8

/** `bestHops`: the fewest hops announced; that announcer is asked first. */
interface Missing { room: string; sources: LinkSession[]; tried: number; timer: TimerHandle | null; starter: LinkSession; bestHops: number }

export interface MissingHooks {
  clock: Clock
  graftTimeoutMs: number
  /** Asks `s` for the id (a GRAFT). */
  ask: (s: LinkSession, room: string, short: string) => void
  /** Every announcer was asked (or closed) and the id never came. */
  gaveUp: () => void
}

export class MissingIds {
  private readonly missing = new Map<string, Missing>()
  private readonly missingBy = new WeakMap<LinkSession, number>()
  private closed = false

  constructor (private readonly h: MissingHooks) {}

  /** `s` announced `short` with `hops`: wait for it (or note one more announcer). */
  want (s: LinkSession, room: string, short: string, hops: number): void {
    const m = this.missing.get(short)
    if (m) {
      if (!m.sources.includes(s)) {
        // A link that closed before it was asked gives its place to a live announcer.
        const gone = m.sources.findIndex((x, k) => k >= m.tried && x.link.closed)
        if (gone >= 0) m.sources[gone] = s
        else if (m.sources.length < MAX_GRAFT_SOURCES) m.sources.push(s)
      }
      if (hops < m.bestHops) {
        m.bestHops = hops
        // Asked first: its copy goes furthest on (fewer copies at the hop limit to fetch again).
        const k = m.sources.indexOf(s)
        if (k > m.tried) [m.sources[m.tried], m.sources[k]] = [m.sources[k], m.sources[m.tried]]
      }
      return
    }
    const mine = this.missingBy.get(s) ?? 0
    if (mine >= MAX_MISSING_PER_LINK || this.missing.size >= MAX_MISSING_IDS || this.closed) return
    this.missingBy.set(s, mine + 1)
    const entry: Missing = { room, sources: [s], tried: 0, timer: null, starter: s, bestHops: hops }
    entry.timer = this.h.clock.setTimeout(() => this.tryNext(short, entry), this.h.graftTimeoutMs)
    this.missing.set(short, entry)
  }

  /** The id arrived: stops waiting for it. */
  found (short: string): void {
    const m = this.missing.get(short)
    if (m) this.drop(short, m)
  }

  /** The id is still missing after the wait: ask the next link that announced it. */
  private tryNext (short: string, m: Missing): void {
    m.timer = null
    while (m.tried < m.sources.length && m.sources[m.tried].link.closed) m.tried++
    if (m.tried >= m.sources.length) {
      this.h.gaveUp()
      return this.drop(short, m)
    }
    this.h.ask(m.sources[m.tried++], m.room, short)
    m.timer = this.h.clock.setTimeout(() => this.tryNext(short, m), this.h.graftTimeoutMs)
  }

  private drop (short: string, m: Missing): void {
    this.h.clock.clearTimeout(m.timer)
    this.missing.delete(short)
    const n = this.missingBy.get(m.starter)
    if (n) this.missingBy.set(m.starter, n - 1)
  }

  close (): void {
    this.closed = true
    for (const [short, m] of [...this.missing]) this.drop(short, m)
  }
}
