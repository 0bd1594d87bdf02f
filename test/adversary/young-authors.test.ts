// Fresh keys' bursts (lib/core/author-limits.ts): an author a relay met
// lately starts with a tenth of its burst, and for YOUNG_AUTHOR_MS its
// messages over its bucket are held (NEW_AUTHOR_BURST), not dropped, and let
// in at the link's young pace, in order. Before, each fresh key came with a
// whole burst of 20 at once. In process, over memory links.
import test from 'tape'
import { generateKeyPair } from '../../lib/protocol/crypto'
import { DEFAULT_AUTHOR_BURST, NEW_AUTHOR_FIRST_SHARE, YOUNG_MESSAGE_BURST, YOUNG_MESSAGE_RATE } from '../../lib/core/author-limits'
import { linkedMember, chat, until, wait, victimNode as victim } from '../helpers/raw-peer'

const FIRST = Math.round(DEFAULT_AUTHOR_BURST * NEW_AUTHOR_FIRST_SHARE)
/** How long after the first deliveries the count is taken: under one young-pace interval (200 ms); the bound allows for a longer wait. */
const AT_ONCE_MS = 100

/** The texts of the lines that start with `prefix`, in the order they arrived. */
function arrivals (messages: Array<{ text: string }>, prefix: string) {
  return messages.filter(m => m.text.startsWith(prefix)).map(m => m.text)
}

/** A fresh key's burst: half the whole burst keeps the test short (the rest waits at the young pace, 200 ms a message). */
const N = DEFAULT_AUTHOR_BURST / 2

test(`a fresh key's burst of ${N}: ${FIRST} at once, the rest held and let in at ${YOUNG_MESSAGE_RATE}/s, in order, each once`, async (t) => {
  t.timeoutAfter(15_000)
  const v = victim(t)
  const member = await linkedMember(v.node)
  const kp = generateKeyPair()
  const sent = Date.now()
  for (let i = 0; i < N; i++) member.link.send(chat(kp, `burst ${i}`).frame)
  t.ok(await until(() => arrivals(v.messages, 'burst ').length >= FIRST), `the first ${FIRST} arrive`)
  await wait(AT_ONCE_MS)
  const early = arrivals(v.messages, 'burst ').length
  const allowed = FIRST + YOUNG_MESSAGE_BURST + Math.floor(YOUNG_MESSAGE_RATE * (Date.now() - sent) / 1000)
  t.ok(early <= allowed, `${early} of ${N} after ${Date.now() - sent} ms (at most ${FIRST} + the young burst ${YOUNG_MESSAGE_BURST} + ${YOUNG_MESSAGE_RATE}/s)`)
  t.ok(v.faults.some(f => f.code === 'NEW_AUTHOR_BURST'), 'the rest held as NEW_AUTHOR_BURST')
  t.ok(await until(() => arrivals(v.messages, 'burst ').length === N, 10_000), `all ${N} arrive`)
  t.deepEqual(arrivals(v.messages, 'burst '), Array.from({ length: N }, (_, i) => `burst ${i}`), 'each once, in order')
  t.notOk(v.faults.some(f => f.code === 'AUTHOR_RATE'), 'none dropped as over its rate')
  t.notOk(member.link.closed, 'the link stays up')
})

test('fresh keys five at once: a few messages at once, the rest held per key in order, all delivered', async (t) => {
  t.timeoutAfter(20_000)
  const v = victim(t)
  const member = await linkedMember(v.node)
  const KEYS = 5
  const EACH = 4
  const sent = Date.now()
  for (let k = 0; k < KEYS; k++) {
    const kp = generateKeyPair()
    for (let i = 0; i < EACH; i++) member.link.send(chat(kp, `k${k} ${i}`).frame)
  }
  const all = () => v.messages.filter(m => /^k\d /.test(m.text))
  t.ok(await until(() => all().length >= FIRST), 'the first arrive')
  await wait(AT_ONCE_MS)
  const early = all().length
  // Before (a whole burst per key) all 20 came at once.
  const allowed = KEYS * FIRST + YOUNG_MESSAGE_BURST + Math.floor(YOUNG_MESSAGE_RATE * (Date.now() - sent) / 1000)
  t.ok(early <= allowed, `${early} of ${KEYS * EACH} after ${Date.now() - sent} ms (at most ${KEYS} x ${FIRST} + ${YOUNG_MESSAGE_BURST} + ${YOUNG_MESSAGE_RATE}/s)`)
  t.ok(await until(() => all().length === KEYS * EACH, 15_000), `all ${KEYS * EACH} arrive`)
  for (let k = 0; k < KEYS; k++) {
    t.deepEqual(arrivals(v.messages, `k${k} `), Array.from({ length: EACH }, (_, i) => `k${k} ${i}`), `key ${k}: each once, in order`)
  }
})

test('an author met longer ago than YOUNG_AUTHOR_MS has its whole burst; a known author never waits behind a young one', async (t) => {
  t.timeoutAfter(15_000)
  const YOUNG_MS = 300
  const v = victim(t, { timing: { youngAuthorMs: YOUNG_MS } })
  const member = await linkedMember(v.node)
  const old = generateKeyPair()
  member.link.send(chat(old, 'hello').frame)
  t.ok(await until(() => v.messages.some(m => m.text === 'hello')), 'an author is met')
  await wait(YOUNG_MS + 500) // no longer young, and its bucket full again
  const fresh = generateKeyPair()
  for (let i = 0; i < DEFAULT_AUTHOR_BURST; i++) member.link.send(chat(fresh, `fresh ${i}`).frame)
  for (let i = 0; i < DEFAULT_AUTHOR_BURST; i++) member.link.send(chat(old, `old ${i}`).frame)
  t.ok(await until(() => arrivals(v.messages, 'old ').length === DEFAULT_AUTHOR_BURST, 1000), `the older author's ${DEFAULT_AUTHOR_BURST} arrive at once`)
  t.ok(arrivals(v.messages, 'fresh ').length < DEFAULT_AUTHOR_BURST, 'while the fresh key\'s burst is still held')
  t.ok(await until(() => arrivals(v.messages, 'fresh ').length === DEFAULT_AUTHOR_BURST, 10_000), 'then the fresh key\'s arrive too')
  t.deepEqual(arrivals(v.messages, 'fresh '), Array.from({ length: DEFAULT_AUTHOR_BURST }, (_, i) => `fresh ${i}`), 'in order')
})

test('a newcomer\'s held lines are not stuck behind a fresh key\'s backlog on the same link: the young pace is shared in turn', async (t) => {
  t.timeoutAfter(15_000)
  const v = victim(t)
  const member = await linkedMember(v.node)
  const flooder = generateKeyPair()
  const newcomer = generateKeyPair()
  const FLOOD = 40
  const LINES = 5
  for (let i = 0; i < FLOOD; i++) member.link.send(chat(flooder, `flood ${i}`).frame)
  for (let i = 0; i < LINES; i++) member.link.send(chat(newcomer, `line ${i}`).frame)
  // In turn with the flood, the newcomer's held lines take every other young slot: about 2 s for 3.
  // Behind the whole backlog (one queue for the link) they waited for its 38 at 5 a second.
  t.ok(await until(() => arrivals(v.messages, 'line ').length === LINES, 4000), `the newcomer's ${LINES} lines arrive while the flood is still held`)
  t.ok(arrivals(v.messages, 'flood ').length < FLOOD / 2, `${arrivals(v.messages, 'flood ').length} of the flood's ${FLOOD} in by then`)
  t.deepEqual(arrivals(v.messages, 'line '), Array.from({ length: LINES }, (_, i) => `line ${i}`), 'in order')
})
