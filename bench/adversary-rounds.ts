// The adversary section run in rounds: every row (baseline, idle control,
// each attack, baseline again) once per round, each on a fresh mesh, and each
// attack's ratios taken against the baselines of its own round. A 12-process
// mesh on 2 shared cores moves its latency tail by 2x between two runs of the
// same code, so one round cannot tell a 2x cost from noise; the median of the
// per-round ratios, printed with every round's value, can.
import type { AdversaryRow } from './adversary'
import { median, round } from './stats'

/**
 * Ratios of every row to its round's baseline and idle control. The baseline
 * is the geometric mean of the round's two baseline rows ('baseline' first,
 * 'baseline again' last) when it has both: a p99 of a few thousand samples
 * on a shared machine moves by itself, and two measurements around the
 * attacks make a steadier reference than one before them. The two baseline
 * rows then read sqrt(b1/b2) and its inverse: the round's own spread.
 */
export function withRoundRatios (rows: AdversaryRow[], idleName: string): AdversaryRow[] {
  const bases = rows.filter(r => r.attack === 'baseline' || r.attack === 'baseline again')
  const geo = (f: (r: AdversaryRow) => number) => Math.exp(bases.reduce((a, r) => a + Math.log(f(r)), 0) / bases.length)
  const base = { p99: geo(r => r.latencyP99Ms), rss: geo(r => r.victimRssPeakMiB), cpu: geo(r => r.victimCpuMs) }
  const idle = rows.find(r => r.attack === idleName)
  for (const r of rows) {
    r.p99x = round(r.latencyP99Ms / base.p99, 2)
    r.p99xIdle = round(r.latencyP99Ms / (idle ? idle.latencyP99Ms : base.p99), 2)
    r.rssx = round(r.victimRssPeakMiB / base.rss, 2)
    r.cpux = round(r.victimCpuMs / base.cpu, 2)
  }
  return rows
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
const med = (xs: number[]) => round(median(xs), 2)

/**
 * One row per attack over all rounds: counts are summed (delivery is the
 * total delivered over the total expected), latencies, CPU and ratios are the
 * median of the rounds, memory is the worst round; `p99xRounds` keeps every
 * round's ratio to its own baseline.
 */
export function summariseRounds (rounds: AdversaryRow[][]): AdversaryRow[] {
  return rounds[0].map((first, i) => {
    const rs = rounds.map(r => r[i])
    const expected = sum(rs.map(r => r.expected))
    const delivered = sum(rs.map(r => r.delivered))
    const errors: Record<string, number> = {}
    for (const r of rs) for (const [k, n] of Object.entries(r.victimErrors)) errors[k] = (errors[k] ?? 0) + n
    const attackers = rs.map(r => r.attacker).filter(a => a !== null)
    const nums = (f: (r: AdversaryRow) => number | null) => rs.map(f).filter((v): v is number => v !== null)
    return {
      ...first,
      messages: sum(rs.map(r => r.messages)),
      expected,
      delivered,
      deliveryRatio: round(delivered / expected, 5),
      duplicates: sum(rs.map(r => r.duplicates)),
      latencyP50Ms: med(rs.map(r => r.latencyP50Ms)),
      latencyP99Ms: med(rs.map(r => r.latencyP99Ms)),
      victimRssPeakMiB: Math.max(...rs.map(r => r.victimRssPeakMiB)),
      victimRssBeforeMiB: Math.min(...rs.map(r => r.victimRssBeforeMiB)),
      victimCpuMs: med(rs.map(r => r.victimCpuMs)),
      meshCpuMs: med(rs.map(r => r.meshCpuMs)),
      machineBusy: med(rs.map(r => r.machineBusy)),
      windowMs: med(rs.map(r => r.windowMs)),
      victimAlive: rs.every(r => r.victimAlive),
      p99x: med(rs.map(r => r.p99x)),
      p99xRounds: rs.map(r => r.p99x),
      p99xIdle: med(rs.map(r => r.p99xIdle)),
      rssx: Math.max(...rs.map(r => r.rssx)),
      cpux: med(rs.map(r => r.cpux)),
      victimErrors: errors,
      attacker: attackers.length === 0
        ? null
        : { links: sum(attackers.map(a => a.links)), framesSent: sum(attackers.map(a => a.framesSent)), linksClosedByVictim: sum(attackers.map(a => a.linksClosedByVictim)) },
      attackerCpuMs: first.attackerCpuMs === null ? null : med(nums(r => r.attackerCpuMs)),
      attackerPrepareMs: first.attackerPrepareMs === null ? null : med(nums(r => r.attackerPrepareMs)),
      attackerFramesPrepared: first.attackerFramesPrepared === null ? null : sum(nums(r => r.attackerFramesPrepared)),
      attackerKeys: first.attackerKeys === null ? null : sum(nums(r => r.attackerKeys))
    }
  })
}
