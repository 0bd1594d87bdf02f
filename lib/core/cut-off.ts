// Rooms this node has no link into. Room overlays carry a room's traffic only
// over links whose peer is in the room, so with none, no member of it can be
// reached: after ROOM_CUT_OFF_MS its members are dropped (each leaves as
// timed out). They used to stay until their own timeouts, 2.5 of their
// announced interval: 75 s in a small room, hours in a big one (10.4 h
// intervals at 10,000 members), so a node whose network went down showed a
// full /who all that time. A link into the room brings them back by roster
// sync, as members already there (PresenceChange.listed).

/** How long a room may have no link into it before its members are dropped; longer than a link takes to be redialled or replaced. */
export const ROOM_CUT_OFF_MS = 60_000

export class CutOff {
  /** Per room: since when it has had no link into it. */
  private readonly since = new Map<string, number>()

  constructor (private readonly linkedIn: (room: string) => boolean, private readonly afterMs: number) {}

  /** Of `rooms`, those with no link into them for `afterMs` at `now`. */
  due (rooms: Iterable<string>, now: number): string[] {
    const out: string[] = []
    for (const room of rooms) {
      if (this.linkedIn(room)) { this.since.delete(room); continue }
      const since = this.since.get(room)
      if (since === undefined) this.since.set(room, now)
      else if (now - since >= this.afterMs) out.push(room)
    }
    return out
  }

  forget (room: string): void { this.since.delete(room) }
}
