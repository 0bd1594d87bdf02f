// History sync: when a link comes up, both sides offer the short ids of what
// they hold for each room they share, and each pushes what the other lacks.
// A node that gained messages this way asks its other neighbours to compare
// too, so a healed partition converges hop by hop. Answers are budgeted per
// link and room and in bytes per minute: a peer that keeps offering is
// penalised, not served. Data is taken only in answer to an offer this node
// sent, up to what one answer may hold: a peer cannot make this node judge
// replayed or unasked-for answers at its own pace. What arrives goes through
// the one accept pipeline.
import { shortKey } from './names'
import type { LinkSession } from './link-session'
import type { History } from './history'
import type { Pipeline } from './pipeline'
import type { FrameRegistry } from './frame-registry'
import { TokenBucket } from './token-bucket'
import { AnswerWindow, OfferBudget, Reoffers, batches } from './answer-window'
import { PENALTY, SYNC_USELESS_UNIT } from './link-session'
import { trace } from './trace'
import { FrameType, decodeSyncData, decodeSyncOffer, encodeSyncData, encodeSyncOffer, type SyncData, type SyncOffer } from '../protocol/frames'
import type { PeerFault } from '../protocol/errors'
import { MAX_CLOCK_SKEW_MS } from '../protocol/limits'

/** Most bytes of messages one node sends in answer to one offer (the newest that fit). */
export const MAX_SYNC_SEND_BYTES = 2 * 1024 * 1024
/** Offers per room one link may have answered at once... */
export const SYNC_ANSWERS_BURST = 4
/** ...and one more every this many ms. */
export const SYNC_ANSWER_REFILL_MS = 15_000
/** Bytes of sync answers one link may get per minute, all rooms together. */
export const MAX_SYNC_BYTES_PER_LINK_PER_MIN = 8 * 1024 * 1024

export interface SyncHooks {
  history: History
  pipeline: Pipeline
  rooms: () => Set<string>
  sessions: () => Iterable<LinkSession>
  penalise: (s: LinkSession, fault: PeerFault, points?: number) => void
  now: () => number
  /** Messages older than this are not offered to peers (they would refuse them). */
  historyWindowMs: number
}


const log = trace('sync')

export class HistorySync {
  /** Per link: sync bytes it may still be sent this minute. */
  private readonly bytes = new WeakMap<LinkSession, TokenBucket>()
  private readonly answers: OfferBudget
  /** Bytes of sync data each link may still send per room: what one answer to this node's latest offer may hold. */
  private readonly expected = new AnswerWindow()
  private readonly reoffers: Reoffers
  readonly stats = { offersSent: 0, offersRefused: 0, messagesSent: 0, messagesLearnt: 0, answersRacedLive: 0 }

  constructor (private readonly h: SyncHooks) {
    this.reoffers = new Reoffers(h.sessions, (s, room) => this.offer(s, room, true))
    this.answers = new OfferBudget(SYNC_ANSWERS_BURST, SYNC_ANSWER_REFILL_MS, h.now)
  }

  register (registry: FrameRegistry): void {
    registry.add<SyncOffer>(FrameType.SYNC_OFFER, { name: 'sync offer', decode: decodeSyncOffer, onmessage: (s, o) => this.onOffer(s, o) })
    registry.add<SyncData>(FrameType.SYNC_DATA, { name: 'sync data', decode: decodeSyncData, onmessage: (s, d) => this.onData(s, d) })
  }

  private sharedRooms (s: LinkSession): string[] {
    const theirs = new Set(s.hello?.rooms ?? [])
    return [...this.h.rooms()].filter(r => theirs.has(r))
  }

  private offer (s: LinkSession, room: string, reply: boolean): void {
    this.stats.offersSent++
    this.expected.open(s, room, MAX_SYNC_SEND_BYTES)
    s.send(encodeSyncOffer({ room, reply, ids: this.h.history.room(room).shortIds() }))
  }

  /** A link just finished its handshake. */
  onEstablished (s: LinkSession): void {
    for (const room of this.sharedRooms(s)) this.offer(s, room, false)
  }

  /** This node joined a room: compare it with every neighbour in it. */
  onJoin (room: string): void {
    for (const s of this.h.sessions()) if (s.established && s.hello?.rooms.includes(room)) this.offer(s, room, true)
  }

  private byteBudget (s: LinkSession): TokenBucket {
    let b = this.bytes.get(s)
    if (!b) this.bytes.set(s, b = new TokenBucket(MAX_SYNC_BYTES_PER_LINK_PER_MIN / 60, MAX_SYNC_BYTES_PER_LINK_PER_MIN, this.h.now))
    return b
  }

  onOffer (s: LinkSession, o: SyncOffer): void {
    if (!this.h.rooms().has(o.room)) return
    if (!this.answers.take(s, o.room)) {
      this.stats.offersRefused++
      return this.h.penalise(s, { code: 'SYNC_FLOOD', message: `offered room '${o.room}' more often than ${SYNC_ANSWERS_BURST} times per ${SYNC_ANSWER_REFILL_MS / 1000} s` }, PENALTY.SYNC_OVER_BUDGET)
    }
    // Nothing a peer would refuse as too old, with room for its clock being ahead of ours.
    const oldest = this.h.now() - this.h.historyWindowMs + MAX_CLOCK_SKEW_MS
    const missing = this.h.history.room(o.room).missingFrom(o.ids).filter(m => m.ts >= oldest)
    // The newest that fit this answer's and this link's byte budgets, sent oldest first.
    const bytes = this.byteBudget(s)
    const cap = Math.min(MAX_SYNC_SEND_BYTES, bytes.available)
    let total = 0
    let first = missing.length
    while (first > 0 && total + missing[first - 1].frame.byteLength <= cap) total += missing[--first].frame.byteLength
    bytes.take(total)
    const frames = missing.slice(first).map(m => m.frame)
    this.stats.messagesSent += frames.length
    for (const batch of batches(frames)) s.send(encodeSyncData({ room: o.room, frames: batch }))
    log('answered %s for #%s: %d of %d missing, %d bytes', shortKey(s.key), o.room, missing.length - first, missing.length, total)
    if (o.reply) this.offer(s, o.room, false)
  }

  onData (s: LinkSession, d: SyncData): void {
    if (!this.h.rooms().has(d.room)) return
    if (!this.expected.take(s, d.room, d.frames)) {
      return this.h.penalise(s, { code: 'SYNC_UNSOLICITED', message: `sync data for '${d.room}' (${d.frames.length} messages) beyond any answer to this node's offers; not read` }, PENALTY.SYNC_UNSOLICITED)
    }
    let learnt = 0
    let duplicates = 0
    for (const f of d.frames) {
      if (s.link.closed) return
      const v = this.h.pipeline.accept(f, 'sync', s, d.room)
      if (v.kind === 'accepted') learnt++
      else if (v.kind === 'duplicate') duplicates++
      else if (v.kind === 'invalid') this.h.penalise(s, v.error)
      else this.h.penalise(s, { code: v.code, message: `sync data: ${v.reason}` }, v.blame)
    }
    if (duplicates === d.frames.length) {
      // An answer sends only what our offer showed missing: a frame of nothing new ends what this offer may still bring.
      this.expected.close(s, d.room)
      // Fewer than a unit: messages that reached us live while the answer was on its way (offers go out while a room talks), no fault.
      if (d.frames.length < SYNC_USELESS_UNIT) this.stats.answersRacedLive++
      else this.h.penalise(s, { code: 'SYNC_USELESS', message: `sync data for '${d.room}' held nothing new (${d.frames.length} messages)` }, PENALTY.SYNC_USELESS * Math.ceil(d.frames.length / SYNC_USELESS_UNIT))
    }
    if (!learnt) return
    this.stats.messagesLearnt += learnt
    this.reoffers.schedule(d.room, s)
  }
}
