// One meshchat process in --headless mode, driven over stdin and read as JSON
// events on stdout, with the arrival time of each event.
import { performance } from 'perf_hooks'
import { BIN, LOOPBACK, start, tempDir } from './procs'
import { JsonLineChild, type Event } from './json-line-child'

export type { Event }

export class HeadlessProc extends JsonLineChild {
  readonly spawnedAt: number
  ready: Event | null = null
  readyAt = NaN

  constructor (args: string[]) {
    const spawnedAt = performance.now()
    // BENCH_CPU_PROF_DIR=<dir> profiles every process (for finding what is slow).
    const prof = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : []
    super(start(process.execPath, [...prof, BIN, '--headless', '--listen', `${LOOPBACK}:0`, '--data-dir', tempDir(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] }))
    this.spawnedAt = spawnedAt
  }

  protected seen (e: Event, at: number): void {
    if (e.event === 'ready' && !this.ready) { this.ready = e; this.readyAt = at }
  }

  get listen (): string { return this.ready?.listen ?? '' }

  /** Resolves with the first future event matching pred, or rejects after timeoutMs. */
  waitFor (pred: (e: Event) => boolean, timeoutMs: number, what: string): Promise<Event> {
    if (pred === isReady && this.ready) return Promise.resolve(this.ready)
    return this.next(pred, timeoutMs, what)
  }

  send (line: string): void { this.child.stdin!.write(line + '\n') }
}

export const isReady = (e: Event) => e.event === 'ready'
