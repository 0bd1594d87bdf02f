// The IRC face as a server, byte by byte: registration (PASS/NICK/USER, CAP),
// 001-005 and MOTD, PING before and after registration, QUIT before it, CRLF
// on every line, lines split across reads, refused input (too long, stray CR
// or NUL), the password rule and --irc-server-name. One real meshchat process.
import test from 'tape'
import { Cluster, runBin, tempDir } from './helpers/proc'
import { RawIrc } from './helpers/irc'

const IRC = ['--irc-listen', '127.0.0.1:0']
const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

test('registration: CAP, 001-005 in order with a truthful ISUPPORT, MOTD, JOIN of the room; CRLF everywhere; the nick becomes the mesh nick', async (t) => {
  t.timeoutAfter(15_000)
  const c = new Cluster(t)
  const node = await c.start({ name: 'alice', args: [...IRC, '--irc-server-name', 'test.server', '--room', 'lobby'] })
  const irc = new RawIrc(node.ready.irc)
  c.cleanups.push(() => irc.close())
  irc.line('PING early-token')
  t.equal(await irc.wait(/ PONG /, 'PONG before registration'), ':test.server PONG test.server :early-token', 'PING before registration answered by the named server')
  irc.line('CAP LS 302')
  t.match(await irc.wait(/ CAP \* LS /, 'CAP LS'), /:server-time message-tags echo-message multi-prefix userhost-in-names$/, 'CAP LS offers the five caps')
  // NICK and USER arrive split across reads, the CRLF itself cut in two.
  irc.send('NI'); await wait(50); irc.send('CK carol\r'); await wait(50); irc.send('\nUSER carol 0 * :Carol C\r\n')
  irc.line('CAP REQ :server-time no-such-cap')
  t.match(await irc.wait(/ CAP carol NAK /, 'NAK'), /NAK :server-time no-such-cap$/, 'a request with an unknown cap is NAKed whole')
  irc.line('CAP REQ :server-time')
  await irc.wait(/ CAP carol ACK :server-time$/, 'ACK')
  t.equal(irc.count(/ 001 /), 0, 'no welcome while CAP negotiation is open')
  irc.line('CAP END')
  await irc.wait(/ JOIN :?#lobby$/, 'JOIN #lobby')
  await irc.wait(/ 366 carol #lobby /, 'end of NAMES')
  const codes = irc.lines.map(l => l.split(' ')[1])
  const at = (code: string) => codes.indexOf(code)
  t.ok(at('001') >= 0 && at('001') < at('002') && at('002') < at('003') && at('003') < at('004') && at('004') < at('005'), '001-004 in order, then 005')
  t.ok(at('005') < at('375') && at('375') < at('372') && at('372') < at('376'), 'then MOTD 375/372/376')
  t.match(irc.lines[at('004')], /^:test\.server 004 carol test\.server meshchat-\S+ i :?n$/, '004 names the server')
  const isupport = irc.lines[at('005')]
  for (const token of ['CHANTYPES=#', 'NICKLEN=32', 'CHANNELLEN=65', 'CASEMAPPING=ascii', 'PREFIX=()', 'NETWORK=meshchat']) t.ok(isupport.includes(` ${token} `), `ISUPPORT has ${token}`)
  t.match(irc.lines.filter(l => / 372 /.test(l)).join('\n'), new RegExp(`carol#${node.id.slice(0, 4)}`), 'MOTD names nick#tag')
  t.match(irc.lines.join('\n'), new RegExp(`353 carol = #lobby :?carol`), 'NAMES after the JOIN lists the client')
  irc.line('PING after')
  await irc.wait(/ PONG test\.server :after$/, 'PONG after registration')
  irc.line('WHOIS carol')
  t.match(await irc.wait(/ 312 /, '312'), /^:test\.server 312 carol carol test\.server /, 'WHOIS names the server')
  irc.line('WHO #lobby')
  t.match(await irc.wait(/ 352 /, '352'), /^:test\.server 352 carol #lobby \S+ mesh test\.server carol H /, 'WHO names the server')
  irc.line('FROB x')
  await irc.wait(/ 421 carol FROB /, '421')
  node.send('/who')
  const members = await node.waitFor(e => e.event === 'members', 5000, 'members')
  t.equal(members.members[0].nick, 'carol', 'the registered IRC nick is the mesh nick')
  const pieces = irc.raw.split('\n')
  t.equal(pieces.pop(), '', 'the output ends at a line end')
  t.ok(pieces.every(p => p.endsWith('\r')), `all ${pieces.length} lines end in CRLF`)
})

test('QUIT before registration is answered and closed at once; NICK rules give 431/432', async (t) => {
  t.timeoutAfter(15_000)
  const c = new Cluster(t)
  const node = await c.start({ name: 'n', args: IRC })
  const early = new RawIrc(node.ready.irc)
  c.cleanups.push(() => early.close())
  early.line('NICK')
  await early.wait(/ 431 /, '431 for NICK without a nick')
  for (const bad of ['1abc', 'a|b', 'x,y', 'a.b']) {
    early.line(`NICK ${bad}`)
    await early.wait(new RegExp(` 432 \\* ${bad.replace(/[|.]/g, '\\$&')} `), `432 for ${bad}`)
  }
  t.equal(early.count(/ 432 /), 4, 'each bad nick refused with its own 432')
  early.line('PRIVMSG #lobby :too soon')
  await early.wait(/ 451 /, '451 before registration')
  const started = Date.now()
  early.line('QUIT :changed my mind')
  t.match(await early.wait(/^ERROR /, 'ERROR'), /Quit: changed my mind/, 'QUIT answered with ERROR')
  await early.closed
  t.ok(Date.now() - started < 2000, 'and the socket closed at once')
  t.equal(node.messages('too soon').length, 0, 'nothing was posted before registration')
})

test('a 10 KB line, a line over 512 bytes, a stray CR or NUL are refused with coded errors; the client stays', async (t) => {
  t.timeoutAfter(15_000)
  const c = new Cluster(t)
  const node = await c.start({ name: 'n', args: IRC })
  const irc = new RawIrc(node.ready.irc)
  c.cleanups.push(() => irc.close())
  irc.line('NICK dora'); irc.line('USER dora 0 * :Dora')
  await irc.wait(/ 376 /, 'MOTD end')
  irc.line('PRIVMSG #lobby :' + 'x'.repeat(10 * 1024))
  t.match(await irc.wait(/ 417 /, '417'), /417 dora :LINE_TOO_LONG: /, 'a 10 KB line: 417 with LINE_TOO_LONG')
  const prefix = 'PRIVMSG #lobby :'
  irc.line(prefix + 'y'.repeat(510 - prefix.length + 1))
  await irc.wait(/ 417 dora :LINE_TOO_LONG: .* 513 bytes/, '417 for 513 bytes')
  irc.line(prefix + 'z'.repeat(510 - prefix.length))
  irc.send('PRIVMSG #lobby :cr\rQUIT :injected\r\n')
  t.match(await irc.wait(/ FAIL \* BINARY_INPUT /, 'FAIL for CR'), /CR/, 'a CR inside a line: FAIL BINARY_INPUT')
  irc.send(Buffer.from('PRIVMSG #lobby :nul\0byte\r\n'))
  t.match(await irc.wait(/ FAIL \* BINARY_INPUT :.*NUL/, 'FAIL for NUL'), /NUL/, 'a NUL: FAIL BINARY_INPUT')
  irc.line('PRIVMSG #lobby :marker after the refusals')
  await node.waitMessage('marker after the refusals')
  const texts = node.messages().map(e => e.text as string)
  t.ok(texts.includes('z'.repeat(510 - prefix.length)), 'a line of exactly 512 bytes with CRLF is posted')
  t.notOk(texts.some(x => x.startsWith('xxx') || x.startsWith('yyy') || x.includes('injected') || x.includes('byte')), 'no refused line reached the mesh')
  t.equal(irc.count(/^ERROR/), 0, 'the client was not disconnected')
})

test('password: a wrong or missing PASS gets 464 and a closed socket; the right one registers', async (t) => {
  t.timeoutAfter(15_000)
  const c = new Cluster(t)
  const node = await c.start({ name: 'n', args: [...IRC, '--irc-password', 's3cret'] })
  for (const pass of ['wrong', null]) {
    const irc = new RawIrc(node.ready.irc)
    c.cleanups.push(() => irc.close())
    if (pass) irc.line(`PASS ${pass}`)
    irc.line('NICK eve'); irc.line('USER eve 0 * :Eve')
    t.match(await irc.wait(/ 464 /, '464'), /464 eve :Password (incorrect|required)/, `${pass ?? 'no'} password: 464`)
    await irc.closed
    t.equal(irc.count(/ 001 /), 0, 'never welcomed')
  }
  const ok = new RawIrc(node.ready.irc)
  c.cleanups.push(() => ok.close())
  ok.line('PASS s3cret'); ok.line('NICK eve'); ok.line('USER eve 0 * :Eve')
  await ok.wait(/ 001 eve /, '001 with the right password')
  const open = await runBin(['--headless', '--listen', '127.0.0.1:0', '--data-dir', tempDir(), '--irc-listen', '0.0.0.0:0'])
  t.equal(open.code, 2, 'a non-loopback --irc-listen without --irc-password: exit 2')
  t.match(open.stderr, /--irc-password/, 'naming the missing option')
})
