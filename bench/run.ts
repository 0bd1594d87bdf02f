// npm run bench [-- --quick] [-- --only mesh,tcp,pubsub,fanout,startup,soak,adversary,sim]
// Runs each section, prints a table for people, and writes the same figures
// as JSON to bench/results/. Every child process is killed on every exit.
// adversary and sim (the internet-scale simulator, about 12 minutes in full,
// bench/sim.ts) run only when named in --only.
import fs from 'fs'
import os from 'os'
import path from 'path'
import { performance } from 'perf_hooks'
import { meshPlan, runMeshScenario, type MeshScenarioResult } from './mesh-scenarios'
import { roomsPlan, runRoomsScenario, type RoomsResult } from './mesh-rooms'
import { idlePlan, runIdleScenario, type IdleResult } from './mesh-idle'
import { runTcpScenario, tcpScenarios } from './tcp-mesh'
import { runFanoutSection } from './fanout'
import { runStartup } from './startup'
import { runSoak, soakPlan } from './soak'
import { checkTargets } from './targets'
import { adversaryPlan, runAdversarySection } from './adversary'
import { adversaryTable } from './adversary-report'
import { runSimScenario, simPlan } from './sim'
import { simClassTable, simGrowth, simGrowthTable, simJoinTable, simScaleNote, simTable, simTargets } from './sim-report'
import { pubsubNote, pubsubSideBySide, pubsubTargets, runPubsubSection } from './pubsub'
import { killAll, killAllSync, ROOT } from './procs'
import type { BenchResults, GrowthRow } from './results'
import * as report from './report'
import { round } from './stats'

const SECTIONS = ['mesh', 'tcp', 'pubsub', 'fanout', 'startup', 'soak', 'adversary', 'sim'] as const
type Section = typeof SECTIONS[number]
/** Sections run without --only; adversary (about 2 minutes) and sim (minutes to tens of minutes) run only when asked for. */
const DEFAULT_SECTIONS: readonly Section[] = ['mesh', 'tcp', 'pubsub', 'fanout', 'startup', 'soak']
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results')
/** One-minute load average above which the run warns that figures are noisy. */
const BUSY_LOAD = 1

function parseArgs (argv: string[]): { quick: boolean; only: Set<Section> } {
  const quick = argv.includes('--quick')
  const i = argv.findIndex(a => a === '--only' || a.startsWith('--only='))
  let only = new Set<Section>(DEFAULT_SECTIONS)
  if (i >= 0) {
    const value = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]
    const names = (value ?? '').split(',').filter(Boolean)
    const bad = names.filter(n => !(SECTIONS as readonly string[]).includes(n))
    if (bad.length || names.length === 0) throw new Error(`--only takes a comma list of: ${SECTIONS.join(', ')}`)
    only = new Set(names as Section[])
  }
  return { quick, only }
}

function growth (rows: MeshScenarioResult[]): GrowthRow[] {
  const out: GrowthRow[] = []
  const random = rows.filter(r => r.name.startsWith('random') && !r.name.includes('ttl=') && !r.name.endsWith(' flood'))
  for (const d of [...new Set(random.map(r => r.edges * 2 / r.nodes))]) {
    const same = random.filter(r => r.edges * 2 / r.nodes === d).sort((a, b) => a.nodes - b.nodes)
    const base = same[0]
    for (const r of same) {
      out.push({
        degree: d,
        nodes: r.nodes,
        cpuPerDelivery: round(r.cpuMsPerDelivery / base.cpuMsPerDelivery, 2),
        heapPerNode: round(r.heapPerNodeAfterKiB / base.heapPerNodeAfterKiB, 2),
        p99: round(r.latencyP99Ms / base.latencyP99Ms, 2)
      })
    }
  }
  return out
}

async function main (): Promise<void> {
  const { quick, only } = parseArgs(process.argv.slice(2))
  const t0 = performance.now()
  const say = (s: string) => process.stdout.write(s + '\n')
  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(), quick, node: process.version, platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', loadAverageStart: os.loadavg().map(x => round(x, 2))
    },
    errors: []
  }
  say(`meshchat benchmark${quick ? ' (quick)' : ''}: ${results.meta.cpus} cpus, node ${process.version}, load average ${results.meta.loadAverageStart.join(' ')}`)
  if (results.meta.loadAverageStart[0] > BUSY_LOAD) say('warning: the machine is busy; latency figures will be noisy (run again when it is idle)')
  const section = async (name: Section, title: string, fn: () => Promise<void>) => {
    if (!only.has(name)) return
    say(`\n== ${title}`)
    const started = performance.now()
    try {
      await fn()
    } catch (err) {
      const message = (err as Error).stack ?? String(err)
      results.errors.push({ section: name, message })
      say(`!! ${name} failed: ${message}`)
    } finally {
      await killAll()
      say(`   (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    }
  }

  await section('mesh', 'Mesh flooding, many nodes in one process (in-memory links)', async () => {
    const plan = meshPlan(quick)
    const scenarios: MeshScenarioResult[] = []
    for (const s of plan.scenarios) {
      say(`  ${s.name} ...`)
      scenarios.push(await runMeshScenario(s))
    }
    say(`  ${plan.pubsub.name} ...`)
    const pubsub = await runMeshScenario(plan.pubsub)
    const rooms: RoomsResult[] = []
    for (const s of roomsPlan(quick)) {
      say(`  ${s.name} ...`)
      rooms.push(await runRoomsScenario(s))
    }
    const idle: IdleResult[] = []
    for (const n of idlePlan()) {
      say(`  idle room n=${n} (virtual time) ...`)
      idle.push(await runIdleScenario(n))
    }
    results.mesh = { scenarios, pubsub, growth: growth(scenarios), rooms, idle }
    say(report.meshTable([...scenarios, pubsub]))
    say('\nRooms with overlays formed (each node in one room; a delivery is a member receiving its room\'s message):')
    say(report.roomsTable(rooms))
    say('\nIdle presence, one room, nobody speaking, steady state in virtual time (keep-alives included):')
    say(report.idleTable(idle))
    say('\nGrowth with node count (ratio to the smallest graph of the same degree):')
    say(report.growthTable(results.mesh.growth))
    say('\nStandard pubsub workload vs js-libp2p gossipsub (gossipsub figures QUOTED from issue 6; the measured side by side is section pubsub):')
    say(report.pubsubTable(pubsub))
  })

  await section('tcp', 'Mesh flooding, real processes on loopback TCP', async () => {
    results.tcp = []
    for (const s of tcpScenarios(quick)) {
      say(`  ${s.name} ...`)
      results.tcp.push(await runTcpScenario(s))
    }
    say(report.tcpTable(results.tcp))
  })

  await section('pubsub', 'meshchat vs js-libp2p gossipsub, real processes, same graph and schedule (measured side by side)', async () => {
    results.pubsub = await runPubsubSection(quick, say)
    say(pubsubNote(results.pubsub))
    say(pubsubSideBySide(results.pubsub))
  })

  await section('fanout', 'Fan-out through one node (classic chat-server workload)', async () => {
    results.fanout = await runFanoutSection(quick, say)
    say(report.fanoutTable(results.fanout))
  })

  await section('startup', 'Start-up and idle memory', async () => {
    results.startup = await runStartup(quick ? 3 : 7)
    say(report.startupTable(results.startup))
  })

  await section('soak', 'Memory under a long flood (2 nodes, in-memory)', async () => {
    results.soak = await runSoak(soakPlan(quick))
    say(report.soakTable(results.soak))
  })

  await section('adversary', 'One hostile member against an honest mesh of real processes (each attack vs the baseline)', async () => {
    results.adversary = await runAdversarySection(adversaryPlan(quick), say)
    say(adversaryTable(results.adversary))
  })

  await section('sim', 'Simulated rooms: N real nodes in one process, virtual time, latency links (bench/sim.ts)', async () => {
    const plan = simPlan(quick)
    const l = plan.latency
    const latency = `one way ${l.delayMinMs}-${l.delayMaxMs} ms per link, jitter ${l.jitterMs} ms, ${l.loss * 100}% of frames retransmitted after ${l.rtoMs} ms`
    results.sim = { rows: [], growth: [], latency, notes: [] }
    say(`  degree ${plan.degree}, ${latency}`)
    for (const n of plan.sizes) {
      say(`  room of ${n} ...`)
      results.sim.rows.push(await runSimScenario(n, plan, say))
    }
    results.sim.growth = simGrowth(results.sim.rows)
    say(simTable(results.sim.rows))
    say('\nIdle bytes/s per node by frame class:')
    say(simClassTable(results.sim.rows))
    say('\nA newcomer joins after the idle window (over 130 virtual s, bytes counted on every link, periodic announcements included):')
    say(simJoinTable(results.sim.rows))
    say('\nGrowth with N (x: ratio to the smallest room):')
    say(simGrowthTable(results.sim.growth))
    const scale = simScaleNote(results.sim.growth)
    if (scale) { results.sim.notes.push(scale); say(`  ${scale}`) }
  })

  results.targets = [...checkTargets(results), ...(results.pubsub ? pubsubTargets(results.pubsub) : []), ...(results.sim ? simTargets(results.sim) : [])]
  results.meta.loadAverageEnd = os.loadavg().map(x => round(x, 2))
  results.meta.durationS = round((performance.now() - t0) / 1000, 1)
  say('\n== Targets (issues 6 and 14)')
  say(report.targetsTable(results.targets))
  fs.mkdirSync(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `bench-${quick ? 'quick-' : ''}${results.meta.date.replace(/[:.]/g, '-')}.json`)
  const json = JSON.stringify(results, null, 2) + '\n'
  fs.writeFileSync(file, json)
  fs.writeFileSync(path.join(RESULTS_DIR, quick ? 'latest-quick.json' : 'latest.json'), json)
  say(`\nfinished in ${results.meta.durationS} s; figures written to ${path.relative(process.cwd(), file)}`)
  if (results.errors.length) process.exitCode = 1
}

process.on('exit', killAllSync)
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { killAllSync(); process.exit(130) })

main().catch(async (err) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`)
  await killAll()
  process.exit(2)
})
