// Lazy push (core/lazy-push.ts) against raw peers that speak it, frame by
// frame: every duplicate is answered by a PRUNE, a copy held at the hop
// limit is asked for again once, not once per announcer, a PRUNE that
// crossed this node's move to a new parent does not cut the tree, and an
// own message goes whole to some link when its copied tree has none eager.
// (Whole meshes: lazy-push.test.ts.)
import test from 'tape'
import { rawPeer, chat, until, victimNode, wait, type RawPeer } from './helpers/raw-peer'
import type { MeshNode } from '../lib/core/node'
import { generateKeyPair } from '../lib/protocol/crypto'
import { FrameType, HelloFlag } from '../lib/protocol/frames'
import { withHops } from '../lib/protocol/envelope'
import { decodeGraft, encodeGraft, encodeIHave, encodePrune } from '../lib/protocol/lazy-frames'
import { SYNC_ID_BYTES } from '../lib/protocol/limits'

/** A node under test (fast ticks, presence off) with `peers` raw peers that speak lazy push in 'lobby', all linked. */
async function lazyPeers (t: test.Test, peers: number, opts: { ttl?: number; graftTimeoutMs: number }): Promise<{ node: MeshNode; peers: RawPeer[] }> {
  const { node } = victimNode(t, { ...(opts.ttl ? { ttl: opts.ttl } : {}), timing: { tickMs: 20, presenceIntervalMs: 0, ihaveDelayMs: 5, graftTimeoutMs: opts.graftTimeoutMs } })
  const raw = Array.from({ length: peers }, () => rawPeer(node))
  for (const p of raw) p.hello(undefined, ['lobby'], HelloFlag.SHAREABLE | HelloFlag.LAZY_PUSH)
  await until(() => node.peers().length === peers)
  return { node, peers: raw }
}

test('lazy push: every duplicate copy is answered by a PRUNE, not only the first (the far end may still send whole)', async (t) => {
  t.timeoutAfter(10_000)
  const { node, peers: [far, honest] } = await lazyPeers(t, 2, { graftTimeoutMs: 30 })
  const author = generateKeyPair()
  const prunes = () => far.frames.filter(f => f[0] === FrameType.PRUNE).length
  for (let i = 0; i < 3; i++) {
    const m = chat(author, `dup ${i}`)
    honest.link.send(m.frame)
    // The far end sends each message back whole, as a peer that still holds the link eager would.
    t.ok(await until(() => node.stats().accepted > i), `message ${i} accepted`)
    far.link.send(m.frame)
    t.ok(await until(() => prunes() === i + 1), `duplicate ${i} answered by PRUNE ${i + 1}`)
  }
})

test('lazy push: a copy held at the hop limit is asked for again from one announcer of a shorter way, not from each', async (t) => {
  t.timeoutAfter(10_000)
  // Hop limit 2; the wait before asking another announcer is long, so the test sees only the first asks.
  const { node, peers: [honest, a, b] } = await lazyPeers(t, 3, { ttl: 2, graftTimeoutMs: 5000 })
  const author = generateKeyPair()
  const marker = chat(author, 'marker')
  const edge = chat(author, 'edge')
  honest.link.send(marker.frame)
  honest.link.send(withHops(edge.frame, 2))
  t.ok(await until(() => node.stats().accepted === 2), 'both messages accepted, the second at the hop limit')
  const short = edge.id.subarray(0, SYNC_ID_BYTES)
  const grafts = (p: typeof a) => p.frames.filter(f => f[0] === FrameType.GRAFT && decodeGraft(f).ids.some(id => id.equals(short))).length
  a.link.send(encodeIHave({ room: 'lobby', entries: [{ id: short, hops: 1 }] }))
  t.ok(await until(() => grafts(a) === 1), 'the first announcer of a shorter way is asked for it')
  b.link.send(encodeIHave({ room: 'lobby', entries: [{ id: short, hops: 1 }] }))
  // The node answers b's GRAFT for the marker after it handled b's IHAVE (one link, in order).
  b.link.send(encodeGraft({ room: 'lobby', ids: [marker.id.subarray(0, SYNC_ID_BYTES)] }))
  const markers = () => b.frames.filter(f => f[0] === FrameType.FLOOD && f.includes(Buffer.from('marker'))).length
  t.ok(await until(() => markers() === 2), 'b got the marker whole, then again by GRAFT')
  t.equal(grafts(b), 0, 'the second announcer, with no fewer hops, was not asked')
})

test('lazy push: a PRUNE from the parent this node just moved to (the two crossed) keeps the edge eager, so the next new author\'s message goes through whole', async (t) => {
  t.timeoutAfter(10_000)
  const { node, peers: [far, near] } = await lazyPeers(t, 2, { graftTimeoutMs: 5000 })
  const author = generateKeyPair()
  const m = chat(author, 'first')
  far.link.send(withHops(m.frame, 3))
  t.ok(await until(() => node.stats().accepted === 1), 'the first copy came the long way (far is the parent)')
  // near holds it a shorter way: the node moves to near (EAGER) and prunes far.
  near.link.send(m.frame)
  const eagers = () => near.frames.filter(f => f[0] === FrameType.EAGER).length
  t.ok(await until(() => eagers() === 1), 'near is told EAGER: it is the new parent')
  // near's PRUNE for the node's own copy of the message, sent before near saw the EAGER.
  near.link.send(encodePrune({ room: 'lobby', root: author.publicKey }))
  t.ok(await until(() => eagers() === 2), 'near is told EAGER again')
  // The node's own first message travels a copy of that tree: near must get it whole, not only its id.
  node.send('mine')
  const whole = () => near.frames.filter(f => f[0] === FrameType.FLOOD && f.includes(Buffer.from('mine'))).length
  const ids = () => near.frames.filter(f => f[0] === FrameType.IHAVE).length
  t.ok(await until(() => whole() + ids() > 0), 'near heard of the node\'s own message')
  t.equal(whole(), 1, 'near got it whole')
})

test('lazy push: a node\'s own message whose copied tree has no eager link left (its one link there closed) still goes whole to a link', async (t) => {
  t.timeoutAfter(10_000)
  const { node, peers: [parent, other] } = await lazyPeers(t, 2, { graftTimeoutMs: 5000 })
  const author = generateKeyPair()
  parent.link.send(chat(author, 'first').frame)
  t.ok(await until(() => node.stats().accepted === 1), 'the author\'s message came from parent')
  // other already had it: pruned, so in the room's reference tree parent is the only eager link.
  other.link.send(encodePrune({ room: 'lobby', root: author.publicKey }))
  await wait(100) // the PRUNE is read (the test fails on the old code only if it was)
  parent.link.destroy()
  t.ok(await until(() => node.peers().length === 1), 'the parent link closed')
  node.send('mine')
  const whole = () => other.frames.filter(f => f[0] === FrameType.FLOOD && f.includes(Buffer.from('mine'))).length
  const ids = () => other.frames.filter(f => f[0] === FrameType.IHAVE).length
  t.ok(await until(() => whole() + ids() > 0), 'other heard of the node\'s own message')
  t.equal(whole(), 1, 'other got it whole, not only its id')
})
