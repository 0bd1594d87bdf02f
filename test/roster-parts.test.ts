// Roster offers in parts (core/roster-parts.ts): a room larger than one
// ROSTER_OFFER frame holds (6,000 announcements) is offered as consecutive
// key ranges to a peer whose HELLO takes them, the answer to such an offer
// is what the offerer lacks and nothing it holds, the parts of one offer
// cost one answer of the budget, and a peer of the previous version still
// gets one frame.
import test from 'tape'
import { randomBytes } from 'crypto'
import { MAX_ROSTER_OFFER_PARTS, offerParts } from '../lib/core/roster-parts'
import { said, type Held } from '../lib/core/room-members'
import type { MeshNode } from '../lib/core/node'
import { FrameType, HelloFlag } from '../lib/protocol/frames'
import { decodeFlood } from '../lib/protocol/envelope'
import { decodeRosterData, decodeRosterOffer, encodeRosterData, encodeRosterOffer, type RosterOffer } from '../lib/protocol/roster-frames'
import { MAX_ROSTER_OFFER_IDS, SYNC_ID_BYTES } from '../lib/protocol/limits'
import { generateKeyPair } from '../lib/protocol/crypto'
import { MemMesh } from './helpers/mesh'
import { here, rawPeer, until, victimNode, wait, type RawPeer } from './helpers/raw-peer'

const PRESENCE_ON = { timing: { tickMs: 20, presenceIntervalMs: 30_000 }, maxLinks: 64 }
/** Members in the big room: more than one offer frame lists. */
const BIG = 7000
const OLD_STYLE = HelloFlag.SHAREABLE | HelloFlag.ROSTER_SYNC
const TAKES_PARTS = OLD_STYLE | HelloFlag.ROSTER_RANGES

const offersTo = (p: RawPeer): RosterOffer[] => p.frames.filter(f => f[0] === FrameType.ROSTER_OFFER).map(f => decodeRosterOffer(f))
const shortHex = (f: Buffer): string => decodeFlood(f).id.toString('hex', 0, SYNC_ID_BYTES)
const keyHex = (f: Buffer): string => decodeFlood(f).author.toString('hex')

/** Signed announcements of `n` members, each with a key of its own. */
const members = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => here(generateKeyPair(), { nick: `m${i}` }))

/**
 * Lists `frames` at `node` by roster sync, a thousand (one link's budget)
 * through each of several raw peers of the previous version, each answering
 * the offer the node sends it on link-up.
 */
async function fill (node: MeshNode, frames: Buffer[]): Promise<boolean> {
  const before = node.who('lobby').length
  for (let i = 0; i < frames.length; i += 1000) {
    const p = rawPeer(node)
    p.hello(undefined, ['lobby'], OLD_STYLE)
    if (!await until(() => offersTo(p).length > 0)) return false
    for (let k = i; k < Math.min(i + 1000, frames.length); k += 200) p.link.send(encodeRosterData({ room: 'lobby', frames: frames.slice(k, Math.min(k + 200, i + 1000, frames.length)) }))
  }
  return until(() => node.who('lobby').length === before + frames.length, 30_000)
}

test('roster parts: 12,257 announcements split into key ranges of at most 6,000 ids, one after another, each key in one part', (t) => {
  const keys = Array.from({ length: 12_000 }, () => randomBytes(32).toString('hex')).sort()
  const held: Held[] = keys.map(key => ({ key, said: said({ frame: Buffer.alloc(1), id: randomBytes(32), ts: 0 }) }))
  // A gateway (member 5,900) and its 256 guests share one key, where the first part would end.
  const gateway = keys[5_900]
  for (let g = 0; g < 256; g++) held.push({ key: gateway, said: said({ frame: Buffer.alloc(1), id: randomBytes(32), ts: 0 }) })
  const parts = offerParts(held)
  t.ok(parts.length >= 3 && parts.length <= MAX_ROSTER_OFFER_PARTS, `${parts.length} parts (at most ${MAX_ROSTER_OFFER_PARTS})`)
  t.ok(parts.every(p => p.ids.length <= MAX_ROSTER_OFFER_IDS), 'none over one frame\'s ids')
  t.equal(new Set(parts.flatMap(p => p.ids.map(id => id.toString('hex')))).size, held.length, 'every announcement in exactly one part')
  t.ok(parts[0].from === undefined && parts[parts.length - 1].to === undefined, 'the first is open below, the last above')
  t.ok(parts.slice(1).every((p, i) => p.from!.equals(parts[i].to!)), 'each starts where the one before ended')
  const partOf = (key: string) => parts.findIndex(p => (!p.from || key >= p.from.toString('hex')) && (!p.to || key < p.to.toString('hex')))
  const gatewayIds = new Set(held.filter(h => h.key === gateway).map(h => h.said.id.toString('hex', 0, SYNC_ID_BYTES)))
  t.equal(parts[partOf(gateway)].ids.filter(id => gatewayIds.has(id.toString('hex'))).length, 257, 'the gateway and all its guests in the part its key falls in')
  t.end()
})

test('roster parts: an offer\'s key range travels as a trailing field, absent for the whole roster, and bad range flags are refused', (t) => {
  const from = randomBytes(32)
  const to = randomBytes(32)
  const ids = [randomBytes(SYNC_ID_BYTES)]
  const both = decodeRosterOffer(encodeRosterOffer({ room: 'lobby', reply: true, ids, from, to }))
  t.ok(both.from!.equals(from) && both.to!.equals(to) && both.ids[0].equals(ids[0]) && both.reply, 'from and to round-trip')
  const upper = decodeRosterOffer(encodeRosterOffer({ room: 'lobby', reply: false, ids, to }))
  t.ok(upper.from === undefined && upper.to!.equals(to), 'an open lower end stays open')
  const whole = encodeRosterOffer({ room: 'lobby', reply: false, ids })
  const plain = decodeRosterOffer(whole)
  t.ok(plain.from === undefined && plain.to === undefined, 'no range: the whole roster, the frame an older node sends and reads')
  t.throws(() => decodeRosterOffer(Buffer.concat([whole, Buffer.from([4])])), /FRAME_INVALID|range flags/, 'an unknown range flag is refused')
  t.throws(() => decodeRosterOffer(Buffer.concat([whole, Buffer.from([1, 7])])), /FRAME_TRUNCATED|ended early/, 'a range key cut short is refused')
  t.end()
})

test(`roster parts: a node listing ${BIG} members offers them in parts to a peer that takes parts (one frame to an older one), and answers an offer in parts with just what the peer lacks, as one answer`, async (t) => {
  t.timeoutAfter(90_000)
  const { node, faults } = victimNode(t, PRESENCE_ON)
  const made = members(BIG)
  t.ok(await fill(node, made), `the node lists ${BIG} members`)
  const held = node.who('lobby').length

  const older = rawPeer(node)
  older.hello(undefined, ['lobby'], OLD_STYLE)
  t.ok(await until(() => offersTo(older).length === 1), 'a peer of the previous version is offered the room')
  t.ok(offersTo(older)[0].ids.length === MAX_ROSTER_OFFER_IDS && offersTo(older)[0].to === undefined, `in one frame of ${MAX_ROSTER_OFFER_IDS} ids, with no range`)

  const peer = rawPeer(node)
  peer.hello(undefined, ['lobby'], TAKES_PARTS)
  t.ok(await until(() => offersTo(peer).length >= 2), 'a peer that takes parts is offered the room in parts')
  const parts = offersTo(peer)
  t.equal(parts.reduce((k, p) => k + p.ids.length, 0), held, `together they list all ${held} announcements the node holds, its own included`)
  t.ok(parts.slice(1).every((p, i) => p.from!.equals(parts[i].to!)) && !parts[0].from && !parts[parts.length - 1].to, 'in consecutive key ranges')

  // The peer offers back in two parts, lacking every 140th member.
  const sorted = [...made].sort((a, b) => (keyHex(a) < keyHex(b) ? -1 : 1))
  const lacking = new Set(sorted.filter((_, i) => i % 140 === 0).map(shortHex))
  const mid = Buffer.from(keyHex(sorted[BIG / 2]), 'hex')
  const listed = (fs: Buffer[]) => fs.map(shortHex).filter(id => !lacking.has(id)).map(id => Buffer.from(id, 'hex'))
  const before = peer.frames.length
  peer.link.send(encodeRosterOffer({ room: 'lobby', reply: false, ids: listed(sorted.slice(0, BIG / 2)), to: mid }))
  peer.link.send(encodeRosterOffer({ room: 'lobby', reply: false, ids: listed(sorted.slice(BIG / 2)), from: mid }))
  const answered = () => peer.frames.slice(before).filter(f => f[0] === FrameType.ROSTER_DATA).flatMap(f => decodeRosterData(f).frames).map(shortHex)
  t.ok(await until(() => [...lacking].every(id => answered().includes(id))), `the node sent the ${lacking.size} members the peer lacks`)
  const node0 = node.id
  const extra = answered().filter(id => !lacking.has(id))
  t.ok(extra.length <= 1 && peer.frames.slice(before).filter(f => f[0] === FrameType.ROSTER_DATA).flatMap(f => decodeRosterData(f).frames).every(f => lacking.has(shortHex(f)) || keyHex(f) === node0), 'and nothing else but its own announcement (which the peer did not list)')
  t.notOk(faults.some(f => f.code === 'SYNC_FLOOD' || f.code === 'FRAME_INVALID'), 'the two parts were one answer, no fault')
})

test(`roster parts: two nodes of a ${BIG}-member room that meet send each other only what the other lacks (one offer frame's roster at most, not up to 1 MiB)`, async (t) => {
  t.timeoutAfter(120_000)
  const mesh = new MemMesh(2, PRESENCE_ON)
  t.teardown(() => mesh.close())
  const [a, b] = mesh.nodes
  const shared = members(BIG)
  const onlyA = members(50)
  t.ok(await fill(a, [...shared, ...onlyA]) && await fill(b, shared), 'both list the room, a 50 more')
  const [aEnd, bEnd] = mesh.connect(0, 1)
  const dataBytes = (end: typeof aEnd) => { let n = 0; end.on('frame', (f: Buffer) => { if (f[0] === FrameType.ROSTER_DATA) n += f.byteLength }); return () => n }
  const toB = dataBytes(bEnd)
  const toA = dataBytes(aEnd)
  t.ok(await until(() => b.who('lobby').length === BIG + 50 + 2 && a.who('lobby').some(m => m.peer === b.id), 10_000), 'b lists a and the 50 members only a listed, a lists b')
  await wait(300)
  // 51 announcements of about 200 bytes; before parts, b's offer listed 6,000 of its 7,001 and a sent it the other 1,001 again (about 200 KB).
  t.ok(toB() < 16 * 1024, `a sent b ${toB()} bytes of roster data`)
  t.ok(toA() < 1024, `b sent a ${toA()} bytes (its own announcement)`)
})

/** Raw peer `p` offers `parts` key ranges of nothing, the last asking for an offer back; resolves once the node's offer back came (every part was read). */
async function offerChain (p: RawPeer, ranges: Array<{ from?: Buffer; to?: Buffer }>): Promise<boolean> {
  const before = offersTo(p).length
  ranges.forEach((r, i) => p.link.send(encodeRosterOffer({ room: 'lobby', reply: i === ranges.length - 1, ids: [], ...r })))
  return until(() => offersTo(p).length > before)
}

test(`roster parts: up to ${MAX_ROSTER_OFFER_PARTS} consecutive parts are one answer of the budget; a part past that, or one that does not start where the last ended, is charged as an offer of its own (SYNC_FLOOD past the budget)`, async (t) => {
  t.timeoutAfter(20_000)
  const keys = Array.from({ length: 8 * MAX_ROSTER_OFFER_PARTS }, () => randomBytes(32)).sort(Buffer.compare)
  const chained = (n: number, at = 0) => Array.from({ length: n }, (_, i) => ({ ...(i + at > 0 ? { from: keys[i + at - 1] } : {}), to: keys[i + at] }))

  const { node, faults } = victimNode(t, PRESENCE_ON)
  const floods = () => faults.filter(f => f.code === 'SYNC_FLOOD').length
  const peer = rawPeer(node)
  peer.hello(undefined, ['lobby'], TAKES_PARTS)
  t.ok(await until(() => offersTo(peer).length === 1), 'offered on link-up')
  // The budget is 4 answers at once: 4 rounds of the most parts a round may have all fit.
  t.ok(await offerChain(peer, chained(4 * MAX_ROSTER_OFFER_PARTS)), `${4 * MAX_ROSTER_OFFER_PARTS} consecutive parts read`)
  t.equal(floods(), 0, 'as 4 answers: no SYNC_FLOOD')
  peer.link.send(encodeRosterOffer({ room: 'lobby', reply: false, ids: [], from: keys[4 * MAX_ROSTER_OFFER_PARTS - 1], to: keys[4 * MAX_ROSTER_OFFER_PARTS] }))
  t.ok(await until(() => floods() === 1), 'the next part, though it continues the chain, is a fifth answer: SYNC_FLOOD')

  const { node: other, faults: otherFaults } = victimNode(t, PRESENCE_ON)
  const p2 = rawPeer(other)
  p2.hello(undefined, ['lobby'], TAKES_PARTS)
  t.ok(await until(() => offersTo(p2).length === 1), 'another node offered on link-up')
  // Each part starts somewhere else than where the one before ended.
  const scattered = Array.from({ length: 4 }, (_, i) => ({ from: keys[2 * i + 1], to: keys[2 * i + 2] }))
  t.ok(await offerChain(p2, scattered), '4 parts that do not continue each other read')
  t.equal(otherFaults.filter(f => f.code === 'SYNC_FLOOD').length, 0, 'as 4 answers')
  p2.link.send(encodeRosterOffer({ room: 'lobby', reply: false, ids: [], from: keys[20], to: keys[21] }))
  t.ok(await until(() => otherFaults.some(f => f.code === 'SYNC_FLOOD')), 'a fifth is over the budget: SYNC_FLOOD')
})
