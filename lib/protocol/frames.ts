// The wire format: one frame per link message, first byte = frame type.
// Each frame body is one compact-encoding Encoder (built from codec.ts's
// parts); every decoder checks limits and throws a coded MeshError on anything
// malformed, never anything else.
import c from 'compact-encoding'
import { MeshError } from './errors'
import {
  MAX_FRAME_BYTES, MAX_NICK_BYTES, MAX_ROOM_BYTES, MAX_ADDRESS_BYTES,
  MAX_HELLO_ROOMS, MAX_PEX_ENTRIES, MAX_ROOM_PEER_ENTRIES, MAX_SYNC_OFFER_IDS, MAX_SYNC_BATCH, SYNC_ID_BYTES
} from './limits'
import { PUBLIC_KEY_BYTES } from './crypto'
import { boundedArray, bytes, checkedString, decodeWith, encodeFrame, fixedBytes, struct, type Encoder } from './codec'

export const FrameType = {
  HELLO: 1,
  FLOOD: 2,
  PEX: 3,
  PING: 4,
  SYNC_OFFER: 5,
  SYNC_DATA: 7,
  ROOMS: 8,
  ROOM_PEERS: 9,
  /** Lazy push (core/lazy-push.ts): ids this node holds, GRAFT asks for them, PRUNE stops eager copies, EAGER starts them. */
  IHAVE: 10,
  GRAFT: 11,
  PRUNE: 12,
  EAGER: 13,
  /** Roster sync (core/roster-sync.ts): the short ids of the presence announcements a node holds for a room, and those the other side lacks. */
  ROSTER_OFFER: 14,
  ROSTER_DATA: 15
} as const

export interface Hello {
  version: number
  nick: string
  listen: string
  rooms: string[]
  /** bit 0: my address may be shared by peer exchange; bit 1: anchor; bit 2: speaks lazy push (IHAVE, GRAFT, PRUNE); bit 3: speaks roster sync (ROSTER_OFFER, ROSTER_DATA); bit 4: takes a roster offer in parts by key range */
  flags: number
}
export const HelloFlag = { SHAREABLE: 1, ANCHOR: 2, LAZY_PUSH: 4, ROSTER_SYNC: 8, ROSTER_RANGES: 16 } as const

export interface PexEntry { key: Buffer; address: string }
/** A member of `room` (key) that listens at `address`: a hint from a neighbour not in the room (see core/member-links.ts). */
export interface RoomPeerEntry { room: string; key: Buffer; address: string }

export const nickEnc = checkedString(MAX_NICK_BYTES, 'nick')
export const roomEnc = checkedString(MAX_ROOM_BYTES, 'room')
const addressEnc = checkedString(MAX_ADDRESS_BYTES, 'address')
/** An ed25519 public key: a peer's identity, a message's author. */
export const keyEnc = fixedBytes(PUBLIC_KEY_BYTES)

const roomsEnc = boundedArray(roomEnc, MAX_HELLO_ROOMS, 'hello rooms')
const pexEntryEnc = struct<PexEntry>(
  (s, e, pass) => { keyEnc[pass](s, e.key); addressEnc[pass](s, e.address) },
  s => ({ key: keyEnc.decode(s), address: addressEnc.decode(s) })
)
const pexEnc = boundedArray(pexEntryEnc, MAX_PEX_ENTRIES, 'peer exchange')
const roomPeerEntryEnc = struct<RoomPeerEntry>(
  (s, e, pass) => { roomEnc[pass](s, e.room); keyEnc[pass](s, e.key); addressEnc[pass](s, e.address) },
  s => ({ room: roomEnc.decode(s), key: keyEnc.decode(s), address: addressEnc.decode(s) })
)
const roomPeersEnc = boundedArray(roomPeerEntryEnc, MAX_ROOM_PEER_ENTRIES, 'room peers')

const helloEnc = struct<Hello>(
  (s, h, pass) => {
    c.uint[pass](s, h.version)
    nickEnc[pass](s, h.nick)
    addressEnc[pass](s, h.listen)
    roomsEnc[pass](s, h.rooms)
    c.uint[pass](s, h.flags)
  },
  s => ({ version: c.uint.decode(s), nick: nickEnc.decode(s), listen: addressEnc.decode(s), rooms: roomsEnc.decode(s), flags: c.uint.decode(s) })
)

export function frameType (frame: Uint8Array): number {
  if (frame.byteLength === 0) throw MeshError.frameInvalid('empty frame')
  if (frame.byteLength > MAX_FRAME_BYTES) throw MeshError.frameTooLarge(frame.byteLength, MAX_FRAME_BYTES)
  return frame[0]
}

/** The offset of a frame's body: after the type byte. */
const BODY = 1

export function encodeHello (h: Hello): Buffer {
  return encodeFrame(FrameType.HELLO, helloEnc, h)
}

/** Decodes only the version, so a peer of another version can be told apart from garbage. */
export function decodeHelloVersion (frame: Uint8Array): number {
  return decodeWith(frame, BODY, c.uint, true)
}

export function decodeHello (frame: Uint8Array): Hello {
  // Trailing bytes are allowed so later versions can append fields.
  return decodeWith(frame, BODY, helloEnc, true)
}

export function encodePex (entries: PexEntry[]): Buffer {
  return encodeFrame(FrameType.PEX, pexEnc, entries.slice(0, MAX_PEX_ENTRIES))
}

export function decodePex (frame: Uint8Array): PexEntry[] {
  return decodeWith(frame, BODY, pexEnc)
}

/** Members of rooms the receiver is in, told by a neighbour that is not (at most MAX_ROOM_PEER_ENTRIES). */
export function encodeRoomPeers (entries: RoomPeerEntry[]): Buffer {
  return encodeFrame(FrameType.ROOM_PEERS, roomPeersEnc, entries.slice(0, MAX_ROOM_PEER_ENTRIES))
}

export function decodeRoomPeers (frame: Uint8Array): RoomPeerEntry[] {
  return decodeWith(frame, BODY, roomPeersEnc)
}

export const PING_FRAME = Buffer.from([FrameType.PING])

/** The sender's rooms changed (after /join or /leave). */
export function encodeRooms (rooms: string[]): Buffer {
  return encodeFrame(FrameType.ROOMS, roomsEnc, rooms.slice(0, MAX_HELLO_ROOMS))
}

export function decodeRooms (frame: Uint8Array): string[] {
  return decodeWith(frame, BODY, roomsEnc)
}

/** "Here is what I hold for this room"; `reply` asks the receiver to answer with its own offer. */
export interface SyncOffer { room: string; reply: boolean; ids: Buffer[] }
/** Messages the receiver lacks, as the signed FLOOD frames they travelled in. */
export interface SyncData { room: string; frames: Buffer[] }

const offerIdsEnc = boundedArray(fixedBytes(SYNC_ID_BYTES), MAX_SYNC_OFFER_IDS, 'sync offer')
const syncOfferEnc = struct<SyncOffer>(
  (s, o, pass) => { roomEnc[pass](s, o.room); c.bool[pass](s, o.reply); offerIdsEnc[pass](s, o.ids) },
  s => ({ room: roomEnc.decode(s), reply: c.bool.decode(s), ids: offerIdsEnc.decode(s) })
)
/** One message of a sync data frame: length-prefixed, never empty. */
export const syncedFrameEnc: Encoder<Buffer> = {
  preencode: bytes.preencode,
  encode: bytes.encode,
  decode (s) {
    const b = bytes.decode(s)
    if (b.byteLength === 0) throw MeshError.frameInvalid('empty message in sync data')
    return b
  }
}
const dataFramesEnc = boundedArray(syncedFrameEnc, MAX_SYNC_BATCH, 'sync data')
const syncDataEnc = struct<SyncData>(
  (s, d, pass) => { roomEnc[pass](s, d.room); dataFramesEnc[pass](s, d.frames) },
  s => ({ room: roomEnc.decode(s), frames: dataFramesEnc.decode(s) })
)

/** Keeps the newest MAX_SYNC_OFFER_IDS ids. */
export function encodeSyncOffer (o: SyncOffer): Buffer {
  return encodeFrame(FrameType.SYNC_OFFER, syncOfferEnc, { ...o, ids: o.ids.slice(-MAX_SYNC_OFFER_IDS) })
}

export function decodeSyncOffer (frame: Uint8Array): SyncOffer {
  return decodeWith(frame, BODY, syncOfferEnc)
}

export function encodeSyncData (d: SyncData): Buffer {
  return encodeFrame(FrameType.SYNC_DATA, syncDataEnc, d)
}

export function decodeSyncData (frame: Uint8Array): SyncData {
  return decodeWith(frame, BODY, syncDataEnc)
}
