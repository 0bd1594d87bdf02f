// Typed building blocks of the wire codecs, on compact-encoding's own State
// and Encoder types: bounded strings and lists, fixed byte fields decoded as
// owned Buffers, struct encoders whose two encode passes are written once,
// and the encode/decode entry points that turn any decoder failure into a
// coded MeshError.
import c, { type Encoder, type State } from 'compact-encoding'
import { MeshError } from './errors'

export type { Encoder, State }

/** Which of an encoder's two writing passes runs: measuring, then writing. */
export type Pass = 'preencode' | 'encode'

/**
 * An encoder for a record. `fields` names each field's encoder once, in wire
 * order, and runs the given pass of each; `read` decodes them in the same order.
 */
export function struct<T> (fields: (s: State, v: T, pass: Pass) => void, read: (s: State) => T): Encoder<T> {
  return {
    preencode (s, v) { fields(s, v, 'preencode') },
    encode (s, v) { fields(s, v, 'encode') },
    decode: read
  }
}

/** A compact-encoding string whose decoder refuses more than `max` UTF-8 bytes (FRAME_INVALID). */
export function checkedString (max: number, what: string): Encoder<string> {
  return {
    preencode (s, v) { c.string.preencode(s, v) },
    encode (s, v) { c.string.encode(s, v) },
    decode (s) {
      const v = c.string.decode(s)
      if (Buffer.byteLength(v) > max) throw MeshError.frameInvalid(`${what} longer than ${max} bytes`)
      return v
    }
  }
}

/** A length-prefixed list (the bytes of `c.array`) whose decoder refuses more than `max` entries. */
export function boundedArray<T> (enc: Encoder<T>, max: number, what: string): Encoder<T[]> {
  return {
    preencode (s, list) {
      c.uint.preencode(s, list.length)
      for (const x of list) enc.preencode(s, x)
    },
    encode (s, list) {
      c.uint.encode(s, list.length)
      for (const x of list) enc.encode(s, x)
    },
    decode (s) {
      const n = c.uint.decode(s)
      if (n > max) throw MeshError.frameInvalid(`${what} lists ${n} entries, over the limit of ${max}`)
      const out: T[] = []
      for (let i = 0; i < n; i++) out.push(enc.decode(s))
      return out
    }
  }
}

/** Exactly `n` raw bytes, decoded as a Buffer of its own (not a view of the frame). */
export function fixedBytes (n: number): Encoder<Buffer> {
  const raw = c.fixed(n)
  return {
    preencode (s, b) { raw.preencode(s, b) },
    encode (s, b) { raw.encode(s, b) },
    decode (s) { return Buffer.from(raw.decode(s)) }
  }
}

/** Length-prefixed bytes (`c.buffer`), decoded as a Buffer of its own. */
export const bytes: Encoder<Buffer> = {
  preencode (s, b) { c.buffer.preencode(s, b) },
  encode (s, b) { c.buffer.encode(s, b) },
  decode (s) { return Buffer.from(c.buffer.decode(s)) }
}

/**
 * Encodes `value` into a new Buffer at offset `head`, leaving `head` bytes in
 * front and `tail` bytes behind it for the caller; `end` is where the value ends.
 */
export function encodeAt<T> (enc: Encoder<T>, value: T, head = 0, tail = 0): { buf: Buffer; end: number } {
  const state = c.state(head, head)
  enc.preencode(state, value)
  const end = state.end
  const buf = Buffer.allocUnsafe(end + tail)
  state.buffer = buf
  enc.encode(state, value)
  return { buf, end }
}

/** `c.encode`, but the result is a Buffer. */
export function encodeBuffer<T> (enc: Encoder<T>, value: T): Buffer {
  return encodeAt(enc, value).buf
}

/** Encodes a frame: the type byte, then `value`. */
export function encodeFrame<T> (type: number, enc: Encoder<T>, value: T): Buffer {
  const { buf } = encodeAt(enc, value, 1)
  buf[0] = type
  return buf
}

/**
 * Decodes `frame` from `start` to its end. A MeshError from a field passes
 * through; any other failure (the frame ended early, a malformed varint or
 * string) becomes FRAME_TRUNCATED; bytes left over are FRAME_INVALID unless
 * `allowTrailing`.
 */
export function decodeWith<T> (frame: Uint8Array, start: number, dec: Pick<Encoder<unknown, T>, 'decode'>, allowTrailing = false): T {
  const state = c.state(start, frame.byteLength, frame)
  let value: T
  try {
    value = dec.decode(state)
  } catch (err) {
    if (err instanceof MeshError) throw err
    throw new MeshError('FRAME_TRUNCATED', 'frame ended early or has a malformed field')
  }
  if (!allowTrailing && state.start !== state.end) throw MeshError.frameInvalid(`${state.end - state.start} trailing bytes`)
  return value
}
