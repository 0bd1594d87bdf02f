// The IRC face (`--irc-listen`): TCP listeners that speak the IRC client
// protocol to this node's own user, the way bitlbee or ZNC do, with the mesh
// behind. Attached clients see the same channels (the node's rooms) and each
// other's lines. Each has its own nick, unique among them: the client holding
// the node's mesh nick is the owner (its lines are the node's own); others
// post as guests of the node (`judy2@judy#3fa2` on the mesh). This file owns
// the listeners, the clients and what handlers share (masks, nicks, bursts).
import net from 'net'
import type { ChatNode } from '../core/types'
import { MeshError, errorMessage } from '../protocol/errors'
import { formatAddress, type HostPort } from '../protocol/address'
import { IrcSession } from './session'
import { checkPasswordRule } from './password'
import { NickMap, foldNick, type Rename } from './nicks'
import { Replay } from './replay'
import { IrcEvents, ircLine } from './events'
import { handleRegistration } from './registration'
import { handleChat } from './commands-chat'
import { handleQuery } from './commands-query'
import { ircText, type Tags, type IrcLine } from './wire'
import { ERR, RPL } from './numerics'
import { SharedBudget } from '../core/send-budget'
import { DEFAULT_IRC_SERVER_NAME, IRC_MESH_HOST, MAX_IRC_CLIENTS } from './limits'

export interface IrcFaceOptions {
  node: ChatNode
  listen: HostPort[]
  /** PASS every client must give; required when any listen address is not loopback. */
  password?: string | null
  serverName?: string
  /** Test hooks: shorter keep-alive and registration timers. */
  pingIntervalMs?: number
  pingTimeoutMs?: number
  registrationTimeoutMs?: number
  /** Tests: a budget of the face's own, lines a second and burst, instead of the node's send budget (shared with its other front ends). */
  totalRate?: number
  totalBurst?: number
}

export class IrcFace {
  readonly node: ChatNode
  readonly serverName: string
  readonly password: string | null
  readonly created = new Date()
  readonly nicks: NickMap
  readonly replay = new Replay()
  readonly events: IrcEvents
  addresses: string[] = []
  /** The client whose command runs now: its own line is echoed only with echo-message. */
  author: IrcSession | null = null
  /** The client whose JOIN makes the node join a room: only it is shown in the new channel. */
  joiner: IrcSession | null = null
  /** The PART message of the leave in progress, for the PART lines it causes. */
  partMessage: string | undefined
  private readonly servers: net.Server[] = []
  private readonly sessions = new Set<IrcSession>()
  private readonly budget: SharedBudget
  private closed = false

  constructor (private readonly opts: IrcFaceOptions) {
    checkPasswordRule(opts.listen, opts.password)
    this.node = opts.node
    this.serverName = opts.serverName ?? DEFAULT_IRC_SERVER_NAME
    this.password = opts.password ?? null
    this.nicks = new NickMap(key => opts.node.tag(key), folded => this.isLocalNick(folded))
    this.events = new IrcEvents(this)
    this.budget = opts.totalRate === undefined ? opts.node.sendBudget : new SharedBudget(opts.totalRate, opts.totalBurst ?? opts.totalRate)
  }

  /** Binds every address; resolves with the `host:port` of each. Rejects with LISTEN_FAILED. */
  async listen (): Promise<string[]> {
    for (const a of this.opts.listen) this.addresses.push(await this.bind(a))
    this.events.start()
    return this.addresses
  }

  private bind (a: HostPort): Promise<string> {
    const server = net.createServer(socket => this.accept(socket))
    this.servers.push(server)
    return new Promise((resolve, reject) => {
      server.once('error', err => reject(new MeshError('LISTEN_FAILED', `cannot listen for IRC clients on ${formatAddress(a.host, a.port)}: ${errorMessage(err)}`)))
      server.listen(a.port, a.host, () => {
        server.removeAllListeners('error')
        server.on('error', () => {})
        const addr = server.address() as net.AddressInfo
        resolve(formatAddress(addr.address, addr.port))
      })
    })
  }

  /** Says goodbye to every client (the node is shutting down) and stops listening. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.events.stop()
    if (this.budget !== this.node.sendBudget) this.budget.close()
    for (const s of [...this.sessions]) s.close('Closing Link: the meshchat node is shutting down', 'node closing')
    await Promise.all(this.servers.map(srv => new Promise<void>(resolve => srv.listening ? srv.close(() => resolve()) : resolve())))
  }

  get clientCount (): number { return this.sessions.size }

  /** Registered clients. */
  clients (): IrcSession[] { return [...this.sessions].filter(s => s.registered && !s.closed) }

  private accept (socket: net.Socket): void {
    const s = new IrcSession(socket, {
      serverName: this.serverName,
      onLine: (c, line) => this.dispatch(c, line),
      onGone: (c, reason) => this.onGone(c, reason),
      budget: this.budget,
      pingIntervalMs: this.opts.pingIntervalMs,
      pingTimeoutMs: this.opts.pingTimeoutMs,
      registrationTimeoutMs: this.opts.registrationTimeoutMs
    })
    this.sessions.add(s)
    s.start()
    if (this.closed || this.sessions.size > MAX_IRC_CLIENTS) s.close(`Closing Link: this node serves at most ${MAX_IRC_CLIENTS} IRC clients`, 'full')
  }

  private dispatch (s: IrcSession, line: IrcLine): void {
    try {
      if (handleRegistration(this, s, line)) return
      if (!s.registered) return s.numeric(ERR.NOTREGISTERED, 'You have not registered')
      if (handleChat(this, s, line) || handleQuery(this, s, line)) return
      s.numeric(ERR.UNKNOWNCOMMAND, line.command, 'Unknown command')
    } catch (err) {
      // A bug in a handler must not take the node down: say so to that client.
      s.send(this.serverName, 'FAIL', [line.command, 'FRONTEND_ERROR', errorMessage(err)])
    } finally {
      this.author = null
    }
  }

  private onGone (s: IrcSession, reason: string): void {
    if (!this.sessions.delete(s) || !s.registered || this.isOwner(s)) return
    for (const c of this.clients()) c.send(this.maskOf(s), 'QUIT', [reason])
    this.sendRenames(this.nicks.localChanged(s.nick))
  }

  // ---- local clients -------------------------------------------------------

  /** Whether a client holds the node's mesh nick: its lines are signed as the node's own. */
  isOwner (s: IrcSession): boolean { return foldNick(s.nick) === foldNick(this.node.nick) }

  /** The registered client holding a nick, other than `except`. */
  localSession (nick: string, except?: IrcSession): IrcSession | undefined {
    const n = foldNick(nick)
    return this.clients().find(c => c !== except && foldNick(c.nick) === n)
  }

  private isLocalNick (folded: string): boolean {
    return folded === foldNick(this.node.nick) || this.clients().some(c => foldNick(c.nick) === folded)
  }

  /** A local client as an IRC source. */
  maskOf (s: IrcSession): string { return this.selfMask(s.nick) }

  /** Who an IRC nick names: a local client, this node (its mesh nick) or a mesh peer's key. */
  resolve (nick: string): { local?: IrcSession; key: string } | undefined {
    const local = this.localSession(nick)
    if (local) return { local, key: this.node.id }
    if (foldNick(nick) === foldNick(this.node.nick)) return { key: this.node.id }
    const key = this.nicks.keyOf(nick)
    return key === undefined ? undefined : { key }
  }

  /** A nick another client or a mesh peer is shown with (433). */
  nickTaken (nick: string, s: IrcSession): boolean {
    return this.localSession(nick, s) !== undefined || this.nicks.keyOf(nick) !== undefined
  }

  /** Local clients of a room that are not the owner (the node itself is listed by who()). */
  guestsIn (room: string): IrcSession[] { return this.clients().filter(c => c.channels.has(room) && !this.isOwner(c)) }

  // ---- people --------------------------------------------------------------

  /** This node's user as an IRC source. */
  selfMask (nick = this.node.nick): string { return `${nick}!${this.node.tag(this.node.id)}@${IRC_MESH_HOST}` }

  /** A mesh key's IRC nick, learning its mesh nick (renames caused by it are sent to every client). */
  peerNick (key: string, meshNick?: string): string {
    if (key === this.node.id) return this.node.nick
    if (meshNick !== undefined) this.sendRenames(this.nicks.see(key, ircText(meshNick)))
    let nick = this.nicks.nickOf(key)
    if (nick === undefined) {
      const label = this.node.label(key)
      this.sendRenames(this.nicks.see(key, ircText(label.slice(0, label.lastIndexOf('#')))))
      nick = this.nicks.nickOf(key)!
    }
    return nick
  }

  peerMask (key: string, meshNick?: string): string {
    if (key === this.node.id) return this.selfMask()
    return `${this.peerNick(key, meshNick)}!${this.node.tag(key)}@${IRC_MESH_HOST}`
  }

  sendRenames (renames: Rename[]): void {
    for (const r of renames) {
      const mask = `${r.old}!${this.node.tag(r.key)}@${IRC_MESH_HOST}`
      for (const s of this.clients()) s.send(mask, 'NICK', [r.nick])
    }
  }

  /** Names of a room's members as NAMES shows them (nick!user@host with userhost-in-names). */
  memberNames (s: IrcSession, room: string): string[] {
    const long = s.caps.has('userhost-in-names')
    const mesh = this.node.who(room).map(m => long ? this.peerMask(m.peer, m.self ? undefined : m.nick) : this.peerNick(m.peer, m.self ? undefined : m.nick))
    return [...mesh, ...this.guestsIn(room).map(c => long ? this.maskOf(c) : c.nick)]
  }

  /** 353 lines (as many as fit) and 366 for one room. */
  sendNames (s: IrcSession, room: string): void {
    const chan = `#${room}`
    if (this.node.rooms.includes(room)) {
      let batch: string[] = []
      const flush = () => { if (batch.length) s.numeric(RPL.NAMREPLY, '=', chan, batch.join(' ')); batch = [] }
      for (const n of this.memberNames(s, room)) {
        if (batch.join(' ').length + n.length > 400) flush()
        batch.push(n)
      }
      flush()
    }
    s.numeric(RPL.ENDOFNAMES, chan, 'End of /NAMES list')
  }

  /** Shows a client as joined to a room: JOIN, NAMES, then the room's recent messages. */
  joinBurst (s: IrcSession, room: string): void {
    s.channels.add(room)
    s.send(this.maskOf(s), 'JOIN', [`#${room}`])
    if (!this.isOwner(s)) for (const c of this.clients()) if (c !== s && c.channels.has(room)) c.send(this.maskOf(s), 'JOIN', [`#${room}`])
    this.sendNames(s, room)
    for (const m of this.replay.recent(room)) s.send(this.events.sourceOf(m), 'PRIVMSG', [`#${room}`, ircLine(m)], timeTags(m.ts, m.id))
  }
}

/** server-time (and msgid with message-tags) for a message sent at `ts`. */
export function timeTags (ts: number, id?: string): Tags {
  const tags: Tags = { time: new Date(ts).toISOString() }
  if (id) tags.msgid = id
  return tags
}
