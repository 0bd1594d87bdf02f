// Turns a flooded message into the ChatMessages front ends see. A guest
// payload is the gateway's nick (a compact-encoding string), then the text; a
// guest batch (protocol/guest-batch.ts) becomes one ChatMessage per line, in
// order, each under its guest's nick with an id of its own (batch id, '.', index).
import c from 'compact-encoding'
import type { FloodMessage } from '../protocol/envelope'
import { MessageKind } from '../protocol/envelope'
import { decodeGuestBatch, type GuestBatch, type GuestLine } from '../protocol/guest-batch'
import { validateNick } from './names'
import type { ChatMessage } from './types'
import { MeshError } from '../protocol/errors'
import { MAX_TEXT_BYTES } from '../protocol/limits'

export function encodeGuestPayload (gatewayNick: string, text: Buffer): Buffer {
  return Buffer.concat([c.encode(c.string, gatewayNick), text])
}

function decodeGuestPayload (payload: Buffer): { via: string; text: string } {
  const state = c.state(0, payload.byteLength, payload)
  try {
    const via = c.string.decode(state)
    return { via, text: payload.subarray(state.start).toString('utf8') }
  } catch {
    return { via: '?', text: payload.toString('utf8') }
  }
}

export function toChatMessage (m: FloodMessage, self: boolean): ChatMessage {
  // Field by field, not `{ ...base, text }`: a spread with added fields takes V8's slow path (see ARCHITECTURE, Peer score).
  const out: ChatMessage = { id: m.id.toString('hex'), room: m.room, from: m.author.toString('hex'), nick: m.nick, text: '', ts: m.ts, hops: m.hops, self }
  if (m.kind === MessageKind.GUEST_CHAT) {
    const { via, text } = decodeGuestPayload(m.payload)
    out.text = text
    out.via = via
    return out
  }
  out.text = m.payload.toString('utf8')
  if (m.kind === MessageKind.ACTION) out.action = true
  return out
}

/** The lines of a GUEST_BATCH message, in order (`b`: its payload, when the caller has it). Throws GUEST_BATCH_INVALID (decodeFlood has checked the shape already). */
export function batchMessages (m: FloodMessage, self: boolean, b: GuestBatch = decodeGuestBatch(m.payload)): ChatMessage[] {
  const id = m.id.toString('hex')
  const from = m.author.toString('hex')
  const out: ChatMessage[] = []
  for (let i = 0; i < b.lines.length; i++) {
    const l = b.lines[i]
    out.push({ id: `${id}.${i}`, room: m.room, from, nick: l.guest, text: l.text, ts: m.ts, hops: m.hops, self, via: b.via })
  }
  return out
}

/** Guest lines as a node signs them: each text within the limits, each guest name valid (TEXT_TOO_LONG, TEXT_EMPTY, BAD_NICK). */
export function checkGuestLines (lines: GuestLine[]): GuestLine[] {
  return lines.map(l => { checkText(l.text, false); return { guest: validateNick(l.guest), text: l.text } })
}

/** The text's UTF-8 bytes (only measured when `encode` is false). */
export function checkText (text: string, encode = true): Buffer {
  const size = Buffer.byteLength(text, 'utf8')
  if (size > MAX_TEXT_BYTES) throw MeshError.textTooLong(size, MAX_TEXT_BYTES)
  if (text.trim().length === 0) throw new MeshError('TEXT_EMPTY', 'message is empty; nothing was sent')
  return encode ? Buffer.from(text, 'utf8') : EMPTY
}
const EMPTY = Buffer.alloc(0)
