// A mesh node: the facade front ends talk to. It wires the link table
// (handshake, tie-break, liveness), the router (flooding), peer exchange,
// history sync, presence and private messages, and owns rooms and sending.
// No sockets, no terminal: transports hand it links.
import { EventEmitter } from 'events'
import type { Link, Dialer } from './link'
import type { LinkSession } from './link-session'
import { LinkTable, type PeerInfo } from './link-table'
import { Router } from './router'
import { PeerTable } from './peer-table'
import { Dialing } from './dialing'
import { PeerExchange } from './pex'
import { History, DEFAULT_HISTORY_SIZE } from './history'
import { HistorySync } from './sync'
import { Directory } from './directory'
import { Presence, PRESENCE_LINK_UP_DELAY_MS } from './presence'
import { PrivateMessages } from './private'
import { encodeGuestPayload, toChatMessage } from './chat-message'
import { validateNick, validateRoom } from './names'
import {
  DEFAULT_ROOM, DEFAULT_TTL, DEFAULT_MIN_LINKS, DEFAULT_MAX_LINKS, DEFAULT_RATE_PER_SECOND, DEFAULT_RATE_BURST,
  DEFAULT_SEEN_MAX_AGE_MS, DEFAULT_SEEN_MAX_SIZE, DEFAULT_TIMING, type NodeOptions, type Timing
} from './options'
import { FrameType, HelloFlag, decodeRooms, encodeRooms, type Hello } from '../protocol/frames'
import { MessageKind, decodeFlood, verifyFlood, type FloodMessage } from '../protocol/envelope'
import { MeshError } from '../protocol/errors'
import { PROTOCOL_VERSION, MAX_TEXT_BYTES } from '../protocol/limits'
import type { KeyPair } from '../protocol/crypto'

import type { ChatMessage, HistoryStore, SendOptions, Discovery, Fault } from './types'
export type { PeerInfo, ChatMessage, HistoryStore, SendOptions, Discovery, Fault }

export class MeshNode extends EventEmitter {
  readonly keyPair: KeyPair
  readonly id: string
  nick: string
  room: string
  readonly rooms: Set<string>
  listenAddress = ''
  readonly timing: Timing
  readonly pex: boolean
  readonly anchor: boolean
  readonly ttl: number
  readonly minLinks: number
  readonly maxLinks: number
  readonly links: LinkTable
  readonly router: Router
  readonly table: PeerTable
  readonly history: History
  readonly sync: HistorySync
  readonly directory: Directory
  readonly presence: Presence
  readonly privates: PrivateMessages
  historyStore: HistoryStore | null = null
  closed = false
  private readonly dialing: Dialing
  private readonly peerExchange: PeerExchange | null
  private readonly now: () => number
  private ticker: NodeJS.Timeout | null = null

  constructor (opts: NodeOptions) {
    super()
    this.keyPair = opts.keyPair
    this.id = opts.keyPair.publicKey.toString('hex')
    this.nick = validateNick(opts.nick)
    const rooms = (opts.rooms && opts.rooms.length ? opts.rooms : [DEFAULT_ROOM]).map(validateRoom)
    this.rooms = new Set(rooms)
    this.room = rooms[0]
    const now = this.now = opts.now ?? Date.now
    const timing = this.timing = { ...DEFAULT_TIMING, ...opts.timing }
    this.pex = opts.pex ?? true
    this.anchor = opts.anchor ?? false
    this.ttl = opts.ttl ?? DEFAULT_TTL
    this.minLinks = opts.minLinks ?? DEFAULT_MIN_LINKS
    this.maxLinks = opts.maxLinks ?? DEFAULT_MAX_LINKS
    const version = opts.protocolVersion ?? PROTOCOL_VERSION
    const seenMaxAgeMs = opts.seenMaxAgeMs ?? DEFAULT_SEEN_MAX_AGE_MS
    if (timing.messageLifetimeMs >= seenMaxAgeMs) throw new MeshError('BAD_OPTION', 'message lifetime must be shorter than the seen cache age')
    this.router = new Router({ maxTtl: this.ttl, seenMaxSize: opts.seenMaxSize ?? DEFAULT_SEEN_MAX_SIZE, seenMaxAgeMs, now })
    this.table = new PeerTable(now, timing.redialMinMs)
    this.links = new LinkTable({
      selfKey: this.keyPair.publicKey,
      version,
      rate: opts.ratePerSecond ?? DEFAULT_RATE_PER_SECOND,
      burst: opts.rateBurst ?? DEFAULT_RATE_BURST,
      maxLinks: this.maxLinks,
      timing,
      now,
      hello: () => this.hello(version),
      onSelfAddress: a => this.table.markSelf(a),
      onEstablished: (s, first) => this.onEstablished(s, first),
      onFrame: (s, type, frame) => this.onFrame(s, type, frame),
      onPeerDown: (peer, nick, reason) => { this.emit('peer-down', { peer, nick, reason }); this.dialing.lost(peer) },
      fault: (code, message, peer) => this.fault(code, message, peer)
    })
    this.dialing = new Dialing({
      addLink: (link, address) => this.links.add(link, address),
      established: key => this.links.established(key),
      isUp: key => this.links.isUp(key),
      isSelf: a => this.table.isSelf(a),
      fault: (code, message) => this.fault(code, message),
      redialMinMs: timing.redialMinMs,
      redialMaxMs: timing.redialMaxMs,
      random: opts.random ?? Math.random
    })
    this.dialing.dialer = opts.dialer ?? null
    this.peerExchange = !this.pex ? null : new PeerExchange({
      id: this.id,
      table: this.table,
      sessions: () => this.links.sessions,
      linkedKeys: () => this.links.peersByKey,
      dialing: () => this.dialing.pending,
      dial: a => this.dialing.dial(a),
      canDial: () => !!this.dialing.dialer,
      minLinks: this.minLinks,
      maxLinks: this.maxLinks,
      intervalMs: timing.pexIntervalMs,
      now
    })
    this.history = new History(opts.historySize ?? DEFAULT_HISTORY_SIZE)
    this.sync = new HistorySync({
      history: this.history,
      seen: this.router.seen,
      rooms: () => this.rooms,
      sessions: () => this.links.sessions,
      deliver: ms => { for (const m of ms) this.deliver(m, m.author.equals(this.keyPair.publicKey), true) },
      penalise: (s, err) => this.links.penalise(s, err)
    })
    this.directory = new Directory(this.id, now, opts.nickBook ?? null, w => this.emit('warning', w))
    opts.nickBook?.remember(this.nick, this.id)
    this.presence = new Presence({
      selfKey: this.id,
      nick: () => this.nick,
      listen: () => this.listenAddress,
      rooms: () => this.rooms,
      originate: (kind, room, payload) => { this.originate(kind, room, payload) },
      onChange: c => this.emit('presence', c),
      onSighting: (key, nick, room, listen, hops) => this.directory.see(key, nick, { room, hops, address: listen || undefined }),
      now,
      intervalMs: timing.presenceIntervalMs,
      timeoutMs: timing.presenceTimeoutMs
    })
    this.privates = new PrivateMessages({
      keyPair: this.keyPair,
      nick: () => this.nick,
      originate: (kind, room, payload) => this.originate(kind, room, payload),
      message: m => this.emit('message', m),
      delivered: (id, peer) => this.emit('delivered', { id, peer }),
      undelivered: (id, peer) => this.emit('undelivered', { id, peer }),
      ackTimeoutMs: timing.privateAckTimeoutMs
    })
  }

  // ---- life cycle ----------------------------------------------------------

  setDialer (dialer: Dialer): void { this.dialing.dialer = dialer }
  setListenAddress (address: string): void { this.listenAddress = address }

  start (): void {
    if (this.ticker) return
    this.ticker = setInterval(() => this.tick(), this.timing.tickMs)
    this.ticker.unref?.()
    this.dialing.start()
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ticker) clearInterval(this.ticker)
    this.dialing.stop()
    this.presence.close()
    this.privates.close()
    this.links.close()
  }

  private tick (): void {
    if (this.closed) return
    this.links.tick()
    this.presence.tick()
    this.peerExchange?.tick()
  }

  /** Loads stored messages (signed frames) into history without events. Returns [loaded, rejected]. */
  loadHistory (frames: Buffer[]): [number, number] {
    let loaded = 0
    let rejected = 0
    for (const f of frames) {
      try {
        const m = decodeFlood(f)
        if (!verifyFlood(m)) { rejected++; continue }
        if (this.history.add(m)) { this.router.seen.add(m.id.toString('hex')); loaded++ }
      } catch { rejected++ }
    }
    return [loaded, rejected]
  }

  // ---- links ---------------------------------------------------------------

  /** Takes an authenticated link from a transport. Returns its session, or null if refused. */
  addLink (link: Link, dialedAddress: string | null = null): LinkSession | null {
    return this.links.add(link, dialedAddress)
  }

  /** Dials an address once and resolves when the peer's HELLO arrived. */
  dial (address: string): Promise<LinkSession> { return this.dialing.dial(address) }

  /** Adds a `--peer` address, dialled now and redialled for as long as the node runs. */
  addPeer (address: string): void { this.dialing.addTarget(address) }

  isUp (key: string): boolean { return this.links.isUp(key) }
  peers (): PeerInfo[] { return this.links.peers() }
  get linkCount (): number { return this.links.size }

  private hello (version: number): Hello {
    const flags = (this.pex ? HelloFlag.SHAREABLE : 0) | (this.anchor ? HelloFlag.ANCHOR : 0)
    return { version, nick: this.nick, listen: this.listenAddress, rooms: [...this.rooms], flags }
  }

  private onEstablished (s: LinkSession, first: boolean): void {
    if (s.dialedAddress) this.table.succeeded(s.dialedAddress)
    this.directory.see(s.key, s.nick, { address: s.displayAddress, hops: 1 })
    if (first) {
      this.emit('peer-up', this.links.info(s))
      this.presence.announceSoon(PRESENCE_LINK_UP_DELAY_MS)
    }
    this.peerExchange?.onEstablished(s)
    this.sync.onEstablished(s)
  }

  private onFrame (s: LinkSession, type: number, frame: Buffer): void {
    switch (type) {
      case FrameType.FLOOD: return this.onFlood(s, frame)
      case FrameType.PEX: return this.peerExchange?.onFrame(frame)
      case FrameType.SYNC_OFFER: return this.sync.onOffer(s, frame)
      case FrameType.SYNC_DATA: return this.sync.onData(s, frame)
      case FrameType.ROOMS: s.hello!.rooms = decodeRooms(frame); return
      default: return this.links.penalise(s, new MeshError('UNKNOWN_FRAME', `unknown frame type ${type}`))
    }
  }

  private onFlood (s: LinkSession, frame: Buffer): void {
    const v = this.router.receive(frame)
    if (v.kind === 'invalid') {
      if (v.close) throw v.error
      return this.links.penalise(s, v.error)
    }
    if (v.kind !== 'accepted' && v.kind !== 'shorter') return
    const m = v.message
    const out = this.router.forwardFrame(m)
    if (out) this.links.broadcast(out, s)
    if (v.kind === 'accepted') this.dispatch(m)
  }

  /** Hands an accepted message to whatever handles its kind. */
  private dispatch (m: FloodMessage): void {
    switch (m.kind) {
      case MessageKind.CHAT:
        this.directory.see(m.author.toString('hex'), m.nick, { room: m.room, hops: m.hops })
        this.presence.onChat(m.room, m.author.toString('hex'), m.nick)
        return this.deliver(m, false)
      case MessageKind.GUEST_CHAT: return this.deliver(m, false)
      case MessageKind.PRESENCE: return this.presence.onPresence(m)
      case MessageKind.PRIVATE:
      case MessageKind.ACK:
        return this.privates.onMessage(m)
    }
  }

  private deliver (m: FloodMessage, self: boolean, fromHistory = false): void {
    if (!this.rooms.has(m.room)) return
    if (!fromHistory) this.history.add(m)
    this.historyStore?.append(m)
    const msg = toChatMessage(m, self)
    if (fromHistory) msg.history = true
    this.emit('message', msg)
  }

  /** Lets a transport report a problem the user should see (e.g. DHT_UNREACHABLE). */
  reportFault (code: string, message: string): void { this.fault(code, message) }

  /** Lets a discovery transport report its state for a topic. */
  reportDiscovery (d: Discovery): void { this.emit('discovery', d) }

  private fault (code: string, message: string, peer?: string): void {
    const f: Fault = { code, message }
    if (peer) f.peer = peer
    this.emit('fault', f)
  }

  // ---- sending -------------------------------------------------------------

  /** Signs and floods a message of any kind; it is never delivered back to this node. */
  originate (kind: number, room: string, payload: Buffer, nick: string = this.nick): FloodMessage {
    if (this.closed) throw new MeshError('NODE_CLOSED', 'node is closed')
    const ts = this.now()
    const m = this.router.originate({
      kind, author: this.keyPair.publicKey, room, nick, ts, expires: ts + this.timing.messageLifetimeMs, ttl: this.ttl, payload
    }, this.keyPair)
    this.links.broadcast(m.frame, null)
    return m
  }

  /** Signs and floods a chat message; its own `message` event is emitted before this returns. Throws TEXT_TOO_LONG, TEXT_EMPTY, NOT_IN_ROOM; nothing is sent then. */
  send (text: string, opts: SendOptions = {}): ChatMessage {
    const payload = checkText(text)
    const room = this.switchRoomCheck(opts.room ?? this.room)
    const guest = opts.guest !== undefined
    const m = this.originate(guest ? MessageKind.GUEST_CHAT : MessageKind.CHAT, room,
      guest ? encodeGuestPayload(this.nick, payload) : payload, guest ? validateNick(opts.guest!) : this.nick)
    this.history.add(m)
    this.historyStore?.append(m)
    const msg = toChatMessage(m, true)
    this.emit('message', msg)
    return msg
  }

  /** Sends a private message to a target (nick, nick#tag or key prefix; see Directory.resolve). */
  sendPrivate (target: string, text: string): ChatMessage {
    checkText(text)
    return this.privates.send(this.directory.resolve(target), text)
  }

  setNick (nick: string): void {
    this.nick = validateNick(nick)
    this.emit('nick', this.nick)
  }

  // ---- rooms ---------------------------------------------------------------

  join (room: string): string {
    const r = validateRoom(room)
    if (!this.rooms.has(r)) {
      this.rooms.add(r)
      this.roomsChanged()
      this.presence.onJoin(r)
      this.sync.onJoin(r)
    }
    this.room = r
    return r
  }

  leave (room: string): string {
    const r = this.switchRoomCheck(room)
    if (this.rooms.size === 1) throw new MeshError('LAST_ROOM', `'${r}' is your only room; /join another first`)
    this.presence.onLeave(r)
    this.rooms.delete(r)
    if (this.room === r) this.room = [...this.rooms][0]
    this.roomsChanged()
    return r
  }

  switchRoom (room: string): string {
    this.room = this.switchRoomCheck(room)
    return this.room
  }

  /** Validates a room name this node is in; throws NOT_IN_ROOM otherwise. */
  switchRoomCheck (room: string): string {
    const r = validateRoom(room)
    if (!this.rooms.has(r)) throw new MeshError('NOT_IN_ROOM', `you are not in room '${r}'; /join ${r} first`)
    return r
  }

  private roomsChanged (): void {
    const frame = encodeRooms([...this.rooms])
    for (const s of this.links.sessions) if (s.established) s.send(frame)
    this.emit('rooms', [...this.rooms])
  }
}

function checkText (text: string): Buffer {
  const payload = Buffer.from(text, 'utf8')
  if (payload.byteLength > MAX_TEXT_BYTES) throw MeshError.textTooLong(payload.byteLength, MAX_TEXT_BYTES)
  if (text.trim().length === 0) throw new MeshError('TEXT_EMPTY', 'message is empty; nothing was sent')
  return payload
}
