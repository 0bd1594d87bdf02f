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

test('nick book: new nicks are saved in the background, once per delay however many come; a shutdown save is not overwritten by an older one', async (t) => {
  const dir = tempDir()
  const file = path.join(dir, NICK_BOOK_FILE)
  const delayMs = 100
  const book = new FileNickBook(dir, 1000, delayMs)
  const renames: string[] = []
  const syncRenames: string[] = []
  const { rename, renameSync } = fs
  fs.rename = ((a: string, b: string, cb: (e: Error | null) => void) => { renames.push(b); rename(a, b, cb) }) as typeof fs.rename
  fs.renameSync = ((a: string, b: string) => { syncRenames.push(b); renameSync(a, b) }) as typeof fs.renameSync
  try {
    // 300 nicks over about 3 delays: the first is saved one delay later, in one write with those learnt meanwhile.
    for (let i = 0; i < 300; i++) {
      book.remember(`n${i}`, key(i + 1))
      if (i % 100 === 99) await new Promise(resolve => setTimeout(resolve, delayMs))
    }
    await book.settled()
    const writes = renames.filter(f => f === file).length
    t.ok(writes >= 2 && writes <= 4, `300 new nicks over ${3 * delayMs} ms: ${writes} writes of the book (one a delay, not one a nick)`)
    t.equal(syncRenames.length, 0, 'none of them on the main thread (no renameSync, so no fsyncSync before it)')
    t.equal(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8'))).length, 300, 'every nick is on disk')
    // A background save is under way when the shutdown save runs: the newer (shutdown) content stays.
    book.remember('late', key(999))
    await new Promise<void>(resolve => setTimeout(resolve, delayMs)) // runs right after the book's timer: its save has started
    book.remember('last', key(1000))
    book.flush()
    await book.settled()
    t.equal(new FileNickBook(dir).firstKeyFor('last'), key(1000), 'the shutdown save was not overwritten by the background one')
  } finally {
    fs.rename = rename
    fs.renameSync = renameSync
  }
})
