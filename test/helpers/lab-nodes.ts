// Starting `meshchat dht` and headless meshchat nodes inside a network lab
// (netns.ts), the way a user on that network would: --listen 0.0.0.0:0.
import { Lab, PUBLIC_HOST } from './netns'
import { tempDir, type Proc } from './proc'

/** Starts `meshchat dht` on ns (default: the public switch) and resolves with every address it printed. */
export async function labDht (lab: Lab, opts: { ns?: string; host?: string; nodes?: number } = {}): Promise<{ proc: Proc; addresses: string[] }> {
  const host = opts.host ?? PUBLIC_HOST
  const args = ['dht', '--listen', `${host}:49736`, ...(opts.nodes ? ['--nodes', String(opts.nodes)] : [])]
  const proc = lab.spawn(opts.ns ?? lab.name('pub'), args, 'dht')
  const first = await proc.waitFor(() => true, 10_000, 'the first dht address')
  const line = await waitStderr(proc, /running on (.*) \(UDP\)/)
  const addresses = line[1].split(', ')
  if (addresses[0] !== first.line) throw new Error(`dht: first stdout line ${first.line} is not the first node ${addresses[0]}`)
  return { proc, addresses }
}

/** Polls p's stderr for a line matching re (stderr lines are not events). */
async function waitStderr (p: Proc, re: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const m = p.stderr.map(l => l.match(re)).find(x => x)
    if (m) return m
    if (Date.now() > until) throw new Error(`${p.name}: no stderr line like ${re} in ${timeoutMs} ms: ${p.stderr.join(' | ')}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** A headless node in ns, ready; `args` follow the defaults. */
export async function labNode (lab: Lab, ns: string, nick: string, args: string[]): Promise<Proc> {
  const p = lab.spawn(ns, ['--headless', '--nick', nick, '--listen', '0.0.0.0:0', '--data-dir', tempDir(), ...args], nick)
  p.ready = await p.waitFor(e => e.event === 'ready', 10_000, 'ready')
  return p
}
