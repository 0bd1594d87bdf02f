// The node's links: admission (self, bans, --max-links with slots kept for
// our own dials, duplicate tie-break), the HELLO handshake, inbound rate
// limit, score and penalties, keep-alive and liveness, and peer-up /
// peer-down bookkeeping (one peer may briefly have two links). Frames other
// than HELLO and PING go to the frame registry.
import { shortKey } from './names'
import type { Found, Link, Via } from './link'
import type { FrameRegistry } from './frame-registry'
import type { Bans } from './bans'
import { LinkSession, PEER_SCORE_CLOSE, PENALTY, type SessionLimits } from './link-session'
import type { Timing } from './options'
import { trace } from './trace'
import { FrameType, PING_FRAME, decodeHello, decodeHelloVersion, encodeHello, frameType, type Hello } from '../protocol/frames'
import { MeshError, errorMessage, type ErrorCode, type PeerFault } from '../protocol/errors'

export interface PeerInfo {
  /** `address`: where it listens, else where it connects from (as before). */
  peer: string; nick: string; address: string; via: Via
  /** The path this link took: the far end of the connection as this node sees it (a NAT's public address, say). */
  remote?: string
  /** Where the peer says it listens (a wildcard host resolved to `remote`'s host), or null when it listens nowhere. */
  listen?: string | null
  /** What led to the link (mdns, dht, pex, peer); absent when the peer dialled us. */
  found?: Found
  /** The link's score (0 when well behaved; closed at PEER_SCORE_CLOSE) and the inbound frames it had dropped over the rate limit. */
  score: number; dropped: number
}

/** A fault of one code on one link is reported at most once in this long (the next report counts the rest). */
export const NOTE_INTERVAL_MS = 10_000

/** Score points one bad frame (bad signature, unknown type, ...) costs a link by default. */
export const DEFAULT_PENALTY = PENALTY.BAD_FRAME

interface PeerRecord { sessions: Set<LinkSession>; announced: boolean }

export interface LinkTableHooks {
  selfKey: Buffer
  version: number
  limits: SessionLimits
  maxLinks: number
  /** Slots of --max-links that links we did not dial cannot take. */
  reservedOutbound: number
  timing: Timing
  registry: FrameRegistry
  bans: Bans
  /** Our HELLO, as of now. */
  hello: () => Hello
  onSelfAddress: (address: string) => void
  /** A link finished its handshake; `first` when it is the peer's first link up. */
  onEstablished: (s: LinkSession, first: boolean) => void
  onPeerDown: (key: string, nick: string, reason: string) => void
  /** `flow`: the peer is not blamed (Fault.flow). */
  fault: (code: ErrorCode, message: string, peer?: string, flow?: boolean) => void
}

const log = trace('links')

export class LinkTable {
  readonly sessions = new Set<LinkSession>()
  readonly peersByKey = new Map<string, PeerRecord>()
  closed = false
  private readonly selfHex: string

  constructor (private readonly h: LinkTableHooks) {
    this.selfHex = h.selfKey.toString('hex')
  }

  get size (): number { return this.sessions.size }

  /** Takes an authenticated link. Returns its session, or null if refused. */
  add (link: Link, dialedAddress: string | null): LinkSession | null {
    if (this.closed) return this.refuse(link, new MeshError('NODE_CLOSED', 'node is shutting down'))
    const s = new LinkSession(link, dialedAddress, this.h.limits)
    if (s.key === this.selfHex) {
      if (dialedAddress) this.h.onSelfAddress(dialedAddress)
      return this.refuse(link, new MeshError('SELF_LINK', 'refusing a link to this node itself'))
    }
    if (this.h.bans.has(s.key) || this.h.bans.has(s.remoteHost)) {
      return this.refuse(link, new MeshError('BANNED', `${link.remoteAddress} is refused for a while after misbehaving`))
    }
    const rec = this.peersByKey.get(s.key)
    if (!rec) {
      const inbound = [...this.sessions].filter(x => !x.link.initiator).length
      const full = this.sessions.size >= this.h.maxLinks || (!link.initiator && inbound >= this.h.maxLinks - this.h.reservedOutbound)
      if (full) {
        this.h.fault('TOO_MANY_LINKS', `refused a link from ${link.remoteAddress}: already at --max-links ${this.h.maxLinks}${link.initiator ? '' : ` (${this.h.reservedOutbound} kept for our own dials)`}`)
        return this.refuse(link, new MeshError('TOO_MANY_LINKS', `peer is at its limit of ${this.h.maxLinks} links`))
      }
    }
    for (const other of rec ? [...rec.sessions] : []) {
      if (!this.preferNew(s, other)) return this.refuse(link, new MeshError('DUPLICATE_LINK', 'already linked to this peer'))
    }
    // The replaced links stay until the new one has finished its handshake, so
    // the peer never looks gone in between; if the new one fails, they stay.
    const replaced = rec ? [...rec.sessions] : []
    if (replaced.length) {
      s.ready.then(() => {
        for (const other of replaced) other.link.destroy(new MeshError('DUPLICATE_LINK', 'replaced by another link to the same peer'))
      }, () => {})
    }
    this.sessions.add(s)
    const r = rec ?? { sessions: new Set<LinkSession>(), announced: false }
    r.sessions.add(s)
    this.peersByKey.set(s.key, r)
    link.on('frame', (frame: Buffer) => this.onFrame(s, frame))
    link.once('close', (err?: Error) => this.onClose(s, err))
    if (link.closed) { this.onClose(s, undefined); return null }
    s.send(encodeHello(this.h.hello()))
    return s
  }

  private refuse (link: Link, err: MeshError): null {
    log('refused %s: %s', link.remoteAddress, err.code)
    link.destroy(err)
    return null
  }

  /** Duplicate tie-break, the same on both ends: opposite directions keep the link dialled by the lower key; same direction keeps the newer. */
  private preferNew (fresh: LinkSession, old: LinkSession): boolean {
    if (fresh.link.initiator === old.link.initiator) return true
    const iAmLower = Buffer.compare(this.h.selfKey, fresh.link.remotePublicKey) < 0
    return fresh.link.initiator === iAmLower
  }

  private onClose (s: LinkSession, err?: Error): void {
    if (!this.sessions.delete(s)) return
    log('closed %s: %s', s.displayAddress, err ? errorMessage(err) : 'by peer')
    s.closed(err ?? new MeshError('CONNECT_FAILED', 'link closed'))
    const rec = this.peersByKey.get(s.key)
    if (!rec) return
    rec.sessions.delete(s)
    if (rec.sessions.size > 0) return
    this.peersByKey.delete(s.key)
    if (rec.announced) this.h.onPeerDown(s.key, s.nick, err ? errorMessage(err) : 'closed by peer')
  }

  private onFrame (s: LinkSession, frame: Buffer): void {
    if (this.closed || s.link.closed) return
    const admitted = s.admit(this.h.timing.rateLimitGraceMs)
    if (admitted !== 'ok') {
      if (s.dropped === 1) this.h.fault('RATE_LIMITED', `peer ${shortKey(s.key)} is over the rate limit of ${this.h.limits.rate} frames/s; dropping its excess frames`, s.key)
      if (admitted === 'close') this.closeLink(s, new MeshError('RATE_LIMITED', `stayed over the rate limit of ${this.h.limits.rate} frames/s`))
      return
    }
    try {
      const type = frameType(frame)
      if (!s.established) return this.onHello(s, type, frame)
      if (type === FrameType.PING) return
      if (type === FrameType.HELLO) throw MeshError.frameInvalid('second HELLO')
      this.h.registry.dispatch(s, type, frame)
    } catch (err) {
      // The peer's fault closes its link; anything else is our bug and is not blamed on the peer.
      if (!(err instanceof MeshError)) throw err
      if (err.code === 'UNKNOWN_FRAME') return this.penalise(s, err)
      this.closeLink(s, err)
    }
  }

  private onHello (s: LinkSession, type: number, frame: Buffer): void {
    if (type !== FrameType.HELLO) throw MeshError.frameInvalid(`expected HELLO, got frame type ${type}`)
    const version = decodeHelloVersion(frame)
    if (version !== this.h.version) {
      throw new MeshError('VERSION_MISMATCH', `peer ${s.link.remoteAddress} speaks protocol version ${version}, this node speaks ${this.h.version}: upgrade the older side`)
    }
    s.establish(decodeHello(frame))
    const rec = this.peersByKey.get(s.key)!
    const first = !rec.announced
    rec.announced = true
    this.h.onEstablished(s, first)
  }

  /** Lowers a link's score for a fault; at PEER_SCORE_CLOSE the link is closed and its key and IP refused for a while. */
  penalise (s: LinkSession, err: PeerFault, points: number = DEFAULT_PENALTY): void {
    if (s.link.closed) return
    const score = points > 0 ? s.blame(points) : s.score
    // Said once per code per link per NOTE_INTERVAL_MS, with a count: junk frames never turn into a line each.
    const more = s.note(err.code, NOTE_INTERVAL_MS)
    if (more !== null) {
      const also = more > 0 ? `; ${more} more like it in the last ${Math.round(NOTE_INTERVAL_MS / 1000)} s` : ''
      const cost = points > 0 ? `score ${Math.round(score)}, closed at ${PEER_SCORE_CLOSE}` : 'refused, not counted against it'
      this.h.fault(err.code, `${err.message} (from peer ${shortKey(s.key)}, ${cost}${also})`, s.key, points <= 0)
    }
    if (points > 0 && score <= PEER_SCORE_CLOSE) {
      this.h.bans.ban(s.key, s.remoteHost)
      this.closeLink(s, new MeshError('PENALTY_LIMIT', `closed for a score of ${Math.round(score)}; refused for a while`))
    }
  }

  closeLink (s: LinkSession, err: MeshError): void {
    this.h.fault(err.code, `closing link to ${s.displayAddress}: ${err.message}`, s.key)
    s.link.destroy(err)
  }

  /** Sends a frame on every established link but one (a stuck link is closed by its session). */
  broadcast (frame: Buffer, except: LinkSession | null): void {
    for (const s of this.sessions) if (s !== except && s.established) s.send(frame)
  }

  /** Handshake deadline, liveness and keep-alive for every link. */
  tick (): void {
    const t = this.h.limits.now()
    const { helloTimeoutMs, idleTimeoutMs, keepAliveMs } = this.h.timing
    for (const s of [...this.sessions]) {
      if (!s.established) {
        if (t - s.createdAt > helloTimeoutMs) this.closeLink(s, new MeshError('HANDSHAKE_TIMEOUT', `no HELLO within ${helloTimeoutMs} ms`))
      } else if (t - s.lastRx > idleTimeoutMs) {
        this.closeLink(s, new MeshError('LINK_TIMEOUT', `silent for ${t - s.lastRx} ms`))
      } else if (t - s.lastTx >= keepAliveMs) {
        s.send(PING_FRAME)
      }
    }
  }

  close (): void {
    this.closed = true
    for (const s of [...this.sessions]) s.link.destroy(new MeshError('NODE_CLOSED', 'node is shutting down'))
  }

  isUp (key: string): boolean { return !!this.established(key) }

  /** The established session to a peer, if any. */
  established (key: string): LinkSession | undefined {
    const rec = this.peersByKey.get(key)
    return rec && [...rec.sessions].find(s => s.established)
  }

  info (s: LinkSession): PeerInfo {
    const info: PeerInfo = { peer: s.key, nick: s.nick, address: s.displayAddress, via: s.link.via, remote: s.link.remoteAddress, listen: s.dialable, score: s.score, dropped: s.dropped }
    if (s.link.found) info.found = s.link.found
    return info
  }

  peers (): PeerInfo[] {
    const out: PeerInfo[] = []
    for (const key of this.peersByKey.keys()) {
      const s = this.established(key)
      if (s) out.push(this.info(s))
    }
    return out
  }
}
