// Messages from authors this node has not met yet, over their link's
// new-author budget, or over the link's budget of new messages: held per link
// (bounded) and judged again as the budgets refill, so an honest burst of newcomers (a big room's presence after a
// node joins) is delayed, not lost; a flood of fresh keys fills its own
// link's hold and no more.
import type { Clock, TimerHandle } from './clock'

/** Bytes of held messages one link may have waiting; past this they are refused (NEW_AUTHOR_HOLD_FULL). */
export const MAX_HELD_BYTES_PER_LINK = 512 * 1024

export class HeldFrames {
  private frames: Buffer[] = []
  private bytes = 0
  private timer: TimerHandle | null = null

  /**
   * `retry` judges a held frame again and says whether it was taken (false:
   * still over the budget, try later); `alive` is false once the link closed.
   */
  constructor (
    private readonly retryMs: number,
    private readonly clock: Clock,
    private readonly retry: (frame: Buffer) => boolean,
    private readonly alive: () => boolean
  ) {}

  get size (): number { return this.frames.length }

  /** Holds a frame; false when the link's hold is full. */
  hold (frame: Buffer): boolean {
    if (this.bytes + frame.byteLength > MAX_HELD_BYTES_PER_LINK) return false
    this.frames.push(frame)
    this.bytes += frame.byteLength
    this.schedule()
    return true
  }

  private schedule (): void {
    if (this.timer) return
    this.timer = this.clock.setTimeout(() => { this.timer = null; this.drain() }, this.retryMs)
  }

  private drain (): void {
    if (!this.alive()) return this.clear()
    while (this.frames.length > 0 && this.retry(this.frames[0])) this.bytes -= this.frames.shift()!.byteLength
    if (this.frames.length > 0) this.schedule()
  }

  clear (): void {
    this.clock.clearTimeout(this.timer)
    this.timer = null
    this.frames = []
    this.bytes = 0
  }
}
