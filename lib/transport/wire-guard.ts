// Wire length guard: reads secret-stream's framing (every message, Noise
// handshake included, is a uint24 little-endian length then that many bytes)
// straight off the raw socket, and trips as soon as a length over the limit
// is announced, before secret-stream allocates a buffer of that size.
import type { Socket } from 'net'
import { MeshError } from '../protocol/errors'
import { MAX_FRAME_BYTES } from '../protocol/limits'

/**
 * Bytes secret-stream adds to one frame on the wire (a 17-byte secretstream
 * tag), rounded up so the Noise handshake messages (at most ~100 bytes) and
 * the 56-byte stream header fit too.
 */
export const WIRE_OVERHEAD_BYTES = 256
/** Largest secret-stream message a TCP link accepts on the wire: one frame plus its encryption. */
export const MAX_WIRE_MESSAGE_BYTES = MAX_FRAME_BYTES + WIRE_OVERHEAD_BYTES

/** Incremental parser of secret-stream length prefixes; chunks may split anywhere. */
export class WireLengthGuard {
  /** Header bytes of the current length prefix still to read (0: inside a body). */
  private headerLeft = 3
  private len = 0
  private shift = 0
  /** Body bytes of the current message still to skip. */
  private bodyLeft = 0
  /** Messages whose length prefix was read completely. */
  messages = 0
  /** The announced length that tripped the guard, or -1. */
  tripped = -1

  constructor (readonly maxBytes: number = MAX_WIRE_MESSAGE_BYTES) {}

  /** Feeds a chunk; returns false (and stays tripped) once a length over maxBytes was announced. */
  push (chunk: Uint8Array): boolean {
    if (this.tripped >= 0) return false
    let i = 0
    const n = chunk.byteLength
    while (i < n) {
      if (this.bodyLeft > 0) {
        const skip = Math.min(this.bodyLeft, n - i)
        this.bodyLeft -= skip
        i += skip
        continue
      }
      this.len += chunk[i++] << this.shift
      this.shift += 8
      if (--this.headerLeft > 0) continue
      this.messages++
      if (this.len > this.maxBytes) { this.tripped = this.len; return false }
      this.bodyLeft = this.len
      this.headerLeft = 3
      this.len = 0
      this.shift = 0
    }
    return true
  }
}

/**
 * Puts a WireLengthGuard in front of every 'data' event of a raw socket. The
 * check wraps the socket's emit: a 'data' listener could not stop a chunk
 * from reaching secret-stream's own listener. When a length is over the
 * limit the chunk is dropped, the socket is destroyed with a
 * WIRE_FRAME_TOO_LARGE MeshError and onOversize is called once.
 */
export function guardSocket (socket: Socket, what: string, onOversize: (err: MeshError) => void, maxBytes = MAX_WIRE_MESSAGE_BYTES): WireLengthGuard {
  const guard = new WireLengthGuard(maxBytes)
  const emit = socket.emit
  socket.emit = function (this: Socket, event: string | symbol, ...args: any[]): boolean {
    if (event === 'data' && !guard.push(args[0])) {
      if (!socket.destroyed) {
        const err = new MeshError('WIRE_FRAME_TOO_LARGE', `${what}: announced a ${guard.tripped} byte message, over the ${maxBytes} byte wire limit; connection closed`)
        socket.destroy(err)
        onOversize(err)
      }
      return false
    }
    return emit.apply(this, [event, ...args] as any)
  } as typeof socket.emit
  return guard
}
