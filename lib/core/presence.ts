// Who is in each room, across the whole mesh, not only neighbours: members
// announce themselves periodically (signed, flooded with the hop limit) and
// drop out when they fall silent for longer than the timeout.
import type { FloodMessage } from '../protocol/envelope'
import { MessageKind } from '../protocol/envelope'
import { PresenceState, decodePresence, encodePresence } from '../protocol/payloads'
import type { Clock, TimerHandle } from './clock'

/** After seeing a new member, announce ourselves at most this often, so newcomers learn of us quickly. */
export const PRESENCE_REPLY_MIN_MS = 1000
/** Links coming up within this window share one announcement (a forming mesh is not flooded once per link). */
export const PRESENCE_LINK_UP_DELAY_MS = 250
/** Members remembered per room; when full, the one heard from least recently is dropped. */
export const MAX_ROOM_MEMBERS = 5000

export interface Member { peer: string; nick: string; self: boolean; lastSeen: number }
export interface PresenceChange { room: string; peer: string; nick: string; state: 'join' | 'leave' }

export interface PresenceHooks {
  selfKey: string
  nick: () => string
  listen: () => string
  rooms: () => Set<string>
  originate: (kind: number, room: string, payload: Buffer) => void
  onChange: (c: PresenceChange) => void
  onSighting: (key: string, nick: string, room: string, listen: string, hops: number) => void
  clock: Clock
  intervalMs: number
  timeoutMs: number
}

export class Presence {
  private readonly members = new Map<string, Map<string, Member>>()
  private readonly lastAnnounce = new Map<string, number>()
  private replyTimer: TimerHandle | null = null

  constructor (private readonly h: PresenceHooks) {}

  get enabled (): boolean { return this.h.intervalMs > 0 }

  announce (room: string, leaving = false): void {
    if (!this.enabled) return
    this.lastAnnounce.set(room, this.h.clock.now())
    this.h.originate(MessageKind.PRESENCE, room, encodePresence({ state: leaving ? PresenceState.LEAVING : PresenceState.HERE, listen: this.h.listen() }))
  }

  announceAll (): void { for (const r of this.h.rooms()) this.announce(r) }

  onJoin (room: string): void { this.announce(room) }

  onLeave (room: string): void {
    this.announce(room, true)
    this.members.delete(room)
    this.lastAnnounce.delete(room)
  }

  /** A presence message from the mesh. */
  onPresence (m: FloodMessage): void {
    if (!this.h.rooms().has(m.room)) return
    const p = decodePresence(m.payload)
    const key = m.author.toString('hex')
    this.h.onSighting(key, m.nick, m.room, p.listen, m.hops)
    if (p.state === PresenceState.LEAVING) return this.remove(m.room, key)
    if (this.upsert(m.room, key, m.nick)) this.announceSoon(PRESENCE_REPLY_MIN_MS)
  }

  /** Any chat message also shows its author is present. */
  onChat (room: string, key: string, nick: string): void {
    if (key !== this.h.selfKey && this.h.rooms().has(room)) this.upsert(room, key, nick)
  }

  private upsert (room: string, key: string, nick: string): boolean {
    let map = this.members.get(room)
    if (!map) { map = new Map(); this.members.set(room, map) }
    const prev = map.get(key)
    if (prev) map.delete(key)
    else if (map.size >= MAX_ROOM_MEMBERS) this.evictStalest(room, map)
    map.set(key, { peer: key, nick, self: false, lastSeen: this.h.clock.now() })
    if (!prev) this.h.onChange({ room, peer: key, nick, state: 'join' })
    return !prev
  }

  /** Members are kept in order of last sighting, so the first is the stalest. */
  private evictStalest (room: string, map: Map<string, Member>): void {
    const stalest = map.keys().next().value as string
    this.remove(room, stalest)
  }

  private remove (room: string, key: string): void {
    const m = this.members.get(room)?.get(key)
    if (!m) return
    this.members.get(room)!.delete(key)
    this.h.onChange({ room, peer: key, nick: m.nick, state: 'leave' })
  }

  /**
   * Announces to every room after `delayMs`, once however often it is asked
   * meanwhile: on link-up, and to answer newcomers, who would otherwise only
   * hear the others' periodic announcements.
   */
  announceSoon (delayMs: number): void {
    if (!this.enabled || this.replyTimer) return
    this.replyTimer = this.h.clock.setTimeout(() => { this.replyTimer = null; this.announceAll() }, Math.min(delayMs, this.h.intervalMs))
  }

  tick (): void {
    if (!this.enabled) return
    const t = this.h.clock.now()
    for (const room of this.h.rooms()) {
      if (t - (this.lastAnnounce.get(room) ?? 0) >= this.h.intervalMs) this.announce(room)
    }
    for (const [room, map] of this.members) {
      for (const m of [...map.values()]) if (t - m.lastSeen > this.h.timeoutMs) this.remove(room, m.peer)
    }
  }

  list (room: string): Member[] {
    const others = [...(this.members.get(room)?.values() ?? [])]
    return [{ peer: this.h.selfKey, nick: this.h.nick(), self: true, lastSeen: this.h.clock.now() }, ...others]
  }

  close (): void { this.h.clock.clearTimeout(this.replyTimer) }
}
