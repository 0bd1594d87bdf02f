// Lazy push's trees (core/push-trees.ts): bounded by MAX_PUSH_TREES, the
// least recently used forgotten first; a new tree copies the room's
// reference tree (the smallest root with a tree here), found again by a
// scan when the reference itself was forgotten.
import test from 'tape'
import { MAX_PUSH_TREES, PushTrees } from '../lib/core/push-trees'
import type { LinkSession } from '../lib/core/link-session'

const link = (name: string) => ({ name, link: { closed: false } }) as unknown as LinkSession
const root = (i: number) => i.toString(16).padStart(64, '0')

test(`push trees: at most MAX_PUSH_TREES (${MAX_PUSH_TREES}), the least recently used forgotten first`, (t) => {
  const trees = new PushTrees()
  for (let i = 1; i <= MAX_PUSH_TREES; i++) trees.use('lobby', root(i))
  trees.use('lobby', root(2)) // used again: now the most recent
  trees.use('go', root(MAX_PUSH_TREES + 1))
  t.equal(trees.size, MAX_PUSH_TREES, 'still at the bound')
  t.notOk(trees.get('lobby', root(1)), 'the least recently used went')
  t.ok(trees.get('lobby', root(2)), 'one used again stayed')
  t.ok(trees.get('go', root(MAX_PUSH_TREES + 1)), 'the new one is kept')
  t.end()
})

test('push trees: a new tree copies the reference (smallest root); with it forgotten, the next smallest; each room its own', (t) => {
  const trees = new PushTrees(3)
  const [a, b, c] = ['a', 'b', 'c'].map(link)
  trees.use('lobby', root(5)).lazy.add(a)
  const nine = trees.use('lobby', root(9))
  t.deepEqual([...nine.lazy], [a], 'root 9 copied root 5, the smallest')
  nine.lazy.clear(); nine.lazy.add(b)
  const seven = trees.use('lobby', root(7))
  t.deepEqual([...seven.lazy], [a], 'root 7 too')
  seven.lazy.clear(); seven.lazy.add(c)
  const eight = trees.use('lobby', root(8)) // over the bound: root 5, the least recently used, goes
  t.notOk(trees.get('lobby', root(5)), 'the reference was forgotten')
  t.deepEqual([...eight.lazy], [c], 'root 8 copied root 7, the smallest left')
  t.deepEqual([...trees.use('other', root(1)).lazy], [], 'another room copies nothing of this one')
  t.end()
})
