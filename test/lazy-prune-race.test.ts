// Lazy push when a PRUNE and a message cross on a link (core/lazy-push.ts,
// adopt and duplicate): the pruned link's copy, already on its way, arrives
// first. Plumtree would make that link the parent and prune the real one,
// leaving no link that pushes to this node: every later message would come
// a GRAFT timeout late. Driven by raw link ends, so the crossing is exact.
import test from 'tape'
import { generateKeyPair } from '../lib/protocol/crypto'
import { FrameType, HelloFlag } from '../lib/protocol/frames'
import { encodeIHave, encodePrune } from '../lib/protocol/lazy-frames'
import { SYNC_ID_BYTES } from '../lib/protocol/limits'
import { rawPeer, chat, until, victimNode, type RawPeer } from './helpers/raw-peer'

const LAZY = HelloFlag.SHAREABLE | HelloFlag.LAZY_PUSH
const count = (p: RawPeer, type: number) => p.frames.filter(f => f[0] === type).length
const whole = (p: RawPeer, text: string) => p.frames.some(f => f[0] === FrameType.FLOOD && f.includes(Buffer.from(text)))

async function triangle (t: test.Test) {
  const { node, messages } = victimNode(t, { timing: { tickMs: 20, presenceIntervalMs: 0, ihaveDelayMs: 5, graftTimeoutMs: 5000 } })
  const [a, b, c] = [rawPeer(node), rawPeer(node), rawPeer(node)]
  for (const p of [a, b, c]) p.hello(undefined, ['lobby'], LAZY)
  await until(() => node.peers().length === 3)
  const author = generateKeyPair()
  const got = (text: string) => until(() => messages.some(m => m.text === text))
  // m1 comes from a (the parent), then from b: b is pruned.
  const m1 = chat(author, 'm1')
  a.link.send(m1.frame)
  t.ok(await got('m1'), 'm1 delivered')
  b.link.send(m1.frame)
  t.ok(await until(() => count(b, FrameType.PRUNE) === 1), 'the copy from b is a duplicate: b is pruned')
  return { node, messages, a, b, c, author, got }
}

test('lazy push: a copy that crossed our PRUNE does not take the parent\'s place; the parent is not pruned', async (t) => {
  t.timeoutAfter(10_000)
  const { a, b, c, author, got } = await triangle(t)
  // b sent m2 before our PRUNE reached it: its copy comes first, a's second.
  const m2 = chat(author, 'm2')
  b.link.send(m2.frame)
  t.ok(await got('m2'), 'm2 delivered (from b)')
  a.link.send(m2.frame)
  t.ok(await until(() => count(b, FrameType.PRUNE) === 2), 'b, still sending whole copies, is told again')
  // The link is FIFO: once m3 from a has gone on to c, any PRUNE for m2's copy from a would have gone out before it.
  a.link.send(chat(author, 'm3').frame)
  t.ok(await until(() => whole(c, 'm3')), 'm3 from a went on whole to c')
  t.equal(count(a, FrameType.PRUNE), 0, 'a, the parent, was never pruned (it is the only link still pushing)')
  t.equal(count(b, FrameType.EAGER), 0, 'and b is not asked to push again')
})

test('lazy push: when the parent prunes this node, the next whole copy from a lazy link makes it the parent again (EAGER)', async (t) => {
  t.timeoutAfter(10_000)
  const { a, b, author, got } = await triangle(t)
  a.link.send(encodePrune({ room: 'lobby', root: author.publicKey }))
  // a's link is FIFO: once a later message from a is delivered, so is the PRUNE.
  a.link.send(chat(generateKeyPair(), 'after the prune').frame)
  t.ok(await got('after the prune'), 'the PRUNE from a was handled')
  b.link.send(chat(author, 'm2').frame)
  t.ok(await got('m2'), 'm2 delivered (from b)')
  t.ok(await until(() => count(b, FrameType.EAGER) === 1), 'b is told to push again: no link pushed to this node any more')
  t.equal(count(b, FrameType.PRUNE), 1, 'and not pruned again')
})

test('lazy push: the link that answers our GRAFT becomes the parent, even with a parent that stopped pushing; it is not pruned', async (t) => {
  t.timeoutAfter(10_000)
  const { node, messages } = victimNode(t, { timing: { tickMs: 20, presenceIntervalMs: 0, ihaveDelayMs: 5, graftTimeoutMs: 50 } })
  const [a, b] = [rawPeer(node), rawPeer(node)]
  for (const p of [a, b]) p.hello(undefined, ['lobby'], LAZY)
  await until(() => node.peers().length === 2)
  const author = generateKeyPair()
  const got = (text: string) => until(() => messages.some(m => m.text === text))
  const m1 = chat(author, 'm1')
  a.link.send(m1.frame)
  t.ok(await got('m1'), 'm1 from a: a is the parent')
  b.link.send(m1.frame)
  t.ok(await until(() => count(b, FrameType.PRUNE) === 1), 'b, bringing a duplicate, is pruned')
  // a stops pushing; b announces m2 and, asked for it, sends it.
  const m2 = chat(author, 'm2')
  b.link.send(encodeIHave({ room: 'lobby', entries: [{ id: m2.id.subarray(0, SYNC_ID_BYTES), hops: 1 }] }))
  t.ok(await until(() => count(b, FrameType.GRAFT) === 1), 'm2 is asked of b')
  b.link.send(m2.frame)
  t.ok(await got('m2'), 'm2 delivered from b')
  const m3 = chat(author, 'm3')
  b.link.send(m3.frame)
  t.ok(await got('m3'), 'm3 delivered from b')
  t.equal(count(b, FrameType.PRUNE), 1, 'b, now the parent, is not pruned for answering (it made this node eager when it answered)')
})
