// History and sync on memory links, and the on-disk log's torn-tail handling.
import test from 'tape'
import fs from 'fs'
import path from 'path'
import { MemMesh } from './helpers/mesh'
import { tempDir } from './helpers/proc'
import { RoomHistory } from '../lib/core/history'
import { encodeFlood, MessageKind } from '../lib/protocol/envelope'
import { generateKeyPair } from '../lib/protocol/crypto'
import { HistoryFile, parseLog } from '../lib/store/history-file'
import { RECORD_HEADER_BYTES } from '../lib/store/log-format'
import { encodeSyncData } from '../lib/protocol/frames'
import { HistorySync, SYNC_RACED_LIVE_MS, type SyncHooks } from '../lib/core/sync'
import { linkedMember, chat, until, wait, victimNode } from './helpers/raw-peer'

const kp = generateKeyPair()
function msg (ts: number, text: string, room = 'lobby') {
  return encodeFlood({ kind: MessageKind.CHAT, author: kp.publicKey, room, nick: 'h', ts, expires: ts + 60_000, ttl: 8, payload: Buffer.from(text) }, kp, 1)
}

test('room history is bounded, ordered by timestamp, and knows what a peer lacks', (t) => {
  const h = new RoomHistory(3)
  for (const ts of [5, 1, 3, 4, 2]) h.add(msg(ts, `m${ts}`))
  t.deepEqual(h.messages().map(m => m.ts), [3, 4, 5], 'keeps the newest 3 in order')
  t.notOk(h.add(msg(4, 'm4')), 'a message held already is not added twice')
  t.notOk(h.add(msg(1, 'old')), 'older than everything in a full history: dropped')
  const theirs = h.shortIds().slice(0, 2)
  t.deepEqual(h.missingFrom(theirs).map(m => m.ts), [5], 'what the peer lacks')
  t.end()
})

test('a late joiner receives the ten earlier messages once, marked history, in order', async (t) => {
  t.timeoutAfter(10_000)
  const mesh = new MemMesh(3)
  t.teardown(() => mesh.close())
  mesh.connect(0, 1)
  await mesh.settled(i => (i < 2 ? 1 : 0))
  for (let i = 0; i < 10; i++) {
    mesh.nodes[i % 2].send(`early ${i}`)
    await new Promise(resolve => setTimeout(resolve, 2)) // distinct timestamps
  }
  await mesh.until(() => mesh.received[1].length === 5 && mesh.received[0].length === 5)
  mesh.connect(2, 1)
  t.ok(await mesh.until(() => mesh.received[2].length >= 10), 'late joiner got all ten')
  // A live message takes the same last link (1 to 2) after the history did.
  mesh.nodes[0].send('live one')
  t.ok(await mesh.until(() => mesh.received[2].some(m => m.text === 'live one')), 'a live message after them arrived')
  const got = mesh.received[2]
  t.equal(got.length, 11, 'exactly ten and the live one, no duplicates')
  t.ok(got.slice(0, 10).every(m => m.history === true), 'the ten are marked history')
  t.deepEqual(got.slice(0, 10).map(m => m.text), Array.from({ length: 10 }, (_, i) => `early ${i}`), 'in timestamp order')
  t.equal(got[10].text, 'live one', 'the live one last')
  t.notOk(got[10].history, 'live messages carry no history flag')
})

test('two partitions that chatted separately converge once one link joins them', async (t) => {
  t.timeoutAfter(15_000)
  const mesh = new MemMesh(6)
  t.teardown(() => mesh.close())
  mesh.connect(0, 1); mesh.connect(1, 2)
  mesh.connect(3, 4); mesh.connect(4, 5)
  await mesh.settled(i => (i === 1 || i === 4 ? 2 : 1))
  for (let i = 0; i < 6; i++) mesh.nodes[i].send(`from ${i}`)
  await mesh.until(() => mesh.received.every(r => r.length === 2))
  mesh.connect(2, 3)
  const all = (i: number) => new Set([...mesh.received[i].map(m => m.text), `from ${i}`])
  t.ok(await mesh.until(() => mesh.nodes.every((_, i) => all(i).size === 6)), 'every node holds all six messages')
  for (let i = 0; i < 6; i++) t.equal(mesh.nodes[i].historySize('lobby'), 6, `node ${i} history holds six`)
  const markers = await mesh.drain()
  t.ok(await mesh.until(() => mesh.received.every((r, i) => markers.every((m, j) => i === j || r.some(x => x.text === m)))), 'every node got the others\' later markers')
  for (let i = 0; i < 6; i++) {
    const ids = mesh.received[i].map(m => m.id)
    t.equal(ids.length, 5 + 5, `node ${i}: the five others' messages and markers, once each`)
    t.equal(ids.length, new Set(ids).size, `node ${i}: each id delivered once`)
  }
})

test('history log: every cut inside the last record is reported and skipped', async (t) => {
  const dir = tempDir()
  const opened = HistoryFile.open(dir)
  t.equal(opened.frames.length, 0, 'new log is empty')
  const msgs = [msg(1, 'one'), msg(2, 'two'), msg(3, 'three')]
  for (const m of msgs) opened.store.append(m)
  await opened.store.close()
  const file = path.join(dir, 'history.log')
  const whole = fs.readFileSync(file)
  t.equal(parseLog(whole).frames.length, 3, 'three whole records')
  t.equal(parseLog(whole).torn, null, 'no tear')
  const lastStart = whole.length - (RECORD_HEADER_BYTES + msgs[2].frame.length)
  let ok = 0
  for (let cut = lastStart + 1; cut < whole.length; cut++) {
    const { frames, torn } = parseLog(whole.subarray(0, cut))
    if (frames.length === 2 && torn && torn.offset === lastStart) ok++
  }
  t.equal(ok, whole.length - lastStart - 1, 'each cut keeps the two earlier records and reports the tear at the right offset')
  fs.writeFileSync(file, whole.subarray(0, whole.length - 5))
  const again = HistoryFile.open(dir)
  t.equal(again.frames.length, 2, 'reopened: two records kept')
  t.ok(again.torn && /cut short/.test(again.torn.reason), 'tear reported')
  t.equal(fs.statSync(file).size, lastStart, 'torn tail cut off the file')
  again.store.append(msgs[2])
  await again.store.close()
  t.equal(parseLog(fs.readFileSync(file)).frames.length, 3, 'appends after repair are whole')
})

test('a synced message dated after a link in its room was up, and at most SYNC_RACED_LIVE_MS ago, is shown live; older ones are history', async (t) => {
  t.timeoutAfter(10_000)
  const v = victimNode(t)
  await linkedMember(v.node) // a member in the room, linked before `raced` is dated
  const before = chat(kp, 'before any link', { ts: Date.now() - 2000 })
  await wait(5) // a link up before `raced` was dated
  const raced = chat(kp, 'raced its live copy')
  // A link that comes up now: its answer to this node's offer brings both.
  const late = await linkedMember(v.node)
  late.link.send(encodeSyncData({ room: 'lobby', frames: [before.frame, raced.frame] }))
  t.ok(await until(() => v.messages.length === 2), 'both delivered')
  t.deepEqual(v.messages.map(m => [m.text, m.history ?? false]), [['before any link', true], ['raced its live copy', false]], 'the one dated before any link is history; the raced one is live')
})

test('racedLive: within SYNC_RACED_LIVE_MS of now, in a room this node was in, with a link to a peer there', (t) => {
  let now = 80_000
  const session = (since: number, rooms = ['lobby'], closed = false) => ({ established: true, inRoomSince: (r: string) => rooms.includes(r) ? since : undefined, link: { closed } })
  const sessions = [session(50_000, ['other']), session(97_000), session(10_000, ['lobby'], true)]
  const sync = new HistorySync({ sessions: () => sessions, now: () => now } as unknown as SyncHooks)
  now = 101_000
  sync.onJoin('late')
  sessions.push(session(10_000, ['late']))
  t.ok(sync.racedLive('lobby', 99_000), 'two seconds old, after the lobby link came up')
  t.notOk(sync.racedLive('lobby', 96_500), 'before the only open lobby link came up (a closed one does not count)')
  t.notOk(sync.racedLive('other', 101_000 - SYNC_RACED_LIVE_MS - 1), 'older than SYNC_RACED_LIVE_MS')
  t.ok(sync.racedLive('other', 101_000 - SYNC_RACED_LIVE_MS), 'just within it')
  t.notOk(sync.racedLive('third', 99_000), 'no link in that room')
  t.notOk(sync.racedLive('late', 100_500), 'in a room joined after it was dated (its link was up long before)')
  t.ok(sync.racedLive('late', 101_000), 'dated when the node joined it')
  now += SYNC_RACED_LIVE_MS
  t.notOk(sync.racedLive('lobby', 99_000), 'the same message, later: history')
  t.end()
})
