// Tables of the simulator section (bench/sim.ts): one row per room size, and
// the growth of each per-node figure with N against log2 N.
import type { SimResult } from './sim'
import { round } from './stats'
import { table } from './table'
import type { TargetCheck } from './targets'

export interface SimGrowthRow {
  nodes: number
  /** log2 N over log2 of the smallest N: what "grows no faster than log N" is compared with. */
  log2x: number
  idleBytesPerSecPerNode: number; idleX: number
  copiesPerDelivery: number; copiesX: number
  heapPerNodeKiB: number; heapX: number
  /** Heap per node over the room size: what each member costs each node (a room of N in one process needs N^2 of it). */
  heapPerMemberB: number
  formationKiBPerNode: number; formationX: number
  /** Bytes per node while one newcomer joined (SIM_JOIN_WINDOW_MS, periodic announcements included). */
  joinBytesPerNode: number
}

export interface SimSection { rows: SimResult[]; growth: SimGrowthRow[]; latency: string; notes: string[] }

export function simGrowth (rows: SimResult[]): SimGrowthRow[] {
  if (rows.length === 0) return []
  const sorted = [...rows].sort((a, b) => a.nodes - b.nodes)
  const b = sorted[0]
  const x = (v: number, base: number) => round(v / base, 2)
  return sorted.map(r => ({
    nodes: r.nodes,
    log2x: x(Math.log2(r.nodes), Math.log2(b.nodes)),
    idleBytesPerSecPerNode: r.idle.bytesPerSecPerNode, idleX: x(r.idle.bytesPerSecPerNode, b.idle.bytesPerSecPerNode),
    copiesPerDelivery: r.chat.copiesPerDelivery, copiesX: x(r.chat.copiesPerDelivery, b.chat.copiesPerDelivery),
    heapPerNodeKiB: r.heapPerNodeKiB, heapX: x(r.heapPerNodeKiB, b.heapPerNodeKiB), heapPerMemberB: round(r.heapPerNodeKiB * 1024 / r.nodes, 0),
    formationKiBPerNode: round(r.formation.bytesPerNode / 1024, 1), formationX: x(r.formation.bytesPerNode, b.formation.bytesPerNode),
    joinBytesPerNode: r.join.bytesPerNode
  }))
}

export function simTable (rows: SimResult[]): string {
  return table(
    ['room', 'diam', 'ttl', 'interval s', 'idle window s', 'idle B/s/node', 'busiest node B/s', '/who complete', 'delivered %', 'dup', 'copies/deliv', 'bytes/deliv', 'p50 ms', 'p99 ms',
      'killed', 'survivors delivered %', 'reachable delivered %', 'beyond ttl', 'within ttl delivered %', 'heap KiB/node', 'wall s'],
    rows.map(r => [r.name, r.diameter, r.ttl, r.intervalS, r.idle.windowS, r.idle.bytesPerSecPerNode, r.idle.maxBytesPerSecNode, r.idle.whoComplete,
      r.chat.deliveryRatio * 100, r.chat.duplicates + r.churn.duplicates, r.chat.copiesPerDelivery, r.chat.bytesPerDelivery, r.chat.latencyP50Ms, r.chat.latencyP99Ms,
      r.churn.killed, r.churn.deliveryRatio * 100, r.churn.reachableRatio * 100, r.churn.beyondTtl, r.churn.withinTtlRatio * 100, r.heapPerNodeKiB, r.wallS]))
}

export function simJoinTable (rows: SimResult[]): string {
  return table(['room', 'members after join', 'newcomer lists all (s)', 'all list newcomer (s)', 'window bytes/node', 'presence frames/node'],
    rows.map(r => [r.name, r.join.members, r.join.newcomerListsAllS, r.join.roomListsNewcomerS, r.join.bytesPerNode, r.join.presenceFramesPerNode]))
}

export function simClassTable (rows: SimResult[]): string {
  const classes = [...new Set(rows.flatMap(r => Object.keys(r.idle.byClass)))].sort()
  return table(['room', ...classes.map(c => `${c} B/s`)], rows.map(r => [r.name, ...classes.map(c => r.idle.byClass[c] ?? 0)]))
}

export function simGrowthTable (g: SimGrowthRow[]): string {
  return table(['nodes', 'log2 N x', 'idle B/s/node', 'x', 'copies/deliv', 'x', 'heap KiB/node', 'x', 'heap B/member/node', 'formation KiB/node', 'x', 'join window B/node'],
    g.map(r => [r.nodes, r.log2x, r.idleBytesPerSecPerNode, r.idleX, r.copiesPerDelivery, r.copiesX, r.heapPerNodeKiB, r.heapX, r.heapPerMemberB, r.formationKiBPerNode, r.formationX, r.joinBytesPerNode]))
}

/** The room size issue 14 asks the simulator to show. */
export const SIM_TARGET_MEMBERS = 10_000

/**
 * What a room of SIM_TARGET_MEMBERS would need in one process, extrapolated
 * (not run) from the largest room's heap per member per node: every node
 * holds every member, so the simulator's heap grows as N^2.
 */
export function simScaleNote (g: SimGrowthRow[]): string | null {
  const last = g[g.length - 1]
  if (!last || last.nodes >= SIM_TARGET_MEMBERS) return null
  const gib = last.heapPerMemberB * SIM_TARGET_MEMBERS * SIM_TARGET_MEMBERS / 2 ** 30
  return `extrapolated, not run: a room of ${SIM_TARGET_MEMBERS} members in one process would hold about ${round(gib, 0)} GiB of heap ` +
    `(${last.heapPerMemberB} bytes per member per node at ${last.nodes} members, x ${SIM_TARGET_MEMBERS}^2)`
}

/** Issue 14's idle target: at most this many bytes a second per node in a 500-member room at steady state. */
export const SIM_IDLE_TARGET_BYTES_PER_S = 200
/** The room size that target is stated for. */
export const SIM_IDLE_TARGET_NODES = 500

export function simTargets (s: SimSection): TargetCheck[] {
  const out: TargetCheck[] = []
  const at = s.rows.find(r => r.nodes === SIM_IDLE_TARGET_NODES)
  if (at) {
    const m = at.idle.bytesPerSecPerNode
    out.push({ target: `sim: idle bytes/s per node, ${SIM_IDLE_TARGET_NODES}-member room`, measured: m, limit: SIM_IDLE_TARGET_BYTES_PER_S, unit: 'B/s',
      ratio: round(m / SIM_IDLE_TARGET_BYTES_PER_S, 3), met: m <= SIM_IDLE_TARGET_BYTES_PER_S, note: 'virtual time, all frames' })
  }
  const last = s.growth[s.growth.length - 1]
  if (last && s.growth.length > 1) {
    out.push({ target: `sim: idle growth ${s.growth[0].nodes} -> ${last.nodes} no faster than log N`, measured: last.idleX, limit: last.log2x, unit: 'x',
      ratio: round(last.idleX / last.log2x, 3), met: last.idleX <= last.log2x, note: 'limit = log2 N ratio' })
  }
  for (const r of s.rows) {
    out.push({ target: `sim: delivery, ${r.name}`, measured: r.chat.deliveryRatio, limit: 1, unit: 'ratio', ratio: r.chat.deliveryRatio,
      met: r.chat.deliveryRatio === 1 && r.chat.duplicates === 0, note: `${r.chat.duplicates} duplicates; with ${r.churn.killed} killed: ${round(r.churn.reachableRatio * 100, 2)}% of reachable survivors, ${round(r.churn.withinTtlRatio * 100, 2)}% within ttl` })
  }
  return out
}
