// Section 2: fan-out through one node, the classic chat-server workload, run
// against every target with the same driver and the same cases.
import { runFanout, type FanoutCase, type FanoutResult } from './fanout-driver'
import { FANOUT_TARGETS, type FanoutTarget } from './fanout-targets'
import { freePort, stderrTail, stop, waitConnectable } from './procs'

export interface FanoutRow extends Partial<FanoutResult> {
  /** Each measured run's p99; the row's own figures are the median run's. */
  p99RunsMs?: number[]
  target: string
  case: string
  clients: number
  status: 'ok' | 'not available' | 'failed'
  note?: string
}

const LISTEN_TIMEOUT_MS = 10_000
/**
 * Unmeasured runs of the same case each server process gets first, every
 * target alike: a chat server runs for hours, so the measured runs see its
 * code compiled, not its first 2,000 lines in V8's interpreter (start-up is
 * the footprint section's). None before 2026-11-28 23:20 UTC, then one. Two
 * since 2026-11-29 17:50 UTC: one case run back to back in one process
 * (10 clients, 1 x 2000 at 500/s) showed one was not enough. The gateway's
 * p99 read 3.3 and 3.7 ms on the run after one warm-up, then 1.0-1.4 from
 * the third run on; the lean hub's 1.1 ms, then 0.6-0.8.
 */
export const FANOUT_WARMUP_RUNS = 2
/**
 * Measured runs of each case on each server; its row is the run with the
 * median p99, with lines lost, corrupted and duplicated summed over all of
 * them. One run's p99 moved 2-5x between back-to-back runs of one warm
 * process here (the lean hub: 0.57-3.3 ms at 10 clients, 1 x 2000 at
 * 500/s), so one run could not tell 1.5x from noise. A single run until
 * 2026-11-29 17:50 UTC.
 */
export const FANOUT_MEASURED_RUNS = 3

/** The rows of several runs of one case on one server, as one: the median run by p99, losses summed. */
export function combineRuns (runs: FanoutResult[]): FanoutResult & { p99RunsMs: number[] } {
  const sorted = [...runs].sort((a, b) => a.latencyP99Ms - b.latencyP99Ms)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]
  const sum = (k: 'lost' | 'corrupted' | 'duplicates') => runs.reduce((n, r) => n + r[k], 0)
  const ended = runs.find(r => r.ended !== 'complete')?.ended ?? 'complete'
  return { ...median, lost: sum('lost'), corrupted: sum('corrupted'), duplicates: sum('duplicates'), ended, p99RunsMs: runs.map(r => r.latencyP99Ms) }
}

export function caseLabel (c: FanoutCase): string {
  const pace = c.ratePerSender === null ? 'unpaced' : `${c.ratePerSender}/s each`
  return `${c.clients} clients, ${c.senders}x${c.perSender} ${pace}`
}

export function fanoutCases (quick: boolean): FanoutCase[] {
  if (quick) {
    return [
      { clients: 10, senders: 1, perSender: 400, ratePerSender: 400 },
      { clients: 10, senders: 10, perSender: 100, ratePerSender: null }
    ]
  }
  const out: FanoutCase[] = []
  for (const clients of [10, 50]) {
    out.push(
      { clients, senders: 1, perSender: 2000, ratePerSender: 500 },
      { clients, senders: 10, perSender: 500, ratePerSender: 100 },
      { clients, senders: 1, perSender: 2000, ratePerSender: null },
      { clients, senders: 10, perSender: 500, ratePerSender: null }
    )
  }
  return out
}

async function runOne (target: FanoutTarget, c: FanoutCase): Promise<FanoutRow> {
  const base = { target: target.name, case: caseLabel(c), clients: c.clients }
  const port = await freePort()
  const child = target.start(port)
  const stderr = stderrTail(child)
  try {
    await waitConnectable(port, LISTEN_TIMEOUT_MS, child)
    for (let i = 0; i < FANOUT_WARMUP_RUNS; i++) await runFanout(port, child.pid!, c)
    const runs: FanoutResult[] = []
    for (let i = 0; i < FANOUT_MEASURED_RUNS; i++) runs.push(await runFanout(port, child.pid!, c))
    return { ...base, status: 'ok', ...combineRuns(runs) }
  } catch (err) {
    const tail = stderr().trim().split('\n').slice(-3).join(' | ')
    return { ...base, status: 'failed', note: `${(err as Error).message}${tail ? `; stderr: ${tail}` : ''}` }
  } finally {
    await stop(child)
  }
}

/** Runs every case on every target; cases are the outer loop so targets sit side by side. */
export async function runFanoutSection (quick: boolean, log: (s: string) => void): Promise<FanoutRow[]> {
  const rows: FanoutRow[] = []
  const reasons = new Map<FanoutTarget, string | null>()
  for (const t of FANOUT_TARGETS) reasons.set(t, await t.unavailable())
  for (const c of fanoutCases(quick)) {
    for (const t of FANOUT_TARGETS) {
      const why = reasons.get(t)
      if (why) { rows.push({ target: t.name, case: caseLabel(c), clients: c.clients, status: 'not available', note: why }); continue }
      log(`  fan-out: ${t.name}, ${caseLabel(c)}`)
      rows.push(await runOne(t, c))
    }
  }
  return rows
}
