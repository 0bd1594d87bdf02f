// Payloads of the flooded message kinds other than plain chat text.
import c from 'compact-encoding'
import { MeshError } from './errors'
import { MAX_ADDRESS_BYTES } from './limits'
import { PRIVATE_NONCE_BYTES } from './private-box'

export const PresenceState = { HERE: 0, LEAVING: 1 } as const
export interface PresencePayload { state: number; listen: string }
/** `box` is private-box.ts's authenticated box of a PrivateInner, `nonce` its crypto_box nonce. */
export interface PrivatePayload { to: Buffer; nonce: Buffer; box: Buffer }
export interface AckPayload { to: Buffer; of: Buffer }

function decodeOrThrow<T> (what: string, fn: () => T): T {
  try { return fn() } catch { throw MeshError.frameInvalid(`malformed ${what} payload`) }
}

export function encodePresence (p: PresencePayload): Buffer {
  return Buffer.concat([c.encode(c.uint, p.state), c.encode(c.string, p.listen)])
}

export function decodePresence (b: Buffer): PresencePayload {
  return decodeOrThrow('presence', () => {
    const s = { start: 0, end: b.byteLength, buffer: b }
    const state = c.uint.decode(s)
    const listen = c.string.decode(s)
    if (Buffer.byteLength(listen) > MAX_ADDRESS_BYTES) throw new Error('long')
    return { state, listen }
  })
}

/** [to 32][nonce PRIVATE_NONCE_BYTES][box: compact-encoding buffer]; the box is made by private-box.ts. */
export function encodePrivate (p: PrivatePayload): Buffer {
  if (p.to.byteLength !== 32 || p.nonce.byteLength !== PRIVATE_NONCE_BYTES) throw new MeshError('PRIVATE_INVALID', 'private payload key or nonce has the wrong length')
  return Buffer.concat([p.to, p.nonce, c.encode(c.buffer, p.box)])
}

/** Throws PRIVATE_INVALID on a short, long or malformed payload. */
export function decodePrivate (b: Buffer): PrivatePayload {
  const head = 32 + PRIVATE_NONCE_BYTES
  if (b.byteLength < head + 1) throw new MeshError('PRIVATE_INVALID', `private payload of ${b.byteLength} bytes is too short`)
  const s = { start: head, end: b.byteLength, buffer: b }
  let box: Uint8Array | null
  try { box = c.buffer.decode(s) } catch { throw new MeshError('PRIVATE_INVALID', 'private payload box is truncated') }
  if (!box || box.byteLength === 0) throw new MeshError('PRIVATE_INVALID', 'private payload has no box')
  if (s.start !== s.end) throw new MeshError('PRIVATE_INVALID', `private payload has ${s.end - s.start} trailing bytes`)
  return { to: Buffer.from(b.subarray(0, 32)), nonce: Buffer.from(b.subarray(32, head)), box: Buffer.from(box) }
}

export function encodeAck (a: AckPayload): Buffer {
  return Buffer.concat([a.to, a.of])
}

export function decodeAck (b: Buffer): AckPayload {
  if (b.byteLength !== 64) throw new MeshError('PRIVATE_INVALID', `ack payload of ${b.byteLength} bytes, expected 64`)
  return { to: Buffer.from(b.subarray(0, 32)), of: Buffer.from(b.subarray(32)) }
}
