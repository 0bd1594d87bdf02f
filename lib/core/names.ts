// What a nick and a room name may be.
import { MeshError } from '../protocol/errors'
import { MAX_NICK_BYTES, MAX_ROOM_BYTES } from '../protocol/limits'

const NICK_RE = /^[^\s#@/\p{Cc}\p{Cf}]+$/u
const ROOM_RE = /^[\p{L}\p{N}._-]+$/u

export function validateNick (nick: string): string {
  const n = String(nick ?? '').trim()
  if (!n) throw new MeshError('BAD_NICK', 'nick is empty')
  if (Buffer.byteLength(n) > MAX_NICK_BYTES) throw new MeshError('BAD_NICK', `nick '${n.slice(0, 40)}' is longer than ${MAX_NICK_BYTES} bytes`)
  if (!NICK_RE.test(n)) throw new MeshError('BAD_NICK', `nick '${n}' may not contain spaces, control characters, '#', '@' or '/'`)
  return n
}

/** Whether a nick that came from the network follows the same rules as a local one (no trimming). */
export function isValidNick (nick: string): boolean {
  return nick.length > 0 && nick === nick.trim() && Buffer.byteLength(nick) <= MAX_NICK_BYTES && NICK_RE.test(nick)
}

export function validateRoom (room: string): string {
  const r = String(room ?? '').trim().replace(/^#/, '')
  if (!r) throw new MeshError('BAD_ROOM', 'room name is empty')
  if (Buffer.byteLength(r) > MAX_ROOM_BYTES) throw new MeshError('BAD_ROOM', `room name '${r.slice(0, 40)}' is longer than ${MAX_ROOM_BYTES} bytes`)
  if (!ROOM_RE.test(r)) throw new MeshError('BAD_ROOM', `room name '${r}' may only use letters, digits, '.', '_' and '-'`)
  return r
}

/** Hex digits of a key or message id shown in diagnostics. */
export const SHORT_KEY_DIGITS = 8

/** The first SHORT_KEY_DIGITS hex digits of a key or id, for error lines and traces. */
export function shortKey (hex: string): string { return hex.slice(0, SHORT_KEY_DIGITS) }
