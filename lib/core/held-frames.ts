// Messages from authors this node has not met yet, over their link's
// new-author budget, over the link's budget of new messages, or over a young
// author's first burst: held per link (bounded) and judged again as the
// budgets refill, so an honest burst of newcomers (a big room's presence
// after a node joins) is delayed, not lost; a flood of fresh keys fills its
// own link's hold and no more.
import type { Clock, TimerHandle } from './clock'

/** Bytes of held messages one link may have waiting; past this they are refused (NEW_AUTHOR_HOLD_FULL). */
export const MAX_HELD_BYTES_PER_LINK = 512 * 1024

/** What every hold shares: its bytes against MAX_HELD_BYTES_PER_LINK, and one retry timer. */
abstract class Hold {
  protected bytes = 0
  private timer: TimerHandle | null = null

  /** `alive` is false once the link closed. */
  constructor (private readonly retryMs: number, private readonly clock: Clock, private readonly alive: () => boolean) {}

  /** Whether `frame` still fits; counts its bytes and sets the retry timer when it does. */
  protected admit (frame: Buffer): boolean {
    if (this.bytes + frame.byteLength > MAX_HELD_BYTES_PER_LINK) return false
    this.bytes += frame.byteLength
    this.schedule()
    return true
  }

  protected schedule (): void {
    if (this.timer) return
    this.timer = this.clock.setTimeout(() => {
      this.timer = null
      if (this.alive()) this.drain()
      else this.clear()
    }, this.retryMs)
  }

  /** Tries the held frames again; schedules itself while some are left. */
  protected abstract drain (): void

  clear (): void {
    this.clock.clearTimeout(this.timer)
    this.timer = null
    this.bytes = 0
  }
}

export class HeldFrames extends Hold {
  private frames: Buffer[] = []

  /** `retry` judges a held frame again and says whether it was taken (false: still over the budget, try later). */
  constructor (retryMs: number, clock: Clock, private readonly retry: (frame: Buffer) => boolean, alive: () => boolean) {
    super(retryMs, clock, alive)
  }

  get size (): number { return this.frames.length }

  /** Holds a frame; false when the link's hold is full. */
  hold (frame: Buffer): boolean {
    if (!this.admit(frame)) return false
    this.frames.push(frame)
    return true
  }

  protected drain (): void {
    while (this.frames.length > 0 && this.retry(this.frames[0])) this.bytes -= this.frames.shift()!.byteLength
    if (this.frames.length > 0) this.schedule()
  }

  clear (): void {
    super.clear()
    this.frames = []
  }
}

/**
 * A young author's messages held on one link (NEW_AUTHOR_BURST), a queue per
 * author, tried in turn: the link's young pace is shared among its young
 * authors, so an honest newcomer's few held lines are not stuck behind a
 * fresh key's whole backlog. Bounded like HeldFrames, in bytes for the link.
 */
export class HeldByAuthor extends Hold {
  private readonly queues = new Map<string, Array<{ frame: Buffer; as: 'paced' | 'queued' }>>()

  /** `retry` as for HeldFrames, with how the frame was held; `spent` is true while the link's young pace has nothing left this turn. */
  constructor (
    retryMs: number,
    clock: Clock,
    private readonly retry: (frame: Buffer, as: 'paced' | 'queued') => boolean,
    alive: () => boolean,
    private readonly spent: () => boolean
  ) {
    super(retryMs, clock, alive)
  }

  /** Messages of `author` waiting here. */
  count (author: string): number { return this.queues.get(author)?.length ?? 0 }

  /** Holds a frame of `author` behind its others, `as` the pipeline said; false when the link's hold is full. */
  hold (frame: Buffer, author: string, as: 'paced' | 'queued'): boolean {
    if (!this.admit(frame)) return false
    const q = this.queues.get(author)
    if (q) q.push({ frame, as })
    else this.queues.set(author, [{ frame, as }])
    return true
  }

  /** Rounds over the authors, one message each a round, until a round lets none in or the pace is spent. */
  protected drain (): void {
    let moved = true
    while (moved && this.queues.size > 0 && !this.spent()) {
      moved = false
      for (const [author, q] of [...this.queues]) {
        if (this.spent()) break
        if (!this.retry(q[0].frame, q[0].as)) continue
        this.bytes -= q.shift()!.frame.byteLength
        moved = true
        // Served: to the back of the round, so the next round starts with the others.
        this.queues.delete(author)
        if (q.length > 0) this.queues.set(author, q)
      }
    }
    if (this.queues.size > 0) this.schedule()
  }

  clear (): void {
    super.clear()
    this.queues.clear()
  }
}
