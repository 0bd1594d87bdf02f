// The hostile member of the adversary section, as it runs inside the attacker
// process (bench/adversary-attacker.ts): a MeshNode linked to the victim
// process over a real TCP + Noise link it dialled itself (so it holds the
// socket and the Link, and can stop reading or write crafted frames), plus
// raw pre-handshake sockets. It writes only frames made beforehand
// (bench/adversary-frames.ts). Each attack is bounded in frames, in links and
// in time, and comes back with what it sent.
import net from 'net'
import SecretStream from '@hyperswarm/secret-stream'
import { MeshNode } from '../lib/core/node'
import type { Link } from '../lib/core/link'
import { StreamLink } from '../lib/transport/stream-link'
import { handshake } from '../lib/transport/tcp'
import { FrameType } from '../lib/protocol/frames'
import { parseAddress } from '../lib/protocol/address'
import { sleep, waitUntil } from './stats'
import { RAW_LENGTH_PREFIX, type LinkMaterial, type Prepared } from './adversary-frames'

export { ATTACKS, IDLE, type AttackName, type AttackPlan, type AttackerRole } from './adversary-frames'

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
/** How long sync-replay waits, while joining, for the victim's own sync answer to replay. */
const SYNC_CAPTURE_MS = 2000
/** After the first SYNC_DATA arrives, how long to wait for the rest of the answer. */
const SYNC_SETTLE_MS = 20

export interface Member { node: MeshNode; link: Link; socket: net.Socket; gone: () => boolean; syncData: Buffer[] }

/** Tells whether the victim dropped the peer with this key (its peer-down): a member that stopped reading cannot see the close itself. */
export type DroppedByVictim = (key: string) => boolean

/** Loopback address of the attacker's l-th member link (the victim bans the address of a link it closes). */
const memberAddress = (l: number) => `127.0.1.${1 + l}`

/** Dials the victim from `localAddress` as a member with the prepared identity and waits for its HELLO. */
async function join (victim: string, localAddress: string, material: LinkMaterial, dropped: DroppedByVictim): Promise<Member> {
  const keyPair = material.identity
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

async function leave (m: Member): Promise<void> {
  await m.node.close()
  m.socket.destroy()
}

/**
 * Joins the first member link before the honest schedule starts. For
 * sync-replay it also captures the victim's own sync answer (messages the
 * whole mesh holds) and makes it every link's frame; without one the
 * prepared fallback (new messages) stays.
 */
export async function joinFirst (prepared: Prepared, victim: string, dropped: DroppedByVictim): Promise<Member> {
  const m = await join(victim, memberAddress(0), prepared.links[0], dropped)
  if (prepared.role === 'sync-replay') {
    await waitUntil(() => m.syncData.length > 0, SYNC_CAPTURE_MS)
    await sleep(SYNC_SETTLE_MS)
    const answer = m.syncData.sort((a, b) => b.byteLength - a.byteLength)[0]
    if (answer) for (const l of prepared.links) l.frames.fill(answer)
  }
  return m
}

/** Writes the link's prepared frames, yielding every batch; stops when the victim closes the link or time is up. */
async function pump (m: Member, frames: Buffer[], deadline: number): Promise<number> {
  let sent = 0
  while (sent < frames.length && !m.gone() && Date.now() < deadline) {
    for (let k = 0; k < FRAMES_PER_BATCH && sent < frames.length && !m.gone(); k++) m.link.send(frames[sent++])
    await sleep(1)
  }
  return sent
}

/**
 * Runs one member role until `durationMs` is up, starting on the link
 * joinFirst made. Attacks (a-d) write their frames, a link at a time, each
 * from its prepared identity and its own loopback address (the victim bans
 * both when it closes a link for its score). The idle control writes none
 * and keeps its one link, reading as a member does, until the time is up.
 */
export async function runMember (prepared: Prepared, victim: string, first: Member, durationMs: number, dropped: DroppedByVictim): Promise<AttackOutcome> {
  const deadline = Date.now() + durationMs
  const out: AttackOutcome = { links: 0, framesSent: 0, linksClosedByVictim: 0 }
  let m: Member | null = first
  while (out.links < prepared.links.length && Date.now() < deadline) {
    m ??= await join(victim, memberAddress(out.links), prepared.links[out.links], dropped)
    const material = prepared.links[out.links]
    out.links++
    try {
      if (prepared.role === 'sync-offers') m.socket.pause() // never reads another byte: every answer stays queued at the victim
      out.framesSent += await pump(m, material.frames, deadline)
      // Give the victim the rest of a short while to judge what it got.
      while (!m.gone() && Date.now() < deadline) await sleep(20)
      if (m.gone()) out.linksClosedByVictim++
      else if (material.frames.length === 0) break // the idle control: one link, never closed
    } finally {
      await leave(m)
      m = null
    }
  }
  if (m) await leave(m)
  return out
}

/** Attack e: rounds of raw sockets that send a 0xFFFFFF secret-stream length prefix, then junk, before any handshake. */
export async function runPreauthAttack (prepared: Prepared, victim: string, plan: { rawSockets: number; rawRounds: number }, durationMs: number): Promise<AttackOutcome> {
  const deadline = Date.now() + durationMs
  const { host, port } = parseAddress(victim)
  const out: AttackOutcome = { links: 0, framesSent: 0, linksClosedByVictim: 0 }
  const junk = prepared.junk!
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
        s.write(RAW_LENGTH_PREFIX)
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
