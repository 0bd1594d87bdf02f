// TCP bytes written by a set of processes, measured the same way for any
// program: the kernel's own per-socket counters (tcp_info, read with
// `ss -tinpH`), so the figure is what left each socket after encryption and
// framing, whatever the program, and needs nothing from it.
//
// Written bytes of one socket = bytes_sent - bytes_retrans: the bytes the
// program handed to the socket that the kernel sent (a loopback retransmission
// is the kernel's doing, not the program's, and is not counted twice). A
// socket counts for a process when `ss -p` names that process as its owner.
// Counters live as long as the socket, so a SocketMeter samples every few
// hundred ms and follows each socket: one that closes loses at most its last
// interval's bytes, and the closes are counted and reported.
import { execFile } from 'child_process'

/** How long one `ss` call may take before the snapshot fails. */
export const SS_TIMEOUT_MS = 10_000
/** Largest `ss` output read (a few hundred sockets take well under this). */
export const SS_MAX_BUFFER = 32 * 1024 * 1024

export interface SocketCount { pid: number; local: string; peer: string; written: number }

/**
 * Parses `ss -tinpH state established` output: a socket line (local, peer,
 * users:((...pid=N...))) followed by an indented line of tcp_info fields.
 * Sockets without an owning pid or without byte counters are skipped.
 */
export function parseSs (text: string): SocketCount[] {
  const out: SocketCount[] = []
  let head: { pid: number; local: string; peer: string } | null = null
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    if (!/^\s/.test(line)) {
      const cols = line.trim().split(/\s+/)
      const pid = /pid=(\d+)/.exec(line)
      head = pid && cols.length >= 4 ? { pid: Number(pid[1]), local: cols[2], peer: cols[3] } : null
      continue
    }
    if (!head) continue
    const sent = /\bbytes_sent:(\d+)/.exec(line)
    const retrans = /\bbytes_retrans:(\d+)/.exec(line)
    // A socket that has sent nothing yet shows no bytes_sent field.
    out.push({ ...head, written: (sent ? Number(sent[1]) : 0) - (retrans ? Number(retrans[1]) : 0) })
    head = null
  }
  return out
}

/** The raw listing of every established TCP socket on the machine with its owner and counters. */
export function ssListing (): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ss', ['-tinpH', 'state', 'established'], { timeout: SS_TIMEOUT_MS, maxBuffer: SS_MAX_BUFFER }, (err, stdout) => {
      if (err) reject(new Error(`ss failed (is iproute2 installed?): ${err.message}`)); else resolve(stdout)
    })
  })
}

/** Bytes written so far to TCP sockets by each of the given processes (0 for one with no socket). */
export async function bytesWrittenBy (pids: number[]): Promise<Map<number, number>> {
  const want = new Set(pids)
  const totals = new Map<number, number>(pids.map(p => [p, 0]))
  for (const s of parseSs(await ssListing())) {
    if (want.has(s.pid)) totals.set(s.pid, totals.get(s.pid)! + s.written)
  }
  return totals
}

/** How often a SocketMeter samples while it runs. */
export const METER_INTERVAL_MS = 250

/** Bytes written by a set of processes over a window, followed socket by socket. */
export class SocketMeter {
  private readonly pids: Set<number>
  private readonly first = new Map<string, number>()
  private readonly last = new Map<string, number>()
  private samples = 0
  private loop: Promise<void> | null = null
  private stopped = false
  private live = new Set<string>()
  /** Sockets first seen after the meter started. */
  opened = 0

  /** Sockets seen at some sample but not at the latest (an owner briefly missing from ss's listing and back later does not count). */
  get closed (): number {
    let n = 0
    for (const key of this.first.keys()) if (!this.live.has(key)) n++
    return n
  }

  /** keep: which of those processes' sockets count (all by default). */
  constructor (pids: number[], private readonly keep: (s: SocketCount) => boolean = () => true) { this.pids = new Set(pids) }

  /** Takes the first sample, then samples every intervalMs until stop(). */
  async start (intervalMs = METER_INTERVAL_MS): Promise<void> {
    await this.sample()
    this.loop = (async () => {
      while (!this.stopped) {
        await new Promise(resolve => setTimeout(resolve, intervalMs))
        if (!this.stopped) await this.sample()
      }
    })()
  }

  /** Stops sampling after one last sample; returns the bytes written. */
  async stop (): Promise<number> {
    this.stopped = true
    await this.loop
    await this.sample()
    return this.written()
  }

  /** Bytes written since the first sample (sockets opened since: since they opened), as of the last sample. */
  written (): number {
    let sum = 0
    for (const [key, b] of this.last) sum += b - this.first.get(key)!
    return sum
  }

  async sample (): Promise<void> {
    const seen = new Set<string>()
    for (const s of parseSs(await ssListing())) {
      if (!this.pids.has(s.pid) || !this.keep(s)) continue
      const key = `${s.pid} ${s.local} ${s.peer}`
      seen.add(key)
      if (!this.first.has(key)) {
        this.first.set(key, this.samples === 0 ? s.written : 0)
        if (this.samples > 0) this.opened++
      }
      this.last.set(key, s.written)
    }
    this.live = seen
    this.samples++
  }
}

/** Sum over the processes of bytes written between two snapshots. */
export function writtenBetween (before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0
  for (const [pid, b] of after) sum += b - (before.get(pid) ?? 0)
  return sum
}
