// Formatting for the terminal view, pure: message-pane entries, the peer
// sidebar and the status bar, all measured in columns and returned as rows.
// Every `nick#tag` arrives already made by the view's one Labeler
// (core/labels.ts), so tags here are as long as the directory says.
import { sanitize, strWidth, truncate, wrap } from './text'
import { keyColor, span, type Row, type Style } from './style'

// ---- entries of the message pane -----------------------------------------

export interface ChatEntry {
  kind: 'chat'
  ts: number
  /** Who wrote it, from core/labels.ts authorLabel: `bob#3fa2`, or `guest-1 via gw#3fa2` for a guest. */
  author: string
  /** The author's public key (hex): the colour comes from it. */
  key: string
  text: string
  self: boolean
  /** The text names the reader's nick. */
  mention: boolean
  /** Backfilled from peers' history rather than received live. */
  history: boolean
  /** Set when the message is for another room than the current one. */
  room?: string
  /** A one-to-one message: for your own, the recipient's nick#tag. */
  private?: { to?: string }
  /** An action (`/me waves`): drawn `* alice#3fa2 waves`. */
  action?: boolean
  /** Your own private line: whether the recipient acknowledged it yet. */
  delivery?: Delivery
}

export type Delivery = 'pending' | 'delivered' | 'undelivered'

/**
 * info: joins, leaves, discovery, faults from the network (dimmed);
 * output: what a command printed; error: a command that failed.
 */
export type SystemLevel = 'info' | 'output' | 'error'

export interface SystemEntry { kind: 'system'; ts: number; level: SystemLevel; text: string }

/** Where the reader stopped reading when they left this buffer. */
export interface MarkerEntry { kind: 'marker'; ts: number }

export type Entry = ChatEntry | SystemEntry | MarkerEntry

/** Nicks wider than this are cut in the pane and the sidebar. */
const MAX_NICK_COLUMNS = 20

function two (n: number): string { return String(n).padStart(2, '0') }

/** `HH:MM` in local time; `MM-DD HH:MM` when not from the day of `now`. */
export function formatTime (ts: number, now: number = Date.now()): string {
  const d = new Date(ts)
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`
  const n = new Date(now)
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) return hm
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${hm}`
}

/** A nick as shown: sanitised and cut to a sane width. */
export function displayNick (nick: string): string {
  return truncate(sanitize(nick), MAX_NICK_COLUMNS) || '?'
}

/**
 * A label cut into what is styled apart: the name, ` via gw` for a guest's
 * gateway, and `#tag`. Names never hold spaces or `#`, so the first ` via `
 * and the last `#` are the seams.
 */
export function splitLabel (label: string): { name: string; via: string; tag: string } {
  const hash = label.lastIndexOf('#')
  const head = hash === -1 ? label : label.slice(0, hash)
  const tag = hash === -1 ? '' : label.slice(hash)
  const at = head.indexOf(' via ')
  return at === -1 ? { name: head, via: '', tag } : { name: head.slice(0, at), via: head.slice(at), tag }
}

function escapeRegExp (s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** True when `text` names `nick` as a word (any case). */
export function mentions (text: string, nick: string): boolean {
  if (!nick) return false
  const re = new RegExp(`(^|[^\\p{L}\\p{N}_])@?${escapeRegExp(nick)}($|[^\\p{L}\\p{N}_])`, 'iu')
  return re.test(text)
}

const DIM: Style = { dim: true }
const STYLE_BY_LEVEL: Record<SystemLevel, Style | undefined> = {
  info: DIM,
  output: undefined,
  error: { fg: 'red', bold: true }
}
const MARK_BY_LEVEL: Record<SystemLevel, string> = { info: '-!-', output: '---', error: '-!-' }

/**
 * Lays out rows with a hanging indent: `prefix` on the first row, the text
 * wrapped after it, and the following rows indented to line up with the
 * text (or by 2 when the prefix is wider than half the pane).
 */
function hanging (prefix: Row, text: string, textStyle: Style | undefined, width: number): Row[] {
  const pw = strWidth(prefix.map(s => s.text).join(''))
  const indent = pw <= Math.floor(width / 2) ? pw : 2
  const rows = wrap(text, width - indent, Math.max(1, width - pw))
  return rows.map((r, i) => {
    const lead = i === 0 ? prefix : [span(' '.repeat(indent))]
    return r ? [...lead, span(r, textStyle)] : lead
  })
}

/** The screen rows of one entry at a pane width. */
export function formatEntry (e: Entry, width: number, now: number = Date.now()): Row[] {
  if (e.kind === 'marker') return [[span(truncate(MARKER_TEXT + '─'.repeat(Math.max(0, width)), Math.max(1, width), ''), { fg: 'red' })]]
  const time = span(formatTime(e.ts, now) + ' ', DIM)
  if (e.kind === 'system') {
    const style = STYLE_BY_LEVEL[e.level]
    const prefix = [time, span(MARK_BY_LEVEL[e.level] + ' ', style ?? DIM)]
    return hanging(prefix, sanitize(e.text, { newlines: true }), style, width)
  }
  const color = keyColor(e.key)
  const nickStyle: Style = { fg: color, bold: e.self }
  const tagStyle: Style = { fg: color, dim: true }
  const { name, via, tag } = splitLabel(e.author)
  const prefix: Row = [time]
  if (e.history) prefix.push(span('↺ ', DIM))
  if (e.private) {
    // irssi-style queries: *bob#91c0* for one to you, -> *carol#77aa* for yours.
    if (e.self) prefix.push(span('-> ', DIM), span('*' + (e.private.to ?? '?') + '* ', { fg: 'magenta', bold: true }))
    else prefix.push(span('*', { fg: 'magenta', bold: true }), span(name, nickStyle), span(via + tag, tagStyle), span('* ', { fg: 'magenta', bold: true }))
  } else {
    if (e.room !== undefined) prefix.push(span(`#${sanitize(e.room)} `, DIM))
    if (e.action) prefix.push(span('* ', { bold: true }), span(name, nickStyle), span(via + tag + ' ', tagStyle))
    else prefix.push(span('<', DIM), span(name, nickStyle), span(via + tag, tagStyle), span('> ', DIM))
  }
  const textStyle: Style | undefined = e.mention ? { fg: 'yellow', bold: true } : e.history ? DIM : undefined
  const text = sanitize(e.text, { newlines: true })
  if (!e.delivery) return hanging(prefix, text, textStyle, width)
  // The mark ends the last row, styled apart; redrawn in place when a receipt arrives.
  const mark = DELIVERY_MARK[e.delivery]
  const rows = hanging(prefix, `${text} ${mark.text}`, textStyle, width)
  const last = rows[rows.length - 1]
  const tail = last[last.length - 1]
  if (tail && tail.text.endsWith(mark.text)) {
    last.splice(last.length - 1, 1, span(tail.text.slice(0, -mark.text.length), tail.style), span(mark.text, mark.style))
    if (last[last.length - 2].text === '') last.splice(last.length - 2, 1)
  }
  return rows
}

// ---- comings, goings and renames -------------------------------------------

/** `bob#f16b is now known as bobby#f16b` (both labels from the view's Labeler). */
export function nickLine (oldLabel: string, newLabel: string): string {
  return `${oldLabel} is now known as ${newLabel}`
}

/** `bob#f16b joined #lobby`, `bob#f16b left #lobby (quit: see you)`; `reason` and `message` as the presence event has them. */
export function presenceLine (label: string, c: { room: string; state: 'join' | 'leave'; reason?: string; message?: string }): string {
  if (c.state === 'join') return `${label} joined #${sanitize(c.room)}`
  const why = [c.reason, c.message === undefined ? undefined : sanitize(c.message)].filter(Boolean).join(': ')
  return `${label} left #${sanitize(c.room)}${why ? ` (${why})` : ''}`
}

/** How an own private line shows whether it arrived. */
export const DELIVERY_MARK: Record<Delivery, { text: string; style: Style }> = {
  pending: { text: '[pending]', style: DIM },
  delivered: { text: '[delivered]', style: { fg: 'green' } },
  undelivered: { text: '[undelivered]', style: { fg: 'red', bold: true } }
}

/** The start of the line that marks where the reader stopped reading. */
export const MARKER_TEXT = '── new since you left '

export { formatPeers, formatStatus, formatActivity, formatDiscovery, discoveryText, fitAddress, type PeerView, type StatusView, type ActivityView } from './bars'
