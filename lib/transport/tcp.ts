// Direct links: TCP sockets wrapped in Noise (secret-stream, XX handshake)
// with the node's ed25519 key pair, handed out as StreamLinks. Before any
// byte reaches secret-stream, inbound sockets pass the handshake caps and
// every socket (inbound or dialled, before and after the handshake) has its
// wire lengths checked (wire-guard.ts). Faults are reported as MeshErrors
// and counted in `stats`.
import net from 'net'
import SecretStream from '@hyperswarm/secret-stream'
import type { Link } from '../core/link'
import { StreamLink } from './stream-link'
import type { KeyPair } from '../protocol/crypto'
import { MeshError, errorMessage } from '../protocol/errors'
import { formatAddress, parseAddress, plainHost } from '../protocol/address'
import { guardSocket, MAX_WIRE_MESSAGE_BYTES } from './wire-guard'
import { HandshakeGate, ipKey, DEFAULT_HANDSHAKE_LIMITS, type HandshakeLimits } from './handshake-gate'
import { errnoText } from './errno'
import { closeWithin, CLOSE_FALLBACK_MS } from './close'
import { dialSource } from './dial-source'

/** Time a new connection has to finish the Noise handshake. */
export const HANDSHAKE_TIMEOUT_MS = 10_000

/** Waits for a secret-stream handshake; resolves with the stream or rejects with a MeshError. */
export function handshake (stream: SecretStream, timeoutMs: number, what: string): Promise<SecretStream> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stream.destroy(); done(new MeshError('HANDSHAKE_TIMEOUT', `${what}: no Noise handshake within ${timeoutMs} ms`)) }, timeoutMs)
    const onError = (err: Error) => done(err instanceof MeshError ? err : new MeshError('HANDSHAKE_FAILED', `${what}: ${errnoText(err)}`))
    const onClose = () => done(new MeshError('HANDSHAKE_FAILED', `${what}: closed during the handshake`))
    function done (err: MeshError | null) {
      clearTimeout(timer)
      stream.off('connect', onConnect)
      stream.off('error', onError)
      stream.off('close', onClose)
      if (err) { stream.on('error', () => {}); reject(err) } else resolve(stream)
    }
    const onConnect = () => done(null)
    stream.on('connect', onConnect)
    stream.on('error', onError)
    stream.on('close', onClose)
  })
}

/** What the transport refused or saw fail, for anyone watching an attack. */
export interface TcpStats {
  /** Inbound handshakes that failed or timed out (oversized ones count under `oversize`). */
  handshakesFailed: number
  /** Inbound sockets closed at once: MAX_HANDSHAKING_PER_IP from their address were handshaking. */
  refusedPerIp: number
  /** Inbound sockets closed at once: MAX_HANDSHAKING_SOCKETS were handshaking. */
  refusedTotal: number
  /** Sockets (inbound or dialled, before or after the handshake) closed for an oversized wire message. */
  oversize: number
}

export interface TcpLimits extends HandshakeLimits {
  maxWireMessageBytes: number
}

export const DEFAULT_TCP_LIMITS: TcpLimits = { ...DEFAULT_HANDSHAKE_LIMITS, maxWireMessageBytes: MAX_WIRE_MESSAGE_BYTES }

export interface TcpTransportOptions {
  keyPair: KeyPair
  host: string
  port: number
  onLink: (link: Link) => void
  /** Every fault: refused and failed inbound handshakes, oversized messages, listener errors. */
  onFault?: (err: MeshError) => void
  handshakeTimeoutMs?: number
  /** Overrides of the pre-authentication caps (tests). */
  limits?: Partial<TcpLimits>
}

export class TcpTransport {
  readonly stats: TcpStats = { handshakesFailed: 0, refusedPerIp: 0, refusedTotal: 0, oversize: 0 }
  readonly limits: TcpLimits
  private server: net.Server | null = null
  private readonly pending = new Set<net.Socket>()
  private readonly gate: HandshakeGate
  private readonly handshakeTimeoutMs: number
  address = ''

  constructor (private readonly opts: TcpTransportOptions) {
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS
    this.limits = { ...DEFAULT_TCP_LIMITS, ...opts.limits }
    this.gate = new HandshakeGate(this.limits)
  }

  /** Inbound sockets now in the handshake. */
  get handshaking (): number { return this.gate.size }

  listen (): Promise<string> {
    const { host, port } = this.opts
    const server = net.createServer((socket) => this.accept(socket))
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', (err) => {
        reject(new MeshError('LISTEN_FAILED', `cannot listen on ${formatAddress(host, port)}: ${errnoText(err)}`))
      })
      server.listen(port, host, () => {
        server.on('error', (err) => this.fault(new MeshError('LISTEN_FAILED', `listener on ${this.address}: ${errorMessage(err)}`)))
        const a = server.address() as net.AddressInfo
        this.address = formatAddress(host, a.port)
        resolve(this.address)
      })
    })
  }

  private accept (socket: net.Socket): void {
    socket.on('error', () => {})
    const ip = plainHost(socket.remoteAddress)
    const remote = formatAddress(ip, socket.remotePort ?? 0)
    const key = ipKey(ip)
    const admitted = this.gate.admit(key)
    if (admitted !== 'ok') {
      socket.destroy()
      if (admitted === 'per-ip') this.stats.refusedPerIp++; else this.stats.refusedTotal++
      const why = admitted === 'per-ip'
        ? `${this.limits.maxHandshakingPerIp} handshakes from ${key} already pending`
        : `${this.limits.maxHandshaking} handshakes already pending`
      this.fault(new MeshError('HANDSHAKE_LIMIT', `refused a connection from ${remote}: ${why}`))
      return
    }
    let inGate = true
    const leaveGate = () => { if (inGate) { inGate = false; this.gate.release(key) } }
    socket.setNoDelay(true)
    const guard = this.guard(socket, `inbound from ${remote}`)
    this.pending.add(socket)
    socket.once('close', () => { this.pending.delete(socket); leaveGate() })
    const stream = new SecretStream(false, socket, { keyPair: this.opts.keyPair })
    handshake(stream, this.handshakeTimeoutMs, `inbound from ${remote}`).then(() => {
      leaveGate()
      this.pending.delete(socket)
      this.opts.onLink(new StreamLink(stream, remote, 'tcp', socket))
    }, (err: MeshError) => {
      leaveGate()
      stream.destroy()
      if (guard.tripped >= 0) return // counted and reported by the guard
      this.stats.handshakesFailed++
      this.fault(err)
    })
  }

  async dial (address: string): Promise<Link> {
    const { host, port } = parseAddress(address)
    const socket = net.connect({ host, port, localAddress: dialSource(this.opts.host, host) })
    socket.setNoDelay(true)
    this.guard(socket, `dial ${address}`)
    this.pending.add(socket)
    socket.once('close', () => this.pending.delete(socket))
    const stream = new SecretStream(true, socket, { keyPair: this.opts.keyPair })
    try {
      await handshake(stream, this.handshakeTimeoutMs, `dial ${address}`)
    } catch (err) {
      stream.destroy()
      const why = (err as MeshError).message.replace(`dial ${address}: `, '')
      throw new MeshError('CONNECT_FAILED', `cannot connect to ${address}: ${why}`)
    }
    this.pending.delete(socket)
    return new StreamLink(stream, address, 'tcp', socket)
  }

  /** Stops listening and drops sockets still in the handshake; bounded by CLOSE_FALLBACK_MS. */
  async close (): Promise<void> {
    for (const s of this.pending) s.destroy()
    this.pending.clear()
    const server = this.server
    this.server = null
    if (server) await closeWithin(() => new Promise<void>(resolve => server.close(() => resolve())), CLOSE_FALLBACK_MS)
  }

  private guard (socket: net.Socket, what: string) {
    return guardSocket(socket, what, (err) => { this.stats.oversize++; this.fault(err) }, this.limits.maxWireMessageBytes)
  }

  private fault (err: MeshError): void {
    this.opts.onFault?.(err)
  }
}
