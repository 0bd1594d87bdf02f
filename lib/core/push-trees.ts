// Lazy push's trees, one per room and author (the tree's root), as in
// riak_core's broadcast: each tree is the links this node sends that author's
// messages to only as ids. One tree per author keeps two people talking at
// once from pruning each other's paths; a shared tree races itself apart.
// A new author's tree starts as a copy of the room's reference tree (the one
// of the smallest author key this node has a tree for, the same on every node
// once presence has gone round), so even an author's first message travels a
// tree, not every link; its own tree then moves to shorter paths (EAGER).
// Bounded: past MAX_PUSH_TREES the least recently used tree is forgotten.
import type { LinkSession } from './link-session'

/** Trees (room, author) remembered; past this the least recently used is forgotten. */
export const MAX_PUSH_TREES = 2048

export interface Tree { lazy: Set<LinkSession>; parent: LinkSession | null }

/** A tree as kept here: with its room and root, so the oldest can be found and forgotten. */
interface Kept extends Tree { room: string; root: string }

export class PushTrees {
  /** Per room, per root: its lazy links and the link its messages came from last. */
  private readonly rooms = new Map<string, Map<string, Kept>>()
  /**
   * Every tree in use order, oldest first. (One Map keyed by root + room
   * did both until 2026-11-29: building and hashing that joined string on
   * every message, prune and IHAVE was 7% of a forming simulated room's CPU.)
   */
  private readonly order = new Set<Kept>()
  /** Per room: the smallest author key with a tree here (the reference a new tree copies). */
  private readonly reference = new Map<string, string>()

  constructor (private readonly max = MAX_PUSH_TREES) {}

  /** Trees kept now. */
  get size (): number { return this.order.size }

  /** The tree, created (and marked used) as a message of it goes out. */
  use (room: string, root: string): Tree {
    let byRoot = this.rooms.get(room)
    let tree = byRoot?.get(root)
    if (tree) {
      this.order.delete(tree)
    } else {
      if (this.order.size >= this.max) this.evictOldest()
      byRoot = this.rooms.get(room)
      const ref = this.referenceOf(room)
      tree = { lazy: new Set(ref ? byRoot!.get(ref)!.lazy : []), parent: null, room, root }
      if (!byRoot) this.rooms.set(room, byRoot = new Map())
      byRoot.set(root, tree)
      if (!ref || root < ref) this.reference.set(room, root)
    }
    for (const s of tree.lazy) if (s.link.closed) tree.lazy.delete(s)
    this.order.add(tree)
    return tree
  }

  private evictOldest (): void {
    const tree = this.order.values().next().value!
    this.order.delete(tree)
    const byRoot = this.rooms.get(tree.room)!
    byRoot.delete(tree.root)
    if (byRoot.size === 0) this.rooms.delete(tree.room)
    if (this.reference.get(tree.room) === tree.root) this.reference.delete(tree.room)
  }

  /** Whether this node has any tree for the room (one to copy). */
  hasTree (room: string): boolean { return this.referenceOf(room) !== undefined }

  /** The room's reference tree's root, found again by a scan after it was forgotten (rare: new authors are rate limited). */
  private referenceOf (room: string): string | undefined {
    let ref = this.reference.get(room)
    if (ref !== undefined) return ref
    for (const root of this.rooms.get(room)?.keys() ?? []) if (ref === undefined || root < ref) ref = root
    if (ref !== undefined) this.reference.set(room, ref)
    return ref
  }

  get (room: string, root: string): Tree | undefined { return this.rooms.get(room)?.get(root) }

  /** Makes a link lazy in a tree this node knows (one it has sent a message of); false if the tree is unknown. */
  prune (room: string, root: string, s: LinkSession): boolean {
    const tree = this.get(room, root)
    if (!tree) return false
    tree.lazy.add(s)
    if (tree.parent === s) tree.parent = null
    return true
  }

  eager (room: string, root: string, s: LinkSession): void {
    this.get(room, root)?.lazy.delete(s)
  }
}
