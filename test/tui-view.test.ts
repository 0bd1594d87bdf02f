// The terminal view over a fake surface and real nodes on memory links:
// what a person sees after each event and key, without a terminal.
import test from 'tape'
import { rowText } from '../lib/ui/tui/style'
import { setup, key } from './helpers/fake-surface'

test('view: joins, messages both ways, sidebar and status', async (t) => {
  t.timeoutAfter(5000)
  const s = await setup(t)
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  await s.settle()
  t.match(s.surface.paneText(), /-!- link up: bob#[0-9a-f]{4,} \(memory 10\.0\.0\.1:1\)/, 'link line')
  const sidebar = s.surface.last.sidebar!.map(rowText)
  t.equal(sidebar[0], 'peers 1/1')
  t.match(sidebar[1], /^● bob#/, 'peer listed as live')
  t.match(rowText(s.surface.last.status), /^ 1:#lobby │ alice#[0-9a-f]{4} │ links 1 │ 10\.0\.0\.0:1 │ 2 here +$/, 'status: buffer and room, nick#tag, links, address, members in the room; no discovery without a topic')

  s.type('hello bob')
  t.ok(await s.mesh.until(() => s.mesh.received[1].some(m => m.text === 'hello bob')), 'typed line reached the peer')
  s.mesh.nodes[1].send('hi alice, 中文 😀')
  t.ok(await s.mesh.until(() => s.surface.paneText().includes('hi alice, 中文 😀')), 'peer line shown')
  await s.settle()
  t.match(s.surface.paneText(), /<alice#[0-9a-f]{4}> hello bob/)
  t.equal(s.surface.bells, 1, 'a mention rings the bell')
  const row = s.surface.last.messages.find(r => rowText(r).includes('hi alice'))!
  t.equal(row[row.length - 1].style?.fg, 'yellow', 'mention highlighted')

  s.mesh.nodes[1].send('\x1b[2J\x1b]0;owned\x07sneaky\rline')
  t.ok(await s.mesh.until(() => /owned|sneaky/.test(s.surface.paneText())), 'the line arrived')
  t.match(s.surface.paneText(), /<bob#[0-9a-f]{4}> sneaky\n {17}line/, 'escape sequences stripped, CR shown as a line break')
  t.notOk(s.surface.frames.some(f => f.messages.some(r => /[\x00-\x1f]/.test(rowText(r)))), 'no control byte ever drawn')

  await s.mesh.nodes[1].close()
  t.ok(await s.mesh.until(() => /link down: bob#[0-9a-f]{4,}/.test(s.surface.paneText())), 'link down line')
  await s.settle()
  t.match(s.surface.last.sidebar!.map(rowText).join('\n'), /○ bob#[0-9a-f]{4}\n {2}lost 10\.0\.0\.1:1/, 'peer kept as lost (the transport makes way for the address)')
})

test('view: commands share the core parser; errors are one line with the usage', async (t) => {
  t.timeoutAfter(5000)
  const s = await setup(t, 180, 40)
  s.type('/help')
  await s.settle()
  t.match(s.surface.paneText(), /\/connect HOST:PORT +dial a peer once/, '/help lists commands')
  s.type('/bogus')
  s.type('/nick')
  s.type('/nick has#hash')
  s.type('/connect nowhere')
  await s.settle()
  const pane = s.surface.paneText()
  t.match(pane, /-!- unknown command \/bogus; try \/help/)
  t.match(pane, /-!- usage: \/nick NAME/)
  t.match(pane, /-!- nick 'has#hash' may not contain .*\(usage: \/nick NAME\)/)
  t.match(pane, /-!- invalid address 'nowhere'.*\(usage: \/connect HOST:PORT\)/)
  s.type('/nick carol')
  await s.settle()
  t.match(s.surface.paneText(), /you are now known as carol#/)
  t.match(rowText(s.surface.last.status), /│ carol#/, 'status shows the new nick')
  s.type('/peers')
  await s.settle()
  t.match(s.surface.paneText(), /no peers linked/)
  s.type('/clear')
  await s.settle()
  t.ok(s.surface.pane().every(r => r === ''), '/clear empties the pane')
  s.type('/quit')
  t.equal(s.quits(), 1, '/quit asks to quit')
  s.surface.handlers.onKey(key('c', { ctrl: true }))
  t.equal(s.quits(), 2, 'Ctrl-C asks to quit')
})

test('view: scrollback with PgUp/PgDn and the wheel, unread count, resize', async (t) => {
  t.timeoutAfter(5000)
  // bob's 40 lines at once are over the default author burst (20) alice relays: raised here.
  const s = await setup(t, 100, 12, { mesh: { authorBurst: 100 } })
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  for (let i = 0; i < 40; i++) s.mesh.nodes[1].send(`line ${i}`)
  t.ok(await s.mesh.until(() => s.surface.paneText().includes('line 39')), 'newest at the bottom')
  s.surface.handlers.onKey(key('pageup'))
  await s.settle()
  t.notOk(s.surface.paneText().includes('line 39'), 'PgUp leaves the newest lines')
  const top = s.surface.pane()[0]
  s.mesh.nodes[1].send('new while scrolled')
  t.ok(await s.mesh.until(() => /1 unread below/.test(rowText(s.surface.last.status))), 'unread count in the status bar')
  t.equal(s.surface.pane()[0], top, 'the view does not move while scrolled up')
  s.surface.handlers.onWheel(-1)
  await s.settle()
  t.notEqual(s.surface.pane()[0], top, 'wheel up scrolls further')
  for (let i = 0; i < 50; i++) s.surface.handlers.onKey(key('pageup'))
  await s.settle()
  t.match(s.surface.paneText(), /meshchat .*you are alice/, 'PgUp stops at the oldest line')
  for (let i = 0; i < 50; i++) s.surface.handlers.onKey(key('pagedown'))
  await s.settle()
  t.ok(s.surface.paneText().includes('new while scrolled'), 'PgDn returns to the newest')
  t.doesNotMatch(rowText(s.surface.last.status), /unread|scrolled/, 'unread count cleared')

  s.surface.width = 40
  s.surface.height = 10
  s.surface.handlers.onResize()
  const f = s.surface.last
  t.equal(f.sidebar, null, 'sidebar hidden on a narrow terminal')
  t.equal(f.messages.length, 8, 'pane fills the new height')
  t.ok(f.messages.every(r => rowText(r).length <= 40), 'rows rewrapped to the new width')
  t.equal(rowText(f.status).length, 40, 'status bar fits')
})

test('view: input history, Tab completion, cursor column', async (t) => {
  t.timeoutAfter(5000)
  const s = await setup(t)
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  s.type('first line')
  s.surface.handlers.onKey(key('up'))
  await s.settle()
  t.equal(rowText(s.surface.last.input), '> first line', 'up recalls the last line')
  t.equal(s.surface.last.cursor, 2 + 'first line'.length)
  s.surface.handlers.onKey(key('down'))
  for (const ch of 'b') s.surface.handlers.onKey({ ch, ctrl: false, meta: false, shift: false })
  s.surface.handlers.onKey(key('tab'))
  await s.settle()
  t.equal(rowText(s.surface.last.input), '> bob: ', 'Tab completes a peer nick')
  s.surface.handlers.onKey(key('u', { ctrl: true }))
  for (const ch of '/pe') s.surface.handlers.onKey({ ch, ctrl: false, meta: false, shift: false })
  s.surface.handlers.onKey(key('tab'))
  await s.settle()
  t.equal(rowText(s.surface.last.input), '> /peers ', 'Tab completes a command')
  s.surface.handlers.onKey(key('enter'))
  await s.settle()
  t.match(s.surface.paneText(), /1 peer linked:\n.*bob#[0-9a-f]{4} {2}memory 10\.0\.0\.1:1/)
  s.view.stop()
  t.ok(s.surface.destroyed, 'stop() restores the terminal')
})

test('view: rooms, /who, /whois and private messages', async (t) => {
  t.timeoutAfter(8000)
  const s = await setup(t, 160, 40)
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  s.type('/join dev')
  await s.settle()
  t.match(s.surface.paneText(), /joined #dev/)
  t.match(rowText(s.surface.last.status), /^ 2:#dev │ .*│ 1:#lobby │/, 'status bar: the current buffer, its number, and the other buffer')
  s.type('/room lobby')
  await s.settle()
  t.match(s.surface.paneText(), /now talking in #lobby/)
  s.mesh.nodes[1].join('dev')
  s.mesh.nodes[1].send('over in dev', { room: 'dev' })
  t.ok(await s.mesh.until(() => /2:#dev\(1\)/.test(rowText(s.surface.last.status))), 'a line from another room counts as unread in its buffer')
  t.doesNotMatch(s.surface.paneText(), /over in dev/, 'and never shows in the current one')
  s.type('/whois bob')
  await s.settle()
  t.match(s.surface.paneText(), /--- bob#[0-9a-f]{4,}\n.*key +[0-9a-f]{64}/, '/whois shows the full key')
  t.match(s.surface.paneText(), /reached +directly over memory/)
  s.type('/who')
  await s.settle()
  t.match(s.surface.paneText(), /#lobby: \d+ here/)
  s.type('/msg bob psst')
  t.ok(await s.mesh.until(() => /-> \*bob#[0-9a-f]{4,}\* psst/.test(s.surface.paneText())), 'own private line names the recipient')
  t.match(rowText(s.surface.last.status), /^ 3:bob#[0-9a-f]{4,} │/, '/msg opened the conversation\'s buffer')
  s.mesh.nodes[1].sendPrivate(s.mesh.nodes[0].id, 'secret back')
  t.ok(await s.mesh.until(() => /\*bob#[0-9a-f]{4,}\* secret back/.test(s.surface.paneText())), 'incoming private line')
  const row = s.surface.last.messages.find(r => rowText(r).includes('secret back'))!
  t.equal(row[row.length - 1].style?.fg, 'yellow', 'a private message is highlighted')
})

test('view: tiny and odd terminal sizes never throw and never overflow', async (t) => {
  t.timeoutAfter(5000)
  const s = await setup(t, 80, 24)
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  s.mesh.nodes[1].send('中文😀 '.repeat(20))
  t.ok(await s.mesh.until(() => s.surface.paneText().includes('中文')))
  // Columns counted independently of the view's strWidth: only 中, 文 and 😀 are wide here.
  const columns = (s: string) => [...s].reduce((n, c) => n + (/[中文😀]/u.test(c) ? 2 : 1), 0)
  // [width, height, pane rows, sidebar columns]: the pane is the height less the
  // input and status rows (at least one row); the sidebar appears at 70 columns.
  const sizes: Array<[number, number, number, number]> = [
    [1, 1, 1, 0], [2, 3, 1, 0], [5, 4, 2, 0], [12, 5, 3, 0], [69, 10, 8, 0], [70, 10, 8, 22], [200, 60, 58, 34]
  ]
  for (const [w, h, rows, sidebar] of sizes) {
    s.surface.width = w
    s.surface.height = h
    s.surface.handlers.onResize()
    const f = s.surface.last
    t.equal(f.messages.length, rows, `${w}x${h}: ${rows} pane rows`)
    t.equal(f.sidebarWidth, sidebar, `${w}x${h}: sidebar ${sidebar} columns`)
    t.equal(f.sidebar === null, sidebar === 0, `${w}x${h}: sidebar ${sidebar ? 'shown' : 'hidden'}`)
    if (w >= 20) t.ok(f.messages.every(r => columns(rowText(r)) <= w - sidebar), `${w}x${h}: every row fits the ${w - sidebar} pane columns`)
    t.equal(columns(rowText(f.status)), w, `${w}x${h}: status bar exactly as wide as the terminal`)
  }
})

test('view: discovery lines say found and linked apart, with the reason, once per change; the status bar keeps the counts', async (t) => {
  t.timeoutAfter(5000)
  const s = await setup(t, 160, 30)
  const node = s.mesh.nodes[0]
  const d = { topic: 'team', state: 'joined' as const, peers: 0, found: 2, linked: 0, via: 'dht' as const, reason: 'hole punch aborted' }
  node.reportDiscovery(d)
  node.reportDiscovery({ ...d })
  node.reportDiscovery({ ...d, found: 3 })
  node.reportDiscovery({ ...d, via: 'mdns', found: 1, linked: 1, peers: 1, reason: undefined })
  await s.settle()
  const pane = s.surface.paneText()
  t.equal(pane.split('\n').filter(l => l.includes('dht: joined #team, found 2, linked 0 (could not connect: hole punch aborted)')).length, 1, 'the unreachable report, once although said three times')
  t.doesNotMatch(pane, /found 3/, 'a count that changes without a new state or reason is no new line')
  t.match(pane, /mdns: joined #team, found 1, linked 1/, 'the LAN mechanism reports apart from the DHT')
  t.match(s.surface.last.status.map(x => x.text).join(''), /dht: joined #team, found 3, linked 0 \+1/, 'the status bar shows the latest counts of the first topic and how many more')
})

test('view: a paste waits for the send budget instead of being dropped by relays; a waiting line keeps the room it was typed in', async (t) => {
  t.timeoutAfter(20_000)
  // Small limits on both nodes (bob relays and receives alice's lines under them): alice may send 9 at once, then 18 a second.
  const s = await setup(t, 100, 20, { mesh: { authorRate: 20, authorBurst: 10, rooms: ['lobby', 'dev'] } })
  s.mesh.connect(0, 1)
  await s.mesh.settled(() => 1)
  const LINES = 30
  for (let i = 0; i < LINES; i++) s.type(`paste ${i}`)
  s.keys(key('n', { ctrl: true })) // to #dev while most of the paste still waits
  t.equal(s.mesh.nodes[0].room, 'dev', 'the view switched the node to #dev')
  const got = () => s.mesh.received[1].filter(m => m.text.startsWith('paste '))
  t.ok(got().length < LINES, `not all at once: ${got().length} of ${LINES} sent before the budget refilled`)
  t.ok(await s.mesh.until(() => got().length === LINES, 10_000), `bob got all ${LINES} lines`)
  t.deepEqual(got().map(m => m.text), Array.from({ length: LINES }, (_, i) => `paste ${i}`), 'each once, in order')
  t.ok(got().every(m => m.room === 'lobby'), 'all in #lobby, where they were typed')
})
