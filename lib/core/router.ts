// Flooding: seen cache first, then validate, deliver, and forward to every
// link but the one the message came from, until the hop limit.
import { SeenCache } from './seen-cache'
import { HOPS_OFFSET, decodeFlood, encodeFlood, floodId, verifyFlood, withHops, type Envelope, type FloodMessage } from '../protocol/envelope'
import { MeshError } from '../protocol/errors'
import type { KeyPair } from '../protocol/crypto'

export type Verdict =
  | { kind: 'duplicate' }
  | { kind: 'expired' }
  | { kind: 'invalid'; error: MeshError; close: boolean }
  | { kind: 'accepted'; message: FloodMessage }
  /** Seen before, but this copy came a shorter way: forward it (the first copy may run out of hops first), do not deliver. */
  | { kind: 'shorter'; message: FloodMessage }

export interface RouterOptions {
  maxTtl: number
  seenMaxSize: number
  seenMaxAgeMs: number
  now: () => number
}

export interface RouterStats { received: number; duplicates: number; shorter: number; expired: number; invalid: number; forwarded: number; originated: number }

export class Router {
  readonly seen: SeenCache
  readonly stats: RouterStats = { received: 0, duplicates: 0, shorter: 0, expired: 0, invalid: 0, forwarded: 0, originated: 0 }

  constructor (private readonly opts: RouterOptions) {
    this.seen = new SeenCache({ maxSize: opts.seenMaxSize, maxAgeMs: opts.seenMaxAgeMs, now: opts.now })
  }

  /** Signs a new message; it is marked seen so it never comes back as new. */
  originate (e: Envelope, keyPair: KeyPair): FloodMessage {
    const m = encodeFlood(e, keyPair, 1)
    this.seen.add(m.id.toString('hex'), 0)
    this.stats.originated++
    return { ...m, hops: 0 }
  }

  /** Judges a FLOOD frame from a link. Accepted messages are marked seen. */
  receive (frame: Buffer): Verdict {
    this.stats.received++
    let id: Buffer
    let key: string
    let m: FloodMessage
    let shorter = false
    try {
      id = floodId(frame)
      key = id.toString('hex')
      const seenHops = this.seen.hopsOf(key)
      if (seenHops !== undefined) {
        if (frame[HOPS_OFFSET] >= seenHops) { this.stats.duplicates++; return { kind: 'duplicate' } }
        shorter = true
      }
      m = decodeFlood(frame, id)
    } catch (err) {
      this.stats.invalid++
      return { kind: 'invalid', error: err as MeshError, close: true }
    }
    if (m.hops < 1) {
      this.stats.invalid++
      return { kind: 'invalid', error: MeshError.frameInvalid('hop counter 0 on the wire'), close: true }
    }
    if (this.opts.now() > m.expires) { this.stats.expired++; return { kind: 'expired' } }
    if (!verifyFlood(m)) {
      // Not marked seen: a forged copy must not block the genuine message.
      this.stats.invalid++
      return { kind: 'invalid', error: new MeshError('BAD_SIGNATURE', `message ${id.toString('hex').slice(0, 8)} has a bad signature`), close: false }
    }
    if (shorter) {
      this.seen.setHops(key, m.hops)
      this.stats.shorter++
      return { kind: 'shorter', message: m }
    }
    this.seen.add(key, m.hops)
    return { kind: 'accepted', message: m }
  }

  /** The frame to forward for an accepted message, or null at the hop limit. */
  forwardFrame (m: FloodMessage): Buffer | null {
    if (m.hops >= Math.min(m.ttl, this.opts.maxTtl)) return null
    this.stats.forwarded++
    return withHops(m.frame, m.hops + 1)
  }
}
