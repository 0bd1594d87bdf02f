// Payloads of the flooded message kinds other than plain chat text.
import c from 'compact-encoding'
import { MeshError } from './errors'
import { MAX_ADDRESS_BYTES } from './limits'
import sodium from 'sodium-universal'

export const PresenceState = { HERE: 0, LEAVING: 1 } as const
export interface PresencePayload { state: number; listen: string }
export interface PrivatePayload { to: Buffer; box: Buffer }
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

export function encodePrivate (p: PrivatePayload): Buffer {
  return Buffer.concat([p.to, c.encode(c.buffer, p.box)])
}

export function decodePrivate (b: Buffer): PrivatePayload {
  return decodeOrThrow('private', () => {
    if (b.byteLength < 33) throw new Error('short')
    const s = { start: 32, end: b.byteLength, buffer: b }
    const box = c.buffer.decode(s)
    if (!box || s.start !== s.end) throw new Error('bad')
    return { to: Buffer.from(b.subarray(0, 32)), box: Buffer.from(box) }
  })
}

export function encodeAck (a: AckPayload): Buffer {
  return Buffer.concat([a.to, a.of])
}

export function decodeAck (b: Buffer): AckPayload {
  if (b.byteLength !== 64) throw MeshError.frameInvalid('malformed ack payload')
  return { to: Buffer.from(b.subarray(0, 32)), of: Buffer.from(b.subarray(32)) }
}

/** Encrypts text so only the holder of the ed25519 key `to` can read it (sealed box over its curve25519 twin). */
export function sealTo (to: Buffer, plaintext: Buffer): Buffer {
  const pk = Buffer.alloc(32)
  sodium.crypto_sign_ed25519_pk_to_curve25519(pk, to)
  const out = Buffer.alloc(plaintext.byteLength + sodium.crypto_box_SEALBYTES)
  sodium.crypto_box_seal(out, plaintext, pk)
  return out
}

/** Opens a sealed box with our ed25519 key pair; null when it is not for us or damaged. */
export function openSealed (keyPair: { publicKey: Buffer; secretKey: Buffer }, box: Buffer): Buffer | null {
  if (box.byteLength < sodium.crypto_box_SEALBYTES) return null
  const pk = Buffer.alloc(32)
  const sk = Buffer.alloc(32)
  sodium.crypto_sign_ed25519_pk_to_curve25519(pk, keyPair.publicKey)
  sodium.crypto_sign_ed25519_sk_to_curve25519(sk, keyPair.secretKey)
  const out = Buffer.alloc(box.byteLength - sodium.crypto_box_SEALBYTES)
  return sodium.crypto_box_seal_open(out, box, pk, sk) ? out : null
}
