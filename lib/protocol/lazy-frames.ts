// The lazy push frames (core/lazy-push.ts), all about one room's tree:
//   IHAVE {room, [short id, hops]}  "I hold these; a copy from me would come with this hop count"
//   GRAFT {room, [short id]}        "send me these, and their authors' messages whole from now on"
//   PRUNE {room, author}            "I got a duplicate from you: send me only ids of this author's messages from now on"
//   EAGER {room, author}            "you are my shorter way to this author: send me its messages whole from now on"
// Short ids are the first SYNC_ID_BYTES of a message id, as in sync offers.
import c from 'compact-encoding'
import { FrameType, keyEnc, roomEnc } from './frames'
import { MAX_GRAFT_IDS, MAX_IHAVE_IDS, SYNC_ID_BYTES } from './limits'
import { boundedArray, decodeWith, encodeFrame, fixedBytes, struct } from './codec'

export interface IHaveEntry { id: Buffer; hops: number }
export interface IHave { room: string; entries: IHaveEntry[] }
export interface Graft { room: string; ids: Buffer[] }
export interface Prune { room: string; root: Buffer }

const shortId = fixedBytes(SYNC_ID_BYTES)
const entryEnc = struct<IHaveEntry>(
  (s, e, pass) => { shortId[pass](s, e.id); c.uint[pass](s, e.hops) },
  s => ({ id: shortId.decode(s), hops: c.uint.decode(s) })
)
const ihaveEntries = boundedArray(entryEnc, MAX_IHAVE_IDS, 'ihave')
const ihaveEnc = struct<IHave>(
  (s, v, pass) => { roomEnc[pass](s, v.room); ihaveEntries[pass](s, v.entries) },
  s => ({ room: roomEnc.decode(s), entries: ihaveEntries.decode(s) })
)
const graftIds = boundedArray(shortId, MAX_GRAFT_IDS, 'graft')
const graftEnc = struct<Graft>(
  (s, v, pass) => { roomEnc[pass](s, v.room); graftIds[pass](s, v.ids) },
  s => ({ room: roomEnc.decode(s), ids: graftIds.decode(s) })
)

const pruneEnc = struct<Prune>(
  (s, v, pass) => { roomEnc[pass](s, v.room); keyEnc[pass](s, v.root) },
  s => ({ room: roomEnc.decode(s), root: keyEnc.decode(s) })
)

const BODY = 1

export function encodeIHave (v: IHave): Buffer { return encodeFrame(FrameType.IHAVE, ihaveEnc, v) }
export function decodeIHave (frame: Uint8Array): IHave { return decodeWith(frame, BODY, ihaveEnc) }
export function encodeGraft (v: Graft): Buffer { return encodeFrame(FrameType.GRAFT, graftEnc, v) }
export function decodeGraft (frame: Uint8Array): Graft { return decodeWith(frame, BODY, graftEnc) }
export function encodePrune (v: Prune): Buffer { return encodeFrame(FrameType.PRUNE, pruneEnc, v) }
export function decodePrune (frame: Uint8Array): Prune { return decodeWith(frame, BODY, pruneEnc) }
export function encodeEager (v: Prune): Buffer { return encodeFrame(FrameType.EAGER, pruneEnc, v) }
export function decodeEager (frame: Uint8Array): Prune { return decodeWith(frame, BODY, pruneEnc) }
