// Splits a byte stream into lines (LF, with an optional CR before it). A line
// that grows past `maxLineBytes` without a newline is not buffered: it is
// reported once as an overflow and its bytes are skipped up to the next newline.

export type LineEvent = { kind: 'line'; bytes: Buffer } | { kind: 'overflow'; bytes: number }

const LF = 0x0a
const CR = 0x0d

export class LineSplitter {
  private parts: Buffer[] = []
  private size = 0
  /** Bytes of an over-long line skipped so far (0 when not skipping). */
  private skipping = 0

  constructor (readonly maxLineBytes: number) {}

  /** Bytes held for the current unfinished line. */
  get buffered (): number { return this.size }

  push (chunk: Buffer): LineEvent[] {
    const out: LineEvent[] = []
    let start = 0
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start)
      const end = nl === -1 ? chunk.length : nl
      const piece = chunk.subarray(start, end)
      if (this.skipping > 0) {
        this.skipping += piece.length
      } else if (this.size + piece.length > this.maxLineBytes) {
        this.skipping = this.size + piece.length
        this.parts = []
        this.size = 0
        out.push({ kind: 'overflow', bytes: this.skipping })
      } else if (piece.length > 0) {
        this.parts.push(piece)
        this.size += piece.length
      }
      if (nl === -1) break
      if (this.skipping > 0) {
        this.skipping = 0
      } else {
        out.push(this.line())
      }
      this.parts = []
      this.size = 0
      start = nl + 1
    }
    return out
  }

  /** The line held so far, without a CR before its end, in a buffer of its own. */
  private line (): LineEvent {
    let line = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size)
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1)
    return { kind: 'line', bytes: Buffer.from(line) }
  }

  /** At the end of the stream: the unfinished last line, if any (none while skipping an over-long one). */
  end (): LineEvent[] {
    const out: LineEvent[] = []
    if (this.skipping === 0 && this.size > 0) out.push(this.line())
    this.parts = []
    this.size = 0
    this.skipping = 0
    return out
  }
}
