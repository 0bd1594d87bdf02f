// Payloads of the flooded message kinds other than plain chat text.
import c from 'compact-encoding'
import { MeshError } from './errors'
import { MAX_ADDRESS_BYTES, MAX_LEAVE_MESSAGE_BYTES } from './limits'
import { ID_BYTES, PUBLIC_KEY_BYTES } from './crypto'
import { PRIVATE_NONCE_BYTES } from './private-box'
import { keyEnc, nickEnc } from './frames'
import { bytes, checkedString, decodeWith, encodeBuffer, fixedBytes, struct } from './codec'

/**
 * HERE and LEAVING speak for the signer. GUEST_HERE and GUEST_LEAVING speak for
 * `guest`, a text-gateway client of the signer (older nodes read them as HERE:
 * the gateway itself is present). LOST says the signer's link to `subject`
 * closed without a leave (older nodes read it as HERE of the signer).
 */
export const PresenceState = { HERE: 0, LEAVING: 1, GUEST_HERE: 2, GUEST_LEAVING: 3, LOST: 4 } as const
/** Why a member left: NONE for an older node that did not say. */
export const LeaveReason = { NONE: 0, PART: 1, QUIT: 2 } as const
/**
 * `reason`, `message`, `guest` and `old` (a guest's previous name, on a
 * rename) travel after `listen` only when one is set, then `interval` (the
 * sender's current announcement interval in ms, so receivers know when to
 * expire it) and `subject` (the member's key, on a LOST only, where it is
 * required) only when set; older nodes ignore the extension.
 */
export interface PresencePayload { state: number; listen: string; reason?: number; message?: string; guest?: string; old?: string; interval?: number; subject?: Buffer }
/** `box` is private-box.ts's authenticated box of a PrivateInner, `nonce` its crypto_box nonce. */
export interface PrivatePayload { to: Buffer; nonce: Buffer; box: Buffer }
/** `of`: the ids acknowledged, 1 to MAX_ACK_IDS (more than one only when acks waited for the send budget). */
export interface AckPayload { to: Buffer; of: Buffer[] }

/** Bytes of a private payload in front of its box: the recipient's key and the nonce. */
export const PRIVATE_HEAD_BYTES = PUBLIC_KEY_BYTES + PRIVATE_NONCE_BYTES
/**
 * Ids one ack may carry. Acks that wait for the send budget (a burst of
 * private messages from one sender) go out together, so acknowledging a
 * flood costs one signed message per this many; nodes before 2026-11-29
 * read only one-id acks.
 */
export const MAX_ACK_IDS = 32

const listenEnc = checkedString(MAX_ADDRESS_BYTES, 'presence address')
const leaveMessageEnc = checkedString(MAX_LEAVE_MESSAGE_BYTES, 'leave message')
const hasTail = (p: PresencePayload): boolean => !!(p.interval || p.subject)
const hasExtension = (p: PresencePayload): boolean => !!(p.reason || p.message || p.guest || p.old) || hasTail(p)
const presenceEnc = struct<PresencePayload>(
  (s, p, pass) => {
    c.uint[pass](s, p.state)
    listenEnc[pass](s, p.listen)
    if (!hasExtension(p)) return
    c.uint[pass](s, p.reason ?? LeaveReason.NONE)
    leaveMessageEnc[pass](s, p.message ?? '')
    nickEnc[pass](s, p.guest ?? '')
    nickEnc[pass](s, p.old ?? '')
    if (!hasTail(p)) return
    c.uint[pass](s, p.interval ?? 0)
    if (p.subject && p.state === PresenceState.LOST) keyEnc[pass](s, p.subject)
  },
  s => {
    const p: PresencePayload = { state: c.uint.decode(s), listen: listenEnc.decode(s) }
    if (s.start === s.end) return p
    const reason = c.uint.decode(s)
    const message = leaveMessageEnc.decode(s)
    const guest = nickEnc.decode(s)
    const old = nickEnc.decode(s)
    if (reason) p.reason = reason
    if (message) p.message = message
    if (guest) p.guest = guest
    if (old) p.old = old
    if (s.start === s.end) return p
    const interval = c.uint.decode(s)
    if (interval) p.interval = interval
    // Only a LOST has a subject: after the interval, any other state ignores what a later version adds.
    if (p.state === PresenceState.LOST) p.subject = keyEnc.decode(s)
    return p
  }
)

const nonceEnc = fixedBytes(PRIVATE_NONCE_BYTES)
/** [to][nonce][box: compact-encoding buffer] */
const privateEnc = struct<PrivatePayload>(
  (s, p, pass) => { keyEnc[pass](s, p.to); nonceEnc[pass](s, p.nonce); bytes[pass](s, p.box) },
  s => ({ to: keyEnc.decode(s), nonce: nonceEnc.decode(s), box: bytes.decode(s) })
)

function decodeOrThrow<T> (what: string, fn: () => T): T {
  try { return fn() } catch { throw MeshError.frameInvalid(`malformed ${what} payload`) }
}

/** Throws FRAME_INVALID when the leave message is over MAX_LEAVE_MESSAGE_BYTES (callers cut it first: see cutLeaveMessage). */
export function encodePresence (p: PresencePayload): Buffer {
  if (p.subject && p.subject.byteLength !== PUBLIC_KEY_BYTES) throw MeshError.frameInvalid(`presence subject of ${p.subject.byteLength} bytes, expected ${PUBLIC_KEY_BYTES}`)
  if (p.message && Buffer.byteLength(p.message) > MAX_LEAVE_MESSAGE_BYTES) throw MeshError.frameInvalid(`leave message longer than ${MAX_LEAVE_MESSAGE_BYTES} bytes`)
  return encodeBuffer(presenceEnc, p)
}

/** Throws FRAME_INVALID on a malformed payload; bytes after the fields are ignored. */
export function decodePresence (b: Buffer): PresencePayload {
  return decodeOrThrow('presence', () => decodeWith(b, 0, presenceEnc, true))
}

/** The box is made by private-box.ts. Throws PRIVATE_INVALID on a key or nonce of the wrong length. */
export function encodePrivate (p: PrivatePayload): Buffer {
  if (p.to.byteLength !== PUBLIC_KEY_BYTES || p.nonce.byteLength !== PRIVATE_NONCE_BYTES) throw new MeshError('PRIVATE_INVALID', 'private payload key or nonce has the wrong length')
  return encodeBuffer(privateEnc, p)
}

/** Throws PRIVATE_INVALID on a short, long or malformed payload. */
export function decodePrivate (b: Buffer): PrivatePayload {
  if (b.byteLength < PRIVATE_HEAD_BYTES + 1) throw new MeshError('PRIVATE_INVALID', `private payload of ${b.byteLength} bytes is too short`)
  const s = c.state(0, b.byteLength, b)
  let p: PrivatePayload
  try { p = privateEnc.decode(s) } catch { throw new MeshError('PRIVATE_INVALID', 'private payload box is truncated') }
  if (p.box.byteLength === 0) throw new MeshError('PRIVATE_INVALID', 'private payload has no box')
  if (s.start !== s.end) throw new MeshError('PRIVATE_INVALID', `private payload has ${s.end - s.start} trailing bytes`)
  return p
}

/** [to][of...]: the recipient's key, then the ids acknowledged. Counts are not checked here; decodeAck refuses any but 1 to MAX_ACK_IDS. */
export function encodeAck (a: AckPayload): Buffer {
  return Buffer.concat([a.to, ...a.of])
}

/** Throws PRIVATE_INVALID unless the payload is the recipient's key and 1 to MAX_ACK_IDS whole ids. */
export function decodeAck (b: Buffer): AckPayload {
  const ids = (b.byteLength - PUBLIC_KEY_BYTES) / ID_BYTES
  if (!Number.isInteger(ids) || ids < 1 || ids > MAX_ACK_IDS) {
    throw new MeshError('PRIVATE_INVALID', `ack payload of ${b.byteLength} bytes, expected ${PUBLIC_KEY_BYTES} + ${ID_BYTES} per id (1 to ${MAX_ACK_IDS} ids)`)
  }
  const of: Buffer[] = []
  for (let i = 0; i < ids; i++) of.push(Buffer.from(b.subarray(PUBLIC_KEY_BYTES + i * ID_BYTES, PUBLIC_KEY_BYTES + (i + 1) * ID_BYTES)))
  return { to: Buffer.from(b.subarray(0, PUBLIC_KEY_BYTES)), of }
}

/** A leave message trimmed and cut to at most MAX_LEAVE_MESSAGE_BYTES at a character boundary ('' for none). */
export function cutLeaveMessage (message: string | undefined): string {
  const m = (message ?? '').trim()
  if (Buffer.byteLength(m) <= MAX_LEAVE_MESSAGE_BYTES) return m
  let out = ''
  let bytes = 0
  for (const ch of m) {
    bytes += Buffer.byteLength(ch)
    if (bytes > MAX_LEAVE_MESSAGE_BYTES) break
    out += ch
  }
  return out
}
