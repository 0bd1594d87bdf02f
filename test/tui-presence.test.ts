// Comings and goings in the terminal view (presence-lines.ts) over real nodes
// on memory links: members already in a room are listed in one line, a split
// is one line, and a large room hides the joins and leaves of the silent.
import test from 'tape'
import { setup } from './helpers/fake-surface'
import { BURST_NAMES_SHOWN, MAX_SPEAKERS_PER_ROOM, PresenceLines, SMART_FILTER_MIN_MEMBERS, SMART_FILTER_SPOKE_MS } from '../lib/ui/tui/presence-lines'

const BURSTS = { quietMs: 150, maxMs: 2000 }
const TAG = '#[0-9a-f]{4,}'
/** Node `node` leaves #lobby (a node keeps at least one room: it goes to #side first). */
const part = (node: { join: (r: string) => string; leave: (r: string, m?: string) => string }, message?: string) => { node.join('side'); node.leave('lobby', message) }

test('view: a newcomer sees the members already in the room in one line; a later part and join each get theirs', async (t) => {
  t.timeoutAfter(10_000)
  const s = await setup(t, 180, 30, { nodes: 5, presenceBursts: BURSTS })
  for (const i of [2, 3, 4]) s.mesh.connect(1, i)
  t.ok(await s.mesh.until(() => s.mesh.nodes[1].who('lobby').length === 4), 'bob lists the four of them')
  // Alice dials bob, as a newcomer does; to bob she is the one joining.
  s.mesh.enableDialing()
  await s.mesh.nodes[0].dial(s.mesh.nodes[1].listenAddress)
  t.ok(await s.mesh.until(() => /in #lobby \(4 members\)/.test(s.surface.paneText())), 'one line lists the room')
  await s.settle()
  const line = s.surface.pane().find(l => l.includes('in #lobby ('))!
  for (const nick of ['bob', 'm2', 'm3', 'm4']) t.match(line, new RegExp(`${nick}${TAG}`), `it names ${nick}`)
  t.doesNotMatch(s.surface.paneText(), /joined #lobby/, 'no member already there is reported as joining')
  const bobSaw = await s.mesh.until(() => s.mesh.nodes[1].who('lobby').length === 5)
  t.ok(bobSaw, 'bob lists alice')

  part(s.mesh.nodes[4], 'brb')
  t.ok(await s.mesh.until(() => new RegExp(`m4${TAG} left #lobby \\(part: brb\\)`).test(s.surface.paneText())), 'a part is its own line')
  s.mesh.nodes[4].join('lobby')
  t.ok(await s.mesh.until(() => new RegExp(`m4${TAG} joined #lobby`).test(s.surface.paneText())), 'a join after is reported as one')
})

test('view: members that time out together (a split) are one line', async (t) => {
  t.timeoutAfter(10_000)
  const s = await setup(t, 180, 30, { nodes: 5, presenceBursts: { quietMs: 600, maxMs: 3000 }, mesh: { timing: { presenceIntervalMs: 300, presenceTimeoutMs: 900 } } })
  for (const i of [2, 3, 4]) s.mesh.connect(1, i)
  t.ok(await s.mesh.until(() => s.mesh.nodes[1].who('lobby').length === 4), 'bob lists the four of them')
  s.mesh.enableDialing()
  await s.mesh.nodes[0].dial(s.mesh.nodes[1].listenAddress)
  t.ok(await s.mesh.until(() => s.mesh.nodes[0].who('lobby').length === 5), 'alice lists all five')
  s.mesh.linkEnds.find(e => e.owner === 0 && e.far === 1)!.end.destroy()
  t.ok(await s.mesh.until(() => /4 members left #lobby \(timed out\)/.test(s.surface.paneText())), 'the four that went with the link are one line')
  await s.settle()
  t.doesNotMatch(s.surface.paneText(), new RegExp(`^\\S+ -!- \\S+${TAG} left #lobby`, 'm'), 'and none of them a line of its own')
  // The split heals: alice dials bob again and lists the four in one line, as she did when she came.
  s.mesh.enableDialing()
  await s.mesh.nodes[0].dial(s.mesh.nodes[1].listenAddress)
  t.ok(await s.mesh.until(() => (s.surface.paneText().match(/in #lobby \(4 members\)/g) ?? []).length === 1 && s.mesh.nodes[0].who('lobby').length === 5), 'when the split heals they are listed again, in one line')
  t.doesNotMatch(s.surface.paneText(), /joined #lobby/, 'not as four joins')
})

test(`view: in a room of over ${SMART_FILTER_MIN_MEMBERS} members the joins and leaves of the silent are not shown; a speaker's are`, async (t) => {
  t.timeoutAfter(30_000)
  const n = SMART_FILTER_MIN_MEMBERS + 6
  // Members' lines are each a new author to alice: a budget that never holds one keeps this test about the view, not the new-author hold (see the next test).
  const s = await setup(t, 200, 40, { nodes: n, presenceBursts: BURSTS, mesh: { newAuthorsPerLinkPerMin: 60_000 } })
  for (let i = 2; i < n; i++) s.mesh.connect(1, i)
  t.ok(await s.mesh.until(() => s.mesh.nodes[1].who('lobby').length === n - 1, 20_000), `bob lists the ${n - 1} of them`)
  s.mesh.enableDialing()
  await s.mesh.nodes[0].dial(s.mesh.nodes[1].listenAddress)
  t.ok(await s.mesh.until(() => new RegExp(`in #lobby \\(${n - 1} members\\): .* and ${n - 1 - BURST_NAMES_SHOWN} more \\(/who #lobby lists them\\)`).test(s.surface.paneText()), 10_000),
    `one line names ${BURST_NAMES_SHOWN} and counts the rest`)

  part(s.mesh.nodes[5])
  t.ok(await s.mesh.until(() => /#lobby has over 50 members: the joins and leaves of those who have not spoken/.test(s.surface.paneText())), 'the first hidden leave says why, once')
  s.mesh.nodes[6].send('bye all')
  t.ok(await s.mesh.until(() => s.surface.paneText().includes('bye all')), 'm6 spoke')
  part(s.mesh.nodes[6])
  t.ok(await s.mesh.until(() => new RegExp(`m6${TAG} left #lobby \\(part\\)`).test(s.surface.paneText())), 'a member who spoke lately: its leave is shown')
  part(s.mesh.nodes[7])
  s.mesh.nodes[7].join('lobby')
  s.mesh.nodes[8].send('me too')
  part(s.mesh.nodes[8])
  t.ok(await s.mesh.until(() => new RegExp(`m8${TAG} left #lobby \\(part\\)`).test(s.surface.paneText())), 'm8 spoke and left')
  const pane = s.surface.paneText()
  t.doesNotMatch(pane, new RegExp(`m[57]${TAG} (left|joined) #lobby`), 'the silent members\' part and join, before it, were not shown')
  t.equal(pane.match(/has over 50 members/g)!.length, 1, 'the reason was given once')
  t.equal(s.mesh.nodes[0].who('lobby').length, n - 3, '/who still lists everyone there')


  s.type('/who')
  await s.settle()
  t.match(s.surface.paneText(), new RegExp(`#lobby: ${n - 3} here\n.*alice${TAG} \\(you\\) +bob${TAG} +m2${TAG} +m3${TAG}`), '/who: the count, then names in columns, you first, by nick in number order')
  s.type('/who lobby m2')
  await s.settle()
  t.match(s.surface.paneText(), new RegExp(`#lobby: 11 of ${n - 3} here match 'm2'\n.*m2${TAG} +m20${TAG}`), '/who ROOM PATTERN narrows it')
})

test('view: what a limit of this node holds from an honest neighbour (flow control) is no error line', async (t) => {
  t.timeoutAfter(20_000)
  const n = 12
  const s = await setup(t, 180, 30, { nodes: n, presenceBursts: BURSTS })
  for (let i = 2; i < n; i++) s.mesh.connect(1, i)
  t.ok(await s.mesh.until(() => s.mesh.nodes[1].who('lobby').length === n - 1), `bob lists the ${n - 1} of them`)
  const flow: string[] = []
  s.mesh.nodes[0].on('fault', f => { if (f.flow) flow.push(f.code) })
  s.mesh.enableDialing()
  await s.mesh.nodes[0].dial(s.mesh.nodes[1].listenAddress)
  t.ok(await s.mesh.until(() => s.surface.paneText().includes(`in #lobby (${n - 1} members)`)), 'alice lists the room')
  // Eight members listed by the roster speak at once: new authors to alice, past bob's link's burst of new authors.
  for (let i = 2; i < 10; i++) s.mesh.nodes[i].send(`first words of m${i}`)
  t.ok(await s.mesh.until(() => flow.includes('NEW_AUTHOR_LIMIT')), 'some were held for the new-author budget (flow control, no fault of bob\'s)')
  t.ok(await s.mesh.until(() => [2, 3, 4, 5, 6, 7, 8, 9].every(i => s.surface.paneText().includes(`first words of m${i}`)), 15_000), 'all eight lines arrive as the budget refills')
  t.doesNotMatch(s.surface.paneText(), /NEW_AUTHOR_LIMIT|not counted against it/, 'and the view shows no error line for the hold')
})

test('smart filter: a line counts from its own date, so a member heard only in old history is still silent', (t) => {
  const now = 1_000_000_000
  const shown: string[] = []
  const lines = new PresenceLines({ now: () => now, roomSize: () => SMART_FILTER_MIN_MEMBERS + 1, label: c => c.nick, show: (_, text) => shown.push(text) })
  lines.spoke('lobby', 'k1', 'old', undefined, now - SMART_FILTER_SPOKE_MS - 1000)
  lines.spoke('lobby', 'k2', 'new', undefined, now - 1000)
  lines.spoke('lobby', 'k3', 'ahead', undefined, now + 60_000)
  lines.change({ room: 'lobby', peer: 'k1', nick: 'old', state: 'leave', reason: 'quit' })
  lines.change({ room: 'lobby', peer: 'k2', nick: 'new', state: 'leave', reason: 'quit' })
  lines.change({ room: 'lobby', peer: 'k3', nick: 'ahead', state: 'leave', reason: 'quit' })
  t.equal(shown.filter(l => l.includes('left')).join('|'), 'new left #lobby (quit)|ahead left #lobby (quit)', 'only those who spoke lately (a line dated ahead counts as now)')
  t.equal(shown.filter(l => l.includes('has over')).length, 1, 'the hidden one says why')
  lines.close()
  t.end()
})

test(`smart filter: at most ${MAX_SPEAKERS_PER_ROOM} speakers are remembered per room, the one that spoke longest ago forgotten first`, (t) => {
  const now = 1_000_000_000
  const shown: string[] = []
  const lines = new PresenceLines({ now: () => now, roomSize: () => SMART_FILTER_MIN_MEMBERS + 1, label: c => c.nick, show: (_, text) => shown.push(text) })
  for (let i = 0; i <= MAX_SPEAKERS_PER_ROOM; i++) lines.spoke('lobby', `k${i}`, `n${i}`, undefined, now - 1000 + i)
  for (const i of [0, 1, MAX_SPEAKERS_PER_ROOM]) lines.change({ room: 'lobby', peer: `k${i}`, nick: `n${i}`, state: 'leave', reason: 'part' })
  t.deepEqual(shown.filter(l => l.includes(' left ')), ['n1 left #lobby (part)', `n${MAX_SPEAKERS_PER_ROOM} left #lobby (part)`], 'the first speaker was forgotten (its leave hidden); the others are remembered')
  lines.close()
  t.end()
})

test('bursts: a burst that keeps coming is shown at most maxMs after its first member, the rest in a burst of their own', async (t) => {
  const shown: string[] = []
  const lines = new PresenceLines({ now: Date.now, roomSize: () => 5, label: c => c.nick, show: (_, text) => shown.push(text), quietMs: 150, maxMs: 400 })
  const started = Date.now()
  let seenBefore = -1
  for (let i = 0; i < 16; i++) {
    if (seenBefore < 0 && shown.length > 0) seenBefore = i
    lines.change({ room: 'lobby', peer: `k${i}`, nick: `n${i}`, state: 'join', listed: true })
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  while (shown.length < 2 && Date.now() - started < 5000) await new Promise(resolve => setTimeout(resolve, 20))
  t.ok(seenBefore > 0, `the first line came while members still came (before member ${seenBefore} of 16)`)
  const counted = shown.map(l => Number(/\((\d+) members\)/.exec(l)?.[1] ?? (l.startsWith('in #lobby:') ? 1 : 0)))
  t.equal(counted.reduce((a, b) => a + b, 0), 16, `every member is in one of the lines (${shown.length} lines)`)
  lines.close()
})
