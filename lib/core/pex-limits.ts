// Limits of peer exchange, named once, and the two small counters that
// enforce them: a sliding one-minute window, and one window per sending peer.
/** The window the per-minute limits below are counted over. */
export const PEX_WINDOW_MS = 60_000
/** New addresses one peer may introduce per minute; its further new entries are ignored and counted. */
export const MAX_PEX_NEW_PER_PEER_PER_MIN = 8
/** Dials of exchanged addresses never reached before that this node starts per minute, whoever told it about them (addresses it has linked with are redialled on their own backoff). */
export const MAX_PEX_DIALS_PER_MIN = 6
/** Addresses remembered as this node itself (learnt from our own dials that reached us); oldest forgotten first. */
export const MAX_SELF_ADDRESSES = 16
/** Forgotten (failing) addresses remembered so they are not learnt again; oldest forgotten first. */
export const MAX_BAD_ADDRESSES = 1024
/** How long a forgotten address stays refused. */
export const BAD_ADDRESS_TTL_MS = 10 * 60_000
/** Sending peers whose per-minute window is kept; the least recently heard is dropped first. */
export const MAX_PEX_SOURCES = 256

/** Counts events in the last `windowMs`; at most `limit` are admitted per window. */
export class SlidingWindow {
  private times: number[] = []
  constructor (private readonly limit: number, private readonly windowMs: number, private readonly now: () => number) {}

  /** Admits one event if the window has room. */
  take (): boolean {
    if (this.remaining() <= 0) return false
    this.times.push(this.now())
    return true
  }

  remaining (): number {
    const cut = this.now() - this.windowMs
    while (this.times.length && this.times[0] <= cut) this.times.shift()
    return this.limit - this.times.length
  }
}

/** One SlidingWindow per source key, at most `maxSources` of them (least recently used dropped). */
export class SourceWindows {
  private readonly windows = new Map<string, SlidingWindow>()
  constructor (private readonly limit: number, private readonly windowMs: number,
    private readonly maxSources: number, private readonly now: () => number) {}

  get size (): number { return this.windows.size }

  get (source: string): SlidingWindow {
    let w = this.windows.get(source)
    if (w) {
      this.windows.delete(source)
    } else {
      if (this.windows.size >= this.maxSources) this.windows.delete(this.windows.keys().next().value as string)
      w = new SlidingWindow(this.limit, this.windowMs, this.now)
    }
    this.windows.set(source, w)
    return w
  }
}

/** A bounded set whose members expire; when full, the oldest is dropped. */
export class ExpiringSet {
  private readonly until = new Map<string, number>()
  constructor (private readonly max: number, private readonly ttlMs: number, private readonly now: () => number) {}

  get size (): number { return this.until.size }

  add (key: string): void {
    this.until.delete(key)
    if (this.until.size >= this.max) this.until.delete(this.until.keys().next().value as string)
    this.until.set(key, this.now() + this.ttlMs)
  }

  has (key: string): boolean {
    const t = this.until.get(key)
    if (t === undefined) return false
    if (t > this.now()) return true
    this.until.delete(key)
    return false
  }

  delete (key: string): void { this.until.delete(key) }
}

// Re-exported last: options.ts imports bans.ts, which imports ExpiringSet from
// here, so the classes above must exist before options.ts is loaded.
export { MAX_KNOWN_ADDRESSES, MAX_PEX_DIAL_FAILURES } from './options'
