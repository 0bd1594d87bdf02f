import { MeshError } from './errors'
import { MAX_ADDRESS_BYTES } from './limits'

export interface HostPort { host: string; port: number }

/** Parses `host:port` (or `[v6]:port`); port 0..65535. Throws BAD_ADDRESS. */
export function parseAddress (value: string): HostPort {
  if (typeof value !== 'string' || value.length === 0) throw MeshError.badAddress(String(value), 'empty')
  if (Buffer.byteLength(value) > MAX_ADDRESS_BYTES) throw MeshError.badAddress(value.slice(0, 40) + '...', 'too long')
  let host: string
  let portText: string
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(value)
  if (v6) {
    host = v6[1]
    portText = v6[2]
  } else {
    const i = value.lastIndexOf(':')
    if (i <= 0) throw MeshError.badAddress(value, i === 0 ? 'missing host' : 'missing port')
    host = value.slice(0, i)
    portText = value.slice(i + 1)
    if (host.includes(':')) throw MeshError.badAddress(value, 'write IPv6 hosts as [addr]:port')
  }
  if (!/^\d+$/.test(portText)) throw MeshError.badAddress(value, `port '${portText}' is not a number`)
  const port = Number(portText)
  if (port > 65535) throw MeshError.badAddress(value, `port ${port} is outside 0-65535`)
  if (!/^[A-Za-z0-9.\-_:]+$/.test(host)) throw MeshError.badAddress(value, `host '${host}' has invalid characters`)
  return { host, port }
}

export function formatAddress (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

export function isWildcardHost (host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === ''
}

/** Normalises IPv4-mapped IPv6 (::ffff:1.2.3.4) to plain IPv4. */
export function plainHost (host: string | undefined): string {
  if (!host) return ''
  return host.startsWith('::ffff:') ? host.slice(7) : host
}
