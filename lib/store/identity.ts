// The node's ed25519 key pair, kept in <data-dir>/identity.json (mode 0600)
// and created on first run (through an exclusive random temp file).
import fs from 'fs'
import path from 'path'
import { generateKeyPair, keyPairMatches, type KeyPair, PUBLIC_KEY_BYTES, SECRET_KEY_BYTES } from '../protocol/crypto'
import { MeshError } from '../protocol/errors'
import { IDENTITY_FILE, prepareDataDir } from './data-dir'
import { removeStaleTemps, writeFileAtomic } from './safe-file'

export { IDENTITY_FILE }

/** Loads the key pair, or creates it; first creates the data directory or refuses an unsafe one (DATA_DIR_UNSAFE). */
export function loadOrCreateIdentity (dir: string): { keyPair: KeyPair; created: boolean } {
  prepareDataDir(dir)
  const file = path.join(dir, IDENTITY_FILE)
  removeStaleTemps(file)
  let text: string | null = null
  try { text = fs.readFileSync(file, 'utf8') } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new MeshError('IDENTITY_INVALID', `cannot read ${file}: ${(err as Error).message}`)
  }
  if (text !== null) {
    let kp: KeyPair
    try {
      const j = JSON.parse(text)
      kp = { publicKey: Buffer.from(j.publicKey, 'hex'), secretKey: Buffer.from(j.secretKey, 'hex') }
    } catch {
      throw new MeshError('IDENTITY_INVALID', `${file} is not a meshchat identity (move it away to create a new one)`)
    }
    if (kp.publicKey.byteLength !== PUBLIC_KEY_BYTES || kp.secretKey.byteLength !== SECRET_KEY_BYTES || !keyPairMatches(kp)) {
      throw new MeshError('IDENTITY_INVALID', `${file} holds a damaged key pair (move it away to create a new one)`)
    }
    return { keyPair: kp, created: false }
  }
  const kp = generateKeyPair()
  const body = JSON.stringify({ publicKey: kp.publicKey.toString('hex'), secretKey: kp.secretKey.toString('hex') }, null, 2) + '\n'
  writeFileAtomic(file, body)
  return { keyPair: kp, created: true }
}
