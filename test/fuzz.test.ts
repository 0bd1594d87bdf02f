// Structure-aware fuzzing: valid frames of every type, mutated (bit flips,
// byte sets, truncation, extension, splices) plus random bytes, fed to every
// decoder and through a node's whole link pipeline. Zero uncaught exceptions;
// every failure a coded MeshError. CI runs FUZZ_CASES (default 3000) cases;
// `npm run fuzz` runs many more.
import test from 'tape'
import { MeshNode } from '../lib/core/node'
import type { Fault } from '../lib/core/types'
import { generateKeyPair } from '../lib/protocol/crypto'
import {
  decodeHello, decodePex, decodeRoomPeers, decodeRooms, decodeSyncData, decodeSyncOffer, encodeHello, encodePex, encodeRoomPeers, encodeRooms,
  encodeSyncData, encodeSyncOffer, PING_FRAME
} from '../lib/protocol/frames'
import { decodeFlood, MessageKind } from '../lib/protocol/envelope'
import { decodePresence, decodePrivate, decodeAck, encodePresence, LeaveReason, PresenceState } from '../lib/protocol/payloads'
import { MeshError } from '../lib/protocol/errors'
import { decodeRosterData, decodeRosterOffer, encodeRosterData, encodeRosterOffer } from '../lib/protocol/roster-frames'
import { decodeEager, decodeGraft, decodeIHave, decodePrune, encodeGraft, encodeIHave, encodePrune } from '../lib/protocol/lazy-frames'
import { PROTOCOL_VERSION } from '../lib/protocol/limits'
import { rawPeer, chat, until } from './helpers/raw-peer'
import { seeded } from './helpers/mesh'

const CASES = Number(process.env.FUZZ_CASES) || 3000

function seeds (): Buffer[] {
  const kp = generateKeyPair()
  return [
    encodeHello({ version: PROTOCOL_VERSION, nick: 'fuzz', listen: '127.0.0.1:9', rooms: ['lobby', 'x'], flags: 1 }),
    chat(kp, 'hello fuzz').frame,
    chat(kp, '', { kind: MessageKind.PRESENCE, payload: encodePresence({ state: PresenceState.HERE, listen: '1.2.3.4:5' }) }).frame,
    encodePex([{ key: kp.publicKey, address: '10.0.0.1:8081' }, { key: kp.publicKey, address: '127.1:80' }]),
    PING_FRAME,
    encodeSyncOffer({ room: 'lobby', reply: true, ids: [Buffer.alloc(8, 1), Buffer.alloc(8, 2)] }),
    encodeSyncData({ room: 'lobby', frames: [chat(kp, 'synced').frame] }),
    encodeRooms(['lobby', 'y']),
    chat(kp, 'waves', { kind: MessageKind.ACTION }).frame,
    chat(kp, '', { kind: MessageKind.PRESENCE, payload: encodePresence({ state: PresenceState.LEAVING, listen: '1.2.3.4:5', reason: LeaveReason.QUIT, message: 'bye', guest: 'g', old: 'h' }) }).frame,
    encodeRoomPeers([{ room: 'lobby', key: kp.publicKey, address: '10.0.0.2:8081' }]),
    encodeRosterOffer({ room: 'lobby', reply: false, ids: [Buffer.alloc(8, 3)] }),
    encodeRosterData({ room: 'lobby', frames: [chat(kp, '', { kind: MessageKind.PRESENCE, payload: encodePresence({ state: PresenceState.HERE, listen: '1.2.3.4:5', interval: 30_000 }) }).frame] }),
    encodeIHave({ room: 'lobby', entries: [{ id: Buffer.alloc(8, 4), hops: 2 }] }),
    encodeGraft({ room: 'lobby', ids: [Buffer.alloc(8, 5)] }),
    encodePrune({ room: 'lobby', root: kp.publicKey })
  ]
}

function mutate (random: () => number, pool: Buffer[]): Buffer {
  const pick = (n: number) => Math.floor(random() * n)
  const base = Buffer.from(pool[pick(pool.length)])
  switch (pick(6)) {
    case 0: { for (let i = 0, n = 1 + pick(4); i < n; i++) base[pick(base.length)] ^= 1 << pick(8); return base }
    case 1: { for (let i = 0, n = 1 + pick(4); i < n; i++) base[pick(base.length)] = [0, 0xff, 0x7f, 0x80, 0xfd, 0xfe][pick(6)]; return base }
    case 2: return base.subarray(0, Math.max(1, pick(base.length)))
    case 3: return Buffer.concat([base, Buffer.from(Array.from({ length: 1 + pick(64) }, () => pick(256)))])
    case 4: { const other = pool[pick(pool.length)]; return Buffer.concat([base.subarray(0, pick(base.length) + 1), other.subarray(pick(other.length))]) }
    default: return Buffer.from(Array.from({ length: 1 + pick(200) }, () => pick(256)))
  }
}

const decoders: Array<(b: Buffer) => unknown> = [
  decodeHello, decodePex, decodeRooms, decodeSyncData, decodeSyncOffer, b => decodeFlood(b), decodeRoomPeers,
  decodePresence, decodePrivate, decodeAck, decodeRosterOffer, decodeRosterData, decodeIHave, decodeGraft, decodePrune, decodeEager
]

test(`fuzz: ${CASES} mutated frames through every decoder throw only coded errors`, (t) => {
  const random = seeded(7)
  const pool = seeds()
  let uncoded = 0
  let example = ''
  for (let i = 0; i < CASES; i++) {
    const b = mutate(random, pool)
    for (const d of decoders) {
      try { d(b) } catch (err) {
        if (!(err instanceof MeshError)) { uncoded++; example ||= `${(err as Error).stack} on ${b.toString('hex')}` }
      }
    }
  }
  t.equal(uncoded, 0, `every failure is a MeshError ${example}`)
  t.end()
})

test(`fuzz: ${CASES} mutated frames through a node's link pipeline: no crash, every fault coded, honest traffic still flows`, async (t) => {
  t.timeoutAfter(120_000)
  const random = seeded(11)
  const pool = seeds()
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'victim', timing: { tickMs: 20, banMs: 0 }, maxLinks: 64, ratePerSecond: 1e6, rateBurst: 1e6 })
  node.setListenAddress('127.0.0.1:1000')
  const faults: Fault[] = []
  const texts: string[] = []
  node.on('fault', (f: Fault) => faults.push(f))
  node.on('message', m => texts.push(m.text))
  node.start()
  t.teardown(() => node.close())
  let peer = rawPeer(node)
  peer.hello()
  let links = 1
  for (let i = 0; i < CASES; i++) {
    if (peer.link.closed) { peer = rawPeer(node); peer.hello(); links++ }
    peer.link.send(mutate(random, pool))
    if (i % 200 === 199) await until(() => false, 2)
  }
  const honest = rawPeer(node)
  honest.hello()
  honest.link.send(chat(generateKeyPair(), 'after the fuzz').frame)
  t.ok(await until(() => texts.includes('after the fuzz'), 10_000), `an honest message still arrives (${links} fuzzing links used)`)
  const uncoded = faults.filter(f => !/^[A-Z_]+$/.test(f.code) || f.code === 'FRONTEND_ERROR')
  t.equal(uncoded.length, 0, `every fault is coded (${faults.length} faults)`)
})
