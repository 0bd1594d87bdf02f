// What history sync and roster sync share: offers answered within a budget
// per link and room, answers split into data frames, data read only in
// answer to an offer this node sent (each offer lets the link send one answer's worth
// of bytes per room), and a node that learnt something from one neighbour
// asks the room's other neighbours to compare too, once per turn of the
// event loop, so two parts of a room that meet converge hop by hop.
import type { LinkSession } from './link-session'
import { TokenBucket } from './token-bucket'
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

export class Reoffers {
  private readonly pending = new Map<string, Set<LinkSession>>()

  /** `offer` is called for every established link in the room that `eligible` accepts, but the ones something was learnt from. */
  constructor (private readonly sessions: () => Iterable<LinkSession>, private readonly offer: (s: LinkSession, room: string) => void, private readonly eligible: (s: LinkSession) => boolean = () => true) {}

  /** Something was learnt about `room` from `from`: the room's other neighbours are asked to compare at the end of this turn. */
  schedule (room: string, from: LinkSession): void {
    let skip = this.pending.get(room)
    if (skip) { skip.add(from); return }
    skip = new Set([from])
    this.pending.set(room, skip)
    setImmediate(() => {
      const excluded = this.pending.get(room) ?? new Set()
      this.pending.delete(room)
      for (const s of this.sessions()) {
        if (!s.established || excluded.has(s) || s.link.closed || !s.hello?.rooms.includes(room) || !this.eligible(s)) continue
        this.offer(s, room)
      }
    })
  }
}
