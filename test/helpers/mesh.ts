// Many MeshNodes in one process joined by memory links: the router's unit
// test bench. Timers are real but fast; drain() proves the links empty with
// markers before a test counts what never came; close() tears it all down.
import { MeshNode, type ChatMessage } from '../../lib/core/node'
import { memoryLinkPair, type MemoryLink } from '../../lib/transport/memory'
import { generateKeyPair } from '../../lib/protocol/crypto'
import type { NodeOptions } from '../../lib/core/options'
import { FrameType } from '../../lib/protocol/frames'
import { SYNC_ID_BYTES } from '../../lib/protocol/limits'

export class MemMesh {
  readonly nodes: MeshNode[] = []
  readonly received: ChatMessage[][] = []
  links = 0
  /** Every link end, with the node that owns it and the node at its far end. */
  private readonly ends: Array<{ end: MemoryLink; owner: number; far: number }> = []
  private drains = 0

  /** `each(i)`: options of node i over `opts` (its rooms, say). */
  constructor (n: number, opts: Partial<NodeOptions> = {}, each: (i: number) => Partial<NodeOptions> = () => ({})) {
    for (let i = 0; i < n; i++) {
      const node = new MeshNode({ keyPair: generateKeyPair(), nick: `n${i}`, pex: false, minLinks: 0, maxLinks: 64, timing: { tickMs: 50 }, ...opts, ...each(i) })
      node.setListenAddress(`10.0.0.${i}:1`)
      const inbox: ChatMessage[] = []
      node.on('message', (m: ChatMessage) => { if (!m.self) inbox.push(m) })
      node.on('fault', () => {})
      node.start()
      this.nodes.push(node)
      this.received.push(inbox)
    }
  }

  /** Links node a to node b; returns [a's end, b's end] (each end emits 'frame' for what its node receives). */
  connect (a: number, b: number): [MemoryLink, MemoryLink] {
    const A = this.nodes[a]
    const B = this.nodes[b]
    const [ea, eb] = memoryLinkPair(A.keyPair.publicKey, A.listenAddress, B.keyPair.publicKey, B.listenAddress)
    A.addLink(ea)
    B.addLink(eb)
    this.ends.push({ end: ea, owner: a, far: b }, { end: eb, owner: b, far: a })
    this.links++
    return [ea, eb]
  }

  /** Lets every node dial the others by listen address over memory links (peer exchange, member linking); an unknown address fails. */
  enableDialing (): void {
    this.nodes.forEach((node, a) => node.setDialer(async (address: string) => {
      const b = this.nodes.findIndex(n => n.listenAddress === address)
      if (b < 0) throw new Error(`no node listens at ${address}`)
      const far = this.nodes[b]
      const [ea, eb] = memoryLinkPair(node.keyPair.publicKey, node.listenAddress, far.keyPair.publicKey, far.listenAddress)
      far.addLink(eb)
      this.ends.push({ end: ea, owner: a, far: b }, { end: eb, owner: b, far: a })
      this.links++
      return ea
    }))
  }

  /** Every link end (what its owner receives comes out of `end` as 'frame'), including those of dialled links. */
  get linkEnds (): ReadonlyArray<{ end: MemoryLink; owner: number; far: number }> { return this.ends }

  /** Resolves when every node has `expected(i)` established peers. */
  async settled (expected: (i: number) => number, timeoutMs = 5000): Promise<void> {
    const start = Date.now()
    while (this.nodes.some((n, i) => n.peers().length !== expected(i))) {
      if (Date.now() - start > timeoutMs) throw new Error('mesh did not settle')
      await new Promise(resolve => setTimeout(resolve, 5))
    }
  }

  /** Resolves when `pred` holds, polling the event loop. */
  async until (pred: () => boolean, timeoutMs = 5000): Promise<boolean> {
    const start = Date.now()
    while (!pred()) {
      if (Date.now() - start > timeoutMs) return false
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    return true
  }

  /**
   * Every node sends a marker message (text `drain <round> <node>`, in each
   * of its rooms) after whatever it has sent or forwarded so far; resolves
   * with the marker texts once every open link between nodes that share a
   * room has carried its far node's marker, whole or as a lazy push IHAVE of
   * its id (room overlays: a link between nodes with no room in common
   * carries no room message). Links are FIFO and ids go out in order, so
   * anything sent earlier has arrived by then: only now may a test count what
   * did NOT arrive. Markers are delivered like any message (they show up in
   * `received`); rejects after timeoutMs.
   */
  async drain (timeoutMs = 5000): Promise<string[]> {
    const round = this.drains++
    const texts = this.nodes.map((_, i) => `drain ${round} ${i}`)
    const shortIds: Buffer[][] = this.nodes.map(() => [])
    const shared = (a: number, b: number) => this.nodes[a].rooms.some(r => this.nodes[b].rooms.includes(r))
    const open = this.ends.filter(e => !e.end.closed && shared(e.owner, e.far))
    const pending = new Set(open)
    const taps = open.map(e => {
      const want = Buffer.from(texts[e.far])
      const tap = (f: Buffer) => {
        if (f[0] === FrameType.IHAVE ? shortIds[e.far].some(id => f.includes(id)) : f.includes(want)) pending.delete(e)
      }
      e.end.on('frame', tap)
      return () => e.end.off('frame', tap)
    })
    try {
      this.nodes.forEach((n, i) => {
        for (const room of n.rooms) shortIds[i].push(Buffer.from(n.send(texts[i], { room }).id, 'hex').subarray(0, SYNC_ID_BYTES))
      })
      if (!await this.until(() => pending.size === 0, timeoutMs)) throw new Error(`drain: ${pending.size} links never carried their marker`)
    } finally { for (const off of taps) off() }
    return texts
  }

  async close (): Promise<void> {
    await Promise.all(this.nodes.map(n => n.close()))
  }
}

/** A deterministic PRNG (mulberry32, lib/util/prng.ts, shared with the benchmark) so random graphs reproduce. */
export { seededRandom as seeded } from '../../lib/util/prng'

/** Edges of a connected random graph: a random spanning tree plus extra edges up to about `degree` per node. */
export function randomGraph (n: number, degree: number, random: () => number): Array<[number, number]> {
  const edges = new Set<string>()
  const out: Array<[number, number]> = []
  const add = (a: number, b: number) => {
    if (a === b) return
    const k = a < b ? `${a}-${b}` : `${b}-${a}`
    if (edges.has(k)) return
    edges.add(k)
    out.push([a, b])
  }
  for (let i = 1; i < n; i++) add(i, Math.floor(random() * i))
  const target = Math.floor((n * degree) / 2)
  for (let tries = 0; out.length < target && tries < target * 20; tries++) add(Math.floor(random() * n), Math.floor(random() * n))
  return out
}
