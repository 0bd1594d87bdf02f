// One announcement soon, however often it is asked for meanwhile: on link-up
// in the rooms where this node is new (so the room hears of it; it lists the
// room by roster sync), and to answer a LOST report about itself. Asked
// again with a shorter delay, it goes at the earlier time; the rooms asked
// for add up ('all': every room).
import type { Clock, TimerHandle } from './clock'

export class AnnounceSoon {
  private timer: TimerHandle | null = null
  /** When the pending timer fires. */
  private at = 0
  private rooms: Set<string> | 'all' = new Set()

  /** `announce` gets the rooms asked for, or 'all'. */
  constructor (private readonly clock: Clock, private readonly announce: (rooms: Set<string> | 'all') => void) {}

  /** Announces after `delayMs` to `rooms` (unset: every room). */
  ask (delayMs: number, rooms?: Iterable<string>): void {
    if (rooms === undefined) this.rooms = 'all'
    else if (this.rooms !== 'all') for (const r of rooms) this.rooms.add(r)
    if (this.rooms !== 'all' && this.rooms.size === 0) return
    const at = this.clock.now() + delayMs
    if (this.timer) {
      if (at >= this.at) return
      this.clock.clearTimeout(this.timer)
    }
    this.at = at
    this.timer = this.clock.setTimeout(() => {
      const rooms = this.rooms
      this.timer = null
      this.rooms = new Set()
      this.announce(rooms)
    }, delayMs)
  }

  cancel (): void {
    this.clock.clearTimeout(this.timer)
    this.timer = null
  }
}
