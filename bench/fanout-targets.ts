// The servers the fan-out driver runs against. Each starts one process on a
// given loopback port; a target that cannot run here says why instead.
import { execFile, type ChildProcess } from 'child_process'
import path from 'path'
import { BIN, LOOPBACK, ROOT, start, tempDir } from './procs'

export interface FanoutTarget {
  name: string
  /** null when the target can run, else the reason it cannot. */
  unavailable (): Promise<string | null>
  start (port: number): ChildProcess
}

const PYTHON = process.env.PYTHON ?? 'python3'
const CLASSIC = path.join(ROOT, 'bench', 'baselines', 'classic_server.py')
const LEAN_HUB = path.join(ROOT, 'dist', 'bench', 'baselines', 'lean-hub.js')
const PROBE_TIMEOUT_MS = 10_000

function probe (cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise(resolve => {
    execFile(cmd, args, { timeout: PROBE_TIMEOUT_MS }, (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}${stderr}` }))
  })
}

/**
 * Per-client line rate and burst given to the gateway. Its default (500
 * lines/s, 500 at once) paces an unpaced sender on purpose, losslessly; the
 * other servers have no limit, so the benchmark lifts both to compare the
 * implementations themselves. (Before 2026-11-28 23:10 UTC only the rate was
 * lifted: a 2,000-line paste still paused 10 ms after every 500 lines.)
 */
export const GATEWAY_BENCH_RATE = 1_000_000
/**
 * Gateway limits lifted for the benchmark (the hidden --gateway-limits
 * option): every driver client connects from 127.0.0.1, past the per-IP cap
 * (16), and the gateway's shared posting budget (400 lines/s) would pace the
 * 10-sender cases on purpose, like the per-client rate above.
 */
export const GATEWAY_BENCH_LIMITS = { maxClientsPerIp: 256, totalRate: 1_000_000, totalBurst: 1_000_000 }
let gatewayRateOption = false

export const gatewayTarget: FanoutTarget = {
  name: 'meshchat gateway',
  async unavailable () {
    const { out } = await probe(process.execPath, [BIN, '--help'])
    gatewayRateOption = out.includes('--gateway-rate')
    return out.includes('--text-listen') ? null : 'not available: the bin has no --text-listen yet (issue 7 gateway not built)'
  },
  start (port) {
    return start(process.execPath, [
      BIN, '--headless', '--nick', 'gateway', '--listen', `${LOOPBACK}:0`, '--no-pex',
      '--text-listen', `${LOOPBACK}:${port}`, '--data-dir', tempDir(),
      ...(gatewayRateOption ? ['--gateway-rate', `${GATEWAY_BENCH_RATE}:${GATEWAY_BENCH_RATE}`, '--gateway-limits', JSON.stringify(GATEWAY_BENCH_LIMITS)] : [])
    ])
  }
}

export const classicTarget: FanoutTarget = {
  name: 'classic python server',
  async unavailable () {
    const { ok } = await probe(PYTHON, ['--version'])
    return ok ? null : `not available: ${PYTHON} not found`
  },
  start (port) { return start(PYTHON, ['-u', CLASSIC, LOOPBACK, String(port)]) }
}

export const leanHubTarget: FanoutTarget = {
  name: 'lean node hub',
  async unavailable () { return null },
  start (port) { return start(process.execPath, [LEAN_HUB, LOOPBACK, String(port)]) }
}

export const FANOUT_TARGETS = [gatewayTarget, leanHubTarget, classicTarget]
