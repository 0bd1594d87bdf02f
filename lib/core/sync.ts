// History sync: when a link comes up, both sides offer the short ids of what
// they hold for each room they share, and each pushes what the other lacks.
// A node that gained messages this way asks its other neighbours to compare
// too, so a healed partition converges hop by hop.
import type { LinkSession } from './link-session'
import type { History } from './history'
import type { SeenCache } from './seen-cache'
import { decodeSyncData, decodeSyncOffer, encodeSyncData, encodeSyncOffer } from '../protocol/frames'
import { decodeFlood, floodId, verifyFlood, type FloodMessage } from '../protocol/envelope'
import { MeshError } from '../protocol/errors'
import { MAX_FRAME_BYTES, MAX_SYNC_BATCH } from '../protocol/limits'

/** Most bytes of messages one node sends in answer to one offer. */
export const MAX_SYNC_SEND_BYTES = 4 * 1024 * 1024
/** Room left in a sync data frame for its header. */
const SYNC_FRAME_HEADROOM = 256

export interface SyncHooks {
  history: History
  seen: SeenCache
  rooms: () => Set<string>
  sessions: () => Iterable<LinkSession>
  /** Called with newly learnt messages of one room, oldest first. */
  deliver: (messages: FloodMessage[]) => void
  penalise: (s: LinkSession, err: MeshError) => void
}

export class HistorySync {
  private readonly pendingReoffer = new Map<string, Set<LinkSession>>()
  stats = { offersSent: 0, messagesSent: 0, messagesLearnt: 0 }

  constructor (private readonly hooks: SyncHooks) {}

  private sharedRooms (s: LinkSession): string[] {
    const theirs = new Set(s.hello?.rooms ?? [])
    return [...this.hooks.rooms()].filter(r => theirs.has(r))
  }

  private offer (s: LinkSession, room: string, reply: boolean): void {
    this.stats.offersSent++
    s.send(encodeSyncOffer({ room, reply, ids: this.hooks.history.room(room).shortIds() }))
  }

  /** A link just finished its handshake. */
  onEstablished (s: LinkSession): void {
    for (const room of this.sharedRooms(s)) this.offer(s, room, false)
  }

  /** This node joined a room: compare it with every neighbour in it. */
  onJoin (room: string): void {
    for (const s of this.hooks.sessions()) if (s.established && s.hello?.rooms.includes(room)) this.offer(s, room, true)
  }

  onOffer (s: LinkSession, frame: Buffer): void {
    const o = decodeSyncOffer(frame)
    if (!this.hooks.rooms().has(o.room)) return
    const missing = this.hooks.history.room(o.room).missingFrom(o.ids)
    let batch: Buffer[] = []
    let batchBytes = 0
    let total = 0
    const flush = () => {
      if (batch.length) s.send(encodeSyncData({ room: o.room, frames: batch }))
      batch = []
      batchBytes = 0
    }
    for (const m of missing) {
      if (total + m.frame.byteLength > MAX_SYNC_SEND_BYTES) break
      if (batch.length >= MAX_SYNC_BATCH || batchBytes + m.frame.byteLength + 8 > MAX_FRAME_BYTES - SYNC_FRAME_HEADROOM) flush()
      batch.push(m.frame)
      batchBytes += m.frame.byteLength + 8
      total += m.frame.byteLength
      this.stats.messagesSent++
    }
    flush()
    if (o.reply) this.offer(s, o.room, false)
  }

  onData (s: LinkSession, frame: Buffer): void {
    const d = decodeSyncData(frame)
    if (!this.hooks.rooms().has(d.room)) return
    const learnt: FloodMessage[] = []
    for (const f of d.frames) {
      let m: FloodMessage
      try {
        const id = floodId(f)
        const key = id.toString('hex')
        if (this.hooks.seen.has(key) || this.hooks.history.has(d.room, key)) continue
        m = decodeFlood(f, id)
      } catch (err) {
        this.hooks.penalise(s, err instanceof MeshError ? err : MeshError.frameInvalid('bad message in sync data'))
        continue
      }
      if (m.room !== d.room) { this.hooks.penalise(s, MeshError.frameInvalid('sync data message from another room')); continue }
      if (!verifyFlood(m)) { this.hooks.penalise(s, new MeshError('BAD_SIGNATURE', 'sync data message has a bad signature')); continue }
      if (!this.hooks.history.add(m)) continue
      this.hooks.seen.add(m.id.toString('hex'))
      learnt.push(m)
    }
    if (!learnt.length) return
    this.stats.messagesLearnt += learnt.length
    learnt.sort((a, b) => a.ts - b.ts)
    this.hooks.deliver(learnt)
    this.scheduleReoffer(d.room, s)
  }

  /** After learning messages from `from`, ask the other neighbours in the room to compare (once per turn). */
  private scheduleReoffer (room: string, from: LinkSession): void {
    let excluded = this.pendingReoffer.get(room)
    if (excluded) { excluded.add(from); return }
    excluded = new Set([from])
    this.pendingReoffer.set(room, excluded)
    setImmediate(() => {
      const skip = this.pendingReoffer.get(room) ?? new Set()
      this.pendingReoffer.delete(room)
      for (const s of this.hooks.sessions()) {
        if (!s.established || skip.has(s) || s.link.closed || !s.hello?.rooms.includes(room)) continue
        this.offer(s, room, true)
      }
    })
  }
}
