// The roster sync frames (core/roster-sync.ts), about one room's members:
//   ROSTER_OFFER {room, reply, [short id], from?, to?}
//                                           "these are the presence announcements I hold (of members
//                                            whose key is in [from, to): a part of a larger roster); send me what I lack"
//   ROSTER_DATA {room, [frame]}             "announcements you lack", as the signed FLOOD frames they travelled in
// Shaped like the history sync frames, with their own type, so the two
// never share an id budget and an older node never mistakes one for the other.
// The key range is a trailing field, sent only to a peer whose HELLO has the
// ROSTER_RANGES flag (an older node refuses trailing bytes); an offer without
// it covers every key, as before.
import c from 'compact-encoding'
import { FrameType, roomEnc, syncedFrameEnc } from './frames'
import { MAX_ROSTER_OFFER_IDS, MAX_SYNC_BATCH, SYNC_ID_BYTES } from './limits'
import { boundedArray, decodeWith, encodeFrame, fixedBytes, struct } from './codec'
import { MeshError } from './errors'
import { keyEnc } from './frames'

/**
 * `from` (inclusive) and `to` (exclusive) are member keys: the offer lists
 * what the sender holds of members whose key is in that range, either end
 * open when absent. Absent both: the whole roster.
 */
export interface RosterOffer { room: string; reply: boolean; ids: Buffer[]; from?: Buffer; to?: Buffer }
export interface RosterData { room: string; frames: Buffer[] }

const offerIds = boundedArray(fixedBytes(SYNC_ID_BYTES), MAX_ROSTER_OFFER_IDS, 'roster offer')
const RANGE_FROM = 1
const RANGE_TO = 2
const offerEnc = struct<RosterOffer>(
  (s, o, pass) => {
    roomEnc[pass](s, o.room); c.bool[pass](s, o.reply); offerIds[pass](s, o.ids)
    if (!o.from && !o.to) return
    c.uint[pass](s, (o.from ? RANGE_FROM : 0) | (o.to ? RANGE_TO : 0))
    if (o.from) keyEnc[pass](s, o.from)
    if (o.to) keyEnc[pass](s, o.to)
  },
  s => {
    const o: RosterOffer = { room: roomEnc.decode(s), reply: c.bool.decode(s), ids: offerIds.decode(s) }
    if (s.start === s.end) return o
    const bits = c.uint.decode(s)
    if (bits === 0 || (bits & ~(RANGE_FROM | RANGE_TO)) !== 0) throw MeshError.frameInvalid(`roster offer range flags ${bits}`)
    if (bits & RANGE_FROM) o.from = keyEnc.decode(s)
    if (bits & RANGE_TO) o.to = keyEnc.decode(s)
    return o
  }
)
const dataFrames = boundedArray(syncedFrameEnc, MAX_SYNC_BATCH, 'roster data')
const dataEnc = struct<RosterData>(
  (s, d, pass) => { roomEnc[pass](s, d.room); dataFrames[pass](s, d.frames) },
  s => ({ room: roomEnc.decode(s), frames: dataFrames.decode(s) })
)

const BODY = 1

/** Keeps the newest MAX_ROSTER_OFFER_IDS ids. */
export function encodeRosterOffer (o: RosterOffer): Buffer { return encodeFrame(FrameType.ROSTER_OFFER, offerEnc, { ...o, ids: o.ids.slice(-MAX_ROSTER_OFFER_IDS) }) }
export function decodeRosterOffer (frame: Uint8Array): RosterOffer { return decodeWith(frame, BODY, offerEnc) }
export function encodeRosterData (d: RosterData): Buffer { return encodeFrame(FrameType.ROSTER_DATA, dataEnc, d) }
export function decodeRosterData (frame: Uint8Array): RosterData { return decodeWith(frame, BODY, dataEnc) }
