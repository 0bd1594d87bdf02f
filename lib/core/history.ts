// The recent messages of each room, kept as their signed frames so they can
// be handed to peers that missed them. Bounded per room; oldest dropped first.
import type { FloodMessage } from '../protocol/envelope'

export const DEFAULT_HISTORY_SIZE = 1000
/** Bytes of each message id used when two nodes compare what they hold. */
export const SYNC_ID_BYTES = 8

export class RoomHistory {
  /** In timestamp order. */
  private readonly list: FloodMessage[] = []
  private readonly ids = new Set<string>()

  constructor (private readonly max: number) {}

  get size (): number { return this.list.length }

  has (id: string): boolean { return this.ids.has(id) }

  /** Adds a message; returns false if it was already held or is older than everything in a full history. */
  add (m: FloodMessage): boolean {
    const id = m.id.toString('hex')
    if (this.ids.has(id)) return false
    if (this.list.length >= this.max && m.ts < this.list[0].ts) return false
    let i = this.list.length
    while (i > 0 && this.list[i - 1].ts > m.ts) i--
    this.list.splice(i, 0, m)
    this.ids.add(id)
    while (this.list.length > this.max) {
      const old = this.list.shift()!
      this.ids.delete(old.id.toString('hex'))
    }
    return true
  }

  messages (): readonly FloodMessage[] { return this.list }

  /** Short ids of everything held, for a sync offer. */
  shortIds (): Buffer[] { return this.list.map(m => m.id.subarray(0, SYNC_ID_BYTES)) }

  /** What we hold that a peer holding `theirs` (short ids) lacks, oldest first. */
  missingFrom (theirs: Buffer[]): FloodMessage[] {
    const have = new Set(theirs.map(b => b.toString('hex')))
    return this.list.filter(m => !have.has(m.id.subarray(0, SYNC_ID_BYTES).toString('hex')))
  }
}

export class History {
  private readonly rooms = new Map<string, RoomHistory>()
  constructor (readonly maxPerRoom: number = DEFAULT_HISTORY_SIZE) {}

  room (name: string): RoomHistory {
    let r = this.rooms.get(name)
    if (!r) { r = new RoomHistory(this.maxPerRoom); this.rooms.set(name, r) }
    return r
  }

  has (room: string, id: string): boolean { return this.rooms.get(room)?.has(id) ?? false }

  add (m: FloodMessage): boolean { return this.room(m.room).add(m) }

  roomNames (): string[] { return [...this.rooms.keys()] }
}
