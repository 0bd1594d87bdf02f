// Signatures, hashes and key pairs: thin wrappers over sodium.
import sodium from 'sodium-universal'

export interface KeyPair { publicKey: Buffer; secretKey: Buffer }

/** Bytes of an ed25519 public key: a node's identity on every link and the author of every message. */
export const PUBLIC_KEY_BYTES = 32
/** Bytes of an ed25519 secret key (libsodium's form: seed and public key). */
export const SECRET_KEY_BYTES = 64
/** Bytes of an ed25519 signature, at the end of every FLOOD frame. */
export const SIGNATURE_BYTES = 64
/** Bytes of a message id: the BLAKE2b hash of the signed body. */
export const ID_BYTES = 32

export function generateKeyPair (): KeyPair {
  const publicKey = Buffer.alloc(PUBLIC_KEY_BYTES)
  const secretKey = Buffer.alloc(SECRET_KEY_BYTES)
  sodium.crypto_sign_keypair(publicKey, secretKey)
  return { publicKey, secretKey }
}

/** The key pair a 32-byte seed determines (the simulator's nodes, so that a run repeats). */
export function keyPairFromSeed (seed: Uint8Array): KeyPair {
  const publicKey = Buffer.alloc(PUBLIC_KEY_BYTES)
  const secretKey = Buffer.alloc(SECRET_KEY_BYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  return { publicKey, secretKey }
}

export function sign (message: Uint8Array, secretKey: Uint8Array): Buffer {
  const sig = Buffer.alloc(SIGNATURE_BYTES)
  sodium.crypto_sign_detached(sig, message, secretKey)
  return sig
}

export function verify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.byteLength !== SIGNATURE_BYTES || publicKey.byteLength !== PUBLIC_KEY_BYTES) return false
  return sodium.crypto_sign_verify_detached(signature, message, publicKey)
}

export function hash (message: Uint8Array): Buffer {
  const out = Buffer.alloc(ID_BYTES)
  sodium.crypto_generichash(out, message)
  return out
}

/** True when the secret key belongs to the public key (sign and check a probe). */
export function keyPairMatches (kp: KeyPair): boolean {
  const probe = Buffer.from('meshchat key check')
  try { return verify(sign(probe, kp.secretKey), probe, kp.publicKey) } catch { return false }
}
