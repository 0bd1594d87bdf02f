// Lazy push's trees, one per room and author (the tree's root), as in
// riak_core's broadcast: each tree is the links this node sends that author's
// messages to only as ids. One tree per author keeps two people talking at
// once from pruning each other's paths; a shared tree races itself apart.
// Bounded: past MAX_PUSH_TREES the least recently used tree is forgotten,
// and that author's next message goes whole to every link of the room again.
import type { LinkSession } from './link-session'

/** Trees (room, author) remembered; past this the least recently used is forgotten. */
export const MAX_PUSH_TREES = 2048

export interface Tree { lazy: Set<LinkSession>; parent: LinkSession | null }

export class PushTrees {
  /** Per tree: its lazy links and the link its messages came from last. Map order is use order (oldest first). */
  private readonly trees = new Map<string, Tree>()

  constructor (private readonly max = MAX_PUSH_TREES) {}

  get size (): number { return this.trees.size }

  private static key (room: string, root: string): string { return `${room}\n${root}` }

  /** The tree, created (and marked used) as a message of it goes out. */
  use (room: string, root: string): Tree {
    const k = PushTrees.key(room, root)
    let tree = this.trees.get(k)
    if (tree) {
      this.trees.delete(k)
    } else {
      tree = { lazy: new Set(), parent: null }
      if (this.trees.size >= this.max) this.trees.delete(this.trees.keys().next().value!)
    }
    for (const s of tree.lazy) if (s.link.closed) tree.lazy.delete(s)
    this.trees.set(k, tree)
    return tree
  }

  get (room: string, root: string): Tree | undefined { return this.trees.get(PushTrees.key(room, root)) }

  isLazy (room: string, root: string, s: LinkSession): boolean {
    return !!this.get(room, root)?.lazy.has(s)
  }

  /** Makes a link lazy in a tree this node knows (one it has sent a message of); false if unknown or already lazy. */
  prune (room: string, root: string, s: LinkSession): boolean {
    const tree = this.get(room, root)
    if (!tree || tree.lazy.has(s)) return false
    tree.lazy.add(s)
    if (tree.parent === s) tree.parent = null
    return true
  }

  eager (room: string, root: string, s: LinkSession): void {
    this.get(room, root)?.lazy.delete(s)
  }
}
