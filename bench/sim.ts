// The internet-scale simulator (issue 14; `npm run bench -- --only sim`): one
// room of N real MeshNodes on a random graph of SimLinks (per-link delay,
// jitter, retransmissions) in virtual time. Per size it lets the room form,
// measures a steady idle window (presence and keep-alives only), a chat
// window (a few senders, a bounded number of messages) and the same with 20%
// of the members killed halfway, and the heap per node.
import { DEFAULT_TIMING, DEFAULT_TTL } from '../lib/core/options'
import { presenceInterval } from '../lib/core/presence-schedule'
import { DEFAULT_NEW_AUTHORS_PER_LINK_PER_MIN } from '../lib/core/author-limits'
import { adjacency, breadthFirst, diameter, randomRegular } from './graph'
import { heapAndBuffersAfterGc } from './gc'
import { pickDistinct, seededRandom } from './prng'
import { buildSimNet, type SimNet } from './sim-net'
import { chatWindow } from './sim-tracker'
import { countsSince, DEFAULT_LATENCY, type LatencyModel } from './sim-link'
import { round } from './stats'

/** Degree of every simulated room's graph. */
export const SIM_DEGREE = 4
/** Seed of graphs, latencies and choices: the same room on every run. */
export const SIM_SEED = 1414
/**
 * The room forms by joins, as rooms grow: members start one after another in
 * breadth-first order of the graph (each links to its neighbours already
 * there), this many a virtual second: what a relay lets one link introduce
 * (DEFAULT_NEW_AUTHORS_PER_LINK_PER_MIN / 60), so no join waits on the
 * new-author limit. Until 2026-11-29 every member started at once: a flash
 * crowd, 10-13 frames per member per node (every new author's first message
 * on a tree still forming, every relay holding new authors past its limit),
 * which made the simulator's cost grow about as N^3 (1,000 members: 30 min
 * of wall time to form).
 */
export const SIM_JOINS_PER_S = DEFAULT_NEW_AUTHORS_PER_LINK_PER_MIN / 60
/** Virtual time after the last join for its announcements to settle. */
export const SIM_FORMATION_SETTLE_MS = 60_000
/** Clock step while forming and chatting. */
export const SIM_FAST_STEP_MS = 1000
/** Clock step while idle: two node ticks, well within the link idle timeout. */
export const SIM_IDLE_STEP_MS = 5000
/** Chat senders and messages each, one a second per sender, 100-byte texts. */
export const SIM_SENDERS = 4
export const SIM_MESSAGES_PER_SENDER = 5
/** Virtual time after the last message for the flood to finish (delays, retransmissions, sync). */
export const SIM_CHAT_SETTLE_MS = 20_000
/** Fraction of members killed halfway through the churn window. */
export const SIM_KILL_FRACTION = 0.2
/**
 * After the idle window a newcomer links to SIM_DEGREE members; this
 * long is watched (longer than members took to answer a newcomer before
 * roster sync: at most 2 min), in SIM_FAST_STEP_MS steps.
 */
export const SIM_JOIN_WINDOW_MS = 130_000

/**
 * The idle warm-up and window last one presence interval each (7,500 virtual
 * s at 2,000 members), so their wall time grows as N^2. SIM_IDLE_MAX_S
 * (environment) caps both, and the table shows the window it measured. A
 * capped window is not the steady state (at 1,000 members 600 s read 99.9
 * B/s per node against 51.7 with the full window: trees still settling),
 * so capped rows compare only with each other.
 */
export interface SimPlan { sizes: number[]; latency: LatencyModel; degree: number; idleCapMs?: number }

/**
 * Room sizes of a full run (about 2.5 minutes) and of --quick;
 * SIM_SIZES=20,100,1000 (environment) picks others. 1,000 is not in the
 * default: it takes about 26 minutes (BENCHMARKS.md).
 */
export const SIM_SIZES = [20, 100, 500]
export const SIM_QUICK_SIZES = [20, 100]

export function simPlan (quick: boolean, env: string | undefined = process.env.SIM_SIZES, idleMaxS: string | undefined = process.env.SIM_IDLE_MAX_S): SimPlan {
  const chosen = env?.split(',').map(Number).filter(n => Number.isInteger(n) && n > SIM_DEGREE)
  const cap = Number(idleMaxS)
  return {
    sizes: chosen?.length ? chosen : quick ? SIM_QUICK_SIZES : SIM_SIZES, latency: DEFAULT_LATENCY, degree: SIM_DEGREE,
    ...(cap >= 60 ? { idleCapMs: cap * 1000 } : {})
  }
}

export interface ChatFigures {
  messages: number
  /** Deliveries expected: each message at every (surviving) member but its sender. */
  expected: number
  delivered: number
  /** Deliveries of an id a node had already delivered. */
  duplicates: number
  deliveryRatio: number
  /** Chat FLOOD frames sent on links per delivery (1.0 is ideal). */
  copiesPerDelivery: number
  /** Every byte sent on links in the window, per delivery. */
  bytesPerDelivery: number
  /** Virtual send-to-delivery latency. */
  latencyP50Ms: number
  latencyP99Ms: number
}

export interface ChurnFigures extends ChatFigures {
  killed: number
  /** Delivered over deliveries expected at survivors still connected to the sender (a dead cut can isolate a survivor). */
  reachableRatio: number
  /** The same over survivors within the hop limit (ttl) of the sender through survivors: what flooding can reach at all. */
  withinTtlRatio: number
  /** Survivors connected to a sender but further than ttl hops, summed over senders. */
  beyondTtl: number
}

export interface JoinFigures {
  /** Members (living, the newcomer included) after it joined. */
  members: number
  /** Virtual seconds until the newcomer listed every living member, and until every living member listed it (-1: not within the window). */
  newcomerListsAllS: number
  roomListsNewcomerS: number
  /** Bytes sent on links in the window, per node (the room's periodic announcements included). */
  bytesPerNode: number
  /** Presence FLOOD frames sent in the window per node. */
  presenceFramesPerNode: number
}

export interface SimResult {
  name: string; nodes: number; degree: number; ttl: number; diameter: number
  formation: { virtualS: number; framesPerNode: number; bytesPerNode: number }
  /** The interval a member announces with at this size, in seconds. */
  intervalS: number
  idle: {
    windowS: number
    /** Everything a node sent on its links per second, mean and the busiest node. */
    bytesPerSecPerNode: number
    maxBytesPerSecNode: number
    /** The mean split by frame class (presence, ping, flood-other, lazy push's frames, ...). */
    byClass: Record<string, number>
    /** Fewest members any node's /who listed, over the room size. */
    whoComplete: number
  }
  /** Heap and buffers after a full GC, with the room formed, per node. */
  heapPerNodeKiB: number
  chat: ChatFigures
  churn: ChurnFigures
  join: JoinFigures
  /** Real signature checks and answers reused by the shared check (the simulator's shortcut). */
  verify: { checks: number; reused: number }
  wallS: number
}

/** A newcomer links to SIM_DEGREE living members: how soon it lists the room and the room lists it, and what that costs each node. */
async function joinWindow (net: SimNet, room: string, pick: () => number): Promise<JoinFigures> {
  const living = net.alive.flatMap((a, i) => (a ? [i] : []))
  const peers = pickDistinct(pick, living.length, SIM_DEGREE).map(i => living[i])
  const before = net.counters.snapshot()
  const newcomer = net.addNode(peers)
  const key = net.nodes[newcomer].id
  const members = living.length + 1
  let newcomerListsAllS = -1
  let roomListsNewcomerS = -1
  for (let t = SIM_FAST_STEP_MS; t <= SIM_JOIN_WINDOW_MS; t += SIM_FAST_STEP_MS) {
    await net.run(SIM_FAST_STEP_MS, SIM_FAST_STEP_MS)
    if (newcomerListsAllS < 0 && net.nodes[newcomer].who(room).length >= members) newcomerListsAllS = t / 1000
    if (roomListsNewcomerS < 0 && living.every(i => net.nodes[i].who(room).some(m => m.peer === key))) roomListsNewcomerS = t / 1000
  }
  const spent = countsSince(net.counters.snapshot(), before)
  return {
    members, newcomerListsAllS, roomListsNewcomerS,
    bytesPerNode: round(spent.bytes / members, 0),
    presenceFramesPerNode: round((spent.byClass.presence?.frames ?? 0) / members, 1)
  }
}

/** Hops from a sender to each survivor over links between survivors (-1: cut off). */
function hopsAmongSurvivors (net: SimNet, adj: number[][], from: number): Int32Array {
  const hops = new Int32Array(adj.length).fill(-1)
  hops[from] = 0
  const queue = [from]
  for (let q = 0; q < queue.length; q++) for (const v of adj[queue[q]]) if (hops[v] < 0 && net.alive[v]) { hops[v] = hops[queue[q]] + 1; queue.push(v) }
  return hops
}

export async function runSimScenario (n: number, plan: SimPlan, say: (s: string) => void = () => {}): Promise<SimResult> {
  const started = Date.now()
  const graph = randomRegular(n, plan.degree, seededRandom(SIM_SEED + n))
  const diam = diameter(graph)
  const ttl = Math.max(DEFAULT_TTL, diam)
  const baseHeap = heapAndBuffersAfterGc()
  const net = buildSimNet({ graph, latency: plan.latency, seed: SIM_SEED + n, ttl, spare: 1, deferred: true })
  const adj = adjacency(n, graph.edges)
  try {
    const f0 = net.counters.snapshot()
    const order = breadthFirst(adj)
    for (let k = 0; k < n;) {
      for (let j = 0; j < SIM_JOINS_PER_S && k < n; j++) net.join(order[k++])
      await net.run(SIM_FAST_STEP_MS, SIM_FAST_STEP_MS)
    }
    await net.run(SIM_FORMATION_SETTLE_MS, SIM_FAST_STEP_MS)
    const formed = countsSince(net.counters.snapshot(), f0)
    const formationMs = Math.ceil(n / SIM_JOINS_PER_S) * SIM_FAST_STEP_MS + SIM_FORMATION_SETTLE_MS
    say(`    formed by joins in ${formationMs / 1000} virtual s (${((Date.now() - started) / 1000).toFixed(0)} s wall)`)
    // One interval of warm-up: the shorter intervals promised while the room formed run out.
    const interval = presenceInterval(DEFAULT_TIMING.presenceIntervalMs, n)
    const cap = plan.idleCapMs ?? Infinity
    await net.run(Math.min(interval, cap), SIM_IDLE_STEP_MS)
    const i0 = net.counters.snapshot()
    const window = Math.min(interval - SIM_IDLE_STEP_MS, cap)
    await net.run(window, SIM_IDLE_STEP_MS)
    const idle = countsSince(net.counters.snapshot(), i0)
    const seconds = window / 1000
    const room = net.nodes[0].rooms[0]
    const whoComplete = Math.min(...net.nodes.map(x => x.who(room).length)) / n
    const heapPerNodeKiB = (heapAndBuffersAfterGc() - baseHeap) / n / 1024
    say(`    idle window of ${round(seconds, 0)} virtual s done (${((Date.now() - started) / 1000).toFixed(0)} s wall)`)
    const pick = seededRandom(SIM_SEED * 31 + n)
    const join = await joinWindow(net, room, seededRandom(SIM_SEED * 37 + n))
    say(`    newcomer window of ${SIM_JOIN_WINDOW_MS / 1000} virtual s done (${((Date.now() - started) / 1000).toFixed(0)} s wall)`)
    const senders = pickDistinct(pick, n, Math.min(SIM_SENDERS, n))
    const chat = (await chatWindow(net, senders, SIM_MESSAGES_PER_SENDER, SIM_FAST_STEP_MS, SIM_CHAT_SETTLE_MS)).figures(() => true)
    // Churn: the same senders again; halfway, a fifth of the other members are killed.
    const others = pickDistinct(pick, n, n).filter(i => !senders.includes(i))
    const victims = others.slice(0, Math.floor(n * SIM_KILL_FRACTION))
    const churnTracker = await chatWindow(net, senders, SIM_MESSAGES_PER_SENDER, SIM_FAST_STEP_MS, SIM_CHAT_SETTLE_MS, async () => { for (const v of victims) await net.kill(v) })
    const churnAll = churnTracker.figures(i => net.alive[i])
    const hops = new Map(senders.map(s => [s, hopsAmongSurvivors(net, adj, s)]))
    const churnReach = churnTracker.figures((i, s) => net.alive[i] && hops.get(s)![i] >= 0)
    const churnTtl = churnTracker.figures((i, s) => net.alive[i] && hops.get(s)![i] >= 0 && hops.get(s)![i] <= ttl)
    let beyondTtl = 0
    for (const h of hops.values()) for (let i = 0; i < n; i++) if (h[i] > ttl) beyondTtl++
    const byClass: Record<string, number> = {}
    for (const [k, v] of Object.entries(idle.byClass)) byClass[k] = round(v.bytes / n / seconds, 1)
    return {
      name: `room n=${n} d=${plan.degree}`, nodes: n, degree: plan.degree, ttl, diameter: diam,
      formation: { virtualS: formationMs / 1000, framesPerNode: round(formed.frames / n, 0), bytesPerNode: round(formed.bytes / n, 0) },
      intervalS: round(interval / 1000, 0),
      idle: {
        windowS: round(seconds, 0),
        bytesPerSecPerNode: round(idle.bytes / n / seconds, 1),
        maxBytesPerSecNode: round(Math.max(...idle.nodeBytes) / seconds, 1),
        byClass,
        whoComplete: round(whoComplete, 4)
      },
      heapPerNodeKiB: round(heapPerNodeKiB, 1),
      chat,
      churn: { ...churnAll, killed: victims.length, reachableRatio: churnReach.deliveryRatio, withinTtlRatio: churnTtl.deliveryRatio, beyondTtl },
      join,
      verify: { checks: net.verifier?.checks ?? 0, reused: net.verifier?.reused ?? 0 },
      wallS: round((Date.now() - started) / 1000, 1)
    }
  } finally {
    await net.close()
  }
}
