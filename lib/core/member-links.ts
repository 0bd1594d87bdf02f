// Member linking: the members of a room find each other when they are not
// linked among themselves (A in #go, B only in #lobby, C in #go, chain
// A-B-C). With room overlays B carries none of #go, so A and C must link.
// A node tells each neighbour which of its other neighbours are in that
// neighbour's rooms, for rooms it is not in itself (ROOM_PEERS frames; it
// would carry a room it is in). A node told of a member of one of its rooms
// that it has no link to and does not hear in that room (presence) after
// MEMBER_HINT_DELAY_MS dials it: one dial per room per MEMBER_HINT_DELAY_MS,
// at most MAX_MEMBER_DIALS_PER_MIN, never-reached addresses also spending
// peer exchange's MAX_PEX_DIALS_PER_MIN. Part of peer exchange: a node with
// peer exchange off neither tells nor dials.
import type { LinkSession } from './link-session'
import type { PeerTable } from './peer-table'
import { MAX_PEX_NEW_PER_PEER_PER_MIN, MAX_PEX_SOURCES, PEX_WINDOW_MS, SlidingWindow, SourceWindows } from './pex-limits'
import { decodeRoomPeers, encodeRoomPeers, type RoomPeerEntry } from '../protocol/frames'
import { MAX_ROOM_PEER_ENTRIES } from '../protocol/limits'
import { canonicalAddress } from '../protocol/address'
import type { PeerFault } from '../protocol/errors'

/** How long a hinted member may take to show up in the room's presence before it is dialled (presence answers a new link within PRESENCE_LINK_UP_DELAY_MS). */
export const MEMBER_HINT_DELAY_MS = 2000
/** Dials of hinted room members this node starts per minute. */
export const MAX_MEMBER_DIALS_PER_MIN = 4
/** Hints (room, member) kept waiting to be judged; the oldest is dropped first. */
export const MAX_MEMBER_HINTS = 256
/** Hints remembered as told, per link, so each is told once; beyond it a link is told nothing more. */
export const MAX_HINTS_TOLD_PER_LINK = 4096

interface Hint { room: string; key: string; address: string; at: number }

export interface MemberLinkHooks {
  id: string
  /** Peer exchange is on (otherwise ROOM_PEERS frames are read and dropped, and none are sent). */
  enabled: boolean
  rooms: () => ReadonlySet<string>
  sessions: () => Iterable<LinkSession>
  /** Whether a key has a link (pending or up). */
  linked: (key: string) => boolean
  /** Whether a dial to this address is under way. */
  dialing: (address: string) => boolean
  /** The keys presence hears in `room` now: the room already reaches them through members. */
  heard: (room: string) => ReadonlySet<string>
  table: PeerTable
  /** Peer exchange's window for dials of never-reached addresses (MAX_PEX_DIALS_PER_MIN), shared. */
  pexDials: SlidingWindow
  dial: (address: string) => Promise<unknown>
  canDial: () => boolean
  now: () => number
  /** Reports entries over a peer's budget (PEX_LIMIT, not counted against its score). */
  refuse: (s: LinkSession, fault: PeerFault) => void
}

export interface MemberLinkStats {
  /** Entries sent and received. */
  told: number; heard: number
  /** Entries for rooms this node is not in, for itself, for the sender or with a bad address: dropped. */
  ignored: number
  /** New entries beyond a peer's MAX_PEX_NEW_PER_PEER_PER_MIN. */
  overPeerLimit: number
  dials: number
  /** Dials put off for a per-minute limit. */
  dialsDeferred: number
}

export class MemberLinks {
  readonly stats: MemberLinkStats = { told: 0, heard: 0, ignored: 0, overPeerLimit: 0, dials: 0, dialsDeferred: 0 }
  private readonly hints = new Map<string, Hint>()
  private readonly told = new WeakMap<LinkSession, Set<string>>()
  /** Per room: no dial of another member before this time (the last one's presence gets time to arrive). */
  private readonly roomWait = new Map<string, number>()
  private readonly perPeer: SourceWindows
  private readonly dialWindow: SlidingWindow

  constructor (private readonly h: MemberLinkHooks) {
    this.perPeer = new SourceWindows(MAX_PEX_NEW_PER_PEER_PER_MIN, PEX_WINDOW_MS, MAX_PEX_SOURCES, h.now)
    this.dialWindow = new SlidingWindow(MAX_MEMBER_DIALS_PER_MIN, PEX_WINDOW_MS, h.now)
  }

  /** Hints waiting to be judged. */
  get pending (): number { return this.hints.size }

  /** Tells every neighbour what it has not been told yet: its rooms' members among our other links, for rooms we are not in. Called when a link comes up or rooms change. */
  announce (): void {
    if (!this.h.enabled) return
    const mine = this.h.rooms()
    const up = [...this.h.sessions()].filter(s => s.established && s.hello)
    for (const s of up) {
      let told = this.told.get(s)
      if (!told) this.told.set(s, told = new Set())
      let out: RoomPeerEntry[] = []
      for (const room of s.hello!.rooms) {
        if (mine.has(room)) continue
        for (const t of up) {
          if (t.key === s.key || !t.shareable || !t.hello!.rooms.includes(room)) continue
          const address = t.dialable === null ? null : canonicalAddress(t.dialable)
          const id = `${room}/${t.key}`
          if (!address || told.has(id) || told.size >= MAX_HINTS_TOLD_PER_LINK) continue
          told.add(id)
          out.push({ room, key: t.link.remotePublicKey, address })
          if (out.length === MAX_ROOM_PEER_ENTRIES) { this.send(s, out); out = [] }
        }
      }
      if (out.length) this.send(s, out)
    }
  }

  private send (s: LinkSession, entries: RoomPeerEntry[]): void {
    this.stats.told += entries.length
    s.send(encodeRoomPeers(entries))
  }

  /** A ROOM_PEERS frame from a link: keeps hints of members of our rooms (a malformed frame throws a MeshError, closing the link). */
  onFrame (s: LinkSession, frame: Buffer): void {
    const entries = decodeRoomPeers(frame)
    this.stats.heard += entries.length
    if (!this.h.enabled) return
    const mine = this.h.rooms()
    const budget = this.perPeer.get(s.key)
    let over = 0
    for (const e of entries) {
      const key = e.key.toString('hex')
      const address = canonicalAddress(e.address)
      if (!address || key === this.h.id || key === s.key || !mine.has(e.room)) { this.stats.ignored++; continue }
      const id = `${e.room}/${key}`
      if (this.hints.has(id)) continue
      if (!budget.take()) { over++; continue }
      if (this.hints.size >= MAX_MEMBER_HINTS) this.hints.delete(this.hints.keys().next().value as string)
      this.hints.set(id, { room: e.room, key, address, at: this.h.now() })
    }
    if (over) {
      this.stats.overPeerLimit += over
      this.h.refuse(s, { code: 'PEX_LIMIT', message: `peer told of more than ${MAX_PEX_NEW_PER_PEER_PER_MIN} new room members in a minute; ignoring the rest` })
    }
  }

  /** Periodic work: dial hinted members our rooms do not reach. */
  tick (): void {
    if (!this.h.enabled || this.hints.size === 0) return
    const t = this.h.now()
    const mine = this.h.rooms()
    // Each room's members are read once per tick, however many hints name it.
    const heard = new Map<string, ReadonlySet<string>>()
    const hears = (room: string, key: string) => {
      let keys = heard.get(room)
      if (!keys) heard.set(room, keys = this.h.heard(room))
      return keys.has(key)
    }
    for (const [id, hint] of [...this.hints]) {
      if (!mine.has(hint.room) || this.h.linked(hint.key) || hears(hint.room, hint.key)) { this.hints.delete(id); continue }
      if (t - hint.at < MEMBER_HINT_DELAY_MS || (this.roomWait.get(hint.room) ?? 0) > t || this.h.dialing(hint.address) || !this.h.canDial()) continue
      const known = this.h.table.get(hint.address)
      const spendsPex = !known?.verified
      if (this.dialWindow.remaining() <= 0 || (spendsPex && this.h.pexDials.remaining() <= 0)) { this.stats.dialsDeferred++; continue }
      this.hints.delete(id)
      const learnt = this.h.table.learn(hint.address, hint.key)
      if (learnt === 'bad' || learnt === 'self' || learnt === 'invalid') continue
      this.dialWindow.take()
      if (spendsPex) this.h.pexDials.take()
      this.roomWait.set(hint.room, t + MEMBER_HINT_DELAY_MS)
      this.stats.dials++
      this.h.dial(hint.address).catch(() => this.h.table.failed(hint.address))
    }
    for (const [room, until] of this.roomWait) if (until <= t) this.roomWait.delete(room)
  }
}
