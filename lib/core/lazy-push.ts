// Lazy push (Plumtree: Leitão, Pereira, Rodrigues, "Epidemic Broadcast
// Trees", 2007), with one tree per room and author (push-trees.ts). A new
// author's tree copies the room's reference tree; a room's first tree is
// eager (whole messages) on FIRST_TREE_EAGER random links. A link that
// delivers a copy this node already had is made lazy in that author's tree
// and told so (PRUNE, on every such copy); then each later message crosses
// each tree edge once. Lazy links get only short
// ids (IHAVE), batched every ihaveDelayMs. An id announced but not received
// within graftTimeoutMs is asked for (GRAFT), which also makes that link
// eager again: the tree repairs itself where a link or node went away.
// A copy that could not be forwarded (it came at the hop limit) is asked for
// again from a neighbour that announces it with fewer hops, so delivery
// reaches as far as flooding's shorter-path re-forward did.
// Only links whose HELLO says they speak lazy push are ever made lazy; older
// peers get every message whole, as before.
import type { Clock, TimerHandle } from './clock'
import type { LinkSession } from './link-session'
import type { FrameRegistry } from './frame-registry'
import type { RecentEntry, RecentIds } from './recent-ids'
import { PushTrees } from './push-trees'
import { MissingIds } from './missing-ids'
import { carries } from './overlay'
import { TokenBucket } from './token-bucket'
import { FrameType, HelloFlag } from '../protocol/frames'
import { HOPS_OFFSET, withHops } from '../protocol/envelope'
import { decodeEager, decodeGraft, decodeIHave, decodePrune, encodeEager, encodeGraft, encodeIHave, encodePrune, type Graft, type IHave, type Prune } from '../protocol/lazy-frames'
import { MAX_GRAFT_IDS, MAX_IHAVE_IDS, SYNC_ID_BYTES } from '../protocol/limits'
import type { PeerFault } from '../protocol/errors'

export { MAX_GRAFT_SOURCES, MAX_MISSING_IDS, MAX_MISSING_PER_LINK } from './missing-ids'
/** Messages a link may have sent to it in answer to its GRAFTs: per second, and at once. */
export const GRAFT_ANSWER_RATE = 200
export const GRAFT_ANSWER_BURST = 1000
/** Score points a GRAFT over that budget costs its link. */
export const GRAFT_FLOOD_PENALTY = 5
/** A room's first tree (none to copy) sends whole to this many random links at most, ids to the rest (Plumtree's small eager set, about log n); shorter-way moves then settle it. */
export const FIRST_TREE_EAGER = 5

export interface LazyPushHooks {
  sessions: () => Iterable<LinkSession>
  recent: RecentIds
  /** Rooms this node carries: an IHAVE for another room is ignored. */
  carried: (room: string) => boolean
  /** Copies with this many hops are not forwarded. */
  hopLimit: number
  clock: Clock
  ihaveDelayMs: number
  graftTimeoutMs: number
  /** False: every link eager (plain flooding within the room overlay). */
  enabled: boolean
  penalise: (s: LinkSession, fault: PeerFault, points: number) => void
  /** Picks a room's first tree's eager links (default Math.random). */
  random?: () => number
}

export interface LazyPushStats { ihaveIds: number; graftsSent: number; graftAnswers: number; prunesSent: number; reparents: number; gaveUp: number }

export function shortId (id: Buffer): string { return id.toString('hex', 0, SYNC_ID_BYTES) }

export class LazyPush {
  readonly stats: LazyPushStats = { ihaveIds: 0, graftsSent: 0, graftAnswers: 0, prunesSent: 0, reparents: 0, gaveUp: 0 }
  private readonly trees = new PushTrees()
  /** Per link and room: ids to announce at the next flush, with the hop count a copy would have. */
  private readonly pending = new Map<LinkSession, Map<string, Map<string, number>>>()
  private flushTimer: TimerHandle | null = null
  private readonly missing: MissingIds
  private readonly answers = new WeakMap<LinkSession, TokenBucket>()
  private closed = false

  constructor (private readonly h: LazyPushHooks) {
    this.missing = new MissingIds({
      clock: h.clock,
      graftTimeoutMs: h.graftTimeoutMs,
      ask: (s, room, short) => this.graft(s, room, [Buffer.from(short, 'hex')]),
      gaveUp: () => { this.stats.gaveUp++ }
    })
  }

  register (registry: FrameRegistry): void {
    registry.add<IHave>(FrameType.IHAVE, { name: 'ihave', decode: decodeIHave, onmessage: (s, v) => this.onIHave(s, v) })
    registry.add<Graft>(FrameType.GRAFT, { name: 'graft', decode: decodeGraft, onmessage: (s, v) => this.onGraft(s, v) })
    registry.add<Prune>(FrameType.PRUNE, { name: 'prune', decode: decodePrune, onmessage: (s, v) => this.onPrune(s, v) })
    registry.add<Prune>(FrameType.EAGER, { name: 'eager', decode: decodeEager, onmessage: (s, v) => { this.trees.eager(v.room, v.root.toString('hex'), s) } })
  }

  private speaks (s: LinkSession): boolean { return this.h.enabled && !!s.hello && (s.hello.flags & HelloFlag.LAZY_PUSH) !== 0 }

  /** A message this node now holds (delivered, refused after its signature, or its own): an IHAVE of it is no news. */
  known (id: Buffer, room: string, root: string, hops: number): void {
    const short = shortId(id)
    this.h.recent.record(short, room, root, hops, null)
    this.missing.found(short)
  }

  /**
   * Sends a message on: whole to the eager links that carry its room, as an
   * id to the lazy ones. `out` is the frame with its hop counter raised, or
   * null when the copy is at the hop limit (then nothing is sent).
   */
  forward (id: Buffer, room: string, root: string, hops: number, out: Buffer | null, from: LinkSession | null): void {
    const short = shortId(id)
    const held = this.h.recent.get(short)
    // Sent on again: a shorter copy of one that came at the hop limit (pipeline.ts).
    const again = !!held && hops < held.hops
    this.h.recent.record(short, room, root, hops, out)
    const first = !this.trees.hasTree(room)
    const tree = this.trees.use(room, root)
    // A room's first tree; or an own message whose copied tree has no eager link left (its one link there closed).
    if (first || (!from && !this.anyEager(tree.lazy, room))) this.firstTree(tree.lazy, room, from)
    const old = tree.parent
    // The link the first copy came on is this node's parent in the tree.
    if (from) { tree.lazy.delete(from); tree.parent = from }
    // The old parent holds it a shorter way than its copy came: it is pruned, not sent it back (shorterWay()).
    if (again && from && old && old !== from && this.speaks(old)) { this.prune(old, room, root); this.stats.reparents++ }
    const lazy = tree.lazy
    if (!out) return
    const outHops = hops + 1
    for (const s of this.h.sessions()) {
      if (s === from || !s.established || !carries(s.hello?.rooms, room)) continue
      if (lazy.has(s) && this.speaks(s)) this.announce(s, room, short, outHops)
      else s.send(out)
    }
  }

  private anyEager (lazy: Set<LinkSession>, room: string): boolean {
    for (const s of this.h.sessions()) if (s.established && carries(s.hello?.rooms, room) && !lazy.has(s)) return true
    return false
  }

  /** A room's first tree: all but FIRST_TREE_EAGER links of the room (other than `from`), at random, are lazy. */
  private firstTree (lazy: Set<LinkSession>, room: string, from: LinkSession | null): void {
    lazy.clear()
    const links = [...this.h.sessions()].filter(s => s !== from && s.established && this.speaks(s) && carries(s.hello?.rooms, room))
    const random = this.h.random ?? Math.random
    for (let i = links.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [links[i], links[j]] = [links[j], links[i]]
    }
    for (const s of links.slice(FIRST_TREE_EAGER)) lazy.add(s)
  }

  /** A live copy of something already held came from `s`: that link's edge is not needed in the tree. */
  duplicate (s: LinkSession, id: Buffer): void {
    if (!this.speaks(s)) return
    const e = this.h.recent.get(shortId(id))
    if (e) this.prune(s, e.room, e.root)
  }

  /** A copy came from `s` a shorter way than the first: `s` is the better parent (see shorterWay). */
  shorterCopy (s: LinkSession, id: Buffer, hops: number): void {
    if (!this.speaks(s)) return
    const short = shortId(id)
    const e = this.h.recent.get(short)
    if (e && hops < e.hops) this.shorterWay(s, e.room, e.root, short, hops)
  }

  /** Makes `s` lazy in the tree and tells it so, again on every later duplicate (its side may still be eager: a GRAFT it answered, say). */
  private prune (s: LinkSession, room: string, root: string): void {
    if (!this.trees.prune(room, root, s)) return
    this.stats.prunesSent++
    s.send(encodePrune({ room, root: Buffer.from(root, 'hex') }))
  }

  /**
   * `s` holds a message with fewer hops than the copy this node got from its
   * parent. For later messages `s` becomes the parent of that author's tree
   * (EAGER) and the old parent is pruned (PRUNE): each move lowers this
   * node's hop count, so the tree settles on shortest paths (Plumtree's
   * optimisation, threshold one hop) and stays a tree (`s` cannot be below
   * this node, whose copies all come with more hops). For this message the
   * shorter way is announced on every other link, so a node further on that
   * got it at the hop limit (or not at all) can fetch a copy that still
   * goes on: delivery reaches as far as flooding's shorter-path re-forward.
   */
  private shorterWay (s: LinkSession, room: string, root: string, short: string, hops: number): void {
    this.h.recent.record(short, room, root, hops, null)
    if (hops + 1 <= this.h.hopLimit) {
      for (const x of this.h.sessions()) if (x !== s && x.established && this.speaks(x) && carries(x.hello?.rooms, room)) this.announce(x, room, short, hops + 1)
    }
    const tree = this.trees.get(room, root)
    if (!tree || tree.parent === s) return
    const old = tree.parent
    tree.lazy.delete(s)
    tree.parent = s
    if (old && this.speaks(old)) this.prune(old, room, root)
    this.stats.reparents++
    s.send(encodeEager({ room, root: Buffer.from(root, 'hex') }))
  }

  /**
   * A PRUNE from this node's parent in that tree crossed the EAGER this
   * node sent it on moving to it (shorterWay): it was for a copy sent before
   * the move. Obeyed, it left the edge eager on the parent's side only, so
   * a new author's first message, travelling a copy of this tree, could not
   * pass from this side to the other until a GRAFT (500 nodes, degree 8: a
   * whole room 300-500 ms late). The parent is told again instead.
   */
  private onPrune (s: LinkSession, v: Prune): void {
    const root = v.root.toString('hex')
    if (this.trees.get(v.room, root)?.parent === s) s.send(encodeEager(v))
    else this.trees.prune(v.room, root, s)
  }

  private announce (s: LinkSession, room: string, short: string, hops: number): void {
    let rooms = this.pending.get(s)
    if (!rooms) this.pending.set(s, rooms = new Map())
    let ids = rooms.get(room)
    if (!ids) rooms.set(room, ids = new Map())
    const before = ids.get(short)
    if (before === undefined || hops < before) ids.set(short, hops)
    if (ids.size >= MAX_IHAVE_IDS) this.flushRoom(s, room, ids)
    if (!this.flushTimer && !this.closed) this.flushTimer = this.h.clock.setTimeout(() => this.flush(), this.h.ihaveDelayMs)
  }

  private flush (): void {
    this.flushTimer = null
    for (const [s, rooms] of this.pending) for (const [room, ids] of rooms) this.flushRoom(s, room, ids)
    this.pending.clear()
  }

  private flushRoom (s: LinkSession, room: string, ids: Map<string, number>): void {
    if (ids.size === 0 || s.link.closed) { ids.clear(); return }
    const entries = [...ids].map(([short, hops]) => ({ id: Buffer.from(short, 'hex'), hops }))
    ids.clear()
    this.stats.ihaveIds += entries.length
    s.send(encodeIHave({ room, entries }))
  }

  private onIHave (s: LinkSession, v: IHave): void {
    if (!this.h.carried(v.room)) return
    const shorter: Buffer[] = []
    for (const { id, hops } of v.entries) {
      if (hops < 1) continue // no copy on the wire has 0 hops
      const short = id.toString('hex')
      const held = this.h.recent.get(short)
      if (held) {
        if (hops >= held.hops) continue
        // Held, but at the hop limit: a copy with fewer hops can still go on.
        if (held.hops >= this.h.hopLimit) this.askShorter(held, id, hops, shorter)
        else this.shorterWay(s, v.room, held.root, short, hops)
        continue
      }
      this.missing.want(s, v.room, short, hops)
    }
    if (shorter.length) this.graft(s, v.room, shorter)
  }

  /**
   * This node holds `id` (`held`) only at the hop limit and an announcer has
   * it with `hops`: it goes into `batch` (the announcer's GRAFT), unless a
   * copy with as few hops was asked for within graftTimeoutMs (each
   * announcer asked would send one more copy).
   */
  private askShorter (held: RecentEntry, id: Buffer, hops: number, batch: Buffer[]): void {
    const now = this.h.clock.now()
    if (held.asked !== undefined && held.asked <= hops && now - held.askedAt < this.h.graftTimeoutMs) return
    held.asked = hops
    held.askedAt = now
    batch.push(id)
  }

  /** Asks `s` for messages (their trees make `s` eager once they arrive from it: forward()'s parent rule). */
  private graft (s: LinkSession, room: string, ids: Buffer[]): void {
    for (let i = 0; i < ids.length; i += MAX_GRAFT_IDS) {
      this.stats.graftsSent++
      s.send(encodeGraft({ room, ids: ids.slice(i, i + MAX_GRAFT_IDS) }))
    }
  }

  private onGraft (s: LinkSession, v: Graft): void {
    let budget = this.answers.get(s)
    if (!budget) this.answers.set(s, budget = new TokenBucket(GRAFT_ANSWER_RATE, GRAFT_ANSWER_BURST, () => this.h.clock.now()))
    for (const id of v.ids) {
      const short = id.toString('hex')
      const e = this.h.recent.get(short)
      const frame = this.h.recent.frame(short)
      if (!e || !frame || e.room !== v.room || !carries(s.hello?.rooms, v.room)) continue
      if (!budget.take()) {
        this.h.penalise(s, { code: 'GRAFT_FLOOD', message: `asked for more than ${GRAFT_ANSWER_RATE} messages a second by GRAFT` }, GRAFT_FLOOD_PENALTY)
        return
      }
      this.stats.graftAnswers++
      this.trees.eager(v.room, e.root, s)
      // With the fewest hops this node knows a way for (an IHAVE may have told it of a shorter one than its copy took).
      s.send(frame[HOPS_OFFSET] === e.hops + 1 ? frame : withHops(frame, e.hops + 1))
    }
  }

  /** The node's tick: what expired is let go even when nothing arrives. */
  tick (): void { this.h.recent.expire() }

  close (): void {
    this.closed = true
    this.h.clock.clearTimeout(this.flushTimer)
    this.flushTimer = null
    this.pending.clear()
    this.missing.close()
  }
}
