// What the terminal view draws, independent of the library that draws it:
// rows of styled spans. The blessed surface turns them into its own markup.

export type Color =
  | 'black' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white'
  | 'light red' | 'light green' | 'light yellow' | 'light blue' | 'light magenta' | 'light cyan'

export interface Style {
  fg?: Color
  bg?: Color
  bold?: boolean
  dim?: boolean
  underline?: boolean
  inverse?: boolean
}

export interface Span { text: string; style?: Style }

/** One screen row: spans drawn left to right. */
export type Row = Span[]

export function span (text: string, style?: Style): Span {
  return style ? { text, style } : { text }
}

/** The plain text of a row (for tests and for measuring). */
export function rowText (row: Row): string {
  return row.map(s => s.text).join('')
}

/** Drops colours, keeping bold, dim, underline and inverse; a background becomes inverse (NO_COLOR). */
export function withoutColor (row: Row): Row {
  return row.map(s => {
    if (!s.style || (!s.style.fg && !s.style.bg)) return s
    const { fg, bg, ...rest } = s.style
    return { text: s.text, style: bg ? { ...rest, inverse: true } : rest }
  })
}

/** Nick colours: readable on dark and light backgrounds, none of them the default. */
export const NICK_COLORS: Color[] = [
  'red', 'green', 'yellow', 'magenta', 'cyan',
  'light red', 'light green', 'light yellow', 'light blue', 'light magenta', 'light cyan'
]

/** The colour of a key (hex public key): the same on every screen, every run. */
export function keyColor (key: string): Color {
  const n = parseInt(key.slice(0, 8), 16)
  return NICK_COLORS[(Number.isFinite(n) ? n : 0) % NICK_COLORS.length]
}
