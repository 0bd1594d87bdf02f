// In-process links for tests and benchmarks: two ends joined by queues that
// deliver on a later turn of the event loop, like a socket would.
import { EventEmitter } from 'events'
import type { Link, Via } from '../core/link'

export class MemoryLink extends EventEmitter implements Link {
  readonly via: Via = 'memory'
  peer: MemoryLink | null = null
  closed = false
  bytesSent = 0
  /** While set, this end reads nothing: frames sent to it stay queued at the far end (a peer that never reads). */
  paused = false
  private queue: Buffer[] = []
  private queuedBytes = 0
  scheduled = false

  constructor (readonly remotePublicKey: Buffer, readonly remoteAddress: string, readonly initiator: boolean) { super() }

  get bufferedBytes (): number { return this.queuedBytes }

  /** Queues one frame; an empty one is dropped, as a secret-stream link never delivers an empty message as a frame. */
  send (frame: Buffer): void {
    if (this.closed || frame.byteLength === 0) return
    this.queue.push(frame)
    this.queuedBytes += frame.byteLength
    this.bytesSent += frame.byteLength
    if (!this.scheduled) { this.scheduled = true; setImmediate(() => this.flush()) }
  }

  private flush (): void {
    this.scheduled = false
    const peer = this.peer
    if (peer?.paused) return
    const q = this.queue
    this.queue = []
    this.queuedBytes = 0
    for (const f of q) {
      if (!peer || peer.closed) return
      peer.emit('frame', f)
    }
  }

  /** Starts reading again what the far end queued. */
  resume (): void {
    this.paused = false
    const peer = this.peer
    if (peer && !peer.scheduled) { peer.scheduled = true; setImmediate(() => peer.flush()) }
  }

  destroy (err?: Error): void {
    if (this.closed) return
    this.closed = true
    this.queue = []
    setImmediate(() => this.emit('close', err))
    const peer = this.peer
    if (peer && !peer.closed) setImmediate(() => peer.destroy())
  }
}

/** Returns [dialler's end, acceptor's end]. */
export function memoryLinkPair (dialerKey: Buffer, dialerAddress: string, acceptorKey: Buffer, acceptorAddress: string): [MemoryLink, MemoryLink] {
  const a = new MemoryLink(acceptorKey, acceptorAddress, true)
  const b = new MemoryLink(dialerKey, dialerAddress, false)
  a.peer = b
  b.peer = a
  return [a, b]
}
