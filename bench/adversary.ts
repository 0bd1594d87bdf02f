// Section "adversary": an honest mesh of real --headless processes on
// 127.0.0.1 with one hostile member linked to a victim node, attack after
// attack, each on a fresh mesh and compared with the same run without it
// (the baseline) and with an attacker that links but sends nothing harmful
// (the idle control): delivery, duplicates and p99 latency of the honest
// messages at every honest node, and the victim's RSS and CPU (/proc). The
// attacker runs in its own process and makes every frame before the honest
// schedule starts, so the measuring process only reads events.
import { performance } from 'perf_hooks'
import { degrees, randomRegular } from './graph'
import { HeadlessProc, isReady } from './headless-proc'
import { pickDistinct, seededRandom } from './prng'
import { machineBusy, machineCpuTicks, procCpuMs, procRssBytes, stop } from './procs'
import { MIB, paced, paddedText, quantile, round, sleep, waitUntil } from './stats'
import { GRAPH_SEED } from './mesh-scenarios'
import { DEFAULT_AUTHOR_BURST } from '../lib/core/author-limits'
import { ATTACKS, IDLE, type AttackName, type AttackPlan, type AttackerRole } from './adversary-frames'
import type { AttackOutcome } from './adversary-attacks'
import { AttackerProc } from './adversary-attacker-proc'
import { summariseRounds, withRoundRatios } from './adversary-rounds'

export interface AdversaryPlan {
  nodes: number
  degree: number
  senders: number
  perSender: number
  ratePerSender: number
  /** Messages the honest senders send before the measured run, so the room has a history to sync. */
  warmup: number
  warmupBytes: number
  textBytes: number
  attack: AttackPlan
  attacks: AttackName[]
  /** Extra options for every honest node (a probe of other limits; the bench itself passes none). */
  honestArgs?: string[]
  /** Times every row runs (bench/adversary-rounds.ts), the attack rows in a turned order each round; the table shows the median of the per-round ratios. */
  rounds: number
}

export interface AdversaryRow {
  /**
   * 'baseline again' repeats the baseline last, to show how much the figures
   * move between two runs without an attack; 'attacker idle' is the control:
   * the attacker process links to the victim as in an attack and sends nothing harmful.
   */
  attack: 'baseline' | 'baseline again' | typeof HONEST_BURST | AttackerRole
  messages: number
  expected: number
  delivered: number
  deliveryRatio: number
  /** Deliveries of an honest message to a node that already had it. */
  duplicates: number
  latencyP50Ms: number
  latencyP99Ms: number
  /** Peak resident memory of the victim during the run, and just before it. */
  victimRssPeakMiB: number
  victimRssBeforeMiB: number
  /** User + system CPU of the victim during the run. */
  victimCpuMs: number
  /** User + system CPU of every honest process (the victim included) during the run: what the attack cost the whole mesh. */
  meshCpuMs: number
  /**
   * Fraction of the whole machine's CPU busy during the run (every process,
   * from /proc/stat). Near 1, every node waits for a core and any extra work
   * anywhere shows up in every node's latency tail.
   */
  machineBusy: number
  windowMs: number
  victimAlive: boolean
  /** Ratios to the baseline row (1 for the baseline itself). */
  p99x: number
  /** Summary rows: the p99 ratio of each round to that round's baseline (p99x is their median). */
  p99xRounds?: number[]
  rssx: number
  cpux: number
  /** p99 ratio to the 'attacker idle' row: the victim's cost of refusing the junk, without the cost of a busy attacker process. */
  p99xIdle: number
  /** Error codes the victim reported during the run, with counts. */
  victimErrors: Record<string, number>
  attacker: AttackOutcome | null
  /** The attacker process's own CPU from its start to its report (null without one). */
  attackerCpuMs: number | null
  /** How long the attacker took to make its keys and frames and join its first link, before the schedule. */
  attackerPrepareMs: number | null
  /** Frames the attacker made beforehand (a repeated frame counts each time), and keys it generated. */
  attackerFramesPrepared: number | null
  attackerKeys: number | null
}

export interface AdversaryResult {
  nodes: number
  degree: number
  /** One row per attack, summarised over the rounds. */
  rows: AdversaryRow[]
  /** Every round's rows, as measured. */
  rounds: AdversaryRow[][]
  /** Every attack row and the idle control: 100% of honest messages, each once, p99 within P99_TARGET_X of the baseline. */
  targetMet: boolean
}

/**
 * A control row, not an attack: when the window opens, one honest node
 * that sends none of the timed messages pastes HONEST_BURST_LINES lines at
 * once. It shows what a burst of valid messages (what the limits let any
 * member send, fresh-keys' admitted messages included) does to the p99 of
 * 12 processes on a shared machine.
 */
export const HONEST_BURST = 'honest burst'
export const HONEST_BURST_LINES = 20

/** Rows held to no target: the two baselines and the honest burst. */
export function isReference (attack: AdversaryRow['attack']): boolean {
  return attack === 'baseline' || attack === 'baseline again' || attack === HONEST_BURST
}

/** The "done when" bound: honest p99 under attack within this many times the baseline's. */
export const P99_TARGET_X = 2
const READY_TIMEOUT_MS = 20_000
const LINK_TIMEOUT_MS = 20_000
const WARMUP_TIMEOUT_MS = 30_000
/** How long the honest messages may take to arrive after the last one was sent. */
const DRAIN_TIMEOUT_MS = 8_000
/** Victim RSS is sampled this often during the run. */
const RSS_SAMPLE_MS = 50
/** The shortest attack, when the honest schedule is shorter (quick runs). */
const MIN_ATTACK_MS = 500
/**
 * Rate of the warm-up messages, per sender. At 100/s (before 16:55 UTC on
 * 2026-11-28) the warm-up loaded 12 processes on 2 cores past what they could
 * keep up with; lazy push trees were still settling (GRAFTs, 300 ms late
 * copies) when the measured window opened, in baseline rows too.
 */
const WARMUP_RATE = 25

/**
 * Messages each fresh key signs (attack fresh-keys): as many as relays let
 * one new author through at once, the most each key can cost. It was 4 until
 * 2026-11-29, when the burst was 2000; at 20 the attack reads several times
 * worse than at 4 (a scratch run: 13x against 2.3x).
 */
const MESSAGES_PER_FRESH_KEY = DEFAULT_AUTHOR_BURST

export function adversaryPlan (quick: boolean): AdversaryPlan {
  const attack: AttackPlan = quick
    ? { maxLinks: 2, syncOffers: 100, freshKeyMessages: 200, messagesPerKey: MESSAGES_PER_FRESH_KEY, memberFloodMessages: 200, futureMessages: 60, syncReplays: 150, rawSockets: 8, rawRounds: 3 }
    : { maxLinks: 8, syncOffers: 400, freshKeyMessages: 600, messagesPerKey: MESSAGES_PER_FRESH_KEY, memberFloodMessages: 600, futureMessages: 200, syncReplays: 200, rawSockets: 24, rawRounds: 20 }
  return quick
    ? { nodes: 4, degree: 2, senders: 2, perSender: 10, ratePerSender: 20, warmup: 8, warmupBytes: 1000, textBytes: 100, attack, attacks: [...ATTACKS], rounds: 1 }
    : { nodes: 12, degree: 4, senders: 4, perSender: 50, ratePerSender: 20, warmup: 300, warmupBytes: 1000, textBytes: 100, attack, attacks: [...ATTACKS], rounds: 5 }
}

/** Row order: the baseline, the idle control, every attack of the plan, the baseline again; each on a fresh mesh. */
export function adversaryRows (plan: AdversaryPlan): Array<AdversaryRow['attack']> {
  return ['baseline', IDLE, ...plan.attacks, HONEST_BURST, 'baseline again']
}

/** Runs every row of adversaryRows(plan), plan.rounds times, and summarises each attack over the rounds. */
export async function runAdversarySection (plan: AdversaryPlan, say: (s: string) => void = () => {}): Promise<AdversaryResult> {
  const rounds: AdversaryRow[][] = []
  const order = adversaryRows(plan)
  for (let k = 0; k < plan.rounds; k++) {
    const rows = new Map<string, AdversaryRow>()
    // Between the two baselines the rows take turns going first, so no attack always runs on the warmest (or coldest) machine.
    const middle = order.slice(1, -1)
    const turn = k % middle.length
    for (const attack of [order[0], ...middle.slice(turn), ...middle.slice(0, turn), order[order.length - 1]]) {
      say(`  round ${k + 1}/${plan.rounds}: ${attack} ...`)
      rows.set(attack, await runOne(plan, attack))
    }
    rounds.push(withRoundRatios(order.map(a => rows.get(a)!), IDLE))
  }
  const rows = summariseRounds(rounds)
  return { nodes: plan.nodes, degree: plan.degree, rows, rounds, targetMet: rows.filter(r => !isReference(r.attack)).every(rowMeetsTarget) }
}

export function rowMeetsTarget (r: AdversaryRow): boolean {
  return r.deliveryRatio === 1 && r.duplicates === 0 && r.p99x <= P99_TARGET_X
}

async function runOne (plan: AdversaryPlan, attack: AdversaryRow['attack']): Promise<AdversaryRow> {
  const graph = randomRegular(plan.nodes, plan.degree, seededRandom(GRAPH_SEED + plan.nodes))
  const want = degrees(graph)
  const victim = 0
  const senders = pickDistinct(seededRandom(GRAPH_SEED), plan.nodes - 1, plan.senders).map(i => i + 1)
  // The honest burst's paster is neither the victim nor a timed sender: its own pacing (the lines past its burst wait) must not
  // delay timed messages, so the row shows what the mesh pays for the paste. Until 2026-11-29 09:10 UTC it was senders[0].
  const paster = Array.from({ length: plan.nodes }, (_, i) => i).find(i => i !== victim && !senders.includes(i))!
  const procs = Array.from({ length: graph.n }, (_, i) => new HeadlessProc(['--nick', `h${i}`, '--no-pex', '--min-links', '0', ...(plan.honestArgs ?? [])]))
  const scheduleMs = (plan.perSender / plan.ratePerSender) * 1000
  const attackMs = Math.max(MIN_ATTACK_MS, scheduleMs)
  let attacker: AttackerProc | null = null
  try {
    // Started now so its start-up overlaps the mesh's; it does nothing until told the victim.
    if (!isReference(attack)) attacker = new AttackerProc({ role: attack as AttackerRole, plan: plan.attack, durationMs: attackMs })
    await Promise.all(procs.map(p => p.waitFor(isReady, READY_TIMEOUT_MS, 'ready')))
    const ups = procs.map(() => 0)
    procs.forEach((p, i) => p.onEvent(e => { if (e.event === 'peer-up') ups[i]++ }))
    for (const [a, b] of graph.edges) procs[a].send(`/connect ${procs[b].listen}`)
    if (!await waitUntil(() => ups.every((n, i) => n >= want[i]), LINK_TIMEOUT_MS, 20)) throw new Error(`links did not come up: peer-up counts ${ups.join(',')}`)

    // Every node counts the honest messages it got, by tag.
    const got = procs.map(() => new Map<string, number>())
    const sentAt = new Map<string, number>()
    const latencies: number[] = []
    let warm = 0
    procs.forEach((p, i) => p.onEvent((e, at) => {
      if (e.event !== 'message' || e.self) return
      const tag = String(e.text).split(' ')[0]
      if (tag.startsWith('w')) { warm++; return }
      const s0 = sentAt.get(tag)
      if (s0 === undefined) return
      const n = (got[i].get(tag) ?? 0) + 1
      got[i].set(tag, n)
      if (n === 1) latencies.push(at - s0)
    }))
    await sendPaced(procs, senders, Math.ceil(plan.warmup / senders.length), WARMUP_RATE, plan.warmupBytes, (k, j) => `w${k}-${j}`)
    const warmTotal = Math.ceil(plan.warmup / senders.length) * senders.length * (graph.n - 1)
    if (!await waitUntil(() => warm >= warmTotal, WARMUP_TIMEOUT_MS, 20)) throw new Error(`warm-up: ${warm} of ${warmTotal} deliveries`)

    const v = procs[victim]
    const victimErrors: Record<string, number> = {}
    v.onEvent(e => {
      if (e.event === 'error' && typeof e.code === 'string') victimErrors[e.code] = (victimErrors[e.code] ?? 0) + 1
      // A member that stopped reading cannot see the victim close its link: tell the attacker.
      if (e.event === 'peer-down') attacker?.dropped(String(e.peer))
    })
    // Every key and frame is made, and the first link is up, before the measured window opens.
    const ready = attacker ? await attacker.target(v.listen) : null
    const rssBefore = procRssBytes(v.pid)
    let rssPeak = rssBefore
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, procRssBytes(v.pid) || 0) }, RSS_SAMPLE_MS)
    const cpu0 = procCpuMs(v.pid)
    const mesh0 = procs.map(p => procCpuMs(p.pid))
    const machine0 = machineCpuTicks()
    const t0 = performance.now()
    const report = attacker ? attacker.start() : null
    report?.catch(() => {}) // awaited below; a failure before then must not go unhandled
    // Untagged lines: their deliveries cost what any message costs, and count in no latency.
    if (attack === HONEST_BURST) for (let b = 0; b < HONEST_BURST_LINES; b++) procs[paster].send(paddedText(`b${b}`, plan.textBytes))
    await sendPaced(procs, senders, plan.perSender, plan.ratePerSender, plan.textBytes, (k, j) => `t${k}-${j}`, sentAt)
    const expected = sentAt.size * (graph.n - 1)
    const deliveredNow = () => got.reduce((a, m) => a + m.size, 0)
    await waitUntil(() => deliveredNow() >= expected, DRAIN_TIMEOUT_MS, 5)
    const done = report ? await report : null
    // Settle a little, then a last sample, so an answer still queued is counted.
    await sleep(RSS_SAMPLE_MS)
    clearInterval(sampler)
    rssPeak = Math.max(rssPeak, procRssBytes(v.pid) || 0)
    const windowMs = performance.now() - t0
    const cpu = procCpuMs(v.pid) - cpu0
    const meshCpu = procs.reduce((a, p, i) => a + procCpuMs(p.pid) - mesh0[i], 0)
    const busy = machineBusy(machine0, machineCpuTicks())
    const delivered = deliveredNow()
    return {
      attack,
      messages: sentAt.size,
      expected,
      delivered,
      deliveryRatio: round(delivered / expected, 5),
      duplicates: got.reduce((a, m) => a + [...m.values()].reduce((x, n) => x + n - 1, 0), 0),
      latencyP50Ms: round(quantile(latencies, 0.5)),
      latencyP99Ms: round(quantile(latencies, 0.99)),
      victimRssPeakMiB: round(rssPeak / MIB, 1),
      victimRssBeforeMiB: round(rssBefore / MIB, 1),
      victimCpuMs: round(cpu, 0),
      meshCpuMs: round(meshCpu, 0),
      machineBusy: round(busy, 2),
      windowMs: round(windowMs, 0),
      victimAlive: v.child.exitCode === null && v.child.signalCode === null,
      p99x: 1,
      rssx: 1,
      cpux: 1,
      p99xIdle: 1,
      victimErrors,
      attacker: done?.outcome ?? null,
      attackerCpuMs: done?.cpuMs ?? null,
      attackerPrepareMs: ready?.prepareMs ?? null,
      attackerFramesPrepared: ready?.frames ?? null,
      attackerKeys: ready?.keys ?? null
    }
  } finally {
    await Promise.all([...procs.map(p => stop(p.child)), attacker?.stop()])
  }
}

/** Senders take turns, each at `rate` per second; `tag(k, j)` starts each text. */
function sendPaced (procs: HeadlessProc[], senders: number[], perSender: number, rate: number, bytes: number,
  tag: (k: number, j: number) => string, sentAt?: Map<string, number>): Promise<void> {
  return paced(senders.length, perSender, rate, (k, j) => {
    const t = tag(k, j)
    sentAt?.set(t, performance.now())
    procs[senders[j]].send(paddedText(t, bytes))
  })
}
