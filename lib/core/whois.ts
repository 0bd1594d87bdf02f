// What /whois shows about a key: everything the directory and links know.
import type { MeshNode } from './node'

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
  hops: number | null
  firstSeen: number
  lastSeen: number
}

export function whois (node: MeshNode, key: string): WhoisInfo {
  const k = node.directory.get(key)!
  const link = node.peers().find(p => p.peer === key)
  const info: WhoisInfo = {
    peer: key,
    nick: k.nick,
    tag: node.directory.tag(key),
    nicks: [...k.nicks],
    addresses: link ? [link.address, ...k.addresses.filter(a => a !== link.address)] : [...k.addresses],
    rooms: [...k.rooms],
    reached: link ? 'direct' : 'mesh',
    hops: link ? 1 : k.hops,
    firstSeen: k.firstSeen,
    lastSeen: k.lastSeen
  }
  if (link) info.via = link.via
  return info
}
