// Direct links: TCP sockets wrapped in Noise (secret-stream, XX handshake)
// with the node's ed25519 key pair, handed out as StreamLinks.
import net from 'net'
import SecretStream from '@hyperswarm/secret-stream'
import type { Link } from '../core/link'
import { StreamLink } from './stream-link'
import type { KeyPair } from '../protocol/crypto'
import { MeshError, errorMessage } from '../protocol/errors'
import { formatAddress, parseAddress, plainHost } from '../protocol/address'

/** Time a new connection has to finish the Noise handshake. */
export const HANDSHAKE_TIMEOUT_MS = 10_000

/** Waits for a secret-stream handshake; resolves with the stream or rejects. */
export function handshake (stream: SecretStream, timeoutMs: number, what: string): Promise<SecretStream> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stream.destroy(); done(new MeshError('HANDSHAKE_TIMEOUT', `${what}: no Noise handshake within ${timeoutMs} ms`)) }, timeoutMs)
    const onError = (err: Error) => done(err)
    const onClose = () => done(new MeshError('CONNECT_FAILED', `${what}: closed during the handshake`))
    function done (err: Error | null) {
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

export interface TcpTransportOptions {
  keyPair: KeyPair
  host: string
  port: number
  onLink: (link: Link) => void
  onError?: (err: Error) => void
  handshakeTimeoutMs?: number
}

export class TcpTransport {
  private server: net.Server | null = null
  private readonly pending = new Set<net.Socket>()
  private readonly handshakeTimeoutMs: number
  address = ''

  constructor (private readonly opts: TcpTransportOptions) {
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS
  }

  listen (): Promise<string> {
    const { host, port } = this.opts
    const server = net.createServer((socket) => this.accept(socket))
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'address already in use'
          : err.code === 'EADDRNOTAVAIL' ? 'address not available on this machine'
            : err.code === 'EACCES' ? 'permission denied' : errorMessage(err)
        reject(new MeshError('LISTEN_FAILED', `cannot listen on ${formatAddress(host, port)}: ${why}`))
      })
      server.listen(port, host, () => {
        server.on('error', (err) => this.opts.onError?.(err))
        const a = server.address() as net.AddressInfo
        this.address = formatAddress(host, a.port)
        resolve(this.address)
      })
    })
  }

  private accept (socket: net.Socket): void {
    socket.setNoDelay(true)
    const remote = formatAddress(plainHost(socket.remoteAddress), socket.remotePort ?? 0)
    this.pending.add(socket)
    socket.once('close', () => this.pending.delete(socket))
    const stream = new SecretStream(false, socket, { keyPair: this.opts.keyPair })
    handshake(stream, this.handshakeTimeoutMs, `inbound from ${remote}`).then(() => {
      this.pending.delete(socket)
      this.opts.onLink(new StreamLink(stream, remote, 'tcp', socket))
    }, (err) => this.opts.onError?.(err))
  }

  async dial (address: string): Promise<Link> {
    const { host, port } = parseAddress(address)
    const socket = net.connect({ host, port })
    socket.setNoDelay(true)
    this.pending.add(socket)
    socket.once('close', () => this.pending.delete(socket))
    const stream = new SecretStream(true, socket, { keyPair: this.opts.keyPair })
    try {
      await handshake(stream, this.handshakeTimeoutMs, `dial ${address}`)
    } catch (err) {
      stream.destroy()
      const code = (err as NodeJS.ErrnoException).code
      const why = code === 'ECONNREFUSED' ? 'connection refused' : errorMessage(err)
      throw new MeshError('CONNECT_FAILED', `cannot connect to ${address}: ${why}`)
    }
    this.pending.delete(socket)
    return new StreamLink(stream, address, 'tcp', socket)
  }

  async close (): Promise<void> {
    for (const s of this.pending) s.destroy()
    this.pending.clear()
    const server = this.server
    this.server = null
    if (server) await new Promise<void>(resolve => server.close(() => resolve()))
  }
}
