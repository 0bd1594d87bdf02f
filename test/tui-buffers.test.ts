// The terminal view's buffers through its surface seam: one per room and per
// private conversation, the activity list and unread counts, the read marker,
// the keys that switch, /leave's return, /query, /me, delivery marks, long
// lines split, /help COMMAND, /room alone, /ignore.
import test from 'tape'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { rowText } from '../lib/ui/tui/style'
import { MARKER_TEXT } from '../lib/ui/tui/format'
import { IgnoreList } from '../lib/store/ignore-list'
import { MAX_TEXT_BYTES } from '../lib/protocol/limits'
import { setup, key } from './helpers/fake-surface'

const status = (s: { surface: { last: { status: Parameters<typeof rowText>[0] } } }) => rowText(s.surface.last.status)

test('buffers: one per room, activity with unread and highlight, marker on return, Alt-N and Ctrl-N/P, /leave returns', async (t) => {
  t.timeoutAfter(8000)
  const s = await setup(t, 160, 40)
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  const alice = s.mesh.nodes[0]
  const bob = s.mesh.nodes[1]
  s.type('/join dev')
  s.type('/room lobby')
  await s.settle()
  t.match(status(s), /^ 1:#lobby │ .* │ 2:#dev │/, 'back in buffer 1; #dev listed as buffer 2')
  bob.join('dev')
  bob.send('over in dev', { room: 'dev' })
  bob.send('alice: look here', { room: 'dev' })
  bob.send('in the lobby', { room: 'lobby' })
  t.ok(await s.mesh.until(() => s.surface.paneText().includes('in the lobby')), 'a lobby line shows in the lobby buffer')
  await s.settle()
  t.match(status(s), / 2:#dev\(2\)! /, '#dev: two unread, highlighted for the mention')
  t.doesNotMatch(s.surface.paneText(), /over in dev|look here|#dev </, 'lines of another room never show in this one')

  s.keys(key('2', { meta: true }))
  await s.settle()
  t.equal(alice.room, 'dev', 'Alt-2 makes #dev the node\'s current room too')
  const pane = s.surface.pane()
  const marker = pane.findIndex(r => r.startsWith(MARKER_TEXT))
  t.ok(marker > 0, 'a marker line shows where reading stopped')
  t.match(pane[marker - 1], /joined #dev/, 'after the last line read')
  t.match(pane.slice(marker + 1).find(r => r.includes('<bob')) ?? '', /<bob#[0-9a-f]{4,}> over in dev/, 'before the first unread one')
  t.match(status(s), /^ 2:#dev │ .* │ 1:#lobby │/, 'status: buffer 2, and buffer 1 without marks')
  t.doesNotMatch(s.surface.paneText(), /in the lobby/, 'lobby lines stay in the lobby')
  s.type('typed in dev')
  t.ok(await s.mesh.until(() => s.mesh.received[1].some(m => m.text === 'typed in dev' && m.room === 'dev')), 'a line typed in the #dev buffer goes to #dev')

  s.keys(key('p', { ctrl: true }))
  t.equal(alice.room, 'lobby', 'Ctrl-P: previous buffer')
  s.keys(key('p', { ctrl: true }))
  t.equal(alice.room, 'dev', 'Ctrl-P wraps around')
  s.keys(key('n', { ctrl: true }))
  t.equal(alice.room, 'lobby', 'Ctrl-N wraps around too')
  s.keys(key('9', { meta: true }))
  t.equal(alice.room, 'lobby', 'Alt-9 with no buffer 9 does nothing')

  s.keys(key('2', { meta: true }))
  s.type('/leave')
  await s.settle()
  t.deepEqual(alice.rooms, ['lobby'], '/leave alone leaves the current room')
  t.match(status(s), /^ 1:#lobby │ alice#[0-9a-f]{4} │ links 1 │ 10\./, 'the view returns to the buffer before; #dev is gone from the list')
  t.match(s.surface.paneText(), /left #dev; now in #lobby/)
})

test('buffers: /query, private lines in their own buffer, delivery marks redrawn in place', async (t) => {
  t.timeoutAfter(8000)
  const s = await setup(t, 160, 40, { mesh: { timing: { tickMs: 50, privateAckTimeoutMs: 400 } } })
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  const bob = s.mesh.nodes[1]
  s.type('/query bob')
  await s.settle()
  t.match(status(s), /^ 2:bob#[0-9a-f]{4,} │ .* │ 1:#lobby │/, '/query opens buffer 2 for bob')
  s.type('just for you')
  t.ok(await s.mesh.until(() => s.mesh.received[1].some(m => m.private && m.text === 'just for you')), 'a line typed in the query goes privately to bob')
  t.ok(await s.mesh.until(() => /-> \*bob#[0-9a-f]{4,}\* just for you \[delivered\]/.test(s.surface.paneText())), 'the line is marked delivered once bob\'s receipt comes')
  const sawPending = s.surface.frames.some(f => f.messages.some(r => /just for you \[pending\]/.test(rowText(r))))
  t.ok(sawPending, 'it showed [pending] before')
  t.equal(s.surface.pane().filter(r => r.includes('just for you')).length, 1, 'redrawn in place, not printed again')

  bob.sendPrivate(s.mesh.nodes[0].id, 'hello back')
  t.ok(await s.mesh.until(() => s.surface.paneText().includes('hello back')), 'bob\'s private line lands in the same buffer')
  s.keys(key('1', { meta: true }))
  bob.sendPrivate(s.mesh.nodes[0].id, 'while away')
  t.ok(await s.mesh.until(() => / 2:bob#[0-9a-f]{4,}\(1\)! /.test(status(s))), 'a private line in another buffer counts and highlights')
  t.doesNotMatch(s.surface.paneText(), /while away/, 'and stays out of the lobby')

  s.keys(key('2', { meta: true }))
  await bob.close()
  s.type('anyone there?')
  t.ok(await s.mesh.until(() => /anyone there\? \[undelivered\]/.test(s.surface.paneText()), 4000), 'no receipt: marked undelivered in place')
  s.type('/part')
  await s.settle()
  t.match(status(s), /^ 1:#lobby │/, '/part in a private buffer closes it and returns')
  t.match(s.surface.paneText(), /closed the conversation with bob#/)
})

test('/me travels as an action; long lines are split; /help COMMAND; /room lists; /nick with a space; /quit MESSAGE', async (t) => {
  t.timeoutAfter(8000)
  const s = await setup(t, 160, 40)
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  s.type('/me waves')
  t.ok(await s.mesh.until(() => s.mesh.received[1].some(m => m.text === 'waves')), '/me reached bob')
  t.equal(s.mesh.received[1].find(m => m.text === 'waves')!.action, true, 'as an action')
  s.mesh.nodes[1].send('dances', { action: true })
  t.ok(await s.mesh.until(() => /\* bob#[0-9a-f]{4,} dances/.test(s.surface.paneText())), 'a peer\'s action: * bob#tag dances')
  t.match(s.surface.paneText(), /\d\d:\d\d \* alice#[0-9a-f]{4,} waves/, 'own action shown the same way')

  // 3 pieces: 2-byte characters and 4-byte ones (surrogate pairs) around the cuts.
  const long = 'é'.repeat(3000) + '😀'.repeat(1500)
  s.type(long)
  t.ok(await s.mesh.until(() => s.mesh.received[1].filter(m => /[é😀]/.test(m.text)).length === 3), 'a long line arrives as 3 messages')
  const got = s.mesh.received[1].filter(m => /[é😀]/.test(m.text)).map(m => m.text)
  t.ok(got.every(p => Buffer.byteLength(p) <= MAX_TEXT_BYTES), 'each under the text limit')
  t.equal(got.join(''), long, 'together they are the line, no character broken')
  t.doesNotMatch(s.surface.paneText(), /TEXT_TOO_LONG|longer than/, 'no error')

  s.type('/help me')
  s.type('/help part')
  s.type('/room')
  s.type('/nick al ice')
  await s.settle()
  const pane = s.surface.paneText()
  t.match(pane, /--- usage: \/me ACTION\n.*--- {3}say what you do/, '/help CMD: usage and what it does')
  t.match(pane, /\/part is another name for \/leave/, '/help names an alias')
  t.match(pane, /--- your rooms: #lobby \(current\); \/room ROOM to switch/, '/room alone lists your rooms')
  t.match(pane, /-!- a nick is one word: 'al ice' has spaces \(usage: \/nick NAME\)/, '/nick al ice names the problem in one line')
  t.equal(s.mesh.nodes[0].nick, 'alice', 'and the nick is unchanged')
  s.type('/quit see you later')
  t.deepEqual(s.quitMessages, ['see you later'], '/quit passes its message to the caller')
})

test('/ignore hides a key\'s room and private lines, is remembered in the data dir, /unignore shows them again', async (t) => {
  t.timeoutAfter(8000)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshchat-ignore-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const s = await setup(t, 160, 40, { ignores: new IgnoreList(dir) })
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  const bob = s.mesh.nodes[1]
  s.type('/ignore bob')
  await s.settle()
  t.match(s.surface.paneText(), /ignoring bob#[0-9a-f]{4,}/)
  t.ok(new IgnoreList(dir).has(bob.id), 'the key is on disk: a restart still ignores it')
  bob.send('hidden room line')
  bob.sendPrivate(s.mesh.nodes[0].id, 'hidden private line')
  // Later lines from an unignored key prove the hidden ones had time to arrive.
  t.ok(await s.mesh.until(() => s.mesh.received[0].some(m => m.text === 'hidden private line')), 'the node itself received both')
  s.type('/unignore bob')
  bob.send('visible again')
  t.ok(await s.mesh.until(() => s.surface.paneText().includes('visible again')), 'after /unignore bob\'s lines show')
  const everything = s.surface.frames.flatMap(f => [...f.messages, f.status]).map(rowText).join('\n')
  t.doesNotMatch(everything, /hidden room line|hidden private line/, 'the ignored lines were never drawn')
  t.doesNotMatch(everything, /2:bob/, 'and opened no buffer')
  t.notOk(new IgnoreList(dir).has(bob.id), '/unignore is remembered too')
  s.type('/ignore alice')
  s.type(`/ignore ${s.mesh.nodes[0].id}`)
  await s.settle()
  t.equal(s.surface.pane().filter(r => /-!- you cannot ignore yourself/.test(r)).length, 2, 'not yourself, by nick or by key')
})
