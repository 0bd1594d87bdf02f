// A child process driven over stdin and read as JSON lines on stdout, each
// line with its arrival time: the base of the bench's meshchat and gossipsub
// nodes.
import type { ChildProcess } from 'child_process'
import readline from 'readline'
import { performance } from 'perf_hooks'
import { stderrTail } from './procs'

export type Event = Record<string, any>

export class JsonLineChild {
  private listeners: Array<(e: Event, at: number) => void> = []
  protected readonly stderr: () => string

  /** `name` prefixes this child's errors ('' for none). */
  constructor (readonly child: ChildProcess, private readonly name = '') {
    this.stderr = stderrTail(child)
    child.stdin!.on('error', () => {})
    readline.createInterface({ input: child.stdout! }).on('line', line => {
      const at = performance.now()
      let e: Event
      try { e = JSON.parse(line) } catch { return }
      this.seen(e, at)
      for (const fn of this.listeners) fn(e, at)
    })
  }

  /** Every event, before the listeners: where a subclass keeps its own record. */
  protected seen (_e: Event, _at: number): void {}

  get pid (): number { return this.child.pid! }

  onEvent (fn: (e: Event, at: number) => void): void { this.listeners.push(fn) }

  /** Resolves with the first future event matching pred; rejects after timeoutMs or when the child exits. */
  next (pred: (e: Event) => boolean, timeoutMs: number, what: string): Promise<Event> {
    const who = this.name ? `${this.name} ` : ''
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new Error(`${who ? `${this.name}: ` : ''}timed out after ${timeoutMs} ms waiting for ${what}`)) }, timeoutMs)
      const fn = (e: Event) => { if (pred(e)) { off(); resolve(e) } }
      const onExit = (code: number | null) => { off(); reject(new Error(`${who}exited (${code}) while waiting for ${what}: ${this.stderr().trim().slice(-300)}`)) }
      const off = () => {
        clearTimeout(timer)
        this.child.off('exit', onExit)
        this.listeners = this.listeners.filter(x => x !== fn)
      }
      this.listeners.push(fn)
      this.child.once('exit', onExit)
    })
  }
}
