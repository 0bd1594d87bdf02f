// The wire format: one frame per link message, first byte = frame type.
// Codecs are compact-encoding; every decoder checks limits and throws a coded
// MeshError on anything malformed, never anything else.
import c from 'compact-encoding'
import { MeshError } from './errors'
import {
  MAX_FRAME_BYTES, MAX_NICK_BYTES, MAX_ROOM_BYTES, MAX_ADDRESS_BYTES,
  MAX_HELLO_ROOMS, MAX_PEX_ENTRIES, MAX_PAYLOAD_BYTES, MAX_SYNC_OFFER_IDS, MAX_SYNC_BATCH, SYNC_ID_BYTES
} from './limits'
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './crypto'

export const FrameType = {
  HELLO: 1,
  FLOOD: 2,
  PEX: 3,
  PING: 4,
  SYNC_OFFER: 5,
  SYNC_DATA: 7,
  ROOMS: 8
} as const

export interface Hello {
  version: number
  nick: string
  listen: string
  rooms: string[]
  /** bit 0: my address may be shared by peer exchange; bit 1: anchor */
  flags: number
}
export const HelloFlag = { SHAREABLE: 1, ANCHOR: 2 } as const

export interface PexEntry { key: Buffer; address: string }

type State = { start: number; end: number; buffer: Uint8Array | null }

function checkedString (max: number, what: string) {
  return {
    preencode (state: State, s: string) { c.string.preencode(state as any, s) },
    encode (state: State, s: string) { c.string.encode(state as any, s) },
    decode (state: State): string {
      const s = c.string.decode(state as any)
      if (Buffer.byteLength(s) > max) throw MeshError.frameInvalid(`${what} longer than ${max} bytes`)
      return s
    }
  }
}
export const nickEnc = checkedString(MAX_NICK_BYTES, 'nick')
export const roomEnc = checkedString(MAX_ROOM_BYTES, 'room')
const addressEnc = checkedString(MAX_ADDRESS_BYTES, 'address')

function boundedArray<T> (enc: { preencode: Function; encode: Function; decode: (s: State) => T }, max: number, what: string) {
  return {
    preencode (state: State, arr: T[]) {
      c.uint.preencode(state as any, arr.length)
      for (const x of arr) enc.preencode(state, x)
    },
    encode (state: State, arr: T[]) {
      c.uint.encode(state as any, arr.length)
      for (const x of arr) enc.encode(state, x)
    },
    decode (state: State): T[] {
      const n = c.uint.decode(state as any)
      if (n > max) throw MeshError.frameInvalid(`${what} lists ${n} entries, over the limit of ${max}`)
      const out: T[] = []
      for (let i = 0; i < n; i++) out.push(enc.decode(state))
      return out
    }
  }
}

const pexEntryEnc = {
  preencode (state: State, e: PexEntry) { c.fixed32.preencode(state as any, e.key); addressEnc.preencode(state, e.address) },
  encode (state: State, e: PexEntry) { c.fixed32.encode(state as any, e.key); addressEnc.encode(state, e.address) },
  decode (state: State): PexEntry { return { key: Buffer.from(c.fixed32.decode(state as any)), address: addressEnc.decode(state) } }
}
const roomsEnc = boundedArray(roomEnc, MAX_HELLO_ROOMS, 'hello rooms')
const pexEnc = boundedArray(pexEntryEnc, MAX_PEX_ENTRIES, 'peer exchange')

/** Encodes a frame: the type byte followed by fields written by `write`. */
function build (type: number, pre: (s: State) => void, write: (s: State) => void): Buffer {
  const state: State = { start: 0, end: 1, buffer: null }
  pre(state)
  const buf = Buffer.allocUnsafe(state.end)
  buf[0] = type
  state.buffer = buf
  state.start = 1
  write(state)
  return buf
}

/** Runs a decoder over a frame body, turning every failure into a coded error. */
export function decodeWith<T> (frame: Uint8Array, start: number, fn: (s: State) => T, allowTrailing = false): T {
  const state: State = { start, end: frame.byteLength, buffer: frame }
  let value: T
  try {
    value = fn(state)
  } catch (err) {
    if (err instanceof MeshError) throw err
    throw new MeshError('FRAME_TRUNCATED', 'frame ended early or has a malformed field')
  }
  if (!allowTrailing && state.start !== state.end) throw MeshError.frameInvalid(`${state.end - state.start} trailing bytes`)
  return value
}

export function frameType (frame: Uint8Array): number {
  if (frame.byteLength === 0) throw MeshError.frameInvalid('empty frame')
  if (frame.byteLength > MAX_FRAME_BYTES) throw MeshError.frameTooLarge(frame.byteLength, MAX_FRAME_BYTES)
  return frame[0]
}

export function encodeHello (h: Hello): Buffer {
  const fields = (s: State, enc: 'preencode' | 'encode') => {
    c.uint[enc](s as any, h.version)
    nickEnc[enc](s, h.nick)
    addressEnc[enc](s, h.listen)
    roomsEnc[enc](s, h.rooms)
    c.uint[enc](s as any, h.flags)
  }
  return build(FrameType.HELLO, s => fields(s, 'preencode'), s => fields(s, 'encode'))
}

/** Decodes only the version, so a peer of another version can be told apart from garbage. */
export function decodeHelloVersion (frame: Uint8Array): number {
  return decodeWith(frame, 1, s => c.uint.decode(s as any), true)
}

export function decodeHello (frame: Uint8Array): Hello {
  // Trailing bytes are allowed so later versions can append fields.
  return decodeWith(frame, 1, s => ({
    version: c.uint.decode(s as any),
    nick: nickEnc.decode(s),
    listen: addressEnc.decode(s),
    rooms: roomsEnc.decode(s),
    flags: c.uint.decode(s as any)
  }), true)
}

export function encodePex (entries: PexEntry[]): Buffer {
  const list = entries.slice(0, MAX_PEX_ENTRIES)
  return build(FrameType.PEX, s => pexEnc.preencode(s, list), s => pexEnc.encode(s, list))
}

export function decodePex (frame: Uint8Array): PexEntry[] {
  return decodeWith(frame, 1, s => pexEnc.decode(s))
}

export const PING_FRAME = Buffer.from([FrameType.PING])

/** The sender's rooms changed (after /join or /leave). */
export function encodeRooms (rooms: string[]): Buffer {
  const list = rooms.slice(0, MAX_HELLO_ROOMS)
  return build(FrameType.ROOMS, s => roomsEnc.preencode(s, list), s => roomsEnc.encode(s, list))
}

export function decodeRooms (frame: Uint8Array): string[] {
  return decodeWith(frame, 1, s => roomsEnc.decode(s))
}

/** "Here is what I hold for this room"; `reply` asks the receiver to answer with its own offer. */
export interface SyncOffer { room: string; reply: boolean; ids: Buffer[] }
/** Messages the receiver lacks, as the signed FLOOD frames they travelled in. */
export interface SyncData { room: string; frames: Buffer[] }

const shortIdEnc = {
  preencode (state: State, b: Buffer) { c.fixed(SYNC_ID_BYTES).preencode(state as any, b) },
  encode (state: State, b: Buffer) { c.fixed(SYNC_ID_BYTES).encode(state as any, b) },
  decode (state: State): Buffer { return Buffer.from(c.fixed(SYNC_ID_BYTES).decode(state as any)) }
}
const frameBufEnc = {
  preencode (state: State, b: Buffer) { c.buffer.preencode(state as any, b) },
  encode (state: State, b: Buffer) { c.buffer.encode(state as any, b) },
  decode (state: State): Buffer {
    const b = c.buffer.decode(state as any)
    if (!b || b.byteLength === 0) throw MeshError.frameInvalid('empty message in sync data')
    return Buffer.from(b)
  }
}
const offerIdsEnc = boundedArray(shortIdEnc, MAX_SYNC_OFFER_IDS, 'sync offer')
const dataFramesEnc = boundedArray(frameBufEnc, MAX_SYNC_BATCH, 'sync data')

export function encodeSyncOffer (o: SyncOffer): Buffer {
  const ids = o.ids.slice(-MAX_SYNC_OFFER_IDS)
  const fields = (s: State, op: 'preencode' | 'encode') => { roomEnc[op](s, o.room); c.bool[op](s as any, o.reply); offerIdsEnc[op](s, ids) }
  return build(FrameType.SYNC_OFFER, s => fields(s, 'preencode'), s => fields(s, 'encode'))
}

export function decodeSyncOffer (frame: Uint8Array): SyncOffer {
  return decodeWith(frame, 1, s => ({ room: roomEnc.decode(s), reply: c.bool.decode(s as any), ids: offerIdsEnc.decode(s) }))
}

export function encodeSyncData (d: SyncData): Buffer {
  const fields = (s: State, op: 'preencode' | 'encode') => { roomEnc[op](s, d.room); dataFramesEnc[op](s, d.frames) }
  return build(FrameType.SYNC_DATA, s => fields(s, 'preencode'), s => fields(s, 'encode'))
}

export function decodeSyncData (frame: Uint8Array): SyncData {
  return decodeWith(frame, 1, s => ({ room: roomEnc.decode(s), frames: dataFramesEnc.decode(s) }))
}

export { c, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, MAX_PAYLOAD_BYTES }
