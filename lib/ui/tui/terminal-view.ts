// The terminal view: subscribes to a node's events and routes each line to
// its buffer (one per room, one per private conversation; buffers.ts), keeps
// the peer sidebar and the status bar, reads keys into the input line and
// runs lines through the core's command runner (the same one headless mode
// uses; what the view does with each outcome is in view-commands.ts). It
// computes every row itself and hands them to a Surface; it never touches a
// terminal library.
import { applyKey } from './keymap'
import type { ChatMessage, PeerInfo, Receipt, NickChange } from '../../core/types'
import { COMMANDS } from '../../core/commands'
import { VERSION } from '../../version'
import { InputLine } from './input-line'
import { formatPeers, formatStatus, displayNick, mentions, nickLine, type ChatEntry, type Entry, type SystemLevel } from './format'
import { PresenceLines } from './presence-lines'
import { authorLabel, nodeLabeler, type Labeler } from '../../core/labels'
import { paneLayout, type PaneLayout } from './bars'
import { ViewDiscovery } from './view-discovery'
import { BufferList, type ChatBuffer } from './buffers'
import { ViewPeers } from './view-peers'
import { DeliveryMarks } from './deliveries'
import { runViewLine } from './view-commands'
import { PacedLines } from '../../core/paced-lines'
import { subscribe } from '../../core/subscribe'
import { span, withoutColor, type Row } from './style'
import type { Frame, Key, Surface } from './surface'
import type { TerminalViewOptions } from './view-options'

export type { TerminalViewOptions }

const WHEEL_ROWS = 3
const PROMPT = '> '

export class TerminalView {
  readonly input = new InputLine()
  private surface: Surface | null = null
  readonly buffers: BufferList
  private readonly peers: ViewPeers
  private readonly discovery = new ViewDiscovery()
  private readonly deliveries = new DeliveryMarks()
  /** Comings and goings: bursts gathered into a line, and a large room's silent members not shown (presence-lines.ts). */
  private readonly presence: PresenceLines
  private renderTimer: NodeJS.Timeout | null = null
  stopped = false
  readonly now: () => number
  private readonly renderDelayMs: number
  private unsubscribe: () => void = () => {}
  /** The one Labeler, fed nicks already cut for the screen. */
  private readonly labeler: Labeler
  /** Typed lines, each with the buffer it was typed in, wait here while the node's send budget is empty (a paste is paced, not dropped by relays); stop() closes it, so none runs after. */
  private readonly paced: PacedLines<{ line: string; buffer: ChatBuffer }>

  constructor (readonly opts: TerminalViewOptions) {
    const label = opts.label ?? nodeLabeler(opts.node)
    this.labeler = (key, nick) => label(key, displayNick(nick))
    this.now = opts.now ?? Date.now
    this.peers = new ViewPeers((key, nick) => this.labeler(key, nick))
    this.buffers = new BufferList(opts.maxEntries ?? 5000, this.now)
    for (const r of opts.node.rooms) this.buffers.open('room', r)
    this.buffers.switchTo(this.buffers.open('room', opts.node.room))
    this.renderDelayMs = opts.renderDelayMs ?? 10
    this.presence = new PresenceLines({
      now: this.now, roomSize: room => opts.node.memberCount(room), label: c => authorLabel({ from: c.peer, nick: c.nick, via: c.via }, this.labeler, displayNick),
      show: (room, text) => this.system('info', text, this.buffers.find('room', room) ?? this.buffers.current), ...opts.presenceBursts
    })
    this.paced = new PacedLines(opts.node.sendBudget, ({ line, buffer }) => {
      const sent = runViewLine(this, line, buffer)
      this.scheduleRender()
      return sent
    })
  }

  start (): void {
    const { node } = this.opts
    this.surface = this.opts.surface({
      onKey: k => this.onKey(k),
      onWheel: d => this.scrollBy(d < 0 ? WHEEL_ROWS : -WHEEL_ROWS),
      onResize: () => this.render()
    })
    this.unsubscribe = subscribe(node, {
      'peer-up': p => this.onPeerUp(p),
      'peer-down': p => this.onPeerDown(p),
      message: m => this.onMessage(m),
      fault: f => { if (!f.flow) this.system('info', `error ${f.code}: ${f.message}`) },
      nick: () => this.scheduleRender(),
      rooms: rooms => this.onRooms(rooms),
      discovery: d => { const line = this.discovery.note(d); if (line) this.system('info', line) },
      presence: c => { if (c.peer !== node.id && !this.opts.ignores?.has(c.peer)) { this.peers.noteNick(c.nick); this.presence.change(c) } },
      'peer-nick': n => this.onPeerNick(n),
      warning: w => this.system('info', `warning: ${w.message}`),
      delivered: r => this.onReceipt(r, 'delivered'),
      undelivered: r => this.onReceipt(r, 'undelivered')
    })
    for (const p of node.peers()) this.onPeerUp(p, true)
    this.system('output', `meshchat ${VERSION}: you are ${this.label(node.id, node.nick)} in #${node.room}, listening on ${node.listenAddress || '(nothing)'}`)
    this.system('output', 'type /help for commands; Ctrl-C or /quit to leave; Alt-1..9 or Ctrl-N/Ctrl-P switch buffers')
    this.render()
  }

  /** Unsubscribes and restores the terminal. Safe to call twice. */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    this.paced.close()
    this.presence.close()
    if (this.renderTimer) clearTimeout(this.renderTimer)
    this.renderTimer = null
    this.unsubscribe()
    this.surface?.destroy()
  }

  // ---- node events --------------------------------------------------------

  /** `nick#tag` for a key, with the tag long enough to tell known keys apart. */
  label (key: string, nick?: string): string {
    return this.labeler(key, nick ?? this.peers.nickOf(key) ?? '?')
  }

  private onPeerUp (p: PeerInfo, quiet = false): void {
    this.peers.up(p)
    if (!quiet) this.system('info', `link up: ${this.label(p.peer, p.nick)} (${p.via} ${p.address})`)
    else this.scheduleRender()
  }

  /** Your own rename is already answered by the /nick command's output. */
  private onPeerNick (n: NickChange): void {
    if (n.self || this.opts.ignores?.has(n.peer)) return
    if (n.via === undefined) this.peers.renamed(n.peer, n.nick)
    this.peers.noteNick(n.nick)
    const label = (nick: string) => authorLabel({ from: n.peer, nick, via: n.via }, this.labeler, displayNick)
    this.system('info', nickLine(label(n.old), label(n.nick)))
  }

  private onPeerDown (p: { peer: string; nick: string; reason?: string }): void {
    this.peers.down(p.peer)
    this.system('info', `link down: ${this.label(p.peer, p.nick)}${p.reason ? ` (${p.reason})` : ''}`)
  }

  /** The buffer a message belongs to: its room's, or the conversation with the other party. */
  private bufferFor (m: ChatMessage): ChatBuffer {
    if (m.private) return this.buffers.open('query', m.self && m.to ? m.to : m.from)
    return this.buffers.open('room', m.room)
  }

  private onMessage (m: ChatMessage): void {
    const node = this.opts.node
    if (!m.self && this.opts.ignores?.has(m.from)) return
    if (!m.private) this.presence.spoke(m.room, m.from, m.nick, m.via, m.ts)
    // A private message to you is always worth a highlight.
    const mention = !m.self && (mentions(m.text, node.nick) || !!m.private)
    const entry: ChatEntry = {
      kind: 'chat', ts: m.ts, author: authorLabel(m, this.labeler, displayNick), key: m.from, text: m.text, self: m.self,
      mention, history: !!m.history
    }
    if (m.action) entry.action = true
    if (m.private) entry.private = m.self && m.to ? { to: this.label(m.to) } : {}
    if (!m.self) {
      this.peers.noteNick(m.nick)
      if (m.via === undefined) this.peers.renamed(m.from, m.nick)
    }
    let b: ChatBuffer
    try { b = this.bufferFor(m) } catch { b = this.buffers.current }
    // Sending jumps back to the newest messages.
    if (m.self) b.pane.follow()
    if (m.private && m.self) this.deliveries.track(m.id, entry, b)
    this.add(b, entry, { unread: !m.self, highlight: mention && !entry.history })
    if (mention && !entry.history) this.surface?.bell()
  }

  private onReceipt (r: Receipt, state: 'delivered' | 'undelivered'): void {
    const b = this.deliveries.settle(r.id, state)
    if (!b) return
    if (state === 'undelivered') this.add(b, { kind: 'system', ts: this.now(), level: 'error', text: `private message to ${this.label(r.peer)} was not acknowledged; they may be offline` })
    else this.scheduleRender()
  }

  /** Rooms joined elsewhere get a buffer; rooms left lose theirs (the view returns to the buffer before). */
  private onRooms (rooms: string[]): void {
    for (const r of rooms) this.buffers.open('room', r)
    for (const b of [...this.buffers.all]) if (b.kind === 'room' && !rooms.includes(b.name)) { this.presence.forget(b.name); this.closeBuffer(b) }
    this.scheduleRender()
  }

  // ---- buffers ----------------------------------------------------------------

  /** Makes a buffer current; a room buffer also becomes the node's current room. */
  show (b: ChatBuffer): void {
    this.buffers.switchTo(b)
    this.followRoom()
    this.scheduleRender()
  }

  /** Closes a buffer and follows the one that became current. */
  closeBuffer (b: ChatBuffer): void {
    if (this.buffers.close(b)) this.followRoom()
  }

  private followRoom (): void {
    const b = this.buffers.current
    if (b.kind === 'room' && this.opts.node.room !== b.name) {
      try { this.opts.node.switchRoom(b.name) } catch {}
    }
  }

  /** The name a buffer shows: `#room`, or the peer's `nick#tag`. */
  bufferName (b: ChatBuffer): string {
    return b.kind === 'room' ? `#${b.name}` : this.label(b.name)
  }

  // ---- the message pane -----------------------------------------------------

  /** Adds a system line to the current buffer: info (dimmed), output (of a command), error. */
  system (level: SystemLevel, text: string, b: ChatBuffer = this.buffers.current): void {
    this.add(b, { kind: 'system', ts: this.now(), level, text })
  }

  private add (b: ChatBuffer, e: Entry, marks = { unread: false, highlight: false }): void {
    this.buffers.push(b, e, this.layout().paneWidth, marks)
    this.scheduleRender()
  }

  private layout (): PaneLayout { return paneLayout(this.surface?.width ?? 80, this.surface?.height ?? 24) }
  get paneWidth (): number { return this.layout().paneWidth }

  scrollBy (rows: number): void {
    const { paneWidth, paneHeight } = this.layout()
    this.buffers.current.pane.scrollBy(rows, paneWidth, paneHeight)
    this.scheduleRender()
  }

  // ---- keys ----------------------------------------------------------------

  private completer = { commands: () => COMMANDS.map(c => c.name), nicks: () => this.peers.nicks(this.opts.node.nick) }

  onKey (k: Key): void {
    const page = Math.max(1, this.layout().paneHeight - 1)
    const action = applyKey(k, this.input)
    switch (action) {
      case null: return
      case 'quit': this.opts.onQuit(); return
      case 'redraw': this.surface?.redraw(); return
      case 'submit': this.runLine(this.input.submit()); break
      case 'line-up': this.scrollBy(1); return
      case 'line-down': this.scrollBy(-1); return
      case 'page-up': this.scrollBy(page); return
      case 'page-down': this.scrollBy(-page); return
      case 'complete': this.input.complete(this.completer, false); break
      case 'complete-back': this.input.complete(this.completer, true); break
      case 'buffer-next': this.buffers.cycle(1); this.followRoom(); break
      case 'buffer-prev': this.buffers.cycle(-1); this.followRoom(); break
      default:
        if (action.startsWith('buffer-') && this.buffers.switchToNumber(Number(action.slice(7)))) this.followRoom()
    }
    this.scheduleRender()
  }

  /** Runs one input line in the current buffer, as if typed: at once, or when the send budget allows (after the lines typed before it). */
  runLine (line: string): void {
    this.paced.push({ line, buffer: this.buffers.current })
  }

  // ---- drawing -------------------------------------------------------------

  scheduleRender (): void {
    if (this.stopped || this.renderTimer) return
    this.renderTimer = setTimeout(() => { this.renderTimer = null; this.render() }, this.renderDelayMs)
  }

  /** The frame as it would be drawn now. */
  frame (): Frame {
    const node = this.opts.node
    const { width, paneWidth, paneHeight, sidebarWidth } = this.layout()
    const cur = this.buffers.current
    const messages = cur.pane.view(paneWidth, paneHeight)
    const sidebar = sidebarWidth > 0 ? formatPeers(this.peers.views(), sidebarWidth - 2, paneHeight) : null
    const activity = this.buffers.all.filter(b => b !== cur).map(b => ({ number: this.buffers.number(b), name: this.bufferName(b), unread: b.unread, highlight: b.highlight }))
    const status = formatStatus({
      buffer: this.buffers.number(cur), name: this.bufferName(cur), label: this.label(node.id, node.nick),
      listen: node.listenAddress, links: node.linkCount, discovery: this.discovery.status(), activity,
      unread: cur.pane.unread, scrolled: cur.pane.scroll > 0, members: cur.kind === 'room' && node.rooms.includes(cur.name) ? node.memberCount(cur.name) : undefined
    }, width)
    const v = this.input.view(width - PROMPT.length)
    const inputRow: Row = [span(PROMPT, { bold: true }), span(v.text)]
    const color = this.surface?.color ?? true
    const plain = (r: Row) => (color ? r : withoutColor(r))
    return {
      messages: messages.map(plain),
      sidebar: sidebar ? sidebar.map(plain) : null,
      sidebarWidth,
      status: plain(status),
      input: inputRow,
      cursor: PROMPT.length + v.cursor
    }
  }

  render (): void {
    if (this.stopped || !this.surface) return
    if (this.renderTimer) { clearTimeout(this.renderTimer); this.renderTimer = null }
    this.surface.draw(this.frame())
  }
}
