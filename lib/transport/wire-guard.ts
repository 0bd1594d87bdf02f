// Wire length guard: reads secret-stream's framing (every message, Noise
// handshake included, is a uint24 little-endian length then that many bytes)
// straight off the raw socket, and trips as soon as a length over the limit
// is announced, before secret-stream allocates a buffer of that size. A guard
// can start mid-stream, from where secret-stream's own parser stands (swarm
// connections are handed over after their handshake).
import type { Socket } from 'net'
import { MeshError } from '../protocol/errors'
import { MAX_FRAME_BYTES } from '../protocol/limits'

/**
 * Bytes secret-stream adds to one frame on the wire (a 17-byte secretstream
 * tag), rounded up so the Noise handshake messages (at most ~100 bytes) and
 * the 56-byte stream header fit too.
 */
export const WIRE_OVERHEAD_BYTES = 256
/** Largest secret-stream message a link (TCP or swarm) accepts on the wire: one frame plus its encryption. */
export const MAX_WIRE_MESSAGE_BYTES = MAX_FRAME_BYTES + WIRE_OVERHEAD_BYTES

/** Bytes in a secret-stream length prefix (uint24 little-endian). */
export const WIRE_LENGTH_PREFIX_BYTES = 3

/**
 * Where a parser of the framing stands between two chunks: inside a length
 * prefix (bytesRead of its 3 bytes read, their little-endian value so far in
 * partial), or inside the body of a message of the given length.
 */
export type WirePosition =
  | { reading: 'length'; bytesRead: number; partial: number }
  | { reading: 'body'; length: number; bytesRead: number }

/** The position at the start of a stream, before any byte. */
export const WIRE_START: WirePosition = { reading: 'length', bytesRead: 0, partial: 0 }

/** Why a position is impossible, or null when it is one a parser can be in. */
export function invalidPosition (p: WirePosition): string | null {
  const int = (n: unknown, max: number) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max
  if (p.reading === 'length') {
    if (!int(p.bytesRead, WIRE_LENGTH_PREFIX_BYTES - 1)) return `${p.bytesRead} length bytes read`
    if (!int(p.partial, 256 ** p.bytesRead - 1)) return `partial length ${p.partial} after ${p.bytesRead} bytes`
    return null
  }
  if (p.reading !== 'body') return 'unknown parser state'
  if (!int(p.length, 256 ** WIRE_LENGTH_PREFIX_BYTES - 1)) return `message length ${p.length}`
  if (!int(p.bytesRead, p.length)) return `${p.bytesRead} of ${p.length} body bytes read`
  return null
}

/** Incremental parser of secret-stream length prefixes; chunks may split anywhere. */
export class WireLengthGuard {
  /** Header bytes of the current length prefix still to read (0: inside a body). */
  private headerLeft = 3
  private len = 0
  private shift = 0
  /** Body bytes of the current message still to skip, of bodyLength. */
  private bodyLeft = 0
  private bodyLength = 0
  /** Messages whose length prefix was read completely. */
  messages = 0
  /** The announced length that tripped the guard, or -1. */
  tripped = -1

  /**
   * Starts at `from` (default: the start of a stream). Starting inside the
   * body of a message longer than maxBytes starts tripped. Throws a
   * RangeError for an impossible position.
   */
  constructor (readonly maxBytes: number = MAX_WIRE_MESSAGE_BYTES, from: WirePosition = WIRE_START) {
    const bad = invalidPosition(from)
    if (bad) throw new RangeError(`impossible wire position: ${bad}`)
    if (from.reading === 'length') {
      this.headerLeft = WIRE_LENGTH_PREFIX_BYTES - from.bytesRead
      this.len = from.partial
      this.shift = 8 * from.bytesRead
    } else if (from.length > maxBytes) {
      this.tripped = from.length
    } else {
      this.bodyLength = from.length
      this.bodyLeft = from.length - from.bytesRead
    }
  }

  /** Where the guard stands now, in the terms it can be started from. */
  get position (): WirePosition {
    if (this.bodyLeft > 0) return { reading: 'body', length: this.bodyLength, bytesRead: this.bodyLength - this.bodyLeft }
    return { reading: 'length', bytesRead: WIRE_LENGTH_PREFIX_BYTES - this.headerLeft, partial: this.len }
  }

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
      this.bodyLength = this.bodyLeft = this.len
      this.headerLeft = WIRE_LENGTH_PREFIX_BYTES
      this.len = 0
      this.shift = 0
    }
    return true
  }
}

/** What a guard is put in front of: anything that emits 'data' events (a net socket, a UDX stream). */
export interface DataEmitter {
  emit (event: string | symbol, ...args: any[]): boolean
}

/**
 * Puts `guard` in front of every 'data' event of `target`. The check wraps
 * the target's emit: a 'data' listener could not stop a chunk from reaching
 * secret-stream's own listener. A chunk that trips the guard (and every
 * chunk after it) is dropped, and onTrip is called once, with the announced
 * length.
 */
export function guardDataEvents (target: DataEmitter, guard: WireLengthGuard, onTrip: (announced: number) => void): void {
  const emit = target.emit
  let reported = false
  target.emit = function (this: DataEmitter, event: string | symbol, ...args: any[]): boolean {
    if (event === 'data' && !guard.push(args[0])) {
      if (!reported) { reported = true; onTrip(guard.tripped) }
      return false
    }
    return emit.apply(this, [event, ...args])
  }
}

/** The coded error for an announced length over the wire limit. */
export function wireTooLarge (what: string, announced: number, maxBytes: number): MeshError {
  return new MeshError('WIRE_FRAME_TOO_LARGE', `${what}: announced a ${announced} byte message, over the ${maxBytes} byte wire limit; connection closed`)
}

/**
 * Puts a WireLengthGuard in front of every 'data' event of a raw socket.
 * When a length is over the limit the chunk is dropped, the socket is
 * destroyed with a WIRE_FRAME_TOO_LARGE MeshError and onOversize is called once.
 */
export function guardSocket (socket: Socket, what: string, onOversize: (err: MeshError) => void, maxBytes = MAX_WIRE_MESSAGE_BYTES): WireLengthGuard {
  const guard = new WireLengthGuard(maxBytes)
  guardDataEvents(socket, guard, announced => {
    if (socket.destroyed) return
    const err = wireTooLarge(what, announced, maxBytes)
    socket.destroy(err)
    onOversize(err)
  })
  return guard
}
