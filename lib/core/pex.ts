// Peer exchange: tell neighbours the addresses we know (our links first), learn
// theirs, and dial learnt addresses while the node has fewer than --min-links.
import type { LinkSession } from './link-session'
import type { PeerTable } from './peer-table'
import { decodePex, encodePex, type PexEntry } from '../protocol/frames'
import { MAX_PEX_ENTRIES } from '../protocol/limits'

export interface PexHooks {
  id: string
  table: PeerTable
  sessions: () => Iterable<LinkSession>
  /** Remote keys with a link (pending or up). */
  linkedKeys: () => { has (key: string): boolean; size: number }
  dialing: () => { has (address: string): boolean; size: number }
  dial: (address: string) => Promise<unknown>
  canDial: () => boolean
  minLinks: number
  maxLinks: number
  intervalMs: number
  now: () => number
}

export class PeerExchange {
  private lastSentAt = 0
  constructor (private readonly h: PexHooks) {}

  /** A link finished its handshake: remember where the peer listens, tell everyone. */
  onEstablished (s: LinkSession): void {
    const dialable = s.dialable
    if (dialable && s.shareable) this.h.table.learn(dialable, s.key)
    this.send()
  }

  onFrame (frame: Buffer): void {
    for (const e of decodePex(frame)) {
      const key = e.key.toString('hex')
      if (key === this.h.id) { this.h.table.markSelf(e.address); continue }
      this.h.table.learn(e.address, key)
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
    const picks = this.h.table.candidates(e => linked.has(e.key) || dialing.has(e.address))
    for (const e of picks.slice(0, want)) {
      this.h.dial(e.address).catch(() => this.h.table.failed(e.address))
    }
  }

  send (): void {
    this.lastSentAt = this.h.now()
    const entries: PexEntry[] = []
    const seen = new Set<string>()
    for (const s of this.h.sessions()) {
      const a = s.dialable
      if (!s.established || !s.shareable || !a || seen.has(a)) continue
      seen.add(a)
      entries.push({ key: s.link.remotePublicKey, address: a })
    }
    for (const e of this.h.table.entries()) {
      if (entries.length >= MAX_PEX_ENTRIES) break
      if (seen.has(e.address)) continue
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
