// The simulator's network: N real MeshNodes in one process, one room, on a
// graph of SimLinks, every node on one VirtualClock. Time moves only when
// run() advances it; between steps the event loop is drained (the core's few
// setImmediate turns), so a run is a discrete-event simulation in virtual
// time. Frames and bytes are counted on the links only, deliveries through
// node events only: the core is measured, never reached into.
import { MeshNode } from '../lib/core/node'
import type { NodeOptions } from '../lib/core/options'
import { keyPairFromSeed } from '../lib/protocol/crypto'
import { verifyFlood, type FloodMessage } from '../lib/protocol/envelope'
import { adjacency, type Graph } from './graph'
import { seededRandom } from './prng'
import { NetCounters, simLinkPair, type LatencyModel, type SimEnv } from './sim-link'
import { VirtualClock } from './virtual-clock'

/** Per-link inbound rate limit and message budget of simulated nodes: a forming room's burst of joins must not trip them (as in bench/mesh-harness.ts). */
export const SIM_RATE = 1e6
/** Links per node allowed; above any degree the simulator builds. */
export const SIM_MAX_LINKS = 64
/** Node tick in the simulator (the default is 1 s; keep-alive and presence need no finer, and every tick of every node costs CPU). */
export const SIM_TICK_MS = 2500
/** Event-loop turns without a new frame after which a step counts as drained. */
const QUIET_TURNS = 2

/**
 * The simulator's CPU shortcut: each distinct (id, signature) is checked
 * once with the real verifyFlood and the answer shared by every simulated
 * node. Behaviour is unchanged (the same answer for the same bytes); only
 * N-1 of every N identical Ed25519 checks are skipped.
 */
export class SharedVerify {
  private readonly known = new Map<string, boolean>()
  checks = 0
  reused = 0

  readonly verify = (m: FloodMessage): boolean => {
    const key = m.id.toString('latin1') + m.signature.toString('latin1')
    const hit = this.known.get(key)
    if (hit !== undefined) { this.reused++; return hit }
    this.checks++
    const ok = verifyFlood(m)
    this.known.set(key, ok)
    return ok
  }
}

export interface SimNetOptions {
  graph: Graph
  latency: LatencyModel
  seed: number
  ttl: number
  /** Extra node options (timing) over the simulator's defaults. */
  node?: Partial<NodeOptions>
  /** Share signature checks between nodes (default true). */
  sharedVerify?: boolean
  /** Nodes addNode() may start later (default 0). */
  spare?: number
  /** Start no node and link nothing until join() says so (a room that grows by joins; default: all at once). */
  deferred?: boolean
}

export interface SimNet {
  clock: VirtualClock
  nodes: MeshNode[]
  alive: boolean[]
  counters: NetCounters
  verifier: SharedVerify | null
  /** Advances virtual time by `ms` in steps of `stepMs`, draining the event loop after each. */
  run (ms: number, stepMs: number): Promise<void>
  /** Kills a node the way a killed process goes: no goodbye, its links close and the far ends see it one delay later. */
  kill (i: number): Promise<void>
  /** Starts one more node (at most SimNetOptions.spare of them) linked to `peers`; returns its index. */
  addNode (peers: number[]): number
  /** Starts graph node `i` (of a deferred net) and links it to its graph neighbours already started. */
  join (i: number): void
  close (): Promise<void>
}

/**
 * Virtual time starts here, and node i's key comes from the seed and i, in
 * every run: message ids, and so every map's order, repeat. (With keys from
 * the system's randomness and the wall clock as the start, two runs of one
 * seed differed by a few percent, 2026-11-29.)
 */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1)

function seededKeyPair (seed: number, i: number) {
  const random = seededRandom(seed * 104_729 + i)
  return keyPairFromSeed(Buffer.from(Array.from({ length: 32 }, () => Math.floor(random() * 256))))
}

function turn (): Promise<void> { return new Promise(resolve => setImmediate(resolve)) }

export function buildSimNet (o: SimNetOptions): SimNet {
  const { graph } = o
  const clock = new VirtualClock(SIM_EPOCH_MS)
  const counters = new NetCounters(graph.n + (o.spare ?? 0))
  const env: SimEnv = { clock, random: seededRandom(o.seed), latency: o.latency, counters }
  const verifier = o.sharedVerify === false ? null : new SharedVerify()
  const make = (i: number) => new MeshNode({
    keyPair: seededKeyPair(o.seed, i), nick: `s${i}`, pex: false, minLinks: 0, maxLinks: SIM_MAX_LINKS, ratePerSecond: SIM_RATE, rateBurst: SIM_RATE, linkMessageRate: SIM_RATE, linkMessageBurst: SIM_RATE,
    ttl: o.ttl, clock, random: seededRandom(o.seed * 7919 + i), verify: verifier?.verify, ...o.node,
    timing: { tickMs: SIM_TICK_MS, ...o.node?.timing }
  })
  const nodes = Array.from({ length: graph.n }, (_, i) => make(i))
  const alive = nodes.map(() => !o.deferred)
  const started = nodes.map(() => !o.deferred)
  if (!o.deferred) for (const n of nodes) n.start()
  const neighbours = adjacency(graph.n, graph.edges)
  const link = (a: number, b: number) => {
    const [aEnd, bEnd] = simLinkPair(env, { key: nodes[a].keyPair.publicKey, index: a }, { key: nodes[b].keyPair.publicKey, index: b })
    nodes[a].addLink(aEnd)
    nodes[b].addLink(bEnd)
  }
  if (!o.deferred) for (const [a, b] of graph.edges) link(a, b)
  const drain = async () => {
    let last = -1
    for (let same = 0; same < QUIET_TURNS;) {
      await turn()
      if (counters.frames === last) same++
      else { same = 0; last = counters.frames }
    }
  }
  return {
    clock, nodes, alive, counters, verifier,
    async run (ms, stepMs) {
      await drain()
      for (let t = 0; t < ms; t += stepMs) {
        clock.advance(Math.min(stepMs, ms - t))
        await drain()
      }
    },
    async kill (i) {
      if (!alive[i]) return
      alive[i] = false
      await nodes[i].close()
    },
    addNode (peers) {
      const i = nodes.length
      if (i >= graph.n + (o.spare ?? 0)) throw new Error(`no spare node left (spare: ${o.spare ?? 0})`)
      nodes.push(make(i))
      alive.push(true)
      nodes[i].start()
      for (const p of peers) link(i, p)
      return i
    },
    join (i) {
      if (started[i] || i >= graph.n) throw new Error(`node ${i} cannot join: started already or not in the graph`)
      started[i] = alive[i] = true
      nodes[i].start()
      for (const j of neighbours[i]) if (alive[j]) link(i, j)
    },
    async close () {
      for (let i = 0; i < nodes.length; i++) if (alive[i]) { alive[i] = false; await nodes[i].close() }
      // Close events are clock timers: let them run so nothing is left pending.
      clock.advance(o.latency.delayMaxMs + o.latency.rtoMs + o.latency.jitterMs + 1)
      await drain()
    }
  }
}
