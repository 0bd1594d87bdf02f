// The simulator's link: like lib/transport/memory.ts's MemoryLink, but a frame
// reaches the far end when the VirtualClock says so, after the link's one-way
// delay plus jitter. Frames stay in order per direction (TCP is reliable and
// ordered); "loss" is a retransmission: a fraction of frames arrive one RTO
// late and hold back the frames behind them, never dropped. Every frame sent
// is counted by kind in the network's shared counters and per sending node.
import { EventEmitter } from 'events'
import type { Link, Via } from '../lib/core/link'
import { FrameType } from '../lib/protocol/frames'
import { MessageKind } from '../lib/protocol/envelope'
import type { Random } from './prng'
import type { VirtualClock } from './virtual-clock'

/** Offset of the message kind in a FLOOD frame: [type][hops][kind ...] (kinds < 0xfd are one byte). */
const KIND_OFFSET = 2

export interface LatencyModel {
  /** One-way delay of a link, drawn once per link, uniform in [min, max] ms. */
  delayMinMs: number
  delayMaxMs: number
  /** Extra delay of each frame, uniform in [0, jitterMs]. */
  jitterMs: number
  /** Fraction of frames that need one retransmission. */
  loss: number
  /** What a retransmission adds (TCP's minimum RTO is 200 ms). */
  rtoMs: number
}

/** Internet-like defaults: 10-80 ms one way (20-160 ms RTT), 5 ms jitter, 1% of frames retransmitted after 200 ms. */
export const DEFAULT_LATENCY: LatencyModel = { delayMinMs: 10, delayMaxMs: 80, jitterMs: 5, loss: 0.01, rtoMs: 200 }

/** What the counters tell apart: chat, presence and other FLOODs, and every other frame type by name. */
export type FrameClass = 'chat' | 'presence' | 'flood-other' | string

export interface ClassCount { frames: number; bytes: number }

/** Frames and bytes sent on every link of one network, by class, and bytes by sending node. */
export class NetCounters {
  frames = 0
  bytes = 0
  readonly byClass = new Map<FrameClass, ClassCount>()
  /** Bytes sent by each node (index as built), all frames. */
  readonly nodeBytes: Float64Array

  constructor (nodes: number) { this.nodeBytes = new Float64Array(nodes) }

  count (node: number, frame: Buffer): void {
    const cls = classify(frame)
    let c = this.byClass.get(cls)
    if (!c) { c = { frames: 0, bytes: 0 }; this.byClass.set(cls, c) }
    c.frames++
    c.bytes += frame.byteLength
    this.frames++
    this.bytes += frame.byteLength
    this.nodeBytes[node] += frame.byteLength
  }

  /** A copy of the figures so far, to subtract from later ones. */
  snapshot (): CountSnapshot {
    const byClass: Record<string, ClassCount> = {}
    for (const [k, v] of this.byClass) byClass[k] = { ...v }
    return { frames: this.frames, bytes: this.bytes, byClass, nodeBytes: Float64Array.from(this.nodeBytes) }
  }
}

export interface CountSnapshot { frames: number; bytes: number; byClass: Record<string, ClassCount>; nodeBytes: Float64Array }

/** later - earlier, class by class. */
export function countsSince (now: CountSnapshot, then: CountSnapshot): CountSnapshot {
  const byClass: Record<string, ClassCount> = {}
  for (const [k, v] of Object.entries(now.byClass)) {
    const t = then.byClass[k] ?? { frames: 0, bytes: 0 }
    if (v.frames > t.frames) byClass[k] = { frames: v.frames - t.frames, bytes: v.bytes - t.bytes }
  }
  return { frames: now.frames - then.frames, bytes: now.bytes - then.bytes, byClass, nodeBytes: now.nodeBytes.map((b, i) => b - then.nodeBytes[i]) }
}

const TYPE_NAMES = new Map<number, string>(Object.entries(FrameType).map(([k, v]) => [v as number, k.toLowerCase()]))

export function classify (frame: Buffer): FrameClass {
  const type = frame[0]
  if (type === FrameType.FLOOD) {
    const kind = frame[KIND_OFFSET]
    if (kind === MessageKind.CHAT || kind === MessageKind.GUEST_CHAT || kind === MessageKind.ACTION) return 'chat'
    if (kind === MessageKind.PRESENCE) return 'presence'
    return 'flood-other'
  }
  // Frame types added later (lazy push's control frames) show up under their number until named in frames.ts.
  return TYPE_NAMES.get(type) ?? `type-${type}`
}

export interface SimEnv { clock: VirtualClock; random: Random; latency: LatencyModel; counters: NetCounters }

const EMPTY = Buffer.alloc(0)

export class SimLink extends EventEmitter implements Link {
  readonly via: Via = 'memory'
  peer: SimLink | null = null
  closed = false
  /** Bytes sent and not yet arrived at the far end (in flight on the simulated network). */
  private inFlight = 0
  /** When the last frame sent this way arrives: later frames never overtake it. */
  private lastArrival = 0

  constructor (readonly remotePublicKey: Buffer, readonly remoteAddress: string, readonly initiator: boolean,
    private readonly env: SimEnv, private readonly node: number, private readonly delayMs: number) { super() }

  get bufferedBytes (): number { return this.inFlight }

  send (frame: Buffer): void {
    if (this.closed || frame.byteLength === 0) return
    const { clock, random, latency } = this.env
    this.env.counters.count(this.node, frame)
    let arrival = clock.now() + this.delayMs + random() * latency.jitterMs
    if (random() < latency.loss) arrival += latency.rtoMs
    arrival = Math.max(arrival, this.lastArrival)
    this.lastArrival = arrival
    this.inFlight += frame.byteLength
    this.queue.push(frame)
    this.arrivals.push(arrival)
    if (!this.due) { this.due = true; clock.setTimeout(this.arrive, arrival - clock.now()) }
  }

  /**
   * Frames in flight wait in this link's own queue, one clock timer per link
   * at a time: arrivals on a link are in order anyway, and a timer per frame
   * put every frame in flight on the clock's heap (hundreds of thousands
   * while a large room forms).
   */
  private readonly queue: Buffer[] = []
  private readonly arrivals: number[] = []
  private head = 0
  /** A timer is set for the queue's first frame. */
  private due = false

  private readonly arrive = (): void => {
    this.due = false
    const now = this.env.clock.now()
    while (this.head < this.queue.length && this.arrivals[this.head] <= now) {
      const frame = this.queue[this.head]
      this.queue[this.head++] = EMPTY
      this.inFlight -= frame.byteLength
      const peer = this.peer
      if (!this.closed && peer && !peer.closed) peer.emit('frame', frame)
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.arrivals.length = 0
      this.head = 0
    } else if (!this.due) {
      this.due = true
      this.env.clock.setTimeout(this.arrive, this.arrivals[this.head] - now)
    }
  }

  /** Closes this end at once and the far end one delay later (the FIN or RST travelling). */
  destroy (err?: Error): void {
    if (this.closed) return
    this.closed = true
    const { clock } = this.env
    clock.setTimeout(() => this.emit('close', err), 0)
    const peer = this.peer
    if (peer && !peer.closed) clock.setTimeout(() => peer.destroy(), this.delayMs)
  }
}

/** Returns [dialler's end, acceptor's end] of one link, its delay drawn from the model. */
export function simLinkPair (env: SimEnv, a: { key: Buffer; index: number }, b: { key: Buffer; index: number }): [SimLink, SimLink] {
  const { latency, random } = env
  const delay = latency.delayMinMs + random() * (latency.delayMaxMs - latency.delayMinMs)
  const aEnd = new SimLink(b.key, `sim:${b.index}`, true, env, a.index, delay)
  const bEnd = new SimLink(a.key, `sim:${a.index}`, false, env, b.index, delay)
  aEnd.peer = bEnd
  bEnd.peer = aEnd
  return [aEnd, bEnd]
}
