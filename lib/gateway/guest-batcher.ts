// Collects the guest lines the gateway's clients type within
// GUEST_BATCH_DELAY_MS (or one tick, at 0) and posts them together: the node signs them as
// few GUEST_BATCH messages as fit (protocol/guest-batch.ts) instead of one
// signature a line. Lines keep the order they were typed in; a client's
// rename or departure flushes first, so its lines go out under the name it
// typed them with. At most MAX_GUEST_BATCH_LINES wait: one more flushes.
import { MAX_GUEST_BATCH_LINES } from '../protocol/guest-batch'
import { GUEST_BATCH_DELAY_MS } from './limits'

export interface QueuedLine<C> { client: C; guest: string; text: string }

export class GuestBatcher<C> {
  private queue: Array<QueuedLine<C>> = []
  /** A flush is due at the end of this tick (process.nextTick cannot be cancelled: flush() clears this instead). */
  private tickDue = false
  private timer: NodeJS.Timeout | null = null

  /**
   * `post` gets the waiting lines, oldest first, and must not throw;
   * `settled` runs after the tick's last post (not after one made because
   * MAX_GUEST_BATCH_LINES were waiting: more of the tick may follow).
   */
  constructor (
    private readonly post: (lines: Array<QueuedLine<C>>) => void,
    private readonly settled: () => void = () => {},
    private readonly delayMs = GUEST_BATCH_DELAY_MS
  ) {}

  get waiting (): number { return this.queue.length }

  add (line: QueuedLine<C>): void {
    this.queue.push(line)
    if (this.queue.length >= MAX_GUEST_BATCH_LINES) { this.postWaiting(); return }
    if (this.tickDue || this.timer) return
    if (this.delayMs > 0) {
      this.timer = setTimeout(() => this.flush(), this.delayMs)
    } else {
      this.tickDue = true
      process.nextTick(() => { if (this.tickDue) this.flush() })
    }
  }

  /** Posts what is waiting now, then calls `settled`. */
  flush (): void {
    if (this.timer) clearTimeout(this.timer)
    this.tickDue = false
    this.timer = null
    this.postWaiting()
    this.settled()
  }

  private postWaiting (): void {
    if (this.queue.length === 0) return
    const lines = this.queue
    this.queue = []
    this.post(lines)
  }

  /** Drops what is waiting (the gateway is closing). */
  close (): void {
    if (this.timer) clearTimeout(this.timer)
    this.tickDue = false
    this.timer = null
    this.queue = []
  }
}
