// The recent messages of each room, kept as their signed frames so they can
// be handed to peers that missed them. Bounded per room, in timestamp order.
// No author can own a room's memory: when a room is full, the message that
// goes is the oldest of the heaviest author (or of the newcomer's own author
// once it holds its fair share), so one key flooding a room pushes out only
// its own messages.
import type { FloodMessage } from '../protocol/envelope'
import { SYNC_ID_BYTES } from '../protocol/limits'

export const DEFAULT_HISTORY_SIZE = 1000
/** Most of a full room's history one author may hold before its own oldest message goes first. */
export const MAX_AUTHOR_SHARE = 0.25

export class RoomHistory {
  /** In timestamp order. */
  private list: FloodMessage[] = []
  /** Each message's author key in hex, in the same order (looked up on every add to a full room: not converted each time). */
  private authors: string[] = []
  /** Each held id, with the count of adds when it came (see `heldBefore`). */
  private readonly ids = new Map<string, number>()
  private adds = 0
  private readonly perAuthor = new Map<string, number>()

  constructor (private readonly max: number) {}

  get size (): number { return this.list.length }

  has (id: string): boolean { return this.ids.has(id) }

  /** A mark of this moment, for `heldBefore`. */
  get mark (): number { return this.adds }

  /** Whether `id` is held and was already held at `mark`. */
  heldBefore (id: string, mark: number): boolean {
    const at = this.ids.get(id)
    return at !== undefined && at < mark
  }

  /** Adds a message; returns false if it was already held or is the one a full history would drop. */
  add (m: FloodMessage): boolean {
    const id = m.id.toString('hex')
    if (this.ids.has(id)) return false
    const author = m.author.toString('hex')
    if (this.list.length >= this.max) {
      const victimAuthor = this.victimAuthor(author)
      const victim = this.authors.indexOf(victimAuthor)
      if (victim < 0 || (victimAuthor === author && this.list[victim].ts > m.ts)) return false
      this.removeAt(victim)
    }
    let i = this.list.length
    while (i > 0 && this.list[i - 1].ts > m.ts) i--
    this.list.splice(i, 0, m)
    this.authors.splice(i, 0, author)
    this.ids.set(id, this.adds++)
    this.perAuthor.set(author, (this.perAuthor.get(author) ?? 0) + 1)
    return true
  }

  /** Whose message a full history gives up for one more of `author`'s. */
  private victimAuthor (author: string): string {
    const mine = this.perAuthor.get(author) ?? 0
    if (mine + 1 > this.max * MAX_AUTHOR_SHARE) return author
    let heaviest = author
    let most = mine
    for (const [a, n] of this.perAuthor) if (n > most) { heaviest = a; most = n }
    return heaviest
  }

  private removeAt (i: number): void {
    const [old] = this.list.splice(i, 1)
    const [a] = this.authors.splice(i, 1)
    this.ids.delete(old.id.toString('hex'))
    const n = (this.perAuthor.get(a) ?? 1) - 1
    if (n > 0) this.perAuthor.set(a, n)
    else this.perAuthor.delete(a)
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

  /** Every frame held, room by room (what an on-disk log compacts to). */
  frames (): Buffer[] { return this.roomNames().flatMap(r => this.room(r).messages().map(m => m.frame)) }
}
