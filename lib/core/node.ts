// A mesh node: the facade front ends talk to. It wires the link table, the
// frame registry (flood, pex, sync, rooms), the one accept pipeline, history,
// presence and private messages, and answers the questions front ends ask
// (peers, who, whois, labels). No sockets, no terminal: transports hand it links.
import { EventEmitter } from 'events'
import type { Link, Dialer } from './link'
import type { LinkSession } from './link-session'
import { LinkTable, type PeerInfo } from './link-table'
import { FrameRegistry } from './frame-registry'
import { Pipeline, type Source } from './pipeline'
import { Flood } from './flood'
import { SeenCache } from './seen-cache'
import { DeliveredLog } from './delivered-log'
import { AuthorLimits } from './author-limits'
import { Bans } from './bans'
import { PeerTable } from './peer-table'
import { Dialing } from './dialing'
import { PeerExchange } from './pex'
import { History, DEFAULT_HISTORY_SIZE } from './history'
import { HistorySync } from './sync'
import { Directory } from './directory'
import { Presence, PRESENCE_LINK_UP_DELAY_MS } from './presence'
import { PrivateMessages } from './private'
import { Rooms } from './rooms'
import { systemClock, every, type Clock } from './clock'
import { encodeGuestPayload, toChatMessage } from './chat-message'
import { validateNick } from './names'
import { whois, type WhoisInfo } from './whois'
import * as O from './options'
import { FrameType, HelloFlag, decodeRooms, encodeRooms, type Hello } from '../protocol/frames'
import { MessageKind, type FloodMessage } from '../protocol/envelope'
import { MeshError, errorMessage, type ErrorCode } from '../protocol/errors'
import { PROTOCOL_VERSION, MAX_TEXT_BYTES } from '../protocol/limits'
import type { KeyPair } from '../protocol/crypto'
import type { ChatMessage, HistoryStore, SendOptions, Discovery, Fault, MemberInfo, NodeStats } from './types'
export type { PeerInfo, ChatMessage, HistoryStore, SendOptions, Discovery, Fault }

export class MeshNode extends EventEmitter {
  readonly keyPair: KeyPair
  readonly id: string
  readonly timing: O.Timing
  readonly anchor: boolean
  listenAddress = ''
  closed = false
  private myNick: string
  private readonly clock: Clock
  private readonly ttl: number
  private readonly pex: boolean
  private readonly rooms_: Rooms
  private readonly links: LinkTable
  private readonly seen: SeenCache
  private readonly delivered = new DeliveredLog()
  private readonly pipeline: Pipeline
  private readonly flood: Flood
  private readonly table: PeerTable
  private readonly history: History
  private readonly historyStore: HistoryStore | null
  private readonly sync: HistorySync
  private readonly directory: Directory
  private readonly presence: Presence
  private readonly privates: PrivateMessages
  private readonly dialing: Dialing
  private readonly peerExchange: PeerExchange | null
  private stopTicker: (() => void) | null = null

  constructor (opts: O.NodeOptions) {
    super()
    this.keyPair = opts.keyPair
    this.id = opts.keyPair.publicKey.toString('hex')
    this.myNick = validateNick(opts.nick)
    const clock = this.clock = opts.clock ?? systemClock
    const now = () => clock.now()
    const timing = this.timing = { ...O.DEFAULT_TIMING, ...opts.timing }
    this.pex = opts.pex ?? true
    this.anchor = opts.anchor ?? false
    this.ttl = opts.ttl ?? O.DEFAULT_TTL
    const maxLinks = opts.maxLinks ?? O.DEFAULT_MAX_LINKS
    const minLinks = opts.minLinks ?? O.DEFAULT_MIN_LINKS
    const version = opts.protocolVersion ?? PROTOCOL_VERSION
    const seenMaxAgeMs = opts.seenMaxAgeMs ?? O.DEFAULT_SEEN_MAX_AGE_MS
    if (timing.messageLifetimeMs >= seenMaxAgeMs) throw new MeshError('BAD_OPTION', 'message lifetime must be shorter than the seen cache age')
    this.rooms_ = new Rooms(opts.rooms, {
      joined: r => { this.presence.onJoin(r); this.sync.onJoin(r) },
      leaving: r => { this.presence.onLeave(r) },
      changed: list => { this.links.broadcast(encodeRooms(list), null); this.emit('rooms', list) }
    })
    this.seen = new SeenCache({ maxSize: opts.seenMaxSize ?? O.DEFAULT_SEEN_MAX_SIZE, maxAgeMs: seenMaxAgeMs, now })
    this.history = new History(opts.historySize ?? DEFAULT_HISTORY_SIZE)
    this.historyStore = opts.historyStore ?? null
    const authors = new AuthorLimits({ rate: opts.authorRate ?? O.AUTHOR_DEFAULTS.rate, burst: opts.authorBurst ?? O.AUTHOR_DEFAULTS.burst, newPerLinkPerMin: opts.newAuthorsPerLinkPerMin ?? O.AUTHOR_DEFAULTS.newPerLinkPerMin, now })
    const registry = new FrameRegistry()
    this.links = new LinkTable({
      selfKey: this.keyPair.publicKey, version, maxLinks, timing, registry,
      limits: { rate: opts.ratePerSecond ?? O.DEFAULT_RATE_PER_SECOND, burst: opts.rateBurst ?? O.DEFAULT_RATE_BURST, maxQueuedBytes: opts.maxQueuedBytes ?? O.MAX_LINK_BUFFERED_BYTES, newAuthors: () => authors.linkBudget(), now },
      reservedOutbound: opts.reservedOutbound ?? O.defaultReserved(maxLinks),
      bans: new Bans(now, timing.banMs),
      hello: () => this.hello(version),
      onSelfAddress: a => this.table.markSelf(a),
      onEstablished: (s, first) => this.onEstablished(s, first),
      onPeerDown: (peer, nick, reason) => { this.emit('peer-down', { peer, nick, reason }); this.dialing.lost(peer) },
      fault: (code, message, peer) => this.fault(code, message, peer)
    })
    const penalise = (s: LinkSession, err: MeshError, points?: number) => this.links.penalise(s, err, points)
    this.pipeline = new Pipeline({
      seen: this.seen, delivered: this.delivered, history: this.history, authors, now, maxTtl: this.ttl, historyWindowMs: timing.historyWindowMs,
      forward: (frame, from) => this.links.broadcast(frame, from),
      dispatch: (m, source) => this.dispatch(m, source)
    })
    this.flood = new Flood({ pipeline: this.pipeline, seen: this.seen, keyPair: this.keyPair, broadcast: (f, x) => this.links.broadcast(f, x), penalise })
    this.flood.register(registry)
    this.sync = new HistorySync({ history: this.history, pipeline: this.pipeline, rooms: () => this.rooms_.view as Set<string>, sessions: () => this.links.sessions, penalise, now })
    this.sync.register(registry)
    registry.add<string[]>(FrameType.ROOMS, { name: 'rooms', decode: decodeRooms, onmessage: (s, rooms) => { s.hello!.rooms = rooms } })
    this.table = new PeerTable(now, timing.redialMinMs)
    this.dialing = new Dialing({
      addLink: (link, address) => this.links.add(link, address),
      established: key => this.links.established(key),
      isUp: key => this.links.isUp(key),
      isSelf: a => this.table.isSelf(a),
      fault: (code, message) => this.fault(code, message),
      redialMinMs: timing.redialMinMs, redialMaxMs: timing.redialMaxMs, random: opts.random ?? Math.random, clock
    })
    this.dialing.dialer = opts.dialer ?? null
    this.peerExchange = !this.pex ? null : new PeerExchange({
      id: this.id, table: this.table, sessions: () => this.links.sessions, linkedKeys: () => this.links.peersByKey,
      dialing: () => this.dialing.pending, dial: a => this.dialing.dial(a), canDial: () => !!this.dialing.dialer,
      minLinks, maxLinks, intervalMs: timing.pexIntervalMs, now, fault: (code, message, peer) => this.fault(code, message, peer)
    })
    const pex = this.peerExchange
    registry.add<Buffer>(FrameType.PEX, { name: 'pex', decode: f => f, onmessage: (s, f) => pex?.onFrame(f, s.key) })
    this.directory = new Directory(this.id, now, opts.nickBook ?? null, w => this.emit('warning', w))
    opts.nickBook?.remember(this.myNick, this.id)
    this.presence = new Presence({
      selfKey: this.id, nick: () => this.myNick, listen: () => this.listenAddress, rooms: () => this.rooms_.view as Set<string>,
      originate: (kind, room, payload) => { this.originate(kind, room, payload) },
      onChange: c => this.emit('presence', c),
      onSighting: (key, nick, room, listen, hops) => this.directory.see(key, nick, { room, hops, address: listen || undefined }),
      clock, intervalMs: timing.presenceIntervalMs, timeoutMs: timing.presenceTimeoutMs
    })
    this.privates = new PrivateMessages({
      keyPair: this.keyPair, nick: () => this.myNick,
      originate: (kind, room, payload) => this.originate(kind, room, payload),
      message: m => this.emit('message', m),
      delivered: (id, peer) => this.emit('delivered', { id, peer }),
      undelivered: (id, peer) => this.emit('undelivered', { id, peer }),
      ackTimeoutMs: timing.privateAckTimeoutMs, clock,
      dropped: (err, author) => this.fault(err.code, err.message, author)
    })
  }

  /** Events reach front ends through here: a listener's bug is reported as FRONTEND_ERROR, never blamed on the peer whose frame led to it. */
  emit (event: string | symbol, ...args: unknown[]): boolean {
    try {
      return super.emit(event, ...args)
    } catch (err) {
      if (event === 'fault') { process.stderr.write(`meshchat: a fault listener failed: ${errorMessage(err)}\n`); return true }
      this.fault('FRONTEND_ERROR', `a '${String(event)}' listener failed: ${errorMessage(err)}`)
      return true
    }
  }

  // ---- life cycle ----------------------------------------------------------

  setDialer (dialer: Dialer): void { this.dialing.dialer = dialer }
  setListenAddress (address: string): void { this.listenAddress = address }

  start (): void {
    if (this.stopTicker) return
    this.stopTicker = every(this.clock, this.timing.tickMs, () => this.tick())
    this.dialing.start()
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stopTicker?.()
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

  /** Loads stored messages (signed frames) through the accept pipeline, without events. Returns [loaded, rejected]. */
  loadHistory (frames: Buffer[]): [number, number] {
    let loaded = 0
    let rejected = 0
    for (const f of frames) {
      const v = this.pipeline.accept(f, 'store')
      if (v.kind === 'accepted') loaded++
      else if (v.kind === 'invalid') rejected++
    }
    return [loaded, rejected]
  }

  // ---- links ---------------------------------------------------------------

  /** Takes an authenticated link from a transport. Returns whether it was taken. */
  addLink (link: Link, dialedAddress: string | null = null): boolean { return this.links.add(link, dialedAddress) !== null }

  /** Dials an address once and resolves with the peer when its HELLO arrived. */
  async dial (address: string): Promise<PeerInfo> { return this.links.info(await this.dialing.dial(address)) }

  /** Adds a `--peer` address, dialled now and redialled for as long as the node runs. */
  addPeer (address: string): void { this.dialing.addTarget(address) }

  isUp (key: string): boolean { return this.links.isUp(key) }
  peers (): PeerInfo[] { return this.links.peers() }
  get linkCount (): number { return this.links.size }

  private hello (version: number): Hello {
    const flags = (this.pex ? HelloFlag.SHAREABLE : 0) | (this.anchor ? HelloFlag.ANCHOR : 0)
    return { version, nick: this.myNick, listen: this.listenAddress, rooms: this.rooms_.list(), flags }
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

  // ---- messages ------------------------------------------------------------

  /** Hands an accepted message to whatever handles its kind. */
  private dispatch (m: FloodMessage, source: Source | 'self'): void {
    switch (m.kind) {
      case MessageKind.CHAT:
        if (source === 'live') {
          this.directory.see(m.author.toString('hex'), m.nick, { room: m.room, hops: m.hops })
          this.presence.onChat(m.room, m.author.toString('hex'), m.nick)
        }
        return this.deliver(m, source)
      case MessageKind.GUEST_CHAT:
        // The gateway's key becomes known, so look-alike keys get longer tags.
        if (source === 'live') this.directory.see(m.author.toString('hex'), '', { room: m.room, hops: m.hops })
        return this.deliver(m, source)
      case MessageKind.PRESENCE: return this.presence.onPresence(m)
      case MessageKind.PRIVATE:
      case MessageKind.ACK:
        return this.privates.onMessage(m)
    }
  }

  /** Delivers a room message once per room, whichever way it came; keeps it in history and on disk. */
  private deliver (m: FloodMessage, source: Source | 'self'): void {
    // Stored history loads for every room it holds, so a restart with other rooms loses nothing on disk.
    if ((source !== 'store' && !this.rooms_.has(m.room)) || !this.delivered.add(m.room, m.id.toString('hex'))) return
    this.history.add(m)
    if (source === 'store') return
    this.historyStore?.append(m)
    const msg = toChatMessage(m, source === 'self' || m.author.equals(this.keyPair.publicKey))
    if (source === 'sync') msg.history = true
    this.emit('message', msg)
  }

  /** Lets a transport or store report a problem the user should see (e.g. DHT_UNREACHABLE). */
  reportFault (code: ErrorCode, message: string): void { this.fault(code, message) }

  /** Lets a discovery transport report its state for a topic. */
  reportDiscovery (d: Discovery): void { this.emit('discovery', d) }

  private fault (code: ErrorCode, message: string, peer?: string): void {
    const f: Fault = { code, message }
    if (peer) f.peer = peer
    this.emit('fault', f)
  }

  /** Signs and floods a message of any kind; it is never delivered back to this node. */
  originate (kind: number, room: string, payload: Buffer, nick: string = this.myNick): FloodMessage {
    if (this.closed) throw new MeshError('NODE_CLOSED', 'node is closed')
    const ts = this.clock.now()
    return this.flood.originate({ kind, author: this.keyPair.publicKey, room, nick, ts, expires: ts + this.timing.messageLifetimeMs, ttl: this.ttl, payload })
  }

  /** Signs and floods a chat message; its own `message` event is emitted before this returns. Throws TEXT_TOO_LONG, TEXT_EMPTY, NOT_IN_ROOM; nothing is sent then. */
  send (text: string, opts: SendOptions = {}): ChatMessage {
    const payload = checkText(text)
    const room = this.rooms_.check(opts.room ?? this.rooms_.current)
    const guest = opts.guest !== undefined
    const m = this.originate(guest ? MessageKind.GUEST_CHAT : MessageKind.CHAT, room,
      guest ? encodeGuestPayload(this.myNick, payload) : payload, guest ? validateNick(opts.guest!) : this.myNick)
    this.deliver(m, 'self')
    return toChatMessage(m, true)
  }

  /** Sends a private message to a target (nick, nick#tag or key prefix; see resolve). */
  sendPrivate (target: string, text: string): ChatMessage {
    checkText(text)
    return this.privates.send(this.directory.resolve(target), text)
  }

  // ---- names and rooms -----------------------------------------------------

  get nick (): string { return this.myNick }
  setNick (nick: string): void {
    this.myNick = validateNick(nick)
    this.emit('nick', this.myNick)
  }

  get room (): string { return this.rooms_.current }
  get rooms (): string[] { return this.rooms_.list() }
  inRoom (room: string): boolean { return this.rooms_.has(room) }
  join (room: string): string { return this.rooms_.join(room) }
  leave (room: string): string { return this.rooms_.leave(room) }
  switchRoom (room: string): string { return this.rooms_.switch(room) }
  /** Validates a room name this node is in; throws NOT_IN_ROOM otherwise. */
  switchRoomCheck (room: string): string { return this.rooms_.check(room) }

  /** `nick#tag` with the shortest tag that tells this key from every other known key. */
  label (key: string, nick?: string): string { return this.directory.label(key, nick) }
  tag (key: string): string { return this.directory.tag(key) }
  /** A target (nick, nick#tag, key prefix) to a key; throws UNKNOWN_TARGET or AMBIGUOUS_TARGET. */
  resolve (target: string): string { return this.directory.resolve(target) }
  who (room: string = this.rooms_.current): MemberInfo[] {
    return this.presence.list(this.rooms_.check(room)).map(m => ({ ...m, tag: this.directory.tag(m.peer) }))
  }

  whois (target: string): WhoisInfo {
    const key = this.directory.resolve(target)
    return whois(this.directory.get(key)!, this.directory.tag(key), this.peers().find(p => p.peer === key))
  }

  /** Frames of everything history holds now (what an on-disk log compacts to). */
  historyFrames (): Buffer[] { return this.history.frames() }
  historySize (room: string): number { return this.history.room(room).size }
  get historyPerRoom (): number { return this.history.maxPerRoom }
  stats (): NodeStats { return { ...this.pipeline.stats, originated: this.flood.originated, seen: this.seen.size, sync: { ...this.sync.stats } } }
}

function checkText (text: string): Buffer {
  const payload = Buffer.from(text, 'utf8')
  if (payload.byteLength > MAX_TEXT_BYTES) throw MeshError.textTooLong(payload.byteLength, MAX_TEXT_BYTES)
  if (text.trim().length === 0) throw new MeshError('TEXT_EMPTY', 'message is empty; nothing was sent')
  return payload
}
