// The terminal view wired to blessed: what bin/meshchat.ts starts when it
// runs in a terminal.
import type { MeshNode } from '../../core/node'
import { TerminalView } from './terminal-view'
import { createBlessedSurface } from './blessed-surface'

export { TerminalView } from './terminal-view'

export interface TuiOptions {
  node: MeshNode
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
