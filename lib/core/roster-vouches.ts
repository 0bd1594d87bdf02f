// Announcements one neighbour's roster answer brought past that link's
// budget of new members (ROSTER_NEW_MEMBERS_*, roster-sync.ts), kept by id
// with the host that sent them: when a neighbour on another host sends the
// same announcement, two hosts vouch for the member and it is listed past
// the budget. A newcomer to a room of 10,000 with two neighbours so lists it
// as fast as their answers come (it took about 8 minutes at 1,000 members a
// link at once and 200 a minute after), while one peer alone, or several on
// one host, still cannot list thousands of made-up members: keys are free to
// mint, hosts are not.
import { MAX_ROOM_MEMBERS } from './room-members'

/** Announcements remembered per room as brought past a budget; the oldest is forgotten first. */
export const MAX_ROSTER_VOUCHES_PER_ROOM = MAX_ROOM_MEMBERS

export class RosterVouches {
  /** Per room: announcement id (hex) → the host that first brought it past its budget. */
  private readonly rooms = new Map<string, Map<string, string>>()

  constructor (private readonly max = MAX_ROSTER_VOUCHES_PER_ROOM) {}

  /**
   * Announcement `id` of `room` came from `host` past its link's budget:
   * true when another host brought it before (list it), else it is
   * remembered as brought by `host` (if no host did yet) and false.
   */
  vouched (room: string, id: string, host: string): boolean {
    let ids = this.rooms.get(room)
    const first = ids?.get(id)
    if (first !== undefined) return first !== host
    if (!ids) this.rooms.set(room, ids = new Map())
    if (ids.size >= this.max) ids.delete(ids.keys().next().value as string)
    ids.set(id, host)
    return false
  }

  /** The announcement was listed (within a budget or vouched for): nothing to wait for. */
  listed (room: string, id: string): void { this.rooms.get(room)?.delete(id) }

  forget (room: string): void { this.rooms.delete(room) }
}
