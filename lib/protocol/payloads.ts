// Payloads of the flooded message kinds other than plain chat text.
import c from 'compact-encoding'
import { MeshError } from './errors'
import { MAX_ADDRESS_BYTES } from './limits'
import { ID_BYTES, PUBLIC_KEY_BYTES } from './crypto'
import { PRIVATE_NONCE_BYTES } from './private-box'
import { keyEnc } from './frames'
import { bytes, checkedString, decodeWith, encodeBuffer, fixedBytes, struct } from './codec'

export const PresenceState = { HERE: 0, LEAVING: 1 } as const
export interface PresencePayload { state: number; listen: string }
/** `box` is private-box.ts's authenticated box of a PrivateInner, `nonce` its crypto_box nonce. */
export interface PrivatePayload { to: Buffer; nonce: Buffer; box: Buffer }
export interface AckPayload { to: Buffer; of: Buffer }

/** Bytes of a private payload in front of its box: the recipient's key and the nonce. */
export const PRIVATE_HEAD_BYTES = PUBLIC_KEY_BYTES + PRIVATE_NONCE_BYTES
/** Bytes of an ack payload: the recipient's key and the acknowledged message's id. */
export const ACK_PAYLOAD_BYTES = PUBLIC_KEY_BYTES + ID_BYTES

const listenEnc = checkedString(MAX_ADDRESS_BYTES, 'presence address')
const presenceEnc = struct<PresencePayload>(
  (s, p, pass) => { c.uint[pass](s, p.state); listenEnc[pass](s, p.listen) },
  s => ({ state: c.uint.decode(s), listen: listenEnc.decode(s) })
)

const nonceEnc = fixedBytes(PRIVATE_NONCE_BYTES)
/** [to][nonce][box: compact-encoding buffer] */
const privateEnc = struct<PrivatePayload>(
  (s, p, pass) => { keyEnc[pass](s, p.to); nonceEnc[pass](s, p.nonce); bytes[pass](s, p.box) },
  s => ({ to: keyEnc.decode(s), nonce: nonceEnc.decode(s), box: bytes.decode(s) })
)

function decodeOrThrow<T> (what: string, fn: () => T): T {
  try { return fn() } catch { throw MeshError.frameInvalid(`malformed ${what} payload`) }
}

export function encodePresence (p: PresencePayload): Buffer {
  return encodeBuffer(presenceEnc, p)
}

/** Throws FRAME_INVALID on a malformed payload; bytes after the fields are ignored. */
export function decodePresence (b: Buffer): PresencePayload {
  return decodeOrThrow('presence', () => decodeWith(b, 0, presenceEnc, true))
}

/** The box is made by private-box.ts. Throws PRIVATE_INVALID on a key or nonce of the wrong length. */
export function encodePrivate (p: PrivatePayload): Buffer {
  if (p.to.byteLength !== PUBLIC_KEY_BYTES || p.nonce.byteLength !== PRIVATE_NONCE_BYTES) throw new MeshError('PRIVATE_INVALID', 'private payload key or nonce has the wrong length')
  return encodeBuffer(privateEnc, p)
}

/** Throws PRIVATE_INVALID on a short, long or malformed payload. */
export function decodePrivate (b: Buffer): PrivatePayload {
  if (b.byteLength < PRIVATE_HEAD_BYTES + 1) throw new MeshError('PRIVATE_INVALID', `private payload of ${b.byteLength} bytes is too short`)
  const s = c.state(0, b.byteLength, b)
  let p: PrivatePayload
  try { p = privateEnc.decode(s) } catch { throw new MeshError('PRIVATE_INVALID', 'private payload box is truncated') }
  if (p.box.byteLength === 0) throw new MeshError('PRIVATE_INVALID', 'private payload has no box')
  if (s.start !== s.end) throw new MeshError('PRIVATE_INVALID', `private payload has ${s.end - s.start} trailing bytes`)
  return p
}

/** [to][of]: the recipient's key, then the id of the message acknowledged. Lengths are not checked here; decodeAck refuses any payload but ACK_PAYLOAD_BYTES. */
export function encodeAck (a: AckPayload): Buffer {
  return Buffer.concat([a.to, a.of])
}

/** Throws PRIVATE_INVALID unless the payload is exactly ACK_PAYLOAD_BYTES. */
export function decodeAck (b: Buffer): AckPayload {
  if (b.byteLength !== ACK_PAYLOAD_BYTES) throw new MeshError('PRIVATE_INVALID', `ack payload of ${b.byteLength} bytes, expected ${ACK_PAYLOAD_BYTES}`)
  return { to: Buffer.from(b.subarray(0, PUBLIC_KEY_BYTES)), of: Buffer.from(b.subarray(PUBLIC_KEY_BYTES)) }
}
