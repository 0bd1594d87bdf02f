// Long lines split at UTF-8 character boundaries (the terminal view and the
// gateway use it); headless keeps refusing them with TEXT_TOO_LONG and shows
// actions as "action":true.
import test from 'tape'
import { PassThrough } from 'stream'
import { splitText, MAX_SPLIT_PIECES } from '../lib/core/split-text'
import { runLine } from '../lib/core/command-runner'
import { parseLine } from '../lib/core/commands'
import { Headless } from '../lib/ui/headless'
import { MAX_TEXT_BYTES } from '../lib/protocol/limits'
import { MemMesh } from './helpers/mesh'

test('splitText: pieces under the limit, cut between characters, at a space when one is near', (t) => {
  t.deepEqual(splitText('short'), ['short'], 'a line that fits is one piece')
  for (const unit of ['a', 'é', '中', '😀', 'e\u0301']) {
    const text = unit.repeat(3000)
    for (const max of [7, 64, 4096]) {
      const pieces = splitText(text, max)
      t.ok(pieces.every(p => Buffer.byteLength(p) <= max) && pieces.slice(0, -1).every(p => Buffer.byteLength(p) > max - 4), `${JSON.stringify(unit)} at ${max}: every piece under the limit, all but the last full`)
      t.ok(pieces.every(p => Buffer.from(p, 'utf8').toString('utf8') === p && !/[\ud800-\udfff]/.test(p.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))), 'no piece ends in half a character')
      t.equal(pieces.join(''), text, 'joined again they are the text')
    }
  }
  const words = Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ')
  const pieces = splitText(words, 40)
  t.ok(pieces.every(p => /^word\d+( word\d+)*$/.test(p)), 'cut at spaces: no word broken, no space kept at a cut')
  t.equal(pieces.join(' '), words)
  t.throws(() => splitText('abc', 3), /below one character/, 'a limit below one character is refused')
  t.end()
})

test('runLine: split when asked, TEXT_TOO_LONG otherwise and past MAX_SPLIT_PIECES', async (t) => {
  const mesh = new MemMesh(1)
  t.teardown(() => mesh.close())
  const node = mesh.nodes[0]
  const long = 'x'.repeat(MAX_TEXT_BYTES * 2 + 1)
  const refused = runLine(node, long)
  t.equal(refused.kind === 'error' && refused.code, 'TEXT_TOO_LONG', 'without split: refused, as headless scripts expect')
  const split = runLine(node, long, { split: true })
  t.equal(split.kind === 'sent' && split.messages.length, 3, 'with split: three messages')
  const huge = runLine(node, 'x'.repeat(MAX_TEXT_BYTES * (MAX_SPLIT_PIECES + 1)), { split: true })
  t.equal(huge.kind === 'error' && huge.code, 'TEXT_TOO_LONG', 'a paste past the piece limit is refused whole')
  t.deepEqual(parseLine('/msg bob  two  spaces '), { type: 'command', name: 'msg', args: ['bob'], rest: 'two  spaces' }, '/msg keeps the spacing of its text')
  t.deepEqual(parseLine('/part dev see you'), { type: 'command', name: 'leave', args: [], rest: 'dev see you' }, '/part is /leave')
  t.deepEqual(parseLine('/names'), { type: 'command', name: 'who', args: [] }, '/names is /who')
  t.equal(runLine(node, '/leave bye all').kind === 'error' && (runLine(node, '/leave bye all') as { code: string }).code, 'LAST_ROOM', '/leave MESSAGE leaves the current room (here: refused, the only one)')
  t.end()
})

test('headless: an action carries "action":true; /help COMMAND; /room lists; /quit passes its message', async (t) => {
  t.timeoutAfter(5000)
  const mesh = new MemMesh(2)
  t.teardown(() => mesh.close())
  const input = new PassThrough()
  const output = new PassThrough()
  const lines: Array<Record<string, unknown>> = []
  output.on('data', (b: Buffer) => { for (const l of b.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l)) })
  const quits: Array<string | undefined> = []
  const h = new Headless({ node: mesh.nodes[1], input, output, onQuit: m => { quits.push(m) } })
  h.start()
  t.teardown(() => h.stop())
  mesh.connect(0, 1)
  await mesh.settled(() => 1)
  mesh.nodes[0].send('waves', { action: true })
  t.ok(await mesh.until(() => lines.some(l => l.event === 'message' && l.text === 'waves')), 'the action arrived')
  t.equal(lines.find(l => l.event === 'message' && l.text === 'waves')!.action, true, '"action":true')
  input.write('/help me\n/room\n/quit gone fishing\n')
  t.ok(await mesh.until(() => quits.length === 1), '/quit handled')
  t.deepEqual(lines.find(l => l.event === 'help'), { event: 'help', command: 'me', lines: ['usage: /me ACTION', '  say what you do: /me waves shows "* you waves"'] })
  t.deepEqual(lines.find(l => l.event === 'rooms'), { event: 'rooms', room: 'lobby', rooms: ['lobby'] })
  t.deepEqual(quits, ['gone fishing'])
})
