// The shapes presence works with: a room member, a change front ends are
// told of, and the hooks the node gives presence (presence.ts).
import type { SharedBudget } from './send-budget'
import type { Clock } from './clock'

export type LeaveKind = 'quit' | 'part'
export interface Member {
  peer: string; nick: string; self: boolean; lastSeen: number
  /** A text-gateway guest: the gateway's nick (`peer` is the gateway's key). */
  via?: string
}
export interface PresenceChange {
  room: string; peer: string; nick: string; state: 'join' | 'leave'
  /** On a leave the member announced: 'quit' (left the mesh) or 'part' (left the room). Absent on a timeout. */
  reason?: LeaveKind
  /** The member's parting words, at most MAX_LEAVE_MESSAGE_BYTES. */
  message?: string
  /** A gateway guest: the gateway's nick. */
  via?: string
  /**
   * On a join: the member was in the room before this node heard of it: a
   * neighbour's roster listed it (roster sync: what a newcomer, or a node
   * whose split healed, learns; but the neighbour's own announcement when
   * it dialled this node tells of its joining), or it was first seen
   * speaking or reporting a LOST member, not announcing itself. Front ends
   * list such members (as IRC answers a join with the channel's NAMES)
   * rather than report each as a join.
   */
  listed?: true
}
export interface GuestRename { room: string; peer: string; old: string; nick: string; via: string }

export interface PresenceHooks {
  selfKey: string
  nick: () => string
  listen: () => string
  rooms: () => Set<string>
  /** Signs and floods a message; what was sent (kept to pass on by roster sync). */
  originate: (kind: number, room: string, payload: Buffer) => { frame: Buffer; id: Buffer; ts: number }
  onChange: (c: PresenceChange) => void
  onGuestRename: (r: GuestRename) => void
  /** Every presence message, whether or not this node is in its room (`room` is then undefined). */
  onSighting: (key: string, nick: string, room: string | undefined, listen: string, hops: number, ts: number) => void
  /** A key in hex, as the one string the node keeps for it (Directory.canonical). */
  keyHex: (key: Buffer) => string
  /** Whether this node has an established link that carries `room`'s traffic (overlay.ts `carries`; cut-off.ts). */
  linkedIn: (room: string) => boolean
  /** A room with no link into it this long drops its members (Timing.roomCutOffMs). */
  cutOffMs: number
  clock: Clock
  /** The node's send budget: announcements wait their turn in it (a gateway's 256 guests are announced over seconds, not dropped by relays over the author rate). */
  sendBudget: SharedBudget
  intervalMs: number
  timeoutMs: number
}
