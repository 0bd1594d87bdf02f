// The view's buffers, the irssi/weechat way: one per room and one per private
// conversation, numbered in the order they opened. Each keeps its own
// scrollback, unread count and highlight mark; switching away remembers the
// last line seen, and coming back puts a marker line after it. Pure: knows
// nothing of the node or the terminal.
import { Scrollback } from './scrollback'
import type { Entry } from './format'

export type BufferKind = 'room' | 'query'

/** Buffers one view keeps; opening one more fails (rooms are bounded by the node, queries by this). */
export const MAX_BUFFERS = 64

export interface ChatBuffer {
  kind: BufferKind
  /** The room name, or the peer's key for a private conversation. */
  name: string
  readonly pane: Scrollback
  /** Chat lines that arrived while this was not the current buffer. */
  unread: number
  /** Your nick was mentioned, or a private line came, while away. */
  highlight: boolean
  /** The newest entry when the reader left; the marker goes after it on return. */
  lastSeen: Entry | null
}

export class BufferList {
  private readonly list: ChatBuffer[] = []
  private cur = 0
  /** Buffers in the order they were current, oldest first (for /leave's return). */
  private visits: ChatBuffer[] = []

  constructor (private readonly maxEntries: number, private readonly now: () => number) {}

  get current (): ChatBuffer { return this.list[this.cur] }
  get all (): readonly ChatBuffer[] { return this.list }
  /** The buffer's number as shown (1-based). */
  number (b: ChatBuffer): number { return this.list.indexOf(b) + 1 }

  find (kind: BufferKind, name: string): ChatBuffer | undefined {
    return this.list.find(b => b.kind === kind && b.name === name)
  }

  /** The buffer for a room or conversation, opened (at the end, not current) if new. */
  open (kind: BufferKind, name: string): ChatBuffer {
    const found = this.find(kind, name)
    if (found) return found
    if (this.list.length >= MAX_BUFFERS) throw new RangeError(`at most ${MAX_BUFFERS} buffers`)
    const b: ChatBuffer = { kind, name, pane: new Scrollback(this.maxEntries, this.now), unread: 0, highlight: false, lastSeen: null }
    this.list.push(b)
    return b
  }

  /** Makes `b` current: the old one remembers where reading stopped, `b` gets its marker and loses its marks. */
  switchTo (b: ChatBuffer): void {
    const old = this.current
    if (b === old || !this.list.includes(b)) return
    if (old) old.lastSeen = old.pane.last()
    this.cur = this.list.indexOf(b)
    this.visits = [...this.visits.filter(x => x !== old && x !== b), ...(old ? [old] : [])]
    if (b.unread > 0 || b.highlight) b.pane.placeMarker(b.lastSeen, this.now())
    b.unread = 0
    b.highlight = false
  }

  /** By number (1-based); false when there is no such buffer. */
  switchToNumber (n: number): boolean {
    const b = this.list[n - 1]
    if (!b) return false
    this.switchTo(b)
    return true
  }

  /** The next (+1) or previous (-1) buffer, wrapping around. */
  cycle (step: 1 | -1): void {
    this.switchTo(this.list[(this.cur + step + this.list.length) % this.list.length])
  }

  /** Closes a buffer; when it was current, the one visited before it becomes current. Never closes the last one. */
  close (b: ChatBuffer): boolean {
    if (this.list.length <= 1 || !this.list.includes(b)) return false
    const wasCurrent = b === this.current
    const keep = this.current
    this.list.splice(this.list.indexOf(b), 1)
    this.visits = this.visits.filter(x => x !== b)
    if (!wasCurrent) { this.cur = this.list.indexOf(keep); return true }
    const back = this.visits.pop() ?? this.list[0]
    this.cur = this.list.indexOf(back)
    if (back.unread > 0 || back.highlight) back.pane.placeMarker(back.lastSeen, this.now())
    back.unread = 0
    back.highlight = false
    return true
  }

  /** Adds an entry; on another buffer than the current one a chat line counts as unread and may highlight it. */
  push (b: ChatBuffer, e: Entry, width: number, marks: { unread: boolean; highlight: boolean }): void {
    b.pane.push(e, marks.unread, width)
    if (b === this.current) return
    if (marks.unread) b.unread++
    if (marks.highlight) b.highlight = true
  }
}
