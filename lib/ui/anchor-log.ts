// Anchor front end: no terminal view, a classic chat-server log on stdout.
// Every line starts with an ISO time; one line per message with the sender's
// address, one per join and leave, one at start and one at shutdown:
//   2026-11-28T10:30:00.000Z 192.168.1.9:8082 bob#3fa2: hello
//   2026-11-28T10:30:00.000Z 192.168.1.9:8082 bob#3fa2 joined
//   2026-11-28T10:30:00.000Z 0.0.0.0:8081 guest-1 via anchor#54b2: hello from nc
// Each message id is logged once, ever: a bounded memory of logged ids, seeded
// with what the history file holds, so sync over a new link adds nothing.
// Names come from the node's labels (core/labels.ts), the same as on the text
// gateway. Peer text is sanitised; the anchor reads no commands. A reader that
// falls MAX_OUTPUT_QUEUED_BYTES behind loses lines, then a line counts them.
import type { Writable } from 'stream'
import type { ChatNode, ChatMessage } from '../core/types'
import { subscribe } from '../core/subscribe'
import { sanitizeText } from '../core/sanitize'
import { nodeLabeler, plainLine, type Labeler } from '../core/labels'
import { BoundedOutput } from './bounded-output'

export interface AnchorLogOptions {
  node: ChatNode
  output: Writable
  /** Where the text gateway listens, when there is one (shown at start-up). */
  textListen?: string
  /** The text gateway's guest events ('join', 'leave', 'nick'), logged with the client's own address. */
  guests?: GuestSource
  /** `nick#tag` for a key; default: the node's labels. */
  label?: Labeler
  /** Ids of messages already logged in an earlier life (what the history file holds): never logged again. */
  knownIds?: Iterable<string>
  /** The time printed at the start of each line; default: now. */
  now?: () => number
  /** Where the one-line notice of a reader falling behind goes (default: stderr). */
  diagnostics?: Writable
  /** Output the reader may leave unread before lines are dropped (default MAX_OUTPUT_QUEUED_BYTES). */
  maxQueuedBytes?: number
}

/** Message ids the log remembers as written; past this the oldest is forgotten (about 3.5 MB). */
export const MAX_LOGGED_IDS = 50_000

export interface GuestEvent { name: string; address: string; reason?: string; old?: string }
export interface GuestSource {
  on (event: 'join' | 'leave' | 'nick', fn: (g: GuestEvent) => void): unknown
  off (event: 'join' | 'leave' | 'nick', fn: (g: GuestEvent) => void): unknown
}

/** Shown when the author of a message is not a direct peer. */
export const UNKNOWN_ADDRESS = '-'

export class AnchorLog {
  private readonly node: ChatNode
  /** Last known address of each peer seen up, so a leave line can show it. */
  private readonly addresses = new Map<string, string>()
  private readonly stops: Array<() => void> = []
  private readonly labeler: Labeler
  /** Ids logged (or held by the history file), oldest first. */
  private readonly logged = new Set<string>()
  private readonly out: BoundedOutput

  constructor (private readonly opts: AnchorLogOptions) {
    this.node = opts.node
    this.out = new BoundedOutput(opts.output,
      count => opts.output.write(this.stamp(`! OUTPUT_OVERFLOW: ${count} log lines were dropped while the reader of the log was behind`)),
      queued => (opts.diagnostics ?? process.stderr).write(`meshchat: OUTPUT_OVERFLOW: the reader of stdout is ${queued} bytes behind; log lines are dropped until it catches up (then a line counts them)\n`),
      opts.maxQueuedBytes)
    this.labeler = opts.label ?? nodeLabeler(opts.node)
    for (const id of opts.knownIds ?? []) this.remember(id)
  }

  /** One log line, stamped with the ISO time. */
  write (line: string): void {
    this.out.write(this.stamp(line))
  }

  private stamp (line: string): string {
    return `${new Date((this.opts.now ?? Date.now)()).toISOString()} ${line}\n`
  }

  /** Records an id as logged; false when it already was. */
  private remember (id: string): boolean {
    if (this.logged.has(id)) return false
    this.logged.add(id)
    if (this.logged.size > MAX_LOGGED_IDS) this.logged.delete(this.logged.values().next().value as string)
    return true
  }

  start (): void {
    const { node } = this
    this.stops.push(subscribe(node, {
      'peer-up': p => {
        this.addresses.set(p.peer, p.address)
        this.write(`${p.address} ${this.label(p.nick, p.peer)} joined`)
      },
      'peer-down': p => {
        const address = this.addresses.get(p.peer) ?? UNKNOWN_ADDRESS
        this.addresses.delete(p.peer)
        this.write(`${address} ${this.label(p.nick, p.peer)} left (${sanitizeText(p.reason)})`)
      },
      message: m => { if (this.remember(m.id)) this.write(this.formatMessage(m)) },
      fault: f => this.write(`! ${f.code}: ${sanitizeText(f.message)}`)
    }))
    const guests = this.opts.guests
    if (guests) {
      const events: Array<['join' | 'leave' | 'nick', (g: GuestEvent) => void]> = [
        ['join', g => this.write(`${g.address} ${sanitizeText(g.name)} joined the text gateway`)],
        ['leave', g => this.write(`${g.address} ${sanitizeText(g.name)} left the text gateway (${sanitizeText(g.reason ?? '')})`)],
        ['nick', g => this.write(`${g.address} ${sanitizeText(g.old ?? '')} is now known as ${sanitizeText(g.name)}`)]
      ]
      for (const [event, fn] of events) {
        guests.on(event, fn)
        this.stops.push(() => guests.off(event, fn))
      }
    }
    this.write(`meshchat anchor ${this.label(node.nick, node.id)} listening on ${node.listenAddress}, room #${node.room}`)
    if (this.opts.textListen) this.write(`text gateway listening on ${this.opts.textListen}`)
  }

  /** Logs the shutdown (with why, e.g. the signal) and stops listening. */
  stop (reason = 'closing'): void {
    if (this.stops.length === 0) return
    for (const stop of this.stops.splice(0)) stop()
    this.write(`meshchat anchor ${this.label(this.node.nick, this.node.id)} shutting down (${sanitizeText(reason)})`)
  }

  /** The address of a message's author: this node, a direct peer, or unknown. */
  addressOf (key: string): string {
    if (key === this.node.id) return this.node.listenAddress || UNKNOWN_ADDRESS
    const peer = this.node.peers().find(p => p.peer === key)
    return peer?.address ?? this.addresses.get(key) ?? UNKNOWN_ADDRESS
  }

  /** `address nick#tag: text`, the rest of the line exactly as a gateway client sees it. */
  formatMessage (m: ChatMessage): string {
    return `${this.addressOf(m.from)} ${plainLine(m, this.labeler)}`
  }

  private label (nick: string, key: string): string {
    return this.labeler(key, sanitizeText(nick))
  }

}
