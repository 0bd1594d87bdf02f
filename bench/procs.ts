// Child processes for the benchmark: spawn, track, measure (/proc) and kill.
// Every process started here is killed by killAll(), which run.ts calls on
// every exit path, so a failed section never leaves servers behind.
import { spawn, type ChildProcess, type SpawnOptions } from 'child_process'
import fs from 'fs'
import net from 'net'
import os from 'os'
import path from 'path'
import { sleep } from './stats'

/** The repository: bench/ runs compiled from dist/bench (npm run bench) or as source through ts-node (tests). */
export const ROOT = path.basename(path.dirname(__dirname)) === 'dist' ? path.join(__dirname, '..', '..') : path.join(__dirname, '..')
export const BIN = path.join(ROOT, 'dist', 'bin', 'meshchat.js')
export const LOOPBACK = '127.0.0.1'

const live = new Set<ChildProcess>()
const tempDirs = new Set<string>()

export function track (child: ChildProcess): ChildProcess {
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

export function start (command: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  return track(spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts }))
}

/** Kills one process and waits (bounded) for it to exit. */
export async function stop (child: ChildProcess, graceMs = 1000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])
  if (!done) { child.kill('SIGKILL'); await Promise.race([exited, sleep(graceMs)]) }
}

export async function killAll (): Promise<void> {
  await Promise.all([...live].map(c => stop(c, 500)))
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true })
  tempDirs.clear()
}

/** Synchronous last resort for process 'exit' handlers. */
export function killAllSync (): void {
  for (const c of live) { try { c.kill('SIGKILL') } catch {} }
  for (const d of tempDirs) { try { fs.rmSync(d, { recursive: true, force: true }) } catch {} }
}

export function tempDir (prefix = 'meshchat-bench-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.add(d)
  return d
}

const CLOCK_TICKS_PER_SECOND = 100

/** User + system CPU time of a process, in ms, from /proc/<pid>/stat; NaN if unreadable. */
export function procCpuMs (pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may contain spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(rest[11])
    const stime = Number(rest[12])
    return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND
  } catch {
    return NaN
  }
}

/** The machine's CPU counters (all cores, in clock ticks) from /proc/stat: busy and total; null if unreadable. */
export function machineCpuTicks (): { busy: number, total: number } | null {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const total = f.reduce((a, b) => a + b, 0)
    // Fields 4 and 5 are idle and iowait.
    return { busy: total - f[3] - (f[4] ?? 0), total }
  } catch {
    return null
  }
}

/** Fraction of the whole machine's CPU (every core) that was busy between two machineCpuTicks readings; NaN without both. */
export function machineBusy (a: ReturnType<typeof machineCpuTicks>, b: ReturnType<typeof machineCpuTicks>): number {
  if (!a || !b || b.total <= a.total) return NaN
  return (b.busy - a.busy) / (b.total - a.total)
}

/** Resident set size of a process in bytes, from /proc/<pid>/status; NaN if unreadable. */
export function procRssBytes (pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : NaN
  } catch {
    return NaN
  }
}

/** A port that was free a moment ago on loopback. */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, LOOPBACK, () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

/** Resolves once a TCP connection to the port succeeds (the probe is closed at once). */
export async function waitConnectable (port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited with status ${child.exitCode} before listening on ${port}`)
    const ok = await new Promise<boolean>(resolve => {
      const s = net.connect({ host: LOOPBACK, port })
      s.once('connect', () => { s.destroy(); resolve(true) })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    await sleep(25)
  }
  throw new Error(`nothing listening on ${LOOPBACK}:${port} after ${timeoutMs} ms`)
}

/** Collects a child's stderr (bounded) for error messages. */
export function stderrTail (child: ChildProcess, maxChars = 2000): () => string {
  let text = ''
  child.stderr?.on('data', (d: Buffer) => { text = (text + d.toString()).slice(-maxChars) })
  return () => text
}
