// Builds a node's parts and wires them to each other: the link table and its
// frame registry (flood, sync, rooms, pex, room peers), the accept pipeline, history,
// presence, private messages, dialing, peer exchange and member linking. The node (node.ts)
// gives it a host: the few things the parts ask of the node itself.
import type { LinkSession } from './link-session'
import { LinkTable } from './link-table'
import { FrameRegistry } from './frame-registry'
import { Pipeline, type Source } from './pipeline'
import { Flood } from './flood'
import { LazyPush } from './lazy-push'
import { RecentIds } from './recent-ids'
import { EVERY_LINK, carries } from './overlay'
import { SeenCache } from './seen-cache'
import { DeliveredLog } from './delivered-log'
import { AuthorLimits, OWN_SEND_SHARE, DEFAULT_LINK_MESSAGE_RATE, DEFAULT_LINK_MESSAGE_BURST, OWN_FIRST_BURST, firstBurst } from './author-limits'
import { TokenBucket } from './token-bucket'
import { SharedBudget } from './send-budget'
import { Bans } from './bans'
import { PeerTable } from './peer-table'
import { Dialing } from './dialing'
import { PeerExchange } from './pex'
import { MemberLinks } from './member-links'
import { MAX_PEX_DIALS_PER_MIN, PEX_WINDOW_MS, SlidingWindow } from './pex-limits'
import { History, DEFAULT_HISTORY_SIZE } from './history'
import { HistorySync } from './sync'
import { RosterSync } from './roster-sync'
import { Directory, type Sighting } from './directory'
import { Presence } from './presence'
import { PrivateMessages } from './private'
import { Rooms } from './rooms'
import { systemClock, type Clock } from './clock'
import * as O from './options'
import { FrameType, encodeRooms, decodeRooms, type Hello } from '../protocol/frames'
import { verifyFlood, type FloodMessage } from '../protocol/envelope'
import { MeshError, type ErrorCode, type PeerFault } from '../protocol/errors'
import { PROTOCOL_VERSION, MAX_SYNC_OFFER_IDS } from '../protocol/limits'
import type { HistoryStore } from './types'

/** What the parts ask of the node. */
export interface NodeHost {
  id: string
  nick (): string
  listen (): string
  emit (event: string, ...args: unknown[]): void
  fault (code: ErrorCode, message: string, peer?: string, flow?: boolean): void
  hello (version: number): Hello
  onEstablished (s: LinkSession, first: boolean): void
  dispatch (m: FloodMessage, source: Source): void
  originate (kind: number, room: string, payload: Buffer): FloodMessage
  /** Records a sighting in the directory and reports a rename. */
  see (key: string, nick: string, at: Sighting): void
}

export interface Parts {
  clock: Clock
  timing: O.Timing
  ttl: number
  rooms: Rooms
  links: LinkTable
  seen: SeenCache
  delivered: DeliveredLog
  pipeline: Pipeline
  flood: Flood
  lazy: LazyPush
  table: PeerTable
  history: History
  historyStore: HistoryStore | null
  /** Per-author rates; the pipeline takes one token a message (a guest batch: one a line). */
  authors: AuthorLimits
  /** What this node originates, paced below what its relays accept of one author (front ends wait on it). */
  sendBudget: SharedBudget
  sync: HistorySync
  roster: RosterSync
  directory: Directory
  presence: Presence
  privates: PrivateMessages
  dialing: Dialing
  peerExchange: PeerExchange | null
  members: MemberLinks
}

export function buildParts (opts: O.NodeOptions, host: NodeHost): Parts {
  const p = {} as Parts
  const clock = p.clock = opts.clock ?? systemClock
  const now = () => clock.now()
  const timing = p.timing = { ...O.DEFAULT_TIMING, ...opts.timing }
  p.ttl = opts.ttl ?? O.DEFAULT_TTL
  const maxLinks = opts.maxLinks ?? O.DEFAULT_MAX_LINKS
  const version = opts.protocolVersion ?? PROTOCOL_VERSION
  const seenMaxAgeMs = opts.seenMaxAgeMs ?? O.DEFAULT_SEEN_MAX_AGE_MS
  if (timing.messageLifetimeMs >= seenMaxAgeMs) throw new MeshError('BAD_OPTION', 'message lifetime must be shorter than the seen cache age')
  const rooms = () => p.rooms.view as Set<string>
  p.rooms = new Rooms(opts.rooms, {
    joined: r => { p.presence.onJoin(r); p.sync.onJoin(r); p.roster.onJoin(r) },
    leaving: (r, message) => { p.presence.onLeave(r, message) },
    changed: list => { p.links.broadcast(encodeRooms(list), null); p.members.announce(); host.emit('rooms', list) }
  })
  p.seen = new SeenCache({ maxSize: opts.seenMaxSize ?? O.DEFAULT_SEEN_MAX_SIZE, maxAgeMs: seenMaxAgeMs, now })
  p.delivered = new DeliveredLog()
  const historySize = opts.historySize ?? DEFAULT_HISTORY_SIZE
  // A sync offer lists at most MAX_SYNC_OFFER_IDS ids: a longer history would take honest answers for replays.
  if (historySize > MAX_SYNC_OFFER_IDS) throw new MeshError('BAD_OPTION', `history size over ${MAX_SYNC_OFFER_IDS}, what one sync offer can list`)
  p.history = new History(historySize)
  p.historyStore = opts.historyStore ?? null
  const authorRate = opts.authorRate ?? O.AUTHOR_DEFAULTS.rate
  const authorBurst = opts.authorBurst ?? O.AUTHOR_DEFAULTS.burst
  const authors = p.authors = new AuthorLimits({ rate: authorRate, burst: authorBurst, newPerLinkPerMin: opts.newAuthorsPerLinkPerMin ?? O.AUTHOR_DEFAULTS.newPerLinkPerMin, youngMs: timing.youngAuthorMs, now })
  // Relays meeting this node start its bucket at firstBurst (2 of 20); its own budget starts there too, and drops to it
  // at its first message after a link came up, so a paste sent as it joins is paced at home, not held at its relays.
  const ownFirst = timing.youngAuthorMs > 0 ? Math.min(OWN_FIRST_BURST, firstBurst(authorBurst, timing.youngAuthorMs)) : null
  p.sendBudget = new SharedBudget(authorRate * OWN_SEND_SHARE, Math.max(1, Math.floor(authorBurst * OWN_SEND_SHARE)), clock, ownFirst ?? undefined)
  const registry = new FrameRegistry()
  p.links = new LinkTable({
    selfKey: opts.keyPair.publicKey, version, maxLinks, timing, registry,
    limits: { rate: opts.ratePerSecond ?? O.DEFAULT_RATE_PER_SECOND, burst: opts.rateBurst ?? O.DEFAULT_RATE_BURST, maxQueuedBytes: opts.maxQueuedBytes ?? O.MAX_LINK_BUFFERED_BYTES, newAuthors: () => authors.linkBudget(), youngMessages: () => authors.youngBudget(), newMessages: () => new TokenBucket(opts.linkMessageRate ?? DEFAULT_LINK_MESSAGE_RATE, opts.linkMessageBurst ?? DEFAULT_LINK_MESSAGE_BURST, now), now },
    reservedOutbound: opts.reservedOutbound ?? O.defaultReserved(maxLinks),
    bans: new Bans(now, timing.banMs),
    hello: () => host.hello(version),
    onSelfAddress: a => p.table.markSelf(a),
    onEstablished: (s, first) => {
      if (ownFirst !== null) p.sendBudget.capAtNextSend(ownFirst)
      host.onEstablished(s, first)
      p.members.announce()
    },
    onPeerDown: (peer, nick, reason) => { host.emit('peer-down', { peer, nick: p.directory.get(peer)?.nick || nick, reason }); p.dialing.lost(peer); p.presence.onLinkDown(peer) },
    fault: (code, message, peer, flow) => host.fault(code, message, peer, flow)
  })
  const penalise = (s: LinkSession, fault: PeerFault, points?: number) => p.links.penalise(s, fault, points)
  const seenMaxSize = opts.seenMaxSize ?? O.DEFAULT_SEEN_MAX_SIZE
  p.lazy = new LazyPush({
    sessions: () => p.links.sessions, recent: new RecentIds(seenMaxSize, seenMaxAgeMs, clock),
    carried: room => room === EVERY_LINK || p.rooms.has(room), hopLimit: p.ttl, clock,
    ihaveDelayMs: timing.ihaveDelayMs, graftTimeoutMs: timing.graftTimeoutMs, enabled: opts.lazyPush !== false, penalise, random: opts.random
  })
  p.lazy.register(registry)
  // One string per key, the directory's, for the structures that keep a key per member.
  const keyHex = (k: Buffer): string => p.directory.canonical(k.toString('hex'))
  p.pipeline = new Pipeline({
    seen: p.seen, delivered: p.delivered, history: p.history, authors, now, maxTtl: p.ttl, historyWindowMs: timing.historyWindowMs,
    forward: (m, room, author, out, from) => p.lazy.forward(m.id, room, author, m.hops, out, from),
    known: (m, room, author, hops) => p.lazy.known(m.id, room, author, hops),
    lazyPush: opts.lazyPush !== false,
    dispatch: (m, source) => host.dispatch(m, source),
    heldFrom: (s, author) => p.flood.heldFrom(s, author),
    keyHex,
    verify: opts.verify
  })
  p.flood = new Flood({
    pipeline: p.pipeline, seen: p.seen, keyPair: opts.keyPair, lazy: p.lazy, penalise, clock,
    heldRetryMs: 60_000 / (opts.newAuthorsPerLinkPerMin ?? O.AUTHOR_DEFAULTS.newPerLinkPerMin)
  })
  p.flood.register(registry)
  p.sync = new HistorySync({ history: p.history, pipeline: p.pipeline, rooms, sessions: () => p.links.sessions, penalise, now, clock, historyWindowMs: timing.historyWindowMs })
  p.sync.register(registry)
  registry.add<string[]>(FrameType.ROOMS, { name: 'rooms', decode: decodeRooms, onmessage: (s, list) => { s.setRooms(list); p.members.announce() } })
  p.table = new PeerTable(now, timing.redialMinMs)
  p.dialing = new Dialing({
    addLink: (link, address) => p.links.add(link, address),
    established: key => p.links.established(key),
    isUp: key => p.links.isUp(key),
    isSelf: a => p.table.isSelf(a),
    fault: (code, message) => host.fault(code, message),
    redialMinMs: timing.redialMinMs, redialMaxMs: timing.redialMaxMs, random: opts.random ?? Math.random, clock
  })
  p.dialing.dialer = opts.dialer ?? null
  p.directory = new Directory(host.id, now, opts.nickBook ?? null, w => host.emit('warning', w))
  const pexDials = new SlidingWindow(MAX_PEX_DIALS_PER_MIN, PEX_WINDOW_MS, now)
  const sharesRoom = (key: string) => {
    const s = p.links.established(key)
    const theirs = s ? s.hello!.rooms : [...(p.directory.get(key)?.rooms ?? [])]
    return theirs.some(r => p.rooms.has(r))
  }
  p.peerExchange = opts.pex === false ? null : new PeerExchange({
    id: host.id, table: p.table, sessions: () => p.links.sessions, linkedKeys: () => p.links.peersByKey,
    dialing: () => p.dialing.pending, isTarget: a => p.dialing.isTarget(a), dial: a => p.dialing.dial(a, 'pex'), canDial: () => !!p.dialing.dialer,
    minLinks: opts.minLinks ?? O.DEFAULT_MIN_LINKS, maxLinks, intervalMs: timing.pexIntervalMs, now,
    dialWindow: pexDials, sharesRoom,
    fault: (code, message, peer) => host.fault(code, message, peer)
  })
  registry.add<Buffer>(FrameType.PEX, { name: 'pex', decode: f => f, onmessage: (s, f) => p.peerExchange?.onFrame(f, s.key) })
  p.members = new MemberLinks({
    id: host.id, enabled: opts.pex !== false, rooms, sessions: () => p.links.sessions,
    linked: key => p.links.peersByKey.has(key), dialing: a => p.dialing.pending.has(a),
    heard: room => new Set(p.presence.list(room).map(m => m.peer)),
    table: p.table, pexDials, dial: a => p.dialing.dial(a), canDial: () => !!p.dialing.dialer, now,
    refuse: (s, fault) => p.links.penalise(s, fault, 0)
  })
  registry.add<Buffer>(FrameType.ROOM_PEERS, { name: 'room-peers', decode: f => f, onmessage: (s, f) => p.members.onFrame(s, f) })
  p.presence = new Presence({
    selfKey: host.id, nick: host.nick, listen: host.listen, rooms, sendBudget: p.sendBudget,
    originate: (kind, room, payload) => host.originate(kind, room, payload),
    onChange: c => host.emit('presence', c),
    onGuestRename: r => host.emit('peer-nick', { peer: r.peer, old: r.old, nick: r.nick, self: false, via: r.via, room: r.room }),
    onSighting: (key, nick, room, listen, hops, ts) => host.see(key, nick, { room, hops, ts, address: listen || undefined }),
    keyHex,
    // The overlay's own rule: a link whose room list is unknown or may have been cut carries every room.
    linkedIn: room => { for (const s of p.links.sessions) if (s.established && !s.link.closed && carries(s.hello?.rooms, room)) return true; return false },
    cutOffMs: timing.roomCutOffMs,
    clock, intervalMs: timing.presenceIntervalMs, timeoutMs: timing.presenceTimeoutMs
  })
  p.roster = new RosterSync({ presence: p.presence, rooms, sessions: () => p.links.sessions, penalise, clock, verify: opts.verify ?? verifyFlood, enabled: opts.rosterSync !== false })
  p.roster.register(registry)
  p.privates = new PrivateMessages({
    keyPair: opts.keyPair, nick: host.nick,
    originate: (kind, room, payload) => host.originate(kind, room, payload),
    message: m => host.emit('message', m),
    delivered: (id, peer) => host.emit('delivered', { id, peer }),
    undelivered: (id, peer) => host.emit('undelivered', { id, peer }),
    ackTimeoutMs: timing.privateAckTimeoutMs, clock, sendBudget: p.sendBudget,
    dropped: (err, author) => host.fault(err.code, err.message, author)
  })
  return p
}
