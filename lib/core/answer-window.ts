// What history sync and roster sync share: offers answered within a budget
// per link and room, answers split into data frames, data read only in
// answer to an offer this node sent (each offer lets the link send one answer's worth
// of bytes per room), and a node that learnt something from one neighbour
// asks the room's other neighbours to compare too, once per turn of the
// event loop, so two parts of a room that meet converge hop by hop.
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

/** How long an offer's answer may take to start (an empty answer sends nothing) before the room's next waiting offer goes out... */
export const SYNC_ANSWER_WAIT_MS = 2000
/** ...and how long after its last data an answer that started counts as done. */
export const SYNC_ANSWER_QUIET_MS = 500

/**
 * One history offer per room at a time. Offers sent to several neighbours at
 * once (a node linking to several, or joining a room) each drew the whole
 * answer: the same messages once per neighbour, every answer after the
 * first all duplicates, read as useless and its later frames as unsolicited.
 * A newcomer to a room of long messages closed an honest neighbour for it.
 * An offer waits while another link's answer for its room is coming, and
 * goes out, built from what this node holds by then, once that answer has
 * been quiet for SYNC_ANSWER_QUIET_MS (or, when none came, after
 * SYNC_ANSWER_WAIT_MS: a slow link's answer that starts later than that may
 * still overlap the next one).
 */
export class OfferTurns {
  /** Per room: the link whose answer is coming. */
  private readonly current = new Map<string, { s: LinkSession; timer: TimerHandle | null }>()
  /** Per room: links waiting for their turn, and whether their offer asks for one back. */
  private readonly waiting = new Map<string, Map<LinkSession, boolean>>()

  constructor (
    private readonly clock: Clock,
    /** Sends the offer now (and opens its answer window). */
    private readonly send: (s: LinkSession, room: string, reply: boolean) => void,
    /** Whether a waiting offer still makes sense when its turn comes (the link is up and both are in the room). */
    private readonly eligible: (s: LinkSession, room: string) => boolean,
    private readonly waitMs = SYNC_ANSWER_WAIT_MS,
    private readonly quietMs = SYNC_ANSWER_QUIET_MS
  ) {}

  offer (s: LinkSession, room: string, reply: boolean): void {
    const turn = this.current.get(room)
    if (!turn || turn.s === s || turn.s.link.closed) return this.start(s, room, reply)
    let queue = this.waiting.get(room)
    if (!queue) this.waiting.set(room, queue = new Map())
    for (const w of queue.keys()) if (w.link.closed) queue.delete(w)
    queue.set(s, (queue.get(s) ?? false) || reply)
  }

  /** Data of the answer for `room` came from `s`: its turn lasts until the answer has been quiet. */
  heard (s: LinkSession, room: string): void {
    const turn = this.current.get(room)
    if (turn?.s === s) this.arm(room, turn, this.quietMs)
  }

  close (): void {
    for (const turn of this.current.values()) this.clock.clearTimeout(turn.timer)
    this.current.clear()
    this.waiting.clear()
  }

  private start (s: LinkSession, room: string, reply: boolean): void {
    const previous = this.current.get(room)
    if (previous) this.clock.clearTimeout(previous.timer)
    const turn = { s, timer: null }
    this.current.set(room, turn)
    this.arm(room, turn, this.waitMs)
    this.send(s, room, reply)
  }

  private arm (room: string, turn: { s: LinkSession; timer: TimerHandle | null }, ms: number): void {
    this.clock.clearTimeout(turn.timer)
    turn.timer = this.clock.setTimeout(() => this.next(room), ms)
  }

  private next (room: string): void {
    this.current.delete(room)
    const queue = this.waiting.get(room)
    if (!queue) return
    for (const [s, reply] of queue) {
      queue.delete(s)
      if (queue.size === 0) this.waiting.delete(room)
      if (!s.link.closed && this.eligible(s, room)) return this.start(s, room, reply)
    }
    this.waiting.delete(room)
  }
}
