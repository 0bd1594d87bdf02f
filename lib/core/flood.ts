// The FLOOD frame: live messages from links go through the accept pipeline,
// and this node's own messages are signed, marked seen and sent to every link.
import type { FrameRegistry } from './frame-registry'
import type { LinkSession } from './link-session'
import type { Pipeline } from './pipeline'
import type { SeenCache } from './seen-cache'
import { FrameType } from '../protocol/frames'
import { encodeFlood, type Envelope, type FloodMessage } from '../protocol/envelope'
import { MeshError } from '../protocol/errors'
import type { KeyPair } from '../protocol/crypto'

export interface FloodHooks {
  pipeline: Pipeline
  seen: SeenCache
  keyPair: KeyPair
  broadcast: (frame: Buffer, except: LinkSession | null) => void
  penalise: (s: LinkSession, err: MeshError, points?: number) => void
}

export class Flood {
  originated = 0

  constructor (private readonly h: FloodHooks) {}

  register (registry: FrameRegistry): void {
    registry.add<Buffer>(FrameType.FLOOD, { name: 'flood', decode: f => f, onmessage: (s, f) => this.onFrame(s, f) })
  }

  private onFrame (s: LinkSession, frame: Buffer): void {
    const v = this.h.pipeline.accept(frame, 'live', s)
    if (v.kind === 'invalid') {
      if (v.close) throw v.error
      this.h.penalise(s, v.error)
    } else if (v.kind === 'refused') {
      this.h.penalise(s, new MeshError(v.code, v.reason), v.blame)
    }
  }

  /** Signs a new message and sends it to every link; it is marked seen so it never comes back as new. */
  originate (e: Envelope): FloodMessage {
    const m = encodeFlood(e, this.h.keyPair, 1)
    this.h.seen.add(m.id.toString('hex'), 0)
    this.originated++
    this.h.broadcast(m.frame, null)
    return { ...m, hops: 0 }
  }
}
