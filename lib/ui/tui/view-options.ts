// What a caller gives the terminal view (terminal-view.ts): the node, a
// surface to draw on, what /quit does, and optional clock, limits and labels.
import type { ChatNode } from '../../core/types'
import type { Ignores } from '../../core/command-runner'
import type { Labeler } from '../../core/labels'
import type { SurfaceFactory } from './surface'

export interface TerminalViewOptions {
  node: ChatNode
  surface: SurfaceFactory
  /** /quit and Ctrl-C: the caller closes the node and restores the terminal (stop()); `message` is /quit's goodbye. */
  onQuit: (message?: string) => void
  now?: () => number
  /** Entries kept for scrollback, per buffer. */
  maxEntries?: number
  /** Delay that batches redraws (ms); 0 draws on the next turn. */
  renderDelayMs?: number
  /** `nick#tag` for a key; default: the node's labels. */
  label?: Labeler
  /** Keys whose lines are hidden (/ignore); without it /ignore is unavailable. */
  ignores?: Ignores
  /** How long a burst of listed members or time-outs is gathered (presence-lines.ts; tests make it short). */
  presenceBursts?: { quietMs?: number; maxMs?: number }
}
