// One system's run of the `pubsub` workload: start n processes, link them as
// the graph says, wait for the mesh to form, measure 2 s of idle traffic,
// then send the paced schedule and measure delivery, duplicates, latency
// (stdin write at the sender to stdout line at each receiver, both timed
// here) and TCP bytes written per delivery (kernel socket counters, see
// socket-bytes.ts). meshchat and gossipsub go through exactly this code.
import os from 'os'
import { performance } from 'perf_hooks'
import { degrees, type Graph } from './graph'
import type { PubsubNode } from './pubsub-nodes'
import { procCpuMs, stop } from './procs'
import { SocketMeter } from './socket-bytes'
import { deliverySummary, paced, paddedText, round, sleep, waitUntil } from './stats'

export interface PubsubSchedule { senders: number[]; perSender: number; ratePerSender: number; textBytes: number }

export interface PubsubSystemResult {
  system: string
  nodes: number
  messages: number
  expected: number
  /** Distinct (message, receiver) pairs seen. */
  delivered: number
  deliveryRatio: number
  /** Deliveries of a message a node had already shown (same tag twice on one node). */
  duplicates: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  /** TCP bytes written by all nodes from the first send until traffic went quiet after the drain, per delivery. */
  bytesPerDelivery: number
  /** TCP bytes written per node per second in the IDLE_WINDOW_MS right after the mesh formed. */
  idleBytesPerSecPerNode: number
  cpuMsPerDelivery: number
  /** Link ends the nodes reported down (peer-down) while the workload ran; no node redials in this bench. */
  linksLost: number
  /** Sockets of the nodes that closed, and that opened, while the workload ran (links lost or redialled). */
  socketsClosed: number
  socketsOpened: number
  /** Error events the nodes printed (failed publishes, dials), summed; the first is in firstError. */
  errors: number
  firstError: string | null
  /** One-minute load average of the machine when this system started. */
  loadAverage: number
  /** Start until every link is up (and, for gossipsub, every topic mesh is filled). */
  formMs: number
}

/** Wait for every process to print ready. */
export const READY_TIMEOUT_MS = 30_000
/** Wait for every link (and mesh) to come up. */
export const FORM_TIMEOUT_MS = 30_000
/** Wait for deliveries after the last send (gossipsub was quoted at seconds of p99). */
export const DRAIN_TIMEOUT_MS = 30_000
/** Idle traffic is measured over this window right after the mesh formed. */
export const IDLE_WINDOW_MS = 2_000
/** After the drain, bytes are read this often until traffic goes quiet (acks, gossip still caused by the workload). */
export const SETTLE_MS = 500
/** Quiet: one SETTLE_MS interval adds no more than the idle rate would, plus this many bytes per node. */
export const QUIET_SLACK_BYTES_PER_NODE = 256
/** Longest wait for quiet after the drain. */
export const QUIET_TIMEOUT_MS = 10_000

export interface SystemSpec {
  name: string
  make: (i: number) => PubsubNode
  /** Resolves true once the system's own overlay is ready for traffic (links are already up). */
  formed?: (nodes: PubsubNode[], timeoutMs: number) => Promise<boolean>
}

/** Text of exactly textBytes bytes whose first word is the tag. */

export async function runPubsubSystem (spec: SystemSpec, graph: Graph, sched: PubsubSchedule): Promise<PubsubSystemResult> {
  const t0 = performance.now()
  const loadAverage = os.loadavg()[0]
  const nodes = Array.from({ length: graph.n }, (_, i) => spec.make(i))
  try {
    await Promise.all(nodes.map(p => p.ready(READY_TIMEOUT_MS)))
    const want = degrees(graph)
    for (const [a, b] of graph.edges) nodes[a].dial(nodes[b].listen)
    if (!await waitUntil(() => nodes.every((p, i) => p.linksUp >= want[i]), FORM_TIMEOUT_MS, 20)) {
      throw new Error(`${spec.name}: links did not come up: ${nodes.map(p => p.linksUp).join(',')}`)
    }
    if (spec.formed && !await spec.formed(nodes, FORM_TIMEOUT_MS)) throw new Error(`${spec.name}: mesh did not form`)
    const formMs = performance.now() - t0
    const pids = nodes.map(p => p.pid)

    const idleMeter = new SocketMeter(pids)
    await idleMeter.start()
    await sleep(IDLE_WINDOW_MS)
    const idle = await idleMeter.stop()

    const sentAt = new Map<string, number>()
    const seen = nodes.map(() => new Set<string>())
    const latencies: number[] = []
    let duplicates = 0
    nodes.forEach((p, i) => p.onMessage((text, at) => {
      const tag = text.split(' ')[0]
      const s0 = sentAt.get(tag)
      if (s0 === undefined) return
      if (seen[i].has(tag)) { duplicates++; return }
      seen[i].add(tag)
      latencies.push(at - s0)
    }))
    const delivered = () => latencies.length
    const meter = new SocketMeter(pids)
    await meter.start()
    const down0 = nodes.reduce((a, p) => a + p.linksDown, 0)
    const cpu0 = pids.reduce((a, pid) => a + procCpuMs(pid), 0)
    await paced(sched.senders.length, sched.perSender, sched.ratePerSender, (k, j) => {
      const tag = `g${k}-${j}`
      sentAt.set(tag, performance.now())
      nodes[sched.senders[j]].publish(paddedText(tag, sched.textBytes))
    })
    const expected = sentAt.size * (graph.n - 1)
    await waitUntil(() => delivered() >= expected, DRAIN_TIMEOUT_MS, 5)
    const quietBytes = (idle / (IDLE_WINDOW_MS / 1000)) * (SETTLE_MS / 1000) + QUIET_SLACK_BYTES_PER_NODE * graph.n
    let last = meter.written()
    for (const end = Date.now() + QUIET_TIMEOUT_MS; Date.now() < end;) {
      await sleep(SETTLE_MS)
      const grew = meter.written() - last
      last += grew
      if (grew <= quietBytes) break
    }
    const written = await meter.stop()
    const linksLost = nodes.reduce((a, p) => a + p.linksDown, 0) - down0
    const errors = nodes.flatMap(p => p.errors)
    const cpu = pids.reduce((a, pid) => a + procCpuMs(pid), 0) - cpu0
    return {
      system: spec.name,
      nodes: graph.n,
      messages: sentAt.size,
      expected,
      delivered: delivered(),
      duplicates,
      ...deliverySummary(expected, delivered(), latencies),
      bytesPerDelivery: round(written / Math.max(1, delivered()), 0),
      idleBytesPerSecPerNode: round(idle / graph.n / (IDLE_WINDOW_MS / 1000), 0),
      cpuMsPerDelivery: round(cpu / Math.max(1, delivered()), 3),
      linksLost,
      socketsClosed: meter.closed,
      socketsOpened: meter.opened,
      errors: errors.length,
      firstError: errors[0] ?? null,
      loadAverage: round(loadAverage, 2),
      formMs: round(formMs, 0)
    }
  } finally {
    await Promise.all(nodes.map(p => stop(p.child)))
  }
}
