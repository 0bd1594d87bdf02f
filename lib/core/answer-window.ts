// What history sync and roster sync share: offers answered within a budget
// per link and room, answers split into data frames, data read only in
// answer to an offer this node sent (each offer lets the link send one answer's worth
// of bytes per room), and a node that learnt something from one neighbour
// asks the room's other neighbours to compare too, once its answers went
// quiet, so two parts of a room that meet converge hop by hop.
import type { LinkSession } from './link-session'
import { TokenBucket } from './token-bucket'
import type { Clock, TimerHandle } from './clock'
import { MAX_FRAME_BYTES, MAX_SYNC_BATCH } from '../protocol/limits'

/** Room left in a data frame for its header, and bytes counted per message in it beyond the message (its length prefix, with margin). */
const FRAME_HEADROOM = 256
const ENTRY_OVERHEAD = 8

/** Splits an answer's messages into data frames: at most MAX_SYNC_BATCH each, and each under MAX_FRAME_BYTES. */
export function batches (frames: Buffer[]): Buffer[][] {
  const out: Buffer[][] = []
  let batch: Buffer[] = []
  let bytes = 0
  for (const f of frames) {
    if (batch.length && (batch.length >= MAX_SYNC_BATCH || bytes + f.byteLength + ENTRY_OVERHEAD > MAX_FRAME_BYTES - FRAME_HEADROOM)) {
      out.push(batch)
      batch = []
      bytes = 0
    }
    batch.push(f)
    bytes += f.byteLength + ENTRY_OVERHEAD
  }
  if (batch.length) out.push(batch)
  return out
}

/** Offers one link may have answered per room: `burst` at once, then one every `refillMs`. */
export class OfferBudget {
  private readonly rooms = new WeakMap<LinkSession, Map<string, TokenBucket>>()

  constructor (private readonly burst: number, private readonly refillMs: number, private readonly now: () => number) {}

  take (s: LinkSession, room: string): boolean {
    let rooms = this.rooms.get(s)
    if (!rooms) this.rooms.set(s, rooms = new Map())
    let bucket = rooms.get(room)
    if (!bucket) rooms.set(room, bucket = new TokenBucket(1000 / this.refillMs, this.burst, this.now))
    return bucket.take()
  }
}

export class AnswerWindow {
  /** Per link and room: the bytes the answer to this node's latest offer may still bring. */
  private readonly left = new WeakMap<LinkSession, Map<string, number>>()

  /** This node just offered `room` to `s`: its answer may bring `bytes`. */
  open (s: LinkSession, room: string, bytes: number): void {
    let rooms = this.left.get(s)
    if (!rooms) this.left.set(s, rooms = new Map())
    rooms.set(room, bytes)
  }

  /** Counts `frames` against what the answer may still bring; false (and nothing counted) when they do not fit. */
  take (s: LinkSession, room: string, frames: Buffer[]): boolean {
    const rooms = this.left.get(s)
    const left = rooms?.get(room) ?? 0
    let bytes = 0
    for (const f of frames) bytes += f.byteLength
    if (bytes > left) return false
    rooms!.set(room, left - bytes)
    return true
  }

  /** Nothing more of that answer is read. */
  close (s: LinkSession, room: string): void { this.left.get(s)?.delete(room) }
}

/** How long a node waits, after it last learnt something for a room, before asking the room's other neighbours to compare (answers still coming in land first)... */
export const REOFFER_QUIET_MS = 250
/** ...but no longer than this after the first thing learnt. */
export const REOFFER_MAX_WAIT_MS = 2000

export class Reoffers {
  private readonly pending = new Map<string, { skip: Set<LinkSession>, first: number, timer: TimerHandle | null }>()

  /** `offer` is called for every established link in the room that `eligible` accepts, but the ones something was learnt from. */
  constructor (private readonly sessions: () => Iterable<LinkSession>, private readonly offer: (s: LinkSession, room: string) => void, private readonly clock: Clock, private readonly eligible: (s: LinkSession) => boolean = () => true) {}

  /**
   * Something was learnt about `room` from `from`: the room's other
   * neighbours are asked to compare once nothing more was learnt for
   * REOFFER_QUIET_MS. Asked at once, a neighbour whose own answer is still
   * on its way would send again everything this node has not read yet.
   */
  schedule (room: string, from: LinkSession): void {
    const now = this.clock.now()
    let p = this.pending.get(room)
    if (!p) this.pending.set(room, p = { skip: new Set(), first: now, timer: null })
    p.skip.add(from)
    this.clock.clearTimeout(p.timer)
    p.timer = this.clock.setTimeout(() => this.fire(room), Math.max(0, Math.min(REOFFER_QUIET_MS, p.first + REOFFER_MAX_WAIT_MS - now)))
  }

  private fire (room: string): void {
    const excluded = this.pending.get(room)?.skip ?? new Set()
    this.pending.delete(room)
    for (const s of this.sessions()) {
      if (!s.established || excluded.has(s) || s.link.closed || !s.hello?.rooms.includes(room) || !this.eligible(s)) continue
      this.offer(s, room)
    }
  }
}
