// A plain TCP line client for gateway tests (what nc or telnet would be):
// collects the lines it receives and lets a test await one.
import net from 'net'

export class LineClient {
  readonly lines: string[] = []
  readonly closed: Promise<void>
  bytes = 0
  isClosed = false
  private partial = ''
  private waiters: Array<{ pred: (l: string) => boolean; resolve: (l: string) => void }> = []
  private closeWaiters: Array<() => void> = []

  private constructor (readonly socket: net.Socket, readonly name: string) {
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => {
      this.bytes += Buffer.byteLength(d)
      const parts = (this.partial + d).split('\n')
      this.partial = parts.pop()!
      for (const raw of parts) this.onLine(raw.replace(/\r$/, ''))
    })
    socket.on('error', () => {})
    this.closed = new Promise(resolve => socket.once('close', () => {
      this.isClosed = true
      for (const w of this.closeWaiters.splice(0)) w()
      resolve()
    }))
  }

  /** Connects to `host:port`; `localAddress` picks the source address (e.g. 127.0.0.2). */
  static connect (address: string, name = 'client', localAddress?: string): Promise<LineClient> {
    const i = address.lastIndexOf(':')
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port: Number(address.slice(i + 1)), host: address.slice(0, i), localAddress })
      socket.once('error', reject)
      socket.once('connect', () => { socket.off('error', reject); resolve(new LineClient(socket, name)) })
    })
  }

  private onLine (line: string): void {
    this.lines.push(line)
    this.waiters = this.waiters.filter(w => { if (w.pred(line)) { w.resolve(line); return false } return true })
  }

  /** Resolves with the first line (already received or future) matching pred. */
  waitLine (pred: (l: string) => boolean | RegExpMatchArray | null, timeoutMs = 10_000, what = 'line'): Promise<string> {
    const test = (l: string) => !!pred(l)
    const seen = this.lines.find(test)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w.resolve !== done)
        reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}; last lines: ${this.lines.slice(-3).map(l => l.slice(0, 100)).join(' | ')}`))
      }, timeoutMs)
      const done = (l: string) => { clearTimeout(timer); resolve(l) }
      this.waiters.push({ pred: test, resolve: done })
    })
  }

  /** Resolves once the server closed the connection, or rejects after timeoutMs. */
  waitClosed (timeoutMs = 10_000): Promise<void> {
    if (this.isClosed) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: not closed after ${timeoutMs} ms`)), timeoutMs)
      this.closeWaiters.push(() => { clearTimeout(timer); resolve() })
    })
  }

  send (line: string | Buffer): void {
    this.socket.write(typeof line === 'string' ? line + '\n' : line)
  }

  destroy (): void { this.socket.destroy() }
}

/** Closes every client of a test; for its single teardown. */
export function closeAll (clients: LineClient[]): void {
  for (const c of clients) { try { c.destroy() } catch {} }
}
