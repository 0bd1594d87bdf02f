// What a node says to its front ends and store: the shapes of its events and
// of the options of send(). Re-exported by node.ts.
import type { FloodMessage } from '../protocol/envelope'
import type { ErrorCode } from '../protocol/errors'
import type { Member } from './presence'
import type { PipelineStats } from './pipeline'
import type { PrivateStats } from './private'
export type { PeerInfo } from './link-table'
export type { WhoisInfo } from './whois'
export type { Member, PresenceChange } from './presence'

export interface ChatMessage {
  id: string; room: string; from: string; nick: string; text: string; ts: number; hops: number; self: boolean
  /** Set when a gateway posted this line for an unsigned guest: the gateway node's own nick. */
  via?: string
  /** Set when the message came through history sync rather than live. */
  history?: true
  /** One-to-one message; `to` is the recipient's key. */
  private?: true
  to?: string
}
/** Where a node with --history keeps its messages (implemented in lib/store). */
export interface HistoryStore { append (m: FloodMessage): void }
export interface SendOptions { room?: string; guest?: string }
export interface Discovery { topic: string; state: 'joining' | 'joined' | 'error'; peers: number }
export interface Fault { code: ErrorCode; message: string; peer?: string }
/** A member of a room as /who shows it. */
export type MemberInfo = Member & { tag: string }
/** What a node counts: the accept pipeline's verdicts, messages signed here, seen ids, sync traffic. */
export type NodeStats = PipelineStats & {
  originated: number
  seen: number
  sync: { offersSent: number; offersRefused: number; messagesSent: number; messagesLearnt: number }
  private: PrivateStats
}
