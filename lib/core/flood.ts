// The FLOOD frame: live messages from links go through the accept pipeline,
// and this node's own messages are signed, marked seen and sent on the links
// that carry their room (overlay.ts), whole or as an id (lazy-push.ts).
import type { FrameRegistry } from './frame-registry'
import type { LinkSession } from './link-session'
import type { HeldAs, Pipeline } from './pipeline'
import type { SeenCache } from './seen-cache'
import { FrameType } from '../protocol/frames'
import { encodeFlood, type Envelope, type FloodMessage } from '../protocol/envelope'
import { MeshError, type PeerFault } from '../protocol/errors'
import type { KeyPair } from '../protocol/crypto'
import type { Clock } from './clock'
import { overlayRoom } from './overlay'
import { HeldByAuthor, HeldFrames, MAX_HELD_BYTES_PER_LINK } from './held-frames'
import type { LazyPush } from './lazy-push'

/** A link's holds: one for each budget a message may wait for, and young authors' bursts, a queue per author. */
interface Holds { NEW_AUTHOR_LIMIT: HeldFrames; LINK_MESSAGE_RATE: HeldFrames; NEW_AUTHOR_BURST: HeldByAuthor }

/** How often messages held for a link's message budget are tried again (it refills by the message, not by the author). */
export const LINK_HOLD_RETRY_MS = 100

export interface FloodHooks {
  pipeline: Pipeline
  seen: SeenCache
  keyPair: KeyPair
  /** Lazy push: sends a message on (whole to eager links, as an id to lazy ones) and prunes links that bring duplicates. */
  lazy: LazyPush
  penalise: (s: LinkSession, fault: PeerFault, points?: number) => void
  clock: Clock
  /** How often a link's new-author budget gains one author: when its held newcomers are tried again. */
  heldRetryMs: number
}

export class Flood {
  originated = 0
  /** Per link, one hold for each budget a message may wait for, so a known author's message over the link's budget never waits behind newcomers, nor behind a young author's burst. */
  private readonly held = new WeakMap<LinkSession, Holds>()

  private readonly selfHex: string

  constructor (private readonly h: FloodHooks) { this.selfHex = h.keyPair.publicKey.toString('hex') }

  register (registry: FrameRegistry): void {
    registry.add<Buffer>(FrameType.FLOOD, { name: 'flood', decode: f => f, onmessage: (s, f) => this.onFrame(s, f) })
  }

  // Flooding keeps no order between messages, so only the held ones wait: a
  // known author's message on the same link is never queued behind newcomers.
  private onFrame (s: LinkSession, frame: Buffer): void { this.judge(s, frame, null) }

  /** How many messages of `author` wait in link `s`'s NEW_AUTHOR_BURST hold (the pipeline's heldFrom hook): its later ones wait behind them. */
  heldFrom (s: LinkSession, author: string): number { return this.held.get(s)?.NEW_AUTHOR_BURST.count(author) ?? 0 }

  /** Runs one frame through the pipeline; false when it must wait on in the hold that is `retrying` it. */
  private judge (s: LinkSession, frame: Buffer, retrying: HeldFrames | HeldByAuthor | null, as: HeldAs = 'other'): boolean {
    const v = retrying ? this.h.pipeline.acceptHeld(frame, s, as) : this.h.pipeline.accept(frame, 'live', s)
    if (v.kind === 'duplicate') {
      if (v.id && v.hops !== undefined) this.h.lazy.shorterCopy(s, v.id, v.hops)
      else if (v.id) this.h.lazy.duplicate(s, v.id)
    } else if (v.kind === 'invalid') {
      if (v.close) throw v.error
      this.h.penalise(s, v.error)
    } else if (v.kind === 'refused' && (v.code === 'NEW_AUTHOR_LIMIT' || v.code === 'LINK_MESSAGE_RATE' || v.code === 'NEW_AUTHOR_BURST')) {
      const holds = this.holdsFor(s)
      const hold = holds[v.code]
      if (retrying === hold) return false
      // Held for the first time, or moved from another hold (it passed that budget, not this one).
      const held = v.code === 'NEW_AUTHOR_BURST' ? holds.NEW_AUTHOR_BURST.hold(frame, v.author ?? '', v.as === 'paced' ? 'paced' : 'queued') : holds[v.code].hold(frame)
      if (!held) { this.refuseHeld(s); return true }
      this.h.penalise(s, { code: v.code, message: `${v.reason}; held, tried again as the budget refills` }, 0)
    } else if (v.kind === 'refused') {
      this.h.penalise(s, { code: v.code, message: v.reason }, v.blame)
    }
    return true
  }

  private holdsFor (s: LinkSession): Holds {
    let holds = this.held.get(s)
    if (!holds) {
      const alive = () => !s.link.closed
      const retry = (hold: () => HeldFrames | HeldByAuthor) => (f: Buffer, as?: HeldAs): boolean => {
        try { return this.judge(s, f, hold(), as) } catch (err) {
          if (!(err instanceof MeshError)) throw err
          s.link.destroy(err)
          return true
        }
      }
      const made: Holds = {
        NEW_AUTHOR_LIMIT: new HeldFrames(this.h.heldRetryMs, this.h.clock, retry(() => made.NEW_AUTHOR_LIMIT), alive),
        LINK_MESSAGE_RATE: new HeldFrames(LINK_HOLD_RETRY_MS, this.h.clock, retry(() => made.LINK_MESSAGE_RATE), alive),
        NEW_AUTHOR_BURST: new HeldByAuthor(LINK_HOLD_RETRY_MS, this.h.clock, retry(() => made.NEW_AUTHOR_BURST), alive, () => s.youngMessages.available < 1)
      }
      holds = made
      this.held.set(s, holds)
    }
    return holds
  }

  private refuseHeld (s: LinkSession): void {
    this.h.penalise(s, { code: 'NEW_AUTHOR_HOLD_FULL', message: `held messages (from authors new to this node, or over the link's message budget) fill the ${MAX_HELD_BYTES_PER_LINK} bytes a link may have held for that budget; refused` }, 0)
  }

  /**
   * Signs a new message and sends it to the links that carry its room (every
   * link for private ones); it is marked seen so it never comes back as new.
   * The id is a hash of the body, which has no nonce: a body this node signed
   * already in the same millisecond (its id still seen) is dated 1 ms later,
   * or it would be one message with the first and dropped everywhere.
   */
  originate (e: Envelope): FloodMessage {
    let m = encodeFlood(e, this.h.keyPair, 1)
    let key = m.id.toString('hex')
    while (this.h.seen.has(key)) {
      m = encodeFlood(e = { ...e, ts: e.ts + 1, expires: e.expires + 1 }, this.h.keyPair, 1)
      key = m.id.toString('hex')
    }
    this.h.seen.add(key, 0)
    this.originated++
    this.h.lazy.forward(m.id, overlayRoom(e.kind, e.room), this.selfHex, 0, m.frame, null)
    return { ...m, hops: 0 }
  }
}
