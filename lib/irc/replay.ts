// The recent messages of each room this node is in, kept by the IRC face so a
// client that joins a channel sees what was said before (replayed with
// server-time when the client negotiated it).
import type { ChatMessage } from '../core/types'
import { IRC_REPLAY_LINES } from './limits'

export class Replay {
  private readonly rooms = new Map<string, ChatMessage[]>()
  constructor (private readonly perRoom = IRC_REPLAY_LINES) {}

  add (m: ChatMessage): void {
    let list = this.rooms.get(m.room)
    if (!list) { list = []; this.rooms.set(m.room, list) }
    list.push(m)
    if (list.length > this.perRoom) list.splice(0, list.length - this.perRoom)
  }

  /** Oldest first, by message time. */
  recent (room: string): ChatMessage[] {
    return [...(this.rooms.get(room) ?? [])].sort((a, b) => a.ts - b.ts)
  }

  /** Forgets rooms the node is no longer in. */
  keepOnly (rooms: string[]): void {
    for (const r of [...this.rooms.keys()]) if (!rooms.includes(r)) this.rooms.delete(r)
  }
}
