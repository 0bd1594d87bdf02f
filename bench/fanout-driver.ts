// The fan-out load driver: N line clients on one server, some of them
// senders, every line expected at every client but its sender. The same
// driver runs against every target, so the figures are side by side.
import net from 'net'
import { performance } from 'perf_hooks'
import { encodeLine, parseLine, WARMUP_MARK } from './fanout-lines'
import { LOOPBACK, procCpuMs } from './procs'
import { quantile, round, sleep } from './stats'

export interface FanoutCase {
  clients: number
  senders: number
  perSender: number
  /** Lines per second per sender; null sends as fast as the socket takes them. */
  ratePerSender: number | null
}

export interface FanoutResult {
  sent: number
  expected: number
  delivered: number
  lost: number
  corrupted: number
  duplicates: number
  echoed: number
  throughputLinesPerS: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  serverCpuMs: number
  serverCpuUsPerLine: number
  durationMs: number
  /** Why the run stopped waiting: all delivered, or no progress / time cap. */
  ended: 'complete' | 'stalled' | 'time-cap'
}

const CONNECT_TIMEOUT_MS = 5_000
const WARMUP_TIMEOUT_MS = 5_000
const WARMUP_RESEND_MS = 200
/** Lines written in one synchronous burst when unpaced, before yielding. */
const UNPACED_BATCH = 50
const PACE_TICK_MS = 2
/** Caps on each phase, whatever the case asks for. */
const MAX_SEND_MS = 30_000
const MAX_DRAIN_MS = 30_000
/** Stop waiting when nothing arrived for this long after the last send. */
const STALL_MS = 1_000

interface Client { socket: net.Socket; got: Uint8Array; warm: boolean }

const nowUs = () => performance.now() * 1000

function connect (port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: LOOPBACK, port })
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`connect to ${port} timed out`)) }, CONNECT_TIMEOUT_MS)
    s.once('connect', () => { clearTimeout(timer); s.setNoDelay(true); resolve(s) })
    s.once('error', (err) => { clearTimeout(timer); reject(err) })
  })
}

function write (s: net.Socket, data: string): Promise<void> | null {
  if (s.write(data)) return null
  return new Promise(resolve => {
    const done = () => { s.off('drain', done); s.off('close', done); resolve() }
    s.once('drain', done)
    s.once('close', done)
  })
}

export async function runFanout (port: number, pid: number, c: FanoutCase): Promise<FanoutResult> {
  const total = c.senders * c.perSender
  const expected = total * (c.clients - 1)
  const latencies = new Float64Array(expected)
  let delivered = 0
  let corrupted = 0
  let duplicates = 0
  let echoed = 0
  let lastArrival = performance.now()
  const clients: Client[] = []
  try {
    for (let i = 0; i < c.clients; i++) clients.push({ socket: await connect(port), got: new Uint8Array(total), warm: false })
    clients.forEach((cl, i) => {
      let rest = ''
      cl.socket.setEncoding('utf8')
      cl.socket.on('error', () => {})
      cl.socket.on('data', (chunk: string) => {
        const at = nowUs()
        const lines = (rest + chunk).split('\n')
        rest = lines.pop() ?? ''
        for (const line of lines) {
          const p = parseLine(line)
          if (p.kind === 'warmup') { cl.warm = true; continue }
          if (p.kind === 'corrupt') { corrupted++; continue }
          if (p.kind !== 'data') continue
          if (p.sender >= c.senders || p.seq >= c.perSender) { corrupted++; continue }
          if (p.sender === i) { echoed++; continue }
          const k = p.sender * c.perSender + p.seq
          if (cl.got[k]) { duplicates++; continue }
          cl.got[k] = 1
          if (delivered < expected) latencies[delivered] = (at - p.sentAtUs) / 1000
          delivered++
          lastArrival = performance.now()
        }
      })
    })
    await warmUp(clients)
    const cpu0 = procCpuMs(pid)
    const t0 = performance.now()
    await Promise.all(clients.slice(0, c.senders).map((cl, s) => sendAll(cl.socket, s, c)))
    const sentAt = performance.now()
    let ended: FanoutResult['ended'] = 'complete'
    while (delivered < expected) {
      const now = performance.now()
      if (now - sentAt > MAX_DRAIN_MS) { ended = 'time-cap'; break }
      if (now - Math.max(lastArrival, sentAt) > STALL_MS) { ended = 'stalled'; break }
      await sleep(5)
    }
    const durationMs = (delivered < expected ? lastArrival : performance.now()) - t0
    const serverCpuMs = procCpuMs(pid) - cpu0
    const lat = latencies.subarray(0, Math.min(delivered, expected))
    return {
      sent: total,
      expected,
      delivered,
      lost: expected - delivered,
      corrupted,
      duplicates,
      echoed,
      throughputLinesPerS: round(delivered / (durationMs / 1000), 0),
      latencyP50Ms: round(quantile(lat, 0.5)),
      latencyP99Ms: round(quantile(lat, 0.99)),
      latencyMaxMs: round(quantile(lat, 1)),
      serverCpuMs: round(serverCpuMs, 0),
      serverCpuUsPerLine: round(delivered > 0 ? (serverCpuMs * 1000) / delivered : NaN, 2),
      durationMs: round(durationMs, 0),
      ended
    }
  } finally {
    for (const cl of clients) cl.socket.destroy()
  }
}

/** Client 0 sends warm-up lines until every other client has seen one: all are registered. */
async function warmUp (clients: Client[]): Promise<void> {
  const deadline = Date.now() + WARMUP_TIMEOUT_MS
  let k = 0
  while (!clients.slice(1).every(cl => cl.warm)) {
    if (Date.now() > deadline) throw new Error(`warm-up: only ${clients.filter(cl => cl.warm).length} of ${clients.length - 1} clients heard the sender`)
    clients[0].socket.write(`${WARMUP_MARK}${k++}\n`)
    await sleep(WARMUP_RESEND_MS)
  }
  // Let stray warm-up copies arrive before measuring.
  await sleep(WARMUP_RESEND_MS)
}

async function sendAll (s: net.Socket, sender: number, c: FanoutCase): Promise<void> {
  const start = performance.now()
  let seq = 0
  while (seq < c.perSender) {
    const elapsed = performance.now() - start
    if (elapsed > MAX_SEND_MS || s.destroyed) return
    const due = c.ratePerSender === null
      ? Math.min(c.perSender, seq + UNPACED_BATCH)
      : Math.min(c.perSender, Math.floor((elapsed / 1000) * c.ratePerSender) + 1)
    let blocked: Promise<void> | null = null
    while (seq < due && !blocked) blocked = write(s, encodeLine(sender, seq++, nowUs()))
    if (blocked) await blocked
    else if (c.ratePerSender === null) await new Promise(resolve => setImmediate(resolve))
    else await sleep(PACE_TICK_MS)
  }
}
