// The node's ed25519 key pair, kept in <data-dir>/identity.json (mode 0600)
// and created on first run.
import fs from 'fs'
import path from 'path'
import { generateKeyPair, keyPairMatches, type KeyPair } from '../protocol/crypto'
import { MeshError } from '../protocol/errors'

export const IDENTITY_FILE = 'identity.json'

export function ensureDataDir (dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new MeshError('BAD_OPTION', `cannot create data directory ${dir}: ${(err as Error).message}`)
  }
}

export function loadOrCreateIdentity (dir: string): { keyPair: KeyPair; created: boolean } {
  ensureDataDir(dir)
  const file = path.join(dir, IDENTITY_FILE)
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
    if (kp.publicKey.byteLength !== 32 || kp.secretKey.byteLength !== 64 || !keyPairMatches(kp)) {
      throw new MeshError('IDENTITY_INVALID', `${file} holds a damaged key pair (move it away to create a new one)`)
    }
    return { keyPair: kp, created: false }
  }
  const kp = generateKeyPair()
  const body = JSON.stringify({ publicKey: kp.publicKey.toString('hex'), secretKey: kp.secretKey.toString('hex') }, null, 2) + '\n'
  const tmp = file + '.tmp-' + process.pid
  fs.writeFileSync(tmp, body, { mode: 0o600 })
  fs.renameSync(tmp, file)
  return { keyPair: kp, created: true }
}
