// The ids each room has delivered (or judged), kept apart from the seen cache:
// flushing the seen cache with throw-away messages cannot replay a message a
// room already showed. Bounded per room; the oldest entries go first.

/** Ids remembered per room. */
export const MAX_DELIVERED_PER_ROOM = 50_000

export class DeliveredLog {
  private readonly rooms = new Map<string, Set<string>>()

  constructor (private readonly maxPerRoom = MAX_DELIVERED_PER_ROOM) {}

  has (room: string, id: string): boolean { return this.rooms.get(room)?.has(id) ?? false }

  /** Records an id; false when the room had it already. */
  add (room: string, id: string): boolean {
    let set = this.rooms.get(room)
    if (!set) { set = new Set(); this.rooms.set(room, set) }
    if (set.has(id)) return false
    if (set.size >= this.maxPerRoom) set.delete(set.values().next().value as string)
    set.add(id)
    return true
  }

  forget (room: string): void { this.rooms.delete(room) }
}
