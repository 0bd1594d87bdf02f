// The hostile member of the adversary section: an in-process MeshNode linked
// to the victim process over a real TCP + Noise link it dialled itself (so it
// holds the socket and the Link, and can stop reading or write crafted
// frames), plus raw pre-handshake sockets. Each attack is bounded in frames,
// in links and in time, and comes back with what it sent.
import net from 'net'
import SecretStream from '@hyperswarm/secret-stream'
import { MeshNode } from '../lib/core/node'
import type { Link } from '../lib/core/link'
import { StreamLink } from '../lib/transport/stream-link'
import { handshake } from '../lib/transport/tcp'
import { generateKeyPair, type KeyPair } from '../lib/protocol/crypto'
import { encodeSyncData, encodeSyncOffer, FrameType } from '../lib/protocol/frames'
import { encodeFlood, MessageKind } from '../lib/protocol/envelope'
import { parseAddress } from '../lib/protocol/address'
import { sleep, waitUntil } from './stats'

export const ATTACKS = ['sync-offers', 'fresh-keys', 'future-dated', 'sync-replay', 'preauth-length'] as const
export type AttackName = typeof ATTACKS[number]

export interface AttackPlan {
  /** Links the attacker may open in turn, each with a fresh key and loopback address, when the victim closes the last. */
  maxLinks: number
  /** SYNC_OFFER frames with an empty id list, per link (attack a). */
  syncOffers: number
  /** Signed messages per link, from fresh keys (attack b). */
  freshKeyMessages: number
  /** Messages each fresh key signs, back to back (attack b). */
  messagesPerKey: number
  /** Future-dated messages per link (attack c). */
  futureMessages: number
  /** Times one 256-message SYNC_DATA frame is sent, per link (attack d). */
  syncReplays: number
  /** Raw sockets per round, each from its own loopback address (attack e). */
  rawSockets: number
  /** Rounds of raw sockets, one every RAW_ROUND_GAP_MS (attack e). */
  rawRounds: number
}

export interface AttackOutcome { links: number; framesSent: number; linksClosedByVictim: number }

/** How long the attacker waits for the victim's HELLO. */
const HELLO_WAIT_MS = 5000
/** Frames written before the attacker yields to the event loop (lets the victim's close reach it). */
const FRAMES_PER_BATCH = 50
/** Gap between rounds of raw sockets (attack e). */
export const RAW_ROUND_GAP_MS = 100
/** How long one raw socket waits for the victim to close it; after that it counts as not closed (attack e). */
export const RAW_CLOSE_WAIT_MS = 1000
/** Bytes one raw socket writes after its length prefix at most (attack e). */
const RAW_MAX_BYTES = 1024 * 1024
/** Text of every attack message, so no receiver can take it for an honest one. */
const ATTACK_TEXT = 'attack'
/** How far ahead future-dated messages are dated (well past MAX_CLOCK_SKEW_MS). */
const FUTURE_MS = 3600_000
/** Messages in one SYNC_DATA frame (MAX_SYNC_BATCH). */
const SYNC_BATCH = 256
/** How long attack d waits for the victim's own sync answer, to replay it. */
const SYNC_CAPTURE_MS = 2000

interface Member { node: MeshNode; link: Link; socket: net.Socket; gone: () => boolean; syncData: Buffer[] }

/** Tells whether the victim dropped the peer with this key (its peer-down): a member that stopped reading cannot see the close itself. */
export type DroppedByVictim = (key: string) => boolean

/** Dials the victim from `localAddress` as a fresh member and waits for its HELLO. */
async function join (victim: string, localAddress: string, dropped: DroppedByVictim): Promise<Member> {
  const keyPair = generateKeyPair()
  const node = new MeshNode({ keyPair, nick: 'mallory', pex: false, minLinks: 0, timing: { presenceIntervalMs: 0 } })
  node.on('fault', () => {})
  node.on('error', () => {})
  let held: { link: Link; socket: net.Socket } | null = null
  const syncData: Buffer[] = []
  node.setDialer(async (address: string) => {
    const { host, port } = parseAddress(address)
    const socket = net.connect({ host, port, localAddress })
    socket.on('error', () => {})
    socket.setNoDelay(true)
    const stream = new SecretStream(true, socket, { keyPair })
    await handshake(stream, HELLO_WAIT_MS, `attacker dial ${address}`)
    const link = new StreamLink(stream, address, 'tcp', socket)
    link.on('frame', (f: Buffer) => { if (f[0] === FrameType.SYNC_DATA) syncData.push(f) })
    held = { link, socket }
    return link
  })
  node.start()
  try {
    await withTimeout(node.dial(victim), HELLO_WAIT_MS, 'victim HELLO')
  } catch (err) {
    await node.close()
    throw err
  }
  const key = keyPair.publicKey.toString('hex')
  const h = held!
  return { node, ...h, syncData, gone: () => h.link.closed || dropped(key) }
}

function withTimeout<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms) })])
    .finally(() => clearTimeout(timer))
}

function chat (kp: KeyPair, ts: number, n: number): Buffer {
  return encodeFlood({ kind: MessageKind.CHAT, author: kp.publicKey, room: 'lobby', nick: 'mallory', ts, expires: ts + 60_000, ttl: 8, payload: Buffer.from(`${ATTACK_TEXT} ${n}`) }, kp, 1).frame
}

/** Sends `count` frames from `make` on the link, yielding every batch; stops when the victim closes the link or time is up. */
async function pump (m: Member, count: number, deadline: number, make: (i: number) => Buffer): Promise<number> {
  let sent = 0
  while (sent < count && !m.gone() && Date.now() < deadline) {
    for (let k = 0; k < FRAMES_PER_BATCH && sent < count && !m.gone(); k++) m.link.send(make(sent++))
    await sleep(1)
  }
  return sent
}

/**
 * Runs one member-level attack (a-d) against `victim` until `durationMs` is
 * up: a link at a time, each from a fresh key and loopback address (the
 * victim bans both when it closes a link for its score).
 */
export async function runMemberAttack (name: Exclude<AttackName, 'preauth-length'>, victim: string, plan: AttackPlan, durationMs: number, dropped: DroppedByVictim): Promise<AttackOutcome> {
  const deadline = Date.now() + durationMs
  const out: AttackOutcome = { links: 0, framesSent: 0, linksClosedByVictim: 0 }
  let replay: Buffer | null = null
  while (out.links < plan.maxLinks && Date.now() < deadline) {
    const m = await join(victim, `127.0.1.${1 + out.links}`, dropped)
    out.links++
    try {
      if (name === 'sync-offers') {
        m.socket.pause() // never reads another byte: every answer stays queued at the victim
        const offer = encodeSyncOffer({ room: 'lobby', reply: false, ids: [] })
        out.framesSent += await pump(m, plan.syncOffers, deadline, () => offer)
      } else if (name === 'fresh-keys') {
        let kp = generateKeyPair()
        out.framesSent += await pump(m, plan.freshKeyMessages, deadline, i => {
          if (i % plan.messagesPerKey === 0) kp = generateKeyPair()
          return chat(kp, Date.now(), i)
        })
      } else if (name === 'future-dated') {
        const kp = generateKeyPair()
        out.framesSent += await pump(m, plan.futureMessages, deadline, i => chat(kp, Date.now() + FUTURE_MS + i, i))
      } else {
        // Replays the victim's own sync answer (messages the whole mesh holds); without one, a batch of new messages.
        if (!replay) {
          await waitUntil(() => m.syncData.length > 0, SYNC_CAPTURE_MS)
          await sleep(20)
          replay = m.syncData.sort((a, b) => b.byteLength - a.byteLength)[0] ?? null
          if (!replay) {
            const kp = generateKeyPair()
            replay = encodeSyncData({ room: 'lobby', frames: Array.from({ length: SYNC_BATCH }, (_, i) => chat(kp, Date.now(), i)) })
          }
        }
        const frame = replay
        out.framesSent += await pump(m, plan.syncReplays, deadline, () => frame)
      }
      // Give the victim the rest of a short while to judge what it got.
      while (!m.gone() && Date.now() < deadline) await sleep(20)
      if (m.gone()) out.linksClosedByVictim++
    } finally {
      await m.node.close()
      m.socket.destroy()
    }
  }
  return out
}

/** Attack e: rounds of raw sockets that send a 0xFFFFFF secret-stream length prefix, then junk, before any handshake. */
export async function runPreauthAttack (victim: string, plan: AttackPlan, durationMs: number): Promise<AttackOutcome> {
  const deadline = Date.now() + durationMs
  const { host, port } = parseAddress(victim)
  const out: AttackOutcome = { links: 0, framesSent: 0, linksClosedByVictim: 0 }
  const junk = Buffer.alloc(64 * 1024, 0x5a)
  for (let round = 0; round < plan.rawRounds && Date.now() < deadline; round++) {
    const started = Date.now()
    const closed = await Promise.all(Array.from({ length: plan.rawSockets }, (_, i) => new Promise<boolean>(resolve => {
      const s = net.connect({ host, port, localAddress: `127.0.2.${10 + i}` })
      let written = 0
      let done = false
      const finish = (byVictim: boolean) => { if (!done) { done = true; clearTimeout(timer); s.destroy(); resolve(byVictim) } }
      const timer = setTimeout(() => finish(false), RAW_CLOSE_WAIT_MS)
      s.on('error', () => finish(true))
      s.on('close', () => finish(true))
      s.on('connect', () => {
        out.links++
        out.framesSent++
        s.write(Buffer.from([0xff, 0xff, 0xff]))
        const more = () => { while (!done && written < RAW_MAX_BYTES) { written += junk.length; if (!s.write(junk)) break } }
        s.on('drain', more)
        more()
      })
    })))
    out.linksClosedByVictim += closed.filter(Boolean).length
    const wait = started + RAW_ROUND_GAP_MS - Date.now()
    if (wait > 0) await sleep(wait)
  }
  return out
}
