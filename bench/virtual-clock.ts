// A virtual clock for big in-process meshes: like lib/core/clock.ts's
// ManualClock (time moves only on advance()), but with a binary heap so
// hundreds of nodes' timers cost log n each, not a scan of all of them.
import type { Clock, TimerHandle } from '../lib/core/clock'

interface Timer { id: number; at: number; fn: () => void }

export class VirtualClock implements Clock {
  private t: number
  private seq = 0
  private readonly heap: Timer[] = []
  private readonly cancelled = new Set<number>()

  constructor (start = 1_700_000_000_000) { this.t = start }

  now (): number { return this.t }

  setTimeout (fn: () => void, ms: number): TimerHandle {
    const timer = { id: ++this.seq, at: this.t + Math.max(0, ms), fn }
    this.push(timer)
    return { id: timer.id }
  }

  clearTimeout (handle: TimerHandle | null | undefined): void {
    if (handle && 'id' in handle && typeof handle.id === 'number') this.cancelled.add(handle.id)
  }

  /** Runs the timers that fall due within `ms`, in order of time, then of creation. */
  advance (ms: number): void {
    const end = this.t + ms
    while (this.heap.length > 0 && this.heap[0].at <= end) {
      const next = this.pop()
      if (this.cancelled.delete(next.id)) continue
      this.t = Math.max(this.t, next.at)
      next.fn()
    }
    this.t = end
  }

  private before (a: Timer, b: Timer): boolean { return a.at < b.at || (a.at === b.at && a.id < b.id) }

  private push (x: Timer): void {
    const h = this.heap
    h.push(x)
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1
      if (!this.before(h[i], h[p])) break
      [h[i], h[p]] = [h[p], h[i]]
      i = p
    }
  }

  private pop (): Timer {
    const h = this.heap
    const top = h[0]
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      for (let i = 0; ;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.before(h[l], h[m])) m = l
        if (r < h.length && this.before(h[r], h[m])) m = r
        if (m === i) break
        [h[i], h[m]] = [h[m], h[i]]
        i = m
      }
    }
    return top
  }
}
