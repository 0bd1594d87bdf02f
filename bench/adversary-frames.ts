// The adversary section's attack material, made before the honest schedule
// starts: every key the attacker will use (one identity per link, the fresh
// authors of attack b) and every frame it will write, signed and encoded.
// During the attack the attacker process only writes these bytes.
import { generateKeyPair, type KeyPair } from '../lib/protocol/crypto'
import { encodeSyncData, encodeSyncOffer } from '../lib/protocol/frames'
import { encodeFlood, MessageKind } from '../lib/protocol/envelope'

export const ATTACKS = ['sync-offers', 'fresh-keys', 'member-flood', 'future-dated', 'sync-replay', 'preauth-length'] as const
export type AttackName = typeof ATTACKS[number]
/** The control row: the attacker process links to the victim exactly like a member attack, then sends nothing harmful. */
export const IDLE = 'attacker idle'
export type AttackerRole = AttackName | typeof IDLE
export type MemberRole = Exclude<AttackerRole, 'preauth-length'>

export interface AttackPlan {
  /** Links the attacker may open in turn, each with a fresh key and loopback address, when the victim closes the last. */
  maxLinks: number
  /** SYNC_OFFER frames with an empty id list, per link (attack a). */
  syncOffers: number
  /** Signed messages per link, from fresh keys (attack b). */
  freshKeyMessages: number
  /** Messages each fresh key signs, back to back (attack b). */
  messagesPerKey: number
  /** Messages one key signs back to back and sends at once, per link: a member (or a client built to skip the pacing) flooding. */
  memberFloodMessages: number
  /** Future-dated messages per link (attack c). */
  futureMessages: number
  /** Times one 256-message SYNC_DATA frame is sent, per link (attack d). */
  syncReplays: number
  /** Raw sockets per round, each from its own loopback address (attack e). */
  rawSockets: number
  /** Rounds of raw sockets, one every RAW_ROUND_GAP_MS (attack e). */
  rawRounds: number
}

/** Text of every attack message, so no receiver can take it for an honest one. */
export const ATTACK_TEXT = 'attack'
/** How far ahead future-dated messages are dated (well past MAX_CLOCK_SKEW_MS). */
export const FUTURE_MS = 3600_000
/** Messages in one SYNC_DATA frame (MAX_SYNC_BATCH). */
export const SYNC_BATCH = 256
/** Size of each junk write after the oversized length prefix (attack e). */
export const RAW_JUNK_BYTES = 64 * 1024
/** The secret-stream length prefix announcing the largest message 3 bytes can: 0xFFFFFF (attack e). */
export const RAW_LENGTH_PREFIX = Buffer.from([0xff, 0xff, 0xff])

/** One member link's material: the identity it dials with and the frames it writes, in order. */
export interface LinkMaterial {
  identity: KeyPair
  frames: Buffer[]
}

export interface Prepared {
  role: AttackerRole
  /** Member roles: one entry per link the attacker may open (plan.maxLinks). Empty for preauth-length. */
  links: LinkMaterial[]
  /** preauth-length only: the junk each raw socket writes after RAW_LENGTH_PREFIX. */
  junk: Buffer | null
  /** Frames made, over all links (a repeated frame counts each time). */
  frames: number
  /** Keys generated, identities included. */
  keys: number
}

function chat (kp: KeyPair, ts: number, n: number): Buffer {
  return encodeFlood({ kind: MessageKind.CHAT, author: kp.publicKey, room: 'lobby', nick: 'mallory', ts, expires: ts + 60_000, ttl: 8, payload: Buffer.from(`${ATTACK_TEXT} ${n}`) }, kp, 1).frame
}

/** A SYNC_DATA frame of SYNC_BATCH new messages from one fresh key: what sync-replay sends when it captured no answer of the victim's. */
export function fallbackSyncData (now: number): Buffer {
  const kp = generateKeyPair()
  return encodeSyncData({ room: 'lobby', frames: Array.from({ length: SYNC_BATCH }, (_, i) => chat(kp, now, i)) })
}

/**
 * Everything `role` will send, made now. sync-replay's frames are the
 * fallback here; the attacker swaps in the victim's own sync answer when it
 * captures one while joining (before the schedule starts).
 */
export function prepareAttack (role: AttackerRole, plan: AttackPlan, now = Date.now()): Prepared {
  if (role === 'preauth-length') return { role, links: [], junk: Buffer.alloc(RAW_JUNK_BYTES, 0x5a), frames: plan.rawSockets * plan.rawRounds, keys: 0 }
  let keys = 0
  const key = () => { keys++; return generateKeyPair() }
  const offer = role === 'sync-offers' ? encodeSyncOffer({ room: 'lobby', reply: false, ids: [] }) : null
  const replay = role === 'sync-replay' ? fallbackSyncData(now) : null
  if (replay) keys++
  const links: LinkMaterial[] = []
  for (let l = 0; l < plan.maxLinks; l++) {
    const identity = key()
    let frames: Buffer[] = []
    if (offer) frames = Array.from({ length: plan.syncOffers }, () => offer)
    else if (replay) frames = Array.from({ length: plan.syncReplays }, () => replay)
    else if (role === 'fresh-keys') {
      let kp = identity
      for (let i = 0; i < plan.freshKeyMessages; i++) {
        if (i % plan.messagesPerKey === 0) kp = key()
        frames.push(chat(kp, now, i))
      }
    } else if (role === 'member-flood') {
      const kp = key()
      for (let i = 0; i < plan.memberFloodMessages; i++) frames.push(chat(kp, now, i))
    } else if (role === 'future-dated') {
      const kp = key()
      for (let i = 0; i < plan.futureMessages; i++) frames.push(chat(kp, now + FUTURE_MS + i, i))
    }
    links.push({ identity, frames })
  }
  return { role, links, junk: null, frames: links.reduce((a, l) => a + l.frames.length, 0), keys }
}
