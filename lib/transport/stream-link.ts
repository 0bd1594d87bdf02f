// A link over one secret-stream (Noise over TCP, or a hyperswarm connection,
// which is a secret-stream already). Each secret-stream message is one frame.
import { EventEmitter } from 'events'
import type SecretStream from '@hyperswarm/secret-stream'
import type { Found, Link, Via } from '../core/link'

/** Bytes queued in a node stream (writableLength) or a streamx stream (_writableState.buffered). */
function queued (s: any): number {
  if (!s) return 0
  if (typeof s.writableLength === 'number') return s.writableLength
  const buffered = s._writableState?.buffered
  return typeof buffered === 'number' ? buffered : 0
}

export class StreamLink extends EventEmitter implements Link {
  closed = false
  found?: Found
  private error: Error | undefined

  constructor (private readonly stream: SecretStream, readonly remoteAddress: string, readonly via: Via, private readonly socket: unknown) {
    super()
    stream.on('data', (data: Buffer) => { if (data.byteLength > 0) this.emit('frame', data) })
    stream.on('error', (err: Error) => { this.error ??= err })
    stream.on('close', () => {
      this.closed = true
      this.emit('close', this.error)
    })
  }

  get remotePublicKey (): Buffer { return this.stream.remotePublicKey as Buffer }
  get initiator (): boolean { return this.stream.isInitiator }
  get bufferedBytes (): number { return queued(this.stream) + queued(this.socket) }

  send (frame: Buffer): void {
    if (!this.closed) this.stream.write(frame)
  }

  destroy (err?: Error): void {
    if (this.closed) return
    this.error ??= err
    this.stream.destroy()
  }
}
