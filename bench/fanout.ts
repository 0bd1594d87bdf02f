// Section 2: fan-out through one node, the classic chat-server workload, run
// against every target with the same driver and the same cases.
import { runFanout, type FanoutCase, type FanoutResult } from './fanout-driver'
import { FANOUT_TARGETS, type FanoutTarget } from './fanout-targets'
import { freePort, stderrTail, stop, waitConnectable } from './procs'

export interface FanoutRow extends Partial<FanoutResult> {
  target: string
  case: string
  clients: number
  status: 'ok' | 'not available' | 'failed'
  note?: string
}

const LISTEN_TIMEOUT_MS = 10_000
/**
 * Unmeasured runs of the same case each server process gets first, every
 * target alike: a chat server runs for hours, so the measured run sees its
 * code compiled, not its first 2,000 lines in V8's interpreter (start-up is
 * the footprint section's). Before 2026-11-28 23:20 UTC there were none.
 */
export const FANOUT_WARMUP_RUNS = 1

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
    const r = await runFanout(port, child.pid!, c)
    return { ...base, status: 'ok', ...r }
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
