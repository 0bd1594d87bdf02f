// Temp files that cannot be hijacked: a random name, created exclusively
// (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600), so a symlink or file planted in the
// data directory is never followed or overwritten; then renamed into place.
import crypto from 'crypto'
import fs from 'fs'
import path from 'path'

/** Random bytes in a temp file's name (hex-encoded into the name). */
export const TEMP_NAME_RANDOM_BYTES = 8
/** A temp file of ours older than this is a leftover of a crash and is removed on open (younger ones may be another process's). */
export const STALE_TEMP_AGE_MS = 60_000
/** Tries at a fresh random temp name before giving up (each failure is an existing file there). */
export const TEMP_OPEN_ATTEMPTS = 4

const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0
const EXCL_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW

/** `<file>.<random hex>.tmp`: a name no one can predict. */
export function tempNameFor (file: string): string {
  return `${file}.${crypto.randomBytes(TEMP_NAME_RANDOM_BYTES).toString('hex')}.tmp`
}

/** Creates `name` exclusively, mode 0600; throws EEXIST if anything (a symlink too) is there. */
export function openExclusive (name: string): number {
  return fs.openSync(name, EXCL_FLAGS, 0o600)
}

/** Opens a new temp file beside `file`; returns its descriptor and name. */
export function openTempFor (file: string): { fd: number; name: string } {
  for (let attempt = 1; ; attempt++) {
    const name = tempNameFor(file)
    try {
      return { fd: openExclusive(name), name }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= TEMP_OPEN_ATTEMPTS) throw err
    }
  }
}

/** Writes `data` to a fresh temp file, syncs it and renames it over `file`. */
export function writeFileAtomic (file: string, data: string | Buffer): void {
  const { fd, name } = openTempFor(file)
  try {
    fs.writeFileSync(fd, data)
    fs.fsyncSync(fd)
  } catch (err) {
    fs.closeSync(fd)
    removeQuietly(name)
    throw err
  }
  fs.closeSync(fd)
  try { fs.renameSync(name, file) } catch (err) { removeQuietly(name); throw err }
}

/**
 * writeFileAtomic with the write, fsync, close and rename on libuv's thread
 * pool: an fsync can take tens of milliseconds while other processes write,
 * and on the main thread it holds every message back that long.
 * `commit()` is asked just before the rename: false keeps `file` as it is
 * (a newer save got there first) and removes the temp file.
 */
export function writeFileAtomicAsync (file: string, data: string | Buffer, done: (err: Error | null) => void, commit: () => boolean = () => true): void {
  let tmp: { fd: number; name: string }
  try { tmp = openTempFor(file) } catch (err) { return done(err as Error) }
  const fail = (err: Error) => { fs.close(tmp.fd, () => { removeQuietly(tmp.name); done(err) }) }
  fs.writeFile(tmp.fd, data, (err) => {
    if (err) return fail(err)
    fs.fsync(tmp.fd, (err) => {
      if (err) return fail(err)
      fs.close(tmp.fd, (err) => {
        if (err || !commit()) { removeQuietly(tmp.name); return done(err) }
        fs.rename(tmp.name, file, (err) => { if (err) removeQuietly(tmp.name); done(err) })
      })
    })
  })
}

/** Removes leftover temp files of `file` (a crash between create and rename). Symlinks are removed, never followed. */
export function removeStaleTemps (file: string): void {
  const dir = path.dirname(file)
  const base = path.basename(file)
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[0-9a-f]{${TEMP_NAME_RANDOM_BYTES * 2}}\\.tmp$`)
  let names: string[] = []
  try { names = fs.readdirSync(dir) } catch { return }
  const now = Date.now()
  for (const n of names) {
    if (!re.test(n)) continue
    const p = path.join(dir, n)
    try { if (now - fs.lstatSync(p).mtimeMs > STALE_TEMP_AGE_MS) removeQuietly(p) } catch {}
  }
}

export function removeQuietly (name: string): void {
  try { fs.unlinkSync(name) } catch {}
}
