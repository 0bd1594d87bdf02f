// LAN discovery by multicast DNS, with no DHT and no internet: each topic is
// announced (as a hash, mdns-wire.ts) and asked for on 224.0.0.251:5353, on
// every IPv4 interface explicitly (one socket each: a LAN without a router
// has no default route, so the kernel would pick no interface by itself).
// Only interfaces the node listens on are used (--listen 127.0.0.1: none).
// A peer found this way is dialled directly over TCP; the link's Noise
// handshake proves it holds the key it announced. Found and linked counts,
// and why a found peer could not be reached, go out as discovery reports.
import os from 'os'
import mdns from 'multicast-dns'
import { MeshError, errorMessage } from '../protocol/errors'
import { formatAddress, isWildcardHost } from '../protocol/address'
import { decodeAnnouncement, encodeAnnouncement, mdnsName } from './mdns-wire'
import type { DiscoveryReport } from './swarm'

/** Seconds a record is valid for, as announced (RFC 6762's default for host records). */
export const MDNS_TTL_S = 120
/** After joining a topic, ask and announce at these delays (ms), then every MDNS_ANNOUNCE_MS. */
export const MDNS_EARLY_MS = [0, 1000, 3000]
/** Interval of the steady asking and announcing; also when new interfaces are picked up. */
export const MDNS_ANNOUNCE_MS = 20_000
/** A found peer that is not linked is dialled again no sooner than this. */
export const MDNS_REDIAL_MS = 10_000
/** Most dials in flight at once. */
export const MAX_MDNS_DIALS = 8
/** Most distinct peers remembered per topic. */
export const MAX_MDNS_PEERS = 256

export type MdnsReport = Omit<DiscoveryReport, 'via'> & { via: 'mdns' }

export interface MdnsOptions {
  /** Our key (hex): our own announcements are ignored. */
  key: string
  /** TCP host we listen on: a wildcard uses every IPv4 interface, an address only the interface that has it (127.0.0.1: none). */
  host: string
  /** TCP port we listen on. */
  port: number
  /** True while we have a link to this peer (hex key). */
  isLinked: (key: string) => boolean
  /** Dials address over TCP; resolves once linked to key, rejects with the reason. */
  dial: (key: string, address: string) => Promise<void>
  onDiscovery?: (d: MdnsReport) => void
  onFault?: (err: MeshError) => void
}

interface Topic { name: string; label: string; found: Map<string, string>; failures: Map<string, string>; reported: string }
interface Iface { address: string; socket: mdns.MulticastDns }

export class MdnsDiscovery {
  private readonly ifaces = new Map<string, Iface>()
  private readonly topics = new Map<string, Topic>()
  private readonly byLabel = new Map<string, Topic>()
  private readonly lastDial = new Map<string, number>()
  private readonly dialing = new Set<string>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private closed = false

  constructor (private readonly opts: MdnsOptions) {
    this.scanInterfaces()
    const tick = setInterval(() => { this.scanInterfaces(); for (const t of this.topics.values()) this.ask(t) }, MDNS_ANNOUNCE_MS)
    tick.unref()
    this.timers.add(tick)
  }

  /** Interfaces in use (IPv4 addresses). */
  get interfaces (): string[] { return [...this.ifaces.keys()] }

  join (name: string): void {
    if (this.closed || this.topics.has(name)) return
    const t: Topic = { name, label: mdnsName(name), found: new Map(), failures: new Map(), reported: '' }
    this.topics.set(name, t)
    this.byLabel.set(t.label, t)
    for (const ms of MDNS_EARLY_MS) this.later(ms, () => this.ask(t))
  }

  /** One socket per IPv4 interface (not loopback), each joined to the group on it and sending out of it. */
  private scanInterfaces (): void {
    if (this.closed) return
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.family !== 'IPv4' || a.internal || this.ifaces.has(a.address)) continue
        if (!isWildcardHost(this.opts.host) && a.address !== this.opts.host) continue
        const socket = mdns({ interface: a.address, bind: '0.0.0.0', reuseAddr: true, loopback: true })
        const iface: Iface = { address: a.address, socket }
        socket.on('error', err => this.fault(`mDNS on ${a.address} failed: ${err.message}`))
        socket.on('warning', () => {})
        socket.on('query', (p, rinfo) => this.onQuery(iface, p, rinfo))
        socket.on('response', (p, rinfo) => this.onResponse(p, rinfo))
        this.ifaces.set(a.address, iface)
      }
    }
  }

  /** Asks for a topic and announces ourselves in it, on every interface. */
  private ask (t: Topic): void {
    if (this.closed) return
    for (const iface of this.ifaces.values()) {
      iface.socket.query({ questions: [{ name: t.label, type: 'TXT' }] }, () => {})
      this.announce(iface, t)
    }
  }

  private announce (iface: Iface, t: Topic): void {
    iface.socket.respond({ answers: [{ name: t.label, type: 'TXT', ttl: MDNS_TTL_S, data: encodeAnnouncement(this.opts.key, iface.address, this.opts.port) }] }, () => {})
  }

  private onQuery (iface: Iface, p: mdns.Packet, rinfo: mdns.RemoteInfo): void {
    if (this.closed || rinfo.address === iface.address) return
    for (const q of p.questions ?? []) {
      const t = this.byLabel.get(q.name)
      if (t && (q.type === 'TXT' || q.type === 'ANY')) this.announce(iface, t)
    }
  }

  private onResponse (p: mdns.Packet, rinfo: mdns.RemoteInfo): void {
    if (this.closed) return
    for (const a of p.answers ?? []) {
      const t = a.type === 'TXT' ? this.byLabel.get(a.name) : undefined
      if (!t) continue
      let ann
      try {
        ann = decodeAnnouncement(a.data)
      } catch (err) {
        this.fault(`ignored an mDNS answer from ${rinfo.address}: ${errorMessage(err)}`, 'MDNS_INVALID')
        continue
      }
      if (ann.key === this.opts.key) continue
      if (!t.found.has(ann.key) && t.found.size >= MAX_MDNS_PEERS) continue
      // Dial the address the announcement came from: a node cannot point us at a third party.
      t.found.set(ann.key, formatAddress(rinfo.address, ann.port))
      this.maybeDial(t, ann.key)
      this.report(t)
    }
  }

  private maybeDial (t: Topic, key: string): void {
    if (this.opts.isLinked(key) || this.dialing.has(key) || this.dialing.size >= MAX_MDNS_DIALS) return
    if (Date.now() - (this.lastDial.get(key) ?? -Infinity) < MDNS_REDIAL_MS) return
    const address = t.found.get(key)
    if (!address) return
    this.dialing.add(key)
    this.lastDial.set(key, Date.now())
    this.opts.dial(key, address).then(() => {
      t.failures.delete(key)
    }, (err) => {
      t.failures.set(key, `TCP to ${address} failed: ${errorMessage(err)}`)
    }).finally(() => {
      this.dialing.delete(key)
      this.report(t)
    })
  }

  /** Recounts a topic (also after links come and go) and reports a change. */
  report (t: Topic): void {
    if (this.closed) return
    const linked = [...t.found.keys()].filter(k => this.opts.isLinked(k))
    const failed = [...t.failures.keys()].filter(k => !this.opts.isLinked(k))
    const reason = failed.length > 0 ? t.failures.get(failed[failed.length - 1]) : undefined
    const d: MdnsReport = { topic: t.name, state: 'joined', peers: linked.length, found: t.found.size, linked: linked.length, via: 'mdns' }
    if (reason) d.reason = reason
    const text = `${d.found}/${d.linked}/${reason ?? ''}`
    if (text === t.reported) return
    t.reported = text
    this.opts.onDiscovery?.(d)
    if (reason) this.fault(`#${t.name}: found ${d.found} peer${d.found === 1 ? '' : 's'} on the LAN, could not connect to ${failed.length} (${reason})`, 'PEERS_UNREACHABLE')
  }

  /** Recounts every topic: call when a link comes up or goes down. */
  reportAll (): void { for (const t of this.topics.values()) this.report(t) }

  private fault (message: string, code: 'MDNS_INVALID' | 'PEERS_UNREACHABLE' | 'LISTEN_FAILED' = 'LISTEN_FAILED'): void {
    if (!this.closed) this.opts.onFault?.(new MeshError(code, message))
  }

  private later (ms: number, fn: () => void): void {
    const timer = setTimeout(() => { this.timers.delete(timer); fn() }, ms)
    timer.unref()
    this.timers.add(timer)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    for (const t of this.timers) { clearTimeout(t); clearInterval(t) }
    this.timers.clear()
    for (const i of this.ifaces.values()) i.socket.destroy()
    this.ifaces.clear()
  }
}
