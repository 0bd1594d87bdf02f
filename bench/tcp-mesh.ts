// Section 1b: real meshchat processes on loopback TCP (Noise links), joined
// as a random regular graph or a line, flooding a paced workload. Latency is
// measured from the stdin write at the sender to the stdout event at each
// receiver, so it includes both processes' pipes.
import fs from 'fs'
import { performance } from 'perf_hooks'
import { degrees, line, randomRegular, type Graph } from './graph'
import { HeadlessProc, isReady } from './headless-proc'
import { pickDistinct, seededRandom } from './prng'
import { procCpuMs, procRssBytes, stop } from './procs'
import { MIB, deliverySummary, paced, paddedText, quantile, round, waitUntil } from './stats'
import { GRAPH_SEED, TEXT_BYTES } from './mesh-scenarios'

export interface TcpScenario { name: string; graph: Graph; senders: number[]; perSender: number; ratePerSender: number; ttl: number; warmupPerSender: number }
export interface TcpResult {
  name: string
  nodes: number
  messages: number
  expected: number
  delivered: number
  deliveryRatio: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  /** p99 at the node farthest from the sender (the line's far end). */
  farEndP99Ms: number
  /**
   * The slowest warm-up message at the far end: fresh processes compile the
   * message path as the first messages cross it, and lazy push trees form.
   * The measured window starts after the warm-up, so this is shown apart.
   */
  coldFarEndMaxMs: number
  cpuMsPerDelivery: number
  /** write-type system calls (sockets, stdout) of all nodes per delivery, from /proc/<pid>/io syscw; NaN where unreadable. */
  writeCallsPerDelivery: number
  rssPerNodeMiB: number
  setupMs: number
}

const READY_TIMEOUT_MS = 20_000
const LINK_TIMEOUT_MS = 20_000
const DRAIN_TIMEOUT_MS = 5_000
/**
 * Messages per sender before the measured window, at the same rate. In a
 * run without one (2026-11-28 19:18 UTC) the 10-hop line's first five
 * messages reached the far end in 20-71 ms and the rest in 10-27 ms: the
 * p99 of 100 was the first messages through fresh processes.
 */
export const TCP_WARMUP_PER_SENDER = 20

export function tcpScenarios (quick: boolean): TcpScenario[] {
  const n = quick ? 6 : 12
  const random = randomRegular(n, 4, seededRandom(GRAPH_SEED + n))
  const hops = 10
  return [
    { name: `tcp random n=${n} d=4`, graph: random, senders: pickDistinct(seededRandom(GRAPH_SEED), n, quick ? 2 : 4), perSender: quick ? 10 : 50, ratePerSender: 20, ttl: 8, warmupPerSender: quick ? 5 : TCP_WARMUP_PER_SENDER },
    { name: `tcp line ${hops} hops`, graph: line(hops + 1), senders: [0], perSender: quick ? 20 : 100, ratePerSender: 20, ttl: hops, warmupPerSender: quick ? 5 : TCP_WARMUP_PER_SENDER }
  ]
}

/** write, writev and the like a process made so far (/proc/<pid>/io syscw); NaN if unreadable. */
function procWriteCalls (pid: number): number {
  try {
    const m = /^syscw: (\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))
    return m ? Number(m[1]) : NaN
  } catch {
    return NaN
  }
}

export async function runTcpScenario (s: TcpScenario): Promise<TcpResult> {
  const { graph } = s
  const want = degrees(graph)
  const t0 = performance.now()
  const procs = Array.from({ length: graph.n }, (_, i) =>
    new HeadlessProc(['--nick', `p${i}`, '--no-pex', '--min-links', '0', '--ttl', String(s.ttl)]))
  try {
    await Promise.all(procs.map(p => p.waitFor(isReady, READY_TIMEOUT_MS, 'ready')))
    const ups = procs.map(() => 0)
    procs.forEach((p, i) => p.onEvent(e => { if (e.event === 'peer-up') ups[i]++ }))
    for (const [a, b] of graph.edges) procs[a].send(`/connect ${procs[b].listen}`)
    const linked = await waitUntil(() => ups.every((n, i) => n >= want[i]), LINK_TIMEOUT_MS, 20)
    if (!linked) throw new Error(`links did not come up: peer-up counts ${ups.join(',')}`)
    const setupMs = performance.now() - t0

    const sentAt = new Map<string, number>()
    const latencies: number[] = []
    const farEnd: number[] = []
    const coldFarEnd: number[] = []
    let delivered = 0
    let warm = 0
    procs.forEach((p, i) => p.onEvent((e, at) => {
      if (e.event !== 'message' || e.self || e.history) return
      const tag = String(e.text).split(' ')[0]
      const s0 = sentAt.get(tag)
      if (s0 === undefined) return
      if (tag.startsWith('w')) {
        warm++
        if (i === graph.n - 1) coldFarEnd.push(at - s0)
        return
      }
      delivered++
      latencies.push(at - s0)
      if (i === graph.n - 1) farEnd.push(at - s0)
    }))
    const send = (prefix: string, perSender: number) => paced(s.senders.length, perSender, s.ratePerSender, (k, j) => {
      const tag = `${prefix}${k}-${j}`
      sentAt.set(tag, performance.now())
      procs[s.senders[j]].send(paddedText(tag, TEXT_BYTES))
    })
    await send('w', s.warmupPerSender)
    const warmExpected = s.warmupPerSender * s.senders.length * (graph.n - 1)
    await waitUntil(() => warm >= warmExpected, DRAIN_TIMEOUT_MS, 5)
    const cpu0 = procs.reduce((a, p) => a + procCpuMs(p.pid), 0)
    const writes0 = procs.reduce((a, p) => a + procWriteCalls(p.pid), 0)
    await send('t', s.perSender)
    const expected = s.perSender * s.senders.length * (graph.n - 1)
    await waitUntil(() => delivered >= expected, DRAIN_TIMEOUT_MS, 5)
    const cpu = procs.reduce((a, p) => a + procCpuMs(p.pid), 0) - cpu0
    const writes = procs.reduce((a, p) => a + procWriteCalls(p.pid), 0) - writes0
    const rss = procs.reduce((a, p) => a + procRssBytes(p.pid), 0) / graph.n
    return {
      name: s.name,
      nodes: graph.n,
      messages: s.perSender * s.senders.length,
      expected,
      delivered,
      ...deliverySummary(expected, delivered, latencies),
      farEndP99Ms: round(quantile(farEnd, 0.99)),
      coldFarEndMaxMs: round(coldFarEnd.length ? Math.max(...coldFarEnd) : NaN),
      cpuMsPerDelivery: round(cpu / Math.max(1, delivered), 4),
      writeCallsPerDelivery: round(writes / Math.max(1, delivered), 2),
      rssPerNodeMiB: round(rss / MIB, 1),
      setupMs: round(setupMs, 0)
    }
  } finally {
    await Promise.all(procs.map(p => stop(p.child)))
  }
}
