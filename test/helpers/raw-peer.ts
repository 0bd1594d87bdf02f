// A test-driven link end joined to a real MeshNode on a memory link: the test
// writes whatever frames it likes (an attacker, or a peer of another version)
// and reads what the node sends back.
import { MeshNode } from '../../lib/core/node'
import type { NodeOptions } from '../../lib/core/options'
import type { ChatMessage, Fault } from '../../lib/core/types'
import type { Test } from 'tape'
import { memoryLinkPair, type MemoryLink } from '../../lib/transport/memory'
import { generateKeyPair, type KeyPair } from '../../lib/protocol/crypto'
import { encodeHello } from '../../lib/protocol/frames'
import { encodeFlood, MessageKind, type Envelope, type FloodMessage } from '../../lib/protocol/envelope'
import { PROTOCOL_VERSION } from '../../lib/protocol/limits'
import { encodePresence, PresenceState, type PresencePayload } from '../../lib/protocol/payloads'

export interface RawPeer {
  kp: KeyPair
  /** Where this end says it is (its remote address at the node, and its HELLO listen address). */
  address: string
  link: MemoryLink
  frames: Buffer[]
  /** `flags`: HELLO flags (default SHAREABLE; add HelloFlag.LAZY_PUSH to be sent IHAVEs). */
  hello (version?: number, rooms?: string[], flags?: number): void
}

let port = 2000

/** Links a node to a test-driven end; `initiator`: the raw end dialled. */
/** `host`: the address the node sees the link come from (default 127.0.0.1). */
export function rawPeer (node: MeshNode, initiator = true, kp: KeyPair = generateKeyPair(), host = '127.0.0.1'): RawPeer {
  const addr = `${host}:${port++}`
  const [mine, theirs] = initiator
    ? memoryLinkPair(kp.publicKey, addr, node.keyPair.publicKey, '127.0.0.1:1000')
    : memoryLinkPair(node.keyPair.publicKey, '127.0.0.1:1000', kp.publicKey, addr).reverse() as [MemoryLink, MemoryLink]
  const frames: Buffer[] = []
  mine.on('frame', (f: Buffer) => frames.push(f))
  node.addLink(theirs)
  const hello = (version = PROTOCOL_VERSION, rooms = ['lobby'], flags = 1) => mine.send(encodeHello({ version, nick: 'raw', listen: addr, rooms, flags }))
  return { kp, address: addr, link: mine, frames, hello }
}

/** A chat message signed by `kp`, dated `ts` (default now), as it travels one hop. */
export function chat (kp: KeyPair, text: string, over: Partial<Envelope> = {}): FloodMessage {
  const ts = over.ts ?? Date.now()
  return encodeFlood({ kind: MessageKind.CHAT, author: kp.publicKey, room: 'lobby', nick: 'x', ts, expires: ts + 60_000, ttl: 8, payload: Buffer.from(text), ...over }, kp, 1)
}

/** A signed HERE announcement of `kp` (in 'lobby', dated now, a 30 s interval, unless `over` says otherwise), as it travels one hop. */
export function here (kp: KeyPair, over: { room?: string; ts?: number; state?: number; nick?: string } = {}): Buffer {
  const ts = over.ts ?? Date.now()
  const p: PresencePayload = { state: over.state ?? PresenceState.HERE, listen: '', interval: 30_000 }
  return encodeFlood({ kind: MessageKind.PRESENCE, author: kp.publicKey, room: over.room ?? 'lobby', nick: over.nick ?? 'made', ts, expires: ts + 60_000, ttl: 8, payload: encodePresence(p) }, kp, 1).frame
}

export const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Polls `pred` until it holds or `ms` pass; resolves with whether it held. */
export async function until (pred: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms
  while (!pred()) { if (Date.now() > end) return false; await wait(5) }
  return true
}

/** A raw member that sent its HELLO (in `rooms`) and heard the node's first frame back. */
export async function linkedMember (node: MeshNode, rooms?: string[]): Promise<RawPeer> {
  const member = rawPeer(node)
  member.hello(undefined, rooms)
  await until(() => member.frames.length > 0)
  return member
}

/** Timing for a node that holds no author as young (author-limits.ts): tests of other limits send bursts from fresh keys. */
export const NOT_YOUNG = { youngAuthorMs: 0 }

/** A started node under attack (fast ticks, presence off unless `opts` says), with what it delivered and the faults it reported; closed at teardown. */
export function victimNode (t: Test, opts: Partial<NodeOptions> = {}): { node: MeshNode; messages: ChatMessage[]; faults: Fault[] } {
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'victim', ...opts, timing: { tickMs: 20, presenceIntervalMs: 0, ...opts.timing } })
  node.setListenAddress('127.0.0.1:1000')
  const messages: ChatMessage[] = []
  const faults: Fault[] = []
  node.on('message', (m: ChatMessage) => messages.push(m))
  node.on('fault', (f: Fault) => faults.push(f))
  node.start()
  t.teardown(() => node.close())
  return { node, messages, faults }
}
