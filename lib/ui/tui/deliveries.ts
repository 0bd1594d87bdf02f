// Own private lines waiting for their receipt: each is drawn `[pending]`
// until the node says it was delivered (or not, after its timeout), and is
// then redrawn in place with the new mark.
import type { ChatBuffer } from './buffers'
import type { ChatEntry, Delivery } from './format'

/** Own private lines whose delivery mark is still tracked; the oldest are forgotten (left pending) past it. */
export const MAX_TRACKED_DELIVERIES = 1000

export class DeliveryMarks {
  private readonly waiting = new Map<string, { entry: ChatEntry; buffer: ChatBuffer }>()

  /** Marks an own private line pending until its receipt. */
  track (id: string, entry: ChatEntry, buffer: ChatBuffer): void {
    entry.delivery = 'pending'
    this.waiting.set(id, { entry, buffer })
    if (this.waiting.size > MAX_TRACKED_DELIVERIES) this.waiting.delete(this.waiting.keys().next().value!)
  }

  /** Sets the mark of the line with this id; returns its buffer (to redraw), or null for an id not tracked. */
  settle (id: string, state: Exclude<Delivery, 'pending'>): ChatBuffer | null {
    const d = this.waiting.get(id)
    if (!d) return null
    this.waiting.delete(id)
    d.entry.delivery = state
    d.buffer.pane.invalidate(d.entry)
    return d.buffer
  }
}
