// One IRC client's connection: splits its bytes into checked lines, holds its
// registration state and capabilities, writes CRLF lines to it (dropping a
// client that stops reading), PINGs it when silent and closes it when it
// stays silent; all clients together run no more lines a second than the
// face's shared budget (the socket waits, nothing is lost). What the lines mean is for the handlers (commands*.ts).
import type net from 'net'
import { LineSplitter } from '../gateway/line-splitter'
import type { SharedBudget } from '../core/send-budget'
import { errorCode, errorMessage } from '../protocol/errors'
import { parseClientLine, serialize, lineTooLong, type IrcLine, type Tags } from './wire'
import { ERR, type Cap } from './numerics'
import { IRC_MESH_HOST, IRC_PING_INTERVAL_MS, IRC_PING_TIMEOUT_MS, IRC_REGISTRATION_TIMEOUT_MS, MAX_IRC_BUFFER_BYTES, MAX_IRC_QUEUED_BYTES } from './limits'

export interface SessionHooks {
  serverName: string
  onLine (s: IrcSession, line: IrcLine): void
  onGone (s: IrcSession, reason: string): void
  /** The face's line budget, shared by all its clients: a client waits (socket paused) while it is empty. */
  budget: SharedBudget
  pingIntervalMs?: number
  pingTimeoutMs?: number
  registrationTimeoutMs?: number
}

export class IrcSession {
  /** `*` until a NICK is accepted. */
  nick = '*'
  user = ''
  realname = ''
  password: string | null = null
  registered = false
  /** CAP LS/REQ seen and no CAP END yet: registration waits. */
  capHold = false
  readonly caps = new Set<Cap>()
  /** Channels (room names, without `#`) this client has been shown as joined. */
  readonly channels = new Set<string>()
  readonly umodes = new Set<string>()
  away: string | null = null
  readonly address: string
  private readonly splitter = new LineSplitter(MAX_IRC_BUFFER_BYTES)
  private pingTimer: NodeJS.Timeout | null = null
  private regTimer: NodeJS.Timeout | null = null
  private awaitingPong = false
  private gone = false
  /** Checked lines waiting for the shared budget, in order. */
  private readonly pending: IrcLine[] = []
  private readonly wake = () => { this.socket.resume(); this.drain() }

  constructor (private readonly socket: net.Socket, private readonly h: SessionHooks) {
    this.address = `${(socket.remoteAddress ?? '?').replace(/^::ffff:/, '')}:${socket.remotePort ?? 0}`
  }

  get closed (): boolean { return this.gone }
  get hostmask (): string { return `${this.nick}!${this.user || 'irc'}@${IRC_MESH_HOST}` }

  start (): void {
    this.socket.setNoDelay(true)
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('end', () => { this.flush(); this.close(null, 'connection closed by client') })
    this.socket.on('error', (err) => this.close(null, `socket error: ${errorMessage(err)}`))
    this.socket.on('close', () => this.close(null, 'connection closed'))
    this.regTimer = setTimeout(() => this.close('Registration timeout', 'registration timeout'), this.h.registrationTimeoutMs ?? IRC_REGISTRATION_TIMEOUT_MS)
    this.armPing()
  }

  markRegistered (): void {
    this.registered = true
    if (this.regTimer) clearTimeout(this.regTimer)
    this.regTimer = null
  }

  private onData (chunk: Buffer): void {
    if (this.gone) return
    this.armPing()
    for (const ev of this.splitter.push(chunk)) {
      if (this.gone) return
      if (ev.kind === 'overflow') { this.refuse(lineTooLong(`more than ${MAX_IRC_BUFFER_BYTES} bytes without a line end`)); continue }
      if (ev.bytes.length === 0) continue
      let line: IrcLine
      try { line = parseClientLine(ev.bytes) } catch (err) { this.refuse(err); continue }
      if (line.command === '') continue
      this.pending.push(line)
    }
    this.drain()
  }

  /** Runs waiting lines while the shared budget allows; otherwise stops reading until it does. */
  private drain (): void {
    while (this.pending.length > 0 && !this.gone) {
      if (!this.h.budget.ready()) {
        this.socket.pause()
        this.h.budget.wait(this.wake)
        return
      }
      this.h.budget.take()
      this.h.onLine(this, this.pending.shift()!)
    }
  }

  /**
   * The client hung up: the lines it sent before run now, whatever the
   * budget says (as a quit's goodbyes do), so a QUIT that waited for a token
   * still gives its reason, and no line is lost.
   */
  private flush (): void {
    this.h.budget.cancel(this.wake)
    while (this.pending.length > 0 && !this.gone) {
      this.h.budget.take()
      this.h.onLine(this, this.pending.shift()!)
    }
  }

  /** A refused line: 417 for one too long, FAIL with the code otherwise; the client stays connected. */
  private refuse (err: unknown): void {
    const code = errorCode(err)
    if (code === 'LINE_TOO_LONG') this.numeric(ERR.INPUTTOOLONG, `${code}: ${errorMessage(err)}`)
    else this.send(this.h.serverName, 'FAIL', ['*', code, errorMessage(err)])
  }

  /** `:server <numeric> <nick> ...params` */
  numeric (code: string, ...params: string[]): void {
    this.send(this.h.serverName, code, [this.nick, ...params])
  }

  /** Sends one line; tags go only to a client that negotiated message-tags or server-time (time only). */
  send (prefix: string, command: string, params: string[], tags?: Tags): void {
    this.write(serialize(prefix, command, params, this.tagsFor(tags)))
  }

  private tagsFor (tags?: Tags): Tags | undefined {
    if (!tags) return undefined
    const out: Tags = {}
    for (const [k, v] of Object.entries(tags)) {
      if (k === 'time' ? this.caps.has('server-time') : this.caps.has('message-tags')) out[k] = v
    }
    return Object.keys(out).length ? out : undefined
  }

  write (data: string): void {
    if (this.gone) return
    if (this.socket.writableLength > MAX_IRC_QUEUED_BYTES) {
      this.close(null, `not reading: more than ${MAX_IRC_QUEUED_BYTES} bytes queued`)
      return
    }
    this.socket.write(data)
  }

  private armPing (): void {
    this.awaitingPong = false
    if (this.pingTimer) clearTimeout(this.pingTimer)
    this.pingTimer = setTimeout(() => this.onSilent(), this.h.pingIntervalMs ?? IRC_PING_INTERVAL_MS)
    this.pingTimer.unref()
  }

  private onSilent (): void {
    if (this.gone) return
    if (this.awaitingPong) { this.close(`Ping timeout: ${Math.round((this.h.pingTimeoutMs ?? IRC_PING_TIMEOUT_MS) / 1000)} seconds`, 'ping timeout'); return }
    this.awaitingPong = true
    this.write(serialize('', 'PING', [this.h.serverName]))
    this.pingTimer = setTimeout(() => this.onSilent(), this.h.pingTimeoutMs ?? IRC_PING_TIMEOUT_MS)
    this.pingTimer.unref()
  }

  /** Sends `ERROR :<error>` (when given), then closes; reports the client gone once. */
  close (error: string | null, reason: string): void {
    if (this.gone) return
    this.gone = true
    if (this.pingTimer) clearTimeout(this.pingTimer)
    if (this.regTimer) clearTimeout(this.regTimer)
    this.h.budget.cancel(this.wake)
    if (error !== null && !this.socket.destroyed) {
      this.socket.end(serialize('', 'ERROR', [error]), () => this.socket.destroy())
      setTimeout(() => this.socket.destroy(), 1000).unref()
    } else {
      this.socket.destroy()
    }
    this.h.onGone(this, reason)
  }
}

