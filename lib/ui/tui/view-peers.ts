// The peers the terminal view knows: the sidebar's entries (live, then a
// bounded number of lost ones) and the nicks Tab completes, most recently
// active first. Pure: the view feeds it events and asks for rows.
import type { PeerInfo } from '../../core/types'
import type { PeerView } from './format'

/** Lost peers the sidebar keeps; the oldest are forgotten past it. */
export const MAX_LOST_PEERS = 50
/** Nicks remembered for Tab completion. */
export const MAX_RECENT_NICKS = 200

export class ViewPeers {
  private readonly peers = new Map<string, PeerView>()
  /** Nicks for Tab completion, most recently active first. */
  private recent: string[] = []

  constructor (private readonly label: (key: string, nick: string) => string) {}

  nickOf (key: string): string | undefined { return this.peers.get(key)?.nick }

  up (p: PeerInfo): void {
    this.peers.set(p.peer, { key: p.peer, label: this.label(p.peer, p.nick), nick: p.nick, via: p.via, address: p.address, live: true })
    this.noteNick(p.nick)
  }

  down (key: string): void {
    const v = this.peers.get(key)
    if (!v) return
    v.live = false
    const lost = [...this.peers.values()].filter(x => !x.live)
    for (const x of lost.slice(0, Math.max(0, lost.length - MAX_LOST_PEERS))) this.peers.delete(x.key)
  }

  /** A line from a linked peer under its own name: the sidebar takes its current nick. */
  renamed (key: string, nick: string): void {
    const v = this.peers.get(key)
    if (v) v.nick = nick
  }

  noteNick (nick: string): void {
    this.recent = [nick, ...this.recent.filter(n => n !== nick)].slice(0, MAX_RECENT_NICKS)
  }

  /** Nicks to complete, most recently active first, then live peers; never `own`. */
  nicks (own: string): string[] {
    const live = [...this.peers.values()].filter(p => p.live).map(p => p.nick)
    return [...this.recent, ...live].filter(n => n !== own)
  }

  /** Sidebar entries, labelled now (a tag grows once another key sharing its digits is known). */
  views (): PeerView[] {
    return [...this.peers.values()].map(p => ({ ...p, label: this.label(p.key, p.nick) }))
  }
}
