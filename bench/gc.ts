// Forced garbage collection for memory figures, without needing `node
// --expose-gc` on the command line (npm run bench runs plain `node`).
import v8 from 'v8'
import vm from 'vm'

let gcFn: (() => void) | null = null

function getGc (): () => void {
  if (gcFn) return gcFn
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing) { gcFn = existing; return gcFn }
  v8.setFlagsFromString('--expose_gc')
  gcFn = vm.runInNewContext('gc') as () => void
  return gcFn
}

/** Runs a full collection (twice, so weak callbacks and finalizers settle). */
export function collect (): void {
  const gc = getGc()
  gc()
  gc()
}

/** Heap in use after a full collection, in bytes. */
export function heapAfterGc (): number {
  collect()
  return process.memoryUsage().heapUsed
}

/** Heap plus off-heap buffers after a full collection, in bytes. */
export function heapAndBuffersAfterGc (): number {
  collect()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}
