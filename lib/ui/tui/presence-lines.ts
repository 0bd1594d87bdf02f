// How the terminal view shows comings and goings, so that a room of hundreds
// stays readable (issue 14: rooms that scale):
// - Members that were in a room before this node heard of them
//   (PresenceChange.listed: what a newcomer's roster brings, or a healed
//   split) are listed in one line per burst, as IRC answers a join with the
//   channel's names, not one "joined" line each (a newcomer to a room of 500
//   got 500 of them).
// - Members that time out together (a split: their last links went) are one
//   line per burst.
// - In a room of more than SMART_FILTER_MIN_MEMBERS, the joins and leaves of
//   members who have not spoken for SMART_FILTER_SPOKE_MS are not shown, as
//   WeeChat's smart filter does; the first one hidden in a room says so once.
// Headless mode and the IRC gateway get every event as it is.
import type { PresenceChange } from '../../core/types'
import { presenceLine } from './format'

/** A burst of listed members or of time-outs is shown once none has come for this long... */
export const PRESENCE_BURST_QUIET_MS = 500
/** ...or this long after its first, whichever is sooner. */
export const PRESENCE_BURST_MAX_MS = 3000
/** Members named in a burst's line; the rest are counted. */
export const BURST_NAMES_SHOWN = 8
/** Rooms with more members than this hide the joins and leaves of members who have not spoken lately. */
export const SMART_FILTER_MIN_MEMBERS = 50
/** How recently a member must have spoken for its joins and leaves to show in such a room. */
export const SMART_FILTER_SPOKE_MS = 10 * 60 * 1000
/** Speakers remembered per room for the smart filter; the one that spoke longest ago is forgotten first. */
export const MAX_SPEAKERS_PER_ROOM = 1000

export interface PresenceLinesHooks {
  now: () => number
  /** Members listed in a room now (/who's count; asked per event, so it must be cheap: ChatNode.memberCount). */
  roomSize: (room: string) => number
  /** How a member is named: `nick#tag`, or `guest via gw#tag`. */
  label: (c: PresenceChange) => string
  /** Shows a line in the room's buffer. */
  show: (room: string, text: string) => void
  quietMs?: number
  maxMs?: number
}

interface Burst { labels: string[]; count: number; timer: NodeJS.Timeout | null; firstAt: number }
type Kind = 'listed' | 'timedOut'

const memberId = (peer: string, nick: string, via: string | undefined): string => via === undefined ? peer : `${peer}/${nick}`

export class PresenceLines {
  private readonly bursts = new Map<string, Burst>()
  /** Per room: member id → when it last spoke. */
  private readonly speakers = new Map<string, Map<string, number>>()
  /** Rooms whose first burst of listed members was shown, and rooms told of the smart filter. */
  private readonly listedShown = new Set<string>()
  private readonly filterNoted = new Set<string>()

  constructor (private readonly h: PresenceLinesHooks) {}

  /** A member spoke in a room at `ts` (its line's date: a line from history is old news); its joins and leaves show for a while, even in a large room. */
  spoke (room: string, from: string, nick: string, via: string | undefined, ts: number): void {
    let map = this.speakers.get(room)
    if (!map) this.speakers.set(room, map = new Map())
    const id = memberId(from, nick, via)
    const at = Math.max(map.get(id) ?? 0, Math.min(ts, this.h.now()))
    map.delete(id)
    if (map.size >= MAX_SPEAKERS_PER_ROOM) map.delete(map.keys().next().value as string)
    map.set(id, at)
  }

  change (c: PresenceChange): void {
    if (c.state === 'join' && c.listed) {
      // Past the room's first burst, a large room's silent members come and go unseen.
      if (this.listedShown.has(c.room) && this.large(c.room)) return
      return this.gather('listed', c)
    }
    if (this.large(c.room) && !this.spokeLately(c)) return this.hide(c.room)
    if (c.state === 'leave' && c.reason === undefined) return this.gather('timedOut', c)
    this.h.show(c.room, presenceLine(this.h.label(c), c))
  }

  /** This node left a room: what was gathered for it goes unshown. */
  forget (room: string): void {
    for (const kind of ['listed', 'timedOut'] as const) this.drop(`${kind} ${room}`)
    this.speakers.delete(room)
    this.listedShown.delete(room)
    this.filterNoted.delete(room)
  }

  close (): void { for (const k of [...this.bursts.keys()]) this.drop(k) }

  private drop (k: string): void {
    const b = this.bursts.get(k)
    if (b?.timer) clearTimeout(b.timer)
    this.bursts.delete(k)
  }

  private gather (kind: Kind, c: PresenceChange): void {
    const k = `${kind} ${c.room}`
    const now = this.h.now()
    let b = this.bursts.get(k)
    if (!b) this.bursts.set(k, b = { labels: [], count: 0, timer: null, firstAt: now })
    if (b.labels.length < BURST_NAMES_SHOWN) b.labels.push(this.h.label(c))
    b.count++
    if (b.timer) clearTimeout(b.timer)
    const wait = Math.min(this.h.quietMs ?? PRESENCE_BURST_QUIET_MS, b.firstAt + (this.h.maxMs ?? PRESENCE_BURST_MAX_MS) - now)
    b.timer = setTimeout(() => this.flush(kind, c.room, c), Math.max(0, wait))
  }

  private flush (kind: Kind, room: string, last: PresenceChange): void {
    const b = this.bursts.get(`${kind} ${room}`)
    if (!b) return
    this.bursts.delete(`${kind} ${room}`)
    const more = b.count - b.labels.length
    const names = `${b.labels.join(', ')}${more > 0 ? ` and ${more} more (/who #${room} lists them)` : ''}`
    if (kind === 'listed') {
      this.listedShown.add(room)
      this.h.show(room, `in #${room}${b.count > 1 ? ` (${b.count} members)` : ''}: ${names}`)
    } else {
      this.h.show(room, b.count === 1 ? presenceLine(b.labels[0], last) : `${b.count} members left #${room} (timed out): ${names}`)
    }
  }

  private large (room: string): boolean { return this.h.roomSize(room) > SMART_FILTER_MIN_MEMBERS }

  private spokeLately (c: PresenceChange): boolean {
    const at = this.speakers.get(c.room)?.get(memberId(c.peer, c.nick, c.via))
    return at !== undefined && this.h.now() - at <= SMART_FILTER_SPOKE_MS
  }

  private hide (room: string): void {
    if (this.filterNoted.has(room)) return
    this.filterNoted.add(room)
    this.h.show(room, `#${room} has over ${SMART_FILTER_MIN_MEMBERS} members: the joins and leaves of those who have not spoken in the last ${SMART_FILTER_SPOKE_MS / 60_000} minutes are not shown (/who #${room} lists everyone)`)
  }
}
