// The bars around the message pane, pure: the peer sidebar (never cutting
// an address's port) and the status bar (current buffer and its number, your
// nick#tag, links, the other buffers' activity, discovery when a topic is in
// use, the listen address). Rows measured in columns.
import type { Discovery } from '../../core/types'
import { sanitize, strWidth, truncate } from './text'
import { keyColor, span, type Row, type Style } from './style'

const DIM: Style = { dim: true }

export interface PaneLayout { width: number; height: number; paneWidth: number; paneHeight: number; sidebarWidth: number }

/** Where the pane, the sidebar (on terminals 70 columns or wider) and the two bars go on a terminal of this size. */
export function paneLayout (columns: number, rows: number): PaneLayout {
  const width = Math.max(1, columns)
  const height = Math.max(3, rows)
  const sidebarWidth = width >= 70 ? Math.min(34, Math.max(22, Math.floor(width * 0.22))) : 0
  return { width, height, paneWidth: width - sidebarWidth, paneHeight: height - 2, sidebarWidth }
}

// ---- sidebar ---------------------------------------------------------------

export interface PeerView {
  key: string
  /** `nick#tag` from the view's Labeler. */
  label: string
  nick: string
  via: string
  address: string
  live: boolean
}

/**
 * `[lost ]via host:port` in `width` columns, never losing the port: drops
 * `via` first, then `lost`, then shortens the host from the left
 * (`…13.200:8081`).
 */
export function fitAddress (prefix: string, address: string, width: number, lost = false): string {
  for (const p of [`${lost ? 'lost ' : ''}${prefix}`, lost ? 'lost ' : '', '']) {
    if (strWidth(p + address) <= width) return p + address
  }
  const colon = address.lastIndexOf(':')
  const port = colon === -1 ? '' : address.slice(colon)
  const host = colon === -1 ? address : address.slice(0, colon)
  const room = width - strWidth(port) - 1
  if (room < 1) return truncate(address, width)
  const chars = Array.from(host)
  let tail = ''
  for (let i = chars.length - 1; i >= 0 && strWidth(chars[i] + tail) <= room; i--) tail = chars[i] + tail
  return `…${tail}${port}`
}

/** The peer list: live peers first, then lost ones; two rows each. */
export function formatPeers (peers: PeerView[], width: number, height: number): Row[] {
  const live = peers.filter(p => p.live).length
  const rows: Row[] = [[span(truncate(`peers ${live}/${peers.length}`, width), { bold: true })]]
  const sorted = [...peers].sort((a, b) => Number(b.live) - Number(a.live) || a.nick.localeCompare(b.nick) || a.key.localeCompare(b.key))
  for (const p of sorted) {
    if (rows.length + 2 > height) {
      const more = sorted.length - (rows.length - 1) / 2
      rows[rows.length - 1] = [span(truncate(`… ${more} more`, width), DIM)]
      break
    }
    const mark = p.live ? span('● ', { fg: 'green' }) : span('○ ', DIM)
    const name = truncate(p.label, width - 2)
    rows.push([mark, span(name, p.live ? { fg: keyColor(p.key) } : DIM)])
    const where = fitAddress(`${p.via} `, sanitize(p.address) || '-', width - 2, !p.live)
    rows.push([span('  ' + where, DIM)])
  }
  return rows
}

// ---- status bar ------------------------------------------------------------

/** Another buffer as the activity list shows it. */
export interface ActivityView {
  number: number
  /** `#dev`, or `bob#91c0` for a private conversation. */
  name: string
  /** Chat lines that arrived since it was last read. */
  unread: number
  /** Your nick was mentioned there, or a private line came. */
  highlight: boolean
}

export interface StatusView {
  /** The current buffer's number (1-based) and name. */
  buffer: number
  name: string
  /** Your own `nick#tag`, from the view's Labeler. */
  label: string
  listen: string
  links: number
  /** `dht: joined #team, 3 peers`; empty when no topic is in use. */
  discovery: string
  activity: ActivityView[]
  /** Messages that arrived below the view while scrolled up. */
  unread: number
  scrolled: boolean
  /** Members in the current room (a room buffer only), shown last: `21 here`. */
  members?: number
}

/**
 * `dht: joined #team, found 3, linked 2` (and `+N` more topics); `3 peers`
 * when the mechanism counts only links; empty when no topic is in use.
 */
export function formatDiscovery (topics: Discovery[]): string {
  if (topics.length === 0) return ''
  return `${discoveryText(topics[0])}${topics.length > 1 ? ` +${topics.length - 1}` : ''}`
}

/** One topic's discovery as the status bar and the pane say it; the reason when found peers could not be reached. */
export function discoveryText (d: Discovery, withReason = false): string {
  const counts = d.found === undefined
    ? `, ${d.peers} peer${d.peers === 1 ? '' : 's'}`
    : `, found ${d.found}, linked ${d.linked ?? d.peers}`
  const why = withReason && d.reason ? ` (could not connect: ${d.reason})` : ''
  return `${d.via ?? 'dht'}: ${d.state} #${d.topic}${d.state === 'joined' ? counts : ''}${why}`
}

const BAR: Style = { fg: 'white', bg: 'blue' }
const SEP = ' │ '

/** `2:#dev(3)!`: number, name, unread count, `!` when you were named there. */
export function formatActivity (a: ActivityView[]): Array<[string, Style]> {
  return a.map(x => [
    `${x.number}:${x.name}${x.unread > 0 ? `(${x.unread})` : ''}${x.highlight ? '!' : ''}`,
    x.highlight ? { ...BAR, fg: 'light yellow', bold: true } : x.unread > 0 ? { ...BAR, bold: true } : BAR
  ])
}

/** One row, exactly `width` columns wide. */
export function formatStatus (s: StatusView, width: number): Row {
  const parts: Array<Array<[string, Style]>> = [
    [[`${s.buffer}:${s.name}`, { ...BAR, bold: true }]],
    [[s.label, BAR]],
    [[`links ${s.links}`, BAR]]
  ]
  const act = formatActivity(s.activity)
  if (act.length) parts.push(act.flatMap((a, i) => (i ? [[' ', BAR], a] : [a]) as Array<[string, Style]>))
  if (s.discovery) parts.push([[s.discovery, BAR]])
  parts.push([[s.listen || 'not listening', BAR]])
  if (s.members !== undefined) parts.push([[`${s.members} here`, BAR]])
  const pieces: Array<[string, Style]> = [[' ', BAR]]
  parts.forEach((p, i) => { if (i) pieces.push([SEP, BAR]); pieces.push(...p) })
  let tail = ''
  if (s.scrolled) tail = s.unread > 0 ? ` -- ${s.unread} unread below (PgDn) -- ` : ' -- scrolled (PgDn) -- '
  const room = Math.max(0, width - strWidth(tail))
  const row: Row = []
  let used = 0
  for (const [text, style] of pieces) {
    if (used >= room) break
    const w = strWidth(text)
    // The piece that fits only in part ends with '…'.
    const cut = used + w > room ? truncate(text, room - used) : text
    row.push(span(cut, style))
    used += strWidth(cut)
  }
  if (used < room) row.push(span(' '.repeat(room - used), BAR))
  if (tail) row.push(span(truncate(tail, width), { ...BAR, bold: true, fg: 'light yellow' }))
  return row
}
