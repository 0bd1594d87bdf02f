// 200 lines a second for 4 seconds through the IRC face, both ways at once:
// an IRC client posts 800 lines to a room and a linked headless node posts
// 800; each side must see every line of the other, in order, none lost.
// Both run above the default author rate (50/s): this is the face's load.
import test from 'tape'
import { Cluster, LIFTED_LIMITS } from './helpers/proc'
import { RawIrc } from './helpers/irc'

/** Lines per tick and ticks: 10 lines every 50 ms is 200 lines a second, for 4 s (10 s until 2026-11-29: the suite's time is CI's budget). */
const PER_TICK = 10
const TICKS = 80
const TICK_MS = 50
const TOTAL = PER_TICK * TICKS

test('200 lines/s for 4 s each way through the IRC face: nothing lost, order kept', async (t) => {
  t.timeoutAfter(40_000)
  const c = new Cluster(t)
  const a = await c.start({ name: 'a', args: ['--no-pex', '--irc-listen', '127.0.0.1:0', ...LIFTED_LIMITS] })
  const b = await c.start({ name: 'b', args: ['--no-pex', '--peer', a.listen, ...LIFTED_LIMITS] })
  await b.waitPeerUp(a.id)
  const irc = new RawIrc(a.ready.irc)
  c.cleanups.push(() => irc.close())
  irc.line('NICK loader'); irc.line('USER loader 0 * :Load')
  await irc.wait(/ 366 loader #lobby /, 'joined #lobby')
  let tick = 0
  await new Promise<void>(resolve => {
    const timer = setInterval(() => {
      let out = ''
      for (let i = 0; i < PER_TICK; i++) {
        const n = tick * PER_TICK + i
        out += `PRIVMSG #lobby :irc ${n}\r\n`
        b.send(`mesh ${n}`)
      }
      irc.send(out)
      if (++tick >= TICKS) { clearInterval(timer); resolve() }
    }, TICK_MS)
  })
  await b.waitMessage(`irc ${TOTAL - 1}`, 15_000)
  await irc.wait(new RegExp(`PRIVMSG #lobby :mesh ${TOTAL - 1}$`), 'the last mesh line', 15_000)
  const atB = b.messages().map(e => e.text as string).filter(x => x.startsWith('irc '))
  t.equal(atB.length, TOTAL, `b got all ${TOTAL} IRC lines`)
  t.ok(atB.every((x, i) => x === `irc ${i}`), 'in order')
  const atIrc = irc.lines.map(l => /PRIVMSG #lobby :(mesh \d+)$/.exec(l)?.[1]).filter(Boolean)
  t.equal(atIrc.length, TOTAL, `the IRC client got all ${TOTAL} mesh lines`)
  t.ok(atIrc.every((x, i) => x === `mesh ${i}`), 'in order')
  t.equal(irc.count(/ 417 | FAIL /), 0, 'no line refused')
})
