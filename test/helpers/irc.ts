// IRC clients for tests: an irc-framework Client that records every line the
// face sent it (and can wait for one), and a raw socket client for what a
// library would never send (split reads, over-long lines, stray CR or NUL).
import net from 'net'
import { Client } from 'irc-framework'

/** Waits for the first recorded line (already seen or future) matching `re`. */
class Lines {
  readonly lines: string[] = []
  private waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = []

  push (line: string): void {
    this.lines.push(line)
    this.waiters = this.waiters.filter(w => { if (w.re.test(line)) { w.resolve(line); return false } return true })
  }

  wait (re: RegExp, what: string, timeoutMs = 10_000, from = 0): Promise<string> {
    const seen = this.lines.slice(from).find(l => re.test(l))
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w.resolve !== done)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${re}); last lines:\n${this.lines.slice(-8).join('\n')}`))
      }, timeoutMs)
      const done = (l: string) => { clearTimeout(timer); resolve(l) }
      this.waiters.push({ re, resolve: done })
    })
  }

  count (re: RegExp): number { return this.lines.filter(l => re.test(l)).length }
}

export function hostPort (address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':')
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) }
}

export class TestIrc extends Lines {
  readonly client: Client
  constructor (address: string, nick: string, extra: Record<string, unknown> = {}) {
    super()
    this.client = new Client({ auto_reconnect: false, ping_interval: 0, ping_timeout: 0 })
    this.client.on('raw', (e: { line: string; from_server: boolean }) => { if (e.from_server) this.push(e.line.replace(/\r?\n$/, '')) })
    this.client.connect({ ...hostPort(address), nick, username: nick, gecos: `${nick} via irc`, ...extra })
  }

  registered (timeoutMs = 10_000): Promise<string> { return this.wait(/^(@\S+ )?:\S+ 001 /, '001', timeoutMs) }

  close (): void { try { this.client.quit('test over') } catch {} ; setTimeout(() => { try { this.client.connection.end() } catch {} }, 200).unref() }
}

export class RawIrc extends Lines {
  readonly socket: net.Socket
  /** Every byte received, to check that each line ends in CRLF. */
  raw = ''
  readonly closed: Promise<void>

  constructor (address: string) {
    super()
    this.socket = net.connect(hostPort(address))
    this.socket.on('error', () => {})
    let rest = ''
    this.socket.on('data', (d: Buffer) => {
      this.raw += d.toString('utf8')
      rest += d.toString('utf8')
      let i: number
      while ((i = rest.indexOf('\n')) !== -1) { this.push(rest.slice(0, i).replace(/\r$/, '')); rest = rest.slice(i + 1) }
    })
    this.closed = new Promise(resolve => this.socket.once('close', () => resolve()))
  }

  send (text: string | Buffer): void { this.socket.write(text) }
  line (text: string): void { this.socket.write(text + '\r\n') }
  close (): void { this.socket.destroy() }
}
