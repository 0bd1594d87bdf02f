// Section 1a, rooms: several rooms on one in-process mesh, each node in one
// room, with room overlays formed (each room's members linked among
// themselves as member linking leaves them, plus a few links between rooms).
// Reports copies and bytes per delivery, where a delivery is a member of the
// message's room receiving it, and the room frames that reached a non-member
// (zero when overlays work).
import { performance } from 'perf_hooks'
import type { ChatMessage } from '../lib/core/node'
import { DEFAULT_TTL } from '../lib/core/options'
import { decodeFlood, MessageKind } from '../lib/protocol/envelope'
import { FrameType } from '../lib/protocol/frames'
import { memoryLinkPair, type MemoryLink } from '../lib/transport/memory'
import { diameter, isConnected, randomRegular, type Edge, type Graph } from './graph'
import { createNode, HANDSHAKE_TIMEOUT_MS } from './mesh-harness'
import { GRAPH_SEED, TEXT_BYTES } from './mesh-scenarios'
import { pickDistinct, seededRandom } from './prng'
import { deliverySummary, round, sleep, waitUntil } from './stats'

/** Links between each pair of consecutive rooms (what keeps the whole mesh one graph). */
export const CROSS_LINKS_PER_ROOM = 2
/** After the last send, how long to wait for stragglers. */
const DRAIN_TIMEOUT_MS = 5_000

export interface RoomsScenario {
  name: string
  nodes: number
  rooms: number
  /** Degree of each room's own graph. */
  degree: number
  sendersPerRoom: number
  messagesPerSender: number
  ratePerSender: number
}

export interface RoomsResult {
  name: string; nodes: number; rooms: number; edges: number; ttl: number
  messages: number; expected: number; delivered: number; duplicateDeliveries: number
  deliveryRatio: number; latencyP50Ms: number; latencyP99Ms: number; latencyMaxMs: number
  /** Chat FLOOD frames sent on links, per delivery. */
  copiesPerDelivery: number
  /** Every byte written on links while the workload ran, per delivery. */
  bytesPerDelivery: number
  /** Chat FLOOD frames sent to a node not in the message's room. */
  strayFrames: number
}

const roomOf = (i: number, rooms: number) => `room${i % rooms}`

/** Each room's members as a random regular graph, plus CROSS_LINKS_PER_ROOM links from each room to the next. */
export function roomsGraph (s: RoomsScenario): Graph {
  const random = seededRandom(GRAPH_SEED + s.nodes * 7 + s.rooms)
  const edges: Edge[] = []
  const members = Array.from({ length: s.rooms }, (_, r) => Array.from({ length: s.nodes }, (_, i) => i).filter(i => i % s.rooms === r))
  for (const m of members) for (const [a, b] of randomRegular(m.length, s.degree, random).edges) edges.push([m[a], m[b]])
  for (let r = 0; r < s.rooms && s.rooms > 1; r++) {
    const next = members[(r + 1) % s.rooms]
    for (let k = 0; k < CROSS_LINKS_PER_ROOM; k++) edges.push([members[r][k], next[next.length - 1 - k]])
  }
  if (!isConnected(s.nodes, edges)) throw new Error(`${s.name}: graph not connected`)
  return { n: s.nodes, edges, label: s.name }
}

export async function runRoomsScenario (s: RoomsScenario): Promise<RoomsResult> {
  const graph = roomsGraph(s)
  const ttl = Math.max(DEFAULT_TTL, diameter(graph))
  const rooms = (i: number) => roomOf(i, s.rooms)
  const nodes = Array.from({ length: s.nodes }, (_, i) => createNode(i, { ttl, node: { rooms: [rooms(i)], timing: { presenceIntervalMs: 0 } } }))
  const c = { bytes: 0, chatFrames: 0, strays: 0 }
  const count = (link: MemoryLink, far: number) => {
    const send = link.send.bind(link)
    link.send = (frame: Buffer) => {
      c.bytes += frame.byteLength
      if (frame[0] === FrameType.FLOOD) {
        const m = decodeFlood(frame)
        if (m.kind === MessageKind.CHAT) { c.chatFrames++; if (m.room !== rooms(far)) c.strays++ }
      }
      send(frame)
    }
  }
  let ups = 0
  for (const node of nodes) { node.on('peer-up', () => { ups++ }); node.start() }
  for (const [a, b] of graph.edges) {
    const [ea, eb] = memoryLinkPair(nodes[a].keyPair.publicKey, `mem:${a}`, nodes[b].keyPair.publicKey, `mem:${b}`)
    count(ea, b)
    count(eb, a)
    nodes[a].addLink(ea)
    nodes[b].addLink(eb)
  }
  try {
    if (!await waitUntil(() => ups >= graph.edges.length * 2, HANDSHAKE_TIMEOUT_MS)) throw new Error(`${s.name}: links did not come up`)
    await sleep(300)
    const random = seededRandom(GRAPH_SEED)
    const senders = Array.from({ length: s.rooms }, (_, r) => pickDistinct(random, s.nodes / s.rooms, s.sendersPerRoom).map(k => k * s.rooms + r)).flat()
    const sent = new Map<string, number>()
    const seenBy = nodes.map(() => new Set<string>())
    const latencies: number[] = []
    let delivered = 0
    let duplicateDeliveries = 0
    nodes.forEach((node, i) => node.on('message', (m: ChatMessage) => {
      const at = sent.get(m.id)
      if (m.self || at === undefined) return
      if (seenBy[i].has(m.id)) { duplicateDeliveries++; return }
      seenBy[i].add(m.id)
      delivered++
      latencies.push(performance.now() - at)
    }))
    Object.assign(c, { bytes: 0, chatFrames: 0, strays: 0 })
    const gap = 1000 / s.ratePerSender
    const t0 = performance.now()
    for (let k = 0; k < s.messagesPerSender; k++) {
      for (const [j, sender] of senders.entries()) {
        const wait = t0 + k * gap + (gap * j) / senders.length - performance.now()
        if (wait > 0) await sleep(wait)
        const m = nodes[sender].send(`m${k}.${sender} `.padEnd(TEXT_BYTES, 'x'))
        sent.set(m.id, performance.now())
      }
    }
    const expected = sent.size * (s.nodes / s.rooms - 1)
    await waitUntil(() => delivered >= expected, DRAIN_TIMEOUT_MS, 2)
    await sleep(20)
    const per = (x: number) => delivered > 0 ? x / delivered : NaN
    return {
      name: s.name, nodes: s.nodes, rooms: s.rooms, edges: graph.edges.length, ttl,
      messages: sent.size, expected, delivered, duplicateDeliveries,
      ...deliverySummary(expected, delivered, latencies),
      copiesPerDelivery: round(per(c.chatFrames)),
      bytesPerDelivery: round(per(c.bytes), 1),
      strayFrames: c.strays
    }
  } finally {
    await Promise.all(nodes.map(n => n.close()))
    await sleep(20)
  }
}

export function roomsPlan (quick: boolean): RoomsScenario[] {
  const base = { nodes: 100, rooms: 4, degree: 4, sendersPerRoom: 1, ratePerSender: 5 }
  return quick
    ? [{ ...base, name: 'rooms n=100 4 rooms d=4 4x5@5/s', messagesPerSender: 5 }]
    : [{ ...base, name: 'rooms n=100 4 rooms d=4 4x20@5/s', messagesPerSender: 20 }]
}
