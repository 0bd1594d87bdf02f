// Small numeric helpers shared by every benchmark section.

/** The q-th quantile (0..1) of the samples, nearest-rank; NaN when empty. */
export function quantile (samples: ArrayLike<number>, q: number): number {
  const n = samples.length
  if (n === 0) return NaN
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort()
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))
  return sorted[rank]
}

export function median (samples: ArrayLike<number>): number { return quantile(samples, 0.5) }

export function mean (samples: ArrayLike<number>): number {
  if (samples.length === 0) return NaN
  let s = 0
  for (let i = 0; i < samples.length; i++) s += samples[i]
  return s / samples.length
}

/** Rounds to a few significant decimals so the JSON stays readable. */
export function round (x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** CPU time (user + system) of this process in milliseconds. */
export function cpuMs (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

export const MIB = 1024 * 1024

export function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** Waits until cond() is true, polling; resolves false at the deadline. */
export async function waitUntil (cond: () => boolean, timeoutMs: number, pollMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() >= deadline) return false
    await sleep(pollMs)
  }
  return true
}

/** Delivery ratio and latency percentiles, as every mesh scenario reports them. */
export function deliverySummary (expected: number, delivered: number, latencies: ArrayLike<number>) {
  return {
    deliveryRatio: round(delivered / expected, 5),
    latencyP50Ms: round(quantile(latencies, 0.5)),
    latencyP99Ms: round(quantile(latencies, 0.99)),
    latencyMaxMs: round(quantile(latencies, 1))
  }
}

/**
 * Senders take turns, each at `rate` messages a second, `perSender` each:
 * calls `send(k, j)` for the k-th message of the j-th sender at its time
 * (the senders spread evenly within each gap); resolves after the last.
 */
export async function paced (senders: number, perSender: number, rate: number, send: (k: number, j: number) => void): Promise<void> {
  const gap = 1000 / rate
  const start = performance.now()
  for (let k = 0; k < perSender; k++) {
    for (let j = 0; j < senders; j++) {
      const wait = start + k * gap + (j * gap) / senders - performance.now()
      if (wait > 0) await sleep(wait)
      send(k, j)
    }
  }
}

/** `tag` then padding to `textBytes`: a text whose first word identifies it. */
export function paddedText (tag: string, textBytes: number): string {
  return `${tag} ${'x'.repeat(Math.max(0, textBytes - tag.length - 1))}`
}
