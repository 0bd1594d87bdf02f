// Row 6 of the hardening issue, the end of an answer: after a sync frame of
// nothing new the rest of that answer is not read, frames no offer asked
// for close the link, and a few messages that raced the answer live are no
// fault. In process, over memory links.
import test from 'tape'
import { generateKeyPair } from '../../lib/protocol/crypto'
import { encodeSyncData } from '../../lib/protocol/frames'
import { rawPeer, chat, until, victimNode as victim } from '../helpers/raw-peer'
import { PENALTY, SYNC_USELESS_UNIT } from '../../lib/core/link-session'

/** A victim that holds `n` messages of one author, and the raw member that sent them. */
async function memberHolding (t: test.Test, n: number) {
  // One author's n messages at once: over the default author burst (20), so raised.
  const v = victim(t, { authorBurst: Math.max(100, n) })
  const kp = generateKeyPair()
  const member = rawPeer(v.node)
  member.hello()
  await until(() => member.frames.length > 0)
  const held = Array.from({ length: n }, (_, i) => chat(kp, `held ${i}`))
  for (const m of held) member.link.send(m.frame)
  t.ok(await until(() => v.messages.length === n), `the victim holds ${n} messages`)
  return { v, kp, member, held }
}

test('row 6: after an answer frame of nothing new, the rest of that answer is not read', async (t) => {
  t.timeoutAfter(15_000)
  const { v, kp, member, held } = await memberHolding(t, 50)
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
  const { v, member: peer, held } = await memberHolding(t, 1)
  // A frame of nothing new ends the answer; after it, every frame is unasked for. One message a frame:
  // under the old rule (1 point per 32 messages) ten would cost 10 of the 100 points that close a link.
  const frame = encodeSyncData({ room: 'lobby', frames: [held[0].frame] })
  for (let i = 0; i < 1 + 100 / PENALTY.SYNC_UNSOLICITED; i++) peer.link.send(frame)
  t.ok(await until(() => peer.link.closed, 5000), 'the link is closed')
  t.ok(v.faults.some(f => f.code === 'SYNC_UNSOLICITED'), 'after SYNC_UNSOLICITED')
})

test('an answer frame of a few messages that came live meanwhile ends the answer without a fault; a replay of more is SYNC_USELESS', async (t) => {
  t.timeoutAfter(10_000)
  const { v, member, held } = await memberHolding(t, SYNC_USELESS_UNIT)
  member.link.send(encodeSyncData({ room: 'lobby', frames: held.slice(0, 3).map(m => m.frame) }))
  t.ok(await until(() => v.node.stats().sync.answersRacedLive === 1), 'counted as an answer that raced live messages')
  t.notOk(v.faults.some(f => f.code === 'SYNC_USELESS'), 'no SYNC_USELESS for it')
  member.link.send(encodeSyncData({ room: 'lobby', frames: held.map(m => m.frame) }))
  t.ok(await until(() => v.faults.some(f => f.code === 'SYNC_UNSOLICITED')), 'what follows is past the answer it ended: SYNC_UNSOLICITED')
})
