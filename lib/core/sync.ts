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
import type { Clock } from './clock'
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
/**
 * An offer sent within this many ms of the link's previous offer for the
 * room is judged from that offer's history (the earlier answer may still be
 * on its way): how long an honest answer may take to arrive.
 */
export const SYNC_ANSWER_GRACE_MS = 30_000
/**
 * A synced message dated at most this many ms ago, when this node was
 * already in its room with a link up there, is shown live, not as history: it was sent
 * while this node could hear it and only beat its live copy here, over a
 * link that had just come up.
 */
export const SYNC_RACED_LIVE_MS = 5_000

export interface SyncHooks {
  history: History
  pipeline: Pipeline
  rooms: () => Set<string>
  sessions: () => Iterable<LinkSession>
  penalise: (s: LinkSession, fault: PeerFault, points?: number) => void
  now: () => number
  clock: Clock
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
  /** Per link and room: the history mark of the earliest offer whose answer may still come, and when the latest offer went. */
  private readonly offered = new WeakMap<LinkSession, Map<string, { mark: number, at: number }>>()
  /** When this node joined each room it joined after it started (the others: when it started). */
  private readonly joined = new Map<string, number>()
  private readonly started: number
  readonly stats = { offersSent: 0, offersRefused: 0, messagesSent: 0, messagesLearnt: 0, answersRacedLive: 0 }

  constructor (private readonly h: SyncHooks) {
    this.reoffers = new Reoffers(h.sessions, (s, room) => this.offer(s, room, true), h.clock)
    this.answers = new OfferBudget(SYNC_ANSWERS_BURST, SYNC_ANSWER_REFILL_MS, h.now)
    this.started = h.now()
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
    let rooms = this.offered.get(s)
    if (!rooms) this.offered.set(s, rooms = new Map())
    const last = rooms.get(room)
    const now = this.h.now()
    const held = this.h.history.room(room)
    rooms.set(room, { mark: last && now - last.at < SYNC_ANSWER_GRACE_MS ? last.mark : held.mark, at: now })
    s.send(encodeSyncOffer({ room, reply, ids: held.shortIds() }))
  }

  /** A link just finished its handshake. */
  onEstablished (s: LinkSession): void {
    for (const room of this.sharedRooms(s)) this.offer(s, room, false)
  }

  /** This node joined a room: compare it with every neighbour in it. */
  onJoin (room: string): void {
    this.joined.set(room, this.h.now())
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

  /** Whether a message of `room` dated `ts` that sync brought is one this node was hearing live: in the room, with a link to a peer in it (SYNC_RACED_LIVE_MS). */
  racedLive (room: string, ts: number): boolean {
    if (ts < this.h.now() - SYNC_RACED_LIVE_MS || ts < (this.joined.get(room) ?? this.started)) return false
    for (const s of this.h.sessions()) {
      const since = s.inRoomSince(room)
      if (s.established && !s.link.closed && since !== undefined && since <= ts) return true
    }
    return false
  }

  onData (s: LinkSession, d: SyncData): void {
    if (!this.h.rooms().has(d.room)) return
    if (!this.expected.take(s, d.room, d.frames)) {
      return this.h.penalise(s, { code: 'SYNC_UNSOLICITED', message: `sync data for '${d.room}' (${d.frames.length} messages) beyond any answer to this node's offers; not read` }, PENALTY.SYNC_UNSOLICITED)
    }
    // An honest answer holds only what our offer lacked: a duplicate we already held then is a replay.
    // One held only since came another way meanwhile (another neighbour's answer, or live): no fault.
    const history = this.h.history.room(d.room)
    const mark = this.offered.get(s)?.get(d.room)?.mark ?? Infinity
    let learnt = 0
    let duplicates = 0
    let replayed = 0
    for (const f of d.frames) {
      if (s.link.closed) return
      const v = this.h.pipeline.accept(f, 'sync', s, d.room)
      if (v.kind === 'accepted') learnt++
      else if (v.kind === 'duplicate') {
        duplicates++
        if (!v.id || history.heldBefore(v.id.toString('hex'), mark)) replayed++
      } else if (v.kind === 'invalid') this.h.penalise(s, v.error)
      else this.h.penalise(s, { code: v.code, message: `sync data: ${v.reason}` }, v.blame)
    }
    if (duplicates === d.frames.length && !replayed) this.stats.answersRacedLive++
    else if (replayed) {
      // A frame that replays what our offer listed ends what this offer may still bring.
      this.expected.close(s, d.room)
      this.h.penalise(s, { code: 'SYNC_USELESS', message: `sync data for '${d.room}' held ${replayed} messages this node's offer listed` }, PENALTY.SYNC_USELESS * Math.ceil(replayed / SYNC_USELESS_UNIT))
    }
    if (!learnt) return
    this.stats.messagesLearnt += learnt
    this.reoffers.schedule(d.room, s)
  }
}
