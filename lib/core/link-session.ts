// The node's view of one link: handshake state, what the peer said in HELLO,
// inbound rate limit, score, output budget and liveness.
import type { Link } from './link'
import type { Hello } from '../protocol/frames'
import { HelloFlag } from '../protocol/frames'
import { TokenBucket } from './token-bucket'
import { MeshError } from '../protocol/errors'
import { formatAddress, isWildcardHost, parseAddress } from '../protocol/address'

/** A link whose score falls to this is closed and its key and IP refused for a while. */
export const PEER_SCORE_CLOSE = -100
/**
 * What each fault costs a link's score. A skewed clock or an old message is
 * not an attack on its own, so those cost little; a forged signature or a
 * peer that keeps asking for history costs much.
 */
export const PENALTY = {
  /** Bad signature, unknown frame type, malformed message (DEFAULT_PENALTY). */
  BAD_FRAME: 10,
  /** A sync offer over its per-room budget (SYNC_FLOOD). */
  SYNC_OVER_BUDGET: 10,
  /**
   * A sync answer that replays messages this node's offer listed
   * (SYNC_USELESS), per SYNC_USELESS_UNIT of them (at least one unit): an
   * honest answer never holds one, so a full replayed frame of 256 costs 80
   * and the link is closed by the frame after it.
   */
  SYNC_USELESS: 10,
  /**
   * Sync data no offer of ours asked for, or past what it may bring
   * (SYNC_UNSOLICITED), per frame: an honest node answers only offers, so
   * ten such frames close the link (each may be 64 KiB to read).
   */
  SYNC_UNSOLICITED: 10,
  /** A message from an author new to this node, over the link's budget (NEW_AUTHOR_LIMIT): free, since an honest relay in a big room carries many new authors at once. */
  NEW_AUTHOR: 0,
  /** A message dated more than the allowed skew ahead (TIME_SKEW). */
  TIME_SKEW: 1,
  /** A synced message older than the history window (TOO_OLD). */
  TOO_OLD: 1
} as const

/** Replayed messages in a sync answer that cost PENALTY.SYNC_USELESS. */
export const SYNC_USELESS_UNIT = 32

/** Points a lowered score climbs back towards 0 for each whole minute of good behaviour. */
export const PEER_SCORE_RECOVERY_PER_MIN = 30

export interface SessionLimits {
  rate: number
  burst: number
  /** Bytes queued for this link before it counts as stuck and is closed (SLOW_LINK). */
  maxQueuedBytes: number
  /** A fresh budget for the authors this link may introduce. */
  newAuthors: () => TokenBucket
  /** A fresh budget for the messages new to this node that this link may bring (LINK_MESSAGE_RATE). */
  newMessages: () => TokenBucket
  /** A fresh budget for tries of young authors' held messages (YOUNG_MESSAGE_RATE). */
  youngMessages: () => TokenBucket
  now: () => number
}

export class LinkSession {
  readonly key: string
  readonly createdAt: number
  hello: Hello | null = null
  established = false
  /** Since when the peer has been in each of its rooms, as far as this link saw (HELLO, then ROOMS). */
  private readonly roomsSince = new Map<string, number>()
  dropped = 0
  lastRx: number
  lastTx: number
  /** Authors this node had not met that this link may still introduce. */
  readonly newAuthors: TokenBucket
  readonly newMessages: TokenBucket
  readonly youngMessages: TokenBucket
  private rawScore = 0
  /** Per fault code: when it was last reported for this link, and how many came since. */
  private readonly noted = new Map<string, { at: number; since: number }>()
  private scoredAt: number
  private overSince = 0
  private lastDropAt = 0
  private readonly bucket: TokenBucket
  /** Settles when HELLO arrives (resolve) or the link closes first (reject). */
  readonly ready: Promise<void>
  private settle!: { resolve: () => void; reject: (err: Error) => void }

  constructor (readonly link: Link, readonly dialedAddress: string | null, private readonly limits: SessionLimits) {
    this.key = link.remotePublicKey.toString('hex')
    this.createdAt = this.lastRx = this.lastTx = this.scoredAt = limits.now()
    this.bucket = new TokenBucket(limits.rate, limits.burst, limits.now)
    this.newAuthors = limits.newAuthors()
    this.newMessages = limits.newMessages()
    this.youngMessages = limits.youngMessages()
    this.ready = new Promise<void>((resolve, reject) => { this.settle = { resolve, reject } })
    this.ready.catch(() => {})
  }

  establish (hello: Hello): void {
    this.hello = hello
    this.established = true
    this.setRooms(hello.rooms)
    this.settle.resolve()
  }

  /** The peer's rooms changed (a ROOMS frame). */
  setRooms (rooms: string[]): void {
    if (this.hello) this.hello.rooms = rooms
    const now = this.limits.now()
    for (const r of this.roomsSince.keys()) if (!rooms.includes(r)) this.roomsSince.delete(r)
    for (const r of rooms) if (!this.roomsSince.has(r)) this.roomsSince.set(r, now)
  }

  /** Since when this link has had its peer in `room`; undefined when it is not. */
  inRoomSince (room: string): number | undefined { return this.roomsSince.get(room) }

  closed (err: Error): void { this.settle.reject(err) }

  /** The link's score: 0 when well behaved, lower for each fault, recovering slowly. */
  get score (): number {
    const minutes = Math.floor((this.limits.now() - this.scoredAt) / 60_000)
    if (minutes > 0) {
      this.rawScore = Math.min(0, this.rawScore + minutes * PEER_SCORE_RECOVERY_PER_MIN)
      this.scoredAt += minutes * 60_000
    }
    return this.rawScore
  }

  /**
   * Counts one fault of `code` on this link. Returns null while it was
   * reported within `intervalMs`; otherwise how many more came since that
   * report (0 the first time), and starts a new interval.
   */
  note (code: string, intervalMs: number): number | null {
    const t = this.limits.now()
    const n = this.noted.get(code)
    if (n && t - n.at < intervalMs) { n.since++; return null }
    this.noted.set(code, { at: t, since: 0 })
    return n ? n.since : 0
  }

  /** Lowers the score by `points`; returns the new score. */
  blame (points: number): number {
    const s = this.score
    this.rawScore = s - points
    return this.rawScore
  }

  /**
   * Takes a token for an inbound frame. Returns 'ok', 'drop' (over the limit)
   * or 'close' (over the limit for longer than graceMs).
   */
  admit (graceMs: number): 'ok' | 'drop' | 'close' {
    const t = this.limits.now()
    this.lastRx = t
    if (this.bucket.take()) {
      if (this.overSince && t - this.lastDropAt > 1000) this.overSince = 0
      return 'ok'
    }
    this.dropped++
    this.lastDropAt = t
    if (!this.overSince) this.overSince = t
    return t - this.overSince > graceMs ? 'close' : 'drop'
  }

  /** Queues a frame; a link with more than its output budget queued is closed instead (SLOW_LINK). Returns whether it was queued. */
  send (frame: Buffer): boolean {
    if (this.link.closed) return false
    if (this.link.bufferedBytes > this.limits.maxQueuedBytes) {
      this.link.destroy(new MeshError('SLOW_LINK', `more than ${this.limits.maxQueuedBytes} bytes queued for ${this.displayAddress}`))
      return false
    }
    this.lastTx = this.limits.now()
    this.link.send(frame)
    return true
  }

  get nick (): string { return this.hello?.nick ?? '' }

  get shareable (): boolean { return !!this.hello && (this.hello.flags & HelloFlag.SHAREABLE) !== 0 }

  /** The remote IP (without port). */
  get remoteHost (): string {
    try { return parseAddress(this.link.remoteAddress).host } catch { return this.link.remoteAddress }
  }

  /** The address this peer can be dialled at, or null when it listens nowhere. */
  get dialable (): string | null {
    const listen = this.hello?.listen
    if (!listen) return null
    try {
      const { host, port } = parseAddress(listen)
      if (port === 0) return null
      if (!isWildcardHost(host)) return listen
      const remote = parseAddress(this.link.remoteAddress)
      return formatAddress(remote.host, port)
    } catch {
      return null
    }
  }

  /** What to show as this peer's address: where it listens, else where it connects from. */
  get displayAddress (): string { return this.dialable ?? this.dialedAddress ?? this.link.remoteAddress }
}
