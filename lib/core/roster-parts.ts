// Roster offers in parts. One ROSTER_OFFER frame lists at most
// MAX_ROSTER_OFFER_IDS announcements (6,000), fewer than a room may have
// members (MAX_ROOM_MEMBERS, 12,000). To a peer whose HELLO has the
// ROSTER_RANGES flag, a larger roster is offered as consecutive ranges of
// member keys, each part listing what this node holds of the members in it,
// so the answer is what the offerer lacks and nothing it holds. (Cut to
// its newest 6,000, as an older peer still gets it, an offer of 10,000
// brought back up to 1 MiB of announcements the offerer had, and the ones
// it lacked only if they fitted after those.)
//
// The answerer takes consecutive parts as one round: one answer of its
// budget, and MAX_ROSTER_SEND_BYTES between them, as one offer had. A part
// that does not start where the round's last one ended, or one past
// MAX_ROSTER_OFFER_PARTS, starts a round of its own and is charged as one.
import type { LinkSession } from './link-session'
import { MAX_GUESTS_PER_GATEWAY, MAX_ROOM_MEMBERS, type Held } from './room-members'
import { MAX_ROSTER_OFFER_IDS } from '../protocol/limits'

/**
 * Parts of one honest offer at most: a full room, this node's own guests and
 * itself, in parts cut at key boundaries (a gateway's guests share its key,
 * so a part may be up to MAX_GUESTS_PER_GATEWAY short of full).
 */
export const MAX_ROSTER_OFFER_PARTS = Math.ceil((MAX_ROOM_MEMBERS + MAX_GUESTS_PER_GATEWAY + 1) / (MAX_ROSTER_OFFER_IDS - MAX_GUESTS_PER_GATEWAY))

/** One part of an offer: the short ids of the announcements of members whose key is in [from, to) (an end absent: open). */
export interface OfferPart { ids: Buffer[]; from?: Buffer; to?: Buffer }

const byKey = (a: Held, b: Held): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

/** Splits what this node holds into parts of at most `max` ids by key range; one key's announcements stay in one part. */
export function offerParts (held: Held[], max = MAX_ROSTER_OFFER_IDS): OfferPart[] {
  const sorted = [...held].sort(byKey)
  const parts: OfferPart[] = []
  let from: Buffer | undefined
  for (let i = 0; i < sorted.length;) {
    let end = Math.min(i + max, sorted.length)
    while (end < sorted.length && end > i + 1 && sorted[end].key === sorted[end - 1].key) end--
    const to = end < sorted.length ? Buffer.from(sorted[end].key, 'hex') : undefined
    parts.push({ ids: sorted.slice(i, end).map(h => h.said.shortId()), ...(from ? { from } : {}), ...(to ? { to } : {}) })
    from = to
    i = end
  }
  return parts
}

/** Whether hex key `key` is in [from, to) (hex, lowercase; an end absent: open). */
export function inRange (key: string, from: string | undefined, to: string | undefined): boolean {
  return (from === undefined || key >= from) && (to === undefined || key < to)
}

/** An answer in progress: where its next part must start (null: the round is over), its parts so far and the bytes it may still send. */
export interface Round { next: string | null; parts: number; bytesLeft: number }

export class OfferRounds {
  private readonly rounds = new WeakMap<LinkSession, Map<string, Round>>()

  constructor (private readonly bytesPerRound: number, private readonly maxParts = MAX_ROSTER_OFFER_PARTS) {}

  /**
   * The round a part from `s` for `room` belongs to: the current one when
   * the part continues it, else a new one if `charge` allows (the caller's
   * answer budget), else null (refused).
   */
  enter (s: LinkSession, room: string, from: Buffer | undefined, to: Buffer | undefined, charge: () => boolean): Round | null {
    let rooms = this.rounds.get(s)
    if (!rooms) this.rounds.set(s, rooms = new Map())
    let round = rooms.get(room)
    const continues = from !== undefined && round !== undefined && round.next === from.toString('hex') && round.parts < this.maxParts
    if (!continues) {
      if (!charge()) return null
      round = { next: null, parts: 0, bytesLeft: this.bytesPerRound }
      rooms.set(room, round)
    }
    round!.parts++
    round!.next = to ? to.toString('hex') : null
    return round!
  }
}
