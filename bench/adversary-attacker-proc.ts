// The bench's side of the attacker process (bench/adversary-attacker.ts):
// spawns it as a tracked child (procs.ts kills it on every exit path), sends
// it the victim's address, the victim's peer-downs and the start, and reads
// its JSON-line answers.
import fs from 'fs'
import os from 'os'
import path from 'path'
import readline from 'readline'
import type { ChildProcess } from 'child_process'
import { ROOT, start, stderrTail, stop } from './procs'
import type { AttackerArgs, AttackerCommand, AttackerEvent } from './adversary-attacker'

/** The compiled attacker; tests running the bench through ts-node use it too, like the meshchat bin (build first). */
export const ATTACKER_JS = path.join(ROOT, 'dist', 'bench', 'adversary-attacker.js')
/** How long the attacker may take to make its frames and join its first link. */
export const ATTACKER_READY_TIMEOUT_MS = 20_000
/** How long past its attack time the attacker may take to report. */
export const ATTACKER_DONE_SLACK_MS = 10_000
/**
 * The attacker's scheduling priority (nice 19, the lowest): on the bench's 2
 * shared cores its own work (keys, dials, writes) would otherwise take CPU
 * from the honest processes and count as the victim's cost; across a network
 * it runs on its own machine. It still gets every core the honest mesh leaves
 * idle (its CPU is reported beside each row). Before 17:10 UTC on 2026-11-28
 * it ran at the default priority.
 */
export const ATTACKER_NICE = 19

type Ready = Extract<AttackerEvent, { event: 'ready' }>
type Done = Extract<AttackerEvent, { event: 'done' }>

export class AttackerProc {
  readonly child: ChildProcess
  private readonly events: AttackerEvent[] = []
  private waiters: Array<() => void> = []
  private closed = false
  private readonly stderr: () => string

  constructor (readonly args: AttackerArgs) {
    if (!fs.existsSync(ATTACKER_JS)) throw new Error(`${ATTACKER_JS} is missing: build with npx tsc -p . first`)
    this.child = start(process.execPath, [ATTACKER_JS, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.stderr = stderrTail(this.child)
    try { os.setPriority(this.child.pid!, ATTACKER_NICE) } catch {}
    this.child.stdin!.on('error', () => {})
    readline.createInterface({ input: this.child.stdout! }).on('line', line => {
      try { this.events.push(JSON.parse(line)) } catch { return }
      this.wake()
    })
    // 'close', not 'exit': by then every line the attacker wrote has been read.
    this.child.once('close', () => { this.closed = true; this.wake() })
  }

  get pid (): number { return this.child.pid! }

  /** Tells the attacker the victim, and resolves once every frame is made and its first link (if any) is up. */
  async target (victim: string): Promise<Ready> {
    this.send({ cmd: 'target', victim })
    return await this.next('ready', ATTACKER_READY_TIMEOUT_MS) as Ready
  }

  dropped (key: string): void { this.send({ cmd: 'dropped', key }) }

  /** Starts the attack; the promise resolves with what the attacker reports when its time is up. */
  start (): Promise<Done> {
    this.send({ cmd: 'start' })
    return this.next('done', this.args.durationMs + ATTACKER_DONE_SLACK_MS) as Promise<Done>
  }

  stop (): Promise<void> { return stop(this.child) }

  private send (c: AttackerCommand): void {
    if (this.child.exitCode === null) this.child.stdin!.write(JSON.stringify(c) + '\n')
  }

  private wake (): void {
    const w = this.waiters
    this.waiters = []
    for (const fn of w) fn()
  }

  /** The first event named `name` (or an error), waiting at most timeoutMs. */
  private next (name: AttackerEvent['event'], timeoutMs: number): Promise<AttackerEvent> {
    const deadline = Date.now() + timeoutMs
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.events.findIndex(e => e.event === name || e.event === 'error')
        if (i >= 0) {
          const e = this.events.splice(i, 1)[0]
          return e.event === 'error' ? reject(new Error(`attacker ${this.args.role}: ${e.message}`)) : resolve(e)
        }
        if (this.closed) return reject(new Error(`attacker ${this.args.role} exited (${this.child.exitCode ?? this.child.signalCode}) before ${name}: ${this.stderr().trim().slice(-300)}`))
        if (Date.now() >= deadline) return reject(new Error(`attacker ${this.args.role}: no ${name} within ${timeoutMs} ms`))
        const timer = setTimeout(check, deadline - Date.now())
        this.waiters.push(() => { clearTimeout(timer); check() })
      }
      check()
    })
  }
}
