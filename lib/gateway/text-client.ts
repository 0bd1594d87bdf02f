// One plain line client of the gateway: splits its bytes into lines, checks
// they are text, paces them by its own rate limit and the gateway's shared
// budget (pausing the socket rather than dropping lines), queues lines for it
// until too many bytes are waiting, and closes it when it falls silent.
import type { Socket } from 'net'
import { TokenBucket } from '../core/token-bucket'
import { LineSplitter, type LineEvent } from './line-splitter'
import type { SharedBudget } from '../core/send-budget'
import { HANGUP_LINGER_MS, MAX_HANGUP_WAIT_MS, MAX_RATE_PAUSE_MS, type GatewayErrorCode } from './limits'

export interface TextClientOptions {
  socket: Socket
  name: string
  ratePerSecond: number
  rateBurst: number
  maxQueuedBytes: number
  maxLineBytes: number
  /** Closed with GATEWAY_IDLE after this long without a line (an empty line counts). */
  idleMs: number
  /** The gateway's total line budget, shared with every other client. */
  budget: SharedBudget
  now?: () => number
  /** A decoded line: valid UTF-8 without NUL bytes or the line break. */
  onLine: (client: TextClient, text: string) => void
  /** The client is gone (socket closed, dropped, or quit); called once. */
  onGone: (client: TextClient, reason: string) => void
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Closes a connection once what is queued (a goodbye or error line) is
 * flushed and has had HANGUP_LINGER_MS to be read, with a reset rather than a
 * FIN: a client that keeps its own side open after a FIN (nc does, until its
 * user types a line) ends at once. Never waits on a stuck client for long.
 */
export function hangUp (s: Socket): void {
  const reset = () => { if (!s.destroyed) s.resetAndDestroy() }
  s.write('', () => setTimeout(reset, HANGUP_LINGER_MS))
  setTimeout(reset, MAX_HANGUP_WAIT_MS).unref()
}

/** A line as it goes on the wire: UTF-8, CRLF-terminated. */
export function encodeLine (line: string): Buffer {
  return Buffer.from(line + '\r\n', 'utf8')
}

export class TextClient {
  name: string
  readonly address: string
  /** True once the client is out of the room: no more lines to or from it. */
  gone = false
  private readonly socket: Socket
  private readonly splitter: LineSplitter
  private readonly bucket: TokenBucket
  private readonly pending: LineEvent[] = []
  private readonly retryMs: number
  private timer: NodeJS.Timeout | null = null
  private idleTimer: NodeJS.Timeout | null = null
  /** True while queued behind other clients for the shared budget. */
  private waiting = false
  private readonly wake = () => { this.waiting = false; this.drain() }
  private ended = false
  private corked = false

  constructor (private readonly opts: TextClientOptions) {
    this.socket = opts.socket
    this.name = opts.name
    this.address = `${opts.socket.remoteAddress ?? '?'}:${opts.socket.remotePort ?? 0}`.replace(/^::ffff:/, '')
    this.splitter = new LineSplitter(opts.maxLineBytes)
    this.bucket = new TokenBucket(opts.ratePerSecond, opts.rateBurst, opts.now ?? Date.now)
    this.retryMs = Math.min(MAX_RATE_PAUSE_MS, Math.max(10, Math.ceil(1000 / opts.ratePerSecond)))
  }

  start (): void {
    const s = this.socket
    s.setNoDelay(true)
    s.on('data', (chunk: Buffer) => {
      if (this.gone) return
      const events = this.splitter.push(chunk)
      if (events.length > 0) this.idleTimer?.refresh()
      for (const ev of events) this.pending.push(ev)
      this.drain()
    })
    s.on('end', () => { this.ended = true; this.drain() })
    s.on('error', () => {})
    s.on('close', () => this.leave('disconnected'))
    this.idleTimer = setTimeout(() => this.onIdle(), this.opts.idleMs)
  }

  /** Silent for idleMs: closed, unless lines of its own are still waiting for the rate limits. */
  private onIdle (): void {
    if (this.gone) return
    if (this.pending.length > 0) { this.idleTimer?.refresh(); return }
    const s = Math.round(this.opts.idleMs / 100) / 10
    this.close(`*** error GATEWAY_IDLE: no line from you in ${s} s; closing (any line, even an empty one, keeps you here)`, 'idle')
  }

  /** Queues one line for the client; drops the client when it has stopped reading. */
  send (line: string): void {
    this.write(encodeLine(line))
  }

  /**
   * Queues bytes already encoded (one buffer shared by every client). Writes
   * made in the same tick go out in one system call (cork until the next tick);
   * `now`: this write (one already gathering many lines) goes out at once.
   */
  write (data: Buffer, now = false): void {
    if (this.gone || this.socket.destroyed || this.socket.writableEnded) return
    if (this.socket.writableLength + data.byteLength > this.opts.maxQueuedBytes) {
      this.leave(`dropped: more than ${this.opts.maxQueuedBytes} bytes queued (not reading)`)
      return
    }
    if (now) {
      // After what this tick queued, and without waiting for the tick to end.
      if (this.corked) { this.corked = false; this.socket.uncork() }
      this.socket.write(data)
      return
    }
    if (!this.corked) {
      this.corked = true
      this.socket.cork()
      process.nextTick(() => {
        this.corked = false
        if (!this.socket.destroyed) this.socket.uncork()
      })
    }
    this.socket.write(data)
  }

  error (code: GatewayErrorCode, message: string): void {
    this.send(`*** error ${code}: ${message}`)
  }

  /** Sends a last line, then closes the connection once it is written. */
  close (lastLine: string | null, reason: string): void {
    if (this.gone) return
    const s = this.socket
    if (lastLine !== null && !s.destroyed && !s.writableEnded) this.send(lastLine)
    this.leave(reason)
  }

  private leave (reason: string): void {
    if (this.gone) return
    this.gone = true
    this.pending.length = 0
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    this.opts.budget.cancel(this.wake)
    this.waiting = false
    const s = this.socket
    if (reason.startsWith('dropped')) {
      s.destroy()
    } else if (!s.destroyed) {
      hangUp(s)
    }
    this.opts.onGone(this, reason)
  }

  /**
   * Handles queued lines while both its own rate limit and the gateway's
   * shared budget allow; otherwise stops reading until they do.
   */
  private drain (): void {
    if (this.timer || this.waiting) return
    const budget = this.opts.budget
    while (this.pending.length > 0 && !this.gone) {
      if (!budget.ready()) {
        this.socket.pause()
        this.waiting = true
        budget.wait(this.wake)
        return
      }
      if (!this.bucket.take()) {
        this.socket.pause()
        this.timer = setTimeout(() => { this.timer = null; this.drain() }, this.retryMs)
        return
      }
      budget.take()
      this.handle(this.pending.shift()!)
    }
    if (this.gone) return
    if (this.ended) {
      this.close(null, 'disconnected')
      return
    }
    if (this.socket.isPaused()) this.socket.resume()
  }

  private handle (ev: LineEvent): void {
    if (ev.kind === 'overflow') {
      this.error('LINE_TOO_LONG', `line longer than ${this.opts.maxLineBytes} bytes without a newline; it was skipped, nothing was sent`)
      return
    }
    if (ev.bytes.includes(0)) {
      this.error('BINARY_INPUT', 'line contains NUL bytes; send UTF-8 text. Nothing was sent')
      return
    }
    let text: string
    try {
      text = decoder.decode(ev.bytes)
    } catch {
      this.error('BINARY_INPUT', 'line is not valid UTF-8 text; nothing was sent')
      return
    }
    this.opts.onLine(this, text)
  }
}
