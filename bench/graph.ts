// Graphs for the mesh benchmark: random regular graphs and lines, as edge
// lists over node indices, plus the diameter (the hop limit a flood needs).
import { randomInt, type Random } from './prng'

export type Edge = [number, number]
export interface Graph { n: number; edges: Edge[]; label: string }

/** Restarts allowed before giving up on a random regular graph. */
const MAX_GRAPH_ATTEMPTS = 200

/**
 * A connected random d-regular graph on n nodes: stubs are paired at random,
 * skipping self loops and repeated edges, restarting when stuck or disconnected.
 */
export function randomRegular (n: number, d: number, random: Random): Graph {
  if (d >= n || (n * d) % 2 !== 0) throw new Error(`no ${d}-regular graph on ${n} nodes`)
  for (let attempt = 0; attempt < MAX_GRAPH_ATTEMPTS; attempt++) {
    const edges = tryPairing(n, d, random)
    if (edges && isConnected(n, edges)) return { n, edges, label: `random n=${n} d=${d}` }
  }
  throw new Error(`could not build a connected ${d}-regular graph on ${n} nodes`)
}

function tryPairing (n: number, d: number, random: Random): Edge[] | null {
  const stubs: number[] = []
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) stubs.push(i)
  const seen = new Set<number>()
  const edges: Edge[] = []
  while (stubs.length > 0) {
    let placed = false
    for (let tries = 0; tries < 50 && !placed; tries++) {
      const i = randomInt(random, stubs.length)
      let j = randomInt(random, stubs.length - 1)
      if (j >= i) j++
      const a = stubs[i]
      const b = stubs[j]
      const key = Math.min(a, b) * n + Math.max(a, b)
      if (a === b || seen.has(key)) continue
      seen.add(key)
      edges.push([a, b])
      for (const idx of [Math.max(i, j), Math.min(i, j)]) {
        stubs[idx] = stubs[stubs.length - 1]
        stubs.pop()
      }
      placed = true
    }
    if (!placed) return null
  }
  return edges
}

/** n nodes in a chain: n - 1 hops from one end to the other. */
export function line (n: number): Graph {
  const edges: Edge[] = []
  for (let i = 0; i + 1 < n; i++) edges.push([i, i + 1])
  return { n, edges, label: `line ${n - 1} hops` }
}

export function adjacency (n: number, edges: Edge[]): number[][] {
  const adj: number[][] = Array.from({ length: n }, () => [])
  for (const [a, b] of edges) { adj[a].push(b); adj[b].push(a) }
  return adj
}

function bfs (adj: number[][], from: number): number[] {
  const dist = new Array<number>(adj.length).fill(-1)
  dist[from] = 0
  const queue = [from]
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q]
    for (const v of adj[u]) if (dist[v] < 0) { dist[v] = dist[u] + 1; queue.push(v) }
  }
  return dist
}

export function isConnected (n: number, edges: Edge[]): boolean {
  return bfs(adjacency(n, edges), 0).every(x => x >= 0)
}

/** Longest shortest path; exact (BFS from every node), fine up to a few thousand nodes. */
export function diameter (g: Graph): number {
  const adj = adjacency(g.n, g.edges)
  let best = 0
  for (let i = 0; i < g.n; i++) for (const x of bfs(adj, i)) best = Math.max(best, x)
  return best
}

export function degrees (g: Graph): number[] {
  return adjacency(g.n, g.edges).map(a => a.length)
}

/** Every node once, breadth first from node 0 (then any the graph does not connect to it), so each joins next to one already there. */
export function breadthFirst (adj: number[][]): number[] {
  const seen = new Uint8Array(adj.length)
  const order: number[] = []
  for (let start = 0; start < adj.length; start++) {
    if (seen[start]) continue
    seen[start] = 1
    order.push(start)
    for (let q = order.length - 1; q < order.length; q++) for (const v of adj[order[q]]) if (!seen[v]) { seen[v] = 1; order.push(v) }
  }
  return order
}
