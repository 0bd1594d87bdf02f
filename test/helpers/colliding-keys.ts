// Key pairs whose public keys share their first hex digits (the audit's
// look-alike identity), found by a bounded birthday search, and identity
// files for them so a real process runs under such a key.
import fs from 'fs'
import path from 'path'
import { generateKeyPair, type KeyPair } from '../../lib/protocol/crypto'
import { IDENTITY_FILE } from '../../lib/store/identity'
import { prepareDataDir } from '../../lib/store/data-dir'

/** Two key pairs whose hex keys start with the same `digits` hex digits (4 takes ~300 tries). */
export function collidingKeyPairs (digits = 4, maxTries = 200_000): [KeyPair, KeyPair] {
  const seen = new Map<string, KeyPair>()
  for (let i = 0; i < maxTries; i++) {
    const kp = generateKeyPair()
    const prefix = kp.publicKey.toString('hex').slice(0, digits)
    const other = seen.get(prefix)
    if (other) return [other, kp]
    seen.set(prefix, kp)
  }
  throw new Error(`no two keys shared ${digits} hex digits in ${maxTries} tries`)
}

/** Writes `kp` as the identity of a data directory (what --data-dir loads). */
export function writeIdentity (dir: string, kp: KeyPair): string {
  prepareDataDir(dir)
  const body = JSON.stringify({ publicKey: kp.publicKey.toString('hex'), secretKey: kp.secretKey.toString('hex') })
  fs.writeFileSync(path.join(dir, IDENTITY_FILE), body, { mode: 0o600 })
  return dir
}
