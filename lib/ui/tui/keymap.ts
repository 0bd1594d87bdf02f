// What each key does: editing keys act on the input line directly; the rest
// are named actions the view carries out (submit, scroll, redraw, quit,
// switch buffers: Alt-1..9 and Alt-0 for the tenth, Ctrl-N / Ctrl-P).
import type { Key } from './surface'
import type { InputLine } from './input-line'

export type ViewAction = 'quit' | 'redraw' | 'submit' | 'line-up' | 'line-down' | 'page-up' | 'page-down' | 'complete' | 'complete-back' |
  'buffer-next' | 'buffer-prev' | `buffer-${number}`

type Edit = (input: InputLine) => void

const CTRL: Record<string, Edit | ViewAction> = {
  c: 'quit',
  l: 'redraw',
  a: i => i.home(),
  e: i => i.end(),
  b: i => i.left(),
  f: i => i.right(),
  d: i => i.deleteForward(),
  h: i => i.backspace(),
  u: i => i.killToStart(),
  k: i => i.killToEnd(),
  w: i => i.deleteWordBack(),
  n: 'buffer-next',
  p: 'buffer-prev',
  left: i => i.wordLeft(),
  right: i => i.wordRight()
}

const META: Record<string, Edit | ViewAction> = {
  b: i => i.wordLeft(),
  left: i => i.wordLeft(),
  f: i => i.wordRight(),
  right: i => i.wordRight(),
  backspace: i => i.deleteWordBack(),
  ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), `buffer-${i === 0 ? 10 : i}` as ViewAction]))
}

const PLAIN: Record<string, Edit | ViewAction> = {
  enter: 'submit',
  backspace: i => i.backspace(),
  delete: i => i.deleteForward(),
  left: i => i.left(),
  right: i => i.right(),
  home: i => i.home(),
  end: i => i.end(),
  up: i => i.historyUp(),
  down: i => i.historyDown(),
  tab: 'complete',
  pageup: 'page-up',
  pagedown: 'page-down'
}

const SHIFTED: Record<string, ViewAction> = { up: 'line-up', down: 'line-down', tab: 'complete-back' }

/**
 * Applies a key: returns 'edited' when it changed the input line, a view
 * action for the view to carry out, or null for a key that does nothing.
 */
export function applyKey (k: Key, input: InputLine): 'edited' | ViewAction | null {
  if (k.ch !== undefined && !k.ctrl && !k.meta) { input.insert(k.ch); return 'edited' }
  const table = k.ctrl ? CTRL : k.meta ? META : PLAIN
  const name = k.name ?? ''
  const binding = (!k.ctrl && !k.meta && k.shift && SHIFTED[name]) || table[name]
  if (binding === undefined) return null
  if (typeof binding === 'string') return binding
  binding(input)
  return 'edited'
}
