// Member expiry (core/room-members.ts): a room is scanned only when one of
// its members may be due, and that must drop exactly what scanning every
// member on every tick dropped, when it dropped it. And the map's bound: a
// room as large as issue 14's 10,000 members fits; past MAX_ROOM_MEMBERS
// the stalest goes and fresh() refuses newcomers.
import test from 'tape'
import { MAX_ROOM_MEMBERS, RoomMembers } from '../lib/core/room-members'
import type { PresenceChange } from '../lib/core/presence-types'
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

const id = (i: number) => i.toString(16).padStart(64, '0')

test(`room members: 10,000 fit; at ${MAX_ROOM_MEMBERS} the stalest is dropped and newcomers are refused`, (t) => {
  let now = 0
  const changes: PresenceChange[] = []
  const members = new RoomMembers(c => changes.push(c), () => now)
  for (let i = 0; i < 10_000; i++) { now++; members.upsert('big', { id: id(i), nick: `m${i}`, timeoutMs: 1e9 }) }
  t.equal(members.of('big')!.size, 10_000, 'a 10,000-member room is listed whole')
  for (let i = 10_000; i < MAX_ROOM_MEMBERS; i++) { now++; members.upsert('big', { id: id(i), nick: `m${i}`, timeoutMs: 1e9 }) }
  t.equal(members.fresh('big', id(MAX_ROOM_MEMBERS), now + 1), false, 'full: a newcomer is not fresh')
  now++
  members.upsert('big', { id: id(MAX_ROOM_MEMBERS), nick: 'late', timeoutMs: 1e9 })
  t.equal(members.of('big')!.size, MAX_ROOM_MEMBERS, 'still at the cap')
  t.notOk(members.of('big')!.has(id(0)), 'the stalest went')
  t.deepEqual(changes.filter(c => c.state === 'leave').map(c => c.peer), [id(0)], 'and its leave was reported')
  t.end()
})
