// The one accept pipeline for a flooded message, used by live frames, history
// sync and the on-disk history alike:
//   seen / already delivered -> shape -> time window -> new-author budget ->
//   signature -> mark seen -> author rate -> forward (live) -> dispatch.
// Cheap checks come first, so a replayed or refused message never costs a
// signature check twice; a forged copy is never marked seen, so it cannot
// block the genuine one.
import type { LinkSession } from './link-session'
import type { SeenCache } from './seen-cache'
import type { DeliveredLog } from './delivered-log'
import type { History } from './history'
import type { AuthorLimits } from './author-limits'
import { trace } from './trace'
import { overlayRoom } from './overlay'
import { PENALTY } from './link-session'
import { isValidNick, shortKey } from './names'
import { HOPS_OFFSET, MessageKind, decodeFlood, floodId, verifyFlood, withHops, type FloodMessage } from '../protocol/envelope'
import { MeshError, type ErrorCode } from '../protocol/errors'
import { MAX_CLOCK_SKEW_MS } from '../protocol/limits'

/** Where a frame came from: a link's FLOOD frame, a link's sync answer, or this node's own history file. */
export type Source = 'live' | 'sync' | 'store'

export type Verdict =
  /**
   * `id`: set for a live copy of a held message (lazy push prunes the link it
   * came on); `hops`: set when that copy came a shorter way (lazy push makes
   * its link the parent instead).
   */
  | { kind: 'duplicate'; id?: Buffer; hops?: number }
  /** Authentic or not, not taken: `blame` is what it costs the link's score; `author` (hex) and `as` for a young author's hold. */
  | { kind: 'refused'; code: ErrorCode; reason: string; blame: number; author?: string; as?: HeldAs }
  | { kind: 'invalid'; error: MeshError; close: boolean }
  /** `shorter`: seen before, this copy came a shorter way: forwarded again, not delivered again. */
  | { kind: 'accepted'; message: FloodMessage; shorter: boolean }

/** How a message waits in a link's hold (Pipeline.acceptHeld). */
export type HeldAs = 'paced' | 'queued' | 'other'

/** Message kinds that history keeps and sync carries. */
const HISTORY_KINDS: ReadonlySet<number> = new Set([MessageKind.CHAT, MessageKind.GUEST_CHAT, MessageKind.ACTION, MessageKind.GUEST_BATCH])

export interface PipelineHooks {
  seen: SeenCache
  delivered: DeliveredLog
  history: History
  authors: AuthorLimits
  now: () => number
  maxTtl: number
  /** Synced messages older than this are refused. */
  historyWindowMs: number
  /**
   * Sends a live message on (lazy-push.ts): `out` is the frame with its hop
   * counter raised, or null at the hop limit; `room` is its overlay room.
   */
  forward: (m: FloodMessage, room: string, author: string, out: Buffer | null, from: LinkSession | null) => void
  /** A message is now held (marked seen), whatever becomes of it; `author`: its key in hex. */
  known: (m: FloodMessage, room: string, author: string, hops: number) => void
  /**
   * Lazy push is on: a copy that comes a shorter way is sent on again only
   * when the first copy was at the hop limit (flooding sends on every shorter copy).
   */
  lazyPush: boolean
  /** Hands a new message to whatever handles its kind. */
  dispatch: (m: FloodMessage, source: Source) => void
  /** How many messages of `author` are held on link `s` for its budget (flood.ts): its next ones wait behind them. */
  heldFrom?: (s: LinkSession, author: string) => number
  /** Replaces verifyFlood (NodeOptions.verify: the simulator's shared check). */
  verify?: (m: FloodMessage) => boolean
  /** A key in hex, as the one string the node keeps for it (Directory.canonical). */
  keyHex: (key: Buffer) => string
}

export interface PipelineStats {
  received: number; duplicates: number; shorter: number; refused: number; invalid: number
  verified: number; forwarded: number; accepted: number
}

const log = trace('router')

export class Pipeline {
  readonly stats: PipelineStats = { received: 0, duplicates: 0, shorter: 0, refused: 0, invalid: 0, verified: 0, forwarded: 0, accepted: 0 }

  constructor (private readonly h: PipelineHooks) {}

  /** While a frame from a link's hold is judged again (acceptHeld): whether it was held as a young author's. */
  private retry: HeldAs | null = null

  /**
   * Judges a live frame again from its link's hold (flood.ts), as it was
   * held: 'paced', a young author's over its bucket when it came, is let in
   * at the link's young pace (YOUNG_MESSAGE_RATE) however many tokens its
   * author has by now, so a fresh key's burst comes in slowly, not at its
   * author's rate; 'queued', one that came while others of its author were
   * held, waits only for its author's tokens; 'other', from the other holds.
   */
  acceptHeld (frame: Buffer, from: LinkSession, as: HeldAs): Verdict {
    this.retry = as
    try { return this.accept(frame, 'live', from) } finally { this.retry = null }
  }

  /** Judges one FLOOD frame. `room`: the room a sync answer was for. */
  accept (frame: Buffer, source: Source, from: LinkSession | null = null, room?: string): Verdict {
    const v = this.judge(frame, source, from, room)
    if (log.enabled && v.kind !== 'accepted') log('%s from %s: %s %s', source, (from ? shortKey(from.key) : 'self'), v.kind, v.kind === 'refused' ? v.code : v.kind === 'invalid' ? v.error.message : '')
    return v
  }

  private judge (frame: Buffer, source: Source, from: LinkSession | null, room?: string): Verdict {
    const h = this.h
    this.stats.received++
    let m: FloodMessage
    let key: string
    let shorter = false
    let firstHops = 0
    try {
      const id = floodId(frame)
      key = id.toString('hex')
      if (source === 'live') {
        const seenHops = h.seen.hopsOf(key)
        if (seenHops !== undefined) {
          if (frame[HOPS_OFFSET] >= seenHops) return this.duplicate(id)
          shorter = true
          firstHops = seenHops
        }
      } else if (room !== undefined && (h.delivered.has(room, key) || h.history.has(room, key))) {
        return this.duplicate(id)
      }
      m = decodeFlood(frame, id)
    } catch (err) {
      return this.invalid(err instanceof MeshError ? err : MeshError.frameInvalid('malformed message'), source === 'live')
    }
    // Under lazy push a shorter copy matters only where the first one could not go on (lazy-push.ts).
    if (shorter && h.lazyPush && firstHops < Math.min(m.ttl, h.maxTtl)) return this.duplicate(m.id, m.hops)
    if (source === 'live' && m.hops < 1) return this.invalid(MeshError.frameInvalid('hop counter 0 on the wire'), true)
    if (!isValidNick(m.nick)) return this.invalid(new MeshError('BAD_NICK', `message ${shortKey(key)} carries a nick this node would not accept`), false)
    if (source !== 'live') {
      if (room !== undefined && m.room !== room) return this.invalid(MeshError.frameInvalid(`sync data for '${room}' holds a message of '${m.room}'`), false)
      if (!HISTORY_KINDS.has(m.kind)) return this.invalid(MeshError.frameInvalid(`message kind ${m.kind} has no place in history`), false)
    }
    const now = h.now()
    if (m.ts > now + MAX_CLOCK_SKEW_MS) return this.refuse('TIME_SKEW', `message dated ${Math.round((m.ts - now) / 1000)} s ahead`, PENALTY.TIME_SKEW)
    if (source === 'live' && now > m.expires) return this.refuse('EXPIRED', 'message expired', 0)
    // This node's own log may hold older messages (they stay on disk and in memory, but are never synced out).
    if (source === 'sync' && now - m.ts > h.historyWindowMs) return this.refuse('TOO_OLD', `message older than the history window of ${h.historyWindowMs} ms`, PENALTY.TOO_OLD)
    const author = h.keyHex(m.author)
    // An author already out of tokens: refused before its signature costs anything. Nothing is taken and
    // nothing marked seen, so a forged copy cannot spend an honest author's rate or shadow its message.
    // A guest batch costs its author one token a line (the gateway's own budget paced them so).
    const tokens = m.batch?.lines.length ?? 1
    const over = source === 'live' && !shorter && h.authors.spent(author, tokens)
    if (source === 'live' && from && !shorter) {
      // An author met lately (young) is held, not dropped, over its bucket: it cannot know what each relay saw of it.
      // Its messages keep their order: one that comes while others of its author are held waits behind them.
      const young = h.authors.young(author)
      if (this.retry === null && over && young) return this.heldYoung(author, 'paced')
      if (this.retry === null && (h.heldFrom?.(from, author) ?? 0) > 0) return this.heldYoung(author, 'queued')
      const introduces = !h.authors.known(author)
      // The budgets are looked at before any is spent, so a message held for one does not spend another each time it is tried.
      if (introduces && from.newAuthors.available < 1) {
        return this.refuse('NEW_AUTHOR_LIMIT', 'link introduced too many new authors this minute', PENALTY.NEW_AUTHOR)
      }
      const retry = this.retry
      const youngHold = retry === 'paced' || retry === 'queued'
      const paced = retry === 'paced' && young
      if (paced && from.youngMessages.available < 1) return this.heldYoung(author, 'paced')
      if (from.newMessages.available < 1) {
        return youngHold ? this.heldYoung(author, retry) : this.refuse('LINK_MESSAGE_RATE', 'link brought more new messages than its budget this second', 0)
      }
      if (youngHold && over) return this.heldYoung(author, retry)
      if (introduces) from.newAuthors.take()
      if (paced) from.youngMessages.take()
      from.newMessages.take()
    }
    if (over) return this.overRate(author)
    this.stats.verified++
    if (!(h.verify ?? verifyFlood)(m)) return this.invalid(new MeshError('BAD_SIGNATURE', `message ${shortKey(key)} has a bad signature`), false)
    if (shorter) {
      h.seen.setHops(key, m.hops)
      this.stats.shorter++
      this.forward(m, author, from)
      return { kind: 'accepted', message: m, shorter: true }
    }
    // Marked seen before the author's rate is checked: a message over its author's rate is dropped at every relay alike.
    h.seen.add(key, source === 'live' ? m.hops : 0)
    h.known(m, overlayRoom(m.kind, m.room), author, source === 'live' ? m.hops : 0)
    if (source === 'live' && !h.authors.take(author, tokens)) return this.overRate(author)
    this.stats.accepted++
    if (source === 'live') this.forward(m, author, from)
    h.dispatch(m, source)
    return { kind: 'accepted', message: m, shorter: false }
  }

  private forward (m: FloodMessage, author: string, from: LinkSession | null): void {
    const last = m.hops >= Math.min(m.ttl, this.h.maxTtl)
    if (!last) this.stats.forwarded++
    this.h.forward(m, overlayRoom(m.kind, m.room), author, last ? null : withHops(m.frame, m.hops + 1), from)
  }

  private duplicate (id?: Buffer, hops?: number): Verdict { this.stats.duplicates++; return { kind: 'duplicate', id, hops } }

  private refuse (code: ErrorCode, reason: string, blame: number, author?: string, as?: HeldAs): Verdict {
    this.stats.refused++
    return { kind: 'refused', code, reason, blame, author, as }
  }

  private overRate (author: string): Verdict { return this.refuse('AUTHOR_RATE', `author ${shortKey(author)} is over its rate`, 0) }

  private heldYoung (author: string, as: HeldAs): Verdict {
    return this.refuse('NEW_AUTHOR_BURST', as === 'paced'
      ? `author ${shortKey(author)}, met lately, is over its first burst: held, let in at the link's young pace`
      : `behind held messages of author ${shortKey(author)}`, 0, author, as)
  }

  private invalid (error: MeshError, close: boolean): Verdict {
    this.stats.invalid++
    return { kind: 'invalid', error, close }
  }
}
