// Which protocol part handles each frame type, the way protomux's
// addMessage({ encoding, onmessage }) does: flood, pex, sync, rooms register
// a decoder and a handler, so a new frame type touches one file.
//
// Error rule (protomux / safety-catch): a MeshError thrown by a decoder or a
// handler is the peer's fault and closes that link; anything else is a bug
// in this program and is re-thrown, never blamed on the peer.
import type { LinkSession } from './link-session'
import { MeshError } from '../protocol/errors'

export interface FrameProtocol<T> {
  /** For traces and errors. */
  name: string
  decode (frame: Buffer): T
  onmessage (s: LinkSession, value: T): void
}

export class FrameRegistry {
  private readonly parts = new Map<number, FrameProtocol<unknown>>()

  add<T> (type: number, part: FrameProtocol<T>): void {
    if (this.parts.has(type)) throw new Error(`frame type ${type} is registered twice`)
    this.parts.set(type, part as FrameProtocol<unknown>)
  }

  has (type: number): boolean { return this.parts.has(type) }

  /** Decodes and handles one frame; throws UNKNOWN_FRAME for a type nobody registered. */
  dispatch (s: LinkSession, type: number, frame: Buffer): void {
    const part = this.parts.get(type)
    if (!part) throw new MeshError('UNKNOWN_FRAME', `unknown frame type ${type}`)
    part.onmessage(s, part.decode(frame))
  }
}
