// The IRC face over a fake node (in one process): what a mesh peer sends can
// never break an IRC line (CR, LF, NUL, escape sequences are removed, IRC
// formatting passes), and the nick mapping (nick|tag, reserved characters,
// renames when nicks start or stop colliding).
import test from 'tape'
import { SharedBudget } from '../lib/core/send-budget'
import { EventEmitter } from 'events'
import { IrcFace } from '../lib/irc/server'
import { NickMap } from '../lib/irc/nicks'
import type { ChatMessage, ChatNode, MemberInfo } from '../lib/core/types'
import { RawIrc } from './helpers/irc'

const SELF = 'a'.repeat(64)
const BOB = 'b0b0'.repeat(16)
const EVE = 'e7e7'.repeat(16)

/** Just enough of a node for the face: one room, events emitted by the test. */
class FakeNode extends EventEmitter {
  id = SELF; nick = 'me'; room = 'lobby'; rooms = ['lobby']; listenAddress = '127.0.0.1:1'; linkCount = 0
  sendBudget = new SharedBudget(1_000_000, 1_000_000)
  sent: string[] = []
  send (text: string): ChatMessage {
    const m: ChatMessage = { id: String(this.sent.length), room: 'lobby', from: SELF, nick: this.nick, text, ts: Date.now(), hops: 0, self: true }
    this.sent.push(text)
    this.emit('message', m)
    return m
  }
  sendPrivate (): ChatMessage { throw new Error('not in this test') }
  setNick (n: string): void { this.nick = n; this.emit('nick', n) }
  join (r: string): string { return r }
  leave (r: string): string { return r }
  switchRoom (r: string): string { return r }
  switchRoomCheck (r: string): string { return r }
  peers () { return [] }
  who (): MemberInfo[] { return [{ peer: SELF, nick: this.nick, self: true, lastSeen: 0, tag: 'aaaa' }] }
  whois (): never { throw new Error('unknown') }
  dial (): never { throw new Error('no') }
  label (key: string, nick?: string): string { return `${nick ?? '?'}#${key.slice(0, 4)}` }
  tag (key: string): string { return key.slice(0, 4) }
}

function peerLine (from: string, nick: string, text: string): ChatMessage {
  return { id: `${Math.random()}`, room: 'lobby', from, nick, text, ts: Date.now(), hops: 1, self: false }
}

test('mesh text cannot break an IRC line: CR, LF, NUL and escapes removed, IRC formatting kept', async (t) => {
  t.timeoutAfter(10_000)
  const node = new FakeNode()
  const face = new IrcFace({ node: node as unknown as ChatNode, listen: [{ host: '127.0.0.1', port: 0 }] })
  const [address] = await face.listen()
  const irc = new RawIrc(address)
  t.teardown(async () => { irc.close(); await face.close() })
  irc.line('NICK me'); irc.line('USER me 0 * :Me')
  await irc.wait(/ 366 me #lobby /, 'joined')
  node.emit('message', peerLine(BOB, 'bob', 'hi\r\nQUIT :pwned\0 \x1b[31mred\x1b[0m \x02bold\x02 \x0304,01colour\x03'))
  node.emit('message', peerLine(EVE, 'bob|1234', 'impostor'))
  node.emit('message', peerLine(BOB, 'bob', 'marker'))
  await irc.wait(/PRIVMSG #lobby :marker$/, 'the marker')
  const hi = irc.lines.find(l => l.includes('PRIVMSG #lobby :hi'))!
  t.equal(hi, ':bob!b0b0@mesh PRIVMSG #lobby :hi QUIT :pwned red \x02bold\x02 \x0304,01colour\x03', 'one line: breaks become spaces, NUL and escapes gone, formatting kept')
  t.equal(irc.count(/^QUIT|^:\S+ QUIT/), 0, 'no injected QUIT line')
  t.notOk(irc.raw.includes('\0'), 'no NUL reached the client')
  t.ok(irc.raw.split('\r\n').every(l => !l.includes('\r') && !l.includes('\n')), 'no stray CR or LF inside a line')
  t.ok(irc.lines.some(l => l.startsWith(':bob_1234|e7e7!e7e7@mesh PRIVMSG #lobby :impostor')), 'a mesh nick holding | is shown as bob_1234|tag, never as someone\'s nick|tag')
})

test('keep-alive: a silent client gets PING and is closed without PONG; one that answers stays', async (t) => {
  t.timeoutAfter(10_000)
  const node = new FakeNode()
  const face = new IrcFace({ node: node as unknown as ChatNode, listen: [{ host: '127.0.0.1', port: 0 }], serverName: 'ka.test', pingIntervalMs: 300, pingTimeoutMs: 300 })
  const [address] = await face.listen()
  const quiet = new RawIrc(address)
  const chatty = new RawIrc(address)
  t.teardown(async () => { quiet.close(); chatty.close(); await face.close() })
  for (const [c, nick] of [[quiet, 'quiet'], [chatty, 'chatty']] as const) { c.line(`NICK ${nick}`); c.line(`USER ${nick} 0 * :x`) }
  let read = 0
  const answer = setInterval(() => {
    for (; read < chatty.lines.length; read++) { const m = /^PING :?(\S+)$/.exec(chatty.lines[read]); if (m) chatty.line(`PONG :${m[1]}`) }
  }, 50)
  t.teardown(() => clearInterval(answer))
  t.equal(await quiet.wait(/^PING /, 'a PING'), 'PING :ka.test', 'a silent client is sent PING with the server name')
  t.match(await quiet.wait(/^ERROR /, 'ERROR'), /Ping timeout/, 'no PONG: ERROR Ping timeout')
  await quiet.closed
  const first = chatty.lines.findIndex(l => l.startsWith('PING '))
  await chatty.wait(/^PING /, 'a second PING, after the first was answered', 5000, first + 1)
  chatty.line('PING still-here')
  await chatty.wait(/ PONG ka\.test :still-here$/, 'the answering client is still served')
  t.ok(first >= 0, 'the answering client was pinged too, and outlived two rounds')
  t.equal(chatty.count(/^ERROR/), 0, 'the client that answered PING was not closed')
})

test('all clients together are paced by the shared budget: a paste waits, nothing is lost or reordered', async (t) => {
  t.timeoutAfter(10_000)
  const node = new FakeNode()
  const face = new IrcFace({ node: node as unknown as ChatNode, listen: [{ host: '127.0.0.1', port: 0 }], totalRate: 20, totalBurst: 5 })
  const [address] = await face.listen()
  const irc = new RawIrc(address)
  t.teardown(async () => { irc.close(); await face.close() })
  irc.send('NICK me\r\nUSER me 0 * :Me\r\n')
  await irc.wait(/ 366 me #lobby /, 'joined')
  const started = Date.now()
  irc.send(Array.from({ length: 30 }, (_, i) => `PRIVMSG #lobby :paste ${i}\r\n`).join(''))
  irc.line('PING done')
  await irc.wait(/ PONG \S+ :done$/, 'the PING after the paste', 8000)
  const took = Date.now() - started
  t.deepEqual(node.sent, Array.from({ length: 30 }, (_, i) => `paste ${i}`), 'all 30 lines posted, in order')
  t.ok(took >= 1000, `31 lines at 20/s with a burst of 5 took ${took} ms: at 20 lines/s the lines past the burst wait at least 1 s`)
})

test('nick map: unique nicks stay bare, shared ones get |tag both ways, reserved characters become _', (t) => {
  let self = 'me'
  const map = new NickMap(key => key.slice(0, 4), folded => folded === self)
  t.deepEqual(map.see(BOB, 'bob'), [], 'a new unique nick: no rename')
  t.equal(map.nickOf(BOB), 'bob')
  const renames = map.see(EVE, 'Bob')
  t.deepEqual(renames, [{ key: BOB, old: 'bob', nick: 'bob|b0b0' }], 'bob collides with Bob (ASCII case folding): the first is renamed')
  t.equal(map.nickOf(EVE), 'Bob|e7e7', 'the newcomer is tagged from the start')
  t.equal(map.keyOf('BOB|E7E7'), EVE, 'lookup folds case')
  t.deepEqual(map.see(EVE, 'eve'), [{ key: EVE, old: 'Bob|e7e7', nick: 'eve' }, { key: BOB, old: 'bob|b0b0', nick: 'bob' }], 'a rename ends the collision: both drop the tag')
  t.equal(map.keyOf('Bob|e7e7'), undefined, 'the old nick no longer resolves')
  t.equal(map.see('c0c0'.repeat(16), 'x!y@z:w')[0], undefined)
  t.equal(map.nickOf('c0c0'.repeat(16)), 'x_y_z_w|c0c0', 'reserved characters replaced, and tagged since changed')
  self = 'eve'
  t.deepEqual(map.localChanged('me', 'eve'), [{ key: EVE, old: 'eve', nick: 'eve|e7e7' }], 'a peer sharing this node\'s new nick gets a tag')
  t.end()
})
