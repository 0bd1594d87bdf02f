// Section 1a: flooding in one process on in-memory links. Random graphs of
// several sizes and degrees, a line, and the standard pubsub workload.
import { DEFAULT_TTL } from '../lib/core/options'
import { diameter, line, randomRegular, type Graph } from './graph'
import { buildMesh, settle } from './mesh-harness'
import { runFlood, type FloodResult, type FloodWorkload } from './mesh-flood'
import { pickDistinct, seededRandom } from './prng'
import { heapAfterGc } from './gc'
import { cpuMs, round, sleep } from './stats'

export const GRAPH_SEED = 0x6d657368
/** The default hop limit before lazy push's copied trees needed room (2026-11-28). */
export const OLD_DEFAULT_TTL = 8

export interface MeshScenario {
  name: string
  /** Hop limit; default: the node default, raised to the graph's diameter if that is longer. */
  ttl?: number
  /** Presence announcements at their defaults; off unless set (see BENCHMARKS.md). */
  presence?: boolean
  /** Lazy push (core/lazy-push.ts); on unless set to false (plain flooding, for the side by side). */
  lazyPush?: boolean
  graph: () => Graph
  workload: (n: number, seed: number) => FloodWorkload
}

export interface MeshScenarioResult extends FloodResult {
  name: string
  nodes: number
  edges: number
  diameter: number
  ttl: number
  presence: boolean
  setupMs: number
  /** Link-up traffic (presence announcements, history sync) before the mesh went quiet. */
  formation: { ms: number; frames: number; floods: number; cpuMs: number; settled: boolean }
  heapPerNodeKiB: number
  heapPerNodeAfterKiB: number
}

/** Text size of the standard pubsub workload (and of every mesh scenario). */
export const TEXT_BYTES = 100
const DRAIN_TIMEOUT_MS = 5_000
/** The mesh counts as formed once no frame was sent for this long. */
const SETTLE_QUIET_MS = 300
const SETTLE_TIMEOUT_MS = 60_000

/** Paced random senders: total messages spread over `senders` nodes. */
export function paced (senders: number, perSender: number, rate: number): (n: number, seed: number) => FloodWorkload {
  return (n, seed) => ({
    senders: pickDistinct(seededRandom(seed), n, senders),
    messagesPerSender: perSender,
    ratePerSender: rate,
    textBytes: TEXT_BYTES,
    drainTimeoutMs: DRAIN_TIMEOUT_MS
  })
}

export function randomScenario (n: number, d: number, work: MeshScenario['workload'], ttl?: number): MeshScenario {
  return {
    name: `random n=${n} d=${d}${ttl ? ` ttl=${ttl}` : ''}`,
    ttl,
    graph: () => randomRegular(n, d, seededRandom(GRAPH_SEED + n * 31 + d)),
    workload: work
  }
}

/** The same scenario with lazy push off: every message whole on every link of its room. */
export function flooding (s: MeshScenario): MeshScenario {
  return { ...s, lazyPush: false, name: `${s.name} flood` }
}

/** A line of `hops` hops, sent from one end. */
export function lineScenario (hops: number, messages: number, rate: number): MeshScenario {
  return {
    name: `line ${hops} hops`,
    graph: () => line(hops + 1),
    workload: () => ({ senders: [0], messagesPerSender: messages, ratePerSender: rate, textBytes: TEXT_BYTES, drainTimeoutMs: DRAIN_TIMEOUT_MS })
  }
}

/** The js-libp2p gossipsub comparison: 100 nodes, degree 4, 4 senders x 50 at 20/s. */
export function pubsubScenario (nodes = 100, perSender = 50, presence = false): MeshScenario {
  return { ...randomScenario(nodes, 4, paced(4, perSender, 20)), presence, name: `pubsub n=${nodes} d=4 4x${perSender}@20/s${presence ? ' presence on' : ''}` }
}

export async function runMeshScenario (s: MeshScenario): Promise<MeshScenarioResult> {
  const graph = s.graph()
  const diam = diameter(graph)
  const ttl = s.ttl ?? Math.max(DEFAULT_TTL, diam)
  const presence = s.presence ?? false
  // Let the previous scenario's closing links finish before the baseline.
  await sleep(SETTLE_QUIET_MS)
  const heap0 = heapAfterGc()
  const t0 = Date.now()
  const cpu0 = cpuMs()
  const mesh = await buildMesh(graph, { ttl, node: { lazyPush: s.lazyPush !== false, ...(presence ? {} : { timing: { presenceIntervalMs: 0 } }) } })
  const setupMs = Date.now() - t0
  try {
    const quiet = await settle(mesh, SETTLE_QUIET_MS, SETTLE_TIMEOUT_MS)
    const formation = { ms: Date.now() - t0, frames: mesh.counters.frames, floods: mesh.counters.floodFrames, cpuMs: round(cpuMs() - cpu0, 0), settled: quiet.settled }
    const heap1 = heapAfterGc()
    const flood = await runFlood(mesh, s.workload(graph.n, GRAPH_SEED))
    const heap2 = heapAfterGc()
    return {
      name: s.name,
      nodes: graph.n,
      edges: graph.edges.length,
      diameter: diam,
      ttl,
      presence,
      setupMs,
      formation,
      heapPerNodeKiB: round((heap1 - heap0) / graph.n / 1024, 1),
      heapPerNodeAfterKiB: round((heap2 - heap0) / graph.n / 1024, 1),
      ...flood
    }
  } finally {
    await mesh.close()
  }
}

export interface MeshPlan { scenarios: MeshScenario[]; pubsub: MeshScenario }

export function meshPlan (quick: boolean): MeshPlan {
  if (quick) {
    return {
      scenarios: [
        randomScenario(20, 4, paced(4, 5, 25)),
        randomScenario(100, 4, paced(4, 5, 5)),
        flooding(randomScenario(100, 4, paced(4, 5, 5))),
        lineScenario(10, 20, 50)
      ],
      pubsub: pubsubScenario(100, 15, false)
    }
  }
  return {
    // Rates keep about 2,000 deliveries a second at every size, well under one
    // core, so latency shows the flood and not a queue behind the CPU.
    scenarios: [
      randomScenario(20, 4, paced(4, 25, 25)),
      randomScenario(20, 8, paced(4, 25, 25)),
      { ...randomScenario(20, 4, paced(4, 25, 25)), presence: true, name: 'random n=20 d=4 presence on' },
      randomScenario(100, 4, paced(4, 20, 5)),
      flooding(randomScenario(100, 4, paced(4, 20, 5))),
      randomScenario(100, 8, paced(4, 20, 5)),
      flooding(randomScenario(100, 8, paced(4, 20, 5))),
      randomScenario(500, 4, paced(4, 5, 1)),
      flooding(randomScenario(500, 4, paced(4, 5, 1))),
      randomScenario(500, 8, paced(4, 5, 1)),
      flooding(randomScenario(500, 8, paced(4, 5, 1))),
      // The same graph as 'random n=500 d=4' with the hop limit before 2026-11-28
      // (8, the graph's diameter): copied trees' paths were cut short (see BENCHMARKS.md).
      randomScenario(500, 4, paced(4, 5, 1), OLD_DEFAULT_TTL),
      lineScenario(10, 100, 50),
      pubsubScenario(100, 50, false)
    ],
    pubsub: pubsubScenario(100, 50, true)
  }
}

