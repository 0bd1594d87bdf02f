// Member expiry (core/room-members.ts): a room is scanned only when one of
// its members may be due, and that must drop exactly what scanning every
// member on every tick dropped, when it dropped it.
import test from 'tape'
import { RoomMembers } from '../lib/core/room-members'
import { seededRandom } from '../lib/util/prng'

interface Ref { lastSeen: number; timeoutMs: number; suspectUntil?: number }

test('expiry: the same members leave at the same ticks as a scan of every member on every tick, under random sightings and LOST reports', (t) => {
  const rnd = seededRandom(7)
  let now = 1_000_000
  const left: string[] = []
  const members = new RoomMembers(c => { if (c.state === 'leave') left.push(`${c.room} ${c.peer}`) }, () => now)
  const ref = new Map<string, Ref>()
  const rooms = ['lobby', 'go']
  const mismatches: string[] = []
  for (let tick = 0; tick < 3000; tick++) {
    now += 100
    for (let k = 0; k < 3; k++) {
      const room = rooms[Math.floor(rnd() * rooms.length)]
      const id = `m${Math.floor(rnd() * 40)}`
      const r = rnd()
      if (r < 0.6) {
        // A sighting, sometimes adopted with an older time (as roster sync does).
        const timeoutMs = 500 + Math.floor(rnd() * 5000)
        const seenAt = now - (rnd() < 0.3 ? Math.floor(rnd() * 2000) : 0)
        members.upsert(room, { id, nick: id, timeoutMs, seenAt })
        ref.set(`${room} ${id}`, { lastSeen: seenAt, timeoutMs })
      } else if (r < 0.8) {
        const until = now + Math.floor(rnd() * 1500)
        const m = ref.get(`${room} ${id}`)
        const took = members.suspect(room, id, until)
        if (took !== (m !== undefined && m.suspectUntil === undefined)) mismatches.push(`tick ${tick}: suspect ${room} ${id} said ${took}`)
        if (m && m.suspectUntil === undefined) m.suspectUntil = until
      }
    }
    members.expire(now)
    const want: string[] = []
    for (const [k, m] of ref) if (now - m.lastSeen > m.timeoutMs || (m.suspectUntil !== undefined && now >= m.suspectUntil)) { want.push(k); ref.delete(k) }
    const got = left.splice(0)
    if (got.sort().join() !== want.sort().join()) mismatches.push(`tick ${tick}: left ${got.join('|')} wanted ${want.join('|')}`)
  }
  t.deepEqual(mismatches.slice(0, 5), [], 'no tick where the two differ')
  const listed = rooms.flatMap(r => [...(members.of(r)?.keys() ?? [])].map(id => `${r} ${id}`)).sort()
  t.deepEqual(listed, [...ref.keys()].sort(), 'the same members listed at the end')
  t.end()
})
