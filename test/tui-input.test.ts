// The input line as a pure object: editing, history, Tab completion and the
// visible window around the cursor.
import test from 'tape'
import { InputLine, type Completer } from '../lib/ui/tui/input-line'
import { strWidth } from '../lib/ui/tui/text'

function typed (s: string): InputLine {
  const l = new InputLine()
  for (const ch of s) l.insert(ch)
  return l
}

const source: Completer = {
  commands: () => ['help', 'nick', 'peers', 'connect', 'clear', 'quit'],
  nicks: () => ['bob', 'alice', 'albert', 'bob']
}

test('editing: insert, move, delete by grapheme', (t) => {
  const l = typed('helo')
  l.left()
  l.insert('l')
  t.equal(l.text, 'hello')
  l.home(); l.deleteForward()
  t.equal(l.text, 'ello')
  l.end(); l.backspace()
  t.equal(l.text, 'ell')
  const e = typed('a😀b')
  e.left(); e.backspace()
  t.equal(e.text, 'ab', 'backspace removes a whole emoji')
  const c = typed('xe\u0301')
  c.backspace()
  t.equal(c.text, 'x', 'backspace removes a letter with its accent')
  const z = typed('a')
  z.insert('\x1b[31m')
  t.equal(z.text, 'a', 'control sequences are never typed in')
  t.end()
})

test('editing: words and kills', (t) => {
  const l = typed('one two three')
  l.deleteWordBack()
  t.equal(l.text, 'one two ')
  l.wordLeft()
  t.equal(l.cursor, 4)
  l.killToEnd()
  t.equal(l.text, 'one ')
  l.killToStart()
  t.equal(l.text, '')
  t.end()
})

test('history: up and down, keeping the draft', (t) => {
  const l = new InputLine()
  for (const s of ['first', 'second']) { for (const ch of s) l.insert(ch); l.submit() }
  for (const ch of 'draft') l.insert(ch)
  l.historyUp()
  t.equal(l.text, 'second')
  l.historyUp()
  t.equal(l.text, 'first')
  l.historyUp()
  t.equal(l.text, 'first', 'stops at the oldest')
  l.historyDown()
  t.equal(l.text, 'second')
  l.historyDown()
  t.equal(l.text, 'draft', 'back to the draft')
  t.equal(l.submit(), 'draft')
  l.submit()
  l.historyUp()
  t.equal(l.text, 'draft', 'blank lines are not kept')
  t.end()
})

test('completion: commands, nicks, cycling', (t) => {
  const c = typed('/co')
  t.ok(c.complete(source))
  t.equal(c.text, '/connect ')
  const cl = typed('/c')
  cl.complete(source)
  t.equal(cl.text, '/clear ')
  cl.complete(source)
  t.equal(cl.text, '/connect ', 'Tab again cycles')
  cl.complete(source)
  t.equal(cl.text, '/clear ', 'and wraps around')
  const n = typed('al')
  n.complete(source)
  t.equal(n.text, 'alice: ', 'nick at line start gets ": "')
  n.complete(source)
  t.equal(n.text, 'albert: ')
  const mid = typed('hi B')
  mid.complete(source)
  t.equal(mid.text, 'hi bob ', 'case-insensitive, mid-line gets a space')
  const at = typed('hi @b')
  at.complete(source)
  t.equal(at.text, 'hi @bob ', 'keeps an @')
  const none = typed('zz')
  t.notOk(none.complete(source), 'no match')
  t.equal(none.text, 'zz')
  const after = typed('al')
  after.complete(source)
  after.insert('x')
  t.equal(after.text, 'alice: x', 'typing ends the completion')
  t.end()
})

test('view: the cursor stays visible in a narrow window', (t) => {
  const l = typed('x'.repeat(100))
  const v = l.view(20)
  t.ok(strWidth(v.text) <= 20)
  t.ok(v.cursor < 20 && v.cursor > 0, 'cursor inside the window')
  l.home()
  const h = l.view(20)
  t.equal(h.cursor, 0)
  t.equal(h.text, 'x'.repeat(20))
  const w = typed('中'.repeat(30))
  const wv = w.view(15)
  t.ok(strWidth(wv.text) <= 15, 'wide characters counted as two')
  t.ok(wv.cursor <= 14)
  const short = typed('hi')
  t.deepEqual(short.view(20), { text: 'hi', cursor: 2 })
  t.end()
})
