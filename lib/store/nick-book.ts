// Which key first used each nick, remembered in <data-dir>/known-nicks.json so
// an impersonator is flagged across restarts too. Bounded: when full, the
// least confirmed of the oldest entries is forgotten, so a flood of
// throw-away nicks cannot freeze the book or push out nicks seen often.
import fs from 'fs'
import path from 'path'
import type { NickBook } from '../core/directory'
import { removeStaleTemps, writeFileAtomic, writeFileAtomicAsync } from './safe-file'
import { PUBLIC_KEY_BYTES } from '../protocol/crypto'

export const NICK_BOOK_FILE = 'known-nicks.json'
/** Nicks remembered. */
export const MAX_NICK_BOOK_ENTRIES = 10_000
/** When full, how many of the oldest entries are looked at to pick the least confirmed one to forget. */
export const NICK_BOOK_EVICT_SAMPLE = 256
/**
 * A new nick is saved at most this long after it was learnt (a crash loses
 * at most these), in the background; a flood of fresh keys costs one
 * rewrite of the book per interval, not one per nick.
 */
export const NICK_BOOK_SAVE_DELAY_MS = 2000

interface Entry { key: string; seen: number }
const KEY_RE = new RegExp(`^[0-9a-f]{${PUBLIC_KEY_BYTES * 2}}$`)

export class FileNickBook implements NickBook {
  private readonly map = new Map<string, Entry>()
  private readonly file: string
  private saveTimer: NodeJS.Timeout | null = null
  /** A background save is under way; `again`: the book changed meanwhile. */
  private saving = false
  private again = false
  /** Bumped by every save; a background save whose rename would land after a newer one's is dropped. */
  private generation = 0
  private readonly waiters: Array<() => void> = []

  constructor (dir: string, private readonly max = MAX_NICK_BOOK_ENTRIES, private readonly saveDelayMs = NICK_BOOK_SAVE_DELAY_MS) {
    this.file = path.join(dir, NICK_BOOK_FILE)
    removeStaleTemps(this.file)
    try {
      const j = JSON.parse(fs.readFileSync(this.file, 'utf8'))
      for (const [nick, v] of Object.entries(j)) {
        // Older files hold the key alone.
        const e = typeof v === 'string' ? { key: v, seen: 1 } : v as Entry
        if (e && typeof e.key === 'string' && KEY_RE.test(e.key)) this.map.set(nick, { key: e.key, seen: Number(e.seen) || 1 })
      }
    } catch {}
  }

  get size (): number { return this.map.size }

  firstKeyFor (nick: string): string | undefined { return this.map.get(nick)?.key }

  confirm (nick: string): void {
    const e = this.map.get(nick)
    if (e) e.seen++
  }

  remember (nick: string, key: string): void {
    if (this.map.has(nick)) return
    if (this.map.size >= this.max) this.evict()
    this.map.set(nick, { key, seen: 1 })
    this.scheduleSave()
  }

  private scheduleSave (): void {
    if (this.saving) { this.again = true; return }
    if (this.saveTimer) return
    this.saveTimer = setTimeout(() => this.saveInBackground(), this.saveDelayMs)
    this.saveTimer.unref?.()
  }

  private saveInBackground (): void {
    this.saveTimer = null
    this.saving = true
    const generation = ++this.generation
    writeFileAtomicAsync(this.file, this.text(), () => {
      this.saving = false
      if (this.again) { this.again = false; this.scheduleSave() }
      for (const w of this.waiters.splice(0)) w()
    }, () => generation === this.generation)
  }

  /** Resolves when no save is waiting or under way (for tests). */
  settled (): Promise<void> {
    return this.saving || this.saveTimer ? new Promise(resolve => this.waiters.push(resolve)) : Promise.resolve()
  }

  private text (): string { return JSON.stringify(Object.fromEntries(this.map), null, 1) }

  /** Forgets the least confirmed of the oldest NICK_BOOK_EVICT_SAMPLE entries. */
  private evict (): void {
    let victim: string | null = null
    let fewest = Infinity
    let n = 0
    for (const [nick, e] of this.map) {
      if (e.seen < fewest) { victim = nick; fewest = e.seen }
      if (++n >= NICK_BOOK_EVICT_SAMPLE) break
    }
    if (victim !== null) this.map.delete(victim)
  }

  /** Saves now, synchronously (at shutdown); a background save still under way will not overwrite it. */
  flush (): void {
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = null
    this.again = false
    this.generation++
    try {
      writeFileAtomic(this.file, this.text())
    } catch {}
    if (!this.saving) for (const w of this.waiters.splice(0)) w()
  }
}
