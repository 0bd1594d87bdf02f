// The terminal view wired to blessed: what bin/meshchat.ts starts when it
// runs in a terminal.
import type { ChatNode } from '../../core/types'
import { TerminalView } from './terminal-view'
import { createBlessedSurface } from './blessed-surface'
import { IgnoreList } from '../../store/ignore-list'

export { TerminalView } from './terminal-view'

export interface TuiOptions {
  node: ChatNode
  /** `message`: the goodbye typed after /quit, if any. */
  onQuit: (message?: string) => void
  /** Where /ignore remembers keys (ignored.json); without it the list lasts until exit. */
  dataDir?: string
  input?: NodeJS.ReadableStream
  output?: NodeJS.WritableStream
}

export function createTerminalView (opts: TuiOptions): TerminalView {
  return new TerminalView({
    node: opts.node,
    onQuit: opts.onQuit,
    ignores: new IgnoreList(opts.dataDir ?? null),
    surface: handlers => createBlessedSurface(handlers, { input: opts.input, output: opts.output })
  })
}
