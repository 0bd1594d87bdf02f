// Topic links through the hyperswarm DHT. Peers that join the same topic find
// each other by the topic key and connect (hole punching where needed); each
// connection is a secret-stream keyed with the node's identity, handed out as
// a StreamLink with via 'swarm', behind a wire length guard
// (swarm-wire-guard.ts). Discovery state (peers found and linked), DHT
// trouble and why found peers could not be reached (swarm-failures.ts) are
// reported through callbacks so the user can see whether it is working.
import DHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import type { Link } from '../core/link'
import { StreamLink } from './stream-link'
import { closeDht } from './dht-node'
import { closeWithin } from './close'
import { SwarmWireGuard, type SwarmWireStats } from './swarm-wire-guard'
import { FailureBook, connectFailureReason } from './swarm-failures'
import { hash, type KeyPair } from '../protocol/crypto'
import { MeshError, type ErrorCode } from '../protocol/errors'
import { formatAddress, isWildcardHost, type HostPort } from '../protocol/address'

/** Prefix hashed with a topic name, so other applications' topics never collide with ours. */
export const TOPIC_PREFIX = 'meshchat/topic/v1:'
/**
 * Port range for a peer's DHT socket: [0, 1) is port 0, any free port. The
 * default range starts at 49737, where a bootstrap node may want to be.
 */
export const RANDOM_PORT_RANGE: [number, number] = [0, 1]
/** Longest the swarm may take to unannounce and close before it is forced. */
export const SWARM_CLOSE_TIMEOUT_MS = 2000

import { DEFAULT_SWARM_TIMING, type SwarmTiming } from './swarm-timing'
export { DEFAULT_SWARM_TIMING, type SwarmTiming }

export type DiscoveryState = 'joining' | 'joined' | 'error'
/**
 * `peers` and `linked`: distinct peers linked on the topic; `found`: peers the
 * DHT lookups found (linked or not); `reason`: why the latest of the found
 * peers that are not linked could not be reached, when one failed.
 */
export interface DiscoveryReport { topic: string; state: DiscoveryState; peers: number; found: number; linked: number; via: 'dht'; reason?: string }

export interface SwarmTransportOptions {
  keyPair: KeyPair
  /** Host to bind the DHT's UDP sockets to (the --listen host). */
  host: string
  /** Private DHT bootstrap nodes; undefined means the public DHT. */
  bootstrap?: HostPort[]
  onLink: (link: Link) => void
  onDiscovery?: (d: DiscoveryReport) => void
  /** DHT trouble, refused connections and oversized wire messages, as coded errors. */
  onFault?: (err: MeshError) => void
  maxPeers?: number
  timing?: Partial<SwarmTiming>
}

interface Topic {
  name: string
  key: Buffer
  session: Hyperswarm.PeerDiscoverySession
  state: DiscoveryState
  reported: string
  refreshing: boolean
}

interface LiveConnection { link: StreamLink; info: Hyperswarm.PeerInfo }

/** The 32-byte DHT key of a topic name. */
export function topicKey (name: string): Buffer {
  return hash(Buffer.from(TOPIC_PREFIX + name, 'utf8'))
}

export class SwarmTransport {
  readonly timing: SwarmTiming
  private readonly dht: DHT
  private readonly swarm: Hyperswarm
  private readonly topics = new Map<string, Topic>()
  private readonly live = new Set<LiveConnection>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly wire = new SwarmWireGuard(err => { if (!this.closed) this.opts.onFault?.(err) })
  private readonly failures = new FailureBook()
  private retryTimer: NodeJS.Timeout | null = null
  private unreachable = false
  private closed = false

  constructor (private readonly opts: SwarmTransportOptions) {
    this.timing = { ...DEFAULT_SWARM_TIMING, ...opts.timing }
    const host = isWildcardHost(opts.host) ? undefined : opts.host
    this.dht = new DHT({ bootstrap: opts.bootstrap, host, port: RANDOM_PORT_RANGE, keyPair: opts.keyPair })
    this.dht.fullyBootstrapped().catch(err => this.fault('LISTEN_FAILED', `cannot start the DHT node on ${opts.host} (UDP): ${err.message}`))
    this.watchConnects()
    this.swarm = new Hyperswarm({ dht: this.dht, keyPair: opts.keyPair, maxPeers: opts.maxPeers })
    this.swarm.on('update', () => this.reportAll())
    this.swarm.on('connection', (conn, info) => this.onConnection(conn, info))
    this.later(this.timing.unreachableMs, () => this.checkReachable())
  }

  /** Joins a topic: announces this node and looks up others. Resolves true once a DHT query completed. */
  async join (name: string, mode: { client?: boolean; server?: boolean } = {}): Promise<boolean> {
    if (this.closed) throw new MeshError('NODE_CLOSED', 'the swarm is closed')
    const existing = this.topics.get(name)
    if (existing) return existing.state === 'joined'
    const key = topicKey(name)
    const session = this.swarm.join(key, { client: mode.client ?? true, server: mode.server ?? true })
    const topic: Topic = { name, key, session, state: 'joining', reported: '', refreshing: true }
    this.topics.set(name, topic)
    this.report(topic)
    for (let i = 1; i <= this.timing.earlyRefreshes; i++) {
      this.later(i * this.timing.earlyRefreshMs, () => { void this.refresh(topic) })
    }
    const ok = await session.flushed().catch(() => false)
    topic.refreshing = false
    this.settle(topic, ok)
    return ok
  }

  /** Connections guarded, closed by the wire length guard, or left unguarded. */
  get wireStats (): Readonly<SwarmWireStats> { return this.wire.stats }

  /** Live swarm links (after the node's duplicate tie-break, links it closed are gone). */
  get linkCount (): number { return this.live.size }

  private async refresh (topic: Topic): Promise<void> {
    if (this.closed || topic.refreshing) return
    topic.refreshing = true
    const ok = await topic.session.refresh().catch(() => false)
    topic.refreshing = false
    this.settle(topic, ok)
  }

  private settle (topic: Topic, ok: boolean): void {
    if (this.closed) return
    if (ok) {
      this.unreachable = false
      topic.state = 'joined'
    } else if (this.unreachable) {
      topic.state = 'error'
    }
    this.report(topic)
    if (!ok) this.scheduleRetry()
  }

  /**
   * hyperswarm swallows the errors of the connections it dials and retries in
   * silence: wrap the DHT's connect to learn why a found peer was not reached.
   */
  private watchConnects (): void {
    const dht = this.dht as unknown as { connect: (key: Buffer, opts?: object) => NodeJS.EventEmitter; nodes?: { length: number } }
    const connect = dht.connect.bind(this.dht)
    dht.connect = (key, opts) => {
      const conn = connect(key, opts)
      // only failures before the connection opened: later closes are reported where they happen (wire guard, greeting)
      let opened = false
      conn.once('open', () => { opened = true })
      conn.on('error', (err: Error & { code?: string }) => {
        if (this.closed || opened) return
        this.failures.record(key.toString('hex'), connectFailureReason(err.code, err.message, dht.nodes?.length ?? 0))
        this.reportAll()
      })
      return conn
    }
  }

  private checkReachable (): void {
    if (this.closed || this.answered()) return
    this.unreachable = true
    const where = this.opts.bootstrap ? `bootstrap ${this.opts.bootstrap.map(b => formatAddress(b.host, b.port)).join(', ')}` : 'the public DHT'
    this.fault('DHT_UNREACHABLE', `no DHT node answered within ${this.timing.unreachableMs} ms (${where}): check --bootstrap, ` +
      'and that a firewall lets UDP through; still retrying, and direct --peer links keep working')
    for (const t of this.topics.values()) {
      if (t.state !== 'joined') { t.state = 'error'; this.report(t) }
    }
    this.scheduleRetry()
  }

  /** True once any DHT node has answered us. */
  private answered (): boolean {
    if ([...this.topics.values()].some(t => t.state === 'joined')) return true
    return (this.dht.stats?.requests?.responses ?? 0) > 0
  }

  private scheduleRetry (): void {
    if (this.closed || this.retryTimer) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      const pending = [...this.topics.values()].filter(t => t.state !== 'joined')
      for (const t of pending) void this.refresh(t)
    }, this.timing.retryMs)
  }

  private onConnection (conn: Hyperswarm.SwarmConnection, info: Hyperswarm.PeerInfo): void {
    conn.on('error', () => {})
    if (this.closed) { conn.destroy(); return }
    const raw = conn.rawStream
    const address = raw?.remoteHost ? formatAddress(raw.remoteHost, raw.remotePort) : ''
    // First, before anything reads from it: no oversized message may reach secret-stream.
    if (this.wire.attach(conn, `swarm peer ${address || '(no address)'}`) === 'tripped') return
    // hyperdht dials with the key it looked up, but check it: a link must be to whom we meant.
    if (info.client && conn.remotePublicKey && !conn.remotePublicKey.equals(info.publicKey)) {
      conn.destroy()
      this.fault('CONNECT_FAILED', 'a swarm peer answered with an unexpected key; closed that connection')
      return
    }
    const link = new StreamLink(conn, address, 'swarm', raw)
    if (info.client) link.found = 'dht'
    const entry: LiveConnection = { link, info }
    this.failures.clear(info.publicKey.toString('hex'))
    this.live.add(entry)
    link.once('close', () => {
      this.live.delete(entry)
      // hyperswarm hands over a replacing duplicate right after this close: count once both settled
      setImmediate(() => this.reportAll())
    })
    this.reportAll()
    if (conn.isInitiator) this.handOverWhenGreeted(link, info)
    else this.opts.onLink(link)
  }

  /**
   * hyperswarm at the far end may still drop a connection we dialled, as a
   * duplicate of one it dialled us on. Handing such a link to the node would
   * let it retire a working link (TCP, say) for one about to die, so the
   * dialler's end goes to the node only once the far node has greeted on it.
   */
  private handOverWhenGreeted (link: StreamLink, info: Hyperswarm.PeerInfo): void {
    const timer = setTimeout(() => {
      const why = `the link to ${link.remoteAddress || 'a swarm peer'} opened but the peer sent nothing within ${this.timing.greetingTimeoutMs} ms ` +
        '(often a stale hole-punch socket at its end); closed it'
      this.failures.record(info.publicKey.toString('hex'), why)
      link.destroy(new MeshError('HANDSHAKE_TIMEOUT', why))
      this.fault('HANDSHAKE_TIMEOUT', why)
    }, this.timing.greetingTimeoutMs)
    link.once('close', () => clearTimeout(timer))
    link.once('frame', (first: Buffer) => {
      clearTimeout(timer)
      if (this.closed || link.closed) return
      this.opts.onLink(link)
      link.emit('frame', first)
    })
  }

  /** Distinct peers linked through the swarm that found us on this topic (or whose topic is unknown: they dialled us). */
  private peersFor (topic: Topic): Set<string> {
    const keys = new Set<string>()
    for (const { link, info } of this.live) {
      if (link.closed) continue
      if (info.topics.length === 0 || info.topics.some(k => k.equals(topic.key))) keys.add(info.publicKey.toString('hex'))
    }
    return keys
  }

  /** Peers the DHT lookups of this topic found, linked or not. */
  private foundFor (topic: Topic): Set<string> {
    const keys = new Set<string>()
    for (const [key, info] of this.swarm.peers) if (info.topics.some(k => k.equals(topic.key))) keys.add(key)
    return keys
  }

  private report (topic: Topic): void {
    if (this.closed) return
    const linked = this.peersFor(topic)
    const found = this.foundFor(topic)
    for (const k of linked) found.add(k)
    const { failed, reason } = this.failures.among([...found].filter(k => !linked.has(k)))
    const d: DiscoveryReport = { topic: topic.name, state: topic.state, peers: linked.size, found: found.size, linked: linked.size, via: 'dht' }
    if (failed > 0 && reason) d.reason = reason
    const text = `${d.state}/${d.found}/${d.linked}/${d.reason ?? ''}`
    if (text === topic.reported) return
    topic.reported = text
    this.opts.onDiscovery?.(d)
    if (d.reason) {
      this.fault('PEERS_UNREACHABLE', `#${topic.name}: found ${d.found} peer${d.found === 1 ? '' : 's'}, could not connect to ${failed} (${d.reason})`)
    }
  }

  private reportAll (): void {
    for (const t of this.topics.values()) this.report(t)
  }

  private fault (code: ErrorCode, message: string): void {
    if (!this.closed) this.opts.onFault?.(new MeshError(code, message))
  }

  private later (ms: number, fn: () => void): void {
    const timer = setTimeout(() => { this.timers.delete(timer); fn() }, ms)
    this.timers.add(timer)
  }

  /** Leaves every topic, closes every swarm link and destroys the DHT node; bounded by timeoutMs. */
  async close (timeoutMs = SWARM_CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    if (this.retryTimer) clearTimeout(this.retryTimer)
    for (const { link } of this.live) link.destroy(new MeshError('NODE_CLOSED', 'node is shutting down'))
    // Forced: the DHT's socket first, failing the queries hyperswarm's destroy waits on (its forced one too). Unreachable: no one to unannounce from.
    const force = () => closeWithin(async () => { await this.dht.destroy({ force: true }); await this.swarm.destroy({ force: true }) }, timeoutMs)
    await (this.unreachable ? force() : closeWithin(() => this.swarm.destroy(), timeoutMs, force))
    if (!this.dht.destroyed) await closeDht(this.dht, timeoutMs)
  }
}
