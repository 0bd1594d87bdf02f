// The members presence lists per room (presence.ts): each with when it
// expires, a LOST report's deadline, and the announcement it was last heard
// in (what roster sync passes on). Bounded per room (the stalest goes first)
// and per gateway's guests; joins and leaves are reported as they happen.
import type { LeaveKind, Member, PresenceChange } from './presence-types'
import { SYNC_ID_BYTES } from '../protocol/limits'

/**
 * Members remembered per room; when full, the one heard from least recently
 * is dropped. Above a 10,000-member room (issue 14's scale; 5,000 until
 * 2026-11-29, when such a room would have listed half its members).
 */
export const MAX_ROOM_MEMBERS = 12_000
/** Guests one gateway key may have in one room; announcements of more are ignored (and a gateway refuses to announce more). */
export const MAX_GUESTS_PER_GATEWAY = 256

/**
 * A presence announcement as it travelled (signed), its id and its time:
 * what roster sync passes on. Kept for every member on every node, so kept
 * small: frame and id as one string of their bytes (about 250 bytes of heap
 * for an announcement of 190 bytes; as two Buffer views of a buffer of
 * their own, 526, a quarter of a member's cost in a simulated room of 300),
 * and a copy, never a view into what it arrived in (a socket read, a pooled
 * slab, a roster data frame of 256 announcements) that would keep all of
 * that alive.
 */
export class Said {
  private readonly bytes: string
  /** Bytes of the frame; the id follows it in `bytes`. */
  readonly frameLength: number

  constructor (frame: Uint8Array, id: Uint8Array, readonly ts: number) {
    // Through a buffer of its own, not the pool: a pooled one would leave a slab half used.
    const both = Buffer.allocUnsafeSlow(frame.byteLength + id.byteLength)
    both.set(frame, 0)
    both.set(id, frame.byteLength)
    this.bytes = both.toString('latin1')
    this.frameLength = frame.byteLength
  }

  /** The signed FLOOD frame, as it travelled. */
  get frame (): Buffer { return Buffer.from(this.bytes.substring(0, this.frameLength), 'latin1') }
  get id (): Buffer { return Buffer.from(this.bytes.substring(this.frameLength), 'latin1') }
  /** The first SYNC_ID_BYTES of the id: what a roster offer lists. */
  shortId (): Buffer { return Buffer.from(this.bytes.substr(this.frameLength, SYNC_ID_BYTES), 'latin1') }
  shortIdHex (): string {
    let hex = ''
    for (let i = this.frameLength; i < this.frameLength + SYNC_ID_BYTES; i++) hex += HEX[this.bytes.charCodeAt(i)]
    return hex
  }
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

/** The Said of a message (a copy of its bytes). */
export function said (m: { frame: Uint8Array; id: Uint8Array; ts: number }): Said { return new Said(m.frame, m.id, m.ts) }

/** An announcement this node holds, with the key of the member it lists (a guest: its gateway's key): what roster sync offers. */
export interface Held { key: string; said: Said }

/**
 * A member as kept here: when it expires (its own announced interval), once
 * reported LOST by when it must answer, its last announcement, and the
 * newest date of its own signed presence word (older word is stale here).
 */
export interface Tracked extends Member { timeoutMs: number; suspectUntil?: number; said?: Said; ts?: number }
export interface Parting { reason?: LeaveKind; message?: string }

/** Guests are kept in a room's member map under `gatewayKey/name`; a hex key never holds '/'. */
export const guestId = (gateway: string, name: string): string => `${gateway}/${name}`

/**
 * Whether word dated `ts` is older than the member's newest signed presence
 * word here: a copy that came a long way round, or one that roster sync
 * passed on before the flood brought it. Taken, it turned the member back:
 * an older leave dropped it, an older, shorter interval expired it (a
 * simulated room of 500 lost a member from six nodes' /who that way).
 */
export const older = (m: Tracked, ts: number): boolean => m.ts !== undefined && ts < m.ts

export interface Sighting {
  /** The member map key: the peer's key, or guestId for a guest of gateway `peer`. */
  id: string
  nick: string
  peer?: string
  /** A guest: its gateway's nick. */
  via?: string
  /** How long it may stay silent. */
  timeoutMs: number
  /** The announcement it came in, if any (kept to pass on; else the last one is kept). */
  said?: Said
  /** When it was heard (default now). */
  seenAt?: number
  /** The date of the signed presence word it came in, if any (the newest is kept). */
  ts?: number
  /** Not an announcement of its joining: it was in the room before this node heard of it (a join it causes is marked `listed`). */
  listed?: boolean
}

export class RoomMembers {
  private readonly rooms = new Map<string, Map<string, Tracked>>()
  /**
   * Per room: no member is due to expire before this. A lower bound (a
   * member heard again only moves later), so a room is scanned only when
   * one may be due: every node scanned every member every tick, which at
   * 400 simulated members was a quarter of the simulator's time.
   */
  private readonly due = new Map<string, number>()
  /** Guests of each gateway in each room (`room/gatewayKey`), for the cap. */
  private readonly guestCount = new Map<string, number>()

  constructor (private readonly onChange: (c: PresenceChange) => void, private readonly now: () => number) {}

  of (room: string): Map<string, Tracked> | undefined { return this.rooms.get(room) }
  entries (): IterableIterator<[string, Map<string, Tracked>]> { return this.rooms.entries() }
  guestsOf (room: string, gateway: string): number { return this.guestCount.get(`${room}/${gateway}`) ?? 0 }

  /** Forgets a room this node left (no leave is reported for its members). */
  forget (room: string): void {
    this.rooms.delete(room)
    this.due.delete(room)
    for (const k of [...this.guestCount.keys()]) if (k.startsWith(room + '/')) this.guestCount.delete(k)
  }

  /**
   * What word from member `id` dated `ts` would be here: 'new' (listed
   * anew; false when the room, or gateway `guestOf`'s guests, are full),
   * 'newer' (a later word from someone listed) or false (nothing newer).
   */
  fresh (room: string, id: string, ts: number, guestOf?: string): 'new' | 'newer' | false {
    const map = this.rooms.get(room)
    const prev = map?.get(id)
    if (prev) return prev.lastSeen < ts && !older(prev, ts) && 'newer'
    if (guestOf !== undefined && this.guestsOf(room, guestOf) >= MAX_GUESTS_PER_GATEWAY) return false
    return (map?.size ?? 0) < MAX_ROOM_MEMBERS && 'new'
  }

  /**
   * Lists or refreshes a member (any sighting clears a LOST report); true if
   * it is new here. A sighting dated before the member's newest word here
   * changes nothing (older).
   */
  upsert (room: string, s: Sighting): boolean {
    let map = this.rooms.get(room)
    if (!map) { map = new Map(); this.rooms.set(room, map) }
    const prev = map.get(s.id)
    if (prev && s.ts !== undefined && older(prev, s.ts)) return false
    if (prev) map.delete(s.id)
    else if (map.size >= MAX_ROOM_MEMBERS) this.remove(room, map.keys().next().value as string)
    const peer = s.peer ?? s.id
    const kept = s.said ?? prev?.said
    const lastSeen = s.seenAt ?? this.now()
    const ts = s.ts ?? prev?.ts
    map.set(s.id, { peer, nick: s.nick, self: false, lastSeen, timeoutMs: s.timeoutMs, ...(s.via !== undefined ? { via: s.via } : {}), ...(kept ? { said: kept } : {}), ...(ts !== undefined ? { ts } : {}) })
    this.dueBy(room, lastSeen + s.timeoutMs)
    if (prev) return false
    if (s.via !== undefined) this.guestCount.set(`${room}/${peer}`, this.guestsOf(room, peer) + 1)
    this.onChange({ room, peer, nick: s.nick, state: 'join', ...(s.via !== undefined ? { via: s.via } : {}), ...(s.listed ? { listed: true } : {}) })
    return true
  }

  /**
   * Drops a member (a gateway takes its guests along); members are kept in
   * order of last sighting, so the first is the stalest. A leave dated `ts`
   * before the member's newest word here changes nothing (older).
   */
  remove (room: string, id: string, parting: Parting = {}, ts?: number): void {
    const map = this.rooms.get(room)
    const m = map?.get(id)
    if (!map || !m || (ts !== undefined && older(m, ts))) return
    map.delete(id)
    if (m.via !== undefined) {
      const counted = `${room}/${m.peer}`
      const left = (this.guestCount.get(counted) ?? 1) - 1
      if (left > 0) this.guestCount.set(counted, left)
      else this.guestCount.delete(counted)
    }
    this.onChange({ room, peer: m.peer, nick: m.nick, state: 'leave', ...parting, ...(m.via !== undefined ? { via: m.via } : {}) })
    if (m.via === undefined && this.guestCount.has(`${room}/${id}`)) {
      for (const g of [...map.values()]) if (g.via !== undefined && g.peer === id) this.remove(room, guestId(id, g.nick), parting)
    }
  }

  /** Drops every member of a room, each reported as leaving (timed out). */
  clear (room: string): void {
    for (const id of [...this.rooms.get(room)?.keys() ?? []]) this.remove(room, id)
  }

  /** Member `id` was reported LOST: it must be heard from by `until`. False when it is not listed or was reported already. */
  suspect (room: string, id: string, until: number): boolean {
    const m = this.rooms.get(room)?.get(id)
    if (!m || m.suspectUntil !== undefined) return false
    m.suspectUntil = until
    this.dueBy(room, until)
    return true
  }

  /** Drops every member silent past its timeout, or past its LOST deadline, at `t`; rooms where none can be due are not scanned. */
  expire (t: number): void {
    for (const [room, map] of this.rooms) {
      if (t < (this.due.get(room) ?? Infinity)) continue
      // Cleared first: a member listed while leaves are reported lowers it again.
      this.due.delete(room)
      let next = Infinity
      for (const [id, m] of [...map]) {
        if (t - m.lastSeen > m.timeoutMs || (m.suspectUntil !== undefined && t >= m.suspectUntil)) this.remove(room, id)
        else next = Math.min(next, m.lastSeen + m.timeoutMs, m.suspectUntil ?? Infinity)
      }
      this.dueBy(room, next)
    }
  }

  private dueBy (room: string, at: number): void {
    if (at < (this.due.get(room) ?? Infinity)) this.due.set(room, at)
  }

  /** A peer's new nick, in every room it is a member of. */
  renamed (key: string, nick: string): void {
    for (const map of this.rooms.values()) { const m = map.get(key); if (m) m.nick = nick }
  }
}
