// Section 3a: start-up time of the compiled bin to its `ready` event, and the
// resident memory of one idle node.
import { spawnSync } from 'child_process'
import { performance } from 'perf_hooks'
import { HeadlessProc, isReady } from './headless-proc'
import { procRssBytes, stop } from './procs'
import { MIB, median, round, sleep } from './stats'

export interface StartupResult {
  runs: number
  readyMsMedian: number
  readyMsAll: number[]
  /** `node -e 0`, the floor any Node program pays. */
  bareNodeMsMedian: number
  idleRssMiB: number
}

const READY_TIMEOUT_MS = 15_000
/** How long a node idles before its resident memory is read. */
const IDLE_SETTLE_MS = 2_000

function bareNodeMs (): number {
  const t = performance.now()
  spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore', timeout: READY_TIMEOUT_MS })
  return performance.now() - t
}

export async function runStartup (runs: number): Promise<StartupResult> {
  const times: number[] = []
  const bare: number[] = []
  const rss: number[] = []
  for (let i = 0; i < runs; i++) {
    bare.push(bareNodeMs())
    const p = new HeadlessProc(['--nick', `s${i}`, '--no-pex'])
    try {
      await p.waitFor(isReady, READY_TIMEOUT_MS, 'ready')
      times.push(p.readyAt - p.spawnedAt)
      // Resident memory is read once, on the last run, after it idled a while.
      if (i === runs - 1) {
        await sleep(IDLE_SETTLE_MS)
        rss.push(procRssBytes(p.pid))
      }
    } finally {
      await stop(p.child)
    }
  }
  return {
    runs,
    readyMsMedian: round(median(times), 1),
    readyMsAll: times.map(t => round(t, 1)),
    bareNodeMsMedian: round(median(bare), 1),
    idleRssMiB: round(rss[0] / MIB, 1)
  }
}
