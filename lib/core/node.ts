// A mesh node: the facade front ends talk to. Its parts (link table, frame
// registry, accept pipeline, history, sync, presence, private messages, peer
// exchange; wired in node-parts.ts) stay private: front ends get events and
// answers to questions (peers, who, whois, labels). No sockets, no terminal:
// transports hand it links.
import { EventEmitter } from 'events'
import type { Link, Dialer } from './link'
import type { SharedBudget } from './send-budget'
import type { LinkSession } from './link-session'
import type { PeerInfo } from './link-table'
import type { Source } from './pipeline'
import { buildParts, type Parts } from './node-parts'
import { PRESENCE_LINK_UP_DELAY_MS } from './presence'
import { every } from './clock'
import { batchMessages, checkGuestLines, checkText, encodeGuestPayload, toChatMessage } from './chat-message'
import { isValidNick, shortKey, validateNick } from './names'
import { whois, type WhoisInfo } from './whois'
import type { NodeOptions, Timing } from './options'
import { HelloFlag, type Hello } from '../protocol/frames'
import { MessageKind, type FloodMessage } from '../protocol/envelope'
import { MeshError, errorMessage, type ErrorCode } from '../protocol/errors'
import { encodeGuestBatch, packGuestLines } from '../protocol/guest-batch'
import type { KeyPair } from '../protocol/crypto'
import type { Sighting } from './directory'
import type { ChatMessage, ChatNode, GuestLine, HistoryStore, SendOptions, Discovery, Fault, MemberInfo, NickChange, NodeStats } from './types'
export type { PeerInfo, ChatMessage, HistoryStore, SendOptions, Discovery, Fault }

export class MeshNode extends EventEmitter implements ChatNode {
  readonly keyPair: KeyPair
  readonly id: string
  readonly timing: Timing
  readonly anchor: boolean
  listenAddress = ''
  closed = false
  private myNick: string
  /** HELLO flags: shareable by peer exchange, anchor. */
  private readonly flags: number
  private readonly p: Parts
  private stopTicker: (() => void) | null = null

  constructor (opts: NodeOptions) {
    super()
    this.keyPair = opts.keyPair
    this.id = opts.keyPair.publicKey.toString('hex')
    this.myNick = validateNick(opts.nick)
    this.anchor = opts.anchor ?? false
    this.flags = (opts.pex === false ? 0 : HelloFlag.SHAREABLE) | (this.anchor ? HelloFlag.ANCHOR : 0) | (opts.lazyPush === false ? 0 : HelloFlag.LAZY_PUSH) | (opts.rosterSync === false ? 0 : HelloFlag.ROSTER_SYNC | HelloFlag.ROSTER_RANGES)
    this.p = buildParts(opts, {
      id: this.id,
      nick: () => this.myNick,
      listen: () => this.listenAddress,
      emit: (event, ...args) => { this.emit(event, ...args) },
      fault: (code, message, peer, flow) => this.fault(code, message, peer, flow),
      hello: version => this.hello(version),
      onEstablished: (s, first) => this.onEstablished(s, first),
      dispatch: (m, source) => this.dispatch(m, source),
      originate: (kind, room, payload) => this.originate(kind, room, payload),
      see: (key, nick, at) => this.see(key, nick, at)
    })
    this.timing = this.p.timing
    opts.nickBook?.remember(this.myNick, this.id)
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

  setDialer (dialer: Dialer): void { this.p.dialing.dialer = dialer }
  setListenAddress (address: string): void { this.listenAddress = address }

  start (): void {
    if (this.stopTicker) return
    this.stopTicker = every(this.p.clock, this.timing.tickMs, () => this.tick())
    this.p.dialing.start()
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stopTicker?.()
    this.p.dialing.stop()
    this.p.presence.close()
    this.p.privates.close()
    this.p.lazy.close()
    this.p.links.close()
    this.p.sendBudget.close()
  }

  private tick (): void {
    if (this.closed) return
    for (const part of [this.p.links, this.p.presence, this.p.peerExchange, this.p.members, this.p.lazy]) part?.tick()
    this.p.seen.expire()
  }

  /** Loads stored messages (signed frames) through the accept pipeline, without events. Returns [loaded, rejected]. */
  loadHistory (frames: Buffer[]): [number, number] {
    const verdicts = frames.map(f => this.p.pipeline.accept(f, 'store').kind)
    return [verdicts.filter(k => k === 'accepted').length, verdicts.filter(k => k === 'invalid').length]
  }

  // ---- links ---------------------------------------------------------------

  /** Takes an authenticated link from a transport. Returns whether it was taken. */
  addLink (link: Link, dialedAddress: string | null = null): boolean { return this.p.links.add(link, dialedAddress) !== null }
  /** Dials an address once and resolves with the peer when its HELLO arrived. */
  async dial (address: string): Promise<PeerInfo> { return this.p.links.info(await this.p.dialing.dial(address)) }

  /** Adds a `--peer` address, dialled now and redialled for as long as the node runs. */
  addPeer (address: string): void { this.p.dialing.addTarget(address) }

  isUp (key: string): boolean { return this.p.links.isUp(key) }
  /** Linked peers, each under its current nick (a rename after the HELLO included). */
  peers (): PeerInfo[] { return this.p.links.peers().map(p => ({ ...p, nick: this.p.directory.get(p.peer)?.nick || p.nick })) }
  get linkCount (): number { return this.p.links.size }

  private hello (version: number): Hello {
    return { version, nick: this.myNick, listen: this.listenAddress, rooms: this.p.rooms.list(), flags: this.flags }
  }

  private onEstablished (s: LinkSession, first: boolean): void {
    if (s.dialedAddress) this.p.table.succeeded(s.dialedAddress)
    this.see(s.key, s.nick, { address: s.displayAddress, hops: 1 })
    if (first) {
      this.emit('peer-up', this.p.links.info(s))
      this.p.presence.announceSoon(PRESENCE_LINK_UP_DELAY_MS, this.p.roster.linkUpRooms(s))
    }
    this.p.peerExchange?.onEstablished(s)
    this.p.sync.onEstablished(s)
    this.p.roster.onEstablished(s)
  }

  // ---- messages ------------------------------------------------------------

  /** Hands an accepted message to whatever handles its kind. */
  private dispatch (m: FloodMessage, source: Source | 'self'): void {
    switch (m.kind) {
      case MessageKind.CHAT:
      case MessageKind.ACTION:
      case MessageKind.GUEST_CHAT:
      case MessageKind.GUEST_BATCH: {
        const chat = m.kind !== MessageKind.GUEST_CHAT && m.kind !== MessageKind.GUEST_BATCH
        const lines = m.kind === MessageKind.GUEST_BATCH ? this.batchLines(m) : undefined
        if (lines === null) return
        // A guest line makes its gateway's key known (look-alike keys get longer tags) but says nothing of the gateway's nick.
        if (source === 'live') this.see(m.author.toString('hex'), chat ? m.nick : '', { room: m.room, hops: m.hops, ts: m.ts })
        if (source === 'live' && chat) this.p.presence.onChat(m.room, m.author.toString('hex'), m.nick)
        this.deliver(m, source, lines)
        return
      }
      case MessageKind.PRESENCE: return this.p.presence.onPresence(m)
      case MessageKind.PRIVATE:
      case MessageKind.ACK:
        return this.p.privates.onMessage(m)
    }
  }

  /** A guest batch's lines; null (not delivered) for a guest name this node refuses. (The pipeline took a token a line.) */
  private batchLines (m: FloodMessage): ChatMessage[] | null {
    const lines = batchMessages(m, m.author.equals(this.keyPair.publicKey), m.batch)
    const author = m.author.toString('hex')
    const bad = lines.find(l => !isValidNick(l.nick))
    if (bad) { this.fault('BAD_NICK', `guest batch ${shortKey(m.id.toString('hex'))} carries a guest name this node would not accept`, author); return null }
    return lines
  }

  /** Delivers a room message once per room, whichever way it came; keeps it in history and on disk. Returns the lines emitted. */
  private deliver (m: FloodMessage, source: Source | 'self', lines?: ChatMessage[]): ChatMessage[] {
    // Stored history loads for every room it holds, so a restart with other rooms loses nothing on disk.
    if ((source !== 'store' && !this.p.rooms.has(m.room)) || !this.p.delivered.add(m.room, m.id.toString('hex'))) return []
    this.p.history.add(m)
    if (source === 'store') return []
    this.p.historyStore?.append(m)
    const self = source === 'self' || m.author.equals(this.keyPair.publicKey)
    const out = lines ?? (m.kind === MessageKind.GUEST_BATCH ? batchMessages(m, self, m.batch) : [toChatMessage(m, self)])
    for (const msg of out) {
      if (source === 'sync' && !this.p.sync.racedLive(m.room, m.ts)) msg.history = true
      this.emit('message', msg)
    }
    return out
  }

  /** Lets a transport or store report a problem the user should see (e.g. DHT_UNREACHABLE). */
  reportFault (code: ErrorCode, message: string): void { this.fault(code, message) }

  /** Lets a discovery transport report its state for a topic. */
  reportDiscovery (d: Discovery): void { this.emit('discovery', d) }

  private fault (code: ErrorCode, message: string, peer?: string, flow?: boolean): void {
    this.emit('fault', { code, message, ...(peer ? { peer } : {}), ...(flow ? { flow: true } : {}) } satisfies Fault)
  }

  /** What this node's front ends wait on before a line is signed (they take its tokens); presence and acks, which nobody types, take theirs here. */
  get sendBudget (): SharedBudget { return this.p.sendBudget }

  /** Signs and floods a message of any kind; it is never delivered back to this node. */
  originate (kind: number, room: string, payload: Buffer, nick: string = this.myNick): FloodMessage {
    if (this.closed) throw new MeshError('NODE_CLOSED', 'node is closed')
    this.p.sendBudget.sending()
    if (kind === MessageKind.PRESENCE || kind === MessageKind.ACK) this.p.sendBudget.take()
    const ts = this.p.clock.now()
    return this.p.flood.originate({ kind, author: this.keyPair.publicKey, room, nick, ts, expires: ts + this.timing.messageLifetimeMs, ttl: this.p.ttl, payload })
  }

  /** Signs and floods a chat message; its own `message` event is emitted before this returns. Throws TEXT_TOO_LONG, TEXT_EMPTY, NOT_IN_ROOM; nothing is sent then. */
  send (text: string, opts: SendOptions = {}): ChatMessage {
    const payload = checkText(text)
    const room = this.p.rooms.check(opts.room ?? this.p.rooms.current)
    const guest = opts.guest !== undefined
    if (guest && opts.action) throw new MeshError('BAD_COMMAND', 'a guest line cannot be an action')
    const m = this.originate(guest ? MessageKind.GUEST_CHAT : opts.action ? MessageKind.ACTION : MessageKind.CHAT, room,
      guest ? encodeGuestPayload(this.myNick, payload) : payload, guest ? validateNick(opts.guest!) : this.myNick)
    this.deliver(m, 'self')
    return toChatMessage(m, true)
  }

  /** Posts guest lines as GUEST_BATCH messages (see ChatNode.sendGuestLines); several when they exceed one batch. */
  sendGuestLines (lines: GuestLine[], room?: string): ChatMessage[] {
    const r = this.p.rooms.check(room ?? this.p.rooms.current)
    const out: ChatMessage[] = []
    for (const run of packGuestLines(checkGuestLines(lines))) {
      const batch = { via: this.myNick, lines: run }
      const m = this.originate(MessageKind.GUEST_BATCH, r, encodeGuestBatch(batch))
      for (const msg of this.deliver(m, 'self', batchMessages(m, true, batch))) out.push(msg)
    }
    return out
  }

  checkGuestLines (lines: GuestLine[], room?: string): GuestLine[] { this.p.rooms.check(room ?? this.p.rooms.current); return checkGuestLines(lines) }

  /** Sends a private message to a target (nick, nick#tag or key prefix; see resolve). */
  sendPrivate (target: string, text: string): ChatMessage {
    checkText(text)
    return this.p.privates.send(this.p.directory.resolve(target), text)
  }

  // ---- names and rooms -----------------------------------------------------

  get nick (): string { return this.myNick }
  /** Takes a new nick and tells every room at once (a presence announcement under the new nick); emits `nick` and, when it changed, `peer-nick` with self. */
  setNick (nick: string): void {
    const old = this.myNick
    this.myNick = validateNick(nick)
    const changed = this.myNick !== old
    if (changed) this.p.presence.announceAll()
    this.emit('nick', this.myNick)
    if (changed) this.emit('peer-nick', { peer: this.id, old, nick: this.myNick, self: true } satisfies NickChange)
  }

  /** Records a sighting in the directory; a known key under a new nick is a rename every front end hears of at once. */
  private see (key: string, nick: string, at: Sighting): void {
    const old = this.p.directory.see(key, nick, at)
    if (old === null || key === this.id) return
    this.p.presence.renamed(key, nick)
    this.emit('peer-nick', { peer: key, old, nick, self: false } satisfies NickChange)
  }

  get room (): string { return this.p.rooms.current }
  get rooms (): string[] { return this.p.rooms.list() }
  join (room: string): string { return this.p.rooms.join(room) }
  /** Leaves a room; the others hear a signed leave (reason part, with `message`, cut to MAX_LEAVE_MESSAGE_BYTES) at once. */
  leave (room: string, message?: string): string { return this.p.rooms.leave(room, message) }
  /** Says goodbye to every room (reason quit, with `message`) before the links close; the node announces nothing more. Call close() after a short flush. */
  quit (message?: string): void { if (!this.closed) this.p.presence.quit(message) }
  /** A text-gateway guest comes, is renamed (`old`), or goes (`message`: why), in the current room, signed by this node. Throws GUEST_LIMIT, BAD_NICK. */
  guestPresence (guest: string, state: 'join' | 'leave' | 'nick', old?: string, message?: string): void {
    if (this.closed) return
    this.p.presence.guest(this.p.rooms.current, state === 'leave' ? guest : validateNick(guest), state, old, message)
  }
  switchRoom (room: string): string { return this.p.rooms.switch(room) }
  /** Validates a room name this node is in; throws NOT_IN_ROOM otherwise. */
  switchRoomCheck (room: string): string { return this.p.rooms.check(room) }

  /** `nick#tag` with the shortest tag that tells this key from every other known key. */
  label (key: string, nick?: string): string { return this.p.directory.label(key, nick) }
  tag (key: string): string { return this.p.directory.tag(key) }
  who (room: string = this.p.rooms.current): MemberInfo[] {
    return this.p.presence.list(this.p.rooms.check(room)).map(m => ({ ...m, tag: this.p.directory.tag(m.peer) }))
  }

  memberCount (room: string = this.p.rooms.current): number { return this.p.presence.roomSize(this.p.rooms.check(room)) }

  whois (target: string): WhoisInfo {
    const key = this.p.directory.resolve(target)
    return whois(this.p.directory.get(key)!, this.p.directory.tag(key), this.peers().find(p => p.peer === key))
  }

  /** Frames of everything history holds now (what an on-disk log compacts to). */
  historyFrames (): Buffer[] { return this.p.history.frames() }
  historySize (room: string): number { return this.p.history.room(room).size }
  stats (): NodeStats { return { ...this.p.pipeline.stats, originated: this.p.flood.originated, seen: this.p.seen.size, sync: { ...this.p.sync.stats }, private: { ...this.p.privates.stats }, lazy: { ...this.p.lazy.stats } } }
}
