// Many MeshNode instances in one process joined by in-memory links, shaped by
// a graph. Every link end counts the frames and bytes it sends (all frames,
// and chat FLOOD frames apart), so a flood's transmissions can be measured
// without touching the core.
import { MeshNode } from '../lib/core/node'
import type { NodeOptions } from '../lib/core/options'
import { generateKeyPair } from '../lib/protocol/crypto'
import { FrameType } from '../lib/protocol/frames'
import { MessageKind } from '../lib/protocol/envelope'
import { memoryLinkPair, type MemoryLink } from '../lib/transport/memory'
import type { Graph } from './graph'
import { sleep, waitUntil } from './stats'

/** Per-link inbound rate limit and per-author rate for benchmark nodes: high enough never to bite (the soak sends one author as fast as the mesh takes it). */
export const BENCH_RATE = 1e6
/** Links per node allowed; above any degree the benchmark builds. */
export const BENCH_MAX_LINKS = 64
/** Time allowed for every HELLO on every link to arrive. */
export const HANDSHAKE_TIMEOUT_MS = 30_000
/** Offset of the message kind in a FLOOD frame: [type][hops][kind ...] (kinds < 0xfd are one byte). */
const KIND_OFFSET = 2

export interface LinkCounters {
  frames: number
  bytes: number
  /** FLOOD frames of every kind (chat, presence, private...). */
  floodFrames: number
  /** FLOOD frames carrying chat messages, and their bytes. */
  chatFrames: number
  chatBytes: number
}

export interface MeshHarness {
  graph: Graph
  nodes: MeshNode[]
  counters: LinkCounters
  resetCounters (): void
  close (): Promise<void>
}

export interface MeshOptions {
  ttl: number
  nickPrefix?: string
  /** Extra node options (timing, seen cache size) over the benchmark defaults. */
  node?: Partial<NodeOptions>
}

function zero (): LinkCounters { return { frames: 0, bytes: 0, floodFrames: 0, chatFrames: 0, chatBytes: 0 } }

function countSends (link: MemoryLink, c: LinkCounters): void {
  const send = link.send.bind(link)
  link.send = (frame: Buffer) => {
    c.frames++
    c.bytes += frame.byteLength
    if (frame[0] === FrameType.FLOOD) {
      c.floodFrames++
      const kind = frame[KIND_OFFSET]
      if (kind === MessageKind.CHAT || kind === MessageKind.GUEST_CHAT) { c.chatFrames++; c.chatBytes += frame.byteLength }
    }
    send(frame)
  }
}

export function createNode (i: number, opts: MeshOptions): MeshNode {
  return new MeshNode({
    keyPair: generateKeyPair(), nick: `${opts.nickPrefix ?? 'n'}${i}`, pex: false, minLinks: 0, maxLinks: BENCH_MAX_LINKS,
    ratePerSecond: BENCH_RATE, rateBurst: BENCH_RATE, authorRate: BENCH_RATE, authorBurst: BENCH_RATE, linkMessageRate: BENCH_RATE, linkMessageBurst: BENCH_RATE, ttl: opts.ttl, ...opts.node
  })
}

/** Builds the mesh and resolves once every link has finished its HELLO exchange. */
export async function buildMesh (graph: Graph, opts: MeshOptions): Promise<MeshHarness> {
  const nodes = Array.from({ length: graph.n }, (_, i) => createNode(i, opts))
  const counters = zero()
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
    resetCounters () { Object.assign(counters, zero()) },
    async close () {
      await Promise.all(nodes.map(n => n.close()))
      // Link closes are delivered on later turns of the event loop.
      await sleep(20)
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

/**
 * Waits until the mesh has sent no frame for quietMs (the announcements and
 * syncs that follow link-up are over), bounded by timeoutMs. Returns the
 * frames sent meanwhile, and whether it settled.
 */
export async function settle (mesh: MeshHarness, quietMs: number, timeoutMs: number): Promise<{ settled: boolean; frames: number; floodFrames: number; ms: number }> {
  const start = Date.now()
  const before = { ...mesh.counters }
  let last = mesh.counters.frames
  let lastChange = Date.now()
  let settled = false
  while (Date.now() - start < timeoutMs) {
    await sleep(Math.min(50, quietMs))
    if (mesh.counters.frames !== last) { last = mesh.counters.frames; lastChange = Date.now(); continue }
    if (Date.now() - lastChange >= quietMs) { settled = true; break }
  }
  return { settled, frames: mesh.counters.frames - before.frames, floodFrames: mesh.counters.floodFrames - before.floodFrames, ms: Date.now() - start }
}
