// TCP bytes written by a set of processes, measured the same way for any
// program: the kernel's own per-socket counters (tcp_info, read with
// `ss -tinpH`), so the figure is what left each socket after encryption and
// framing, whatever the program, and needs nothing from it.
//
// Written bytes of one socket = bytes_sent - bytes_retrans: the bytes the
// program handed to the socket that the kernel sent (a loopback retransmission
// is the kernel's doing, not the program's, and is not counted twice). A
// socket counts for a process when `ss -p` names that process as its owner.
// Counters live as long as the socket: take both snapshots while the links
// are up (both systems here keep their links for the whole run).
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

/** Sum over the processes of bytes written between two snapshots. */
export function writtenBetween (before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0
  for (const [pid, b] of after) sum += b - (before.get(pid) ?? 0)
  return sum
}
