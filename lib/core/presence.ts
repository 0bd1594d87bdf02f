// Who is in each room, across the whole mesh, not only neighbours: members
// announce themselves (signed, flooded within the room) on joining, renaming
// and periodically, at an interval that grows with the room's size
// (presence-schedule.ts), and drop out at once when they say they leave
// (/leave, /quit, shutdown: a LEAVING with a reason), after
// PRESENCE_SUSPECT_GRACE_MS when a neighbour reports its link to them LOST and
// they do not answer, or when silent for PRESENCE_TIMEOUT_FACTOR of their own
// interval. A text gateway announces its guests the same way, signed by its own key.
// Each member's last announcement is kept, so that a neighbour lacking it can
// be sent it (roster-sync.ts): a newcomer lists the room from its neighbours,
// and nobody floods an answer to it.
import { MessageKind, type FloodMessage } from '../protocol/envelope'
import { PacedLines } from './paced-lines'
import { LeaveReason, PresenceState, cutLeaveMessage, decodePresence, encodePresence, type PresencePayload } from '../protocol/payloads'
import { MeshError } from '../protocol/errors'
import { isValidNick } from './names'
import type { LeaveKind, Member, PresenceHooks } from './presence-types'
import { PRESENCE_REPLY_MIN_MS, PRESENCE_SUSPECT_GRACE_MS, memberTimeout, presenceInterval } from './presence-schedule'
import { AnnounceSoon } from './announce-soon'
import { CutOff } from './cut-off'
import { MAX_GUESTS_PER_GATEWAY, RoomMembers, guestId, older, said, type Held, type Said, type Sighting } from './room-members'

export { PRESENCE_REPLY_MIN_MS, PRESENCE_LINK_UP_DELAY_MS } from './presence-schedule'
export { MAX_ROOM_MEMBERS, MAX_GUESTS_PER_GATEWAY, Said } from './room-members'
export type { LeaveKind, Member, PresenceChange, GuestRename, PresenceHooks } from './presence-types'

const REASONS: Record<number, LeaveKind | undefined> = { [LeaveReason.PART]: 'part', [LeaveReason.QUIT]: 'quit' }

export class Presence {
  private readonly members: RoomMembers
  private readonly lastAnnounce = new Map<string, number>()
  /** The interval this node last announced in each room: the next announcement is due by then, or receivers would expire it. */
  private readonly promised = new Map<string, number>()
  /** This node's own gateway guests: name → room. */
  private readonly ownGuests = new Map<string, string>()
  private readonly ownSaidIn = new Map<string, Map<string, Said>>()
  private readonly soon: AnnounceSoon
  private readonly cutOff: CutOff
  private quitting = false
  private closed = false
  /** Announcements in order, each when the send budget has a token (node.originate takes it). */
  private readonly out: PacedLines<() => void>

  constructor (private readonly h: PresenceHooks) {
    this.members = new RoomMembers(c => h.onChange(c), () => h.clock.now())
    this.soon = new AnnounceSoon(h.clock, rooms => {
      if (rooms === 'all') this.announceAll()
      else for (const r of rooms) if (this.h.rooms().has(r)) this.announce(r)
    })
    this.out = new PacedLines(h.sendBudget, announce => { announce(); return 0 })
    this.cutOff = new CutOff(h.linkedIn, h.cutOffMs)
  }

  get enabled (): boolean { return this.h.intervalMs > 0 && !this.quitting }

  private send (room: string, p: PresencePayload): void {
    this.out.push(() => {
      const m = this.h.originate(MessageKind.PRESENCE, room, encodePresence(p))
      if (p.state === PresenceState.HERE || p.state === PresenceState.GUEST_HERE) this.ownSaid(room).set(p.guest ?? '', said(m))
    })
  }

  /** This node's own last announcements in a room, of itself ('') and of each guest there (by name): what roster sync passes on. */
  private ownSaid (room: string): Map<string, Said> {
    return this.ownSaidIn.get(room) ?? this.ownSaidIn.set(room, new Map()).get(room)!
  }

  /** Entries this node knows in a room: itself, its own guests there, and every other member and guest. */
  roomSize (room: string): number {
    let own = 1
    for (const r of this.ownGuests.values()) if (r === room) own++
    return own + (this.members.of(room)?.size ?? 0)
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
    this.members.forget(room)
    this.cutOff.forget(room)
    this.ownSaidIn.delete(room)
    this.lastAnnounce.delete(room)
    this.promised.delete(room)
  }

  /** Says this node leaves every room (reason quit) and announces nothing more. */
  quit (message?: string): void {
    if (!this.enabled) return
    for (const room of this.h.rooms()) this.sendLeave(room, LeaveReason.QUIT, message)
    this.out.flush()
    this.quitting = true
    this.soon.cancel()
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
      this.ownSaid(room).delete(name)
      const m = cutLeaveMessage(message)
      if (this.enabled) this.send(room, { state: PresenceState.GUEST_LEAVING, listen: this.h.listen(), guest: name, reason: LeaveReason.QUIT, ...(m ? { message: m } : {}) })
      return
    }
    if (state === 'nick' && old !== undefined) { this.ownGuests.delete(old); this.ownSaid(room).delete(old) }
    else if (!this.ownGuests.has(name) && this.ownGuests.size >= MAX_GUESTS_PER_GATEWAY) throw new MeshError('GUEST_LIMIT', `this node announces at most ${MAX_GUESTS_PER_GATEWAY} guests`)
    this.ownGuests.set(name, room)
    if (this.enabled) this.send(room, { state: PresenceState.GUEST_HERE, listen: this.h.listen(), guest: name, interval: this.intervalFor(room), ...(state === 'nick' && old ? { old } : {}) })
  }

  /** A presence message from the mesh. */
  onPresence (m: FloodMessage): void {
    const inRoom = this.h.rooms().has(m.room)
    const p = decodePresence(m.payload)
    const key = this.h.keyHex(m.author)
    this.h.onSighting(key, m.nick, inRoom ? m.room : undefined, p.listen, m.hops, m.ts)
    if (!inRoom) return
    const reason = p.reason === undefined ? undefined : REASONS[p.reason]
    const parting = { ...(reason ? { reason } : {}), ...(p.message ? { message: p.message } : {}) }
    switch (p.state) {
      case PresenceState.LEAVING: return this.members.remove(m.room, key, parting, m.ts)
      case PresenceState.GUEST_HERE: return this.onGuest(m.room, key, m.nick, p, said(m))
      case PresenceState.GUEST_LEAVING: return p.guest === undefined ? undefined : this.members.remove(m.room, guestId(key, p.guest), parting, m.ts)
      case PresenceState.LOST:
        if (p.subject !== undefined) this.onLost(m.room, p.subject.toString('hex'), m.ts)
    }
    // HERE, LOST (its witness is present, listed if new here), and any state a later version adds: the author is present.
    const here = p.state === PresenceState.HERE
    this.upsert(m.room, { id: key, nick: m.nick, interval: p.interval, ts: m.ts, listed: !here, ...(here ? { said: said(m) } : {}) })
  }

  /**
   * A neighbour of `subject` lost its link to it (the report dated `ts`).
   * About this node: answer at once (a fresh announcement clears the report
   * everywhere). About a member: it must be heard from within
   * PRESENCE_SUSPECT_GRACE_MS or it drops out, unless its own word here is
   * dated after the report and came within that grace: its answer came
   * first, and it answers once. (Dates are two members' clocks: only a
   * member heard from lately can have a real report ignored for skew.)
   */
  private onLost (room: string, subject: string, ts: number): void {
    if (subject === this.h.selfKey) return this.announceSoon(PRESENCE_REPLY_MIN_MS)
    const m = this.members.of(room)?.get(subject)
    if (m && older(m, ts) && this.h.clock.now() - m.lastSeen <= PRESENCE_SUSPECT_GRACE_MS) return
    this.members.suspect(room, subject, this.h.clock.now() + PRESENCE_SUSPECT_GRACE_MS)
  }

  /**
   * This node's last link to `key` closed. Where `key` is a member (not
   * already reported), says so to the room: one LOST per room, answered by
   * the member if it is still reachable some other way.
   */
  onLinkDown (key: string): void {
    if (!this.enabled || this.closed) return
    for (const [room] of this.members.entries()) {
      if (!this.members.suspect(room, key, this.h.clock.now() + PRESENCE_SUSPECT_GRACE_MS)) continue
      this.send(room, { state: PresenceState.LOST, listen: this.h.listen(), subject: Buffer.from(key, 'hex') })
    }
  }

  private onGuest (room: string, gateway: string, via: string, p: PresencePayload, said: Said): void {
    // The gateway itself is present too (listed if new here: the guest is the one joining).
    this.upsert(room, { id: gateway, nick: via, interval: p.interval, ts: said.ts, listed: true })
    if (p.guest === undefined || !isValidNick(p.guest)) return
    const map = this.members.of(room)!
    if (p.old !== undefined && map.has(guestId(gateway, p.old)) && !map.has(guestId(gateway, p.guest))) {
      const prev = map.get(guestId(gateway, p.old))!
      map.delete(guestId(gateway, p.old))
      map.set(guestId(gateway, p.guest), { ...prev, nick: p.guest, via, lastSeen: this.h.clock.now(), timeoutMs: memberTimeout(p.interval, this.h.timeoutMs), said, ts: said.ts })
      this.h.onGuestRename({ room, peer: gateway, old: p.old, nick: p.guest, via })
      return
    }
    if (!map.has(guestId(gateway, p.guest)) && this.members.guestsOf(room, gateway) >= MAX_GUESTS_PER_GATEWAY) return
    this.upsert(room, { id: guestId(gateway, p.guest), nick: p.guest, interval: p.interval, peer: gateway, via, said, ts: said.ts })
  }

  /** Any chat message also shows its author is present. */
  onChat (room: string, key: string, nick: string): void {
    if (key !== this.h.selfKey && this.h.rooms().has(room)) this.upsert(room, { id: key, nick, listed: true })
  }

  /** A peer's new nick, shown at once in every room it is a member of. */
  renamed (key: string, nick: string): void { this.members.renamed(key, nick) }

  /**
   * Lists or refreshes a member (Sighting, room-members.ts); `interval` is
   * the one it announced (undefined from a chat line or an older node: what
   * was known, else what this node's own interval in the room implies, never
   * less than the timeout option). Any sighting clears a LOST report.
   */
  private upsert (room: string, s: Omit<Sighting, 'timeoutMs'> & { interval?: number }): boolean {
    const prev = this.members.of(room)?.get(s.id)
    const { interval, ...seen } = s
    const timeoutMs = interval !== undefined ? memberTimeout(interval, this.h.timeoutMs) : prev ? prev.timeoutMs : memberTimeout(this.intervalFor(room), this.h.timeoutMs)
    return this.members.upsert(room, { ...seen, timeoutMs })
  }

  /** Announces soon (announce-soon.ts): after `delayMs` (at most the base interval), to `rooms` (unset: every room). */
  announceSoon (delayMs: number, rooms?: Iterable<string>): void {
    if (this.enabled) this.soon.ask(Math.min(delayMs, this.h.intervalMs), rooms)
  }

  /**
   * The announcements of everyone this node lists in `room` that are still
   * valid by their own time (itself and its guests included), for roster
   * sync to pass to a neighbour lacking them.
   */
  announcements (room: string): Held[] {
    const self = this.h.selfKey
    const out: Held[] = this.enabled && this.h.rooms().has(room) ? [...this.ownSaid(room).values()].map(said => ({ key: self, said })) : []
    const now = this.h.clock.now()
    for (const m of this.members.of(room)?.values() ?? []) if (m.said && now - m.said.ts <= m.timeoutMs) out.push({ key: m.peer, said: m.said })
    return out
  }

  /**
   * What a HERE or GUEST_HERE from roster sync (signature not yet checked)
   * would tell: of a room of ours, still valid by its own time, then as
   * RoomMembers.fresh says (never pushing a member out), else false.
   */
  adoptable (m: FloodMessage, p: PresencePayload): 'new' | 'newer' | false {
    const key = this.h.keyHex(m.author)
    if (!this.enabled || !this.h.rooms().has(m.room) || key === this.h.selfKey) return false
    if (p.state === PresenceState.GUEST_HERE && (p.guest === undefined || !isValidNick(p.guest))) return false
    if (this.h.clock.now() - m.ts > memberTimeout(p.interval, this.h.timeoutMs)) return false
    const guest = p.state === PresenceState.GUEST_HERE
    return this.members.fresh(m.room, guest ? guestId(key, p.guest!) : key, m.ts, guest ? key : undefined)
  }

  /**
   * Takes an adoptable announcement whose signature checked out, as heard at
   * its own time; true if it listed someone new. `listed` (default): a
   * roster passes on members already here (PresenceChange.listed).
   */
  adopt (m: FloodMessage, p: PresencePayload, listed = true): boolean {
    const key = this.h.keyHex(m.author)
    const seenAt = Math.min(m.ts, this.h.clock.now())
    this.h.onSighting(key, m.nick, m.room, p.listen, m.hops, m.ts)
    if (p.state === PresenceState.GUEST_HERE) return this.upsert(m.room, { id: guestId(key, p.guest!), nick: p.guest!, interval: p.interval, peer: key, via: m.nick, said: said(m), seenAt, ts: m.ts, listed })
    return this.upsert(m.room, { id: key, nick: m.nick, interval: p.interval, said: said(m), seenAt, ts: m.ts, listed })
  }

  tick (): void {
    if (!this.enabled) return
    const t = this.h.clock.now()
    for (const room of this.h.rooms()) {
      if (t - (this.lastAnnounce.get(room) ?? 0) >= (this.promised.get(room) ?? this.h.intervalMs)) this.announce(room)
    }
    // No member of a room this node has no link into can be reached: they go as timed out.
    for (const room of this.cutOff.due(this.h.rooms(), t)) this.members.clear(room)
    this.members.expire(t)
  }

  list (room: string): Member[] {
    const now = this.h.clock.now()
    const others = [...(this.members.of(room)?.values() ?? [])].map(({ peer, nick, self, lastSeen, via }): Member => ({ peer, nick, self, lastSeen, ...(via !== undefined ? { via } : {}) }))
    const guests = [...this.ownGuests].filter(([, r]) => r === room).map(([nick]) => ({ peer: this.h.selfKey, nick, self: false, lastSeen: now, via: this.h.nick() }))
    return [{ peer: this.h.selfKey, nick: this.h.nick(), self: true, lastSeen: now }, ...guests, ...others]
  }

  close (): void { this.closed = true; this.out.close(); this.soon.cancel() }
}
