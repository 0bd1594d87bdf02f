// The GUEST_BATCH payload (message kind 6): several text-gateway guest lines
// signed once by the gateway node. A gateway under a burst would otherwise
// sign (and every relay verify) one message per line; a batch carries the
// gateway's nick, then up to MAX_GUEST_BATCH_LINES (guest nick, text) entries
// in the order the guests typed them. Receivers deliver each entry as its own
// line under the guest's nick. A batch never exceeds MAX_PAYLOAD_BYTES:
// packGuestLines splits a longer run of lines into several batches.
import { MeshError } from './errors'
import { nickEnc } from './frames'
import { checkedString, decodeWith, encodeBuffer, struct, boundedArray } from './codec'
import { MAX_NICK_BYTES, MAX_PAYLOAD_BYTES, MAX_TEXT_BYTES } from './limits'

/** Most lines one batch may carry (a decoder refuses more: GUEST_BATCH_INVALID). */
export const MAX_GUEST_BATCH_LINES = 64

/** One guest line: the guest's name on the gateway and the text it typed. */
export interface GuestLine { guest: string; text: string }

export interface GuestBatch {
  /** The gateway node's own nick (shown as `via`). */
  via: string
  lines: GuestLine[]
}

const textEnc = checkedString(MAX_TEXT_BYTES, 'guest line')

const lineEnc = struct<GuestLine>(
  (s, l, pass) => { nickEnc[pass](s, l.guest); textEnc[pass](s, l.text) },
  s => ({ guest: nickEnc.decode(s), text: textEnc.decode(s) })
)

const linesEnc = boundedArray(lineEnc, MAX_GUEST_BATCH_LINES, 'guest batch')

const batchEnc = struct<GuestBatch>(
  (s, b, pass) => { nickEnc[pass](s, b.via); linesEnc[pass](s, b.lines) },
  s => ({ via: nickEnc.decode(s), lines: linesEnc.decode(s) })
)

/** Bytes of a compact-encoding string of `n` UTF-8 bytes: its varint length, then the bytes. */
function stringBytes (n: number): number {
  return n + (n < 0xfd ? 1 : n <= 0xffff ? 3 : 5)
}

/** Bytes one line takes in a batch payload (what lineEnc's preencode counts, without a State). */
export function guestLineBytes (l: GuestLine): number {
  return stringBytes(Buffer.byteLength(l.guest)) + stringBytes(Buffer.byteLength(l.text))
}

/** Most bytes a batch's head (gateway nick, line count) may take. */
const MAX_HEAD_BYTES = 1 + MAX_NICK_BYTES + 1

function invalid (why: string): MeshError {
  return new MeshError('GUEST_BATCH_INVALID', `invalid guest batch: ${why}`)
}

/** Throws GUEST_BATCH_INVALID when the batch is empty, holds too many lines, an empty line, or is over MAX_PAYLOAD_BYTES. */
export function encodeGuestBatch (b: GuestBatch): Buffer {
  checkLines(b.lines)
  const out = encodeBuffer(batchEnc, b)
  if (out.byteLength > MAX_PAYLOAD_BYTES) throw invalid(`${out.byteLength} bytes, over the ${MAX_PAYLOAD_BYTES} byte payload limit`)
  return out
}

/** Decodes and checks a batch payload; any fault is GUEST_BATCH_INVALID. */
export function decodeGuestBatch (payload: Uint8Array): GuestBatch {
  let b: GuestBatch
  try {
    b = decodeWith(payload, 0, batchEnc)
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : 'malformed')
  }
  checkLines(b.lines)
  return b
}

function checkLines (lines: GuestLine[]): void {
  if (lines.length === 0) throw invalid('no lines')
  if (lines.length > MAX_GUEST_BATCH_LINES) throw invalid(`${lines.length} lines, over the limit of ${MAX_GUEST_BATCH_LINES}`)
  for (const l of lines) {
    if (l.guest.length === 0) throw invalid('a line without a guest name')
    if (l.text.trim().length === 0) throw invalid('an empty line')
  }
}

/**
 * Splits lines, in order, into runs that each fit one batch: at most
 * MAX_GUEST_BATCH_LINES lines and MAX_PAYLOAD_BYTES with the head. Every
 * line must fit a batch on its own (text up to MAX_TEXT_BYTES always does).
 */
export function packGuestLines (lines: GuestLine[]): GuestLine[][] {
  const out: GuestLine[][] = []
  let run: GuestLine[] = []
  let bytes = MAX_HEAD_BYTES
  for (const l of lines) {
    const n = guestLineBytes(l)
    if (run.length > 0 && (run.length >= MAX_GUEST_BATCH_LINES || bytes + n > MAX_PAYLOAD_BYTES)) {
      out.push(run)
      run = []
      bytes = MAX_HEAD_BYTES
    }
    run.push(l)
    bytes += n
  }
  if (run.length > 0) out.push(run)
  return out
}
