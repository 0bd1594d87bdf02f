// host:port addresses: parsing, formatting, and the one canonical spelling
// of a dialable address that peer exchange keeps.
import { MeshError } from './errors'
import { MAX_ADDRESS_BYTES } from './limits'

export interface HostPort { host: string; port: number }

/** Largest TCP/UDP port. */
export const MAX_PORT = 65535
/** How IPv6 spells an IPv4-mapped address (::ffff:1.2.3.4). */
const IPV4_MAPPED_PREFIX = '::ffff:'
/** First octet of multicast (224.0.0.0/4); everything from here up (reserved, broadcast) is refused. */
const FIRST_MULTICAST_OCTET = 224

/** Parses `host:port` (or `[v6]:port`); port 0..MAX_PORT. Throws BAD_ADDRESS. */
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
  if (port > MAX_PORT) throw MeshError.badAddress(value, `port ${port} is outside 0-${MAX_PORT}`)
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
  return host.startsWith(IPV4_MAPPED_PREFIX) ? host.slice(IPV4_MAPPED_PREFIX.length) : host
}

/**
 * The one spelling of a dialable address, or null when it is not one.
 * IPv4 hosts are canonicalised the way WHATWG URLs do it (`127.1`,
 * `0x7f000001`, `2130706433` and `127.000.000.001` are all `127.0.0.1`),
 * IPv6 hosts are compressed (`[0:0::1]` is `[::1]`, an IPv4-mapped one is
 * plain IPv4), names are lower-cased without a trailing dot, and the port
 * loses leading zeros. Refused (null): anything parseAddress refuses, port 0,
 * unspecified (0.0.0.0/8, ::), multicast (224.0.0.0/4, ff00::/8), the
 * reserved block 240.0.0.0/4 with broadcast 255.255.255.255, and malformed names.
 */
export function canonicalAddress (value: string): string | null {
  let hp: HostPort
  try { hp = parseAddress(value) } catch { return null }
  if (hp.port === 0 || hp.host.length === 0) return null
  let host: string
  try {
    const raw = hp.host.includes(':') ? `[${hp.host}]` : hp.host
    host = new URL(`http://${raw}:1/`).hostname
  } catch {
    return null
  }
  if (host.startsWith('[')) {
    host = host.slice(1, -1)
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host)
    if (mapped) {
      const hi = parseInt(mapped[1], 16)
      const lo = parseInt(mapped[2], 16)
      host = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
    } else {
      if (host === '::' || /^ff[0-9a-f]{2}:/.test(host)) return null
      return formatAddress(host, hp.port)
    }
  }
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host)
  if (v4) {
    const first = Number(v4[1])
    if (first === 0 || first >= FIRST_MULTICAST_OCTET) return null
    return formatAddress(host, hp.port)
  }
  if (host.endsWith('.')) host = host.slice(0, -1)
  if (!/^[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/.test(host)) return null
  return formatAddress(host, hp.port)
}
