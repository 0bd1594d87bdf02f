// A flooded message: [FLOOD][hops][signed body][signature].
// The body is signed by its author and the id is the hash of the body, so a
// relay cannot alter a message without changing its id. The hop counter is the
// one byte a relay rewrites, and it sits outside the signature.
import c from 'compact-encoding'
import { MeshError } from './errors'
import { FrameType, keyEnc, nickEnc, roomEnc } from './frames'
import { bytes, decodeWith, encodeAt, struct } from './codec'
import { hash, sign, verify, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, type KeyPair } from './crypto'
import { MAX_PAYLOAD_BYTES, MAX_TTL, MAX_MESSAGE_LIFETIME_MS } from './limits'
import { decodeGuestBatch, type GuestBatch } from './guest-batch'

export const MessageKind = {
  /** payload: UTF-8 text */
  CHAT: 0,
  /** posted by a gateway for an unsigned guest; payload: gateway nick, then UTF-8 text */
  GUEST_CHAT: 1,
  /** a member announcing itself to a room; payload: PresencePayload */
  PRESENCE: 2,
  /** end-to-end encrypted to one key; room ''; payload: PrivatePayload */
  PRIVATE: 3,
  /** the recipient's receipt for a private message; room ''; payload: AckPayload */
  ACK: 4,
  /** an action line (`/me waves`), kept and synced like CHAT; payload: UTF-8 text */
  ACTION: 5,
  /** several gateway guest lines signed once, kept and synced like CHAT; payload: GuestBatch (guest-batch.ts) */
  GUEST_BATCH: 6
} as const

export interface Envelope {
  kind: number
  author: Buffer
  room: string
  nick: string
  ts: number
  expires: number
  ttl: number
  payload: Buffer
}

export interface FloodMessage extends Envelope {
  id: Buffer
  hops: number
  signature: Buffer
  frame: Buffer
  /** A GUEST_BATCH's lines as decodeFlood read them (its shape check), so they are read once; unset elsewhere. */
  batch?: GuestBatch
}

/** Offset of the hop counter inside a FLOOD frame (after the type byte). */
export const HOPS_OFFSET = 1
/** Offset of the signed body: after the type byte and the hop counter. */
const BODY_OFFSET = HOPS_OFFSET + 1
const MIN_FLOOD_BYTES = BODY_OFFSET + PUBLIC_KEY_BYTES + SIGNATURE_BYTES

/** The signed body: every Envelope field, in this order. */
const envelopeEnc = struct<Envelope>(
  (s, e, pass) => {
    c.uint[pass](s, e.kind)
    keyEnc[pass](s, e.author)
    roomEnc[pass](s, e.room)
    nickEnc[pass](s, e.nick)
    c.uint[pass](s, e.ts)
    c.uint[pass](s, e.expires)
    c.uint[pass](s, e.ttl)
    bytes[pass](s, e.payload)
  },
  s => ({
    kind: c.uint.decode(s),
    author: keyEnc.decode(s),
    room: roomEnc.decode(s),
    nick: nickEnc.decode(s),
    ts: c.uint.decode(s),
    expires: c.uint.decode(s),
    ttl: c.uint.decode(s),
    payload: bytes.decode(s)
  })
)

/** Builds and signs a FLOOD frame with the given hop count. */
export function encodeFlood (e: Envelope, keyPair: KeyPair, hops: number): FloodMessage {
  if (e.payload.byteLength > MAX_PAYLOAD_BYTES) throw new MeshError('TEXT_TOO_LONG', `payload of ${e.payload.byteLength} bytes is over the ${MAX_PAYLOAD_BYTES} byte limit`)
  if (e.ttl < 1 || e.ttl > MAX_TTL) throw new MeshError('BAD_OPTION', `ttl ${e.ttl} is outside 1-${MAX_TTL}`)
  const { buf: frame, end: bodyEnd } = encodeAt(envelopeEnc, e, BODY_OFFSET, SIGNATURE_BYTES)
  frame[0] = FrameType.FLOOD
  frame[HOPS_OFFSET] = hops
  const signed = frame.subarray(BODY_OFFSET, bodyEnd)
  const signature = sign(signed, keyPair.secretKey)
  signature.copy(frame, bodyEnd)
  return floodMessage(e, hash(signed), hops, signature, frame)
}

/** The message id of a FLOOD frame, computed without decoding it. */
export function floodId (frame: Uint8Array): Buffer {
  if (frame.byteLength < MIN_FLOOD_BYTES) throw new MeshError('FRAME_TRUNCATED', 'flood frame is too short')
  return hash(frame.subarray(BODY_OFFSET, frame.byteLength - SIGNATURE_BYTES))
}

/** Decodes a FLOOD frame; checks structure and limits, not the signature. */
export function decodeFlood (frame: Buffer, id = floodId(frame)): FloodMessage {
  const bodyEnd = frame.byteLength - SIGNATURE_BYTES
  const view = frame.subarray(0, bodyEnd)
  const e = decodeWith(view, BODY_OFFSET, envelopeEnc)
  if (e.payload.byteLength > MAX_PAYLOAD_BYTES) throw MeshError.frameInvalid(`payload over ${MAX_PAYLOAD_BYTES} bytes`)
  if (e.ttl < 1 || e.ttl > MAX_TTL) throw MeshError.frameInvalid(`ttl ${e.ttl} out of range`)
  if (e.expires < e.ts || e.expires - e.ts > MAX_MESSAGE_LIFETIME_MS) throw MeshError.frameInvalid('expiry out of range')
  // A batch's shape is checked here, before its signature and before it is forwarded: a malformed one goes no further than the first link.
  const batch = e.kind === MessageKind.GUEST_BATCH ? decodeGuestBatch(e.payload) : undefined
  return floodMessage(e, id, frame[HOPS_OFFSET], frame.subarray(bodyEnd), frame, batch)
}

// Written out field by field: an object spread with added fields takes V8's
// slow path (about 8 us a message here, as much as decoding it), and every
// frame a hostile link sends is decoded before it can be refused.
function floodMessage (e: Envelope, id: Buffer, hops: number, signature: Buffer, frame: Buffer, batch?: GuestBatch): FloodMessage {
  const m: FloodMessage = { kind: e.kind, author: e.author, room: e.room, nick: e.nick, ts: e.ts, expires: e.expires, ttl: e.ttl, payload: e.payload, id, hops, signature, frame }
  // Only a guest batch has one: every other message keeps the envelope's fields and no more.
  if (batch) m.batch = batch
  return m
}

export function verifyFlood (m: FloodMessage): boolean {
  const signed = m.frame.subarray(BODY_OFFSET, m.frame.byteLength - SIGNATURE_BYTES)
  return verify(m.signature, signed, m.author)
}

/**
 * A copy of the frame with the hop counter set, for forwarding. In a buffer
 * of its own, not Node's pool: lazy push keeps it for a minute to answer
 * GRAFTs, and a pooled copy kept an 8 KB slab alive with it.
 */
export function withHops (frame: Buffer, hops: number): Buffer {
  const out = Buffer.allocUnsafeSlow(frame.byteLength)
  frame.copy(out)
  out[HOPS_OFFSET] = hops
  return out
}
