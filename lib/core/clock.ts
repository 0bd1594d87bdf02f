// The one clock of the core: every deadline (keep-alive, liveness, penalties,
// presence, expiry, redial backoff, ack timeouts) reads `now()` and schedules
// through `setTimeout` here, so tests and the simulator can run the core on a
// ManualClock in virtual time instead of sleeping.

export type TimerHandle = { readonly id: number } | NodeJS.Timeout

export interface Clock {
  now (): number
  /** Runs `fn` once after `ms`; the timer never keeps the process alive. */
  setTimeout (fn: () => void, ms: number): TimerHandle
  clearTimeout (handle: TimerHandle | null | undefined): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout (fn, ms) {
    const t = setTimeout(fn, ms)
    t.unref?.()
    return t
  },
  clearTimeout (handle) { if (handle) clearTimeout(handle as NodeJS.Timeout) }
}

/** Calls `fn` every `ms` until the returned function is called. */
export function every (clock: Clock, ms: number, fn: () => void): () => void {
  let handle: TimerHandle | null = null
  let stopped = false
  const run = () => {
    if (stopped) return
    handle = clock.setTimeout(run, ms)
    fn()
  }
  handle = clock.setTimeout(run, ms)
  return () => { stopped = true; clock.clearTimeout(handle) }
}

interface Pending { id: number; at: number; fn: () => void }

/** A clock that moves only when told to: `advance(ms)` runs the timers that fall due, in order. */
export class ManualClock implements Clock {
  private t: number
  private seq = 0
  private timers: Pending[] = []

  constructor (start = 1_700_000_000_000) { this.t = start }

  now (): number { return this.t }

  setTimeout (fn: () => void, ms: number): TimerHandle {
    const p = { id: ++this.seq, at: this.t + Math.max(0, ms), fn }
    this.timers.push(p)
    return { id: p.id }
  }

  clearTimeout (handle: TimerHandle | null | undefined): void {
    if (!handle || !('id' in handle)) return
    this.timers = this.timers.filter(p => p.id !== handle.id)
  }

  /** Timers not yet run. */
  get pending (): number { return this.timers.length }

  advance (ms: number): void {
    const end = this.t + ms
    for (;;) {
      let next: Pending | null = null
      for (const p of this.timers) if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.id < next.id))) next = p
      if (!next) break
      this.timers = this.timers.filter(p => p !== next)
      this.t = Math.max(this.t, next.at)
      next.fn()
    }
    this.t = end
  }
}
