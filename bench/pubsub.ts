// Section `pubsub`: meshchat and js-libp2p gossipsub side by side, measured in
// one run on the same seeded random graph (bench/graph.ts) and the same
// schedule: 20 processes at degree 4, 4 senders x 50 signed 100-byte texts at
// 20/s each. gossipsub runs twice: with its defaults (D=6) and with D matched
// to the graph's degree (D=4). Its package lives in bench/gossipsub with its
// own lock file; when it is not installed the section tries `npm ci` there
// once, and when that fails it says why and runs meshchat alone.
import { spawnSync } from 'child_process'
import { randomRegular } from './graph'
import { pickDistinct, seededRandom } from './prng'
import { GRAPH_SEED, TEXT_BYTES } from './mesh-scenarios'
import { GOSSIPSUB_DIR, GossipsubNode, MeshchatNode, gossipsubInstalled, type MeshParams, type PubsubNode } from './pubsub-nodes'
import { runPubsubSystem, type PubsubSchedule, type PubsubSystemResult, type SystemSpec } from './pubsub-run'
import { sleep } from './stats'
import { table } from './table'
import type { TargetCheck } from './targets'

export interface PubsubPlan { nodes: number; degree: number; schedule: PubsubSchedule }
export interface PubsubSection {
  plan: PubsubPlan
  graph: string
  /** Why gossipsub did not run, when it did not. */
  gossipsubSkipped: string | null
  rows: PubsubSystemResult[]
}

/** gossipsub's own defaults (D=6, Dlo=4, Dhi=12, Dscore=4, Dout=2, Dlazy=6). */
export const GOSSIPSUB_DEFAULTS: MeshParams = {}
/** gossipsub with D matched to a degree-4 graph; the bounds keep gossipsub's default proportions (Dlo D-2 at least 1 below D, Dhi 2D). */
export const GOSSIPSUB_D4: MeshParams = { D: 4, Dlo: 3, Dhi: 8, Dscore: 3, Dout: 2, Dlazy: 4 }
/** gossipsub's default Dlo, the mesh size its heartbeat grafts up to. */
const DEFAULT_DLO = 4
/** Longest `npm ci` in bench/gossipsub before it counts as failed. */
export const NPM_CI_TIMEOUT_MS = 300_000
/** Stats round-trip to one gossipsub node. */
const STATS_TIMEOUT_MS = 5_000
/** How often the mesh is polled while it forms. */
const MESH_POLL_MS = 200

export function pubsubPlan (quick: boolean): PubsubPlan {
  const nodes = quick ? 8 : 20
  return {
    nodes,
    degree: 4,
    schedule: { senders: pickDistinct(seededRandom(GRAPH_SEED), nodes, quick ? 2 : 4), perSender: quick ? 10 : 50, ratePerSender: 20, textBytes: TEXT_BYTES }
  }
}

/** Installs bench/gossipsub if needed; returns null when it is ready, else why it is not. */
export function ensureGossipsub (say: (s: string) => void): string | null {
  if (gossipsubInstalled()) return null
  if (process.env.BENCH_NO_INSTALL) return 'bench/gossipsub is not installed and BENCH_NO_INSTALL is set (cd bench/gossipsub && npm ci)'
  say('  gossipsub is not installed: running npm ci in bench/gossipsub ...')
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: GOSSIPSUB_DIR, encoding: 'utf8', timeout: NPM_CI_TIMEOUT_MS })
  if (r.error) return `npm ci in bench/gossipsub failed: ${r.error.message}`
  if (r.status !== 0) {
    const lines = (r.stderr || r.stdout).trim().split('\n')
    const telling = lines.filter(l => /\b(code|reason|E[A-Z]{3,})\b/.test(l)).slice(0, 3)
    return `npm ci in bench/gossipsub exited ${r.status}: ${(telling.length ? telling : lines.slice(-3)).join(' / ')}`
  }
  return gossipsubInstalled() ? null : 'npm ci in bench/gossipsub finished but gossipsub is still missing'
}

export const meshchatSpec: SystemSpec = { name: 'meshchat', make: i => new MeshchatNode(`p${i}`) }

/** gossipsub, ready once every node's topic mesh holds min(Dlo, its links) peers. */
export function gossipsubSpec (name: string, params: MeshParams): SystemSpec {
  const dlo = params.Dlo ?? DEFAULT_DLO
  return {
    name,
    make: () => new GossipsubNode(params),
    formed: async (nodes: PubsubNode[], timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const stats = await Promise.all(nodes.map(p => (p as GossipsubNode).stats(STATS_TIMEOUT_MS)))
        if (stats.every((s, i) => s.mesh >= Math.min(dlo, nodes[i].linksUp))) return true
        await sleep(MESH_POLL_MS)
      }
      return false
    }
  }
}

export async function runPubsubSection (quick: boolean, say: (s: string) => void = () => {}, systems?: SystemSpec[]): Promise<PubsubSection> {
  const plan = pubsubPlan(quick)
  const graph = randomRegular(plan.nodes, plan.degree, seededRandom(GRAPH_SEED + plan.nodes * 31 + plan.degree))
  let skipped: string | null = null
  if (!systems) {
    skipped = ensureGossipsub(say)
    if (skipped) say(`  gossipsub skipped: ${skipped}`)
    systems = [meshchatSpec, ...(skipped ? [] : [gossipsubSpec('gossipsub D=6 (defaults)', GOSSIPSUB_DEFAULTS), gossipsubSpec('gossipsub D=4', GOSSIPSUB_D4)])]
  }
  const rows: PubsubSystemResult[] = []
  for (const spec of systems) {
    say(`  ${spec.name} ...`)
    rows.push(await runPubsubSystem(spec, graph, plan.schedule))
  }
  return { plan, graph: graph.label, gossipsubSkipped: skipped, rows }
}

/** Issue 14's targets against gossipsub on this workload: meshchat's bytes per delivery and p99 as a fraction of each gossipsub run's. */
export const PUBSUB_TARGETS = { bytesVsGossipsub: 0.5, p99VsGossipsub: 0.1 }

/** The issue-14 target rows: meshchat delivers everything, and beats each gossipsub run by the target ratios. */
export function pubsubTargets (s: PubsubSection): TargetCheck[] {
  const m = s.rows.find(r => r.system === 'meshchat')
  if (!m) return []
  const out: TargetCheck[] = [{ target: 'pubsub (processes): meshchat delivered', measured: m.deliveryRatio, limit: 1, unit: 'ratio', ratio: m.deliveryRatio, met: m.deliveryRatio >= 1 }]
  const vs = (target: string, x: number, limit: number, note: string): TargetCheck => {
    const r = Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null
    return { target, measured: r, limit, unit: 'x', ratio: r === null ? null : Math.round((r / limit) * 1000) / 1000, met: r === null ? null : r <= limit, note }
  }
  for (const g of s.rows.filter(r => r !== m)) {
    out.push(vs(`pubsub: bytes/delivery vs ${g.system}`, m.bytesPerDelivery / g.bytesPerDelivery, PUBSUB_TARGETS.bytesVsGossipsub, `${m.bytesPerDelivery} vs ${g.bytesPerDelivery} B`))
    out.push(vs(`pubsub: p99 vs ${g.system}`, m.latencyP99Ms / g.latencyP99Ms, PUBSUB_TARGETS.p99VsGossipsub, `${m.latencyP99Ms} vs ${g.latencyP99Ms} ms`))
  }
  return out
}

/** What was run and how it was counted, printed above the table. */
export function pubsubNote (s: PubsubSection): string {
  const k = s.plan.schedule
  return [`  ${s.graph}, ${k.senders.length} senders x ${k.perSender} at ${k.ratePerSender}/s, signed ${k.textBytes}-byte texts; one process per node on 127.0.0.1.`,
    '  latency: stdin write at the sender to the stdout line at each receiver; bytes: TCP bytes written (kernel socket counters via ss, after encryption).',
    s.gossipsubSkipped ? `  gossipsub not run: ${s.gossipsubSkipped}` : '',
    ...s.rows.filter(r => r.firstError).map(r => `  ${r.system}: ${r.errors} error events, first: ${r.firstError}`)].filter(Boolean).join('\n')
}

export function pubsubSideBySide (s: PubsubSection): string {
  const base = s.rows.find(r => r.system === 'meshchat')
  const ratio = (r: PubsubSystemResult, k: keyof PubsubSystemResult) => base && r !== base ? Math.round(((base[k] as number) / (r[k] as number)) * 100) / 100 : null
  return table(
    ['system', 'delivered %', 'dups', 'errors', 'links lost', 'socks closed/opened', 'p50 ms', 'p99 ms', 'bytes/deliv', 'idle B/s/node', 'cpu ms/deliv', 'form ms', 'load', 'meshchat/this bytes', 'meshchat/this p99'],
    s.rows.map(r => [r.system, r.deliveryRatio * 100, r.duplicates, r.errors, r.linksLost, `${r.socketsClosed}/${r.socketsOpened}`, r.latencyP50Ms, r.latencyP99Ms, r.bytesPerDelivery, r.idleBytesPerSecPerNode, r.cpuMsPerDelivery, r.formMs, r.loadAverage,
      ratio(r, 'bytesPerDelivery'), ratio(r, 'latencyP99Ms')]))
}
