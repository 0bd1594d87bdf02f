// Lines a person or a script typed, run in order no faster than the node's
// send budget (send-budget.ts) allows: a line waits while the budget is empty,
// and each line takes a token per message it sent. Headless stdin and the
// terminal view run their lines through this, so a paste is delayed, never
// dropped by the relays (AUTHOR_RATE). While lines wait, `waiting(true)` lets
// the front end stop reading (headless pauses stdin); `waiting(false)` once
// they have all run.
import type { SharedBudget } from './send-budget'

export class PacedLines<T> {
  private backlog: T[] = []
  private closed = false
  private paused = false

  /** `run` runs one line and returns how many messages it sent (its tokens). */
  constructor (
    private readonly budget: SharedBudget,
    private readonly run: (line: T) => number,
    private readonly waiting: (waiting: boolean) => void = () => {}
  ) {}

  /** Lines not yet run. */
  get size (): number { return this.backlog.length }

  push (line: T): void {
    if (this.closed) return
    this.backlog.push(line)
    if (this.backlog.length === 1) this.drain()
  }

  /** Runs every waiting line now, whatever the budget says (a quit: its goodbyes go before the links close). */
  flush (): void {
    this.budget.cancel(this.drain)
    const lines = this.backlog
    this.backlog = []
    for (const line of lines) this.budget.take(this.run(line))
    if (this.paused) this.waiting(this.paused = false)
  }

  close (): void {
    this.closed = true
    this.backlog = []
    this.budget.cancel(this.drain)
  }

  private readonly drain = (): void => {
    while (this.backlog.length > 0 && !this.closed) {
      if (!this.budget.ready()) {
        if (!this.paused) this.waiting(this.paused = true)
        this.budget.wait(this.drain)
        return
      }
      // Taken off before it runs: a line that quits or closes the front end ends the loop.
      const line = this.backlog.shift()!
      this.budget.take(this.run(line))
    }
    if (this.paused && !this.closed) this.waiting(this.paused = false)
  }
}
