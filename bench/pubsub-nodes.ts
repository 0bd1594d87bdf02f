// The two kinds of node the `pubsub` section compares, behind one small
// interface: a real `meshchat --headless` process, or one js-libp2p gossipsub
// process (bench/gossipsub/node.mjs). Both are driven over stdin and read as
// JSON lines on stdout, with each line's arrival time taken in the bench.
import fs from 'fs'
import path from 'path'
import type { ChildProcess } from 'child_process'
import { HeadlessProc, isReady, type Event } from './headless-proc'
import { ROOT, start } from './procs'
import { JsonLineChild } from './json-line-child'

/** The separate package holding the gossipsub node and its own install. */
export const GOSSIPSUB_DIR = path.join(ROOT, 'bench', 'gossipsub')
export const GOSSIPSUB_SCRIPT = path.join(GOSSIPSUB_DIR, 'node.mjs')

export interface PubsubNode {
  readonly pid: number
  readonly child: ChildProcess
  /** Its listen address, in the form its own dial command takes. */
  readonly listen: string
  /** Links up so far (peer-up events). */
  readonly linksUp: number
  /** Links lost so far (peer-down events). */
  readonly linksDown: number
  ready (timeoutMs: number): Promise<void>
  dial (addr: string): void
  publish (text: string): void
  /** Error events the node reported on stdout (failed dials or publishes), first few kept. */
  readonly errors: string[]
  /** Called for each message from another node, with the stdout line's arrival time. */
  onMessage (fn: (text: string, at: number) => void): void
}

/** A meshchat --headless process; the text is posted to its default room. */
export class MeshchatNode implements PubsubNode {
  private readonly proc: HeadlessProc
  linksUp = 0
  linksDown = 0
  readonly errors: string[] = []

  constructor (nick: string) {
    this.proc = new HeadlessProc(['--nick', nick, '--no-pex', '--min-links', '0'])
    this.proc.onEvent(e => {
      if (e.event === 'peer-up') this.linksUp++
      if (e.event === 'peer-down') this.linksDown++
      if (e.event === 'error') this.errors.push(String(e.code ?? e.message))
    })
  }

  get pid (): number { return this.proc.pid }
  get child (): ChildProcess { return this.proc.child }
  get listen (): string { return this.proc.listen }
  async ready (timeoutMs: number): Promise<void> { await this.proc.waitFor(isReady, timeoutMs, 'ready') }
  dial (addr: string): void { this.proc.send(`/connect ${addr}`) }
  publish (text: string): void { this.proc.send(text) }
  onMessage (fn: (text: string, at: number) => void): void {
    this.proc.onEvent((e, at) => { if (e.event === 'message' && !e.self && !e.history) fn(String(e.text), at) })
  }
}

/** gossipsub mesh parameters passed to node.mjs; an empty object keeps its defaults (D=6). */
export type MeshParams = Partial<Record<'D' | 'Dlo' | 'Dhi' | 'Dscore' | 'Dout' | 'Dlazy', number>>

/** Whether the gossipsub package is installed (its node_modules holds gossipsub). */
export function gossipsubInstalled (): boolean {
  return fs.existsSync(path.join(GOSSIPSUB_DIR, 'node_modules', '@chainsafe', 'libp2p-gossipsub', 'package.json'))
}

/** One js-libp2p gossipsub process on 127.0.0.1. */
export class GossipsubNode extends JsonLineChild implements PubsubNode {
  linksUp = 0
  linksDown = 0
  readonly errors: string[] = []
  private readyEvent: Event | null = null

  constructor (params: MeshParams) {
    const args = Object.entries(params).flatMap(([k, v]) => [`--${k}`, String(v)])
    super(start(process.execPath, [GOSSIPSUB_SCRIPT, ...args], { cwd: GOSSIPSUB_DIR, stdio: ['pipe', 'pipe', 'pipe'] }), 'gossipsub node')
  }

  protected seen (e: Event): void {
    if (e.event === 'ready') this.readyEvent = e
    if (e.event === 'peer-up') this.linksUp++
    if (e.event === 'peer-down') this.linksDown++
    if (e.event === 'error') this.errors.push(String(e.message))
  }

  get listen (): string { return this.readyEvent?.listen ?? '' }

  ready (timeoutMs: number): Promise<void> {
    if (this.readyEvent) return Promise.resolve()
    return this.next(e => e.event === 'ready', timeoutMs, 'ready').then(() => {})
  }

  dial (addr: string): void { this.send({ cmd: 'dial', addr }) }
  publish (text: string): void { this.send({ cmd: 'publish', text }) }
  onMessage (fn: (text: string, at: number) => void): void {
    this.onEvent((e, at) => { if (e.event === 'message') fn(String(e.text), at) })
  }

  /** Its topic mesh size, subscribers seen and open connections, as it reports them. */
  async stats (timeoutMs: number): Promise<{ mesh: number; subscribers: number; connections: number }> {
    const reply = this.next(e => e.event === 'stats', timeoutMs, 'stats')
    this.send({ cmd: 'stats' })
    const e = await reply
    return { mesh: e.mesh, subscribers: e.subscribers, connections: e.connections }
  }

  private send (cmd: object): void { this.child.stdin!.write(JSON.stringify(cmd) + '\n') }
}
