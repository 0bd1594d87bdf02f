// One meshchat process in --headless mode, driven over stdin and read as JSON
// events on stdout, with the arrival time of each event.
import type { ChildProcess } from 'child_process'
import readline from 'readline'
import { performance } from 'perf_hooks'
import { BIN, LOOPBACK, start, stderrTail, tempDir } from './procs'

export type Event = Record<string, any>

export class HeadlessProc {
  readonly child: ChildProcess
  readonly spawnedAt = performance.now()
  ready: Event | null = null
  readyAt = NaN
  private listeners: Array<(e: Event, at: number) => void> = []
  private readonly stderr: () => string

  constructor (args: string[]) {
    // BENCH_CPU_PROF_DIR=<dir> profiles every process (for finding what is slow).
    const prof = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : []
    this.child = start(process.execPath, [...prof, BIN, '--headless', '--listen', `${LOOPBACK}:0`, '--data-dir', tempDir(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.stderr = stderrTail(this.child)
    this.child.stdin!.on('error', () => {})
    readline.createInterface({ input: this.child.stdout! }).on('line', line => {
      const at = performance.now()
      let e: Event
      try { e = JSON.parse(line) } catch { return }
      if (e.event === 'ready' && !this.ready) { this.ready = e; this.readyAt = at }
      for (const fn of this.listeners) fn(e, at)
    })
  }

  get pid (): number { return this.child.pid! }
  get listen (): string { return this.ready?.listen ?? '' }

  onEvent (fn: (e: Event, at: number) => void): void { this.listeners.push(fn) }

  /** Resolves with the first future event matching pred, or rejects after timeoutMs. */
  waitFor (pred: (e: Event) => boolean, timeoutMs: number, what: string): Promise<Event> {
    if (pred === isReady && this.ready) return Promise.resolve(this.ready)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)) }, timeoutMs)
      const fn = (e: Event) => { if (pred(e)) { off(); resolve(e) } }
      const onExit = (code: number | null) => { off(); reject(new Error(`exited (${code}) while waiting for ${what}: ${this.stderr().trim().slice(-300)}`)) }
      const off = () => {
        clearTimeout(timer)
        this.child.off('exit', onExit)
        this.listeners = this.listeners.filter(x => x !== fn)
      }
      this.listeners.push(fn)
      this.child.once('exit', onExit)
    })
  }

  send (line: string): void { this.child.stdin!.write(line + '\n') }
}

export const isReady = (e: Event) => e.event === 'ready'
