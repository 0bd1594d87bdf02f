// What a node says to its front ends and store: the shapes of its events and
// of the options of send(). Re-exported by node.ts.
import type { FloodMessage } from '../protocol/envelope'
import type { ErrorCode } from '../protocol/errors'
import type { GuestLine } from '../protocol/guest-batch'
import type { Member } from './presence'
import type { PipelineStats } from './pipeline'
import type { PrivateStats } from './private'
import type { LazyPushStats } from './lazy-push'
import type { PeerInfo } from './link-table'
import type { WhoisInfo } from './whois'
import type { SharedBudget } from './send-budget'
import type { PresenceChange } from './presence'
import type { NickWarning } from './directory'
export type { PeerInfo, WhoisInfo, PresenceChange, NickWarning }
export type { Member } from './presence'

export interface ChatMessage {
  id: string; room: string; from: string; nick: string; text: string; ts: number; hops: number; self: boolean
  /** Set when a gateway posted this line for an unsigned guest: the gateway node's own nick. */
  via?: string
  /** Set when the message came through history sync rather than live. */
  history?: true
  /** One-to-one message; `to` is the recipient's key. */
  private?: true
  to?: string
  /** An action (`/me waves`): shown as `* nick waves`. */
  action?: true
}
/** Where a node with --history keeps its messages (implemented in lib/store). */
export interface HistoryStore { append (m: FloodMessage): void }
export type { GuestLine }
export interface SendOptions {
  room?: string
  guest?: string
  /** Send as an action (`/me`): MessageKind.ACTION; not with `guest`. */
  action?: boolean
}
/**
 * A discovery mechanism's view of a topic: `peers`/`linked` linked, `found`
 * found (linked or not), `via` which mechanism, `reason` why found peers
 * could not be reached (only while some could not).
 */
export interface Discovery {
  topic: string; state: 'joining' | 'joined' | 'error'; peers: number
  found?: number; linked?: number; via?: 'dht' | 'mdns'; reason?: string
}
export interface Fault {
  code: ErrorCode; message: string; peer?: string
  /**
   * Flow control, not a fault of the peer's: a limit of this node held or
   * refused what it sent, at no cost to its score (a newcomer to a big room
   * meets these from honest neighbours). The terminal view does not show them.
   */
  flow?: true
}
/** A member of a room as /who shows it. */
export type MemberInfo = Member & { tag: string }
/** What a node counts: the accept pipeline's verdicts, messages signed here, seen ids, sync traffic. */
export type NodeStats = PipelineStats & {
  originated: number
  seen: number
  sync: { offersSent: number; offersRefused: number; messagesSent: number; messagesLearnt: number; answersRacedLive: number }
  private: PrivateStats
  /** Lazy push: ids announced, GRAFTs sent and answered, PRUNEs sent, missing ids given up on. */
  lazy: LazyPushStats
}

/** `nick` is the peer's current nick (after any rename), not the one of its HELLO. */
export interface PeerDown { peer: string; nick: string; reason: string }
/**
 * A nick changed: a peer's (signed, seen in any message under its key), your
 * own (`self`), or a gateway guest's (`via`: the gateway's nick; `peer`: the
 * gateway's key; `room`: where the guest is).
 */
export interface NickChange { peer: string; old: string; nick: string; self: boolean; via?: string; room?: string }
export interface Receipt { id: string; peer: string }

/** Every event a node emits, with its arguments: the one list front ends subscribe to. */
export interface NodeEvents {
  message: [ChatMessage]
  'peer-up': [PeerInfo]
  'peer-down': [PeerDown]
  fault: [Fault]
  discovery: [Discovery]
  delivered: [Receipt]
  undelivered: [Receipt]
  warning: [NickWarning]
  presence: [PresenceChange]
  /** Your own nick was set (also when unchanged); see 'peer-nick' for renames. */
  nick: [string]
  'peer-nick': [NickChange]
  rooms: [string[]]
}

export type NodeListener<K extends keyof NodeEvents> = (...args: NodeEvents[K]) => void

/** What a front end may use of a node (MeshNode implements it). */
export interface ChatNode {
  readonly id: string
  readonly nick: string
  readonly room: string
  readonly rooms: string[]
  readonly listenAddress: string
  readonly linkCount: number
  /** Front ends wait here before a line is signed, and take a token a message (lib/core/send-budget.ts): relays drop an author over DEFAULT_AUTHOR_RATE. */
  readonly sendBudget: SharedBudget
  on<K extends keyof NodeEvents> (event: K, fn: NodeListener<K>): unknown
  off<K extends keyof NodeEvents> (event: K, fn: NodeListener<K>): unknown
  send (text: string, opts?: SendOptions): ChatMessage
  /**
   * Posts text-gateway guest lines, in order, signed as few GUEST_BATCH
   * messages as fit; each line's `message` event is emitted before this
   * returns. Throws TEXT_TOO_LONG, TEXT_EMPTY, BAD_NICK, NOT_IN_ROOM; nothing is sent then.
   */
  sendGuestLines (lines: GuestLine[], room?: string): ChatMessage[]
  /** The checks of sendGuestLines alone (it throws the same errors): the lines as they would be signed, nothing sent. */
  checkGuestLines (lines: GuestLine[], room?: string): GuestLine[]
  sendPrivate (target: string, text: string): ChatMessage
  setNick (nick: string): void
  join (room: string): string
  /** Leaves a room; the others hear it at once (reason part, with `message`). */
  leave (room: string, message?: string): string
  /** Says goodbye to every room (reason quit, with `message`) before the links close; close the node after a short flush. */
  quit (message?: string): void
  /** A text-gateway guest comes, is renamed (`old`) or goes, in the current room; mesh users see presence and nick events with `via`. */
  guestPresence (guest: string, state: 'join' | 'leave' | 'nick', old?: string, message?: string): void
  switchRoom (room: string): string
  /** Validates a room name this node is in; throws NOT_IN_ROOM otherwise. */
  switchRoomCheck (room: string): string
  peers (): PeerInfo[]
  who (room?: string): MemberInfo[]
  /** How many /who lists in a room, without building the list. */
  memberCount (room?: string): number
  whois (target: string): WhoisInfo
  dial (address: string): Promise<PeerInfo>
  label (key: string, nick?: string): string
  tag (key: string): string
}
