// The keys this person chose to ignore (/ignore, /unignore), remembered in
// <data-dir>/ignored.json so they stay ignored across restarts. Local only:
// nothing is sent to anyone. Without a directory the list lives in memory.
import fs from 'fs'
import path from 'path'
import { removeStaleTemps, writeFileAtomic } from './safe-file'
import { PUBLIC_KEY_BYTES } from '../protocol/crypto'
import { MeshError } from '../protocol/errors'
import type { Ignores } from '../core/command-runner'

export const IGNORE_FILE = 'ignored.json'
/** Keys one list holds; /ignore past it fails with IGNORE_LIST_FULL. */
export const MAX_IGNORED_KEYS = 1000
/** Bytes of a label kept beside an ignored key (what /ignore lists). */
export const MAX_IGNORE_LABEL_BYTES = 128

const KEY_RE = new RegExp(`^[0-9a-f]{${PUBLIC_KEY_BYTES * 2}}$`)

export class IgnoreList implements Ignores {
  private readonly map = new Map<string, string>()
  private readonly file: string | null

  constructor (dir: string | null = null) {
    this.file = dir === null ? null : path.join(dir, IGNORE_FILE)
    if (this.file === null) return
    removeStaleTemps(this.file)
    try {
      const j = JSON.parse(fs.readFileSync(this.file, 'utf8'))
      for (const [key, label] of Object.entries(j)) {
        if (this.map.size >= MAX_IGNORED_KEYS) break
        if (KEY_RE.test(key)) this.map.set(key, cutLabel(String(label)))
      }
    } catch {}
  }

  has (key: string): boolean { return this.map.has(key) }

  /** Adds a key; false when it was already there. Throws IGNORE_LIST_FULL past MAX_IGNORED_KEYS. */
  add (key: string, label: string): boolean {
    if (!KEY_RE.test(key)) throw new MeshError('UNKNOWN_TARGET', `'${key.slice(0, 20)}' is not a public key`)
    if (this.map.has(key)) return false
    if (this.map.size >= MAX_IGNORED_KEYS) throw new MeshError('IGNORE_LIST_FULL', `you ignore ${MAX_IGNORED_KEYS} keys already; /unignore some first`)
    this.map.set(key, cutLabel(label))
    this.save()
    return true
  }

  /** Removes a key; false when it was not there. */
  remove (key: string): boolean {
    if (!this.map.delete(key)) return false
    this.save()
    return true
  }

  list (): Array<{ key: string; label: string }> {
    return [...this.map].map(([key, label]) => ({ key, label }))
  }

  private save (): void {
    if (this.file === null) return
    writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(this.map), null, 1))
  }
}

function cutLabel (label: string): string {
  const b = Buffer.from(label, 'utf8')
  return b.byteLength <= MAX_IGNORE_LABEL_BYTES ? label : b.subarray(0, MAX_IGNORE_LABEL_BYTES).toString('utf8').replace(/\uFFFD+$/, '')
}
