// WeeChat against the IRC face: weechat-headless (no terminal needed) runs a
// scripted session against a meshchat node: it connects, is in #lobby, sees a
// mesh peer's room line and private message, and sends one of each back.
// Needs weechat-headless (.ci/run installs it) and the built dist/.
import test from 'tape'
import { spawn } from 'child_process'
import fs from 'fs'
import path from 'path'
import { Cluster, tempDir } from './helpers/proc'
import { hostPort } from './helpers/irc'
import { installed } from './helpers/tmux'

const skip = !installed('weechat-headless', '--version') && 'weechat-headless is not installed'

test('weechat: a scripted session talks with a mesh peer both ways, in the room and privately', { skip }, async (t) => {
  t.timeoutAfter(40_000)
  const home = tempDir('meshchat-weechat-')
  const c = new Cluster(t)
  const a = await c.start({ name: 'a', args: ['--no-pex', '--irc-listen', '127.0.0.1:0', '--room', 'lobby'] })
  const b = await c.start({ name: 'bert', args: ['--no-pex', '--peer', a.listen, '--room', 'lobby'] })
  await b.waitPeerUp(a.id)
  const { host, port } = hostPort(String(a.ready.irc))
  // Commands run from WeeChat's core buffer, so each names the server; /wait times count from the start.
  const script = [
    '/set irc.server_default.nicks wee', '/set logger.file.auto_log on', '/set logger.level.irc 9', '/set logger.file.flush_delay 0',
    `/server add m ${host}/${port} -notls`, '/connect m',
    '/wait 6s /msg -server m #lobby hello from weechat', '/wait 7s /msg -server m bert private from weechat', '/wait 20s /quit'
  ].join('; ')
  const wee = spawn('weechat-headless', ['--dir', home, '-r', script], { stdio: 'ignore' })
  c.cleanups.push(() => { wee.kill('SIGKILL'); fs.rmSync(home, { recursive: true, force: true }) })
  const logs = path.join(home, 'logs')
  const read = (name: string) => { try { return fs.readFileSync(path.join(logs, name), 'utf8') } catch { return '' } }
  // Registered and in #lobby (the face puts every client in the node's rooms): WeeChat logged its own join.
  for (let i = 0; i < 100 && !/wee \S+ has joined #lobby/.test(read('irc.m.#lobby.weechatlog')); i++) await new Promise(resolve => setTimeout(resolve, 100))
  t.match(read('irc.m.#lobby.weechatlog'), /wee \S+ has joined #lobby/, 'WeeChat registered and is in #lobby')
  b.send('from the mesh to weechat')
  b.send('/msg a hi privately')
  const room = await b.waitMessage('hello from weechat', 15_000)
  t.deepEqual([room.room, room.nick, room.from], ['lobby', 'wee', a.id], 'WeeChat\'s room line reaches the mesh, signed by its node, under its IRC nick')
  const priv = await b.waitMessage('private from weechat', 5000)
  t.ok(priv.private && priv.from === a.id, 'and its private message, sealed from the node')
  const until = async (name: string, re: RegExp) => { for (let i = 0; i < 50 && !re.test(read(name)); i++) await new Promise(resolve => setTimeout(resolve, 100)) }
  await until('irc.m.bert.weechatlog', /\tbert\thi privately/)
  t.match(read('irc.m.#lobby.weechatlog'), /\tbert\tfrom the mesh to weechat/, 'WeeChat showed the mesh line in #lobby, from bert')
  t.match(read('irc.m.bert.weechatlog'), /\tbert\thi privately/, 'and bert\'s private message in a query')
})
