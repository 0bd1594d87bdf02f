// Presence that scales, on a ManualClock: in big rooms on memory links the
// idle presence traffic per node is bounded by the schedule's constants and
// does not grow with the room; /who is complete everywhere; a crashed member
// (links dropped, no leave) is reported LOST by its neighbours and drops out
// after the grace; a member that only lost one link answers and stays; a
// clean leave is immediate. Plus the payload's new trailing fields.
import test from 'tape'
import { ManualClock } from '../lib/core/clock'
import { DEFAULT_TIMING } from '../lib/core/options'
import { MAX_PRESENCE_INTERVAL_MS, PRESENCE_ROOM_ANNOUNCERS, PRESENCE_SUSPECT_GRACE_MS, presenceInterval } from '../lib/core/presence-schedule'
import { FrameType } from '../lib/protocol/frames'
import { MessageKind } from '../lib/protocol/envelope'
import { decodePresence, encodePresence, PresenceState } from '../lib/protocol/payloads'
import { MeshError } from '../lib/protocol/errors'
import { MemMesh, randomGraph, seeded } from './helpers/mesh'

/** Offset of the message kind in a FLOOD frame: [type][hops][kind ...]. */
const KIND_OFFSET = 2
const BASE = DEFAULT_TIMING.presenceIntervalMs
const DEGREE = 4
const STEP_MS = 1000
/** Hop limit above the random graphs' diameter (a leaf-to-leaf path of 200 nodes at degree 4 can pass the default 8). */
const TTL = 16
/** Clock steps while idle: a few ticks at a time (keep-alives still cross well within the idle timeout). */
const IDLE_STEP_MS = 3000
/** Virtual time for a room to form: link-up announcements and roster sync take a few steps. */
const FORMATION_MS = 5_000
/**
 * Copies of one announcement a node may receive per link: one, plus the
 * flood's shorter-path re-forward (a relay sends a message again when a copy
 * with fewer hops arrives after a longer one); about 1.2 on these graphs.
 */
const COPIES_PER_LINK = 2

interface Room { mesh: MemMesh; clock: ManualClock; presence: number[]; all: () => number }

/** Lets frames cross until no link end received anything for a few turns. */
async function quiet (r: Room): Promise<void> {
  let last = -1
  for (let same = 0; same < 3;) {
    await new Promise(resolve => setImmediate(resolve))
    const now = r.all()
    if (now === last) same++
    else { same = 0; last = now }
  }
}

/** Advances the clock by `ms` in STEP_MS steps, letting frames settle after each. */
async function run (r: Room, ms: number, step = STEP_MS): Promise<void> {
  for (let t = 0; t < ms; t += step) { r.clock.advance(step); await quiet(r) }
}

/** n members of 'lobby' on a random graph of about DEGREE links each, presence at its defaults, counting what each node receives. */
async function room (t: test.Test, n: number): Promise<Room> {
  const clock = new ManualClock(Date.now())
  const mesh = new MemMesh(n, { clock, ttl: TTL, timing: { tickMs: STEP_MS }, newAuthorsPerLinkPerMin: 1e6 })
  t.teardown(() => mesh.close())
  for (const [a, b] of randomGraph(n, DEGREE, seeded(n))) mesh.connect(a, b)
  const presence = new Array<number>(n).fill(0)
  let frames = 0
  const r: Room = { mesh, clock, presence, all: () => frames }
  for (const e of mesh.linkEnds) {
    e.end.on('frame', (f: Buffer) => {
      frames++
      if (f[0] === FrameType.FLOOD && f[KIND_OFFSET] === MessageKind.PRESENCE) presence[e.owner]++
    })
  }
  await quiet(r)
  // Formation: link-up announcements, and each link's roster sync.
  await run(r, FORMATION_MS)
  return r
}

const links = (r: Room, i: number) => r.mesh.linkEnds.filter(e => e.owner === i && !e.end.closed).length
const whoKeys = (r: Room, i: number) => new Set(r.mesh.nodes[i].who('lobby').map(m => m.peer))

/** Idle presence frames received per node per minute over `windowMs`, after formation. */
async function idleRate (r: Room, windowMs: number): Promise<number[]> {
  const before = [...r.presence]
  await run(r, windowMs, IDLE_STEP_MS)
  return r.presence.map((c, i) => (c - before[i]) * 60_000 / windowMs)
}

test('idle presence per node is bounded by the constants and does not grow from 40 to 80 members; /who complete everywhere', async (t) => {
  t.timeoutAfter(600_000)
  const rates: number[] = []
  // Sizes well past PRESENCE_ROOM_ANNOUNCERS, so both rooms back off; the old flood (every member every 30 s) doubles here.
  for (const n of [40, 80]) {
    const r = await room(t, n)
    // One interval at the full room size lets the intervals promised while the room formed run out; then a window just
    // short of two intervals, in which each member announces at most twice: room-wide about PRESENCE_ROOM_ANNOUNCERS per BASE.
    const interval = presenceInterval(BASE, n)
    await run(r, interval, IDLE_STEP_MS)
    const window = 2 * interval - IDLE_STEP_MS
    const roomPerMin = n * 2 * 60_000 / window
    const rate = await idleRate(r, window)
    const over = rate.map((x, i) => ({ i, x, bound: roomPerMin * COPIES_PER_LINK * links(r, i) })).filter(o => o.x > o.bound)
    t.deepEqual(over, [], `n=${n}: every node receives at most ${roomPerMin.toFixed(1)} x ${COPIES_PER_LINK}/min presence frames per link`)
    const mean = rate.reduce((a, b) => a + b, 0) / n
    rates.push(mean)
    t.ok(mean > 0, `n=${n}: periodic presence still runs (${mean.toFixed(1)} frames/node/min)`)
    const incomplete = r.mesh.nodes.map((_, i) => whoKeys(r, i).size).filter(s => s !== n)
    t.deepEqual(incomplete, [], `n=${n}: /who lists all ${n} members on every node`)
    await r.mesh.close()
  }
  // Allow 25% for graph differences.
  t.ok(rates[1] <= rates[0] * 1.25, `80 members: ${rates[1].toFixed(1)} frames/node/min against ${rates[0].toFixed(1)} at 40`)
})

test('the periodic interval keeps the room-wide rate at PRESENCE_ROOM_ANNOUNCERS per base interval up to 10,000 members; MAX_PRESENCE_INTERVAL_MS clamps beyond', (t) => {
  const base = DEFAULT_TIMING.presenceIntervalMs
  // Announcements the whole room sends per base interval: n members, each every presenceInterval.
  const roomRate = (n: number) => n * base / presenceInterval(base, n)
  for (const n of [100, 1000, 3840, 5000, 10_000]) t.ok(Math.abs(roomRate(n) - PRESENCE_ROOM_ANNOUNCERS) < 0.01, `${n} members: ${roomRate(n).toFixed(2)} announcements per ${base / 1000} s room-wide`)
  t.equal(presenceInterval(base, 1_000_000), MAX_PRESENCE_INTERVAL_MS, 'a larger room is clamped at the longest interval')
  t.equal(presenceInterval(base, 3), base, 'a small room announces every base interval')
  t.end()
})

test('a crashed member is reported LOST by its neighbours and drops out of /who on every node after the grace; a member that lost one link answers and stays', async (t) => {
  t.timeoutAfter(600_000)
  const n = 40
  const r = await room(t, n)
  const { mesh } = r
  const keyOf = (i: number) => mesh.nodes[i].keyPair.publicKey.toString('hex')
  // Node 7 crashes: no leave, its links just drop. Node 9 only loses one of its links.
  const crashed = 7
  const lonely = mesh.linkEnds.find(e => e.owner === 9 && e.far !== crashed && links(r, 9) > 1)!
  const survivors = mesh.nodes.map((_, i) => i).filter(i => i !== crashed)
  const listing = (k: string) => survivors.filter(i => whoKeys(r, i).has(k)).length
  for (const e of mesh.linkEnds) if (e.owner === crashed) e.end.destroy()
  lonely.end.destroy()
  await mesh.nodes[crashed].close()
  await quiet(r)
  await run(r, PRESENCE_SUSPECT_GRACE_MS - 2 * STEP_MS)
  t.equal(listing(keyOf(crashed)), n - 1, 'before the grace, the crashed member is still listed (reported, not yet dropped)')
  await run(r, 3 * STEP_MS)
  t.equal(listing(keyOf(crashed)), 0, `the crashed member is gone from every /who within ${PRESENCE_SUSPECT_GRACE_MS / 1000} s + ${STEP_MS / 1000} s of its links dropping`)
  t.equal(listing(keyOf(9)), n - 1, 'the member that lost only one link answered its LOST and is listed everywhere')
  t.equal(listing(keyOf(lonely.far)), n - 1, 'so is the peer at the far end of that link')
})

test('a clean leave is immediate: gone from every /who before the clock moves', async (t) => {
  t.timeoutAfter(600_000)
  const n = 30
  const r = await room(t, n)
  const key = r.mesh.nodes[3].keyPair.publicKey.toString('hex')
  t.equal(r.mesh.nodes.filter((_, i) => i !== 3 && whoKeys(r, i).has(key)).length, n - 1, 'listed everywhere first')
  r.mesh.nodes[3].quit('bye')
  await quiet(r)
  t.equal(r.mesh.nodes.filter((_, i) => i !== 3 && whoKeys(r, i).has(key)).length, 0, 'gone everywhere without any time passing')
})

test('presence payload: interval and subject are trailing optional fields; a short subject is FRAME_INVALID', (t) => {
  const subject = Buffer.alloc(32, 7)
  const here = decodePresence(encodePresence({ state: PresenceState.HERE, listen: 'a:1', interval: 123_456 }))
  t.deepEqual(here, { state: PresenceState.HERE, listen: 'a:1', interval: 123_456 }, 'interval round-trips alone')
  const lost = decodePresence(encodePresence({ state: PresenceState.LOST, listen: '', subject }))
  t.ok(lost.state === PresenceState.LOST && lost.subject?.equals(subject) && lost.interval === undefined, 'subject round-trips')
  const plain = encodePresence({ state: PresenceState.HERE, listen: 'a:1' })
  t.deepEqual(decodePresence(plain), { state: PresenceState.HERE, listen: 'a:1' }, 'a plain announcement has no interval')
  const leave = encodePresence({ state: PresenceState.LEAVING, listen: 'a:1', reason: 2, message: 'bye' })
  t.deepEqual(decodePresence(leave), { state: PresenceState.LEAVING, listen: 'a:1', reason: 2, message: 'bye' }, 'an older-style extension still decodes')
  const later = Buffer.concat([encodePresence({ state: PresenceState.HERE, listen: 'a:1', interval: 5 }), Buffer.from([1, 2, 3])])
  t.deepEqual(decodePresence(later), { state: PresenceState.HERE, listen: 'a:1', interval: 5 }, 'bytes a later version adds after the interval are ignored')
  const lostLater = Buffer.concat([encodePresence({ state: PresenceState.LOST, listen: '', subject }), Buffer.from([1, 2, 3])])
  t.ok(decodePresence(lostLater).subject?.equals(subject), 'and after a subject')
  const cut = encodePresence({ state: PresenceState.LOST, listen: '', subject }).subarray(0, -5)
  t.throws(() => decodePresence(cut), (e: unknown) => e instanceof MeshError && e.code === 'FRAME_INVALID', 'a truncated subject is FRAME_INVALID')
  t.throws(() => encodePresence({ state: PresenceState.LOST, listen: '', subject: Buffer.alloc(5) }), (e: unknown) => e instanceof MeshError && e.code === 'FRAME_INVALID', 'a subject of the wrong length is refused')
  t.end()
})
