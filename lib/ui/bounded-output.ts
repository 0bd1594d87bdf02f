// The output stream of a front end that writes for a program (headless JSON
// lines, the anchor log), bounded. Node queues what a pipe cannot take yet in
// memory, without limit: a reader that stops reading (a stalled bot, a
// `| less` left open) would grow the node by every event it is sent. Past
// MAX_OUTPUT_QUEUED_BYTES waiting, lines are dropped and counted; once the
// reader has taken everything queued, the front end is told how many it lost
// (headless writes a `dropped` event, the anchor log a line), so a reader
// never mistakes a gap for silence.
import type { Writable } from 'stream'

/** Bytes of output a reader may leave unread before later lines are dropped (`OUTPUT_OVERFLOW`). */
export const MAX_OUTPUT_QUEUED_BYTES = 16 * 1024 * 1024

export class BoundedOutput {
  /** Lines dropped since the reader fell behind (0: writing). */
  private dropped = 0

  constructor (
    private readonly out: Writable,
    /** Called when the reader has caught up after a gap: write the notice of `count` lost lines. */
    private readonly onResume: (count: number) => void,
    /** Told once when a gap starts (a line on stderr). */
    private readonly onOverflow: (queued: number) => void = () => {},
    private readonly max = MAX_OUTPUT_QUEUED_BYTES
  ) {}

  /** Writes `text` (whole lines), or drops it while the reader is more than `max` bytes behind. */
  write (text: string): void {
    if (this.dropped === 0 && this.out.writableLength <= this.max) {
      this.out.write(text)
      return
    }
    if (this.dropped === 0) {
      this.onOverflow(this.out.writableLength)
      this.out.once('drain', () => this.resume())
    }
    this.dropped += countLines(text)
  }

  private resume (): void {
    const count = this.dropped
    this.dropped = 0
    this.onResume(count)
  }
}

function countLines (text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  return Math.max(1, n)
}
