// End to end, as a person would use it: two meshchat processes in their own
// terminals (tmux sessions on a private tmux server), linked on 127.0.0.1.
// Keys go in with `tmux send-keys`; what is on screen comes back with
// `tmux capture-pane`. Needs tmux (.ci/run installs it) and the built dist/.
import test from 'tape'
import fs from 'fs'
import { BIN, FAST_TIMING, tempDir } from './helpers/proc'
import { strWidth } from '../lib/ui/tui/text'
import { TmuxServer, installed } from './helpers/tmux'

const server = new TmuxServer(`meshchat-test-${process.pid}`, {}, ['NO_COLOR'])
const tmux = (...args: string[]) => server.run(...args)
const screen = (session: string) => server.screen(session)
const flags = (session: string) => tmux('display-message', '-p', '-t', session, '#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{pane_current_command}').trim()
const waitScreen = server.waitScreen.bind(server)
const typeLine = server.typeLine.bind(server)

async function shell (name: string, width: number, height: number): Promise<void> {
  tmux('new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), "env PS1='$ ' TERM=screen bash --norc --noprofile")
  await waitScreen(name, /^\$ ?$/m, 'a shell prompt')
}

const dataDirs: string[] = []

function meshchat (session: string, nick: string, extra: string[] = []): void {
  const dir = tempDir()
  dataDirs.push(dir)
  const args = ['--nick', nick, '--listen', '127.0.0.1:0', '--data-dir', dir, '--timing', `'${JSON.stringify(FAST_TIMING)}'`, ...extra]
  typeLine(session, `clear; node ${BIN} ${args.join(' ')}`)
}

/** After quitting: normal screen, cursor shown, mouse off, the shell prompt on a clean last line. */
async function assertRestored (t: test.Test, session: string): Promise<void> {
  const out = await waitScreen(session, /^\$ ?$/m, 'the prompt after quitting', 10_000)
  const [alt, cursor, mouse, cmd] = flags(session).split(' ')
  t.equal(alt, '0', `${session}: back on the normal screen`)
  t.equal(cursor, '1', `${session}: cursor visible`)
  t.equal(mouse, '0', `${session}: mouse reporting off`)
  t.equal(cmd, 'bash', `${session}: meshchat has exited`)
  const lines = out.split('\n').filter(l => l.trim() !== '')
  t.equal(lines[lines.length - 1].trim(), '$', `${session}: the prompt is the last line, nothing after it`)
  t.doesNotMatch(out, /links \d|peers \d/, `${session}: no piece of the chat screen is left behind`)
}

test('terminal view end to end: two nodes in tmux chat, run commands, quit cleanly', { skip: !installed('tmux', '-V') && 'tmux is not installed' }, async (t) => {
  t.timeoutAfter(90_000)
  t.teardown(() => {
    server.close()
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true })
  })
  await shell('alice', 110, 30)
  await shell('bob', 90, 24)

  meshchat('alice', 'alice')
  const a0 = await waitScreen('alice', /1:#lobby │ alice#[0-9a-f]{4} │ links 0 │ 127\.0\.0\.1:\d+/, "alice's status bar")
  const address = /127\.0\.0\.1:\d+/.exec(a0.split('\n').find(l => l.includes('#lobby │'))!)![0]
  t.ok(Number(address.split(':')[1]) > 0, `alice's status bar shows the real port she got for :0 (${address})`)
  t.deepEqual(flags('alice').split(' ').slice(0, 1), ['1'], 'the view uses the alternate screen')

  meshchat('bob', 'bob', ['--peer', address])
  await waitScreen('bob', /link up: alice#[0-9a-f]{4,} \(tcp 127\.0\.0\.1:\d+\)/, 'the link to alice, in bob\'s pane')
  await waitScreen('alice', /bob#[0-9a-f]{4,} joined #lobby/, 'bob joined the room, in alice\'s pane')
  await waitScreen('bob', /-!- in #lobby: alice#[0-9a-f]{4,}/, 'alice, in the room before him, listed in bob\'s pane (not "joined")')
  const b1 = await waitScreen('bob', /● alice#[0-9a-f]{4}/, 'alice live in bob\'s sidebar')
  t.match(b1, /links 1 │ 127\.0\.0\.1:\d+ │ 2 here/, 'bob\'s status bar counts the link, and the two in the room')
  typeLine('bob', '/who')
  await waitScreen('bob', /#lobby: 2 here[^\n]*\n[^\n]*bob#[0-9a-f]{4} \(you\) +alice#[0-9a-f]{4}/, '/who: the count, then the names in columns, you first')
  typeLine('bob', '/who lobby ALI')
  await waitScreen('bob', /#lobby: 1 of 2 here match 'ALI'[^\n]*\n[^\n]*alice#[0-9a-f]{4}/, '/who ROOM PATTERN narrows it')
  typeLine('bob', '/who nowhere x')
  await waitScreen('bob', /-!- you are not in room 'nowhere'; \/join nowhere first/, 'a room you are not in: one clear error line')

  typeLine('bob', 'hello alice, from bob 中文 😀 ok')
  await waitScreen('alice', /<bob#[0-9a-f]{4}> hello alice, from bob 中文 😀 ok/, "bob's line in alice's pane")
  // A later line over the same link: a second copy of the first would be on screen before it.
  typeLine('bob', 'and a second line')
  const a1 = await waitScreen('alice', /<bob#[0-9a-f]{4}> and a second line/, "bob's later line in alice's pane")
  t.equal(a1.split('\n').filter(l => l.includes('hello alice, from bob')).length, 1, 'a line typed in bob\'s terminal appears once in alice\'s')
  const row = a1.split('\n').find(l => l.includes('from bob'))!
  const border = a1.split('\n').find(l => l.includes('peers 1/1'))!
  const column = (line: string) => strWidth(line.slice(0, line.lastIndexOf('│')))
  t.equal(column(row), column(border), 'the sidebar border stays in its column after wide characters')

  typeLine('alice', 'hi bob')
  await waitScreen('bob', /<alice#[0-9a-f]{4}> hi bob/, "alice's line in bob's pane")

  typeLine('alice', '/peers')
  await waitScreen('alice', /1 peer linked:[^\n]*\n[^\n]*bob#[0-9a-f]{4} {2}tcp 127\.0\.0\.1:\d+/, '/peers output')
  typeLine('alice', '/nick')
  await waitScreen('alice', /-!- usage: \/nick NAME/, 'a one-line usage error')
  typeLine('alice', '/frobnicate')
  await waitScreen('alice', /-!- unknown command \/frobnicate; try \/help/, 'unknown command error')

  // History recall and Tab completion, through real key presses.
  tmux('send-keys', '-t', 'alice', 'Up')
  await waitScreen('alice', /^> \/frobnicate\s*$/m, 'Up recalls the last line')
  tmux('send-keys', '-t', 'alice', 'C-u')
  tmux('send-keys', '-t', 'alice', '-l', 'bo')
  tmux('send-keys', '-t', 'alice', 'Tab')
  await waitScreen('alice', /^> bob:\s*$/m, 'Tab completes bob')
  tmux('send-keys', '-t', 'alice', '-l', 'typed once')
  tmux('send-keys', '-t', 'alice', 'Enter')
  await waitScreen('bob', /<alice#[0-9a-f]{4}> bob: typed once/, 'completed line arrives')
  const a2 = await waitScreen('alice', /^>\s*$/m, 'the input line is empty again after Enter')
  t.doesNotMatch(a2, /ttyyppeedd|bbob/, 'no character typed twice after a submit')

  // Buffers: one per room; Alt-N and Ctrl-N switch, and the node's room follows.
  typeLine('alice', '/join dev')
  await waitScreen('alice', /^ 2:#dev │ alice#[0-9a-f]{4} │ links 1 │ 1:#lobby │/m, 'the #dev buffer, number 2')
  typeLine('bob', 'lobby line while away in dev')
  await waitScreen('alice', / 1:#lobby\(1\) /, 'an unread count for #lobby')
  t.doesNotMatch(screen('alice'), /lobby line while/, 'the lobby line is not in the #dev buffer')
  tmux('send-keys', '-t', 'alice', 'M-1')
  const a4 = await waitScreen('alice', /^ 1:#lobby │ alice#[0-9a-f]{4} │ links 1 │ 2:#dev │/m, 'Alt-1: back in #lobby')
  t.match(a4, /── new since you left[^\n]*\n[^\n]*<bob#[0-9a-f]{4}> lobby line while away in dev/, 'the marker line, then the unread line')
  t.doesNotMatch(a4, /joined #dev/, 'nothing of #dev in the #lobby buffer')
  tmux('send-keys', '-t', 'alice', 'M-2')
  await waitScreen('alice', /^ 2:#dev │/m, 'Alt-2: #dev')
  tmux('send-keys', '-t', 'alice', 'C-n')
  await waitScreen('alice', /^ 1:#lobby │/m, 'Ctrl-N wraps to #lobby')
  tmux('send-keys', '-t', 'alice', 'C-n')
  await waitScreen('alice', /^ 2:#dev │/m, 'Ctrl-N: #dev')
  typeLine('alice', 'said in dev')
  tmux('send-keys', '-t', 'alice', 'M-1')
  await waitScreen('alice', /^ 1:#lobby │/m, 'Alt-1 again')
  typeLine('alice', 'said in lobby')
  await waitScreen('bob', /<alice#[0-9a-f]{4}> said in lobby/, 'a line typed after Alt-1 goes to #lobby')
  t.doesNotMatch(screen('bob'), /said in dev/, 'bob, not in #dev, never got the #dev line')

  // A resize re-lays the screen out: a narrow terminal hides the sidebar.
  tmux('resize-window', '-t', 'alice', '-x', '60', '-y', '20')
  const a3 = await waitScreen('alice', /^ 1:#lobby │ alice#/m, 'status bar after resize')
  t.doesNotMatch(a3, /peers \d\/\d/, 'sidebar hidden at 60 columns')
  t.ok(a3.split('\n').every(l => l.length <= 60), 'every row fits 60 columns')

  typeLine('bob', '/quit')
  await assertRestored(t, 'bob')
  await waitScreen('alice', /link down: bob#[0-9a-f]{4,}/, 'alice sees the link to bob go')

  tmux('send-keys', '-t', 'alice', 'C-c')
  await assertRestored(t, 'alice')
})
