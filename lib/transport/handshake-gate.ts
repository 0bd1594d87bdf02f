// Admission of sockets that have not finished the Noise handshake: a cap in
// total and per remote address, so unauthenticated connections cannot hold
// unbounded sockets and handshake state until the handshake timeout.
import net from 'net'

/** Most inbound sockets that may be in the Noise handshake at once; more are closed at once. */
export const MAX_HANDSHAKING_SOCKETS = 64
/** Most inbound handshaking sockets from one IPv4 address (or one IPv6 /64); more are closed at once. */
export const MAX_HANDSHAKING_PER_IP = 8

export interface HandshakeLimits {
  maxHandshaking: number
  maxHandshakingPerIp: number
}

export const DEFAULT_HANDSHAKE_LIMITS: HandshakeLimits = {
  maxHandshaking: MAX_HANDSHAKING_SOCKETS,
  maxHandshakingPerIp: MAX_HANDSHAKING_PER_IP
}

/** The address a per-IP cap counts by: the IPv4 address, or the /64 prefix of an IPv6 one. */
export function ipKey (address: string): string {
  if (!net.isIPv6(address)) return address
  const [head, tail = ''] = address.split('::')
  const left = head ? head.split(':') : []
  const right = address.includes('::') && tail ? tail.split(':') : []
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left
  return groups.slice(0, 4).map(g => parseInt(g, 16).toString(16)).join(':') + '::/64'
}

export type Admission = 'ok' | 'per-ip' | 'total'

export class HandshakeGate {
  private readonly perIp = new Map<string, number>()
  private total = 0

  constructor (readonly limits: HandshakeLimits = DEFAULT_HANDSHAKE_LIMITS) {}

  get size (): number { return this.total }

  /** Takes a slot for key, or says which cap refuses it. Every 'ok' must be released once. */
  admit (key: string): Admission {
    if (this.total >= this.limits.maxHandshaking) return 'total'
    const n = this.perIp.get(key) ?? 0
    if (n >= this.limits.maxHandshakingPerIp) return 'per-ip'
    this.perIp.set(key, n + 1)
    this.total++
    return 'ok'
  }

  release (key: string): void {
    const n = this.perIp.get(key)
    if (n === undefined) return
    if (n <= 1) this.perIp.delete(key); else this.perIp.set(key, n - 1)
    this.total--
  }
}
