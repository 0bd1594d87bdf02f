// The seam between the terminal view and the library that draws it. The view
// computes every row; a surface only paints them and reports keys, wheel
// turns and resizes. blessed lives behind this interface (blessed-surface.ts)
// and nowhere else, so it can be swapped.
import type { Row } from './style'

export interface Key {
  /** 'enter', 'backspace', 'tab', 'up', 'pageup', 'c' (with ctrl)...; undefined for plain text. */
  name?: string
  /** The text the key types, for printable keys (a whole code point). */
  ch?: string
  ctrl: boolean
  meta: boolean
  shift: boolean
}

export interface Frame {
  /** The message pane's rows, top to bottom; at most its height. */
  messages: Row[]
  /** The sidebar's rows, or null when it is hidden. */
  sidebar: Row[] | null
  /** Columns of the sidebar, including its two-column left border (the rows get two fewer). */
  sidebarWidth: number
  status: Row
  input: Row
  /** Column of the cursor on the input row. */
  cursor: number
}

export interface SurfaceHandlers {
  onKey: (key: Key) => void
  /** Mouse wheel: -1 up (older), +1 down (newer). */
  onWheel: (direction: -1 | 1) => void
  onResize: () => void
}

export interface Surface {
  readonly width: number
  readonly height: number
  /** False where colours should not be used (NO_COLOR, monochrome terminal). */
  readonly color: boolean
  draw (frame: Frame): void
  /** Repaints everything, as after Ctrl-L. */
  redraw (): void
  bell (): void
  /** Restores the terminal: normal screen, cursor shown, mouse and keypad modes off. */
  destroy (): void
}

export type SurfaceFactory = (handlers: SurfaceHandlers) => Surface
