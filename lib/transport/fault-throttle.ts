// Rate-limited fault reporting: an attacker who causes faults (refused
// handshakes, oversized messages) must not be able to flood the output. The
// first fault of a code is reported at once; more of that code within the
// interval are counted and summed up in one line when it ends.
import type { MeshError, ErrorCode } from '../protocol/errors'

/** At most one reported line per fault code per this interval. */
export const FAULT_REPORT_INTERVAL_MS = 5000

interface Window { timer: NodeJS.Timeout; count: number; last: string }

export class FaultThrottle {
  private readonly windows = new Map<ErrorCode, Window>()
  private closed = false

  constructor (private readonly emit: (code: ErrorCode, message: string) => void, readonly intervalMs = FAULT_REPORT_INTERVAL_MS) {}

  report (err: MeshError): void {
    if (this.closed) return
    const w = this.windows.get(err.code)
    if (w) { w.count++; w.last = err.message; return }
    this.emit(err.code, err.message)
    this.open(err.code)
  }

  private open (code: ErrorCode): void {
    const timer = setTimeout(() => this.flush(code), this.intervalMs)
    timer.unref()
    this.windows.set(code, { timer, count: 0, last: '' })
  }

  private flush (code: ErrorCode): void {
    const w = this.windows.get(code)
    this.windows.delete(code)
    if (!w || w.count === 0 || this.closed) return
    this.emit(code, `${w.count} more ${code} in the last ${this.intervalMs / 1000} s; the latest: ${w.last}`)
    this.open(code)
  }

  /** Stops reporting; counts still pending are dropped. */
  close (): void {
    this.closed = true
    for (const w of this.windows.values()) clearTimeout(w.timer)
    this.windows.clear()
  }
}
