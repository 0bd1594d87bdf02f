// Peer exchange: tell neighbours the addresses we know (our links first, then
// addresses we have dialled successfully), learn theirs, and dial learnt
// addresses while the node has fewer than --min-links, those of peers known
// to share a room first. What a peer sends is
// bounded: entries claiming our own key are ignored, each peer introduces at
// most MAX_PEX_NEW_PER_PEER_PER_MIN new addresses, and the node starts at most
// MAX_PEX_DIALS_PER_MIN dials of exchanged addresses it has never reached
// (limits in pex-limits.ts).
import { shortKey } from './names'
import type { LinkSession } from './link-session'
import type { PeerTable, PeerTableStats } from './peer-table'
import { decodePex, encodePex, type PexEntry } from '../protocol/frames'
import { MAX_PEX_ENTRIES } from '../protocol/limits'
import { canonicalAddress } from '../protocol/address'
import { MeshError, type ErrorCode } from '../protocol/errors'
import {
  MAX_PEX_DIALS_PER_MIN, MAX_PEX_NEW_PER_PEER_PER_MIN, MAX_PEX_SOURCES, PEX_WINDOW_MS, SlidingWindow, SourceWindows
} from './pex-limits'

export interface PexHooks {
  id: string
  table: PeerTable
  sessions: () => Iterable<LinkSession>
  /** Remote keys with a link (pending or up). */
  linkedKeys: () => { has (key: string): boolean; size: number }
  dialing: () => { has (address: string): boolean; size: number }
  /** Whether an address (canonical) is a `--peer` target: redialled on its own backoff (dialing.ts), never by peer exchange too. */
  isTarget?: (address: string) => boolean
  dial: (address: string) => Promise<unknown>
  canDial: () => boolean
  minLinks: number
  maxLinks: number
  intervalMs: number
  now: () => number
  /** The window of dials of never-reached addresses (MAX_PEX_DIALS_PER_MIN), shared with member linking; a fresh one when absent. */
  dialWindow?: SlidingWindow
  /** Whether a key is known to share a room with this node: such addresses are dialled first. */
  sharesRoom?: (key: string) => boolean
  /** Reports a peer over its limits (PEX_LIMIT), at most once per peer per window. */
  fault?: (code: ErrorCode, message: string, peer?: string) => void
}

export interface PexStats {
  frames: number
  entries: number
  /** Entries claiming this node's own key: ignored. */
  selfIgnored: number
  /** New entries beyond a peer's MAX_PEX_NEW_PER_PEER_PER_MIN: ignored. */
  overPeerLimit: number
  /** Dials of exchanged addresses started. */
  dials: number
  /** Dials of never-reached addresses put off because MAX_PEX_DIALS_PER_MIN were already started this minute. */
  dialsDeferred: number
}

/** Source key used when a caller does not say which link a frame came on. */
const UNKNOWN_SOURCE = '?'

export class PeerExchange {
  readonly stats: PexStats = { frames: 0, entries: 0, selfIgnored: 0, overPeerLimit: 0, dials: 0, dialsDeferred: 0 }
  private lastSentAt = 0
  private readonly perPeer: SourceWindows
  private readonly dialWindow: SlidingWindow
  private readonly reported: SourceWindows

  constructor (private readonly h: PexHooks) {
    this.perPeer = new SourceWindows(MAX_PEX_NEW_PER_PEER_PER_MIN, PEX_WINDOW_MS, MAX_PEX_SOURCES, h.now)
    this.dialWindow = h.dialWindow ?? new SlidingWindow(MAX_PEX_DIALS_PER_MIN, PEX_WINDOW_MS, h.now)
    this.reported = new SourceWindows(1, PEX_WINDOW_MS, MAX_PEX_SOURCES, h.now)
  }

  /** Sending peers whose per-minute window is kept (at most MAX_PEX_SOURCES). */
  get sources (): number { return this.perPeer.size }

  /** Both counters in one object, for tests and a /peers view. */
  snapshot (): PexStats & PeerTableStats & { known: number; self: number; bad: number } {
    const t = this.h.table
    return { ...this.stats, ...t.stats, known: t.size, self: t.selfCount, bad: t.badCount }
  }

  /** A link finished its handshake: remember where the peer listens, tell everyone. */
  onEstablished (s: LinkSession): void {
    if (s.dialedAddress) this.h.table.confirm(s.dialedAddress, s.key)
    const dialable = s.dialable
    if (dialable && s.shareable) this.h.table.learn(dialable, s.key, true)
    this.send()
  }

  /** A PEX frame from the peer with key `fromKey` (the link it came on). */
  onFrame (frame: Buffer, fromKey: string = UNKNOWN_SOURCE): void {
    const entries = decodePex(frame)
    this.stats.frames++
    this.stats.entries += entries.length
    const budget = this.perPeer.get(fromKey)
    let over = 0
    for (const e of entries) {
      const key = e.key.toString('hex')
      // Only our own dials tell us our addresses (LinkTable's onSelfAddress).
      if (key === this.h.id) { this.stats.selfIgnored++; continue }
      // Out of budget: the rest is not even parsed.
      if (budget.remaining() <= 0) { over++; continue }
      if (this.h.table.learn(e.address, key) === 'new') budget.take()
    }
    if (over) {
      this.stats.overPeerLimit += over
      if (this.reported.get(fromKey).take()) {
        const err = new MeshError('PEX_LIMIT', `peer ${shortKey(fromKey)} sent more than ${MAX_PEX_NEW_PER_PEER_PER_MIN} new addresses in a minute; ignoring the rest`)
        this.h.fault?.(err.code, err.message, fromKey === UNKNOWN_SOURCE ? undefined : fromKey)
      }
    }
  }

  /** Periodic work: resend the list now and then, dial while short of links. */
  tick (): void {
    if (this.h.now() - this.lastSentAt >= this.h.intervalMs) this.send()
    this.dialIfShort()
  }

  private dialIfShort (): void {
    const linked = this.h.linkedKeys()
    const dialing = this.h.dialing()
    if (linked.size >= this.h.minLinks || linked.size >= this.h.maxLinks || !this.h.canDial()) return
    const want = this.h.minLinks - linked.size - dialing.size
    if (want <= 0) return
    // A --peer target that is down is redialled by its own backoff; dialled here too, it spent the
    // budget of never-reached addresses, and a neighbour that had gone down waited behind it.
    const picks = this.h.table.candidates(e => linked.has(e.key) || dialing.has(e.address) || !!this.h.isTarget?.(e.address))
    // Peers that share a room first: with room overlays, a link to a non-member carries none of our rooms.
    const shares = this.h.sharesRoom
    if (shares) picks.sort((a, b) => Number(shares(b.key)) - Number(shares(a.key)))
    let started = 0
    for (const e of picks) {
      if (started >= want) break
      // Addresses we have linked with before are redialled on their own backoff;
      // only never-reached ones spend the node's per-minute dial budget.
      if (!e.verified && !this.dialWindow.take()) { this.stats.dialsDeferred++; continue }
      started++
      this.stats.dials++
      this.h.dial(e.address).catch(() => this.h.table.failed(e.address))
    }
  }

  send (): void {
    this.lastSentAt = this.h.now()
    const entries: PexEntry[] = []
    const seen = new Set<string>()
    for (const s of this.h.sessions()) {
      const a = s.dialable === null ? null : canonicalAddress(s.dialable)
      if (!s.established || !s.shareable || !a || seen.has(a)) continue
      seen.add(a)
      entries.push({ key: s.link.remotePublicKey, address: a })
    }
    // Addresses only heard of are not passed on: one hostile peer must not
    // make every neighbour of ours dial its target too.
    for (const e of this.h.table.entries()) {
      if (entries.length >= MAX_PEX_ENTRIES) break
      if (!e.verified || seen.has(e.address)) continue
      seen.add(e.address)
      entries.push({ key: Buffer.from(e.key, 'hex'), address: e.address })
    }
    for (const s of this.h.sessions()) {
      if (!s.established) continue
      const mine = entries.filter(e => !e.key.equals(s.link.remotePublicKey))
      if (mine.length) s.send(encodePex(mine))
    }
  }
}
