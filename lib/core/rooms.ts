// The rooms this node is in and the current one (where plain lines go).
// Joining, leaving and switching validate names and tell the node's parts.
import { validateRoom } from './names'
import { DEFAULT_ROOM } from './options'
import { MeshError } from '../protocol/errors'

export interface RoomHooks {
  joined (room: string): void
  /** Called before the room is dropped, with the parting words (if any). */
  leaving (room: string, message?: string): void
  changed (rooms: string[]): void
}

export class Rooms {
  private readonly set: Set<string>
  current: string

  constructor (initial: string[] | undefined, private readonly h: RoomHooks) {
    const rooms = (initial && initial.length ? initial : [DEFAULT_ROOM]).map(validateRoom)
    this.set = new Set(rooms)
    this.current = rooms[0]
  }

  has (room: string): boolean { return this.set.has(room) }

  list (): string[] { return [...this.set] }

  /** The live set, for parts that only read it. */
  get view (): ReadonlySet<string> { return this.set }

  join (room: string): string {
    const r = validateRoom(room)
    if (!this.set.has(r)) {
      this.set.add(r)
      this.h.changed(this.list())
      this.h.joined(r)
    }
    this.current = r
    return r
  }

  leave (room: string, message?: string): string {
    const r = this.check(room)
    if (this.set.size === 1) throw new MeshError('LAST_ROOM', `'${r}' is your only room; /join another first`)
    this.h.leaving(r, message)
    this.set.delete(r)
    if (this.current === r) this.current = this.list()[0]
    this.h.changed(this.list())
    return r
  }

  switch (room: string): string {
    this.current = this.check(room)
    return this.current
  }

  /** Validates a room name this node is in; throws NOT_IN_ROOM otherwise. */
  check (room: string): string {
    const r = validateRoom(room)
    if (!this.set.has(r)) throw new MeshError('NOT_IN_ROOM', `you are not in room '${r}'; /join ${r} first`)
    return r
  }
}
