// The directory of known keys: key tags that grow past shared prefixes,
// /msg and /whois target resolution, the nick/key warning, and its cap.
import test from 'tape'
import { Directory, MAX_DIRECTORY_KEYS, MAX_SHARED_ROOM_LISTS, nicksOf, type NickWarning } from '../lib/core/directory'
import { MeshError, type ErrorCode } from '../lib/protocol/errors'

const SELF = 'ffff' + '0'.repeat(60)
/** A 64-hex-digit key starting with `prefix`. */
const key = (prefix: string) => prefix + '0'.repeat(64 - prefix.length)

function dir (): Directory { return new Directory(SELF, () => 1000, null, () => {}) }

function throwsCode (t: test.Test, code: ErrorCode, fn: () => unknown, msg: string): string {
  try {
    fn()
    t.fail(`${msg}: did not throw`)
    return ''
  } catch (err) {
    t.ok(err instanceof MeshError && err.code === code, `${msg}: ${code}`)
    return (err as Error).message
  }
}

test('tags: 4 hex digits, more only while another known key (or our own) shares them', (t) => {
  const d = dir()
  const a = key('abcd1111')
  d.see(a, 'alice')
  t.equal(d.tag(a), 'abcd', 'alone: 4 digits')
  t.equal(d.label(a), 'alice#abcd')
  const b = key('abcd2222')
  d.see(b, 'bob')
  t.equal(d.tag(a), 'abcd1', 'a key sharing abcd: one digit more')
  t.equal(d.tag(b), 'abcd2')
  const c = key('abcd1234')
  d.see(c, 'carol')
  t.deepEqual([d.tag(a), d.tag(b), d.tag(c)], ['abcd11', 'abcd2', 'abcd12'], 'only the keys that share abcd1 grow again')
  const nearSelf = key('ffff9')
  d.see(nearSelf, 'mallory')
  t.equal(d.tag(nearSelf), 'ffff9', 'our own key counts as known')
  t.end()
})

test('resolve: nick#tag, a unique nick, a key prefix', (t) => {
  const d = dir()
  const a = key('abcd1111')
  const b = key('abcd2222')
  const c = key('5678')
  d.see(a, 'alice'); d.see(b, 'alice'); d.see(c, 'carol')
  t.equal(d.resolve('carol'), c, 'a nick only one key uses')
  t.equal(d.resolve('  carol '), c, 'surrounding spaces ignored')
  t.equal(d.resolve('alice#abcd1'), a, 'nick#tag picks one of two alices')
  t.equal(d.resolve('alice#ABCD2'), b, 'the tag in any case')
  t.equal(d.resolve('abcd2'), b, 'a key prefix of 5 digits')
  t.equal(d.resolve('5678'), c, 'a key prefix of 4 digits')
  t.end()
})

test('resolve: ambiguous and unknown targets are refused with codes, never guessed', (t) => {
  const d = dir()
  const a = key('abcd1111')
  const b = key('abcd2222')
  d.see(a, 'alice'); d.see(b, 'alice')
  const msg = throwsCode(t, 'AMBIGUOUS_TARGET', () => d.resolve('alice'), 'a bare nick two keys use')
  t.ok(msg.includes('alice#abcd1') && msg.includes('alice#abcd2'), `names both as nick#tag: ${msg}`)
  throwsCode(t, 'AMBIGUOUS_TARGET', () => d.resolve('alice#abcd'), 'a tag both keys share')
  throwsCode(t, 'AMBIGUOUS_TARGET', () => d.resolve('abcd'), 'a key prefix both keys share')
  throwsCode(t, 'UNKNOWN_TARGET', () => d.resolve('nobody'), 'a nick nobody uses')
  throwsCode(t, 'UNKNOWN_TARGET', () => d.resolve('abc'), 'three hex digits are no key prefix')
  throwsCode(t, 'UNKNOWN_TARGET', () => d.resolve('bob#abcd1'), 'the right tag with a nick that key never used')
  throwsCode(t, 'UNKNOWN_TARGET', () => d.resolve('alice#abcd1', k => k.key !== a), 'a key the caller leaves out')
  d.see(SELF, 'me')
  throwsCode(t, 'UNKNOWN_TARGET', () => d.resolve('me'), 'this node is never a target')
  t.end()
})

test('resolve: an old nick, with or without its tag, still finds the key; a current holder of the nick wins', (t) => {
  const d = dir()
  const a = key('abcd1111')
  d.see(a, 'alice')
  d.see(a, 'alicia')
  t.equal(d.get(a)?.nick, 'alicia')
  t.deepEqual(d.get(a)?.nicks, ['alice', 'alicia'], 'nick history kept')
  t.equal(d.resolve('alicia'), a, 'the current nick')
  t.equal(d.resolve('alice#abcd'), a, 'the old nick with the tag')
  t.equal(d.resolve('alice'), a, 'the old nick alone, while nobody else is called so')
  const b = key('beef2222')
  d.see(b, 'alice')
  t.equal(d.resolve('alice'), b, 'the key called alice now wins')
  t.end()
})

test('nick/key warning: a second key using a remembered nick is flagged once', (t) => {
  const first = new Map<string, string>()
  const warnings: NickWarning[] = []
  const d = new Directory(SELF, () => 1000, {
    firstKeyFor: nick => first.get(nick),
    remember: (nick, k) => { first.set(nick, k) }
  }, w => warnings.push(w))
  const a = key('abcd1111')
  const b = key('9999')
  d.see(a, 'alice')
  d.see(a, 'alice')
  t.equal(warnings.length, 0, 'the first key of a nick is remembered, not flagged')
  d.see(b, 'alice')
  d.see(b, 'alice')
  t.equal(warnings.length, 1, 'the second key is flagged once')
  t.deepEqual([warnings[0].code, warnings[0].nick, warnings[0].peer, warnings[0].known], ['NICK_KEY_CHANGED', 'alice', b, a])
  t.end()
})

test(`cap: at ${MAX_DIRECTORY_KEYS} keys the least recently seen is forgotten`, (t) => {
  let now = 0
  const d = new Directory(SELF, () => now++, null, () => {})
  const k = (i: number) => i.toString(16).padStart(64, '0')
  for (let i = 0; i < MAX_DIRECTORY_KEYS; i++) d.see(k(i), `n${i}`)
  t.equal(d.all().length, MAX_DIRECTORY_KEYS, 'full')
  d.see(k(0), 'n0') // seen again: now the most recent
  d.see(k(MAX_DIRECTORY_KEYS), 'newcomer')
  t.equal(d.all().length, MAX_DIRECTORY_KEYS, 'still at the cap')
  t.ok(d.get(k(0)), 'the key seen again is kept')
  t.notOk(d.get(k(1)), 'the least recently seen went')
  t.ok(d.get(k(2)) && d.get(k(MAX_DIRECTORY_KEYS)), 'the others and the newcomer are there')
  t.end()
})

test(`rooms per key: keys seen in one room share one frozen list (up to ${MAX_SHARED_ROOM_LISTS} rooms), and a key seen in a second room gets a list of its own`, (t) => {
  const d = dir()
  d.see(key('a1'), 'ann', { room: 'lobby' })
  d.see(key('b2'), 'bob', { room: 'lobby' })
  const shared = d.get(key('a1'))!.rooms
  t.equal(d.get(key('b2'))!.rooms, shared, 'one list for both')
  t.ok(Object.isFrozen(shared), 'frozen, so no key can change the others\'')
  d.see(key('a1'), 'ann', { room: 'rust' })
  t.deepEqual(d.get(key('a1'))!.rooms, ['lobby', 'rust'], 'a second room: its own list, oldest first')
  t.deepEqual(d.get(key('b2'))!.rooms, ['lobby'], 'the other key\'s unchanged')
  for (let i = 0; i < MAX_SHARED_ROOM_LISTS + 2; i++) d.see(key(`c${i.toString(16).padStart(3, '0')}`), `c${i}`, { room: `r${i}` })
  const last = key(`c${(MAX_SHARED_ROOM_LISTS + 1).toString(16).padStart(3, '0')}`)
  t.deepEqual(d.get(last)!.rooms, [`r${MAX_SHARED_ROOM_LISTS + 1}`], 'a room past the shared ones still listed, in a list of its own')
  t.end()
})

test('canonical: a known key as the directory keeps it (one string the roster, the author limits and the trees share), an unknown one as given', (t) => {
  const d = dir()
  d.see(key('a1'), 'ann', { room: 'lobby' })
  const fresh = Buffer.from(key('a1'), 'hex').toString('hex')
  t.equal(d.canonical(fresh), d.get(key('a1'))!.key, 'the kept string of a known key')
  t.equal(d.canonical(key('b2')), key('b2'), 'an unknown key as given')
  t.end()
})

test('nick history: a key that used one nick keeps no list of its own; a second nick, even from an older message, starts one', (t) => {
  const d = dir()
  const a = key('ca11')
  d.see(a, 'ann', { ts: 2000 })
  d.see(a, 'ann', { ts: 3000 })
  t.equal(d.get(a)!.nicks.length, 0, 'one nick: no list')
  t.deepEqual(nicksOf(d.get(a)!), ['ann'], 'read as [ann]')
  d.see(a, 'anna', { ts: 1000 })
  t.equal(d.get(a)!.nick, 'ann', 'an older message does not rename')
  t.deepEqual(nicksOf(d.get(a)!), ['ann', 'anna'], 'but its nick joins the history')
  t.equal(d.resolve('anna'), a, 'and finds the key')
  t.end()
})
