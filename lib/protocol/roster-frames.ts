// The roster sync frames (core/roster-sync.ts), about one room's members:
//   ROSTER_OFFER {room, reply, [short id]}  "these are the presence announcements I hold; send me what I lack"
//   ROSTER_DATA {room, [frame]}             "announcements you lack", as the signed FLOOD frames they travelled in
// Shaped like the history sync frames, with their own type, so the two
// never share an id budget and an older node never mistakes one for the other.
import c from 'compact-encoding'
import { FrameType, roomEnc, syncedFrameEnc } from './frames'
import { MAX_ROSTER_OFFER_IDS, MAX_SYNC_BATCH, SYNC_ID_BYTES } from './limits'
import { boundedArray, decodeWith, encodeFrame, fixedBytes, struct } from './codec'

export interface RosterOffer { room: string; reply: boolean; ids: Buffer[] }
export interface RosterData { room: string; frames: Buffer[] }

const offerIds = boundedArray(fixedBytes(SYNC_ID_BYTES), MAX_ROSTER_OFFER_IDS, 'roster offer')
const offerEnc = struct<RosterOffer>(
  (s, o, pass) => { roomEnc[pass](s, o.room); c.bool[pass](s, o.reply); offerIds[pass](s, o.ids) },
  s => ({ room: roomEnc.decode(s), reply: c.bool.decode(s), ids: offerIds.decode(s) })
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
