// Roster sync: who is in a room, learnt from neighbours instead of from the
// whole room. When a link comes up (or this node joins a room), each side
// offers the short ids of the presence announcements it holds for the rooms
// they share, and the other sends those it lacks, as the signed frames they
// travelled in. A newcomer so lists the room from one neighbour at once, and
// no member floods an answer to it (which cost every node a frame per member
// per join). A node that learnt members this way offers the room again to
// its other neighbours, so two parts of a room that meet converge hop by hop.
// Announcements learnt here are never forwarded, never push a member out of
// a full room, and are taken only in answer to this node's own offers, up to
// what one answer may hold; offers are budgeted per link and room. A roster
// larger than one offer frame holds goes in parts by key range to a peer
// that takes them (roster-parts.ts).
import type { LinkSession } from './link-session'
import type { FrameRegistry } from './frame-registry'
import type { Presence } from './presence'
import type { Clock } from './clock'
import { PENALTY } from './link-session'
import { TokenBucket } from './token-bucket'
import { AnswerWindow, OfferBudget, Reoffers, batches } from './answer-window'
import { isValidNick } from './names'
import { FrameType, HelloFlag } from '../protocol/frames'
import { decodeRosterData, decodeRosterOffer, encodeRosterData, encodeRosterOffer, type RosterData, type RosterOffer } from '../protocol/roster-frames'
import { decodeFlood, MessageKind, type FloodMessage } from '../protocol/envelope'
import { decodePresence, PresenceState, type PresencePayload } from '../protocol/payloads'
import { MeshError, type PeerFault } from '../protocol/errors'
import { MAX_CLOCK_SKEW_MS, MAX_ROSTER_OFFER_IDS } from '../protocol/limits'
import { OfferRounds, inRange, offerParts } from './roster-parts'
import { RosterVouches } from './roster-vouches'

/** Most bytes of announcements one node sends in answer to one roster offer, all its parts together (5,000 members at about 200 bytes each fit). */
export const MAX_ROSTER_SEND_BYTES = 1024 * 1024
/** Roster offers per room one link may have answered at once, and one more every ROSTER_ANSWER_REFILL_MS (an offer in parts counts once). */
export const ROSTER_ANSWERS_BURST = 4
export const ROSTER_ANSWER_REFILL_MS = 15_000
/**
 * Members one link may add to this node's lists by roster sync: at once, and
 * per minute after. Keys are free to mint, so a peer cannot list thousands of
 * made-up members; a newcomer to a bigger room lists the rest as soon as a
 * neighbour on another host sends them too (roster-vouches.ts), else as the
 * budget refills and from the members' periodic announcements.
 */
export const ROSTER_NEW_MEMBERS_BURST = 1000
export const ROSTER_NEW_MEMBERS_PER_MIN = 200
/** After a link's answer hit that limit, the room is offered to it again this much later, so the rest come as the budget refills. */
export const ROSTER_RETRY_MS = 60_000
/** Announcements at least this old that a node learns by roster sync make it offer the room to its other neighbours; younger ones are still being flooded to them. */
export const ROSTER_REOFFER_MIN_AGE_MS = 10_000

export interface RosterSyncHooks {
  presence: Presence
  rooms: () => Set<string>
  sessions: () => Iterable<LinkSession>
  penalise: (s: LinkSession, fault: PeerFault, points?: number) => void
  clock: Clock
  verify: (m: FloodMessage) => boolean
  /** False: never offers and ignores offers (NodeOptions.rosterSync). */
  enabled: boolean
}

export class RosterSync {
  /** Per link and room: offers it may still have answered, and the bytes the answer to this node's latest offer may still bring. */
  private readonly answers: OfferBudget
  private readonly expected = new AnswerWindow()
  private readonly reoffers: Reoffers
  /** Per link and room: the answer in progress to an offer in parts. */
  private readonly rounds = new OfferRounds(MAX_ROSTER_SEND_BYTES)
  /** Per link: members it may still add (ROSTER_NEW_MEMBERS_*). */
  private readonly newMembers = new WeakMap<LinkSession, TokenBucket>()
  /** Per link: rooms offered to it again after ROSTER_RETRY_MS (one timer each). */
  private readonly retries = new WeakMap<LinkSession, Set<string>>()
  /** Announcements brought past a link's budget, listed once another host brings them too. */
  private readonly vouches = new RosterVouches()
  readonly stats = { offersSent: 0, offersRefused: 0, sent: 0, learnt: 0 }

  constructor (private readonly h: RosterSyncHooks) {
    this.reoffers = new Reoffers(h.sessions, (s, room) => this.offer(s, room, true), h.clock, s => this.speaks(s))
    this.answers = new OfferBudget(ROSTER_ANSWERS_BURST, ROSTER_ANSWER_REFILL_MS, this.now)
  }

  /** Only when enabled: a node without roster sync treats its frames as unknown, as an older node does. */
  register (registry: FrameRegistry): void {
    if (!this.h.enabled) return
    registry.add<RosterOffer>(FrameType.ROSTER_OFFER, { name: 'roster offer', decode: decodeRosterOffer, onmessage: (s, o) => this.onOffer(s, o) })
    registry.add<RosterData>(FrameType.ROSTER_DATA, { name: 'roster data', decode: decodeRosterData, onmessage: (s, d) => this.onData(s, d) })
  }

  private readonly now = (): number => this.h.clock.now()

  private speaks (s: LinkSession): boolean { return this.h.enabled && !!s.hello && (s.hello.flags & HelloFlag.ROSTER_SYNC) !== 0 }

  /** Offers `room`'s roster to `s`: in one frame, or in parts by key range to a peer that takes them (roster-parts.ts). */
  private offer (s: LinkSession, room: string, reply: boolean): void {
    this.stats.offersSent++
    this.expected.open(s, room, MAX_ROSTER_SEND_BYTES)
    const held = this.h.presence.announcements(room)
    if (held.length <= MAX_ROSTER_OFFER_IDS || (s.hello!.flags & HelloFlag.ROSTER_RANGES) === 0) {
      s.send(encodeRosterOffer({ room, reply, ids: held.map(a => a.said.shortId()) }))
      return
    }
    const parts = offerParts(held)
    parts.forEach((p, i) => s.send(encodeRosterOffer({ room, reply: reply && i === parts.length - 1, ...p })))
  }

  /** A link finished its handshake: compare every room both sides are in. */
  onEstablished (s: LinkSession): void {
    if (!this.speaks(s)) return
    const theirs = new Set(s.hello!.rooms)
    for (const room of this.h.rooms()) if (theirs.has(room)) this.offer(s, room, false)
  }

  /**
   * The rooms this node should announce itself in now that `s` is up: those
   * where `s` is its only link (it is new there), and every shared room when
   * `s` does not speak roster sync (an older peer learns members only from
   * announcements). Elsewhere the room already knows this node, and `s`
   * lists it from this node's roster answer.
   */
  linkUpRooms (s: LinkSession): string[] {
    const shared = [...this.h.rooms()].filter(r => s.hello?.rooms.includes(r))
    if (!this.speaks(s)) return shared
    return shared.filter(room => ![...this.h.sessions()].some(x => x !== s && x.established && !x.link.closed && x.hello?.rooms.includes(room)))
  }

  /** This node joined a room: ask every neighbour in it for its members. */
  onJoin (room: string): void {
    this.vouches.forget(room)
    for (const s of this.h.sessions()) if (s.established && this.speaks(s) && s.hello!.rooms.includes(room)) this.offer(s, room, false)
  }

  private onOffer (s: LinkSession, o: RosterOffer): void {
    if (!this.speaks(s) || !this.h.rooms().has(o.room)) return
    const round = this.rounds.enter(s, o.room, o.from, o.to, () => this.answers.take(s, o.room))
    if (!round) {
      this.stats.offersRefused++
      return this.h.penalise(s, { code: 'SYNC_FLOOD', message: `offered the roster of '${o.room}' more often than ${ROSTER_ANSWERS_BURST} times per ${ROSTER_ANSWER_REFILL_MS / 1000} s` }, PENALTY.SYNC_OVER_BUDGET)
    }
    const theirs = new Set(o.ids.map(b => b.toString('hex')))
    const from = o.from?.toString('hex')
    const to = o.to?.toString('hex')
    const frames: Buffer[] = []
    for (const { key, said } of this.h.presence.announcements(o.room)) {
      if (!inRange(key, from, to) || theirs.has(said.shortIdHex())) continue
      if (said.frameLength > round.bytesLeft) break
      frames.push(said.frame)
      round.bytesLeft -= said.frameLength
    }
    this.stats.sent += frames.length
    for (const batch of batches(frames)) s.send(encodeRosterData({ room: o.room, frames: batch }))
    if (o.reply) this.offer(s, o.room, false)
  }

  private onData (s: LinkSession, d: RosterData): void {
    if (!this.h.rooms().has(d.room)) return
    if (!this.expected.take(s, d.room, d.frames)) {
      return this.h.penalise(s, { code: 'SYNC_UNSOLICITED', message: `roster data for '${d.room}' (${d.frames.length} announcements) beyond any answer to this node's offers; not read` }, PENALTY.SYNC_UNSOLICITED)
    }
    let budget = this.newMembers.get(s)
    if (!budget) this.newMembers.set(s, budget = new TokenBucket(ROSTER_NEW_MEMBERS_PER_MIN / 60, ROSTER_NEW_MEMBERS_BURST, this.now))
    let learnt = 0
    let old = 0
    let over = 0
    // A peer that dialled this node is the one arriving: its own announcement tells of its joining, not of someone already here.
    const arriving = s.dialedAddress === null ? Buffer.from(s.key, 'hex') : null
    for (const f of d.frames) {
      if (s.link.closed) return
      const v = this.judge(d.room, f, budget, arriving, s.remoteHost)
      if (v === 'over') over++
      else if (v instanceof MeshError) this.h.penalise(s, v, v.code === 'TIME_SKEW' ? PENALTY.TIME_SKEW : undefined)
      else if (v !== 'stale') { learnt++; if (this.now() - v.ts >= ROSTER_REOFFER_MIN_AGE_MS) old++ }
    }
    // Nothing new is no fault here: neighbours answering at once send the same members.
    if (over) {
      this.h.penalise(s, { code: 'ROSTER_LIMIT', message: `roster data for '${d.room}' would list more than ${ROSTER_NEW_MEMBERS_BURST} new members at once (${ROSTER_NEW_MEMBERS_PER_MIN} a minute after); ${over} not listed, asked again in ${ROSTER_RETRY_MS / 1000} s` }, 0)
      this.retry(s, d.room)
    }
    this.stats.learnt += learnt
    if (old) this.reoffers.schedule(d.room, s)
  }

  /** Offers `room` to `s` again after ROSTER_RETRY_MS, once however often its answers hit the limit meanwhile. */
  private retry (s: LinkSession, room: string): void {
    let rooms = this.retries.get(s)
    if (!rooms) this.retries.set(s, rooms = new Set())
    if (rooms.has(room)) return
    rooms.add(room)
    this.h.clock.setTimeout(() => {
      rooms!.delete(room)
      if (!s.link.closed && this.h.rooms().has(room)) this.offer(s, room, false)
    }, ROSTER_RETRY_MS)
  }

  /** One announcement of roster data: the message when it told this node something, stale when not, over when the link's budget for new members is spent, or the fault. */
  private judge (room: string, f: Buffer, budget: TokenBucket, arriving: Buffer | null, host: string): FloodMessage | 'stale' | 'over' | MeshError {
    let m: FloodMessage
    let p: PresencePayload
    try {
      m = decodeFlood(f)
      if (m.kind !== MessageKind.PRESENCE || m.room !== room) return MeshError.frameInvalid(`roster data for '${room}' holds a message that is not an announcement of that room`)
      p = decodePresence(m.payload)
    } catch (err) {
      return err instanceof MeshError ? err : MeshError.frameInvalid('malformed announcement in roster data')
    }
    // Only what says someone is here: a leave passed on out of its time could take a member who came back out of the list.
    if (p.state !== PresenceState.HERE && p.state !== PresenceState.GUEST_HERE) return MeshError.frameInvalid(`roster data holds an announcement of state ${p.state}, not a member here`)
    if (!isValidNick(m.nick)) return new MeshError('BAD_NICK', 'roster data carries a nick this node would not accept')
    if (m.ts > this.now() + MAX_CLOCK_SKEW_MS) return new MeshError('TIME_SKEW', `announcement dated ${Math.round((m.ts - this.now()) / 1000)} s ahead`)
    const fresh = this.h.presence.adoptable(m, p)
    if (!fresh) return 'stale'
    const id = m.id.toString('hex')
    // Past the link's budget only what a neighbour on another host brought too.
    const vouched = fresh === 'new' && budget.available < 1
    if (vouched && !this.vouches.vouched(room, id, host)) return 'over'
    if (!this.h.verify(m)) return new MeshError('BAD_SIGNATURE', 'roster data holds an announcement with a bad signature')
    if (this.h.presence.adopt(m, p, !arriving?.equals(m.author))) {
      if (!vouched) budget.take()
      this.vouches.listed(room, id)
    }
    return m
  }
}
