// Audit row 1 against a real --headless process: a peer that links over
// Noise, offers the room's history again and again with an empty id list and
// never reads a byte. The victim's RSS grows by under 16 MiB, the peer is
// closed, and honest messages keep arriving.
import test from 'tape'
import fs from 'fs'
import net from 'net'
import SecretStream from '@hyperswarm/secret-stream'
import { Cluster, FAST_TIMING, LIFTED_LIMITS, type Proc } from '../helpers/proc'
import { generateKeyPair } from '../../lib/protocol/crypto'
import { encodeHello, encodeSyncOffer } from '../../lib/protocol/frames'
import { PROTOCOL_VERSION } from '../../lib/protocol/limits'

const MiB = 1024 * 1024
const OFFERS = 400

function rssBytes (p: Proc): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p.child.pid}/status`, 'utf8'))![1]) * 1024
}

test(`row 1: ${OFFERS} unread sync offers from a real Noise peer cost the victim under 16 MiB; the peer is closed; honest chat goes on`, async (t) => {
  t.timeoutAfter(60_000)
  const c = new Cluster(t)
  // Limits lifted: the 300 lines of history below go out at once, not at the author rate.
  const victim = await c.start({ name: 'victim', args: LIFTED_LIMITS, timing: FAST_TIMING })
  const honest = await c.start({ name: 'honest', args: ['--peer', victim.listen, ...LIFTED_LIMITS], timing: FAST_TIMING })
  await victim.waitPeerUp(honest.id)
  // ~300 KB of history in the room, so each answered offer is worth ~300 KB.
  for (let i = 0; i < 300; i++) victim.send(`${i} ${'x'.repeat(1000)}`)
  await honest.waitMessage(`299 ${'x'.repeat(1000)}`)
  const before = rssBytes(victim)

  const [host, port] = victim.listen.split(':')
  const socket = net.connect({ host, port: Number(port) })
  c.cleanups.push(() => socket.destroy())
  const kp = generateKeyPair()
  const stream = new SecretStream(true, socket, { keyPair: kp })
  stream.on('error', () => {})
  await new Promise<void>((resolve, reject) => { stream.once('connect', () => resolve()); stream.once('error', reject) })
  const closed = new Promise(resolve => socket.once('close', resolve))
  stream.write(encodeHello({ version: PROTOCOL_VERSION, nick: 'mallory', listen: '', rooms: ['lobby'], flags: 0 }))
  await victim.waitPeerUp(kp.publicKey.toString('hex'))
  socket.pause() // never reads a byte from here on
  const offer = encodeSyncOffer({ room: 'lobby', reply: false, ids: [] })
  let sent = 0
  for (; sent < OFFERS && !socket.destroyed; sent++) stream.write(offer)
  const down = await victim.waitFor(e => e.event === 'peer-down' && e.peer === kp.publicKey.toString('hex'), 20_000, 'the attacker closed')
  const grew = rssBytes(victim) - before
  t.ok(grew < 16 * MiB, `victim RSS grew ${(grew / MiB).toFixed(1)} MiB for ${sent} offers (bound 16 MiB)`)
  t.match(String(down.reason), /score|queued|SYNC/i, `closed for its behaviour: ${down.reason}`)
  t.ok(victim.events.some(e => e.event === 'error' && e.code === 'SYNC_FLOOD'), 'offers over the budget are coded SYNC_FLOOD')
  honest.send('after the attack')
  t.equal((await victim.waitMessage('after the attack')).from, honest.id, 'honest messages keep arriving')
  await Promise.race([closed, new Promise(resolve => setTimeout(resolve, 2000))])
})
