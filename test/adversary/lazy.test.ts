// A hostile peer against lazy push (core/lazy-push.ts), in process over
// memory links: announcements of ids that never come, GRAFTs asking for the
// same message over and over, malformed frames and PRUNEs of trees the node
// never had. Each is bounded, coded, and honest traffic keeps flowing.
import test from 'tape'
import { generateKeyPair } from '../../lib/protocol/crypto'
import { FrameType, HelloFlag } from '../../lib/protocol/frames'
import { decodeGraft, decodeIHave, encodeGraft, encodeIHave, encodePrune } from '../../lib/protocol/lazy-frames'
import { MAX_IHAVE_IDS, SYNC_ID_BYTES } from '../../lib/protocol/limits'
import { GRAFT_ANSWER_BURST, MAX_MISSING_PER_LINK } from '../../lib/core/lazy-push'
import { rawPeer, chat, until, victimNode, type RawPeer } from '../helpers/raw-peer'
import crypto from 'crypto'

const LAZY = HelloFlag.SHAREABLE | HelloFlag.LAZY_PUSH

async function victim (t: test.Test) {
  const { node, messages, faults } = victimNode(t, { timing: { tickMs: 20, presenceIntervalMs: 0, ihaveDelayMs: 5, graftTimeoutMs: 30 } })
  const peers: RawPeer[] = [rawPeer(node), rawPeer(node)]
  for (const p of peers) p.hello(undefined, ['lobby'], LAZY)
  await until(() => node.peers().length === 2)
  return { node, messages, faults, attacker: peers[0], honest: peers[1] }
}

const of = (p: RawPeer, type: number) => p.frames.filter(f => f[0] === type)

test('lazy push: ids announced and never sent cost at most MAX_MISSING_PER_LINK GRAFTed ids; honest messages still arrive', async (t) => {
  t.timeoutAfter(15_000)
  const { node, messages, attacker, honest } = await victim(t)
  const frames = 10
  for (let i = 0; i < frames; i++) {
    attacker.link.send(encodeIHave({ room: 'lobby', entries: Array.from({ length: MAX_IHAVE_IDS }, () => ({ id: crypto.randomBytes(SYNC_ID_BYTES), hops: 1 })) }))
  }
  const grafted = () => of(attacker, FrameType.GRAFT).reduce((k, f) => k + decodeGraft(f).ids.length, 0)
  t.ok(await until(() => grafted() >= MAX_MISSING_PER_LINK), 'the node asked for the ids it took on')
  const author = generateKeyPair()
  honest.link.send(chat(author, 'still here').frame)
  t.ok(await until(() => messages.some(m => m.text === 'still here')), 'an honest message arrived meanwhile')
  // Every GRAFT for the first batch has gone out once the honest message's round trip is done and the timer ran again.
  await until(() => node.stats().lazy.gaveUp >= MAX_MISSING_PER_LINK, 5000)
  t.equal(grafted(), MAX_MISSING_PER_LINK, `${frames * MAX_IHAVE_IDS} ids announced, ${MAX_MISSING_PER_LINK} asked for (each once: one link holds them)`)
  t.equal(node.peers().length, 2, 'both links stay up')
})

test('lazy push: a GRAFT asking for one message again and again is answered GRAFT_ANSWER_BURST times, then costs score (GRAFT_FLOOD)', async (t) => {
  t.timeoutAfter(15_000)
  const { node, faults, attacker, honest } = await victim(t)
  const author = generateKeyPair()
  const m = chat(author, 'wanted')
  honest.link.send(m.frame)
  t.ok(await until(() => of(attacker, FrameType.FLOOD).length === 1), 'the message went on to the other link')
  const id = m.id.subarray(0, SYNC_ID_BYTES)
  const asks = GRAFT_ANSWER_BURST + 200
  for (let i = 0; i < asks; i += 100) attacker.link.send(encodeGraft({ room: 'lobby', ids: Array.from({ length: 100 }, () => id) }))
  t.ok(await until(() => faults.some(f => f.code === 'GRAFT_FLOOD')), 'GRAFT_FLOOD reported')
  // The link is FIFO: once a later message is at the attacker, every answer is too.
  honest.link.send(chat(author, 'marker').frame)
  t.ok(await until(() => of(attacker, FrameType.FLOOD).some(f => f.includes(Buffer.from('marker')))), 'a later message reached the attacker')
  const answers = of(attacker, FrameType.FLOOD).length - 2
  t.ok(answers >= GRAFT_ANSWER_BURST && answers < GRAFT_ANSWER_BURST + 100, `${asks} asks, ${answers} answers`)
  t.ok(node.stats().lazy.graftAnswers <= GRAFT_ANSWER_BURST + 100, 'answers counted')
})

test('lazy push: an IHAVE over MAX_IHAVE_IDS closes the link with FRAME_INVALID; the other link stays', async (t) => {
  t.timeoutAfter(10_000)
  const { node, faults, attacker } = await victim(t)
  const ok = encodeIHave({ room: 'lobby', entries: [{ id: crypto.randomBytes(SYNC_ID_BYTES), hops: 1 }] })
  // Rewrite the entry count (a one-byte varint after type and room) to MAX_IHAVE_IDS + 1.
  const bad = Buffer.concat([ok.subarray(0, 2 + 'lobby'.length), Buffer.from([0xfd]), Buffer.from(Uint16Array.of(MAX_IHAVE_IDS + 1).buffer), ok.subarray(3 + 'lobby'.length)])
  attacker.link.send(bad)
  t.ok(await until(() => faults.some(f => f.code === 'FRAME_INVALID' && /ihave/.test(f.message))), 'FRAME_INVALID, naming the ihave list')
  t.ok(await until(() => node.peers().length === 1), 'the attacker\'s link is closed, the other stays')
})

test('lazy push: a PRUNE for a tree the node never had changes nothing; after a real one only ids go to that link', async (t) => {
  t.timeoutAfter(10_000)
  const { attacker, honest } = await victim(t)
  const author = generateKeyPair()
  // Before any of the author's messages went through the node: ignored.
  attacker.link.send(encodePrune({ room: 'lobby', root: author.publicKey }))
  const first = chat(author, 'first')
  honest.link.send(first.frame)
  const firsts = () => of(attacker, FrameType.FLOOD).filter(f => f.includes(Buffer.from('first'))).length
  t.ok(await until(() => firsts() === 1), 'the first message came whole')
  // A GRAFT naming another room is not answered; the same GRAFT naming the message's room is (the link is FIFO).
  attacker.link.send(encodeGraft({ room: 'other', ids: [first.id.subarray(0, SYNC_ID_BYTES)] }))
  attacker.link.send(encodeGraft({ room: 'lobby', ids: [first.id.subarray(0, SYNC_ID_BYTES)] }))
  t.ok(await until(() => firsts() === 2), 'the GRAFT naming its room was answered')
  t.equal(firsts(), 2, 'the one naming another room was not')
  attacker.link.send(encodePrune({ room: 'lobby', root: author.publicKey }))
  const second = chat(author, 'second')
  honest.link.send(second.frame)
  const short = second.id.subarray(0, SYNC_ID_BYTES)
  t.ok(await until(() => of(attacker, FrameType.IHAVE).some(f => decodeIHave(f).entries.some(e => e.id.equals(short)))), 'after the PRUNE the next came as an id')
  t.notOk(of(attacker, FrameType.FLOOD).some(f => f.includes(Buffer.from('second'))), 'and not whole')
})
