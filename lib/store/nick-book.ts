// Which key first used each nick, remembered in <data-dir>/known-nicks.json so
// an impersonator is flagged across restarts too.
import fs from 'fs'
import path from 'path'
import type { NickBook } from '../core/directory'
import { removeStaleTemps, writeFileAtomic } from './safe-file'

export const NICK_BOOK_FILE = 'known-nicks.json'
/** Nicks remembered; past this, new nicks are not recorded. */
export const MAX_NICK_BOOK_ENTRIES = 10_000

export class FileNickBook implements NickBook {
  private readonly map = new Map<string, string>()
  private readonly file: string
  private saveTimer: NodeJS.Timeout | null = null

  constructor (dir: string) {
    this.file = path.join(dir, NICK_BOOK_FILE)
    removeStaleTemps(this.file)
    try {
      const j = JSON.parse(fs.readFileSync(this.file, 'utf8'))
      for (const [nick, key] of Object.entries(j)) if (typeof key === 'string' && /^[0-9a-f]{64}$/.test(key)) this.map.set(nick, key)
    } catch {}
  }

  firstKeyFor (nick: string): string | undefined { return this.map.get(nick) }

  remember (nick: string, key: string): void {
    if (this.map.has(nick) || this.map.size >= MAX_NICK_BOOK_ENTRIES) return
    this.map.set(nick, key)
    if (!this.saveTimer) {
      this.saveTimer = setTimeout(() => this.flush(), 200)
      this.saveTimer.unref?.()
    }
  }

  flush (): void {
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = null
    try {
      writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(this.map), null, 1))
    } catch {}
  }
}
