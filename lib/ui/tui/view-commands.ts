// What the terminal view does with a line typed into its current buffer:
// runs it through the core's command runner (lines in a private buffer go to
// that peer, long lines are split) and acts on the outcome: switching and
// closing buffers, clearing, quitting, and printing the rest
// (command-output.ts) into the current buffer.
import { runLine } from '../../core/command-runner'
import { parseLine } from '../../core/commands'
import { outcomeLines } from './command-output'
import type { TerminalView } from './terminal-view'
import type { ChatBuffer } from './buffers'

/** Runs a line typed in buffer `cur` (it may have waited for the send budget while another buffer was shown); returns the messages it sent. */
export function runViewLine (v: TerminalView, line: string, cur: ChatBuffer = v.buffers.current): number {
  const parsed = parseLine(line)
  // /leave (or /part) alone in a private buffer closes the conversation.
  if (cur.kind === 'query' && parsed.type === 'command' && parsed.name === 'leave' && parsed.rest === undefined) {
    const name = v.bufferName(cur)
    v.closeBuffer(cur)
    v.system('output', `closed the conversation with ${name}`)
    return 0
  }
  const o = runLine(v.opts.node, line, { split: true, ignores: v.opts.ignores, privateTo: cur.kind === 'query' ? cur.name : undefined, room: cur.kind === 'room' ? cur.name : undefined })
  switch (o.kind) {
    case 'connecting': {
      v.system('output', `connecting to ${o.address}…`)
      o.done.then(
        p => { if (!v.stopped) v.system('output', `connected to ${v.label(p.peer, p.nick)} (${p.via} ${p.address})`, cur) },
        err => { if (!v.stopped) v.system('error', err.message, cur) })
      return 0
    }
    case 'clear': cur.pane.clear(); return 0
    case 'quit': v.opts.onQuit(o.message); return 0
    case 'joined': case 'room': v.show(v.buffers.open('room', o.room)); break
    case 'query': v.show(v.buffers.open('query', o.peer)); break
    // /msg from elsewhere opens the conversation's buffer, where the line and its delivery mark are.
    case 'sent': if (o.message.private && o.message.to && cur.name !== o.message.to) v.show(v.buffers.open('query', o.message.to)); return o.messages.length
  }
  for (const [level, text] of outcomeLines(line, o, { node: v.opts.node, label: (k, n) => v.label(k, n), now: v.now(), width: v.paneWidth })) {
    v.system(level, text)
  }
  return 0
}
