// One flood workload over a built mesh: chosen senders send paced messages,
// every other node should deliver each once. Measures delivery, latency,
// transmissions, bytes and CPU per delivery.
import { performance } from 'perf_hooks'
import type { ChatMessage } from '../lib/core/node'
import type { MeshHarness } from './mesh-harness'
import { cpuMs, deliverySummary, round, sleep, waitUntil } from './stats'

export interface FloodWorkload {
  /** Node indices that send. */
  senders: number[]
  messagesPerSender: number
  /** Messages per second, per sender. */
  ratePerSender: number
  /** Size of each chat text in bytes. */
  textBytes: number
  /** After the last send, how long to wait for stragglers. */
  drainTimeoutMs: number
}

export interface FloodResult {
  messages: number
  expected: number
  delivered: number
  duplicateDeliveries: number
  deliveryRatio: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  /** Chat FLOOD frames sent on links while the workload ran. */
  floodFrames: number
  copiesPerDelivery: number
  /** Every byte written on links while the workload ran (all frame kinds), per delivery. */
  bytesPerDelivery: number
  /** Bytes of chat FLOOD frames only, per delivery. */
  chatBytesPerDelivery: number
  /** Frames that were not chat (presence, sync, keep-alive) sent while the workload ran. */
  otherFrames: number
  cpuMsPerDelivery: number
  cpuMs: number
  durationMs: number
  /** Copies a relay received that it had already seen, summed over nodes. */
  duplicateReceptions: number
}

/** Hard cap on one workload's sending phase, whatever the rates say. */
const MAX_SEND_PHASE_MS = 120_000

interface Sent { at: number; sender: number }

function makeText (tag: string, bytes: number): string {
  const head = `${tag} `
  return head + 'x'.repeat(Math.max(1, bytes - head.length))
}

/** Send times for every message, each sender evenly paced and the senders staggered. */
function schedule (w: FloodWorkload): Array<{ atMs: number; sender: number }> {
  const out: Array<{ atMs: number; sender: number }> = []
  const gap = 1000 / w.ratePerSender
  w.senders.forEach((sender, k) => {
    const offset = (gap * k) / w.senders.length
    for (let i = 0; i < w.messagesPerSender; i++) out.push({ atMs: offset + i * gap, sender })
  })
  return out.sort((a, b) => a.atMs - b.atMs)
}

export async function runFlood (mesh: MeshHarness, w: FloodWorkload): Promise<FloodResult> {
  const { nodes } = mesh
  const sent = new Map<string, Sent>()
  const seenBy: Array<Set<string>> = nodes.map(() => new Set<string>())
  const latencies: number[] = []
  let delivered = 0
  let duplicateDeliveries = 0
  const listeners = nodes.map((node, i) => {
    const fn = (m: ChatMessage) => {
      if (m.self) return
      const s = sent.get(m.id)
      if (!s) return
      if (seenBy[i].has(m.id)) { duplicateDeliveries++; return }
      seenBy[i].add(m.id)
      delivered++
      latencies.push(performance.now() - s.at)
    }
    node.on('message', fn)
    return fn
  })
  const dupBefore = nodes.reduce((a, n) => a + n.stats().duplicates, 0)
  const plan = schedule(w)
  const expected = plan.length * (nodes.length - 1)

  mesh.resetCounters()
  const cpu0 = cpuMs()
  const t0 = performance.now()
  let seq = 0
  for (const step of plan) {
    const wait = step.atMs - (performance.now() - t0)
    if (wait > 0) await sleep(wait)
    if (performance.now() - t0 > MAX_SEND_PHASE_MS) break
    const at = performance.now()
    const m = nodes[step.sender].send(makeText(`m${seq++}`, w.textBytes))
    sent.set(m.id, { at, sender: step.sender })
  }
  const expectedSent = sent.size * (nodes.length - 1)
  await waitUntil(() => delivered >= expectedSent, w.drainTimeoutMs, 2)
  const durationMs = performance.now() - t0
  const cpu = cpuMs() - cpu0
  // Let in-flight duplicate copies land before reading the counters.
  await sleep(20)
  const { chatFrames, chatBytes, bytes, frames } = mesh.counters
  nodes.forEach((node, i) => node.off('message', listeners[i]))
  const dupAfter = nodes.reduce((a, n) => a + n.stats().duplicates, 0)
  const per = (x: number) => delivered > 0 ? x / delivered : NaN
  return {
    messages: sent.size,
    expected,
    delivered,
    duplicateDeliveries,
    ...deliverySummary(expected, delivered, latencies),
    floodFrames: chatFrames,
    copiesPerDelivery: round(per(chatFrames)),
    bytesPerDelivery: round(per(bytes), 1),
    chatBytesPerDelivery: round(per(chatBytes), 1),
    otherFrames: frames - chatFrames,
    cpuMsPerDelivery: round(per(cpu), 4),
    cpuMs: round(cpu, 1),
    durationMs: round(durationMs, 1),
    duplicateReceptions: dupAfter - dupBefore
  }
}
