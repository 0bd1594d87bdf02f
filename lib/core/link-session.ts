// The node's view of one link: handshake state, what the peer said in HELLO,
// inbound rate limit, penalties and liveness.
import type { Link } from './link'
import type { Hello } from '../protocol/frames'
import { HelloFlag } from '../protocol/frames'
import { TokenBucket } from './token-bucket'
import { formatAddress, isWildcardHost, parseAddress } from '../protocol/address'

export class LinkSession {
  readonly key: string
  readonly createdAt: number
  hello: Hello | null = null
  established = false
  penalties = 0
  dropped = 0
  lastRx: number
  lastTx: number
  private overSince = 0
  private lastDropAt = 0
  private readonly bucket: TokenBucket
  /** Settles when HELLO arrives (resolve) or the link closes first (reject). */
  readonly ready: Promise<void>
  private settle!: { resolve: () => void; reject: (err: Error) => void }

  constructor (readonly link: Link, readonly dialedAddress: string | null, rate: number, burst: number, private readonly now: () => number) {
    this.key = link.remotePublicKey.toString('hex')
    this.createdAt = this.lastRx = this.lastTx = now()
    this.bucket = new TokenBucket(rate, burst, now)
    this.ready = new Promise<void>((resolve, reject) => { this.settle = { resolve, reject } })
    this.ready.catch(() => {})
  }

  establish (hello: Hello): void {
    this.hello = hello
    this.established = true
    this.settle.resolve()
  }

  closed (err: Error): void { this.settle.reject(err) }

  /**
   * Takes a token for an inbound frame. Returns 'ok', 'drop' (over the limit)
   * or 'close' (over the limit for longer than graceMs).
   */
  admit (graceMs: number): 'ok' | 'drop' | 'close' {
    const t = this.now()
    this.lastRx = t
    if (this.bucket.take()) {
      if (this.overSince && t - this.lastDropAt > 1000) this.overSince = 0
      return 'ok'
    }
    this.dropped++
    this.lastDropAt = t
    if (!this.overSince) this.overSince = t
    return t - this.overSince > graceMs ? 'close' : 'drop'
  }

  send (frame: Buffer): void {
    this.lastTx = this.now()
    this.link.send(frame)
  }

  get nick (): string { return this.hello?.nick ?? '' }

  get shareable (): boolean { return !!this.hello && (this.hello.flags & HelloFlag.SHAREABLE) !== 0 }

  /** The address this peer can be dialled at, or null when it listens nowhere. */
  get dialable (): string | null {
    const listen = this.hello?.listen
    if (!listen) return null
    try {
      const { host, port } = parseAddress(listen)
      if (port === 0) return null
      if (!isWildcardHost(host)) return listen
      const remote = parseAddress(this.link.remoteAddress)
      return formatAddress(remote.host, port)
    } catch {
      return null
    }
  }

  /** What to show as this peer's address: where it listens, else where it connects from. */
  get displayAddress (): string { return this.dialable ?? this.dialedAddress ?? this.link.remoteAddress }
}
