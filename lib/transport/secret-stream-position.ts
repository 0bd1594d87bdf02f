// Where @hyperswarm/secret-stream's own message parser stands, read from its
// private fields. A swarm connection is handed over by hyperdht after its
// handshake, possibly with part of a message already parsed; a wire guard
// put in front of it must start exactly where secret-stream is.
//
// These fields are private to secret-stream (checked against 6.9.2,
// index.js `_onrawdata`):
//   _state 0: reading the uint24 LE length; _tmp is the multiplier of the
//             next byte (1, 256 or 65536) and _len the value read so far.
//   _state 1: reading a body of _len bytes, _tmp of them read already.
//   _message: null, or the buffer the current body is being copied into.
// Every field is checked at runtime: anything missing or unexpected gives a
// reason instead of a position, and the caller goes without a guard.
// test/secret-stream-position.test.ts drives a real secret-stream to fail
// loudly if an upgrade changes them.
import { invalidPosition, WIRE_LENGTH_PREFIX_BYTES, type WirePosition } from './wire-guard'

/** secret-stream's `_state` while it reads a length prefix. */
export const SECRET_STREAM_READING_LENGTH = 0
/** secret-stream's `_state` while it reads a message body. */
export const SECRET_STREAM_READING_BODY = 1

/** The byte multipliers secret-stream's `_tmp` holds inside a length prefix: 256 ** bytes read. */
const LENGTH_MULTIPLIERS = Array.from({ length: WIRE_LENGTH_PREFIX_BYTES }, (_, i) => 256 ** i)

/**
 * The position of a secret-stream's parser, or a string saying why it cannot
 * be read (a secret-stream of another version, or not a secret-stream).
 */
export function secretStreamPosition (stream: unknown): WirePosition | string {
  if (typeof stream !== 'object' || stream === null) return 'not an object'
  const s = stream as Record<string, unknown>
  for (const field of ['_state', '_len', '_tmp']) {
    if (typeof s[field] !== 'number') return `${field} is ${describe(s[field])}, not a number`
  }
  const message = s._message
  if (message !== null && !(message instanceof Uint8Array)) return `_message is ${describe(message)}, not null or a buffer`
  const state = s._state as number
  const len = s._len as number
  const tmp = s._tmp as number
  let position: WirePosition
  if (state === SECRET_STREAM_READING_LENGTH) {
    const bytesRead = LENGTH_MULTIPLIERS.indexOf(tmp)
    if (bytesRead < 0) return `_tmp is ${tmp} while reading a length, not a byte multiplier`
    if (message !== null) return '_message is set while reading a length'
    position = { reading: 'length', bytesRead, partial: len }
  } else if (state === SECRET_STREAM_READING_BODY) {
    if (message !== null && message.byteLength !== len) return `_message holds ${message.byteLength} bytes for a ${len} byte message`
    position = { reading: 'body', length: len, bytesRead: tmp }
  } else {
    return `_state is ${state}, not ${SECRET_STREAM_READING_LENGTH} or ${SECRET_STREAM_READING_BODY}`
  }
  const bad = invalidPosition(position)
  return bad ? `_state ${state}, _len ${len}, _tmp ${tmp}: ${bad}` : position
}

function describe (v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'missing'
  return typeof v
}
