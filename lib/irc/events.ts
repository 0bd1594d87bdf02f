// Node events as IRC lines: the one place that maps what the mesh says
// (messages, presence, nick changes, rooms, delivery receipts) to what IRC
// clients see. New node events get wired here.
import type { ChatMessage, NickChange, PresenceChange, Receipt } from '../core/types'
import { subscribe } from '../core/subscribe'
import { ircBase } from './nicks'
import { ircText } from './wire'
import type { IrcFace } from './server'
import { timeTags } from './server'
import { IRC_MESH_HOST, IRC_QUIT_DEDUP_MS, MAX_IRC_PENDING_RECEIPTS, RECEIPT_QUOTE_CHARS } from './limits'

/** A room message's IRC text: a /me from the mesh is a CTCP ACTION, the way IRC clients show `* nick waves`. */
export function ircLine (m: ChatMessage): string {
  const text = ircText(m.text)
  return m.action ? `\x01ACTION ${text}\x01` : text
}

export class IrcEvents {
  private unsubscribe: (() => void) | null = null
  /** Private messages sent from IRC, by id, awaiting their receipt: who to and what. */
  private readonly pending = new Map<string, { to: string; text: string }>()
  private selfNick: string
  /** The node's rooms as last seen, to tell which a 'rooms' event added. */
  private rooms: string[] = []
  /** Peers whose QUIT was sent, and when: a quit arrives once per room the peer was in. */
  private readonly quits = new Map<string, number>()

  constructor (private readonly face: IrcFace) {
    this.selfNick = face.node.nick
  }

  start (): void {
    const node = this.face.node
    this.rooms = [...node.rooms]
    this.unsubscribe = subscribe(node, {
      message: m => this.onMessage(m),
      presence: p => this.onPresence(p),
      nick: nick => this.onSelfNick(nick),
      'peer-nick': n => this.onPeerNick(n),
      rooms: rooms => this.onRooms(rooms),
      delivered: r => this.onReceipt(r, 'delivered'),
      undelivered: r => this.onReceipt(r, 'not delivered')
    })
  }

  stop (): void { this.unsubscribe?.(); this.unsubscribe = null }

  /** Remembers a private message sent from IRC so its receipt can quote it. */
  recordPrivate (id: string, to: string, text: string): void {
    if (this.pending.size >= MAX_IRC_PENDING_RECEIPTS) this.pending.delete(this.pending.keys().next().value as string)
    this.pending.set(id, { to, text })
  }

  /** The IRC source of a room message: the author, or for a gateway guest `guest|tag` of its gateway. */
  sourceOf (m: ChatMessage): string {
    if (m.via !== undefined && m.from === this.face.node.id) return this.face.selfMask(ircText(m.nick))
    if (m.via !== undefined) return this.guestMask(m.nick, m.from)
    return this.face.peerMask(m.from, m.self ? undefined : m.nick)
  }

  /** A text-gateway guest as IRC sees it: `name|tag` of its gateway's key. */
  private guestMask (name: string, gateway: string): string {
    return `${this.guestNick(name, gateway)}!guest@${IRC_MESH_HOST}`
  }

  private guestNick (name: string, gateway: string): string {
    return `${ircBase(ircText(name))}|${this.face.node.tag(gateway)}`
  }

  private onMessage (m: ChatMessage): void {
    const face = this.face
    const text = ircText(m.text)
    const tags = timeTags(m.ts, m.id)
    if (m.private) {
      if (m.self) {
        // Another attached client (or this one, with echo-message) sees what was sent.
        const target = face.peerNick(m.to!)
        const from = face.author ? face.maskOf(face.author) : face.selfMask()
        for (const s of this.others()) s.send(from, 'PRIVMSG', [target, text], tags)
      } else {
        const from = face.peerMask(m.from, m.nick)
        for (const s of face.clients()) s.send(from, 'PRIVMSG', [s.nick, text], tags)
      }
      return
    }
    face.replay.add(m)
    const chan = `#${m.room}`
    const from = this.sourceOf(m)
    const line = ircLine(m)
    for (const s of m.self ? this.others() : face.clients()) if (s.channels.has(m.room)) s.send(from, 'PRIVMSG', [chan, line], tags)
  }

  /** Every registered client but the author of the running command, unless it asked for echo-message. */
  private others () {
    return this.face.clients().filter(s => s !== this.face.author || s.caps.has('echo-message'))
  }

  private onPresence (p: PresenceChange): void {
    if (p.peer === this.face.node.id) return
    const mask = p.via === undefined ? this.face.peerMask(p.peer, p.nick) : this.guestMask(p.nick, p.peer)
    const chan = `#${p.room}`
    const words = p.message === undefined ? [] : [ircText(p.message)]
    if (p.state === 'leave' && p.reason === 'quit') return this.onQuit(p.peer, mask, words[0] ?? 'quit')
    for (const s of this.face.clients()) {
      if (!s.channels.has(p.room)) continue
      if (p.state === 'join') s.send(mask, 'JOIN', [chan])
      else s.send(mask, 'PART', [chan, words[0] ?? (p.reason === 'part' ? 'left the room' : 'timed out')])
    }
  }

  /** A peer left the mesh: one QUIT for every client, however many rooms it announced it to. */
  private onQuit (peer: string, mask: string, message: string): void {
    const now = Date.now()
    for (const [k, at] of this.quits) if (now - at > IRC_QUIT_DEDUP_MS) this.quits.delete(k)
    if (this.quits.has(peer)) return
    this.quits.set(peer, now)
    for (const s of this.face.clients()) s.send(mask, 'QUIT', [`Quit: ${message}`])
  }

  /** A peer renamed: NICK from its old name at once (the nick map sends it, with any tag changes the rename causes). */
  private onPeerNick (n: NickChange): void {
    if (n.self) return
    if (n.via === undefined) return void this.face.peerNick(n.peer, n.nick)
    for (const s of this.face.clients()) s.send(this.guestMask(n.old, n.peer), 'NICK', [this.guestNick(n.nick, n.peer)])
  }

  private onSelfNick (nick: string): void {
    const old = this.selfNick
    if (old === nick) return
    this.selfNick = nick
    const mask = this.face.selfMask(old)
    for (const s of this.face.clients()) {
      s.send(mask, 'NICK', [nick])
      if (s.nick === old) s.nick = nick
    }
    this.face.sendRenames(this.face.nicks.localChanged(old, nick))
  }

  private onRooms (rooms: string[]): void {
    this.face.replay.keepOnly(rooms)
    const added = rooms.filter(r => !this.rooms.includes(r))
    this.rooms = [...rooms]
    for (const s of this.face.clients()) {
      for (const room of [...s.channels]) {
        if (rooms.includes(room)) continue
        s.channels.delete(room)
        s.send(this.face.maskOf(s), 'PART', [`#${room}`, ...(this.face.partMessage ? [this.face.partMessage] : [])])
      }
      // A room joined by one IRC client opens only in that client; one joined elsewhere (terminal, stdin) in all.
      const joiner = this.face.joiner
      for (const room of added) if (!s.channels.has(room) && (joiner === null || joiner === s)) this.face.joinBurst(s, room)
    }
  }

  private onReceipt (r: Receipt, what: string): void {
    const sent = this.pending.get(r.id)
    if (!sent) return
    this.pending.delete(r.id)
    const quote = sent.text.length > RECEIPT_QUOTE_CHARS ? `${sent.text.slice(0, RECEIPT_QUOTE_CHARS)}…` : sent.text
    const from = this.face.peerMask(r.peer)
    for (const s of this.face.clients()) s.send(from, 'NOTICE', [s.nick, `${what}: ${ircText(quote)}`], { 'meshchat/receipt': what === 'delivered' ? 'delivered' : 'undelivered', 'meshchat/msgid': r.id })
  }
}
