// Peer exchange with room overlays: addresses of peers known to share a room
// are dialled before others (a link to a non-member carries none of our rooms).
import test from 'tape'
import { PeerExchange } from '../lib/core/pex'
import { PeerTable } from '../lib/core/peer-table'
import { encodePex } from '../lib/protocol/frames'
import { runRoomsScenario } from '../bench/mesh-rooms'

const key = (n: number) => n.toString(16).padStart(64, '0')

test('pex: with a few dials to spend, peers that share a room are dialled first', async (t) => {
  const now = () => 1_000_000
  const table = new PeerTable(now, 500)
  const dialed: string[] = []
  const members = new Set([key(13), key(16)])
  const pex = new PeerExchange({
    id: 'ab'.repeat(32), table, sessions: () => [], linkedKeys: () => new Set<string>(), dialing: () => new Set<string>(),
    dial: async (a) => { dialed.push(a) }, canDial: () => true, minLinks: 2, maxLinks: 32, intervalMs: 15_000, now,
    sharesRoom: k => members.has(k)
  })
  // Eight addresses; the two members come late in the list.
  pex.onFrame(encodePex(Array.from({ length: 8 }, (_, i) => ({ key: Buffer.from(key(10 + i), 'hex'), address: `10.0.0.${i + 1}:7000` }))), key(1))
  pex.tick()
  t.deepEqual(dialed.sort(), ['10.0.0.4:7000', '10.0.0.7:7000'], 'the two dials went to the members of our rooms')
})

test('bench smoke: rooms with overlays deliver to every member and nothing to non-members', async (t) => {
  t.timeoutAfter(60_000)
  const r = await runRoomsScenario({ name: 'rooms smoke', nodes: 24, rooms: 3, degree: 4, sendersPerRoom: 1, messagesPerSender: 3, ratePerSender: 50 })
  t.equal(r.expected, 9 * 7, 'each message expected at the other 7 members of its room')
  t.equal(r.delivered, r.expected, 'every member got every message of its room')
  t.equal(r.duplicateDeliveries, 0, 'once each')
  t.equal(r.strayFrames, 0, 'no room frame written to a non-member')
  t.ok(r.copiesPerDelivery >= 1 && r.copiesPerDelivery <= 4, `copies per delivery ${r.copiesPerDelivery} within [1, degree]`)
})
