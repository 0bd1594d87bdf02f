// The nick book: which key first used each nick, bounded so that a flood of
// throw-away nicks can neither freeze it nor push out nicks seen often.
import test from 'tape'
import fs from 'fs'
import path from 'path'
import { FileNickBook, NICK_BOOK_FILE } from '../lib/store/nick-book'
import { Directory, type NickWarning } from '../lib/core/directory'
import { tempDir } from './helpers/proc'

const key = (i: number) => i.toString(16).padStart(64, '0')

test('nick book: a full book still records new nicks, and a nick seen often outlives a flood of throw-away ones', (t) => {
  const book = new FileNickBook(tempDir(), 1000)
  book.remember('alice', key(1))
  for (let i = 0; i < 5; i++) book.confirm('alice')
  for (let i = 0; i < 3000; i++) book.remember(`junk${i}`, key(100 + i))
  t.equal(book.size, 1000, 'the book stays at its cap')
  t.equal(book.firstKeyFor('alice'), key(1), 'alice, seen often, is still remembered')
  book.remember('bob', key(2))
  t.equal(book.firstKeyFor('bob'), key(2), 'a nick first seen when the book is full is recorded')
  t.end()
})

test('nick book: impersonation is flagged after a flood, across a restart; older files load', (t) => {
  const dir = tempDir()
  const book = new FileNickBook(dir, 500)
  const warnings: NickWarning[] = []
  const d = new Directory('ff'.repeat(32), Date.now, book, w => warnings.push(w))
  d.see(key(1), 'alice')
  d.see(key(1), 'alice')
  for (let i = 0; i < 2000; i++) d.see(key(100 + i), `junk${i}`)
  d.see(key(9), 'alice')
  t.deepEqual(warnings.map(w => [w.nick, w.peer]), [['alice', key(9)]], 'the impersonator is flagged')
  book.flush()
  const again = new FileNickBook(dir, 500)
  t.equal(again.firstKeyFor('alice'), key(1), 'remembered across a restart')
  fs.writeFileSync(path.join(dir, NICK_BOOK_FILE), JSON.stringify({ carol: key(3) }))
  t.equal(new FileNickBook(dir).firstKeyFor('carol'), key(3), 'a file of the older form (nick to key) loads')
  t.end()
})
