// A hostile relay against private messages, on memory links (alice - relay -
// bob). The relay reads every PRIVATE it forwards and tries to pass alice's
// box off as its own message (audit row 12); alice's own key re-sends an old
// box in a new envelope. Neither may show a second message nor draw an ack.
// Only MeshNode's public surface is used, so these run on the old code too.
import test from 'tape'
import { MemMesh } from '../helpers/mesh'
import { MessageKind, decodeFlood, type FloodMessage } from '../../lib/protocol/envelope'
import { FrameType } from '../../lib/protocol/frames'
import type { MeshNode } from '../../lib/core/node'

interface Scene {
  mesh: MemMesh
  alice: MeshNode
  relay: MeshNode
  bob: MeshNode
  /** PRIVATE and ACK messages the relay forwarded (it sees all of them). */
  seen: FloodMessage[]
  delivered: string[]
  /** Keys alice heard a presence announcement from. */
  present: Set<string>
  bobShown: (text: string) => number
  acksFromBob: () => number
}

async function scene (t: test.Test): Promise<Scene> {
  const mesh = new MemMesh(3)
  t.teardown(() => mesh.close())
  const [alice, relay, bob] = mesh.nodes
  alice.setNick('alice')
  const present = new Set<string>()
  alice.on('presence', (c: { peer: string }) => present.add(c.peer))
  mesh.connect(0, 1)
  const [atRelay, atBob] = mesh.connect(1, 2)
  await mesh.settled(i => (i === 1 ? 2 : 1))
  // What crosses the relay-bob link: the PRIVATEs the relay forwards to bob, the acks bob sends back.
  const seen: FloodMessage[] = []
  const tap = (f: Buffer) => { if (f[0] === FrameType.FLOOD) seen.push(decodeFlood(f)) }
  atRelay.on('frame', tap)
  atBob.on('frame', tap)
  const delivered: string[] = []
  alice.on('delivered', (d: { id: string }) => delivered.push(d.id))
  return {
    mesh, alice, relay, bob, seen, delivered, present,
    bobShown: text => mesh.received[2].filter(m => m.private && m.text === text).length,
    acksFromBob: () => seen.filter(m => m.kind === MessageKind.ACK && m.author.equals(bob.keyPair.publicKey)).length
  }
}

/** `from` sends a room marker to `to` and `to` answers with one: everything either sent before is in. */
async function roundTrip (s: Scene, from: MeshNode, to: MeshNode, tag: string): Promise<void> {
  const inbox = (n: MeshNode) => s.mesh.received[s.mesh.nodes.indexOf(n)]
  from.send(`marker ${tag}`)
  if (!await s.mesh.until(() => inbox(to).some(m => m.text === `marker ${tag}`))) throw new Error(`marker ${tag} lost`)
  to.send(`marker ${tag} back`)
  if (!await s.mesh.until(() => inbox(from).some(m => m.text === `marker ${tag} back`))) throw new Error(`marker ${tag} back lost`)
}

/** Alice sends a private message to bob and waits for `delivered`; returns the PRIVATE the relay forwarded. */
async function genuine (t: test.Test, s: Scene, text: string): Promise<FloodMessage> {
  if (!await s.mesh.until(() => s.present.has(s.bob.id))) throw new Error('alice never heard of bob')
  const sent = s.alice.sendPrivate(s.bob.id, text)
  t.ok(await s.mesh.until(() => s.delivered.includes(sent.id)), 'the genuine message is delivered')
  t.equal(s.bobShown(text), 1, 'bob shows it once')
  const m = s.seen.find(x => x.kind === MessageKind.PRIVATE && x.id.toString('hex') === sent.id)
  if (!m) throw new Error('relay did not see the PRIVATE')
  return m
}

test('re-wrapped box: a relay originating alice\'s PRIVATE payload as its own (nick alice) shows nothing and draws no ack', async (t) => {
  t.timeoutAfter(10_000)
  const s = await scene(t)
  const m = await genuine(t, s, 'meet at dawn')
  t.equal(s.acksFromBob(), 1, 'one ack for the genuine message')
  const forged = s.relay.originate(MessageKind.PRIVATE, '', m.payload, 'alice')
  t.ok(forged.author.equals(s.relay.keyPair.publicKey) && forged.nick === 'alice', 'relay signed it as its own, nick alice')
  await roundTrip(s, s.relay, s.bob, 'a')
  t.equal(s.bobShown('meet at dawn'), 1, 'bob did not show a second "alice" message')
  t.equal(s.mesh.received[2].filter(x => x.from === s.relay.id).length, 1, 'bob shows nothing from the relay but its marker')
  t.equal(s.acksFromBob(), 1, 'bob sent no ack for the re-wrapped box')
  t.equal(s.bob.stats().private.forged, 1, 'bob counted one forged message')
})

test('replay: alice\'s own key re-sending the same box in a new envelope is shown once', async (t) => {
  t.timeoutAfter(10_000)
  const s = await scene(t)
  const m = await genuine(t, s, 'only once')
  // A new envelope: later ts, so a new outer id the seen cache does not know.
  await s.mesh.until(() => Date.now() > m.ts + 1)
  const again = s.alice.originate(MessageKind.PRIVATE, '', m.payload)
  t.notOk(again.id.equals(m.id), 'the replay has a new outer id')
  await roundTrip(s, s.alice, s.bob, 'b')
  t.equal(s.bobShown('only once'), 1, 'bob showed it once only')
  t.equal(s.acksFromBob(), 1, 'no ack for the replay')
  t.equal(s.bob.stats().private.replayed, 1, 'bob counted one replay')
})

test('a normal /msg round-trips with delivered; the relay reads nothing', async (t) => {
  t.timeoutAfter(10_000)
  const s = await scene(t)
  // alice learns bob's key from his presence announcement, then /msg can name him by key prefix.
  t.ok(await s.mesh.until(() => s.present.has(s.bob.id)), 'alice knows bob')
  const undelivered: string[] = []
  s.alice.on('undelivered', (d: { id: string }) => undelivered.push(d.id))
  const sent = s.alice.sendPrivate(s.bob.id.slice(0, 8), 'hello bob, privately')
  t.ok(sent.self && sent.private && sent.to === s.bob.id, 'own event names bob')
  t.ok(await s.mesh.until(() => s.delivered.includes(sent.id)), 'delivered')
  const got = s.mesh.received[2].find(x => x.text === 'hello bob, privately')
  t.ok(got && got.private && got.from === s.alice.id && got.nick === 'alice', 'bob shows it from alice')
  t.equal(s.mesh.received[1].filter(x => x.private).length, 0, 'the relay shows no private message')
  const carried = s.seen.filter(x => x.kind === MessageKind.PRIVATE)
  t.ok(carried.length === 1 && !carried[0].payload.includes(Buffer.from('hello bob')), 'the relay carried only ciphertext')
  t.deepEqual(undelivered, [], 'nothing undelivered')
})
