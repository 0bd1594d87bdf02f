// A link over one secret-stream (Noise over TCP, or a hyperswarm connection,
// which is a secret-stream already). Each secret-stream message is one frame.
// On TCP the frames sent within one tick leave as one socket write
// (tick-cork.ts); a swarm connection's UDX stream batches them itself
// (streamx hands a tick's writes to its `_writev` together).
import { EventEmitter } from 'events'
import { Socket } from 'net'
import type SecretStream from '@hyperswarm/secret-stream'
import type { Found, Link, Via } from '../core/link'
import { TickCork, type WriteStats } from './tick-cork'

export type { WriteStats }

/** Bytes queued in a node stream (writableLength) or a streamx stream (_writableState.buffered). */
function queued (s: any): number {
  if (!s) return 0
  if (typeof s.writableLength === 'number') return s.writableLength
  const buffered = s._writableState?.buffered
  return typeof buffered === 'number' ? buffered : 0
}

/**
 * Frames, and bytes of frames, one link hands to the node in one turn of the
 * event loop; past either it stops reading until the next turn
 * (setImmediate), so a burst on one link (a flood of junk, a replayed sync
 * answer) cannot hold every other link's frames behind it. What waits stays
 * in the stream's buffer, and past that TCP's window holds the sender back.
 */
export const READ_FRAMES_PER_TURN = 64
export const READ_BYTES_PER_TURN = 256 * 1024

export class StreamLink extends EventEmitter implements Link {
  closed = false
  found?: Found
  /** Frames sent and socket writes made; socketWrites is counted on TCP links only (0 on swarm links). */
  readonly writeStats: WriteStats = { frames: 0, socketWrites: 0 }
  private error: Error | undefined
  private readonly cork: TickCork | null
  /** Frames and bytes read in this turn of the event loop (reset by the turn's setImmediate). */
  private turnFrames = 0
  private turnBytes = 0
  private turnScheduled = false
  private paused = false

  constructor (private readonly stream: SecretStream, readonly remoteAddress: string, readonly via: Via, private readonly socket: unknown) {
    super()
    this.cork = socket instanceof Socket ? new TickCork(socket, this.writeStats) : null
    stream.on('data', (data: Buffer) => { if (data.byteLength > 0) this.read(data) })
    stream.on('error', (err: Error) => { this.error ??= err })
    stream.on('close', () => {
      this.closed = true
      this.emit('close', this.error)
    })
  }

  private read (data: Buffer): void {
    if (!this.turnScheduled) {
      this.turnScheduled = true
      setImmediate(() => this.nextTurn())
    }
    this.turnFrames++
    this.turnBytes += data.byteLength
    this.emit('frame', data)
    if ((this.turnFrames >= READ_FRAMES_PER_TURN || this.turnBytes >= READ_BYTES_PER_TURN) && !this.closed && !this.paused) {
      this.paused = true
      this.stream.pause()
    }
  }

  private nextTurn (): void {
    this.turnScheduled = false
    this.turnFrames = 0
    this.turnBytes = 0
    if (this.paused && !this.closed) {
      this.paused = false
      this.stream.resume()
    }
  }

  get remotePublicKey (): Buffer { return this.stream.remotePublicKey as Buffer }
  get initiator (): boolean { return this.stream.isInitiator }
  get bufferedBytes (): number { return queued(this.stream) + queued(this.socket) }

  send (frame: Buffer): void {
    if (this.closed) return
    this.writeStats.frames++
    this.stream.write(frame)
    this.cork?.hold()
  }

  destroy (err?: Error): void {
    if (this.closed) return
    this.error ??= err
    this.stream.destroy()
  }
}
