// Outbound links: one dial per address at a time, and the `--peer` targets
// that are redialled with backoff for as long as the node runs.
import type { Dialer, Found, Link } from './link'
import type { LinkSession } from './link-session'
import { DialTarget } from './dial-target'
import { canonicalAddress } from '../protocol/address'
import { Backoff } from './backoff'
import { MeshError, type ErrorCode } from '../protocol/errors'
import type { Clock } from './clock'

export interface DialingHooks {
  /** Hands the new link to the link table; null when refused. */
  addLink: (link: Link, address: string) => LinkSession | null
  /** The established session to a key, for a dial that turned out to be a duplicate. */
  established: (key: string) => LinkSession | undefined
  isUp: (key: string) => boolean
  isSelf: (address: string) => boolean
  fault: (code: ErrorCode, message: string) => void
  redialMinMs: number
  redialMaxMs: number
  random: () => number
  clock: Clock
}

export class Dialing {
  dialer: Dialer | null = null
  readonly pending = new Map<string, Promise<LinkSession>>()
  /** By canonical address (as the peer table keeps it). */
  private readonly targets = new Map<string, DialTarget>()
  private started = false
  private stopped = false

  constructor (private readonly h: DialingHooks) {}

  /** Dials an address and resolves once the peer's HELLO arrived; `found` says what gave us the address. */
  dial (address: string, found: Found = 'peer'): Promise<LinkSession> {
    const pending = this.pending.get(address)
    if (pending) return pending
    const p = this.dialOnce(address, found).finally(() => this.pending.delete(address))
    this.pending.set(address, p)
    return p
  }

  private async dialOnce (address: string, found: Found): Promise<LinkSession> {
    if (!this.dialer) throw new MeshError('CONNECT_FAILED', 'this node has no transport to dial with')
    if (this.stopped) throw new MeshError('NODE_CLOSED', 'node is closed')
    const link = await this.dialer(address)
    link.found ??= found
    const s = this.h.addLink(link, address)
    if (!s) {
      if (this.h.isSelf(address)) throw new MeshError('SELF_LINK', `${address} is this node itself`)
      const existing = this.h.established(link.remotePublicKey.toString('hex'))
      if (existing) return existing
      throw new MeshError('CONNECT_FAILED', `${address} refused the link`)
    }
    await s.ready
    return s
  }

  /** Whether `address` (canonical, as the peer table keeps it) is a `--peer` target. */
  isTarget (address: string): boolean { return this.targets.has(address) }

  /** Adds a `--peer` address, dialled now and redialled for as long as the node runs. */
  addTarget (address: string): void {
    const canonical = canonicalAddress(address) ?? address
    if (this.targets.has(canonical)) return
    const backoff = new Backoff({ minMs: this.h.redialMinMs, maxMs: this.h.redialMaxMs, jitter: 0.3, random: this.h.random })
    const target = new DialTarget(address, {
      dial: (a) => this.dial(a).then(s => s.key, (err) => { if (err.code === 'SELF_LINK') return null; throw err }),
      isUp: (key) => this.h.isUp(key),
      onSelf: (a) => this.h.fault('SELF_LINK', `--peer ${a} is this node itself; not dialling it again`),
      clock: this.h.clock
    }, backoff)
    this.targets.set(canonical, target)
    if (this.started) target.start()
  }

  /** The last link to `key` went down: redial any target that leads to it. */
  lost (key: string): void {
    for (const t of this.targets.values()) if (t.key === key) t.lost()
  }

  start (): void {
    this.started = true
    for (const t of this.targets.values()) t.start()
  }

  stop (): void {
    this.stopped = true
    for (const t of this.targets.values()) t.stop()
  }
}
