// Section 1a: flooding in one process on in-memory links. Random graphs of
// several sizes and degrees, a line, and the standard pubsub workload.
import { DEFAULT_TTL } from '../lib/core/options'
import { diameter, line, randomRegular, type Graph } from './graph'
import { buildMesh } from './mesh-harness'
import { runFlood, type FloodResult, type FloodWorkload } from './mesh-flood'
import { pickDistinct, seededRandom } from './prng'
import { heapAfterGc } from './gc'
import { round } from './stats'

export const GRAPH_SEED = 0x6d657368

export interface MeshScenario {
  name: string
  /** Hop limit; default: the node default, raised to the graph's diameter if that is longer. */
  ttl?: number
  graph: () => Graph
  workload: (n: number, seed: number) => FloodWorkload
}

export interface MeshScenarioResult extends FloodResult {
  name: string
  nodes: number
  edges: number
  diameter: number
  ttl: number
  setupMs: number
  heapPerNodeKiB: number
  heapPerNodeAfterKiB: number
}

/** Text size of the standard pubsub workload (and of every mesh scenario). */
export const TEXT_BYTES = 100
const DRAIN_TIMEOUT_MS = 5_000

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

/** A line of `hops` hops, sent from one end. */
export function lineScenario (hops: number, messages: number, rate: number): MeshScenario {
  return {
    name: `line ${hops} hops`,
    graph: () => line(hops + 1),
    workload: () => ({ senders: [0], messagesPerSender: messages, ratePerSender: rate, textBytes: TEXT_BYTES, drainTimeoutMs: DRAIN_TIMEOUT_MS })
  }
}

/** The js-libp2p gossipsub comparison: 100 nodes, degree 4, 4 senders x 50 at 20/s. */
export function pubsubScenario (nodes = 100, perSender = 50): MeshScenario {
  return { ...randomScenario(nodes, 4, paced(4, perSender, 20)), name: `pubsub n=${nodes} d=4 4x${perSender}@20/s` }
}

export async function runMeshScenario (s: MeshScenario): Promise<MeshScenarioResult> {
  const graph = s.graph()
  const diam = diameter(graph)
  const ttl = s.ttl ?? Math.max(DEFAULT_TTL, diam)
  const heap0 = heapAfterGc()
  const t0 = Date.now()
  const mesh = await buildMesh(graph, { ttl })
  const setupMs = Date.now() - t0
  try {
    const heap1 = heapAfterGc()
    const flood = await runFlood(mesh, s.workload(graph.n, GRAPH_SEED))
    const heap2 = heapAfterGc()
    return {
      name: s.name,
      nodes: graph.n,
      edges: graph.edges.length,
      diameter: diam,
      ttl,
      setupMs,
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
        randomScenario(20, 4, paced(4, 5, 20)),
        randomScenario(100, 4, paced(4, 5, 20)),
        lineScenario(10, 20, 50)
      ],
      pubsub: pubsubScenario(100, 15)
    }
  }
  return {
    scenarios: [
      randomScenario(20, 4, paced(4, 25, 20)),
      randomScenario(20, 8, paced(4, 25, 20)),
      randomScenario(100, 4, paced(4, 25, 20)),
      randomScenario(100, 8, paced(4, 25, 20)),
      randomScenario(500, 4, paced(4, 10, 5)),
      randomScenario(500, 8, paced(4, 10, 5)),
      // The same graph as 'random n=500 d=4' with slack in the hop limit (see README).
      randomScenario(500, 4, paced(4, 10, 5), 2 * DEFAULT_TTL),
      lineScenario(10, 100, 50)
    ],
    pubsub: pubsubScenario()
  }
}

