// Messages this node holds, by short id (the first SYNC_ID_BYTES of the id):
// the room and author whose tree carried it, the fewest hops any copy came with, and for
// a while the frame as this node forwards it, so lazy push (lazy-push.ts) can
// tell an IHAVE of something it already has and answer a GRAFT. Bounded in
// ids and age like the seen cache, and in frame bytes apart: past
// MAX_RECENT_FRAME_BYTES the oldest frames are let go (their ids stay known).
import type { Clock } from './clock'

/** Bytes of forwarded frames kept to answer GRAFTs; past this the oldest are let go. */
export const MAX_RECENT_FRAME_BYTES = 8 * 1024 * 1024
/** A frame is served to a GRAFT for this long after it was forwarded. */
export const RECENT_FRAME_MS = 60_000

/**
 * `root`: the author's key (hex), whose tree the message travels. `asked`,
 * `askedAt`: the hop count of a shorter copy last asked for (lazy push, when
 * this node's copy came at the hop limit) and when.
 */
export interface RecentEntry { room: string; root: string; hops: number; frame: Buffer | null; at: number; asked?: number; askedAt: number }

export class RecentIds {
  private readonly map = new Map<string, RecentEntry>()
  private ids: string[] = []
  private head = 0
  /** Short ids whose entry holds a frame, oldest first. */
  private framed: string[] = []
  /** When each of `framed` was framed: a frame replaced later is listed again, so a stale listing is skipped, not let go. */
  private framedAt: number[] = []
  private framedHead = 0
  private frameBytes = 0

  constructor (private readonly maxIds: number, private readonly maxAgeMs: number, private readonly clock: Clock) {}

  /** Bytes of frames held now (after letting go of the stale ones). */
  get heldFrameBytes (): number { this.expire(); return this.frameBytes }

  get (short: string): RecentEntry | undefined {
    this.expire()
    return this.map.get(short)
  }

  /** Records a held message (or lowers its hop count); `frame` is what this node would send on, or null. */
  record (short: string, room: string, root: string, hops: number, frame: Buffer | null): void {
    this.expire()
    const at = this.clock.now()
    let e = this.map.get(short)
    if (!e) {
      if (this.ids.length - this.head >= this.maxIds) this.dropOldest()
      e = { room, root, hops, frame: null, at, askedAt: 0 }
      this.map.set(short, e)
      this.ids.push(short)
    } else if (hops < e.hops) {
      e.hops = hops
    }
    if (frame) {
      if (e.frame) this.frameBytes -= e.frame.byteLength
      this.framed.push(short)
      this.framedAt.push(at)
      e.frame = frame
      e.at = at
      this.frameBytes += frame.byteLength
      while (this.frameBytes > MAX_RECENT_FRAME_BYTES && this.framedHead < this.framed.length) this.dropFirstListed()
      this.compactFramed()
    }
  }

  /** The frame to answer a GRAFT with, while it is fresh. */
  frame (short: string): Buffer | null {
    const e = this.get(short)
    if (!e || !e.frame) return null
    return this.clock.now() - e.at <= RECENT_FRAME_MS ? e.frame : null
  }

  private unframe (short: string): void {
    const e = this.map.get(short)
    if (e?.frame) { this.frameBytes -= e.frame.byteLength; e.frame = null }
  }

  private compactFramed (): void {
    if (this.framedHead === this.framed.length || (this.framedHead >= 1024 && this.framedHead * 2 >= this.framed.length)) {
      this.framed = this.framed.slice(this.framedHead)
      this.framedAt = this.framedAt.slice(this.framedHead)
      this.framedHead = 0
    }
  }

  /** Frames no GRAFT may be answered with any more (older than RECENT_FRAME_MS) are let go; their ids stay known. */
  private expireFrames (): void {
    const stale = this.clock.now() - RECENT_FRAME_MS
    while (this.framedHead < this.framed.length && this.framedAt[this.framedHead] < stale) this.dropFirstListed()
    this.compactFramed()
  }

  /** Takes the oldest listing off `framed`, letting its frame go unless the entry was framed again since (listed again, later). */
  private dropFirstListed (): void {
    const at = this.framedAt[this.framedHead]
    const e = this.map.get(this.framed[this.framedHead++])
    if (e?.frame && e.at === at) { this.frameBytes -= e.frame.byteLength; e.frame = null }
  }

  private dropOldest (): void {
    const short = this.ids[this.head++]
    this.unframe(short)
    this.map.delete(short)
    if (this.head === this.ids.length || (this.head >= 1024 && this.head * 2 >= this.ids.length)) {
      this.ids = this.ids.slice(this.head)
      this.head = 0
    }
  }

  /** Forgets ids past their age and frames past RECENT_FRAME_MS now (also done on every lookup): an idle node lets go of a burst's. */
  expire (): void {
    this.expireFrames()
    const oldest = this.clock.now() - this.maxAgeMs
    while (this.head < this.ids.length) {
      const e = this.map.get(this.ids[this.head])
      if (e && e.at >= oldest) break
      this.dropOldest()
    }
  }
}
