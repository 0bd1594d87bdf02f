// The message pane's scrollback: entries (bounded), their rows cached per
// width, how far the reader scrolled up and how many lines arrived meanwhile.
// Knows nothing of the node or the terminal; the view asks it for the rows
// of a pane of a given size.
import { formatEntry, type Entry } from './format'
import type { Row } from './style'

export class Scrollback {
  private entries: Entry[] = []
  private readonly rowCache = new WeakMap<Entry, { width: number; rows: Row[] }>()
  /** Rows scrolled up from the bottom; 0 follows new messages. */
  scroll = 0
  /** Lines that arrived while scrolled up. */
  unread = 0

  constructor (private readonly maxEntries: number, private readonly now: () => number) {}

  /** Adds an entry; while scrolled up the rows in view stay where they are. */
  push (e: Entry, countsUnread: boolean, width: number): void {
    this.entries.push(e)
    if (this.entries.length > this.maxEntries) this.entries.splice(0, this.entries.length - this.maxEntries)
    if (this.scroll > 0) {
      this.scroll += this.rowsOf(e, width).length
      if (countsUnread) this.unread++
    }
  }

  /** Back to the newest lines. */
  follow (): void {
    this.scroll = 0
    this.unread = 0
  }

  clear (): void {
    this.entries = []
    this.follow()
  }

  /** The newest entry that is not the read marker, or null. */
  last (): Entry | null {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].kind !== 'marker') return this.entries[i]
    return null
  }

  /** Drops a cached layout: the entry changed (a delivery mark) and is drawn again. */
  invalidate (e: Entry): void { this.rowCache.delete(e) }

  /**
   * Moves the read marker to just after `after` (removing the old one);
   * none when nothing came after it, or when `after` was trimmed away.
   */
  placeMarker (after: Entry | null, ts: number): boolean {
    this.entries = this.entries.filter(e => e.kind !== 'marker')
    const i = after === null ? -1 : this.entries.indexOf(after)
    if ((after !== null && i === -1) || i === this.entries.length - 1) return false
    this.entries.splice(i + 1, 0, { kind: 'marker', ts })
    return true
  }

  private rowsOf (e: Entry, width: number): Row[] {
    const cached = this.rowCache.get(e)
    if (cached && cached.width === width) return cached.rows
    const rows = formatEntry(e, width, this.now())
    this.rowCache.set(e, { width, rows })
    return rows
  }

  /** Rows from the bottom up, enough to fill `need`; and whether there are more. */
  private bottomRows (width: number, need: number): { rows: Row[]; more: boolean } {
    const out: Row[][] = []
    let count = 0
    let i = this.entries.length - 1
    for (; i >= 0 && count < need; i--) {
      const r = this.rowsOf(this.entries[i], width)
      out.push(r)
      count += r.length
    }
    const rows: Row[] = []
    for (let j = out.length - 1; j >= 0; j--) rows.push(...out[j])
    return { rows, more: i >= 0 }
  }

  /** Scrolls by `rows` (positive: up), never past the oldest line. */
  scrollBy (rows: number, width: number, height: number): void {
    const target = Math.max(0, this.scroll + rows)
    const { rows: all, more } = this.bottomRows(width, target + height)
    this.scroll = Math.min(target, more ? target : Math.max(0, all.length - height))
    if (this.scroll === 0) this.unread = 0
  }

  /** The `height` rows in view, filled from the bottom like a chat client. */
  view (width: number, height: number): Row[] {
    const { rows: all, more } = this.bottomRows(width, this.scroll + height)
    const maxScroll = more ? this.scroll : Math.max(0, all.length - height)
    if (this.scroll > maxScroll) this.scroll = maxScroll
    if (this.scroll === 0) this.unread = 0
    const end = all.length - this.scroll
    const rows = all.slice(Math.max(0, end - height), end)
    return rows.length < height ? [...Array.from({ length: height - rows.length }, () => []), ...rows] : rows
  }
}
