// Room overlays: which links a flooded message travels on. A room's traffic
// (chat, actions, guest lines, presence) goes only to links whose peer is in
// that room; private messages and their acks (room '') go everywhere, since
// they must reach a key wherever it is. A link whose rooms are unknown, or
// whose list may have been cut at MAX_HELLO_ROOMS, gets everything.
import { MessageKind } from '../protocol/envelope'
import { MAX_HELLO_ROOMS } from '../protocol/limits'

/** The room value that means "every link": what private messages and acks are forwarded under. */
export const EVERY_LINK = ''

/** The room a message of this kind is forwarded within ('' for kinds that flood everywhere). */
export function overlayRoom (kind: number, room: string): string {
  return kind === MessageKind.PRIVATE || kind === MessageKind.ACK ? EVERY_LINK : room
}

/**
 * Whether a link whose peer said it is in `rooms` carries traffic of `room`.
 * An empty list is unknown (every node is in at least one room) and a full
 * list (MAX_HELLO_ROOMS) may have been cut: both get everything.
 */
export function carries (rooms: readonly string[] | undefined, room: string): boolean {
  if (room === EVERY_LINK || rooms === undefined || rooms.length === 0 || rooms.length >= MAX_HELLO_ROOMS) return true
  return rooms.includes(room)
}
