// The terminal view: subscribes to a node's events, keeps the message pane,
// the peer sidebar and the status bar, reads keys into the input line and
// runs lines through the core's command runner (the same one headless mode
// uses). It computes every row itself and hands them to a Surface; it never
// touches a terminal library.
import { applyKey } from './keymap'
import type { ChatNode, ChatMessage, PeerInfo, Discovery, PresenceChange, NickChange } from '../../core/types'
import { runLine, type Outcome } from '../../core/command-runner'
import { COMMANDS } from '../../core/commands'
import { VERSION } from '../../version'
import { InputLine } from './input-line'
import { formatPeers, formatStatus, displayNick, mentions, nickLine, presenceLine, type ChatEntry, type Entry, type PeerView, type SystemLevel } from './format'
import { authorLabel, nodeLabeler, type Labeler } from '../../core/labels'
import { outcomeLines } from './command-output'
import { Scrollback } from './scrollback'
import { subscribe } from '../../core/subscribe'
import { span, withoutColor, type Row } from './style'
import type { Frame, Key, Surface, SurfaceFactory } from './surface'

export interface TerminalViewOptions {
  node: ChatNode
  surface: SurfaceFactory
  /** /quit and Ctrl-C: the caller closes the node and restores the terminal (stop()). */
  onQuit: () => void
  now?: () => number
  /** Entries kept for scrollback. */
  maxEntries?: number
  /** Delay that batches redraws (ms); 0 draws on the next turn. */
  renderDelayMs?: number
  /** `nick#tag` for a key; default: the node's labels. */
  label?: Labeler
}


const MAX_LOST_PEERS = 50
const WHEEL_ROWS = 3
const PROMPT = '> '

export class TerminalView {
  readonly input = new InputLine()
  private surface: Surface | null = null
  private readonly pane: Scrollback
  private readonly peers = new Map<string, PeerView>()
  /** Nicks for Tab completion, most recently active first. */
  private recentNicks: string[] = []
  private discovery = 'swarm off'
  private renderTimer: NodeJS.Timeout | null = null
  private stopped = false
  private readonly now: () => number
  private readonly renderDelayMs: number
  private unsubscribe: () => void = () => {}
  /** The one Labeler, fed nicks already cut for the screen. */
  private readonly labeler: Labeler

  constructor (private readonly opts: TerminalViewOptions) {
    const label = opts.label ?? nodeLabeler(opts.node)
    this.labeler = (key, nick) => label(key, displayNick(nick))
    this.now = opts.now ?? Date.now
    this.pane = new Scrollback(opts.maxEntries ?? 5000, this.now)
    this.renderDelayMs = opts.renderDelayMs ?? 10
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
      fault: f => this.system('info', `error ${f.code}: ${f.message}`),
      nick: () => this.scheduleRender(),
      rooms: () => this.scheduleRender(),
      discovery: d => this.onDiscovery(d),
      presence: c => this.onPresence(c),
      'peer-nick': n => this.onPeerNick(n),
      warning: w => this.system('info', `warning: ${w.message}`),
      undelivered: d => this.system('error', `private message to ${this.label(d.peer)} was not acknowledged; they may be offline`)
    })
    for (const p of node.peers()) this.onPeerUp(p, true)
    this.system('output', `meshchat ${VERSION}: you are ${this.label(node.id, node.nick)} in #${node.room}, listening on ${node.listenAddress || '(nothing)'}`)
    this.system('output', 'type /help for commands; Ctrl-C or /quit to leave')
    this.render()
  }

  /** Unsubscribes and restores the terminal. Safe to call twice. */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    if (this.renderTimer) clearTimeout(this.renderTimer)
    this.renderTimer = null
    this.unsubscribe()
    this.surface?.destroy()
  }


  // ---- node events --------------------------------------------------------

  /** `nick#tag` for a key, with the tag long enough to tell known keys apart. */
  private label (key: string, nick?: string): string {
    return this.labeler(key, nick ?? this.peers.get(key)?.nick ?? '?')
  }

  private onPeerUp (p: PeerInfo, quiet = false): void {
    this.peers.set(p.peer, { key: p.peer, label: this.label(p.peer, p.nick), nick: p.nick, via: p.via, address: p.address, live: true })
    this.noteNick(p.nick)
    if (!quiet) this.system('info', `link up: ${this.label(p.peer, p.nick)} (${p.via} ${p.address})`)
    else this.scheduleRender()
  }

  private onPresence (c: PresenceChange): void {
    if (c.peer === this.opts.node.id) return
    this.noteNick(c.nick)
    this.system('info', presenceLine(authorLabel({ from: c.peer, nick: c.nick, via: c.via }, this.labeler, displayNick), c))
  }

  /** Your own rename is already answered by the /nick command's output. */
  private onPeerNick (n: NickChange): void {
    if (n.self) return
    const peer = n.via === undefined ? this.peers.get(n.peer) : undefined
    if (peer) peer.nick = n.nick
    this.noteNick(n.nick)
    const label = (nick: string) => authorLabel({ from: n.peer, nick, via: n.via }, this.labeler, displayNick)
    this.system('info', nickLine(label(n.old), label(n.nick)))
  }

  private onPeerDown (p: { peer: string; nick: string; reason?: string }): void {
    const v = this.peers.get(p.peer)
    if (v) {
      v.live = false
      // Forget the oldest lost peers beyond a limit.
      const lost = [...this.peers.values()].filter(x => !x.live)
      for (const x of lost.slice(0, Math.max(0, lost.length - MAX_LOST_PEERS))) this.peers.delete(x.key)
    }
    this.system('info', `link down: ${this.label(p.peer, p.nick)}${p.reason ? ` (${p.reason})` : ''}`)
  }

  private onMessage (m: ChatMessage): void {
    const node = this.opts.node
    // A private message to you is always worth a highlight.
    const mention = !m.self && (mentions(m.text, node.nick) || !!m.private)
    const entry: ChatEntry = {
      kind: 'chat', ts: m.ts, author: authorLabel(m, this.labeler, displayNick), key: m.from, text: m.text, self: m.self,
      mention, history: !!m.history
    }
    if (m.private) entry.private = m.self && m.to ? { to: this.label(m.to) } : {}
    else if (m.room !== node.room) entry.room = m.room
    if (!m.self) {
      this.noteNick(m.nick)
      const peer = this.peers.get(m.from)
      if (peer && m.via === undefined) peer.nick = m.nick
    } else {
      // Sending jumps back to the newest messages.
      this.pane.follow()
    }
    this.push(entry, true)
    if (mention && !entry.history) this.surface?.bell()
  }

  private onDiscovery (d: Discovery): void {
    this.discovery = d.state === 'joined' ? `swarm joined (${d.peers})` : `swarm ${d.state}`
    this.system('info', `discovery ${d.topic.slice(0, 12)}: ${d.state}${d.state === 'joined' ? `, ${d.peers} peers` : ''}`)
  }

  private noteNick (nick: string): void {
    this.recentNicks = [nick, ...this.recentNicks.filter(n => n !== nick)].slice(0, 200)
  }

  // ---- the message pane -----------------------------------------------------

  /** Adds a system line: info (dimmed), output (of a command), error. */
  system (level: SystemLevel, text: string): void {
    this.push({ kind: 'system', ts: this.now(), level, text }, false)
  }

  private push (e: Entry, countsUnread: boolean): void {
    this.pane.push(e, countsUnread, this.layout().paneWidth)
    this.scheduleRender()
  }

  private layout (): { width: number; height: number; paneWidth: number; paneHeight: number; sidebarWidth: number } {
    const width = Math.max(1, this.surface?.width ?? 80)
    const height = Math.max(3, this.surface?.height ?? 24)
    const sidebarWidth = width >= 70 ? Math.min(34, Math.max(22, Math.floor(width * 0.22))) : 0
    return { width, height, paneWidth: width - sidebarWidth, paneHeight: height - 2, sidebarWidth }
  }

  scrollBy (rows: number): void {
    const { paneWidth, paneHeight } = this.layout()
    this.pane.scrollBy(rows, paneWidth, paneHeight)
    this.scheduleRender()
  }

  // ---- keys ----------------------------------------------------------------

  private completer = {
    commands: () => COMMANDS.map(c => c.name),
    nicks: () => {
      const own = this.opts.node.nick
      const live = [...this.peers.values()].filter(p => p.live).map(p => p.nick)
      return [...this.recentNicks, ...live].filter(n => n !== own)
    }
  }

  onKey (k: Key): void {
    const page = Math.max(1, this.layout().paneHeight - 1)
    switch (applyKey(k, this.input)) {
      case null: return
      case 'quit': this.opts.onQuit(); return
      case 'redraw': this.surface?.redraw(); return
      case 'submit': this.submit(); return
      case 'line-up': this.scrollBy(1); return
      case 'line-down': this.scrollBy(-1); return
      case 'page-up': this.scrollBy(page); return
      case 'page-down': this.scrollBy(-page); return
      case 'complete': this.input.complete(this.completer, false); break
      case 'complete-back': this.input.complete(this.completer, true); break
    }
    this.scheduleRender()
  }

  private submit (): void {
    const line = this.input.submit()
    this.runLine(line)
    this.scheduleRender()
  }

  /** Runs one input line, as if typed. */
  runLine (line: string): void {
    const outcome = runLine(this.opts.node, line)
    this.show(line, outcome)
  }

  private show (line: string, o: Outcome): void {
    switch (o.kind) {
      case 'connecting':
        this.system('output', `connecting to ${o.address}…`)
        o.done.then(
          p => { if (!this.stopped) this.system('output', `connected to ${this.label(p.peer, p.nick)} (${p.via} ${p.address})`) },
          err => { if (!this.stopped) this.system('error', err.message) })
        return
      case 'clear':
        this.pane.clear()
        this.scheduleRender()
        return
      case 'quit': this.opts.onQuit(); return
    }
    for (const [level, text] of outcomeLines(line, o, { node: this.opts.node, label: (k, n) => this.label(k, n), now: this.now() })) {
      this.system(level, text)
    }
  }

  // ---- drawing -------------------------------------------------------------

  private scheduleRender (): void {
    if (this.stopped || this.renderTimer) return
    this.renderTimer = setTimeout(() => { this.renderTimer = null; this.render() }, this.renderDelayMs)
  }

  /** The frame as it would be drawn now. */
  frame (): Frame {
    const node = this.opts.node
    const { width, paneWidth, paneHeight, sidebarWidth } = this.layout()
    const messages = this.pane.view(paneWidth, paneHeight)
    // Labels now: a tag grows once another key sharing its digits is known.
    const peers = [...this.peers.values()].map(p => ({ ...p, label: this.label(p.key, p.nick) }))
    const sidebar = sidebarWidth > 0 ? formatPeers(peers, sidebarWidth - 2, paneHeight) : null
    const status = formatStatus({
      room: node.room, otherRooms: node.rooms.length - 1, label: this.label(node.id, node.nick),
      listen: node.listenAddress, links: node.linkCount,
      discovery: this.discovery, unread: this.pane.unread, scrolled: this.pane.scroll > 0
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
