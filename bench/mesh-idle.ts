// Section 1a, idle presence: one room of n members on an in-process mesh
// (random graph, degree 4, memory links), presence at its defaults, nobody
// speaking, run in virtual time. Reports what a node sends per second in
// steady state (keep-alives and periodic presence), so the growth with the
// room's size is visible: with the backed-off interval it stays flat.
import { DEFAULT_TIMING, DEFAULT_TTL } from '../lib/core/options'
import { presenceInterval } from '../lib/core/presence-schedule'
import { diameter, randomRegular } from './graph'
import { buildMesh, type MeshHarness } from './mesh-harness'
import { GRAPH_SEED } from './mesh-scenarios'
import { seededRandom } from './prng'
import { round } from './stats'
import { VirtualClock } from './virtual-clock'

/** Degree of every idle room's graph. */
export const IDLE_DEGREE = 4
/** Virtual time for the room to form (link-up announcements, answers to newcomers). */
const FORMATION_MS = 30_000
/** Clock step while forming (frames settle after each). */
const FORMATION_STEP_MS = 1000
/** Clock step once idle: a few node ticks at a time, well within the link idle timeout. */
const IDLE_STEP_MS = 5000
/** Node tick in these runs (the default is 1 s; presence and keep-alive need no finer). */
const IDLE_TICK_MS = 2500

export interface IdleResult {
  name: string; nodes: number; degree: number
  /** The interval each member announces with at this size, in seconds. */
  intervalS: number
  /** Virtual seconds measured (one interval, after one interval of warm-up). */
  windowS: number
  /** Everything a node wrote on its links, per second. */
  bytesPerSecPerNode: number
  /** Presence FLOOD frames a node wrote, per minute. */
  presenceFramesPerMinPerNode: number
  /** Fewest members any node's /who listed, over the room size (1: complete everywhere). */
  whoComplete: number
}

/**
 * Room sizes; the same for a quick run. 1,000 was in the full run until
 * 2026-11-29: formed all at once, it took over 15 minutes of the mesh
 * section (the simulator's flash crowd of 1,000: 25 minutes). The sim
 * section (`--only sim`) runs 1,000 formed by joins.
 */
export function idlePlan (): number[] { return [20, 100, 500] }

async function quiet (mesh: MeshHarness): Promise<void> {
  let last = -1
  for (let same = 0; same < 3;) {
    await new Promise(resolve => setImmediate(resolve))
    if (mesh.counters.frames === last) same++
    else { same = 0; last = mesh.counters.frames }
  }
}

async function run (mesh: MeshHarness, clock: VirtualClock, ms: number, step: number): Promise<void> {
  for (let t = 0; t < ms; t += step) { clock.advance(step); await quiet(mesh) }
}

export async function runIdleScenario (n: number): Promise<IdleResult> {
  const graph = randomRegular(n, IDLE_DEGREE, seededRandom(GRAPH_SEED + n * 17))
  const clock = new VirtualClock(Date.now())
  const mesh = await buildMesh(graph, { ttl: Math.max(DEFAULT_TTL, diameter(graph)), node: { clock, timing: { tickMs: IDLE_TICK_MS } } })
  try {
    await quiet(mesh)
    await run(mesh, clock, FORMATION_MS, FORMATION_STEP_MS)
    // One interval of warm-up: the shorter intervals promised while the room formed run out.
    const interval = presenceInterval(DEFAULT_TIMING.presenceIntervalMs, n)
    await run(mesh, clock, interval, IDLE_STEP_MS)
    const before = { ...mesh.counters }
    // Just under one interval: every member announces once in it.
    const window = interval - IDLE_STEP_MS
    await run(mesh, clock, window, IDLE_STEP_MS)
    const seconds = window / 1000
    const room = mesh.nodes[0].rooms[0]
    return {
      name: `idle room n=${n} d=${IDLE_DEGREE}`,
      nodes: n,
      degree: IDLE_DEGREE,
      intervalS: round(interval / 1000, 0),
      windowS: round(seconds, 0),
      bytesPerSecPerNode: round((mesh.counters.bytes - before.bytes) / n / seconds, 1),
      presenceFramesPerMinPerNode: round((mesh.counters.floodFrames - before.floodFrames) / n / (seconds / 60), 1),
      whoComplete: round(Math.min(...mesh.nodes.map(x => x.who(room).length)) / n, 3)
    }
  } finally {
    await mesh.close()
  }
}
