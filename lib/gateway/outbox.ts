// The gateway's outward write path: room lines for its clients are queued
// for the rest of the tick (or until a batch of guest lines is posted), then
// each client gets ONE write of all of them, sent at once (one buffer shared
// by every client; a client that wrote some of those lines itself gets its
// own copy without them). A write a line per client cost more than the lines
// themselves under a burst.
export interface OutboxClient { write (data: Buffer, now?: boolean): void }

interface Item<C> { data: Buffer; except: C | null }

export class Outbox<C extends OutboxClient> {
  private items: Array<Item<C>> = []
  /** A flush is due at the end of this tick (flush() clears it). */
  private tickDue = false

  constructor (private readonly clients: () => Iterable<C>) {}

  /** Queues one encoded line for every client but `except`. */
  queue (data: Buffer, except: C | null): void {
    this.items.push({ data, except })
    if (this.tickDue) return
    this.tickDue = true
    process.nextTick(() => { if (this.tickDue) this.flush() })
  }

  /** Writes what is queued now (before a notice that must come after it). */
  flush (): void {
    this.tickDue = false
    const items = this.items
    if (items.length === 0) return
    this.items = []
    const skip = new Set<C>()
    for (const it of items) if (it.except) skip.add(it.except)
    const all = items.length === 1 ? items[0].data : Buffer.concat(items.map(it => it.data))
    for (const c of [...this.clients()]) {
      if (!skip.has(c)) { c.write(all, true); continue }
      const own = items.filter(it => it.except !== c)
      if (own.length > 0) c.write(own.length === 1 ? own[0].data : Buffer.concat(own.map(it => it.data)), true)
    }
  }

  close (): void {
    this.tickDue = false
    this.items = []
  }
}
