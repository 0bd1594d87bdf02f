// Formatting of the terminal view as pure functions: message rows, mentions,
// the peer sidebar, the status bar, and the surface's dim rewrite.
import test from 'tape'
import { formatEntry, formatPeers, formatStatus, formatDiscovery, discoveryText, fitAddress, formatTime, mentions, splitLabel, displayNick, type ChatEntry } from '../lib/ui/tui/format'
import { authorLabel, nodeLabeler } from '../lib/core/labels'
import { Directory } from '../lib/core/directory'
import { collidingKeyPairs } from './helpers/colliding-keys'
import { rowText, keyColor, withoutColor, NICK_COLORS } from '../lib/ui/tui/style'
import { blinkToDim } from '../lib/ui/tui/blessed-surface'
import { memberLines, WHO_MAX_SHOWN } from '../lib/ui/tui/command-output'

const KEY = '3fa2' + 'ab'.repeat(30)
const NOW = new Date(2026, 10, 25, 14, 5).getTime()

function chat (over: Partial<ChatEntry> = {}): ChatEntry {
  return { kind: 'chat', ts: NOW, author: 'alice#3fa2', key: KEY, text: 'hello', self: false, mention: false, history: false, ...over }
}

test('time: HH:MM today, with the date otherwise', (t) => {
  t.equal(formatTime(NOW, NOW), '14:05')
  t.equal(formatTime(new Date(2026, 10, 24, 9, 7).getTime(), NOW), '11-24 09:07')
  t.end()
})

test('chat rows: time, nick#tag in the key colour, text; wrapped with a hanging indent', (t) => {
  const rows = formatEntry(chat(), 80, NOW)
  t.equal(rows.length, 1)
  t.equal(rowText(rows[0]), '14:05 <alice#3fa2> hello')
  const nick = rows[0].find(s => s.text === 'alice')!
  t.equal(nick.style?.fg, keyColor(KEY), 'nick coloured from the key')
  t.equal(rows[0][0].style?.dim, true, 'time is dimmed')

  // 40 columns: the text starts at column 19, so 21 columns are left for it.
  const long = formatEntry(chat({ text: 'one two three four five six seven eight nine ten' }), 40, NOW)
  t.deepEqual(long.map(rowText), [
    '14:05 <alice#3fa2> one two three four',
    '                   five six seven eight',
    '                   nine ten'
  ], 'wrapped at spaces, continuation rows line up with the text')
  t.end()
})

test('chat rows: peer text is sanitised and wide characters keep columns', (t) => {
  const rows = formatEntry(chat({ text: 'hi\x1b[2J\x1b]0;pwn\x07 there\u202e!' }), 80, NOW)
  t.equal(rowText(rows[0]), '14:05 <alice#3fa2> hi there!')
  const author = authorLabel({ nick: 'ev\x1b[31mil', from: KEY }, (k, n) => `${n}#${k.slice(0, 4)}`, displayNick)
  const nickRows = formatEntry(chat({ author }), 80, NOW)
  t.equal(rowText(nickRows[0]), '14:05 <evil#3fa2> hello', 'nick sanitised too')
  // 30 columns leave 11 for the text after the prefix; too narrow for a
  // hanging indent, so continuation rows are indented by 2. 中, 文 and 😀 are 2 columns each.
  const wide = formatEntry(chat({ text: '中文 😀 '.repeat(10) }), 30, NOW)
  t.deepEqual(wide.map(rowText), [
    '14:05 <alice#3fa2> 中文 😀', //         19 + 7 = 26 columns; 中文 more would be 31
    '  中文 😀 中文 😀 中文 😀 中文', //       2 + 28 = 30 columns
    '  😀 中文 😀 中文 😀 中文 😀', //        2 + 26 = 28; 中文 more would be 33
    '  中文 😀 中文 😀'
  ], 'wide characters counted as two columns')
  t.end()
})

test('chat rows: own messages bold, mentions highlighted, history and guests marked', (t) => {
  const own = formatEntry(chat({ self: true }), 80, NOW)[0]
  t.equal(own.find(s => s.text === 'alice')!.style?.bold, true, 'own nick bold')
  const hit = formatEntry(chat({ text: 'hey bob', mention: true }), 80, NOW)[0]
  const text = hit[hit.length - 1]
  t.equal(text.text, 'hey bob')
  t.ok(text.style?.bold && text.style.fg === 'yellow', 'mention text highlighted')
  const hist = formatEntry(chat({ history: true }), 80, NOW)[0]
  t.equal(rowText(hist), '14:05 ↺ <alice#3fa2> hello', 'history marked')
  const guest = formatEntry(chat({ author: 'carol via gw#3fa2' }), 80, NOW)[0]
  t.equal(rowText(guest), '14:05 <carol via gw#3fa2> hello', 'guest shows its gateway')
  const other = formatEntry(chat({ room: 'dev' }), 80, NOW)[0]
  t.equal(rowText(other), '14:05 #dev <alice#3fa2> hello', 'another room is named')
  t.end()
})

test('system rows: info dimmed, errors stand out, multi-line output indented', (t) => {
  const info = formatEntry({ kind: 'system', ts: NOW, level: 'info', text: 'bob#91c0 joined' }, 80, NOW)[0]
  t.equal(rowText(info), '14:05 -!- bob#91c0 joined')
  t.ok(info.every(s => s.style?.dim), 'info line dimmed')
  const err = formatEntry({ kind: 'system', ts: NOW, level: 'error', text: 'usage: /nick NAME' }, 80, NOW)[0]
  t.equal(err[err.length - 1].style?.fg, 'red', 'error in red')
  t.notOk(err[err.length - 1].style?.dim, 'error not dimmed')
  t.end()
})

test('mentions: the nick as a word, any case, not inside other words', (t) => {
  t.ok(mentions('hey alice', 'alice'))
  t.ok(mentions('ALICE: look', 'alice'))
  t.ok(mentions('ping @alice!', 'alice'))
  t.notOk(mentions('malice aforethought', 'alice'))
  t.notOk(mentions('alices', 'alice'))
  t.ok(mentions('a.b? yes', 'a.b'), 'regex characters in nicks are literal')
  t.notOk(mentions('axb', 'a.b'))
  t.end()
})

test('key colours are stable and spread over the palette', (t) => {
  t.equal(keyColor(KEY), keyColor(KEY))
  const seen = new Set<string>()
  for (let i = 0; i < 200; i++) seen.add(keyColor((i * 2654435761 >>> 0).toString(16).padStart(8, '0')))
  t.equal(seen.size, NICK_COLORS.length, 'every colour used')
  t.deepEqual(splitLabel('carol via gw#3fa2'), { name: 'carol', via: ' via gw', tag: '#3fa2' })
  t.deepEqual(splitLabel('alice#3fa2b'), { name: 'alice', via: '', tag: '#3fa2b' })
  t.end()
})

test('sidebar: live peers first, with how and where they are reached', (t) => {
  const rows = formatPeers([
    { key: 'bbbb' + KEY, label: 'zed#bbbb', nick: 'zed', via: 'tcp', address: '127.0.0.1:8082', live: false },
    { key: 'aaaa' + KEY, label: 'bob#aaaa', nick: 'bob', via: 'swarm', address: '10.0.0.5:4000', live: true }
  ], 28, 20).map(rowText)
  t.deepEqual(rows, ['peers 1/2', '● bob#aaaa', '  swarm 10.0.0.5:4000', '○ zed#bbbb', '  lost tcp 127.0.0.1:8082'])
  const many = Array.from({ length: 20 }, (_, i) => ({ key: i.toString(16).padStart(4, '0') + KEY, label: `p${i}#${i}`, nick: `p${i}`, via: 'tcp', address: '127.0.0.1:1', live: true }))
  const cut = formatPeers(many, 24, 8).map(rowText)
  t.equal(cut.length, 7, 'never taller than the pane')
  t.match(cut[cut.length - 1], /… 17 more/, 'says how many are not shown')
  t.end()
})

test('status bar: buffer number and room, nick#tag, links, activity, discovery only with a topic, listen address, unread', (t) => {
  const s = { buffer: 1, name: '#lobby', label: 'alice#3fa2', listen: '127.0.0.1:8081', links: 2, discovery: '', activity: [], unread: 0, scrolled: false }
  // Every character here is one column, so string length is width.
  const row = rowText(formatStatus(s, 100))
  t.equal(row, ' 1:#lobby │ alice#3fa2 │ links 2 │ 127.0.0.1:8081' + ' '.repeat(51), 'padded to fill the width; no discovery without a topic')
  t.equal(rowText(formatStatus({ ...s, members: 10_001 }, 100)).trimEnd(), ' 1:#lobby │ alice#3fa2 │ links 2 │ 127.0.0.1:8081 │ 10001 here', 'a room buffer ends with how many are in the room')
  t.equal(row.length, 100)
  const busy = formatStatus({
    ...s,
    discovery: 'dht: joined #team, 3 peers',
    activity: [{ number: 2, name: '#dev', unread: 3, highlight: false }, { number: 3, name: 'bob#91c0', unread: 1, highlight: true }, { number: 4, name: '#ops', unread: 0, highlight: false }]
  }, 120)
  t.equal(rowText(busy).trimEnd(), ' 1:#lobby │ alice#3fa2 │ links 2 │ 2:#dev(3) 3:bob#91c0(1)! 4:#ops │ dht: joined #team, 3 peers │ 127.0.0.1:8081')
  t.equal(busy.find(x => x.text === '3:bob#91c0(1)!')?.style?.fg, 'light yellow', 'a highlighted buffer stands out')
  t.equal(busy.find(x => x.text === '2:#dev(3)')?.style?.bold, true, 'a buffer with unread lines is bold')
  t.notOk(busy.find(x => x.text === '4:#ops')?.style?.bold, 'a read buffer is plain')
  t.equal(formatDiscovery([{ topic: 'team', state: 'joined', peers: 1 }, { topic: 'rust', state: 'joining', peers: 0 }]), 'dht: joined #team, 1 peer +1')
  const unreachable = { topic: 'team', state: 'joined' as const, peers: 0, found: 2, linked: 0, via: 'dht' as const, reason: 'hole punch aborted' }
  t.equal(formatDiscovery([unreachable]), 'dht: joined #team, found 2, linked 0', 'found and linked, apart')
  t.equal(discoveryText(unreachable, true), 'dht: joined #team, found 2, linked 0 (could not connect: hole punch aborted)', 'the pane line says why')
  t.equal(discoveryText({ topic: 'team', state: 'joined', peers: 1, found: 1, linked: 1, via: 'mdns' }, true), 'mdns: joined #team, found 1, linked 1', 'mDNS names itself')
  const up = rowText(formatStatus({ ...s, scrolled: true, unread: 3 }, 100))
  t.equal(up, ' 1:#lobby │ alice#3fa2 │ links 2 │ 127.0.0.1:8081' + ' '.repeat(23) + '-- 3 unread below (PgDn) -- ', 'unread count at the right while scrolled up')
  t.equal(up.length, 100)
  const narrow = rowText(formatStatus({ ...s, scrolled: true, unread: 3 }, 40))
  t.equal(narrow, ' 1:#lobby … -- 3 unread below (PgDn) -- ', 'narrow terminal: the middle is cut, the unread count survives')
  t.equal(narrow.length, 40)
  t.end()
})

test('sidebar: a long address keeps its port; the host is shortened from the left', (t) => {
  t.equal(fitAddress('tcp ', '127.0.0.1:8082', 30), 'tcp 127.0.0.1:8082', 'fits: unchanged')
  t.equal(fitAddress('tcp ', '203.0.113.200:49736', 20), '203.0.113.200:49736', 'the transport goes first')
  t.equal(fitAddress('swarm ', '[2001:db8:85a3::8a2e:370:7334]:49736', 20), '…a2e:370:7334]:49736', 'the host is cut from the left, the port kept')
  const rows = formatPeers([{ key: 'aaaa' + KEY, label: 'bob#aaaa', nick: 'bob', via: 'swarm', address: '[2001:db8:85a3::8a2e:370:7334]:49736', live: true }], 22, 10).map(rowText)
  t.match(rows[2], /:49736$/, 'the sidebar row ends with the port')
  t.ok(rows.every(r => r.length <= 22), 'and fits')
  t.end()
})

test('NO_COLOR: colours dropped, backgrounds become inverse', (t) => {
  const row = withoutColor([{ text: 'a', style: { fg: 'red', bold: true } }, { text: 'b', style: { fg: 'white', bg: 'blue' } }])
  t.deepEqual(row, [{ text: 'a', style: { bold: true } }, { text: 'b', style: { inverse: true } }])
  t.end()
})

test('surface: blink is drawn as dim, 256-colour parameters untouched', (t) => {
  t.equal(blinkToDim('\x1b[5mx'), '\x1b[2mx')
  t.equal(blinkToDim('\x1b[1;5;31mx'), '\x1b[1;2;31mx')
  t.equal(blinkToDim('\x1b[38;5;5mx'), '\x1b[38;5;5mx', '38;5;5 is colour 5, not blink')
  t.equal(blinkToDim('\x1b[48;5;200;5mx'), '\x1b[48;5;200;2mx')
  t.equal(blinkToDim('plain'), 'plain')
  t.end()
})

test('look-alike keys: two keys sharing 4 hex digits get different labels in terminal-view lines', (t) => {
  const [a, b] = collidingKeyPairs()
  const ka = a.publicKey.toString('hex')
  const kb = b.publicKey.toString('hex')
  const dir = new Directory('ff'.repeat(32), Date.now, null, () => {})
  dir.see(ka, 'bob')
  dir.see(kb, 'bob')
  const label = nodeLabeler(dir)
  const line = (key: string, over: { nick: string; via?: string }) =>
    rowText(formatEntry(chat({ key, author: authorLabel({ from: key, ...over }, label, displayNick) }), 80, NOW)[0])
  const la = line(ka, { nick: 'bob' })
  const lb = line(kb, { nick: 'bob' })
  t.notEqual(la, lb, `two bobs told apart: ${la} / ${lb}`)
  t.ok(la.startsWith(`14:05 <bob#${ka.slice(0, 5)}`), 'the tag grows past the shared digits')
  const ga = line(ka, { nick: 'guest-1', via: 'gw' })
  const gb = line(kb, { nick: 'guest-1', via: 'gw' })
  t.notEqual(ga, gb, `guests of look-alike gateways told apart: ${ga} / ${gb}`)
  t.match(ga, /^14:05 <guest-1 via gw#[0-9a-f]{5,}> hello$/, 'a guest line reads "guest via gw#tag"')
  t.end()
})

test('/who in the view: names in columns as wide as the pane, you first; a room past WHO_MAX_SHOWN is counted, with how to narrow it', (t) => {
  const member = (i: number, self = false) => ({ peer: i.toString(16).padStart(64, '0'), nick: `m${String(i).padStart(5, '0')}`, self, lastSeen: 0, tag: String(i) })
  const label = (k: string, n?: string) => `${n}#${k.slice(-4)}`
  const ctx = { node: null as never, label, now: NOW, width: 80 }
  const few = memberLines({ kind: 'members', room: 'lobby', members: [member(3), member(1), member(2, true)], total: 3 }, ctx)
  t.deepEqual(few, ['#lobby: 3 here', '  m00002#0002 (you)  m00001#0001        m00003#0003'], 'a count, then one row: you first, then by nick, in columns')
  const many = Array.from({ length: 10_000 }, (_, i) => member(i))
  const lines = memberLines({ kind: 'members', room: 'lobby', members: many, total: 10_000 }, ctx)
  t.equal(lines[0], `#lobby: 10000 here; ${WHO_MAX_SHOWN} shown (/who #lobby PATTERN narrows the list)`)
  t.equal(lines[lines.length - 1], `  … and ${10_000 - WHO_MAX_SHOWN} more`)
  const rows = lines.slice(1, -1)
  t.equal(rows.join(' ').split(/\s+/).filter(Boolean).length, WHO_MAX_SHOWN, `${WHO_MAX_SHOWN} names shown`)
  t.ok(rows.every(r => r.length <= 80 - 10), 'every row fits the pane after the time and marker')
  t.equal(rows.length, Math.ceil(WHO_MAX_SHOWN / 5), 'five 11-column names a row in 80 columns')
  const narrowed = memberLines({ kind: 'members', room: 'lobby', members: [member(7)], total: 10_000, pattern: '0007' }, ctx)
  t.equal(narrowed[0], "#lobby: 1 of 10000 here match '0007'")
  t.end()
})
