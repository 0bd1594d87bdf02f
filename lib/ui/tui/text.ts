// Terminal text, pure: sanitising what peers send, measuring columns the way
// wcwidth(3) does (CJK and emoji take two, combining marks none), wrapping
// and truncating by columns. No terminal library here.

export { sanitize, type SanitizeOptions } from '../../core/sanitize'

// ---- widths ----------------------------------------------------------------

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u1160-\u11ff\u200b-\u200f\u2060-\u2064\ufe00-\ufe0f\u{e0100}-\u{e01ef}]$/u
const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u

// East Asian Wide and Fullwidth blocks (emoji are matched separately).
const WIDE_RANGES: Array<[number, number]> = [
  [0x1100, 0x115f], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf],
  [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff],
  [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff], [0x1aff0, 0x1b2ff], [0x1f200, 0x1f265], [0x20000, 0x2fffd], [0x30000, 0x3fffd]
]

const widthCache = new Map<number, number>()

/** Columns a code point takes in a terminal: 0, 1 or 2. */
export function codePointWidth (cp: number): number {
  if (cp < 0x7f) return cp >= 0x20 ? 1 : 0
  if (cp < 0xa0) return 0
  let w = widthCache.get(cp)
  if (w !== undefined) return w
  const ch = String.fromCodePoint(cp)
  if (ZERO_WIDTH.test(ch)) w = 0
  else if (WIDE_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi)) w = 2
  // Regional indicators are emoji but East Asian "neutral": one column.
  else if (EMOJI_PRESENTATION.test(ch) && !(cp >= 0x1f1e6 && cp <= 0x1f1ff)) w = 2
  else w = 1
  if (widthCache.size < 65536) widthCache.set(cp, w)
  return w
}

/** Columns a string takes (the sum of its code points' widths). */
export function strWidth (s: string): number {
  let w = 0
  for (const ch of s) w += codePointWidth(ch.codePointAt(0)!)
  return w
}

/** Cuts a string to at most `width` columns, ending it with `ellipsis` when cut. */
export function truncate (s: string, width: number, ellipsis = '…'): string {
  if (width <= 0) return ''
  if (strWidth(s) <= width) return s
  const room = width - strWidth(ellipsis)
  if (room < 0) return ''
  let out = ''
  let w = 0
  for (const ch of s) {
    const cw = codePointWidth(ch.codePointAt(0)!)
    if (w + cw > room) break
    out += ch
    w += cw
  }
  return out + ellipsis
}

/** Pads with spaces on the right to exactly `width` columns (truncating first). */
export function padEnd (s: string, width: number): string {
  const t = truncate(s, width)
  return t + ' '.repeat(Math.max(0, width - strWidth(t)))
}

// ---- wrapping --------------------------------------------------------------

/** Splits a word that is wider than a row into pieces of at most `width` columns. */
function splitWord (word: string, firstRoom: number, width: number): string[] {
  const pieces: string[] = []
  let cur = ''
  let w = 0
  let room = firstRoom
  for (const ch of word) {
    const cw = codePointWidth(ch.codePointAt(0)!)
    if (w + cw > room && cur !== '') {
      pieces.push(cur)
      cur = ''
      w = 0
      room = width
    } else if (w + cw > room && pieces.length === 0 && room < width) {
      // Nothing fits on the first row's rest: start on a fresh row.
      pieces.push('')
      room = width
    }
    cur += ch
    w += cw
  }
  pieces.push(cur)
  return pieces
}

/**
 * Wraps text into rows of at most `firstWidth` columns for the first row and
 * `width` for the others, breaking at spaces where it can and inside words
 * only when a word is wider than a row. '\n' forces a break. A wide
 * character is never split across rows. Always returns at least one row.
 */
export function wrap (text: string, width: number, firstWidth: number = width): string[] {
  width = Math.max(1, width)
  firstWidth = Math.max(1, firstWidth)
  const rows: string[] = []
  let cur = ''
  let curW = 0
  const room = () => (rows.length === 0 ? firstWidth : width)
  const flush = () => { rows.push(cur.replace(/ +$/, '')); cur = ''; curW = 0 }
  const paragraphs = text.split('\n')
  paragraphs.forEach((para, pi) => {
    if (pi > 0) flush()
    for (const token of para.split(/( +)/)) {
      if (token === '') continue
      const tw = strWidth(token)
      if (token[0] === ' ') {
        // Spaces: kept inside a row, dropped at a break.
        if (curW + tw <= room()) { cur += token; curW += tw } else if (curW > 0) flush()
        continue
      }
      if (curW + tw <= room()) { cur += token; curW += tw; continue }
      if (tw <= width) {
        if (curW > 0) flush()
        if (tw <= room()) { cur = token; curW = tw; continue }
      }
      // Wider than a row: fill the current row, then whole rows.
      const pieces = splitWord(token, room() - curW, width)
      pieces.forEach((p, i) => {
        if (i > 0) flush()
        cur += p
        curW += strWidth(p)
      })
    }
  })
  flush()
  return rows
}

let wideCache: Array<[number, number]> | null = null

/** Every run of code points that codePointWidth() gives two columns (for other width tables to agree). */
export function wideRanges (): Array<[number, number]> {
  if (wideCache) return wideCache
  const out: Array<[number, number]> = []
  let lo = -1
  for (let cp = 0x1100; cp <= 0x1ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue
    const ch = String.fromCodePoint(cp)
    const wide = !ZERO_WIDTH.test(ch) && (WIDE_RANGES.some(([a, b]) => cp >= a && cp <= b) ||
      (EMOJI_PRESENTATION.test(ch) && !(cp >= 0x1f1e6 && cp <= 0x1f1ff)))
    if (wide && lo < 0) lo = cp
    if (!wide && lo >= 0) { out.push([lo, cp - 1]); lo = -1 }
  }
  if (lo >= 0) out.push([lo, 0x1ffff])
  out.push([0x20000, 0x2fffd], [0x30000, 0x3fffd])
  wideCache = out
  return out
}
