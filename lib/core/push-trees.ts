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

/** Hex digits of an author key (a tree's root). */
const ROOT_HEX = 64

export interface Tree { lazy: Set<LinkSession>; parent: LinkSession | null }

export class PushTrees {
  /** Per tree: its lazy links and the link its messages came from last. Map order is use order (oldest first). */
  private readonly trees = new Map<string, Tree>()
  /** Per room: the smallest author key with a tree here (the reference a new tree copies). */
  private readonly reference = new Map<string, string>()

  constructor (private readonly max = MAX_PUSH_TREES) {}

  /** The root (a 64-digit hex key) first, so the room needs no separator. */
  private static key (room: string, root: string): string { return root + room }

  /** The tree, created (and marked used) as a message of it goes out. */
  use (room: string, root: string): Tree {
    const k = PushTrees.key(room, root)
    let tree = this.trees.get(k)
    if (tree) {
      this.trees.delete(k)
    } else {
      if (this.trees.size >= this.max) this.evictOldest()
      const ref = this.referenceOf(room)
      tree = { lazy: new Set(ref ? this.get(room, ref)!.lazy : []), parent: null }
      if (!ref || root < ref) this.reference.set(room, root)
    }
    for (const s of tree.lazy) if (s.link.closed) tree.lazy.delete(s)
    this.trees.set(k, tree)
    return tree
  }

  private evictOldest (): void {
    const k = this.trees.keys().next().value!
    this.trees.delete(k)
    const root = k.slice(0, ROOT_HEX)
    const room = k.slice(ROOT_HEX)
    if (this.reference.get(room) === root) this.reference.delete(room)
  }

  /** Whether this node has any tree for the room (one to copy). */
  hasTree (room: string): boolean { return this.referenceOf(room) !== undefined }

  /** The room's reference tree's root, found again by a scan after it was forgotten (rare: new authors are rate limited). */
  private referenceOf (room: string): string | undefined {
    let ref = this.reference.get(room)
    if (ref !== undefined) return ref
    for (const k of this.trees.keys()) {
      const root = k.slice(0, ROOT_HEX)
      if (k.slice(ROOT_HEX) === room && (ref === undefined || root < ref)) ref = root
    }
    if (ref !== undefined) this.reference.set(room, ref)
    return ref
  }

  get (room: string, root: string): Tree | undefined { return this.trees.get(PushTrees.key(room, root)) }

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
