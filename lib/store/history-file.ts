// The on-disk history of a node run with --history (and of the anchor): an
// append-only log of signed FLOOD frames in the format of log-format.ts.
// On open, a torn tail is cut, damaged records in the middle are skipped
// (only they are lost) and a version 1 log is converted. While running, the
// log is rewritten from a snapshot of what memory keeps whenever it outgrows
// its bound, so a flood cannot grow it without limit. Records wait in memory
// for the disk up to MAX_HISTORY_QUEUED_BYTES; past that (a disk or network
// mount that stopped answering) the waiting records are let go and the log is
// rewritten from memory once the disk takes writes again (HISTORY_BEHIND).
import fs from 'fs'
import path from 'path'
import type { FloodMessage } from '../protocol/envelope'
import type { HistoryStore } from '../core/types'
import { MeshError, errorMessage } from '../protocol/errors'
import { encodeLog, encodeRecord, parseLog, RECORD_HEADER_BYTES, type Skipped, type TornTail } from './log-format'
import { openTempFor, removeQuietly, removeStaleTemps, writeFileAtomic } from './safe-file'

export { parseLog, type TornTail, type Skipped } from './log-format'

export const HISTORY_FILE = 'history.log'
/** The log is rewritten from memory when it holds this many times what memory keeps (records or bytes). */
export const HISTORY_COMPACT_FACTOR = 4
/** The log is rewritten from memory when it passes this many bytes (or HISTORY_COMPACT_FACTOR x the bytes memory keeps, if more). */
export const MAX_HISTORY_LOG_BYTES = 64 * 1024 * 1024
/** Bytes of records waiting for the disk at most; past this they are let go (memory keeps them) and the log is rewritten from memory when the disk answers. */
export const MAX_HISTORY_QUEUED_BYTES = 8 * 1024 * 1024

export interface HistoryFileOptions {
  /** The frames memory keeps now; the log is rewritten to exactly these (plus what is appended after) when it outgrows its bound. Without it the log is never compacted while running. */
  snapshot?: () => Buffer[]
  /** Record bound (raised to HISTORY_COMPACT_FACTOR x the last snapshot if that is more). Default: no record bound. */
  maxRecords?: number
  /** Byte bound (raised to HISTORY_COMPACT_FACTOR x the last snapshot's bytes if that is more). Default MAX_HISTORY_LOG_BYTES. */
  maxBytes?: number
  /** A write or compaction failed (HISTORY_WRITE_FAILED), or the disk fell behind (HISTORY_BEHIND); appending goes on. */
  onError?: (err: MeshError) => void
  /** Tests: bytes of records that may wait for the disk (default MAX_HISTORY_QUEUED_BYTES). */
  maxQueuedBytes?: number
}

export interface OpenedHistory {
  store: HistoryFile
  frames: Buffer[]
  torn: TornTail | null
  skipped: Skipped
  /** The log was in the version 1 format and has been rewritten as version 2. */
  converted: boolean
}

export class HistoryFile implements HistoryStore {
  private fd: number
  private queue: Buffer[] = []
  private queuedBytes = 0
  /** Records were let go since the last snapshot was taken: the log must be rewritten from memory. */
  private behind = false
  /** Records let go while the disk was behind (without a snapshot they are missing from the log). */
  letGo = 0
  private writing = false
  private compacting = false
  private closed = false
  /** A failure of each kind is reported once, until that kind succeeds again. */
  private failing = { write: false, compact: false, behind: false }
  private keptRecords: number
  private keptBytes: number
  /** Bytes of records waiting for the disk (at most maxQueuedBytes). */
  get waitingBytes (): number { return this.queuedBytes }
  /** Records and bytes in the file plus those queued for it. */
  records: number
  bytes: number
  /** Compactions done while running. */
  compactions = 0

  private constructor (readonly file: string, records: number, bytes: number, private readonly opts: HistoryFileOptions) {
    this.fd = fs.openSync(file, 'a', 0o600)
    this.records = records
    this.bytes = bytes
    // What memory keeps is known from the first snapshot on; until then the bounds alone apply.
    this.keptRecords = 0
    this.keptBytes = 0
  }

  static open (dir: string, opts: HistoryFileOptions = {}): OpenedHistory {
    const file = path.join(dir, HISTORY_FILE)
    removeStaleTemps(file)
    let buf = Buffer.alloc(0)
    try { buf = fs.readFileSync(file) } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const parsed = parseLog(buf)
    const frames = parsed.frames.map(f => Buffer.from(f))
    let bytes: number
    if (parsed.format !== 'v2' || !parsed.headerOk || parsed.skipped.bytes > 0) {
      const body = encodeLog(frames)
      writeFileAtomic(file, body)
      bytes = body.length
    } else {
      bytes = parsed.torn ? parsed.torn.offset : buf.length
      if (parsed.torn) fs.truncateSync(file, bytes)
    }
    const store = new HistoryFile(file, frames.length, bytes, opts)
    return { store, frames, torn: parsed.torn, skipped: parsed.skipped, converted: parsed.format === 'v1' }
  }

  /** Queues a record; writes happen off the hot path, in order. */
  append (m: FloodMessage): void {
    if (this.closed) return
    const size = RECORD_HEADER_BYTES + m.frame.byteLength
    if (this.queuedBytes + size > (this.opts.maxQueuedBytes ?? MAX_HISTORY_QUEUED_BYTES)) return this.fallBehind()
    this.queue.push(m.frame)
    this.queuedBytes += size
    this.records++
    this.bytes += size
    this.pump()
  }

  /** The disk has not taken what waits: let it go (memory keeps it); with a snapshot the log is rewritten once the disk answers. */
  private fallBehind (): void {
    const waitingBytes = this.queuedBytes
    // With a snapshot what waits is let go with this record; without one, only this record (the queue waits on).
    this.letGo += this.opts.snapshot ? this.queue.length + 1 : 1
    if (this.opts.snapshot) {
      this.behind = true
      this.records -= this.queue.length
      this.bytes -= this.queuedBytes
      this.queue = []
      this.queuedBytes = 0
    }
    this.fail('behind', `the disk has not taken ${waitingBytes} bytes of history waiting for`,
      this.opts.snapshot ? 'the log is rewritten from memory once it answers' : 'records are dropped from the log until it answers')
  }

  private pump (): void {
    if (this.writing || this.compacting) return
    // Over the bound with what waits counted: rewrite from memory instead of appending, so the file never passes it.
    if (this.behind || this.overBound()) return this.compact()
    if (this.queue.length === 0) return
    this.writing = true
    const chunk = Buffer.concat(this.queue.map(encodeRecord))
    this.queue = []
    this.queuedBytes = 0
    fs.write(this.fd, chunk, 0, chunk.length, null, (err) => {
      this.writing = false
      if (err) this.fail('write', 'cannot append to', err)
      else this.failing.write = this.failing.behind = false
      this.pump()
    })
  }

  private overBound (): boolean {
    if (!this.opts.snapshot) return false
    const maxRecords = Math.max(this.opts.maxRecords ?? Infinity, HISTORY_COMPACT_FACTOR * this.keptRecords)
    const maxBytes = Math.max(this.opts.maxBytes ?? MAX_HISTORY_LOG_BYTES, HISTORY_COMPACT_FACTOR * this.keptBytes)
    return this.records > maxRecords || this.bytes > maxBytes
  }

  /** Rewrites the log from the snapshot into a new temp file, then renames it over the log; appends meanwhile wait in the queue. */
  private compact (): void {
    this.compacting = true
    let frames: Buffer[]
    let tmp: { fd: number; name: string }
    let body: Buffer
    try {
      // The snapshot holds everything let go so far.
      this.behind = false
      frames = this.opts.snapshot!()
      body = encodeLog(frames)
      tmp = openTempFor(this.file)
    } catch (err) {
      return this.compactDone(err)
    }
    // Everything queued was appended before the snapshot: memory either holds it
    // (so the snapshot does) or has dropped it, as compaction would. If the
    // rewrite fails it goes back to the front of the queue, for the old log.
    const before = this.queue
    const beforeBytes = this.queuedBytes
    this.queue = []
    this.queuedBytes = 0
    let tmpOpen = true
    const failed = (err: unknown) => {
      if (tmpOpen) try { fs.closeSync(tmp.fd) } catch {}
      removeQuietly(tmp.name)
      this.queue = before.concat(this.queue)
      this.queuedBytes += beforeBytes
      this.compactDone(err)
    }
    fs.write(tmp.fd, body, 0, body.length, 0, (err) => {
      if (err) return failed(err)
      fs.fsync(tmp.fd, (err) => {
        if (err) return failed(err)
        let fd: number
        try {
          tmpOpen = false
          fs.closeSync(tmp.fd)
          fs.renameSync(tmp.name, this.file)
        } catch (err) {
          return failed(err)
        }
        try { fd = fs.openSync(this.file, 'a', 0o600) } catch (err) { return this.compactDone(err) }
        fs.closeSync(this.fd)
        this.fd = fd
        this.keptRecords = frames.length
        this.keptBytes = body.length
        this.records = frames.length + this.queue.length
        this.bytes = body.length + this.queue.reduce((n, f) => n + RECORD_HEADER_BYTES + f.byteLength, 0)
        this.compactions++
        this.compactDone(null)
      })
    })
  }

  private compactDone (err: unknown): void {
    if (err) {
      // Do not retry on every write: wait until the log has grown by the factor again.
      this.keptRecords = Math.max(this.keptRecords, this.records)
      this.keptBytes = Math.max(this.keptBytes, this.bytes)
      this.fail('compact', 'cannot compact', err)
    } else {
      this.failing.compact = this.failing.behind = false
    }
    this.compacting = false
    this.pump()
  }

  private fail (kind: 'write' | 'compact' | 'behind', what: string, err: unknown): void {
    if (this.failing[kind]) return
    this.failing[kind] = true
    this.opts.onError?.(new MeshError(kind === 'behind' ? 'HISTORY_BEHIND' : 'HISTORY_WRITE_FAILED', `${what} ${this.file}: ${errorMessage(err)}`))
  }

  /** Replaces the log with exactly these frames, synchronously (start-up compaction; not while running). */
  rewrite (frames: Buffer[]): void {
    const body = encodeLog(frames)
    writeFileAtomic(this.file, body)
    fs.closeSync(this.fd)
    this.fd = fs.openSync(this.file, 'a', 0o600)
    this.records = this.keptRecords = frames.length
    this.bytes = this.keptBytes = body.length
  }

  /** Flushes queued records (and a compaction under way) and closes the file. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    while (this.writing || this.compacting || this.queue.length || this.behind) {
      if (!this.writing && !this.compacting) this.pump()
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    fs.closeSync(this.fd)
  }
}
