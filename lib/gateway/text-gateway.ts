// The plain-text line gateway (`--text-listen`): a TCP server without Noise
// for line clients (nc, telnet, the original client.py). Each line a client
// types is posted to the node's current room under the client's guest name;
// clients receive the room as `nick#tag: text` lines, never their own lines.
// A guest name is unique among the gateway's guests and never a nick a known
// mesh peer uses; a line too long for one message is posted as several.
// A slow client is dropped rather than allowed to hold the mesh back; a silent
// one is closed; all clients together post no faster than the shared budget.
// Lines read in one tick are signed together (guest-batcher.ts), and room
// lines reach each client as one write a tick (outbox.ts).
import net from 'net'
import { EventEmitter } from 'events'
import type { ChatNode, ChatMessage } from '../core/types'
import type { GuestLine } from '../protocol/guest-batch'
import { parseLine } from '../core/commands'
import { validateNick } from '../core/names'
import { sanitizeText } from '../core/sanitize'
import { nodeLabeler, plainLine, type Labeler } from '../core/labels'
import { MeshError, errorCode, errorMessage } from '../protocol/errors'
import { errnoText } from '../transport/errno'
import { splitText } from '../core/split-text'
import { formatAddress } from '../protocol/address'
import { TextClient, encodeLine, hangUp } from './text-client'
import { SharedBudget } from '../core/send-budget'
import { gatewayHelp, isGatewayCommand } from './gateway-commands'
import { GuestBatcher, type QueuedLine } from './guest-batcher'
import { Outbox } from './outbox'
import {
  DEFAULT_GATEWAY_BURST, DEFAULT_GATEWAY_LIMITS, DEFAULT_GATEWAY_RATE, type GatewayErrorCode, type GatewayLimits
} from './limits'

export interface TextGatewayOptions {
  node: ChatNode
  host: string
  port: number
  ratePerSecond?: number
  rateBurst?: number
  limits?: Partial<GatewayLimits>
  /** `nick#tag` for a key; default: the node's labels. */
  label?: Labeler
}

/** Events: 'join' and 'leave' ({ name, address, reason? }), 'nick' ({ name, old, address }). */
export interface GuestEvent { name: string; address: string; reason?: string; old?: string }

/** The remote IP of a socket, without the IPv4-mapped `::ffff:` prefix. */
function remoteIp (socket: net.Socket): string {
  return (socket.remoteAddress ?? '?').replace(/^::ffff:/, '')
}

export class TextGateway extends EventEmitter {
  readonly limits: GatewayLimits
  readonly ratePerSecond: number
  readonly rateBurst: number
  address = ''
  private readonly node: ChatNode
  private readonly server: net.Server
  private readonly clients = new Set<TextClient>()
  /** Clients connected from each remote IP. */
  private readonly perIp = new Map<string, number>()
  private readonly budget: SharedBudget
  private readonly label: Labeler
  private counter = 0
  /** True while this gateway's own guest lines are being posted: postBatch writes them out itself. */
  private posting = false
  private readonly batcher = new GuestBatcher<TextClient>(lines => this.postBatch(lines), () => this.outbox.flush())
  private readonly outbox = new Outbox<TextClient>(() => this.clients)
  private closed = false
  private readonly onMessage = (m: ChatMessage) => this.fanOut(m)

  constructor (private readonly opts: TextGatewayOptions) {
    super()
    this.node = opts.node
    this.limits = { ...DEFAULT_GATEWAY_LIMITS, ...opts.limits }
    this.ratePerSecond = opts.ratePerSecond ?? DEFAULT_GATEWAY_RATE
    this.rateBurst = opts.rateBurst ?? Math.max(DEFAULT_GATEWAY_BURST, this.ratePerSecond)
    // The node's own send budget, shared with its other front ends, unless a test gives the gateway one of its own.
    this.budget = this.limits.totalRate === undefined ? opts.node.sendBudget : new SharedBudget(this.limits.totalRate, this.limits.totalBurst ?? this.limits.totalRate)
    this.label = opts.label ?? nodeLabeler(opts.node)
    this.server = net.createServer({ allowHalfOpen: true }, socket => this.accept(socket))
  }

  get clientCount (): number { return this.clients.size }

  /** Binds the server; resolves with the `host:port` it listens on. Rejects with LISTEN_FAILED. */
  listen (): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        reject(new MeshError('LISTEN_FAILED', `cannot listen for text clients on ${formatAddress(this.opts.host, this.opts.port)}: ${errnoText(err)}`))
      }
      this.server.once('error', onError)
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError)
        this.server.on('error', () => {})
        const a = this.server.address() as net.AddressInfo
        this.address = formatAddress(a.address, a.port)
        this.node.on('message', this.onMessage)
        resolve(this.address)
      })
    })
  }

  /** Stops accepting, says goodbye to every client and closes them. */
  close (): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.flushOut()
    this.closed = true
    this.node.off('message', this.onMessage)
    if (this.budget !== this.node.sendBudget) this.budget.close()
    this.batcher.close()
    this.outbox.close()
    for (const c of [...this.clients]) c.close('*** the gateway is shutting down', 'gateway closed')
    return new Promise(resolve => {
      if (!this.server.listening) { resolve(); return }
      this.server.close(() => resolve())
    })
  }

  /** Says why on the connection, then closes it; never waits on it for long. */
  private refuse (socket: net.Socket, code: GatewayErrorCode, message: string): void {
    socket.on('error', () => {})
    socket.write(`*** error ${code}: ${message}\r\n`)
    hangUp(socket)
  }

  private accept (socket: net.Socket): void {
    if (this.closed || this.clients.size >= this.limits.maxClients) {
      return this.refuse(socket, 'GATEWAY_FULL', `this gateway serves at most ${this.limits.maxClients} clients; try again later`)
    }
    const ip = remoteIp(socket)
    const fromIp = this.perIp.get(ip) ?? 0
    if (fromIp >= this.limits.maxClientsPerIp) {
      return this.refuse(socket, 'GATEWAY_IP_FULL', `this gateway serves at most ${this.limits.maxClientsPerIp} clients from one address (${ip}); close one first`)
    }
    this.perIp.set(ip, fromIp + 1)
    const client = new TextClient({
      socket,
      name: this.freshName(),
      ratePerSecond: this.ratePerSecond,
      rateBurst: this.rateBurst,
      maxQueuedBytes: this.limits.maxQueuedBytes,
      maxLineBytes: this.limits.maxLineBytes,
      idleMs: this.limits.idleMs,
      budget: this.budget,
      onLine: (c, text) => this.onLine(c, text),
      onGone: (c, reason) => this.onGone(c, reason)
    })
    this.flushOut()
    this.clients.add(client)
    client.start()
    const me = this.label(this.node.id, this.node.nick)
    client.send(`*** Welcome to meshchat room #${this.node.room} via ${me}. You are ${client.name}: /nick NAME to change it, /quit to leave, /help for more.`)
    this.notice(client, `*** ${client.name} joined`)
    this.announce(client, () => this.node.guestPresence(client.name, 'join'))
    this.emit('join', { name: client.name, address: client.address } satisfies GuestEvent)
  }

  private freshName (): string {
    for (;;) {
      const name = `guest-${++this.counter}`
      if (!this.nameTaken(name) && !this.meshOwner(name)) return name
    }
  }

  private nameTaken (name: string, except?: TextClient): boolean {
    const n = name.toLowerCase()
    for (const c of this.clients) if (c !== except && c.name.toLowerCase() === n) return true
    return false
  }

  /** `nick#tag` of this node or a known mesh peer (linked, or a member of this node's room) using `name`, if any. */
  private meshOwner (name: string): string | null {
    const n = name.toLowerCase()
    const node = this.node
    if (node.nick.toLowerCase() === n) return this.label(node.id, node.nick)
    const known = [...node.peers(), ...node.who()]
    const owner = known.find(p => p.nick.toLowerCase() === n)
    return owner ? this.label(owner.peer, sanitizeText(owner.nick)) : null
  }

  private onLine (client: TextClient, line: string): void {
    const parsed = parseLine(line)
    switch (parsed.type) {
      case 'empty': return
      case 'error': return this.reply(client, errorCode(parsed.error), parsed.error.message)
      case 'text': return this.post(client, parsed.text)
    }
    if (isGatewayCommand(parsed.name)) {
      switch (parsed.name) {
        case 'help': for (const l of gatewayHelp()) client.send(l); return
        case 'quit': return client.close('*** bye', 'quit')
        case 'nick': return this.rename(client, parsed.args[0])
      }
    }
    this.reply(client, 'UNKNOWN_COMMAND', `/${parsed.name} is not available on the text gateway; try /help`)
  }

  /**
   * A guest line goes to the gateway's other clients at once (the node's
   * checks first, so a line the node would refuse is shown to nobody) and
   * waits for the next batch to be signed for the mesh; one too long for a
   * message goes as several, in order.
   */
  private post (client: TextClient, text: string): void {
    let lines: GuestLine[]
    try {
      lines = this.node.checkGuestLines(splitText(sanitizeText(text)).map(part => ({ guest: client.name, text: part })))
    } catch (err) {
      return this.reply(client, errorCode(err), errorMessage(err))
    }
    const node = this.node
    for (const l of lines) {
      this.outbox.queue(encodeLine(plainLine({ nick: l.guest, from: node.id, via: node.nick, text: l.text }, this.label)), client)
      this.batcher.add({ client, guest: l.guest, text: l.text })
    }
  }

  /**
   * Signs the waiting guest lines for the mesh, as few batches as fit. Their
   * clients have them already (post()): a guest trusts its own gateway, so
   * the signature, a line's largest cost, need not stand between a line and
   * the people on the same gateway; mesh nodes still get only signed lines.
   */
  private postBatch (lines: Array<QueuedLine<TextClient>>): void {
    // Lines shown before they are signed, and room lines queued before them, go out first.
    this.outbox.flush()
    this.posting = true
    try {
      this.node.sendGuestLines(lines.map(l => ({ guest: l.guest, text: l.text })))
    } catch (err) {
      // The node's checks passed in post(): not known to happen; the author hears of it.
      for (const c of new Set(lines.map(l => l.client))) this.reply(c, errorCode(err), errorMessage(err))
    } finally {
      this.posting = false
    }
  }

  /** Posts waiting guest lines and writes queued room lines: a notice or reply written next comes after them. */
  private flushOut (): void {
    this.batcher.flush()
    this.outbox.flush()
  }

  private rename (client: TextClient, wanted: string): void {
    let name: string
    try {
      name = validateNick(wanted)
    } catch (err) {
      return this.reply(client, errorCode(err), errorMessage(err))
    }
    if (this.nameTaken(name, client)) return this.reply(client, 'NICK_IN_USE', `another client of this gateway is called ${name}`)
    const owner = this.meshOwner(name)
    if (owner) return this.reply(client, 'NICK_IN_USE', `${name} is the nick of ${owner} on the mesh; pick another`)
    this.flushOut()
    const old = client.name
    client.name = name
    client.send(`*** you are now ${name}`)
    this.notice(client, `*** ${old} is now known as ${name}`)
    this.announce(client, () => this.node.guestPresence(name, 'nick', old))
    this.emit('nick', { name, old, address: client.address } satisfies GuestEvent)
  }

  /** Tells the mesh a guest came, was renamed or went (presence signed by this node); a refusal (GUEST_LIMIT) only reaches the guest. */
  private announce (client: TextClient, fn: () => void): void {
    try { fn() } catch (err) { this.reply(client, errorCode(err), errorMessage(err)) }
  }

  private reply (client: TextClient, code: string, message: string): void {
    if (!this.posting) this.outbox.flush()
    client.error(code as GatewayErrorCode, message)
  }

  /** A gateway notice to every client but one. */
  private notice (except: TextClient, line: string): void {
    this.flushOut()
    for (const c of [...this.clients]) if (c !== except) c.send(line)
  }

  private onGone (client: TextClient, reason: string): void {
    if (!this.clients.has(client)) return
    this.flushOut()
    this.clients.delete(client)
    const ip = client.address.slice(0, client.address.lastIndexOf(':'))
    const left = (this.perIp.get(ip) ?? 1) - 1
    if (left > 0) this.perIp.set(ip, left)
    else this.perIp.delete(ip)
    if (!this.closed) this.notice(client, `*** ${client.name} left (${reason})`)
    this.announce(client, () => this.node.guestPresence(client.name, 'leave', undefined, reason === 'quit' ? undefined : reason))
    this.emit('leave', { name: client.name, address: client.address, reason } satisfies GuestEvent)
  }

  /** A room line from the mesh (or this node's own user) for every client, in this tick's one write. */
  private fanOut (m: ChatMessage): void {
    if (m.room !== this.node.room || this.posting) return
    this.outbox.queue(encodeLine(plainLine(m, this.label)), null)
  }
}
