// Runs the built bin (dist/bin/meshchat.js) as a real process in headless mode
// and reads its JSON events. Every process is registered with a tape test's
// single teardown, so it is killed even when an assertion fails.
import { spawn, type ChildProcess } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import readline from 'readline'
import test, { type Test } from 'tape'
import { DEFAULT_TIMING } from '../../lib/core/options'

/**
 * For tests of throughput, not of the per-author and per-link message
 * limits: every node of the test given this relays one author (and sends its
 * own lines) and takes one link's new messages at up to 100,000 a second
 * instead of DEFAULT_AUTHOR_RATE and DEFAULT_LINK_MESSAGE_RATE.
 */
export const LIFTED_LIMITS = ['--author-rate', '100000:100000', '--link-message-rate', '100000:100000']
export const BIN = path.join(__dirname, '..', '..', 'dist', 'bin', 'meshchat.js')

/** Fast timing for tests: seconds become tens of milliseconds where safe. */
export const FAST_TIMING = { tickMs: 100, keepAliveMs: 500, idleTimeoutMs: 3000, helloTimeoutMs: 3000, pexIntervalMs: 500, redialMinMs: 100, redialMaxMs: 1000, presenceIntervalMs: 1000, presenceTimeoutMs: 3000, privateAckTimeoutMs: 3000 }

export type Event = Record<string, any>

/** Rounds of markers drainLinks tries before it gives up. */
const MAX_DRAIN_ROUNDS = 10
/**
 * Time between rounds while a pair still waits for a direct marker. Under
 * lazy push a marker takes the long way until an IHAVE over the direct link
 * shows the shorter one (batched every ihaveDelayMs) and the tree moves to it;
 * back to back, ten rounds could be over before that, and the drain failed.
 */
const DRAIN_ROUND_GAP_MS = DEFAULT_TIMING.ihaveDelayMs + DEFAULT_TIMING.graftTimeoutMs

/**
 * For nodes that are all linked to each other: every node sends a marker line
 * (`drain <round> <name>`), after whatever it sent or forwarded so far. Once a
 * marker from q reached p straight over their own link (hops 1), that link has
 * carried everything q sent on it before: only when this holds for every pair
 * may a test count what did NOT arrive. A marker that won the race the long
 * way round proves nothing for its pair, so rounds follow until every pair has
 * had a direct one (at most MAX_DRAIN_ROUNDS). Markers are ordinary messages:
 * filter them with isDrainMarker.
 */
export async function drainLinks (nodes: Proc[], timeoutMs = 10_000): Promise<void> {
  const pending = new Set<string>()
  for (const p of nodes) for (const q of nodes) if (p !== q) pending.add(`${q.name}>${p.name}`)
  for (let round = 0; round < MAX_DRAIN_ROUNDS; round++) {
    for (const p of nodes) p.send(`drain ${round} ${p.name}`)
    for (const p of nodes) {
      for (const q of nodes) {
        if (p !== q && (await p.waitMessage(`drain ${round} ${q.name}`, timeoutMs)).hops === 1) pending.delete(`${q.name}>${p.name}`)
      }
    }
    if (pending.size === 0) return
    await new Promise(resolve => setTimeout(resolve, DRAIN_ROUND_GAP_MS))
  }
  throw new Error(`drainLinks: after ${MAX_DRAIN_ROUNDS} rounds no direct marker came for ${[...pending].join(', ')}`)
}

export const isDrainMarker = (e: Event): boolean => /^drain \d+ /.test(String(e.text))

const made = new Set<string>()

/**
 * A fresh directory under the OS temp dir, removed once every test of this
 * tape process has finished (each suite run left about 300 behind before;
 * not on 'exit': tape's own exit handler ends the process first).
 */
export function tempDir (prefix = 'meshchat-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  if (made.size === 0) test.onFinish(() => { for (const x of made) fs.rmSync(x, { recursive: true, force: true }) })
  made.add(d)
  return d
}

export class Proc {
  readonly events: Event[] = []
  readonly stderr: string[] = []
  readonly exited: Promise<{ code: number | null; signal: string | null }>
  private waiters: Array<{ pred: (e: Event) => boolean; resolve: (e: Event) => void }> = []
  ready!: Event

  constructor (readonly child: ChildProcess, readonly name: string) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let e: Event
      try { e = JSON.parse(line) } catch { e = { event: 'non-json', line } }
      this.events.push(e)
      this.waiters = this.waiters.filter(w => { if (w.pred(e)) { w.resolve(e); return false } return true })
    })
    readline.createInterface({ input: child.stderr! }).on('line', line => this.stderr.push(line))
    this.exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })))
  }

  get id (): string { return this.ready.id }
  get listen (): string { return this.ready.listen }

  /** Resolves with the first event (already seen or future) matching pred. */
  waitFor (pred: (e: Event) => boolean, timeoutMs = 15_000, what = 'event'): Promise<Event> {
    const seen = this.events.find(pred)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w.resolve !== done)
        reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.stderr.join(' | ')}`))
      }, timeoutMs)
      const done = (e: Event) => { clearTimeout(timer); resolve(e) }
      this.waiters.push({ pred, resolve: done })
    })
  }

  /** Asks for /peers and resolves with the answer (the `peers` event after this call). */
  askPeers (): Promise<Event> {
    const n = this.events.length
    this.send('/peers')
    return this.waitFor(e => e.event === 'peers' && this.events.indexOf(e) >= n, 5000, 'peers')
  }

  waitMessage (text: string, timeoutMs?: number): Promise<Event> {
    return this.waitFor(e => e.event === 'message' && e.text === text, timeoutMs, `message '${text}'`)
  }

  waitPeerUp (id: string, timeoutMs?: number): Promise<Event> {
    return this.waitFor(e => e.event === 'peer-up' && e.peer === id, timeoutMs, `peer-up ${id.slice(0, 8)}`)
  }

  messages (text?: string): Event[] {
    return this.events.filter(e => e.event === 'message' && (text === undefined || e.text === text))
  }

  send (line: string): void { this.child.stdin!.write(line + '\n') }

  kill (signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: string | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    return this.exited
  }
}

export interface StartOptions { name?: string; args?: string[]; timing?: Record<string, number> | null; dataDir?: string; waitReady?: boolean }

/** A group of processes torn down together by one tape teardown. */
export class Cluster {
  readonly procs: Proc[] = []
  /** Other things to close in the same teardown, before the processes (sockets, clients). */
  readonly cleanups: Array<() => void> = []
  constructor (t: Test) {
    t.teardown(async () => {
      for (const fn of this.cleanups.splice(0)) { try { fn() } catch {} }
      await Promise.all(this.procs.map(p => p.kill('SIGKILL').catch(() => {})))
    })
  }

  spawnRaw (args: string[], name = 'meshchat'): Proc {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
    const p = new Proc(child, name)
    this.procs.push(p)
    return p
  }

  async start (opts: StartOptions = {}): Promise<Proc> {
    const name = opts.name ?? `node${this.procs.length}`
    const args = ['--headless', '--nick', name, '--listen', '127.0.0.1:0', '--data-dir', opts.dataDir ?? tempDir()]
    if (opts.timing !== null) args.push('--timing', JSON.stringify(opts.timing ?? FAST_TIMING))
    args.push(...(opts.args ?? []))
    const p = this.spawnRaw(args, name)
    if (opts.waitReady !== false) {
      p.ready = await p.waitFor(e => e.event === 'ready', 10_000, 'ready')
    }
    return p
  }
}

/** Runs the bin to completion and returns its exit status and output. */
export function runBin (args: string[], timeoutMs = 10_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => { stdout += d })
    child.stderr.on('data', d => { stderr += d })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`meshchat ${args.join(' ')} did not exit in ${timeoutMs} ms`)) }, timeoutMs)
    child.on('exit', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}
