// One node's budget for what it originates: its relays accept each author's
// messages at DEFAULT_AUTHOR_RATE (burst DEFAULT_AUTHOR_BURST) and drop the
// rest, so every front end (headless stdin, the terminal view, the text
// gateway's guests, IRC clients) waits here before a line is signed. A token
// bucket that the waiters (sockets or stdin paused) queue on while it is
// empty. As tokens come back the waiters are woken oldest first, and one that
// is woken goes to the back of the line when it runs dry again, so a busy
// client cannot starve the others. Nothing is dropped: a waiting client's
// lines stay in its socket until it is woken.
import { systemClock, type Clock, type TimerHandle } from './clock'

/** Longest a waiter waits before the budget looks at the tokens again. */
export const MAX_RATE_PAUSE_MS = 1000

export class SharedBudget {
  private tokens: number
  private last: number
  private queue: Array<() => void> = []
  private timer: TimerHandle | null = null
  /** True while waiters are being woken: only they may take tokens then. */
  private waking = false
  private closed = false
  private pendingCap: number | null = null

  /** `initial`: tokens at the start (the whole burst unless given). */
  constructor (readonly rate: number, readonly burst: number, private readonly clock: Clock = systemClock, initial = burst) {
    this.tokens = Math.min(burst, initial)
    this.last = clock.now()
  }

  /** Clients waiting for a token. */
  get waiting (): number { return this.queue.length }

  /**
   * True when a token may be taken now (without taking it). While others
   * wait in line, a newcomer gets none: it must wait() behind them.
   */
  ready (): boolean {
    if (this.queue.length > 0 && !this.waking) return false
    const t = this.clock.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate)
    this.last = t
    return this.tokens >= 1
  }

  /** Takes `n` tokens (one a line; a line that became several messages takes one each), right after ready() said true; the budget may go below zero, and then waiters wait longer. */
  take (n = 1): void { this.tokens -= n }

  /**
   * A new link: the next message this node signs may be the first its peer
   * sees of it, and the peer starts its bucket for this author small
   * (NEW_AUTHOR_FIRST_SHARE), so the tokens are cut to `n` as that message
   * is signed (sending()).
   */
  capAtNextSend (n: number): void { this.pendingCap = Math.min(n, this.pendingCap ?? n) }

  /** Called as a message is signed, before its tokens are taken: applies a pending cap. */
  sending (): void {
    if (this.pendingCap === null) return
    this.ready()
    this.tokens = Math.min(this.tokens, this.pendingCap)
    this.pendingCap = null
  }

  /** Calls `wake` once, when a token is there and every earlier waiter has had its turn. */
  wait (wake: () => void): void {
    if (this.closed || this.queue.includes(wake)) return
    this.queue.push(wake)
    this.schedule()
  }

  /** Forgets a waiter (a client that left). */
  cancel (wake: () => void): void {
    this.queue = this.queue.filter(w => w !== wake)
  }

  close (): void {
    this.closed = true
    this.queue = []
    this.clock.clearTimeout(this.timer)
    this.timer = null
  }

  private schedule (): void {
    if (this.timer || this.closed || this.queue.length === 0) return
    const missing = Math.max(0, 1 - this.tokens)
    const ms = Math.min(MAX_RATE_PAUSE_MS, Math.max(1, Math.ceil((missing * 1000) / this.rate)))
    this.timer = this.clock.setTimeout(() => { this.timer = null; this.wakeInTurn() }, ms)
  }

  private wakeInTurn (): void {
    const turn = this.queue
    this.queue = []
    this.waking = true
    try {
      for (let i = 0; i < turn.length; i++) {
        if (!this.ready()) {
          // Out of tokens: the rest keep their place, ahead of anyone who re-queued just now.
          this.queue = [...turn.slice(i), ...this.queue]
          break
        }
        turn[i]()
      }
    } finally {
      this.waking = false
    }
    this.schedule()
  }
}
