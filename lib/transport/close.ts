// Closing with a deadline: transports and the bin wait a bounded time for a
// graceful close, then force it (or simply stop waiting).
/** How long a listener or gateway may take to close before shutdown goes on without it. */
export const CLOSE_FALLBACK_MS = 1000

/**
 * Waits for graceful() up to timeoutMs; when it is late (or fails), calls
 * force() if given and waits for that. Never rejects; says how it ended.
 */
export async function closeWithin (graceful: () => Promise<unknown>, timeoutMs: number, force?: () => Promise<unknown> | unknown): Promise<'done' | 'late'> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>(resolve => { timer = setTimeout(() => resolve('late'), timeoutMs) })
  let result: 'done' | 'late' = 'late'
  try {
    result = await Promise.race([Promise.resolve().then(graceful).then(() => 'done' as const), late])
  } catch {
    // a failed graceful close is forced like a late one
  } finally {
    clearTimeout(timer)
  }
  if (result === 'late' && force) {
    try { await force() } catch {}
  }
  return result
}
