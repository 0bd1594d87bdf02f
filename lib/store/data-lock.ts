// One process per data directory: a lock file holding the owner's pid,
// created exclusively (written to a temp file first, then hard-linked into
// place, so nobody ever reads a half-written lock). A second process on the
// same directory (same identity) is refused with DATA_DIR_IN_USE instead of
// meeting itself as SELF_LINK; a lock left by a crashed process (its pid is
// gone) is taken over. The lock is removed when the process exits.
import fs from 'fs'
import path from 'path'
import { MeshError } from '../protocol/errors'
import { openTempFor, removeQuietly } from './safe-file'

export const LOCK_FILE = 'lock'
/** Tries at creating the lock; each retry follows removing a stale one (another starter may race us). */
export const LOCK_ATTEMPTS = 3

export interface DataDirLock {
  readonly file: string
  /** Removes the lock if it is still ours; safe to call more than once. */
  release (): void
}

/** Whether a process with this pid exists (EPERM: it exists, owned by someone else). */
export function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid in a lock file, or null when it holds none (unreadable, empty, garbage). */
function readPid (file: string): number | null {
  let text: string
  try { text = fs.readFileSync(file, 'utf8') } catch { return null }
  const m = /^(\d+)\s*$/.exec(text)
  const pid = m ? Number(m[1]) : NaN
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null
}

/** Links a finished temp file holding our pid to `file`; throws EEXIST when a lock is there. */
function createLock (file: string): void {
  const { fd, name } = openTempFor(file)
  try {
    fs.writeFileSync(fd, `${process.pid}\n`)
    fs.closeSync(fd)
    fs.linkSync(name, file)
  } finally {
    removeQuietly(name)
  }
}

/**
 * Takes the data directory's lock. Throws DATA_DIR_IN_USE when a live
 * process holds it; a lock whose pid is dead (or is this very pid, left by an
 * earlier life of a container) is taken over.
 */
export function lockDataDir (dir: string): DataDirLock {
  const file = path.join(dir, LOCK_FILE)
  for (let attempt = 1; ; attempt++) {
    try {
      createLock(file)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= LOCK_ATTEMPTS) {
        throw new MeshError('DATA_DIR_IN_USE', `cannot lock data dir ${dir}: ${(err as Error).message}`)
      }
    }
    const pid = readPid(file)
    if (pid !== null && pid !== process.pid && pidAlive(pid)) {
      throw new MeshError('DATA_DIR_IN_USE', `data dir ${dir} is in use by pid ${pid}; run a second node with its own --data-dir (or remove ${file} if no meshchat runs there)`)
    }
    removeQuietly(file)
  }
  let held = true
  const release = () => {
    if (!held) return
    held = false
    if (readPid(file) === process.pid) removeQuietly(file)
    process.off('exit', release)
  }
  process.on('exit', release)
  return { file, release }
}
