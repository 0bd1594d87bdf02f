// The bytes of history.log. Version 2: an 8-byte file header "MCHLOG2\n",
// then records of 4-byte magic, 4-byte big-endian frame length, 4-byte CRC-32
// (of the length bytes and the frame), and the frame. A damaged record is
// skipped by scanning to the next magic whose length and checksum verify, so
// it costs that record only; bytes after the last verifiable record are a
// torn tail. Version 1 (records of a 4-byte length and the frame, no header)
// is still read, so old logs can be converted.
import { MAX_FRAME_BYTES } from '../protocol/limits'
import { crc32 } from './crc32'

export const LOG_HEADER = Buffer.from('MCHLOG2\n', 'latin1')
export const RECORD_MAGIC = Buffer.from([0xc7, 0x4d, 0x43, 0x52])
/** Magic + length + CRC-32 in front of every v2 frame. */
export const RECORD_HEADER_BYTES = 12
const V1_HEADER_BYTES = 4

export interface TornTail { offset: number; bytes: number; reason: string }
/** Damaged bytes skipped in the middle of a log; `records` counts record marks inside them (at least one per region). */
export interface Skipped { bytes: number; regions: number; records: number }
export interface ParsedLog {
  format: 'empty' | 'v1' | 'v2'
  frames: Buffer[]
  torn: TornTail | null
  skipped: Skipped
  /** False when the v2 file header itself was damaged or partial (the file must be rewritten). */
  headerOk: boolean
}

/** One v2 record for `frame`. */
export function encodeRecord (frame: Buffer): Buffer {
  const rec = Buffer.allocUnsafe(RECORD_HEADER_BYTES + frame.byteLength)
  RECORD_MAGIC.copy(rec, 0)
  rec.writeUInt32BE(frame.byteLength, 4)
  frame.copy(rec, RECORD_HEADER_BYTES)
  rec.writeUInt32BE(crc32(frame, crc32(rec.subarray(4, 8))), 8)
  return rec
}

/** A whole v2 file (header and records) holding exactly these frames. */
export function encodeLog (frames: Buffer[]): Buffer {
  return Buffer.concat([LOG_HEADER, ...frames.map(encodeRecord)])
}

/** Length of the frame of a valid record at `off`, or why there is none. */
function recordAt (buf: Buffer, off: number): number | string {
  if (buf.length - off < RECORD_HEADER_BYTES) return 'partial record header'
  if (buf.compare(RECORD_MAGIC, 0, 4, off, off + 4) !== 0) return 'bad record mark'
  const len = buf.readUInt32BE(off + 4)
  if (len === 0 || len > MAX_FRAME_BYTES) return `record length ${len} is impossible`
  if (buf.length - off - RECORD_HEADER_BYTES < len) return `record of ${len} bytes cut short`
  const sum = crc32(buf.subarray(off + RECORD_HEADER_BYTES, off + RECORD_HEADER_BYTES + len), crc32(buf.subarray(off + 4, off + 8)))
  if (sum !== buf.readUInt32BE(off + 8)) return 'checksum mismatch'
  return len
}

/** Offset of the next verifiable record at or after `from`, or -1. */
function nextRecord (buf: Buffer, from: number): number {
  let at = buf.indexOf(RECORD_MAGIC, from)
  while (at !== -1) {
    if (typeof recordAt(buf, at) === 'number') return at
    at = buf.indexOf(RECORD_MAGIC, at + 1)
  }
  return -1
}

function countMarks (buf: Buffer, from: number, to: number): number {
  let n = 0
  for (let at = buf.indexOf(RECORD_MAGIC, from); at !== -1 && at < to; at = buf.indexOf(RECORD_MAGIC, at + 1)) n++
  return n
}

/** Reads v2 records from `start`, skipping damaged ones. */
export function parseRecords (buf: Buffer, start: number): Omit<ParsedLog, 'format' | 'headerOk'> {
  const frames: Buffer[] = []
  const skipped: Skipped = { bytes: 0, regions: 0, records: 0 }
  let off = start
  while (off < buf.length) {
    const r = recordAt(buf, off)
    if (typeof r === 'number') {
      frames.push(buf.subarray(off + RECORD_HEADER_BYTES, off + RECORD_HEADER_BYTES + r))
      off += RECORD_HEADER_BYTES + r
      continue
    }
    const next = nextRecord(buf, off + 1)
    if (next === -1) return { frames, skipped, torn: { offset: off, bytes: buf.length - off, reason: r } }
    skipped.bytes += next - off
    skipped.regions++
    skipped.records += Math.max(1, countMarks(buf, off, next))
    off = next
  }
  return { frames, skipped, torn: null }
}

/** Splits a version 1 log into frames; stops at the first record that cannot be whole. */
export function parseV1 (buf: Buffer): { frames: Buffer[]; torn: TornTail | null } {
  const frames: Buffer[] = []
  let off = 0
  while (off < buf.length) {
    if (buf.length - off < V1_HEADER_BYTES) return { frames, torn: { offset: off, bytes: buf.length - off, reason: 'partial record header' } }
    const len = buf.readUInt32BE(off)
    if (len === 0 || len > MAX_FRAME_BYTES) return { frames, torn: { offset: off, bytes: buf.length - off, reason: `record length ${len} is impossible` } }
    if (buf.length - off - V1_HEADER_BYTES < len) return { frames, torn: { offset: off, bytes: buf.length - off, reason: `record of ${len} bytes cut short` } }
    frames.push(buf.subarray(off + V1_HEADER_BYTES, off + V1_HEADER_BYTES + len))
    off += V1_HEADER_BYTES + len
  }
  return { frames, torn: null }
}

/** Reads a whole log of either version. */
export function parseLog (buf: Buffer): ParsedLog {
  const none: Skipped = { bytes: 0, regions: 0, records: 0 }
  if (buf.length === 0) return { format: 'empty', frames: [], torn: null, skipped: none, headerOk: true }
  if (buf.length >= LOG_HEADER.length && buf.compare(LOG_HEADER, 0, LOG_HEADER.length, 0, LOG_HEADER.length) === 0) {
    return { format: 'v2', headerOk: true, ...parseRecords(buf, LOG_HEADER.length) }
  }
  if (buf.length < LOG_HEADER.length && LOG_HEADER.subarray(0, buf.length).equals(buf)) {
    // A crash while the header of a new log was written.
    return { format: 'empty', frames: [], torn: { offset: 0, bytes: buf.length, reason: 'partial file header' }, skipped: none, headerOk: false }
  }
  const v1 = parseV1(buf)
  if (v1.frames.length === 0) {
    // No v1 record at all: perhaps a v2 log whose header was damaged.
    const v2 = parseRecords(buf, typeof recordAt(buf, LOG_HEADER.length) === 'number' ? LOG_HEADER.length : 0)
    if (v2.frames.length > 0) return { format: 'v2', headerOk: false, ...v2 }
  }
  return { format: 'v1', headerOk: false, frames: v1.frames, torn: v1.torn, skipped: none }
}
