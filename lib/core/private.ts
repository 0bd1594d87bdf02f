// One-to-one messages. The text travels in an authenticated box from the
// sender's key to the recipient's (lib/protocol/private-box.ts), with the
// sender, recipient, time and a random id bound inside it, so relays carry it
// without reading it and cannot re-wrap it as their own. The recipient drops
// (unacknowledged, counted) a box that is not its signed author's, is stale,
// or repeats an id it has seen; otherwise it shows it and acknowledges. The
// sender hears `delivered`, or `undelivered` after the ack timeout.
import { shortKey } from './names'
import type { FloodMessage } from '../protocol/envelope'
import { MessageKind } from '../protocol/envelope'
import { decodeAck, decodePrivate, encodeAck, encodePrivate, MAX_ACK_IDS, type AckPayload } from '../protocol/payloads'
import { boxPrivate, newPrivateId, openPrivate } from '../protocol/private-box'
import { MeshError, errorMessage } from '../protocol/errors'
import { MAX_MESSAGE_LIFETIME_MS } from '../protocol/limits'
import { systemClock, type Clock, type TimerHandle } from './clock'
import type { KeyPair } from '../protocol/crypto'
import { ReplayGuard } from './replay-guard'
import type { ChatMessage } from './types'
import type { SharedBudget } from './send-budget'
import { PacedLines } from './paced-lines'

/** Private messages awaiting an ack at once; the oldest is given up first. */
export const MAX_PENDING_PRIVATE = 1000
/** Inner private-message ids remembered against replays; when full the oldest is forgotten first. */
export const MAX_SEEN_PRIVATE_IDS = 10_000
/**
 * Acks waiting for the node's send budget at most, each of up to
 * MAX_ACK_IDS ids for one recipient; past this a private message is shown
 * but not acknowledged (its sender hears `undelivered`). Acks take their
 * tokens like any message this node signs, so a flood of private messages
 * could otherwise spend the budget its own lines need.
 */
export const MAX_WAITING_ACKS = 200
/** How far a private message's inner time may be from the recipient's clock, either way; its id is remembered until its time plus this. */
export const PRIVATE_WINDOW_MS = MAX_MESSAGE_LIFETIME_MS


export interface PrivateHooks {
  keyPair: KeyPair
  nick: () => string
  originate: (kind: number, room: string, payload: Buffer) => FloodMessage
  message: (m: ChatMessage) => void
  delivered: (id: string, peer: string) => void
  undelivered: (id: string, peer: string) => void
  ackTimeoutMs: number
  /** The node's send budget: acks wait their turn in it. */
  sendBudget: SharedBudget
  /** Defaults to the system clock. */
  clock?: Clock
  /** Cap of the replay memory; defaults to MAX_SEEN_PRIVATE_IDS (tests shrink it). */
  maxSeenIds?: number
  /** Told of every private message or ack dropped (PRIVATE_INVALID, _FORGED, _STALE, _REPLAY) and its signed author. */
  dropped?: (err: MeshError, author: string) => void
}

/** What this node did with the private messages and acks it received. */
export interface PrivateStats {
  shown: number
  acked: number
  /** Private messages shown but not acknowledged: more than MAX_WAITING_ACKS acks were waiting. */
  unacked: number
  invalid: number
  forged: number
  stale: number
  replayed: number
}

const STAT_OF: Partial<Record<string, keyof PrivateStats>> = {
  PRIVATE_INVALID: 'invalid', PRIVATE_FORGED: 'forged', PRIVATE_STALE: 'stale', PRIVATE_REPLAY: 'replayed'
}

export class PrivateMessages {
  readonly stats: PrivateStats = { shown: 0, acked: 0, unacked: 0, invalid: 0, forged: 0, stale: 0, replayed: 0 }
  /** Acks in order, each when the send budget has a token (node.originate takes it); a waiting one takes more ids for its recipient. */
  private readonly acks: PacedLines<AckPayload>
  /** The ack still waiting for each recipient, by key. */
  private readonly waitingAcks = new Map<string, AckPayload>()
  private readonly pending = new Map<string, { timer: TimerHandle; to: string }>()
  private readonly clock: Clock
  private readonly seen: ReplayGuard
  /** Most ids the replay memory holds. */
  readonly seenCap: number

  constructor (private readonly h: PrivateHooks) {
    this.clock = h.clock ?? systemClock
    this.seenCap = h.maxSeenIds ?? MAX_SEEN_PRIVATE_IDS
    this.seen = new ReplayGuard({ maxSize: this.seenCap, now: () => this.clock.now() })
    this.acks = new PacedLines(h.sendBudget, ack => {
      const key = ack.to.toString('hex')
      if (this.waitingAcks.get(key) === ack) this.waitingAcks.delete(key)
      this.h.originate(MessageKind.ACK, '', encodeAck(ack))
      return 0
    })
  }

  /** Ids held against replays (at most seenCap). */
  get seenIds (): number { return this.seen.size }
  /** Messages awaiting an ack (at most MAX_PENDING_PRIVATE). */
  get pendingCount (): number { return this.pending.size }

  send (to: string, text: string): ChatMessage {
    const me = this.h.keyPair.publicKey
    const toKey = Buffer.from(to, 'hex')
    const { nonce, box } = boxPrivate(this.h.keyPair, { from: me, to: toKey, ts: this.clock.now(), id: newPrivateId(), text })
    const m = this.h.originate(MessageKind.PRIVATE, '', encodePrivate({ to: toKey, nonce, box }))
    const id = m.id.toString('hex')
    if (this.pending.size >= MAX_PENDING_PRIVATE) this.expire(this.pending.keys().next().value as string)
    const timer = this.clock.setTimeout(() => this.expire(id), this.h.ackTimeoutMs)
    this.pending.set(id, { timer, to })
    const msg: ChatMessage = { id, room: '', from: me.toString('hex'), nick: this.h.nick(), text, ts: m.ts, hops: 0, self: true, private: true, to }
    this.h.message(msg)
    return msg
  }

  private expire (id: string): void {
    const p = this.pending.get(id)
    if (!p) return
    this.clock.clearTimeout(p.timer)
    this.pending.delete(id)
    this.h.undelivered(id, p.to)
  }

  /** A PRIVATE or ACK message accepted from the mesh (already verified and deduplicated). A bad one is dropped and counted, never thrown. */
  onMessage (m: FloodMessage): void {
    let shown: ChatMessage | null = null
    try {
      if (m.kind === MessageKind.PRIVATE) shown = this.openFor(m)
      else if (m.kind === MessageKind.ACK) this.onAck(m)
    } catch (err) {
      const e = err instanceof MeshError ? err : new MeshError('PRIVATE_INVALID', errorMessage(err))
      this.stats[STAT_OF[e.code] ?? 'invalid']++
      this.h.dropped?.(e, m.author.toString('hex'))
      return
    }
    if (!shown) return
    this.stats.shown++
    this.h.message(shown)
    this.ack(m.author, m.id)
  }

  /** Acknowledges `id` to `to`: in the ack waiting for the same recipient if it has room, else in a new one; past MAX_WAITING_ACKS, not at all. */
  private ack (to: Buffer, id: Buffer): void {
    const key = to.toString('hex')
    const waiting = this.waitingAcks.get(key)
    if (waiting && waiting.of.length < MAX_ACK_IDS) return void waiting.of.push(id)
    if (this.acks.size >= MAX_WAITING_ACKS) return void this.stats.unacked++
    const ack = { to, of: [id] }
    this.waitingAcks.set(key, ack)
    this.acks.push(ack)
  }

  /** The message to show, null when not for us; throws a coded MeshError when it must be dropped. */
  private openFor (m: FloodMessage): ChatMessage | null {
    const me = this.h.keyPair.publicKey
    const p = decodePrivate(m.payload)
    if (!p.to.equals(me)) return null
    // Opens only if the signed author made the box: a relay's copy of another's box fails here.
    const inner = openPrivate(this.h.keyPair, m.author, p.nonce, p.box)
    if (!inner.from.equals(m.author)) throw new MeshError('PRIVATE_FORGED', `inner sender ${shortKey(inner.from.toString('hex'))} differs from signed author ${shortKey(m.author.toString('hex'))}`)
    if (!inner.to.equals(me)) throw new MeshError('PRIVATE_FORGED', 'inner recipient is not this node')
    const now = this.clock.now()
    if (Math.abs(now - inner.ts) > PRIVATE_WINDOW_MS) throw new MeshError('PRIVATE_STALE', `private message time is ${Math.round((now - inner.ts) / 1000)} s from this node's clock (window ${PRIVATE_WINDOW_MS / 1000} s)`)
    const from = m.author.toString('hex')
    if (!this.seen.add(`${from}:${inner.id.toString('hex')}`, inner.ts + PRIVATE_WINDOW_MS)) {
      throw new MeshError('PRIVATE_REPLAY', `private message ${inner.id.toString('hex')} from ${shortKey(from)} was already received`)
    }
    return { id: m.id.toString('hex'), room: '', from, nick: m.nick, text: inner.text, ts: m.ts, hops: m.hops, self: false, private: true, to: me.toString('hex') }
  }

  private onAck (m: FloodMessage): void {
    const a = decodeAck(m.payload)
    if (!a.to.equals(this.h.keyPair.publicKey)) return
    const from = m.author.toString('hex')
    for (const of of a.of) {
      const id = of.toString('hex')
      const p = this.pending.get(id)
      if (!p || p.to !== from) continue
      this.clock.clearTimeout(p.timer)
      this.pending.delete(id)
      this.stats.acked++
      this.h.delivered(id, p.to)
    }
  }

  close (): void {
    this.acks.close()
    this.waitingAcks.clear()
    for (const p of this.pending.values()) this.clock.clearTimeout(p.timer)
    this.pending.clear()
    this.seen.clear()
  }
}
