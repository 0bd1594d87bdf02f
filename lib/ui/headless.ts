// Headless front end: stdin lines in, one JSON object per line out. The event
// names and fields are a public interface (README "Headless mode"). The lines
// of one tick go to the output in one write (process.nextTick after the first),
// until stop(), after which each line is written at once. A reader that falls
// MAX_OUTPUT_QUEUED_BYTES behind loses lines, then gets a `dropped` event.
import type { Readable, Writable } from 'stream'
import type { ChatNode } from '../core/types'
import { runLine, type Outcome } from '../core/command-runner'
import { subscribe } from '../core/subscribe'
import { VERSION } from '../version'
import { BoundedOutput } from './bounded-output'
import { LineSplitter, type LineEvent } from '../gateway/line-splitter'
import { PacedLines } from '../core/paced-lines'

/** Longest command line read from stdin; a longer one is skipped to its newline with LINE_TOO_LONG, never buffered. */
export const MAX_STDIN_LINE_BYTES = 16 * 1024

export interface HeadlessOptions {
  node: ChatNode
  input: Readable
  output: Writable
  /** `/quit [message]`: the message goes into the node's signed goodbye. */
  onQuit: (message?: string) => void
  /** More fields of the `ready` event (the addresses of other front ends, like `irc`). */
  ready?: Record<string, unknown>
  /** Where the one-line notice of a reader falling behind goes (default: stderr). */
  diagnostics?: Writable
  /** Output the reader may leave unread before lines are dropped (default MAX_OUTPUT_QUEUED_BYTES). */
  maxQueuedBytes?: number
}

export class Headless {
  private readonly splitter = new LineSplitter(MAX_STDIN_LINE_BYTES)
  private readonly onData = (chunk: Buffer | string) => this.onLines(this.splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk))
  private readonly onEnd = () => this.onLines(this.splitter.end())
  /** Lines wait here while the node's send budget is empty (stdin paused meanwhile), so a script's burst is paced, not dropped by relays. */
  private readonly paced: PacedLines<LineEvent>
  private readonly out: BoundedOutput
  /** Lines of this tick not yet written; null once stopped (lines are written at once). */
  private pending: string[] | null = []
  private readonly flush = () => {
    if (!this.pending || this.pending.length === 0) return
    const text = this.pending.join('')
    this.pending = []
    this.out.write(text)
  }

  constructor (private readonly opts: HeadlessOptions) {
    this.out = new BoundedOutput(opts.output,
      count => opts.output.write(JSON.stringify({ event: 'dropped', count }) + '\n'),
      queued => (opts.diagnostics ?? process.stderr).write(`meshchat: OUTPUT_OVERFLOW: the reader of stdout is ${queued} bytes behind; events are dropped until it catches up (then a "dropped" event counts them)\n`),
      opts.maxQueuedBytes)
    this.paced = new PacedLines(opts.node.sendBudget, ev => this.onEvent(ev), waiting => {
      if (waiting) opts.input.pause()
      else opts.input.resume()
    })
  }

  /** Queues one JSON line; the lines of one tick are written together before the tick ends. */
  write (obj: Record<string, unknown>): void {
    const line = JSON.stringify(obj) + '\n'
    if (!this.pending) { this.out.write(line); return }
    this.pending.push(line)
    // nextTick, not a microtask: from a stdin command it runs before streamx's write microtasks, so
    // the node's own event is out before its frames leave (scripts see their line first, as before);
    // from inside a received frame's microtask it runs once that drained, after the relayed frames left.
    if (this.pending.length === 1) process.nextTick(this.flush)
  }

  start (): void {
    const { node } = this.opts
    subscribe(node, {
      'peer-up': p => this.write({ event: 'peer-up', ...p }),
      'peer-down': p => this.write({ event: 'peer-down', ...p }),
      message: m => this.write({ event: 'message', ...m }),
      fault: f => this.write({ event: 'error', ...f }),
      discovery: d => this.write({ event: 'discovery', ...d }),
      delivered: d => this.write({ event: 'delivered', ...d }),
      undelivered: d => this.write({ event: 'undelivered', ...d }),
      warning: w => this.write({ event: 'warning', ...w }),
      presence: p => this.write({ event: 'presence', ...p }),
      // Your own rename is written by the /nick outcome below (old scripts read its `nick`).
      'peer-nick': n => { if (!n.self) this.write({ event: 'nick', ...n }) }
    })
    this.write({ event: 'ready', id: node.id, nick: node.nick, listen: node.listenAddress, room: node.room, rooms: [...node.rooms], version: VERSION, ...this.opts.ready })
    this.opts.input.on('data', this.onData)
    this.opts.input.on('end', this.onEnd)
  }

  private onLines (events: LineEvent[]): void {
    for (const ev of events) this.paced.push(ev)
  }

  /** Runs one line; returns the messages it sent (the send budget's tokens). */
  private onEvent (ev: LineEvent): number {
    if (ev.kind === 'line') return this.onLine(ev.bytes.toString('utf8'))
    this.write({ event: 'error', code: 'LINE_TOO_LONG', message: `a command line longer than ${MAX_STDIN_LINE_BYTES} bytes was skipped up to its newline; nothing was run` })
    return 0
  }

  private onLine (line: string): number {
    const outcome = runLine(this.opts.node, line)
    if (outcome.kind === 'sent') return outcome.messages.length
    this.onOutcome(outcome)
    return 0
  }

  private onOutcome (outcome: Outcome): void {
    switch (outcome.kind) {
      case 'error': return this.write({ event: 'error', code: outcome.code, message: outcome.message })
      case 'help': return this.write(outcome.command === undefined ? { event: 'help', lines: outcome.lines } : { event: 'help', command: outcome.command, lines: outcome.lines })
      case 'peers': return this.write({ event: 'peers', peers: outcome.peers, links: this.opts.node.linkCount })
      case 'nick': return this.write({ event: 'nick', nick: outcome.nick, peer: this.opts.node.id, old: outcome.old, self: true })
      case 'connecting':
        outcome.done.then(
          p => this.write({ event: 'connected', ...p }),
          err => this.write({ event: 'error', code: 'CONNECT_FAILED', message: err.message }))
        return
      case 'joined': return this.write({ event: 'joined', room: outcome.room, rooms: [...this.opts.node.rooms] })
      case 'left': return this.write({ event: 'left', room: outcome.room, rooms: [...this.opts.node.rooms], current: this.opts.node.room, ...(outcome.message === undefined ? {} : { message: outcome.message }) })
      case 'room': return this.write({ event: 'room', room: outcome.room })
      case 'rooms': return this.write({ event: 'rooms', room: outcome.room, rooms: outcome.rooms })
      case 'query': return this.write({ event: 'query', peer: outcome.peer, nick: outcome.nick })
      case 'members': return this.write({ event: 'members', room: outcome.room, members: outcome.members.map(({ lastSeen, ...m }) => m), ...(outcome.pattern === undefined ? {} : { pattern: outcome.pattern, total: outcome.total }) })
      case 'whois': return this.write({ event: 'whois', ...outcome.info })
      case 'quit':
        this.flush() // the lines before /quit are out before shutting down starts
        return this.opts.onQuit(outcome.message)
    }
  }

  /** Writes what this tick queued and writes every later line at once (the process may exit soon). */
  stop (): void {
    this.flush()
    this.pending = null
    this.paced.close()
    this.opts.input.off('data', this.onData)
    this.opts.input.off('end', this.onEnd)
    this.opts.input.pause()
  }
}
