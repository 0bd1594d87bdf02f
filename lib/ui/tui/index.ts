// The terminal view wired to blessed: what bin/meshchat.ts starts when it
// runs in a terminal.
import type { ChatNode } from '../../core/types'
import { TerminalView } from './terminal-view'
import { createBlessedSurface } from './blessed-surface'

export { TerminalView } from './terminal-view'

export interface TuiOptions {
  node: ChatNode
  onQuit: () => void
  input?: NodeJS.ReadableStream
  output?: NodeJS.WritableStream
}

export function createTerminalView (opts: TuiOptions): TerminalView {
  return new TerminalView({
    node: opts.node,
    onQuit: opts.onQuit,
    surface: handlers => createBlessedSurface(handlers, { input: opts.input, output: opts.output })
  })
}
