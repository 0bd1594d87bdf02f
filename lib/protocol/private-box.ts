// The inside of a private message: who wrote it, to whom, when, a random id
// and the text, encrypted with an authenticated box (crypto_box_easy, the
// sender's curve25519 secret key and the recipient's curve25519 public key,
// both derived from the ed25519 identities). Only the real sender can make a
// box that opens under its key, and the binding of sender, recipient and time
// sits inside the ciphertext, so a relay cannot pass it off as its own.
import c from 'compact-encoding'
import sodium from 'sodium-universal'
import { MeshError, errorMessage } from './errors'
import { PUBLIC_KEY_BYTES, type KeyPair } from './crypto'
import { keyEnc } from './frames'
import { encodeBuffer, fixedBytes, struct } from './codec'

/** Bytes of the random id inside every private message; the replay memory keys on it. */
export const PRIVATE_ID_BYTES = 16
/** Bytes of the crypto_box nonce carried beside the box. */
export const PRIVATE_NONCE_BYTES: number = sodium.crypto_box_NONCEBYTES
/** Bytes the authenticated box adds to its plaintext (the MAC). */
export const PRIVATE_MAC_BYTES: number = sodium.crypto_box_MACBYTES
/** Bytes of the smallest compact-encoding uint (ts 0), and of the length prefix of an empty string. */
const MIN_UINT_BYTES = 1
/** Smallest inner plaintext: two keys, a one-byte ts, the id and an empty text. */
export const MIN_PRIVATE_INNER_BYTES = 2 * PUBLIC_KEY_BYTES + MIN_UINT_BYTES + PRIVATE_ID_BYTES + MIN_UINT_BYTES

export interface PrivateInner {
  /** ed25519 key of the author; must equal the signed envelope's author. */
  from: Buffer
  /** ed25519 key of the recipient; must equal the payload's `to`. */
  to: Buffer
  /** sender's clock, ms since the epoch */
  ts: number
  /** random, unique per message: a second copy is a replay */
  id: Buffer
  text: string
}

const idEnc = fixedBytes(PRIVATE_ID_BYTES)
/** [from][to][ts][id][text], in this order. */
const innerEnc = struct<PrivateInner>(
  (s, p, pass) => { keyEnc[pass](s, p.from); keyEnc[pass](s, p.to); c.uint[pass](s, p.ts); idEnc[pass](s, p.id); c.string[pass](s, p.text) },
  s => ({ from: keyEnc.decode(s), to: keyEnc.decode(s), ts: c.uint.decode(s), id: idEnc.decode(s), text: c.string.decode(s) })
)

/** Encodes the inner structure (before encryption). */
export function encodePrivateInner (p: PrivateInner): Buffer {
  if (p.from.byteLength !== PUBLIC_KEY_BYTES || p.to.byteLength !== PUBLIC_KEY_BYTES) throw new MeshError('PRIVATE_INVALID', `private message keys must be ${PUBLIC_KEY_BYTES} bytes`)
  if (p.id.byteLength !== PRIVATE_ID_BYTES) throw new MeshError('PRIVATE_INVALID', `private message id must be ${PRIVATE_ID_BYTES} bytes`)
  return encodeBuffer(innerEnc, p)
}

/** Decodes the inner structure; throws PRIVATE_INVALID on a short, long or malformed one. */
export function decodePrivateInner (b: Buffer): PrivateInner {
  if (b.byteLength < MIN_PRIVATE_INNER_BYTES) throw new MeshError('PRIVATE_INVALID', `private message of ${b.byteLength} bytes is shorter than the ${MIN_PRIVATE_INNER_BYTES} byte minimum`)
  const s = c.state(0, b.byteLength, b)
  let inner: PrivateInner
  try {
    inner = innerEnc.decode(s)
  } catch (err) {
    throw new MeshError('PRIVATE_INVALID', `private message truncated: ${errorMessage(err)}`)
  }
  if (s.start !== s.end) throw new MeshError('PRIVATE_INVALID', `private message has ${s.end - s.start} trailing bytes`)
  return inner
}

function curvePublic (ed: Buffer): Buffer {
  const pk = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES)
  try {
    sodium.crypto_sign_ed25519_pk_to_curve25519(pk, ed)
  } catch {
    throw new MeshError('PRIVATE_INVALID', 'key is not a valid ed25519 public key')
  }
  return pk
}

function curveSecret (ed: Buffer): Buffer {
  const sk = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES)
  sodium.crypto_sign_ed25519_sk_to_curve25519(sk, ed)
  return sk
}

/** A random id for a new private message. */
export function newPrivateId (): Buffer {
  const id = Buffer.alloc(PRIVATE_ID_BYTES)
  sodium.randombytes_buf(id)
  return id
}

/** Encrypts `inner` from `sender` to `inner.to` with a fresh random nonce. */
export function boxPrivate (sender: KeyPair, inner: PrivateInner): { nonce: Buffer; box: Buffer } {
  const plain = encodePrivateInner(inner)
  const nonce = Buffer.alloc(PRIVATE_NONCE_BYTES)
  sodium.randombytes_buf(nonce)
  const box = Buffer.alloc(plain.byteLength + PRIVATE_MAC_BYTES)
  const sk = curveSecret(sender.secretKey)
  try {
    sodium.crypto_box_easy(box, plain, nonce, curvePublic(inner.to), sk)
  } finally {
    sk.fill(0)
  }
  return { nonce, box }
}

/**
 * Opens a box that `from` (an ed25519 key) made for `recipient`. Throws
 * PRIVATE_FORGED when it does not open under that pair of keys (made by
 * someone else, or damaged), PRIVATE_INVALID when what is inside is malformed.
 */
export function openPrivate (recipient: KeyPair, from: Buffer, nonce: Buffer, box: Buffer): PrivateInner {
  if (nonce.byteLength !== PRIVATE_NONCE_BYTES) throw new MeshError('PRIVATE_INVALID', `private nonce must be ${PRIVATE_NONCE_BYTES} bytes`)
  if (box.byteLength < PRIVATE_MAC_BYTES) throw new MeshError('PRIVATE_INVALID', 'private box is shorter than its MAC')
  if (from.byteLength !== PUBLIC_KEY_BYTES) throw new MeshError('PRIVATE_INVALID', `sender key must be ${PUBLIC_KEY_BYTES} bytes`)
  const plain = Buffer.alloc(box.byteLength - PRIVATE_MAC_BYTES)
  const sk = curveSecret(recipient.secretKey)
  let ok: boolean
  try {
    ok = sodium.crypto_box_open_easy(plain, box, nonce, curvePublic(from), sk)
  } finally {
    sk.fill(0)
  }
  if (!ok) throw new MeshError('PRIVATE_FORGED', 'private box does not open under its signed author\'s key (re-wrapped or damaged)')
  return decodePrivateInner(plain)
}
