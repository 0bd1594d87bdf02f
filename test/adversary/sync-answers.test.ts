// Row 6 of the hardening issue, the end of an answer: after a sync frame that
// replays what this node's offer listed the rest of that answer is not read,
// frames no offer asked for close the link, and messages that reached this
// node another way after its offer (live, or another neighbour's answer) are
// no fault. In process, over memory links.
import test from 'tape'
import { generateKeyPair } from '../../lib/protocol/crypto'
import { encodeSyncData, FrameType } from '../../lib/protocol/frames'
import { SYNC_ANSWER_GRACE_MS } from '../../lib/core/sync'
import { rawPeer, linkedMember, chat, until, victimNode as victim, NOT_YOUNG } from '../helpers/raw-peer'
import { PENALTY, SYNC_USELESS_UNIT } from '../../lib/core/link-session'
import { MeshNode } from '../../lib/core/node'
import { MAX_SYNC_OFFER_IDS } from '../../lib/protocol/limits'

/** A victim that holds `n` messages of one author, and the raw member that sent them. */
async function memberHolding (t: test.Test, n: number) {
  // One author's n messages at once: over the default author burst (20), so raised, and the author is not held as young.
  const v = victim(t, { authorBurst: Math.max(100, n), timing: NOT_YOUNG })
  const kp = generateKeyPair()
  const member = await linkedMember(v.node)
  const held = Array.from({ length: n }, (_, i) => chat(kp, `held ${i}`))
  for (const m of held) member.link.send(m.frame)
  t.ok(await until(() => v.messages.length === n), `the victim holds ${n} messages`)
  return { v, kp, member, held }
}

test('row 6: after an answer frame of nothing new, the rest of that answer is not read', async (t) => {
  t.timeoutAfter(15_000)
  const { v, kp, held } = await memberHolding(t, 50)
  // Linked once the victim holds the messages: its offer to this member lists them.
  const member = await linkedMember(v.node)
  const before = v.node.stats().received
  const replay = encodeSyncData({ room: 'lobby', frames: held.map(m => m.frame) })
  // Four: the three unread ones cost 3 x PENALTY.SYNC_UNSOLICITED, under what closes the link, so the marker can follow.
  for (let i = 0; i < 4; i++) member.link.send(replay)
  member.link.send(chat(kp, 'marker').frame)
  t.ok(await until(() => v.messages.some(m => m.text === 'marker')), 'a live message sent after the replays arrived')
  t.equal(v.node.stats().received - before, held.length + 1, `one frame of the ${4 * held.length} replayed messages was judged (then the marker); the other 3 were not read`)
  t.ok(v.faults.some(f => f.code === 'SYNC_USELESS'), 'the first was SYNC_USELESS')
  t.ok(v.faults.some(f => f.code === 'SYNC_UNSOLICITED'), 'the rest SYNC_UNSOLICITED')
})

test(`row 6: ${100 / PENALTY.SYNC_UNSOLICITED} sync data frames no offer asked for close the link (PENALTY.SYNC_UNSOLICITED each)`, async (t) => {
  t.timeoutAfter(10_000)
  const { v, held } = await memberHolding(t, 1)
  const peer = await linkedMember(v.node)
  // A frame of nothing new ends the answer; after it, every frame is unasked for. One message a frame:
  // under the old rule (1 point per 32 messages) ten would cost 10 of the 100 points that close a link.
  const frame = encodeSyncData({ room: 'lobby', frames: [held[0].frame] })
  for (let i = 0; i < 1 + 100 / PENALTY.SYNC_UNSOLICITED; i++) peer.link.send(frame)
  t.ok(await until(() => peer.link.closed, 5000), 'the link is closed')
  t.ok(v.faults.some(f => f.code === 'SYNC_UNSOLICITED'), 'after SYNC_UNSOLICITED')
})

test('messages that reached the victim after its offer are no fault in the answer, and do not end it; a replay of what the offer listed is SYNC_USELESS', async (t) => {
  t.timeoutAfter(10_000)
  // The member linked first: the victim's offer to it listed nothing, and the held messages came live after it.
  const { v, kp, member, held } = await memberHolding(t, 3 * SYNC_USELESS_UNIT)
  member.link.send(encodeSyncData({ room: 'lobby', frames: held.map(m => m.frame) }))
  t.ok(await until(() => v.node.stats().sync.answersRacedLive === 1), 'counted as an answer that raced messages come another way')
  const more = chat(kp, 'in the same answer')
  member.link.send(encodeSyncData({ room: 'lobby', frames: [more.frame] }))
  t.ok(await until(() => v.messages.some(m => m.text === 'in the same answer')), 'the rest of that answer is still read')
  t.deepEqual(v.faults.map(f => f.code), [], 'no fault')
  const late = await linkedMember(v.node)
  late.link.send(encodeSyncData({ room: 'lobby', frames: held.slice(0, 3).map(m => m.frame) }))
  t.ok(await until(() => v.faults.some(f => f.code === 'SYNC_USELESS')), 'the same three from a member the victim offered them to: SYNC_USELESS')
})

test('a newcomer that gets the same history from two neighbours at once faults neither', async (t) => {
  t.timeoutAfter(10_000)
  const v = victim(t, { authorBurst: 1000, timing: NOT_YOUNG })
  const kp = generateKeyPair()
  const history = Array.from({ length: 600 }, (_, i) => chat(kp, `old ${i}`, { ts: Date.now() - 60_000 + i }))
  const answer = [history.slice(0, 256), history.slice(256, 512), history.slice(512)].map(ms => encodeSyncData({ room: 'lobby', frames: ms.map(m => m.frame) }))
  const [a, b] = await Promise.all([linkedMember(v.node), linkedMember(v.node)])
  for (const f of answer) a.link.send(f)
  t.ok(await until(() => v.messages.length === history.length), `all ${history.length} from the first answer`)
  for (const f of answer) b.link.send(f)
  t.ok(await until(() => v.node.stats().sync.answersRacedLive === answer.length), 'the second answer read to its end, every frame nothing new')
  t.deepEqual(v.faults.map(f => f.code), [], 'no fault')
  t.notOk(a.link.closed || b.link.closed, 'both links up')
  t.equal(v.messages.length, history.length, 'each message once')
})

test('a history longer than one sync offer can list is refused (BAD_OPTION): honest answers would read as replays', (t) => {
  let code = ''
  try { new MeshNode({ keyPair: generateKeyPair(), nick: 'v', historySize: MAX_SYNC_OFFER_IDS + 1 }) } catch (err) { code = (err as { code: string }).code }
  t.equal(code, 'BAD_OPTION', `historySize ${MAX_SYNC_OFFER_IDS + 1} is refused`)
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'v', historySize: MAX_SYNC_OFFER_IDS })
  t.equal(node.historySize('lobby'), 0, `historySize ${MAX_SYNC_OFFER_IDS} is taken`)
  t.end()
})

test(`an answer to an earlier offer that arrives after a re-offer is judged from the earlier one (SYNC_ANSWER_GRACE_MS, ${SYNC_ANSWER_GRACE_MS / 1000} s)`, async (t) => {
  t.timeoutAfter(10_000)
  const v = victim(t, { authorBurst: 100, timing: NOT_YOUNG })
  const kp = generateKeyPair()
  const slow = rawPeer(v.node)
  const quick = rawPeer(v.node)
  slow.hello()
  quick.hello()
  const offers = (p: typeof slow) => p.frames.filter(f => f[0] === FrameType.SYNC_OFFER).length
  await until(() => offers(slow) > 0 && offers(quick) > 0)
  // The quick neighbour answers first: the victim learns 40 messages and re-offers the room to the slow one.
  const learnt = Array.from({ length: 40 }, (_, i) => chat(kp, `learnt ${i}`, { ts: Date.now() - 10_000 + i }))
  quick.link.send(encodeSyncData({ room: 'lobby', frames: learnt.map(m => m.frame) }))
  t.ok(await until(() => offers(slow) === 2), 'the slow neighbour got a second offer, listing the 40')
  // Then the slow one's answer to the first offer comes: the same 40, which that offer did not list.
  slow.link.send(encodeSyncData({ room: 'lobby', frames: learnt.map(m => m.frame) }))
  t.ok(await until(() => v.node.stats().sync.answersRacedLive === 1), 'read as messages that came another way')
  t.deepEqual(v.faults.map(f => f.code), [], 'no SYNC_USELESS: judged from the first offer')
})
