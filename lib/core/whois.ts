// What /whois shows about a key: everything the directory and links know.
import { nicksOf, type KnownKey } from './directory'
import type { PeerInfo } from './link-table'

export interface WhoisInfo {
  peer: string
  nick: string
  tag: string
  nicks: string[]
  addresses: string[]
  rooms: string[]
  /** 'direct' when linked (see `via`), 'mesh' when only heard through relays. */
  reached: 'direct' | 'mesh'
  via?: string
  /** When linked: the address the link took (`remote`) and how this node found the peer (`found`: mdns, dht, pex, peer). */
  remote?: string
  found?: string
  hops: number | null
  firstSeen: number
  lastSeen: number
}

export function whois (k: KnownKey, tag: string, link: PeerInfo | undefined): WhoisInfo {
  const key = k.key
  const info: WhoisInfo = {
    peer: key,
    nick: k.nick,
    tag,
    nicks: [...nicksOf(k)],
    addresses: link ? [link.address, ...k.addresses.filter(a => a !== link.address)] : [...k.addresses],
    rooms: [...k.rooms],
    reached: link ? 'direct' : 'mesh',
    hops: link ? 1 : k.hops,
    firstSeen: k.firstSeen,
    lastSeen: k.lastSeen
  }
  if (link) {
    info.via = link.via
    if (link.remote) info.remote = link.remote
    if (link.found) info.found = link.found
  }
  return info
}
