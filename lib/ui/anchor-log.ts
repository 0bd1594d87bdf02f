// Anchor front end: no terminal view, a classic chat-server log on stdout.
// One line per message with the sender's address, one per join and leave:
//   192.168.1.9:8082 bob#3fa2: hello
//   192.168.1.9:8082 bob#3fa2 joined
//   0.0.0.0:8081 guest-1@anchor#54b2: hello from nc
// Names come from the node's labels (core/labels.ts), the same as on the text
// gateway. Peer text is sanitised; the anchor reads no commands.
import type { Writable } from 'stream'
import type { ChatNode, ChatMessage } from '../core/types'
import { subscribe } from '../core/subscribe'
import { sanitizeText } from '../core/sanitize'
import { nodeLabeler, plainLine, type Labeler } from '../core/labels'

export interface AnchorLogOptions {
  node: ChatNode
  output: Writable
  /** Where the text gateway listens, when there is one (shown at start-up). */
  textListen?: string
  /** The text gateway's guest events ('join', 'leave', 'nick'), logged with the client's own address. */
  guests?: GuestSource
  /** `nick#tag` for a key; default: the node's labels. */
  label?: Labeler
}

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

  constructor (private readonly opts: AnchorLogOptions) {
    this.node = opts.node
    this.labeler = opts.label ?? nodeLabeler(opts.node)
  }

  write (line: string): void {
    this.opts.output.write(line + '\n')
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
      message: m => this.write(this.formatMessage(m)),
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

  stop (): void {
    for (const stop of this.stops.splice(0)) stop()
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
