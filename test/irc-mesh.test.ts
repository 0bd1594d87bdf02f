// The IRC face with the mesh behind it: an irc-framework client on node A
// talks with headless nodes B (linked) and C (two hops away, through B):
// history on JOIN, room lines both ways, sealed private messages both ways
// with delivery NOTICEs, two peers sharing a nick shown as nick|tag, mesh
// peers coming, going and renaming, and two IRC clients on one node (the
// owner of the node's nick and a guest).
import test from 'tape'
import { Cluster, type Proc } from './helpers/proc'
import { TestIrc } from './helpers/irc'

const NOPEX = ['--no-pex']

async function chain (c: Cluster): Promise<{ a: Proc; b: Proc; cc: Proc }> {
  const a = await c.start({ name: 'a', args: [...NOPEX, '--irc-listen', '127.0.0.1:0', '--room', 'lobby'] })
  const b = await c.start({ name: 'b', args: [...NOPEX, '--peer', a.listen, '--room', 'lobby', '--room', 'rust'] })
  const cc = await c.start({ name: 'c', args: [...NOPEX, '--peer', b.listen, '--room', 'rust'] })
  await b.waitPeerUp(a.id); await cc.waitPeerUp(b.id)
  return { a, b, cc }
}

function irc (c: Cluster, a: Proc, nick: string, extra: Record<string, unknown> = {}): TestIrc {
  const client = new TestIrc(a.ready.irc, nick, extra)
  c.cleanups.push(() => client.close())
  return client
}

test('IRC and a node two hops away: history on JOIN, room lines both ways, private messages both ways with receipts', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const { a, cc } = await chain(c)
  cc.send('said before you came')
  const me = irc(c, a, 'ivan')
  await me.registered()
  me.client.join('#rust')
  const replayed = await me.wait(/PRIVMSG #rust :said before you came$/, 'the history line')
  t.match(replayed, /^@\S*time=\d{4}-\d\d-\d\dT[^ ]+ :c!\w+@mesh PRIVMSG/, 'replayed on JOIN from c, with server-time')
  cc.send('hello irc')
  t.match(await me.wait(/PRIVMSG #rust :hello irc$/, 'a live line'), /:c!\w+@mesh PRIVMSG #rust/, 'a line from two hops away arrives as c')
  me.client.say('#rust', 'hello mesh')
  const got = await cc.waitMessage('hello mesh')
  t.equal(got.nick, 'ivan', 'c sees the IRC nick as the author')
  t.equal(got.hops, 2, 'two hops away')
  t.equal(got.from, a.id, 'signed by node a')
  me.client.action('#rust', 'waves at the mesh')
  const act = await cc.waitMessage('waves at the mesh')
  t.deepEqual([act.action, act.nick], [true, 'ivan'], 'a CTCP ACTION goes to the mesh as an action (/me)')
  cc.send('/me waves back')
  t.match(await me.wait(/PRIVMSG #rust :\x01ACTION waves back\x01$/, 'the action from the mesh'), /:c!\w+@mesh PRIVMSG/, 'a /me from the mesh arrives as a CTCP ACTION')
  me.client.say('c', 'psst, just you')
  const priv = await cc.waitMessage('psst, just you')
  t.ok(priv.private && priv.from === a.id, 'c gets a private message from a')
  t.match(await me.wait(/ NOTICE ivan :delivered: psst, just you$/, 'the receipt'), /^(@\S+ )?:c!\w+@mesh NOTICE/, 'the delivery NOTICE comes from c')
  cc.send('/msg ivan and back to you')
  t.match(await me.wait(/PRIVMSG ivan :and back to you$/, 'the private reply'), /:c!\w+@mesh PRIVMSG ivan/, 'c\'s private message arrives as a query from c')
  me.client.raw('WHOIS', 'c')
  t.equal(await me.wait(/ 320 ivan c :key /, 'WHOIS key line'), `:meshchat.local 320 ivan c :key ${cc.id}`, 'WHOIS c gives c\'s full key')
  t.match(me.lines.find(l => / 312 ivan c /.test(l))!, /through the mesh, 2 hops/, 'and its route: two hops')
  me.client.raw('WHO', '#rust')
  await me.wait(/ 315 ivan #rust /, 'end of WHO')
  t.ok(me.lines.some(l => / 352 ivan #rust \w+ mesh meshchat\.local c H /.test(l)), 'WHO #rust lists c, two hops away')
  const taken = irc(c, a, 'c')
  await taken.wait(/ 433 \* c /, '433 for a mesh peer\'s nick')
  taken.client.connection.end()
  me.client.say('nobody-here', 'hello?')
  await me.wait(/ 401 ivan nobody-here /, '401 for an unknown nick')
  me.client.raw('PART', '#rust', 'off to lunch')
  t.match(await me.wait(/ PART #rust/, 'PART'), /:ivan!\w+@mesh PART #rust :off to lunch$/, 'PART carries its message')
  await cc.kill()
  me.client.say('c', 'are you there?')
  t.match(await me.wait(/NOTICE ivan :not delivered: are you there\?$/, 'the undelivered receipt'), /^(@\S+ )?:c!\w+@mesh NOTICE/, 'a message to a node that is gone: "not delivered" from c')
  a.send('/who rust')
  t.match((await a.waitFor(e => e.event === 'error' && e.code === 'NOT_IN_ROOM', 5000, 'NOT_IN_ROOM')).message, /rust/, 'node a left the room on the mesh')
})

test('IRC: two peers sharing a nick are nick|tag; peers come, go and rename; two clients on one node see each other', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const { a, b, cc } = await chain(c)
  const d = await c.start({ name: 'c', args: [...NOPEX, '--peer', b.listen, '--room', 'lobby'] })
  await d.waitPeerUp(b.id)
  const one = irc(c, a, 'judy')
  await one.registered()
  one.client.join('#rust')
  await one.wait(/ 366 judy #rust /, 'NAMES of #rust')
  d.send('/join rust')
  const tagC = cc.id.slice(0, 4)
  const tagD = d.id.slice(0, 4)
  await one.wait(new RegExp(`!${tagD}\\w*@mesh JOIN :?#rust`), 'd joining #rust')
  let names = ''
  for (let round = 0; round < 20 && !(names.includes(`c|${tagC}`) && names.includes(`c|${tagD}`)); round++) {
    const from = one.lines.length
    one.client.raw('NAMES', '#rust')
    names = await one.wait(/ 353 judy = #rust /, 'NAMES', 5000, from)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  t.ok(names.includes(`c|${tagC}`) && names.includes(`c|${tagD}`), `both peers called c are told apart: ${names}`)
  t.match(names, /[ :]judy[! ]/, 'and the client is listed')
  one.client.say(`c|${tagD}`, 'for the second c only')
  const priv = await d.waitMessage('for the second c only')
  t.ok(priv.private, 'c|tag addresses exactly one key')
  cc.send('marker from the first c')
  await one.wait(new RegExp(`:c\\|${tagC}!\\w+@mesh PRIVMSG #rust :marker from the first c`), 'the first c speaks as c|tag')
  t.equal(cc.messages('for the second c only').length, 0, 'the other c got nothing')

  d.send('/nick dave')
  // No line from dave yet: the rename itself is announced at once.
  t.match(await one.wait(/ NICK :?dave$/, 'the rename', 3000), new RegExp(`^:c\\|${tagD}!\\w+@mesh NICK`), 'a rename arrives as NICK within 3 s, before any line')
  d.send('now I am dave')
  await one.wait(new RegExp(`^:c\\|${tagC}!\\w+@mesh NICK :?c$`), 'the remaining c drops its tag')
  const renameAt = one.lines.findIndex(l => / NICK :?dave$/.test(l))
  const lineAt = one.lines.findIndex(l => /PRIVMSG #rust :now I am dave$/.test(l))
  t.ok(renameAt >= 0 && (lineAt === -1 || renameAt < lineAt), 'the NICK comes before dave\'s line')

  const two = irc(c, a, 'judy2', { enable_echomessage: true })
  await two.registered()
  await two.wait(/ 366 judy2 #rust /, 'the second client is shown in #rust too')
  await one.wait(/^:judy2!\w+@mesh JOIN :?#rust$/, 'the first client sees the second join #rust')
  one.client.say('#rust', 'from client one')
  t.match(await two.wait(/PRIVMSG #rust :from client one$/, 'client one\'s line'), /^(@\S+ )?:judy!\w+@mesh PRIVMSG/, 'client two sees client one\'s line, from judy')
  two.client.say('#rust', 'from client two')
  t.match(await one.wait(/PRIVMSG #rust :from client two$/, 'client two\'s line at client one'), /^(@\S+ )?:judy2!\w+@mesh PRIVMSG/, 'client one sees it from judy2')
  await two.wait(/PRIVMSG #rust :from client two$/, 'echo-message to client two')
  const guest = await cc.waitMessage('from client two')
  t.deepEqual([guest.nick, guest.via, guest.from], ['judy2', 'judy', a.id], 'on the mesh the second client is a guest of node a (judy2 via judy)')
  t.equal(one.count(/PRIVMSG #rust :from client one$/), 0, 'no echo without echo-message')
  cc.send('to both clients')
  await one.wait(/PRIVMSG #rust :to both clients$/, 'mesh line at one')
  await two.wait(/PRIVMSG #rust :to both clients$/, 'mesh line at two')
  two.client.say('judy', 'just between us')
  t.match(await one.wait(/PRIVMSG judy :just between us$/, 'a local private message'), /^(@\S+ )?:judy2!\w+@mesh PRIVMSG/, 'a private message between two clients of one node stays local')
  const third = irc(c, a, 'judy2')
  await third.wait(/ 433 \* judy2 /, '433 for a nick another client of the node holds')
  third.client.connection.end()
  two.client.raw('PART', '#lobby', 'not for me')
  t.match(await one.wait(/^:judy2!\S+ PART #lobby/, 'the guest leaving #lobby'), /PART #lobby :not for me$/, 'client one sees client two PART')
  one.client.say('#lobby', 'lobby still open')
  t.equal((await b.waitMessage('lobby still open')).room, 'lobby', 'the node stays in the room while client one is in it')
  two.client.quit('bye')
  t.match(await one.wait(/^:judy2!\S+ QUIT /, 'the QUIT of client two'), /^:judy2!\w+@mesh QUIT :Quit: bye$/, 'client one sees client two QUIT')
  d.send('/leave rust off to #go')
  t.match(await one.wait(/:dave!\w+@mesh PART #rust/, 'a peer leaving the room arrives as PART', 3000), /PART #rust :off to #go$/, 'with its parting words')
  cc.send('still here after a client quit')
  await one.wait(/PRIVMSG #rust :still here after a client quit$/, 'the node keeps running after one client QUITs')
  t.equal(a.child.exitCode, null, 'node a is still running')
  // c is in #lobby and #rust: its quit reaches node a once per room, and the client sees one QUIT.
  cc.send('/quit see you')
  t.match(await one.wait(new RegExp(`^:c!\\w+@mesh QUIT `), 'c quitting', 3000), /QUIT :Quit: see you$/, 'a peer\'s /quit arrives as QUIT with its message within 3 s')
  one.client.say('#lobby', 'after the quit')
  await b.waitMessage('after the quit')
  t.equal(one.count(/^:c!\w+@mesh (QUIT|PART) /), 1, 'one QUIT, no PART per room')
})
