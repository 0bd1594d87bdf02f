// The input line, pure: text and cursor, editing keys, history (up/down) and
// Tab completion. The view feeds it keys and draws what it says.
import { codePointWidth, sanitize, strWidth } from './text'

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** Offsets (in UTF-16 units) of the grapheme boundaries of `s`, 0 and s.length included. */
function boundaries (s: string): number[] {
  const out = [0]
  for (const seg of segmenter.segment(s)) if (seg.index > 0) out.push(seg.index)
  if (out[out.length - 1] !== s.length) out.push(s.length)
  return out
}

export interface Completer {
  /** Command names (without '/'). */
  commands: () => string[]
  /** Nicks to complete, most recently active first. */
  nicks: () => string[]
}

interface Completion { start: number; end: number; candidates: string[]; index: number; suffix: string }

export class InputLine {
  text = ''
  /** Cursor offset in UTF-16 units, always on a grapheme boundary. */
  cursor = 0
  private readonly history: string[] = []
  /** Position while browsing history: history.length means the draft. */
  private historyPos = 0
  private draft = ''
  private completion: Completion | null = null

  constructor (private readonly maxHistory = 500) {}

  // ---- editing ------------------------------------------------------------

  insert (s: string): void {
    const clean = sanitize(s)
    if (!clean) return
    this.text = this.text.slice(0, this.cursor) + clean + this.text.slice(this.cursor)
    this.cursor += clean.length
    this.completion = null
  }

  private prevBoundary (): number {
    const b = boundaries(this.text)
    for (let i = b.length - 1; i >= 0; i--) if (b[i] < this.cursor) return b[i]
    return 0
  }

  private nextBoundary (): number {
    for (const x of boundaries(this.text)) if (x > this.cursor) return x
    return this.text.length
  }

  backspace (): void {
    if (this.cursor === 0) return
    const p = this.prevBoundary()
    this.text = this.text.slice(0, p) + this.text.slice(this.cursor)
    this.cursor = p
    this.completion = null
  }

  deleteForward (): void {
    if (this.cursor >= this.text.length) return
    const n = this.nextBoundary()
    this.text = this.text.slice(0, this.cursor) + this.text.slice(n)
    this.completion = null
  }

  left (): void { this.cursor = this.prevBoundary(); this.completion = null }
  right (): void { this.cursor = this.nextBoundary(); this.completion = null }
  home (): void { this.cursor = 0; this.completion = null }
  end (): void { this.cursor = this.text.length; this.completion = null }

  private wordStartBefore (pos: number): number {
    let i = pos
    while (i > 0 && this.text[i - 1] === ' ') i--
    while (i > 0 && this.text[i - 1] !== ' ') i--
    return i
  }

  private wordEndAfter (pos: number): number {
    let i = pos
    while (i < this.text.length && this.text[i] === ' ') i++
    while (i < this.text.length && this.text[i] !== ' ') i++
    return i
  }

  wordLeft (): void { this.cursor = this.wordStartBefore(this.cursor); this.completion = null }
  wordRight (): void { this.cursor = this.wordEndAfter(this.cursor); this.completion = null }

  /** Ctrl-W: deletes the word before the cursor. */
  deleteWordBack (): void {
    const p = this.wordStartBefore(this.cursor)
    this.text = this.text.slice(0, p) + this.text.slice(this.cursor)
    this.cursor = p
    this.completion = null
  }

  /** Ctrl-U: deletes everything before the cursor. */
  killToStart (): void {
    this.text = this.text.slice(this.cursor)
    this.cursor = 0
    this.completion = null
  }

  /** Ctrl-K: deletes everything after the cursor. */
  killToEnd (): void {
    this.text = this.text.slice(0, this.cursor)
    this.completion = null
  }

  /** Enter: returns the line and clears the input; non-blank lines go to history. */
  submit (): string {
    const line = this.text
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line)
      if (this.history.length > this.maxHistory) this.history.shift()
    }
    this.historyPos = this.history.length
    this.draft = ''
    this.text = ''
    this.cursor = 0
    this.completion = null
    return line
  }

  // ---- history -------------------------------------------------------------

  historyUp (): void {
    if (this.historyPos === 0) return
    if (this.historyPos === this.history.length) this.draft = this.text
    this.historyPos--
    this.setText(this.history[this.historyPos])
  }

  historyDown (): void {
    if (this.historyPos >= this.history.length) return
    this.historyPos++
    this.setText(this.historyPos === this.history.length ? this.draft : this.history[this.historyPos])
  }

  private setText (s: string): void {
    this.text = s
    this.cursor = s.length
    this.completion = null
  }

  // ---- completion ------------------------------------------------------------

  /**
   * Tab: completes the word before the cursor. A first word starting with
   * '/' completes to a command; any other word to a nick (followed by ': '
   * at the start of the line). Pressing Tab again cycles through the matches.
   * Returns false when nothing matched.
   */
  complete (source: Completer, backwards = false): boolean {
    const c = this.completion
    if (c && c.candidates.length > 1) {
      c.index = (c.index + (backwards ? c.candidates.length - 1 : 1)) % c.candidates.length
      this.applyCompletion(c)
      return true
    }
    if (c) return true
    const start = this.wordStartBefore(this.cursor)
    // Only complete when the cursor ends a word.
    if (this.cursor < this.text.length && this.text[this.cursor] !== ' ') return false
    const word = this.text.slice(start, this.cursor)
    let candidates: string[]
    let suffix: string
    if (start === 0 && word.startsWith('/')) {
      const prefix = word.slice(1).toLowerCase()
      candidates = source.commands().filter(n => n.startsWith(prefix)).sort().map(n => '/' + n)
      suffix = ' '
    } else {
      if (word === '') return false
      const at = word.startsWith('@') ? '@' : ''
      const prefix = word.slice(at.length).toLowerCase()
      const seen = new Set<string>()
      candidates = []
      for (const n of source.nicks()) {
        if (!n.toLowerCase().startsWith(prefix) || seen.has(n)) continue
        seen.add(n)
        candidates.push(at + n)
      }
      suffix = start === 0 ? ': ' : ' '
    }
    if (candidates.length === 0) return false
    const comp: Completion = { start, end: this.cursor, candidates, index: 0, suffix }
    this.applyCompletion(comp)
    this.completion = comp
    return true
  }

  private applyCompletion (c: Completion): void {
    const replacement = c.candidates[c.index] + c.suffix
    this.text = this.text.slice(0, c.start) + replacement + this.text.slice(c.end)
    c.end = c.start + replacement.length
    this.cursor = c.end
  }

  // ---- drawing -------------------------------------------------------------

  /**
   * What fits in `width` columns: a window of the text that keeps the cursor
   * visible, and the cursor's column in it.
   */
  view (width: number): { text: string; cursor: number } {
    width = Math.max(1, width)
    const before = this.text.slice(0, this.cursor)
    const after = this.text.slice(this.cursor)
    // Keep the cursor inside the window, with a little context to its left.
    const chars = Array.from(before)
    let left = ''
    let lw = 0
    const maxLeft = strWidth(before) < width ? width : Math.max(1, width - Math.max(1, Math.floor(width / 4)))
    for (let i = chars.length - 1; i >= 0; i--) {
      const cw = codePointWidth(chars[i].codePointAt(0)!)
      if (lw + cw > maxLeft - 1 && cw > 0) break
      left = chars[i] + left
      lw += cw
    }
    let right = ''
    let rw = 0
    for (const ch of after) {
      const cw = codePointWidth(ch.codePointAt(0)!)
      if (lw + rw + cw > width) break
      right += ch
      rw += cw
    }
    return { text: left + right, cursor: lw }
  }
}
