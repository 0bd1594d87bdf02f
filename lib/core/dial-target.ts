// A `--peer` address: dialled at start, redialled with backoff and jitter for
// as long as the node runs, whenever no link to it is up.
import { Backoff } from './backoff'
import type { Clock, TimerHandle } from './clock'

export interface DialTargetHooks {
  /** Dials and resolves with the remote key once the link is up; rejects on failure. */
  dial (address: string): Promise<string | null>
  isUp (key: string): boolean
  onSelf (address: string): void
  clock: Clock
}

export class DialTarget {
  key: string | null = null
  private timer: TimerHandle | null = null
  private stopped = false
  private busy = false

  constructor (readonly address: string, private readonly hooks: DialTargetHooks, private readonly backoff: Backoff) {}

  start (): void { this.schedule(0) }

  stop (): void {
    this.stopped = true
    this.hooks.clock.clearTimeout(this.timer)
    this.timer = null
  }

  /** Called when a link to this target's key went down. */
  lost (): void { this.schedule(this.backoff.next()) }

  private schedule (ms: number): void {
    if (this.stopped || this.timer) return
    this.timer = this.hooks.clock.setTimeout(() => { this.timer = null; this.attempt() }, ms)
  }

  private attempt (): void {
    if (this.stopped || this.busy) return
    if (this.key && this.hooks.isUp(this.key)) return
    this.busy = true
    this.hooks.dial(this.address).then((key) => {
      this.busy = false
      if (key === null) { this.hooks.onSelf(this.address); this.stop(); return }
      this.key = key
      this.backoff.reset()
      if (!this.hooks.isUp(key)) this.schedule(this.backoff.next())
    }, () => {
      this.busy = false
      this.schedule(this.backoff.next())
    })
  }
}
