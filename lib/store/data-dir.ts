// The data directory: created 0700 when missing, and refused (DATA_DIR_UNSAFE)
// when someone else could write to it or to the identity in it, the way ssh
// refuses a loose key: another user could swap the key or plant files.
import fs from 'fs'
import path from 'path'
import { MeshError } from '../protocol/errors'

export const IDENTITY_FILE = 'identity.json'
/** Mode of a data directory meshchat creates. */
export const DATA_DIR_MODE = 0o700
/** Permission bits that make a data directory or identity unsafe: writable by group or others. */
export const UNSAFE_MODE_BITS = 0o022

/** Creates the data directory (with parents) if it is missing, then checks it is safe. Throws BAD_OPTION or DATA_DIR_UNSAFE. */
export function prepareDataDir (dir: string): void {
  if (!fs.existsSync(dir)) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE })
      fs.chmodSync(dir, DATA_DIR_MODE)
    } catch (err) {
      throw new MeshError('BAD_OPTION', `cannot create data directory ${dir}: ${(err as Error).message}`)
    }
  }
  checkDataDir(dir)
}

/** Throws DATA_DIR_UNSAFE when the directory, or an identity file in it, is writable by group or others or not owned by this user. */
export function checkDataDir (dir: string): void {
  checkOne(dir, 'data directory', `chmod 700 ${dir}`)
  const id = path.join(dir, IDENTITY_FILE)
  if (fs.existsSync(id)) checkOne(id, 'identity file', `chmod 600 ${id}`)
}

function checkOne (file: string, what: string, fix: string): void {
  let st: fs.Stats
  try { st = fs.statSync(file) } catch (err) {
    throw new MeshError('BAD_OPTION', `cannot read ${what} ${file}: ${(err as Error).message}`)
  }
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0')
  const uid = process.getuid?.()
  if (uid !== undefined && st.uid !== uid) {
    throw new MeshError('DATA_DIR_UNSAFE', `DATA_DIR_UNSAFE: ${what} ${file} (mode ${mode}) is owned by uid ${st.uid}, not you (uid ${uid}); use a data directory of your own (--data-dir)`)
  }
  if (st.mode & UNSAFE_MODE_BITS) {
    throw new MeshError('DATA_DIR_UNSAFE', `DATA_DIR_UNSAFE: ${what} ${file} is mode ${mode}, writable by others; fix: ${fix}`)
  }
}
