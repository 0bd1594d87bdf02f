// A mesh node: owns its links, runs the HELLO handshake and the duplicate-link
// tie-break, floods messages through the router, exchanges peer addresses and
// keeps links alive. No sockets, no terminal: transports hand it links.
import { EventEmitter } from 'events'
import type { Link, Dialer, Via } from './link'
import { LinkSession } from './link-session'
import { Router } from './router'
import { PeerTable } from './peer-table'
import { DialTarget } from './dial-target'
import { Backoff } from './backoff'
import {
  DEFAULT_ROOM, DEFAULT_TTL, DEFAULT_MIN_LINKS, DEFAULT_MAX_LINKS, DEFAULT_RATE_PER_SECOND, DEFAULT_RATE_BURST,
  DEFAULT_SEEN_MAX_AGE_MS, DEFAULT_SEEN_MAX_SIZE, DEFAULT_TIMING, MAX_LINK_BUFFERED_BYTES, MAX_LINK_PENALTIES,
  RATE_LIMIT_GRACE_MS, type NodeOptions, type Timing
} from './options'
import { FrameType, HelloFlag, PING_FRAME, decodeHello, decodeHelloVersion, decodeRooms, encodeHello, encodeRooms, frameType } from '../protocol/frames'
import { MessageKind, type FloodMessage } from '../protocol/envelope'
import { encodeGuestPayload, toChatMessage } from './chat-message'
import { History, DEFAULT_HISTORY_SIZE } from './history'
import { HistorySync } from './sync'
import { PeerExchange } from './pex'
import { Directory } from './directory'
import { Presence } from './presence'
import { PrivateMessages } from './private'
import { decodeFlood, verifyFlood } from '../protocol/envelope'
import { MeshError, errorMessage } from '../protocol/errors'
import { PROTOCOL_VERSION, MAX_TEXT_BYTES } from '../protocol/limits'
import { validateNick, validateRoom } from './names'
import type { KeyPair } from '../protocol/crypto'

export interface PeerInfo { peer: string; nick: string; address: string; via: Via }
export interface ChatMessage {
  id: string; room: string; from: string; nick: string; text: string; ts: number; hops: number; self: boolean
  /** Set when a gateway posted this line for an unsigned guest: the gateway node's own nick. */
  via?: string
  /** Set when the message came through history sync rather than live. */
  history?: true
  /** One-to-one message; `to` is the recipient's key. */
  private?: true
  to?: string
}
/** Where a node with --history keeps its messages (implemented in lib/store). */
export interface HistoryStore { append (m: FloodMessage): void }
export interface SendOptions { room?: string; guest?: string }
export interface Discovery { topic: string; state: 'joining' | 'joined' | 'error'; peers: number }
export interface Fault { code: string; message: string; peer?: string }

interface PeerRecord { sessions: Set<LinkSession>; announced: boolean }

export class MeshNode extends EventEmitter {
  readonly keyPair: KeyPair
  readonly id: string
  nick: string
  room: string
  readonly rooms: Set<string>
  listenAddress = ''
  readonly router: Router
  readonly table: PeerTable
  readonly timing: Timing
  readonly history: History
  readonly sync: HistorySync
  readonly directory: Directory
  readonly presence: Presence
  readonly privates: PrivateMessages
  historyStore: HistoryStore | null = null
  readonly pex: boolean
  readonly anchor: boolean
  readonly ttl: number
  readonly minLinks: number
  readonly maxLinks: number
  closed = false
  private readonly sessions = new Set<LinkSession>()
  private readonly peersByKey = new Map<string, PeerRecord>()
  private readonly targets = new Map<string, DialTarget>()
  private readonly dialing = new Map<string, Promise<LinkSession>>()
  private readonly now: () => number
  private readonly random: () => number
  private readonly rate: number
  private readonly burst: number
  private readonly version: number
  private dialer: Dialer | null
  private ticker: NodeJS.Timeout | null = null
  private readonly peerExchange: PeerExchange | null

  constructor (opts: NodeOptions) {
    super()
    this.keyPair = opts.keyPair
    this.id = opts.keyPair.publicKey.toString('hex')
    this.nick = validateNick(opts.nick)
    const rooms = (opts.rooms && opts.rooms.length ? opts.rooms : [DEFAULT_ROOM]).map(validateRoom)
    this.rooms = new Set(rooms)
    this.room = rooms[0]
    this.now = opts.now ?? Date.now
    this.random = opts.random ?? Math.random
    this.timing = { ...DEFAULT_TIMING, ...opts.timing }
    this.pex = opts.pex ?? true
    this.anchor = opts.anchor ?? false
    this.ttl = opts.ttl ?? DEFAULT_TTL
    this.minLinks = opts.minLinks ?? DEFAULT_MIN_LINKS
    this.maxLinks = opts.maxLinks ?? DEFAULT_MAX_LINKS
    this.rate = opts.ratePerSecond ?? DEFAULT_RATE_PER_SECOND
    this.burst = opts.rateBurst ?? DEFAULT_RATE_BURST
    this.version = opts.protocolVersion ?? PROTOCOL_VERSION
    this.dialer = opts.dialer ?? null
    const seenMaxAgeMs = opts.seenMaxAgeMs ?? DEFAULT_SEEN_MAX_AGE_MS
    if (this.timing.messageLifetimeMs >= seenMaxAgeMs) throw new MeshError('BAD_OPTION', 'message lifetime must be shorter than the seen cache age')
    this.router = new Router({ maxTtl: this.ttl, seenMaxSize: opts.seenMaxSize ?? DEFAULT_SEEN_MAX_SIZE, seenMaxAgeMs, now: this.now })
    this.table = new PeerTable(this.now, this.timing.redialMinMs)
    this.peerExchange = !this.pex ? null : new PeerExchange({
      id: this.id,
      table: this.table,
      sessions: () => this.sessions,
      linkedKeys: () => this.peersByKey,
      dialing: () => this.dialing,
      dial: (a) => this.dial(a),
      canDial: () => !!this.dialer,
      minLinks: this.minLinks,
      maxLinks: this.maxLinks,
      intervalMs: this.timing.pexIntervalMs,
      now: this.now
    })
    this.history = new History(opts.historySize ?? DEFAULT_HISTORY_SIZE)
    this.sync = new HistorySync({
      history: this.history,
      seen: this.router.seen,
      rooms: () => this.rooms,
      sessions: () => this.sessions,
      deliver: (ms) => { for (const m of ms) this.deliver(m, m.author.equals(this.keyPair.publicKey), true) },
      penalise: (s, err) => this.penalise(s, err)
    })
    this.directory = new Directory(this.id, this.now, opts.nickBook ?? null, w => this.emit('warning', w))
    opts.nickBook?.remember(this.nick, this.id)
    this.presence = new Presence({
      selfKey: this.id,
      nick: () => this.nick,
      listen: () => this.listenAddress,
      rooms: () => this.rooms,
      originate: (kind, room, payload) => { this.originate(kind, room, payload) },
      onChange: c => this.emit('presence', c),
      onSighting: (key, nick, room, listen, hops) => this.directory.see(key, nick, { room, hops, address: listen || undefined }),
      now: this.now,
      intervalMs: this.timing.presenceIntervalMs,
      timeoutMs: this.timing.presenceTimeoutMs
    })
    this.privates = new PrivateMessages({
      keyPair: this.keyPair,
      nick: () => this.nick,
      originate: (kind, room, payload) => this.originate(kind, room, payload),
      message: m => this.emit('message', m),
      delivered: (id, peer) => this.emit('delivered', { id, peer }),
      undelivered: (id, peer) => this.emit('undelivered', { id, peer }),
      ackTimeoutMs: this.timing.privateAckTimeoutMs
    })
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

  setDialer (dialer: Dialer): void { this.dialer = dialer }
  setListenAddress (address: string): void { this.listenAddress = address }

  start (): void {
    if (this.ticker) return
    this.ticker = setInterval(() => this.tick(), this.timing.tickMs)
    this.ticker.unref?.()
    for (const t of this.targets.values()) t.start()
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ticker) clearInterval(this.ticker)
    for (const t of this.targets.values()) t.stop()
    this.presence.close()
    this.privates.close()
    for (const s of [...this.sessions]) s.link.destroy(new MeshError('NODE_CLOSED', 'node is shutting down'))
  }

  // ---- links -------------------------------------------------------------

  /** Takes an authenticated link from a transport. Returns its session, or null if refused. */
  addLink (link: Link, dialedAddress: string | null = null): LinkSession | null {
    if (this.closed) { link.destroy(new MeshError('NODE_CLOSED', 'node is shutting down')); return null }
    const s = new LinkSession(link, dialedAddress, this.rate, this.burst, this.now)
    if (s.key === this.id) {
      if (dialedAddress) this.table.markSelf(dialedAddress)
      link.destroy(new MeshError('SELF_LINK', 'refusing a link to this node itself'))
      return null
    }
    const rec = this.peersByKey.get(s.key)
    if (!rec && this.sessions.size >= this.maxLinks) {
      this.fault('TOO_MANY_LINKS', `refused a link from ${link.remoteAddress}: already at --max-links ${this.maxLinks}`)
      link.destroy(new MeshError('TOO_MANY_LINKS', `peer is at its limit of ${this.maxLinks} links`))
      return null
    }
    if (rec) {
      for (const other of [...rec.sessions]) {
        if (this.preferNew(s, other)) {
          other.link.destroy(new MeshError('DUPLICATE_LINK', 'replaced by another link to the same peer'))
        } else {
          link.destroy(new MeshError('DUPLICATE_LINK', 'already linked to this peer'))
          return null
        }
      }
    }
    this.sessions.add(s)
    const r = rec ?? { sessions: new Set<LinkSession>(), announced: false }
    r.sessions.add(s)
    this.peersByKey.set(s.key, r)
    link.on('frame', (frame: Buffer) => this.onFrame(s, frame))
    link.once('close', (err?: Error) => this.onClose(s, err))
    if (link.closed) { this.onClose(s, undefined); return null }
    s.send(encodeHello({ version: this.version, nick: this.nick, listen: this.listenAddress, rooms: [...this.rooms], flags: (this.pex ? HelloFlag.SHAREABLE : 0) | (this.anchor ? HelloFlag.ANCHOR : 0) }))
    return s
  }

  /** Duplicate tie-break, the same on both ends: opposite directions keep the link dialled by the lower key; same direction keeps the newer. */
  private preferNew (fresh: LinkSession, old: LinkSession): boolean {
    if (fresh.link.initiator === old.link.initiator) return true
    const iAmLower = Buffer.compare(this.keyPair.publicKey, fresh.link.remotePublicKey) < 0
    return fresh.link.initiator === iAmLower
  }

  private onClose (s: LinkSession, err?: Error): void {
    if (!this.sessions.delete(s)) return
    s.closed(err ?? new MeshError('CONNECT_FAILED', 'link closed'))
    const rec = this.peersByKey.get(s.key)
    if (!rec) return
    rec.sessions.delete(s)
    if (rec.sessions.size > 0) return
    this.peersByKey.delete(s.key)
    if (rec.announced) {
      this.emit('peer-down', { peer: s.key, nick: s.nick, reason: err ? errorMessage(err) : 'closed by peer' })
      for (const t of this.targets.values()) if (t.key === s.key) t.lost()
    }
  }

  private onFrame (s: LinkSession, frame: Buffer): void {
    if (this.closed || s.link.closed) return
    const admitted = s.admit(RATE_LIMIT_GRACE_MS)
    if (admitted !== 'ok') {
      if (s.dropped === 1) this.fault('RATE_LIMITED', `peer ${s.key.slice(0, 8)} is over the rate limit of ${this.rate} frames/s; dropping its excess frames`, s.key)
      if (admitted === 'close') this.closeLink(s, new MeshError('RATE_LIMITED', `stayed over the rate limit of ${this.rate} frames/s`))
      return
    }
    let type: number
    try {
      type = frameType(frame)
      if (!s.established) return this.onHello(s, type, frame)
      switch (type) {
        case FrameType.FLOOD: return this.onFlood(s, frame)
        case FrameType.PEX: return this.peerExchange?.onFrame(frame)
        case FrameType.PING: return
        case FrameType.SYNC_OFFER: return this.sync.onOffer(s, frame)
        case FrameType.SYNC_DATA: return this.sync.onData(s, frame)
        case FrameType.ROOMS: s.hello!.rooms = decodeRooms(frame); return
        case FrameType.HELLO: throw MeshError.frameInvalid('second HELLO')
        default: return this.penalise(s, new MeshError('UNKNOWN_FRAME', `unknown frame type ${type}`))
      }
    } catch (err) {
      this.closeLink(s, err instanceof MeshError ? err : MeshError.frameInvalid(errorMessage(err)))
    }
  }

  private onHello (s: LinkSession, type: number, frame: Buffer): void {
    if (type !== FrameType.HELLO) throw MeshError.frameInvalid(`expected HELLO, got frame type ${type}`)
    const version = decodeHelloVersion(frame)
    if (version !== this.version) {
      const err = new MeshError('VERSION_MISMATCH', `peer ${s.link.remoteAddress} speaks protocol version ${version}, this node speaks ${this.version}: upgrade the older side`)
      this.closeLink(s, err)
      return
    }
    const hello = decodeHello(frame)
    s.establish(hello)
    const rec = this.peersByKey.get(s.key)!
    if (s.dialedAddress) this.table.succeeded(s.dialedAddress)
    this.directory.see(s.key, hello.nick, { address: s.displayAddress, hops: 1 })
    if (!rec.announced) {
      rec.announced = true
      this.emit('peer-up', this.peerInfo(s))
      this.presence.announceAll()
    }
    this.peerExchange?.onEstablished(s)
    this.sync.onEstablished(s)
  }

  private onFlood (s: LinkSession, frame: Buffer): void {
    const v = this.router.receive(frame)
    if (v.kind === 'invalid') {
      if (v.close) throw v.error
      return this.penalise(s, v.error)
    }
    if (v.kind !== 'accepted') return
    const m = v.message
    const out = this.router.forwardFrame(m)
    if (out) this.broadcast(out, s)
    this.dispatch(m)
  }

  /** Hands an accepted message to whatever handles its kind. */
  private dispatch (m: FloodMessage): void {
    switch (m.kind) {
      case MessageKind.CHAT:
      case MessageKind.GUEST_CHAT:
        if (m.kind === MessageKind.CHAT) {
          this.directory.see(m.author.toString('hex'), m.nick, { room: m.room, hops: m.hops })
          this.presence.onChat(m.room, m.author.toString('hex'), m.nick)
        }
        return this.deliver(m, false)
      case MessageKind.PRESENCE: return this.presence.onPresence(m)
      case MessageKind.PRIVATE:
      case MessageKind.ACK:
        return this.privates.onMessage(m)
    }
  }

  private penalise (s: LinkSession, err: MeshError): void {
    s.penalties++
    this.fault(err.code, `${err.message} (from peer ${s.key.slice(0, 8)}, penalty ${s.penalties}/${MAX_LINK_PENALTIES})`, s.key)
    if (s.penalties >= MAX_LINK_PENALTIES) this.closeLink(s, new MeshError('PENALTY_LIMIT', `closed after ${s.penalties} bad frames`))
  }

  private closeLink (s: LinkSession, err: MeshError): void {
    this.fault(err.code, `closing link to ${s.displayAddress}: ${err.message}`, s.key)
    s.link.destroy(err)
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

  // ---- sending -----------------------------------------------------------

  private broadcast (frame: Buffer, except: LinkSession | null): void {
    for (const s of this.sessions) {
      if (s === except || !s.established) continue
      if (s.link.bufferedBytes > MAX_LINK_BUFFERED_BYTES) {
        this.closeLink(s, new MeshError('SLOW_LINK', `more than ${MAX_LINK_BUFFERED_BYTES} bytes queued`))
        continue
      }
      s.send(frame)
    }
  }

  private deliver (m: FloodMessage, self: boolean, fromHistory = false): void {
    if (!this.rooms.has(m.room)) return
    if (m.kind !== MessageKind.CHAT && m.kind !== MessageKind.GUEST_CHAT) return
    if (!fromHistory) this.history.add(m)
    this.historyStore?.append(m)
    const msg = toChatMessage(m, self)
    if (fromHistory) msg.history = true
    this.emit('message', msg)
  }

  /** Signs and floods a chat message. Throws TEXT_TOO_LONG / TEXT_EMPTY; nothing is sent then. */
  send (text: string, opts: SendOptions = {}): ChatMessage {
    if (this.closed) throw new MeshError('NODE_CLOSED', 'node is closed')
    const payload = Buffer.from(text, 'utf8')
    if (payload.byteLength > MAX_TEXT_BYTES) throw MeshError.textTooLong(payload.byteLength, MAX_TEXT_BYTES)
    if (text.trim().length === 0) throw new MeshError('TEXT_EMPTY', 'message is empty; nothing was sent')
    const guest = opts.guest !== undefined
    const room = validateRoom(opts.room ?? this.room)
    if (!this.rooms.has(room)) throw new MeshError('NOT_IN_ROOM', `you are not in room '${room}'; /join ${room} first`)
    const m = this.originate(guest ? MessageKind.GUEST_CHAT : MessageKind.CHAT, room,
      guest ? encodeGuestPayload(this.nick, payload) : payload, guest ? validateNick(opts.guest!) : this.nick)
    this.history.add(m)
    this.historyStore?.append(m)
    const msg = toChatMessage(m, true)
    this.emit('message', msg)
    return msg
  }

  /** Signs and floods a message of any kind; it is never delivered back to this node. */
  originate (kind: number, room: string, payload: Buffer, nick: string = this.nick): FloodMessage {
    if (this.closed) throw new MeshError('NODE_CLOSED', 'node is closed')
    const ts = this.now()
    const m = this.router.originate({
      kind, author: this.keyPair.publicKey, room, nick, ts, expires: ts + this.timing.messageLifetimeMs, ttl: this.ttl, payload
    }, this.keyPair)
    this.broadcast(m.frame, null)
    return m
  }

  /** Sends a private message to a key (see Directory.resolve for targets). */
  sendPrivate (target: string, text: string): ChatMessage {
    const payload = Buffer.from(text, 'utf8')
    if (payload.byteLength > MAX_TEXT_BYTES) throw MeshError.textTooLong(payload.byteLength, MAX_TEXT_BYTES)
    if (text.trim().length === 0) throw new MeshError('TEXT_EMPTY', 'message is empty; nothing was sent')
    return this.privates.send(this.directory.resolve(target), text)
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
    const r = validateRoom(room)
    if (!this.rooms.has(r)) throw new MeshError('NOT_IN_ROOM', `you are not in room '${r}'`)
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
    for (const s of this.sessions) if (s.established) s.send(frame)
    this.emit('rooms', [...this.rooms])
  }

  setNick (nick: string): void {
    this.nick = validateNick(nick)
    this.emit('nick', this.nick)
  }

  // ---- dialling ----------------------------------------------------------

  /** Dials an address and resolves once the peer's HELLO arrived. */
  dial (address: string): Promise<LinkSession> {
    const pending = this.dialing.get(address)
    if (pending) return pending
    const p = this.dialOnce(address).finally(() => this.dialing.delete(address))
    this.dialing.set(address, p)
    return p
  }

  private async dialOnce (address: string): Promise<LinkSession> {
    if (!this.dialer) throw new MeshError('CONNECT_FAILED', 'this node has no transport to dial with')
    if (this.closed) throw new MeshError('NODE_CLOSED', 'node is closed')
    const link = await this.dialer(address)
    const s = this.addLink(link, address)
    if (!s) {
      if (this.table.isSelf(address)) throw new MeshError('SELF_LINK', `${address} is this node itself`)
      const key = link.remotePublicKey.toString('hex')
      const rec = this.peersByKey.get(key)
      const existing = rec && [...rec.sessions].find(x => x.established)
      if (existing) return existing
      throw new MeshError('CONNECT_FAILED', `${address} refused the link`)
    }
    await s.ready
    return s
  }

  /** Adds a `--peer` address, dialled now and redialled for as long as the node runs. */
  addPeer (address: string): void {
    if (this.targets.has(address)) return
    const backoff = new Backoff({ minMs: this.timing.redialMinMs, maxMs: this.timing.redialMaxMs, jitter: 0.3, random: this.random })
    const target = new DialTarget(address, {
      dial: (a) => this.dial(a).then(s => s.key, (err) => { if (err.code === 'SELF_LINK') return null; throw err }),
      isUp: (key) => this.isUp(key),
      onSelf: (a) => this.fault('SELF_LINK', `--peer ${a} is this node itself; not dialling it again`)
    }, backoff)
    this.targets.set(address, target)
    if (this.ticker) target.start()
  }

  isUp (key: string): boolean {
    const rec = this.peersByKey.get(key)
    return !!rec && [...rec.sessions].some(s => s.established)
  }

  // ---- periodic work -----------------------------------------------------

  private tick (): void {
    if (this.closed) return
    const t = this.now()
    for (const s of [...this.sessions]) {
      if (!s.established) {
        if (t - s.createdAt > this.timing.helloTimeoutMs) this.closeLink(s, new MeshError('HANDSHAKE_TIMEOUT', `no HELLO within ${this.timing.helloTimeoutMs} ms`))
        continue
      }
      if (t - s.lastRx > this.timing.idleTimeoutMs) {
        this.closeLink(s, new MeshError('LINK_TIMEOUT', `silent for ${t - s.lastRx} ms`))
        continue
      }
      if (t - s.lastTx >= this.timing.keepAliveMs) s.send(PING_FRAME)
    }
    this.presence.tick()
    this.peerExchange?.tick()
  }

  // ---- views -------------------------------------------------------------

  private peerInfo (s: LinkSession): PeerInfo {
    return { peer: s.key, nick: s.nick, address: s.displayAddress, via: s.link.via }
  }

  peers (): PeerInfo[] {
    const out: PeerInfo[] = []
    for (const rec of this.peersByKey.values()) {
      const s = [...rec.sessions].find(x => x.established)
      if (s) out.push(this.peerInfo(s))
    }
    return out
  }

  get linkCount (): number { return this.sessions.size }
}
