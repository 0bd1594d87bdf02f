// What meshchat says over multicast DNS: a topic's name is never sent, only a
// hash of it as a DNS label (`<hash>._meshchat._tcp.local`); an announcement
// is a TXT record of that name carrying the node's key and TCP listen
// address. Anything else that arrives (another service, a malformed record)
// is refused with a coded MeshError and ignored.
import { hash } from '../protocol/crypto'
import { MeshError } from '../protocol/errors'
import { MAX_PORT, formatAddress } from '../protocol/address'

/** Prefix hashed with a topic name for its mDNS label (distinct from the DHT's topic key). */
export const MDNS_TOPIC_PREFIX = 'meshchat/mdns/v1:'
/** DNS suffix of every meshchat mDNS name. */
export const MDNS_SUFFIX = '._meshchat._tcp.local'
/** Hex characters of the topic hash in a label (16 bytes: collisions are not a concern, the name stays short). */
export const MDNS_LABEL_HEX = 32
/** Largest TXT record read; ours is about 110 bytes. */
export const MAX_MDNS_TXT_BYTES = 512

export interface Announcement { key: string; port: number; host: string }

/** The mDNS name of a topic: a hash only. */
export function mdnsName (topic: string): string {
  return hash(Buffer.from(MDNS_TOPIC_PREFIX + topic, 'utf8')).toString('hex').slice(0, MDNS_LABEL_HEX) + MDNS_SUFFIX
}

/** TXT strings announcing key (hex) listening on host:port. */
export function encodeAnnouncement (key: string, host: string, port: number): string[] {
  return ['v=1', `k=${key}`, `a=${formatAddress(host, port)}`]
}

/** Reads a TXT record's data (dns-packet gives Buffers). Throws MDNS_INVALID. */
export function decodeAnnouncement (data: unknown): Announcement {
  const parts = (Array.isArray(data) ? data : [data]).map(d => Buffer.isBuffer(d) ? d : Buffer.from(String(d)))
  const size = parts.reduce((n, b) => n + b.length, 0)
  if (size > MAX_MDNS_TXT_BYTES) throw new MeshError('MDNS_INVALID', `mDNS announcement of ${size} bytes, over ${MAX_MDNS_TXT_BYTES}`)
  const fields = new Map<string, string>()
  for (const p of parts) {
    const s = p.toString('utf8')
    const eq = s.indexOf('=')
    if (eq > 0) fields.set(s.slice(0, eq), s.slice(eq + 1))
  }
  if (fields.get('v') !== '1') throw new MeshError('MDNS_INVALID', `mDNS announcement of version ${fields.get('v') ?? '(none)'}, not 1`)
  const key = fields.get('k') ?? ''
  if (!/^[0-9a-f]{64}$/.test(key)) throw new MeshError('MDNS_INVALID', 'mDNS announcement without a 32-byte hex key')
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(fields.get('a') ?? '')
  const port = m ? Number(m[2]) : 0
  if (!m || port < 1 || port > MAX_PORT) throw new MeshError('MDNS_INVALID', 'mDNS announcement without an IPv4 host:port')
  return { key, host: m[1], port }
}
