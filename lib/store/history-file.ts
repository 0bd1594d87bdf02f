// The on-disk history of a node run with --history (and of the anchor):
// an append-only log of signed FLOOD frames, each record a 4-byte big-endian
// length followed by the frame. A crash mid-write leaves at most one torn
// record at the tail: on open it is detected, reported, and cut off.
import fs from 'fs'
import path from 'path'
import type { FloodMessage } from '../protocol/envelope'
import type { HistoryStore } from '../core/node'
import { MAX_FRAME_BYTES } from '../protocol/limits'

export const HISTORY_FILE = 'history.log'
const HEADER_BYTES = 4
/** The log is rewritten from memory when it holds this many times what memory keeps. */
export const HISTORY_COMPACT_FACTOR = 4

export interface TornTail { offset: number; bytes: number; reason: string }

export interface OpenedHistory { store: HistoryFile; frames: Buffer[]; torn: TornTail | null }

/** Splits a log into frames; stops at the first record that cannot be whole. */
export function parseLog (buf: Buffer): { frames: Buffer[]; torn: TornTail | null } {
  const frames: Buffer[] = []
  let off = 0
  while (off < buf.length) {
    if (buf.length - off < HEADER_BYTES) return { frames, torn: { offset: off, bytes: buf.length - off, reason: 'partial record header' } }
    const len = buf.readUInt32BE(off)
    if (len === 0 || len > MAX_FRAME_BYTES) return { frames, torn: { offset: off, bytes: buf.length - off, reason: `record length ${len} is impossible` } }
    if (buf.length - off - HEADER_BYTES < len) return { frames, torn: { offset: off, bytes: buf.length - off, reason: `record of ${len} bytes cut short` } }
    frames.push(buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len))
    off += HEADER_BYTES + len
  }
  return { frames, torn: null }
}

export class HistoryFile implements HistoryStore {
  private fd: number
  private queue: Buffer[] = []
  private writing = false
  private closed = false
  records: number

  private constructor (readonly file: string, records: number) {
    this.fd = fs.openSync(file, 'a', 0o600)
    this.records = records
  }

  static open (dir: string): OpenedHistory {
    const file = path.join(dir, HISTORY_FILE)
    let buf = Buffer.alloc(0)
    try { buf = fs.readFileSync(file) } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const { frames, torn } = parseLog(buf)
    if (torn) fs.truncateSync(file, torn.offset)
    return { store: new HistoryFile(file, frames.length), frames: frames.map(f => Buffer.from(f)), torn }
  }

  /** Queues a record; writes happen off the hot path, in order. */
  append (m: FloodMessage): void {
    if (this.closed) return
    const rec = Buffer.allocUnsafe(HEADER_BYTES + m.frame.byteLength)
    rec.writeUInt32BE(m.frame.byteLength, 0)
    m.frame.copy(rec, HEADER_BYTES)
    this.queue.push(rec)
    this.records++
    this.pump()
  }

  private pump (): void {
    if (this.writing || this.queue.length === 0) return
    this.writing = true
    const chunk = Buffer.concat(this.queue)
    this.queue = []
    fs.write(this.fd, chunk, 0, chunk.length, null, () => {
      this.writing = false
      this.pump()
    })
  }

  /** Replaces the log with exactly these frames (compaction). */
  rewrite (frames: Buffer[]): void {
    const parts: Buffer[] = []
    for (const f of frames) {
      const h = Buffer.allocUnsafe(HEADER_BYTES)
      h.writeUInt32BE(f.byteLength, 0)
      parts.push(h, f)
    }
    const tmp = this.file + '.tmp'
    fs.writeFileSync(tmp, Buffer.concat(parts), { mode: 0o600 })
    fs.closeSync(this.fd)
    fs.renameSync(tmp, this.file)
    this.fd = fs.openSync(this.file, 'a', 0o600)
    this.records = frames.length
  }

  /** Flushes queued records and closes the file. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    while (this.writing || this.queue.length) {
      if (!this.writing) this.pump()
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    fs.closeSync(this.fd)
  }
}
