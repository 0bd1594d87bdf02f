// Section 3b: memory under a long flood. Two nodes on an in-memory link, one
// sending signed messages as fast as the other takes them; heap sampled at
// fixed intervals to show the seen cache and history stay bounded.
import { performance } from 'perf_hooks'
import { DEFAULT_SEEN_MAX_SIZE } from '../lib/core/options'
import { line } from './graph'
import { buildMesh } from './mesh-harness'
import { heapAfterGc } from './gc'
import { MIB, round } from './stats'

export interface SoakPlan {
  messages: number
  sampleEvery: number
  maxMs: number
  /** The nodes' seen cache bound; the default in a full run, smaller in quick runs so the plateau shows early. */
  seenMaxSize: number
}
export interface SoakSample { messages: number; heapMiB: number; rssMiB: number; seenEntries: number; seconds: number }
export interface SoakResult {
  planned: number
  sent: number
  delivered: number
  messagesPerSecond: number
  samples: SoakSample[]
  /** Heap at the end over heap at the first sample after warm-up. */
  growthAfterWarmup: number
  flat: boolean
  warmupMessages: number
  seenMaxSize: number
}

/** Messages sent before the receiver's turn comes. */
const BATCH = 500
/** After warm-up, the heap may drift this much and still count as flat. */
const FLAT_TOLERANCE = 0.1

export function soakPlan (quick: boolean): SoakPlan {
  return quick
    ? { messages: 60_000, sampleEvery: 10_000, maxMs: 25_000, seenMaxSize: 10_000 }
    : { messages: 1_000_000, sampleEvery: 100_000, maxMs: 240_000, seenMaxSize: DEFAULT_SEEN_MAX_SIZE }
}

export async function runSoak (plan: SoakPlan): Promise<SoakResult> {
  const mesh = await buildMesh(line(2), { ttl: 8, node: { seenMaxSize: plan.seenMaxSize } })
  const [a, b] = mesh.nodes
  let delivered = 0
  b.on('message', () => { delivered++ })
  const samples: SoakSample[] = []
  const heap0 = heapAfterGc()
  const t0 = performance.now()
  const sample = (n: number) => {
    const heap = heapAfterGc()
    samples.push({
      messages: n,
      heapMiB: round((heap - heap0) / MIB, 2),
      rssMiB: round(process.memoryUsage().rss / MIB, 1),
      seenEntries: b.stats().seen,
      seconds: round((performance.now() - t0) / 1000, 1)
    })
  }
  let sent = 0
  try {
    sample(0)
    while (sent < plan.messages && performance.now() - t0 < plan.maxMs) {
      const n = Math.min(BATCH, plan.messages - sent)
      for (let i = 0; i < n; i++) a.send(`soak ${sent++} ${'x'.repeat(80)}`)
      while (delivered < sent && performance.now() - t0 < plan.maxMs) await new Promise(resolve => setImmediate(resolve))
      if (sent % plan.sampleEvery === 0) sample(sent)
    }
  } finally {
    await mesh.close()
  }
  // Warm-up: the seen cache fills at seenMaxSize messages; judge the heap from twice that on.
  const warmupMessages = Math.max(2 * plan.seenMaxSize, plan.sampleEvery)
  const after = samples.filter(s => s.messages >= warmupMessages)
  const first = after[0]
  const last = samples[samples.length - 1]
  const growth = after.length >= 2 && first.heapMiB > 0 ? last.heapMiB / first.heapMiB : NaN
  return {
    planned: plan.messages,
    sent,
    delivered,
    messagesPerSecond: round(sent / ((performance.now() - t0) / 1000), 0),
    samples,
    growthAfterWarmup: round(growth, 3),
    flat: growth <= 1 + FLAT_TOLERANCE,
    warmupMessages,
    seenMaxSize: plan.seenMaxSize
  }
}
