// Many MeshNode instances in one process joined by in-memory links, shaped by
// a graph. Every link end counts the frames and bytes it sends, so a flood's
// transmissions can be measured without touching the core.
import { MeshNode } from '../lib/core/node'
import { generateKeyPair } from '../lib/protocol/crypto'
import { FrameType } from '../lib/protocol/frames'
import { memoryLinkPair, type MemoryLink } from '../lib/transport/memory'
import type { Graph } from './graph'
import { waitUntil } from './stats'

/** Per-link inbound rate limit for benchmark nodes: high enough never to bite. */
export const BENCH_RATE = 1e6
/** Links per node allowed; above any degree the benchmark builds. */
export const BENCH_MAX_LINKS = 64
/** Time allowed for every HELLO on every link to arrive. */
export const HANDSHAKE_TIMEOUT_MS = 30_000

export interface LinkCounters { frames: number; bytes: number; floodFrames: number; floodBytes: number }

export interface MeshHarness {
  graph: Graph
  nodes: MeshNode[]
  counters: LinkCounters
  resetCounters (): void
  close (): Promise<void>
}

export interface MeshOptions { ttl: number; nickPrefix?: string }

function countSends (link: MemoryLink, counters: LinkCounters): void {
  const send = link.send.bind(link)
  link.send = (frame: Buffer) => {
    counters.frames++
    counters.bytes += frame.byteLength
    if (frame[0] === FrameType.FLOOD) { counters.floodFrames++; counters.floodBytes += frame.byteLength }
    send(frame)
  }
}

export function createNode (i: number, ttl: number, prefix = 'n'): MeshNode {
  return new MeshNode({
    keyPair: generateKeyPair(), nick: `${prefix}${i}`, pex: false, minLinks: 0, maxLinks: BENCH_MAX_LINKS,
    ratePerSecond: BENCH_RATE, rateBurst: BENCH_RATE, ttl
  })
}

/** Builds the mesh and resolves once every link has finished its HELLO exchange. */
export async function buildMesh (graph: Graph, opts: MeshOptions): Promise<MeshHarness> {
  const nodes = Array.from({ length: graph.n }, (_, i) => createNode(i, opts.ttl, opts.nickPrefix))
  const counters: LinkCounters = { frames: 0, bytes: 0, floodFrames: 0, floodBytes: 0 }
  let ups = 0
  for (const node of nodes) node.on('peer-up', () => { ups++ })
  for (const node of nodes) node.start()
  for (const [a, b] of graph.edges) {
    const na = nodes[a]
    const nb = nodes[b]
    const [aEnd, bEnd] = memoryLinkPair(na.keyPair.publicKey, `mem:${a}`, nb.keyPair.publicKey, `mem:${b}`)
    countSends(aEnd, counters)
    countSends(bEnd, counters)
    na.addLink(aEnd)
    nb.addLink(bEnd)
  }
  const harness: MeshHarness = {
    graph,
    nodes,
    counters,
    resetCounters () { counters.frames = counters.bytes = counters.floodFrames = counters.floodBytes = 0 },
    async close () {
      await Promise.all(nodes.map(n => n.close()))
      // Link closes are delivered on later turns of the event loop.
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }
  const expected = graph.edges.length * 2
  const ok = await waitUntil(() => ups >= expected, HANDSHAKE_TIMEOUT_MS)
  if (!ok) {
    await harness.close()
    throw new Error(`${graph.label}: only ${ups} of ${expected} link ends finished HELLO in ${HANDSHAKE_TIMEOUT_MS} ms`)
  }
  return harness
}
