// The adversary section's table for people: one row per attack beside the
// baseline and the idle-attacker control, with the ratios, and the "done
// when" verdict.
import type { AdversaryResult } from './adversary'
import { HONEST_BURST, HONEST_BURST_LINES, isReference, P99_TARGET_X, rowMeetsTarget } from './adversary'
import { table } from './table'

const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '-')

export function adversaryTable (r: AdversaryResult): string {
  const rows = r.rows.map(a => [
    a.attack,
    Math.round(a.deliveryRatio * 100_000) / 1000,
    a.duplicates,
    `${a.latencyP99Ms.toFixed(1)} (${x(a.p99x)})`,
    (a.p99xRounds ?? [a.p99x]).map(x).join(' '),
    x(a.p99xIdle),
    `${a.victimRssPeakMiB.toFixed(1)} (${x(a.rssx)})`,
    `${a.victimCpuMs} (${x(a.cpux)})`,
    a.meshCpuMs,
    Number.isFinite(a.machineBusy) ? Math.round(a.machineBusy * 100) : '-',
    a.attacker ? `${a.attacker.links}/${a.attacker.linksClosedByVictim}/${a.attacker.framesSent}` : '-',
    a.attackerCpuMs ?? '-',
    Object.entries(a.victimErrors).map(([k, n]) => `${k}:${n}`).join(' ') || '-',
    isReference(a.attack) ? '' : rowMeetsTarget(a) ? 'yes' : 'no'
  ])
  const head = ['attack', 'delivery %', 'dup', 'p99 ms (x base)', 'x base each round', 'p99 x idle', 'victim RSS MiB (x)', 'victim CPU ms (x)', 'mesh CPU ms', 'machine busy %', 'links/closed/frames', 'attacker CPU ms', 'victim errors', 'target']
  return table(head, rows) +
    `\n${r.nodes} honest processes, degree ${r.degree}; ${r.rounds.length} round(s), each attack against its own round's baselines (geometric mean of the first and last row), medians shown; the attacker is its own process, every frame made before the schedule; '${HONEST_BURST}' is a control, not an attack: one honest node that sends none of the timed messages pastes ${HONEST_BURST_LINES} lines at once;` +
    `\ntarget: 100% delivered, no duplicate, p99 within ${P99_TARGET_X}x of the baseline (attacks and the idle control): ${r.targetMet ? 'met' : 'NOT met'}`
}
