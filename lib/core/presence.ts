// Who is in each room, across the whole mesh, not only neighbours: members
// announce themselves (signed, flooded within the room) on joining, renaming
// and periodically, at an interval that grows with the room's size
// (presence-schedule.ts), and drop out at once when they say they leave
// (/leave, /quit, shutdown: a LEAVING with a reason), after
// PRESENCE_SUSPECT_GRACE_MS when a neighbour reports its link to them LOST and
// they do not answer, or when silent for PRESENCE_TIMEOUT_FACTOR of their own
// interval. A text gateway announces its guests the same way, signed by its own key.
import type { FloodMessage } from '../protocol/envelope'
import { MessageKind } from '../protocol/envelope'
import { LeaveReason, PresenceState, cutLeaveMessage, decodePresence, encodePresence, type PresencePayload } from '../protocol/payloads'
import { MeshError } from '../protocol/errors'
import { isValidNick } from './names'
import type { TimerHandle } from './clock'
import type { LeaveKind, Member, PresenceHooks } from './presence-types'
import { PRESENCE_SUSPECT_GRACE_MS, memberTimeout, presenceInterval, replyDelay } from './presence-schedule'

/** After seeing a new member, announce ourselves after this long (scaled up with the room: presence-schedule.ts replyDelay), so newcomers learn of us quickly. */
export const PRESENCE_REPLY_MIN_MS = 1000
/** Links coming up within this window share one announcement (a forming mesh is not flooded once per link). */
export const PRESENCE_LINK_UP_DELAY_MS = 250
/** Members remembered per room; when full, the one heard from least recently is dropped. */
export const MAX_ROOM_MEMBERS = 5000
/** Guests one gateway key may have in one room; announcements of more are ignored (and a gateway refuses to announce more). */
export const MAX_GUESTS_PER_GATEWAY = 256

export type { LeaveKind, Member, PresenceChange, GuestRename, PresenceHooks } from './presence-types'

/** A member as kept here: when it expires (its own announced interval) and, once reported LOST, by when it must answer. */
interface Tracked extends Member { timeoutMs: number; suspectUntil?: number }

const REASONS: Record<number, LeaveKind | undefined> = { [LeaveReason.PART]: 'part', [LeaveReason.QUIT]: 'quit' }
/** Guests are kept in a room's member map under `gatewayKey/name`; a hex key never holds '/'. */
const guestId = (gateway: string, name: string): string => `${gateway}/${name}`

export class Presence {
  private readonly members = new Map<string, Map<string, Tracked>>()
  /** Guests of each gateway in each room (`room/gatewayKey`), for the cap. */
  private readonly guestCount = new Map<string, number>()
  private readonly lastAnnounce = new Map<string, number>()
  /** The interval this node last announced in each room: the next announcement is due by then, or receivers would expire it. */
  private readonly promised = new Map<string, number>()
  /** This node's own gateway guests: name → room. */
  private readonly ownGuests = new Map<string, string>()
  private replyTimer: TimerHandle | null = null
  /** When the pending replyTimer fires. */
  private replyAt = 0
  private quitting = false
  private closed = false

  constructor (private readonly h: PresenceHooks) {}

  get enabled (): boolean { return this.h.intervalMs > 0 && !this.quitting }

  private send (room: string, p: PresencePayload): void {
    this.h.originate(MessageKind.PRESENCE, room, encodePresence(p))
  }

  /** Entries this node knows in a room: itself, its own guests there, and every other member and guest. */
  roomSize (room: string): number {
    let own = 1
    for (const r of this.ownGuests.values()) if (r === room) own++
    return own + (this.members.get(room)?.size ?? 0)
  }

  /** This node's periodic announcement interval in `room` now (presence-schedule.ts). */
  intervalFor (room: string): number { return presenceInterval(this.h.intervalMs, this.roomSize(room)) }

  /** Announces this node (and its guests in the room) as here, with its current interval. */
  announce (room: string): void {
    if (!this.enabled) return
    this.lastAnnounce.set(room, this.h.clock.now())
    const listen = this.h.listen()
    const interval = this.intervalFor(room)
    this.promised.set(room, interval)
    this.send(room, { state: PresenceState.HERE, listen, interval })
    for (const [guest, r] of this.ownGuests) if (r === room) this.send(room, { state: PresenceState.GUEST_HERE, listen, guest, interval })
  }

  announceAll (): void { for (const r of this.h.rooms()) this.announce(r) }

  onJoin (room: string): void { this.announce(room) }

  /** Says this node leaves a room (reason part), then forgets the room's members. */
  onLeave (room: string, message?: string): void {
    if (this.enabled) this.sendLeave(room, LeaveReason.PART, message)
    this.members.delete(room)
    this.lastAnnounce.delete(room)
    this.promised.delete(room)
    for (const k of [...this.guestCount.keys()]) if (k.startsWith(room + '/')) this.guestCount.delete(k)
  }

  /** Says this node leaves every room (reason quit) and announces nothing more. */
  quit (message?: string): void {
    if (!this.enabled) return
    for (const room of this.h.rooms()) this.sendLeave(room, LeaveReason.QUIT, message)
    this.quitting = true
    this.h.clock.clearTimeout(this.replyTimer)
    this.replyTimer = null
  }

  private sendLeave (room: string, reason: number, message?: string): void {
    const m = cutLeaveMessage(message)
    this.send(room, { state: PresenceState.LEAVING, listen: this.h.listen(), reason, ...(m ? { message: m } : {}) })
  }

  /**
   * A guest of this node's text gateway comes (into `room`), is renamed
   * (`old` set) or goes; a guest stays in the room it came into. Throws
   * GUEST_LIMIT past MAX_GUESTS_PER_GATEWAY guests.
   */
  guest (current: string, name: string, state: 'join' | 'leave' | 'nick', old?: string, message?: string): void {
    const room = this.ownGuests.get(state === 'nick' && old !== undefined ? old : name) ?? current
    if (state === 'leave') {
      if (!this.ownGuests.delete(name)) return
      const m = cutLeaveMessage(message)
      if (this.enabled) this.send(room, { state: PresenceState.GUEST_LEAVING, listen: this.h.listen(), guest: name, reason: LeaveReason.QUIT, ...(m ? { message: m } : {}) })
      return
    }
    if (state === 'nick' && old !== undefined) this.ownGuests.delete(old)
    else if (!this.ownGuests.has(name) && this.ownGuests.size >= MAX_GUESTS_PER_GATEWAY) throw new MeshError('GUEST_LIMIT', `this node announces at most ${MAX_GUESTS_PER_GATEWAY} guests`)
    this.ownGuests.set(name, room)
    if (this.enabled) this.send(room, { state: PresenceState.GUEST_HERE, listen: this.h.listen(), guest: name, interval: this.intervalFor(room), ...(state === 'nick' && old ? { old } : {}) })
  }

  /** A presence message from the mesh. */
  onPresence (m: FloodMessage): void {
    const inRoom = this.h.rooms().has(m.room)
    const p = decodePresence(m.payload)
    const key = m.author.toString('hex')
    this.h.onSighting(key, m.nick, inRoom ? m.room : undefined, p.listen, m.hops, m.ts)
    if (!inRoom) return
    const reason = p.reason === undefined ? undefined : REASONS[p.reason]
    const parting = { ...(reason ? { reason } : {}), ...(p.message ? { message: p.message } : {}) }
    switch (p.state) {
      case PresenceState.LEAVING: return this.remove(m.room, key, parting)
      case PresenceState.GUEST_HERE: return this.onGuest(m.room, key, m.nick, p)
      case PresenceState.GUEST_LEAVING:
        if (p.guest !== undefined) this.remove(m.room, guestId(key, p.guest), parting)
        return
      case PresenceState.LOST:
        if (p.subject !== undefined) this.onLost(m.room, p.subject.toString('hex'))
    }
    // HERE, LOST (its witness is present), and any state a later version adds: the author is present.
    if (this.upsert(m.room, key, m.nick, p.interval)) this.answerNewcomer(m.room)
  }

  /**
   * A neighbour of `subject` lost its link to it. About this node: answer at
   * once (a fresh announcement clears the report everywhere). About a member:
   * it must be heard from within PRESENCE_SUSPECT_GRACE_MS or it drops out.
   */
  private onLost (room: string, subject: string): void {
    if (subject === this.h.selfKey) return this.announceSoon(PRESENCE_REPLY_MIN_MS)
    const m = this.members.get(room)?.get(subject)
    if (m && m.suspectUntil === undefined) m.suspectUntil = this.h.clock.now() + PRESENCE_SUSPECT_GRACE_MS
  }

  /**
   * This node's last link to `key` closed. Where `key` is a member (not
   * already reported), says so to the room: one LOST per room, answered by
   * the member if it is still reachable some other way.
   */
  onLinkDown (key: string): void {
    if (!this.enabled || this.closed) return
    for (const [room, map] of this.members) {
      const m = map.get(key)
      if (!m || m.suspectUntil !== undefined) continue
      m.suspectUntil = this.h.clock.now() + PRESENCE_SUSPECT_GRACE_MS
      this.send(room, { state: PresenceState.LOST, listen: this.h.listen(), subject: Buffer.from(key, 'hex') })
    }
  }

  private onGuest (room: string, gateway: string, via: string, p: PresencePayload): void {
    // The gateway itself is present too.
    if (this.upsert(room, gateway, via, p.interval)) this.answerNewcomer(room)
    if (p.guest === undefined || !isValidNick(p.guest)) return
    const map = this.members.get(room)!
    if (p.old !== undefined && map.has(guestId(gateway, p.old)) && !map.has(guestId(gateway, p.guest))) {
      const prev = map.get(guestId(gateway, p.old))!
      map.delete(guestId(gateway, p.old))
      map.set(guestId(gateway, p.guest), { ...prev, nick: p.guest, via, lastSeen: this.h.clock.now(), timeoutMs: memberTimeout(p.interval, this.h.timeoutMs) })
      this.h.onGuestRename({ room, peer: gateway, old: p.old, nick: p.guest, via })
      return
    }
    const counted = `${room}/${gateway}`
    if (!map.has(guestId(gateway, p.guest)) && (this.guestCount.get(counted) ?? 0) >= MAX_GUESTS_PER_GATEWAY) return
    this.upsert(room, guestId(gateway, p.guest), p.guest, p.interval, gateway, via)
  }

  /** Any chat message also shows its author is present. */
  onChat (room: string, key: string, nick: string): void {
    if (key !== this.h.selfKey && this.h.rooms().has(room)) this.upsert(room, key, nick)
  }

  /** A peer's new nick, shown at once in every room it is a member of. */
  renamed (key: string, nick: string): void {
    for (const map of this.members.values()) { const m = map.get(key); if (m) m.nick = nick }
  }

  /**
   * `id` is the member map key: the peer's key, or guestId for a guest of
   * gateway `peer`; `interval` the one it announced (undefined from a chat
   * line or an older node: what was known, else what this node's own
   * interval in the room implies, never less than the timeout option).
   * Any sighting clears a LOST report.
   */
  private upsert (room: string, id: string, nick: string, interval?: number, peer: string = id, via?: string): boolean {
    let map = this.members.get(room)
    if (!map) { map = new Map(); this.members.set(room, map) }
    const prev = map.get(id)
    if (prev) map.delete(id)
    else if (map.size >= MAX_ROOM_MEMBERS) this.remove(room, map.keys().next().value as string)
    const timeoutMs = interval !== undefined ? memberTimeout(interval, this.h.timeoutMs) : prev ? prev.timeoutMs : memberTimeout(this.intervalFor(room), this.h.timeoutMs)
    map.set(id, { peer, nick, self: false, lastSeen: this.h.clock.now(), timeoutMs, ...(via !== undefined ? { via } : {}) })
    if (prev) return false
    if (via !== undefined) this.guestCount.set(`${room}/${peer}`, (this.guestCount.get(`${room}/${peer}`) ?? 0) + 1)
    this.h.onChange({ room, peer, nick, state: 'join', ...(via !== undefined ? { via } : {}) })
    return true
  }

  /** Drops a member (a gateway takes its guests along); members are kept in order of last sighting, so the first is the stalest. */
  private remove (room: string, id: string, parting: { reason?: LeaveKind; message?: string } = {}): void {
    const map = this.members.get(room)
    const m = map?.get(id)
    if (!map || !m) return
    map.delete(id)
    if (m.via !== undefined) {
      const counted = `${room}/${m.peer}`
      const left = (this.guestCount.get(counted) ?? 1) - 1
      if (left > 0) this.guestCount.set(counted, left)
      else this.guestCount.delete(counted)
    }
    this.h.onChange({ room, peer: m.peer, nick: m.nick, state: 'leave', ...parting, ...(m.via !== undefined ? { via: m.via } : {}) })
    if (m.via === undefined && this.guestCount.has(`${room}/${id}`)) {
      for (const g of [...map.values()]) if (g.via !== undefined && g.peer === id) this.remove(room, guestId(id, g.nick), parting)
    }
  }

  /**
   * Announces to every room after `delayMs`, once however often it is asked
   * meanwhile: on link-up, and to answer newcomers, who would otherwise only
   * hear the others' periodic announcements.
   */
  announceSoon (delayMs: number): void {
    if (!this.enabled) return
    const delay = Math.min(delayMs, this.h.intervalMs)
    const at = this.h.clock.now() + delay
    if (this.replyTimer) {
      if (at >= this.replyAt) return
      this.h.clock.clearTimeout(this.replyTimer)
    }
    this.replyAt = at
    this.replyTimer = this.h.clock.setTimeout(() => { this.replyTimer = null; this.announceAll() }, delay)
  }

  /** A new member in `room`: answer it, after a delay that grows with the room so a burst of newcomers shares one answer. */
  private answerNewcomer (room: string): void { this.announceSoon(replyDelay(PRESENCE_REPLY_MIN_MS, this.roomSize(room))) }

  tick (): void {
    if (!this.enabled) return
    const t = this.h.clock.now()
    for (const room of this.h.rooms()) {
      if (t - (this.lastAnnounce.get(room) ?? 0) >= (this.promised.get(room) ?? this.h.intervalMs)) this.announce(room)
    }
    for (const [room, map] of this.members) {
      for (const [id, m] of [...map]) if (t - m.lastSeen > m.timeoutMs || (m.suspectUntil !== undefined && t >= m.suspectUntil)) this.remove(room, id)
    }
  }

  list (room: string): Member[] {
    const now = this.h.clock.now()
    const others = [...(this.members.get(room)?.values() ?? [])].map(({ peer, nick, self, lastSeen, via }): Member => ({ peer, nick, self, lastSeen, ...(via !== undefined ? { via } : {}) }))
    const guests = [...this.ownGuests].filter(([, r]) => r === room).map(([nick]) => ({ peer: this.h.selfKey, nick, self: false, lastSeen: now, via: this.h.nick() }))
    return [{ peer: this.h.selfKey, nick: this.h.nick(), self: true, lastSeen: now }, ...guests, ...others]
  }

  close (): void { this.closed = true; this.h.clock.clearTimeout(this.replyTimer) }
}
