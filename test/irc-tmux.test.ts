// A real terminal IRC client against the face: irssi in a tmux session (on a
// private tmux server) connects to a meshchat node, joins a room, sees a line
// from a mesh peer and sends one back. Needs tmux and irssi (.ci/run installs
// both) and the built dist/.
import test from 'tape'
import fs from 'fs'
import path from 'path'
import { Cluster, tempDir } from './helpers/proc'
import { hostPort } from './helpers/irc'
import { TmuxServer, installed } from './helpers/tmux'

const server = new TmuxServer(`meshchat-irc-test-${process.pid}`, { TERM: 'screen' })
const tmux = (...args: string[]) => server.run(...args)
const hasSession = (name: string) => server.hasSession(name)
const waitScreen = server.waitScreen.bind(server)
const typeLine = server.typeLine.bind(server)
const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

const skip = (!installed('tmux', '-V') && 'tmux is not installed') || (!installed('irssi', '--version') && 'irssi is not installed')

test('irssi in tmux: connect to the IRC face, join a room, see a mesh line, send one back', { skip }, async (t) => {
  t.timeoutAfter(40_000)
  const home = tempDir('meshchat-irssi-')
  // No config: irssi would otherwise autoconnect to public networks. An empty one connects nowhere by itself.
  fs.writeFileSync(path.join(home, 'config'), 'settings = { core = { real_name = "Irssi Test"; user_name = "ivy"; nick = "ivy"; }; };\n')
  t.teardown(() => {
    server.close()
    fs.rmSync(home, { recursive: true, force: true })
  })
  const c = new Cluster(t)
  const a = await c.start({ name: 'a', args: ['--no-pex', '--irc-listen', '127.0.0.1:0', '--room', 'lobby'] })
  const b = await c.start({ name: 'bea', args: ['--no-pex', '--peer', a.listen, '--room', 'lobby', '--room', 'garden'] })
  await b.waitPeerUp(a.id)
  const { host, port } = hostPort(a.ready.irc)
  tmux('new-session', '-d', '-s', 'irssi', '-x', '120', '-y', '30', `irssi --home=${home} --connect=${host} --port=${port} --nick=ivy`)
  await waitScreen('irssi', /End of \/MOTD|meshchat IRC face/, 'the welcome')
  typeLine('irssi', '/join #garden')
  await waitScreen('irssi', /ivy .*has joined #garden|\[#garden\]|#garden/, 'the #garden window')
  b.send('/room garden')
  await b.waitFor(e => e.event === 'room' && e.room === 'garden', 5000, 'bea in garden')
  b.send('roses are red')
  const shown = await waitScreen('irssi', /bea.*roses are red/, 'the mesh line in irssi')
  t.match(shown, /<.?bea> roses are red/, 'irssi shows the mesh line from bea')
  typeLine('irssi', 'violets are blue')
  const got = await b.waitMessage('violets are blue')
  t.equal(got.nick, 'ivy', 'bea gets the line from ivy')
  t.equal(got.room, 'garden', 'in the room irssi joined')
  typeLine('irssi', '/quit leaving')
  // irssi exits on /quit, and its tmux session with it.
  for (let i = 0; i < 100 && hasSession('irssi'); i++) await wait(100)
  t.notOk(hasSession('irssi'), 'irssi quit')
  b.send('after irssi quit')
  t.equal((await a.waitMessage('after irssi quit')).nick, 'bea', 'node a keeps running after irssi quits')
})
