// `meshchat dht --nodes`: several DHT nodes in one process, every address
// printed (the first line alone usable), and bad counts refused with exit 2.
// Loopback only.
import test from 'tape'
import { Cluster, runBin } from './helpers/proc'

test('meshchat dht --nodes 3 prints three addresses, one a line, the first one first', async (t) => {
  const c = new Cluster(t)
  const dht = c.spawnRaw(['dht', '--listen', '127.0.0.1:0', '--nodes', '3'], 'dht')
  const lines: string[] = []
  for (let i = 0; i < 3; i++) lines.push(String((await dht.waitFor(e => !lines.includes(String(e.line)), 10_000, `address line ${i + 1}`)).line))
  t.equal(new Set(lines).size, 3, `three distinct addresses: ${lines.join(', ')}`)
  for (const l of lines) t.match(l, /^127\.0\.0\.1:[1-9]\d*$/, `${l} is HOST:PORT with a real port`)
  const err = await new Promise<string>(resolve => { const tick = setInterval(() => { const l = dht.stderr.find(x => /running on/.test(x)); if (l) { clearInterval(tick); resolve(l) } }, 20) })
  t.ok(err.includes(`running on ${lines.join(', ')} (UDP)`), 'stderr lists them in the same order')
  t.ok(err.includes(`--bootstrap ${lines[0]}`), 'and gives the first one to --bootstrap')
  t.equal((await dht.kill('SIGTERM')).code, 0, 'exits 0 on SIGTERM')
})

test('meshchat dht refuses --nodes outside 1-16 with exit 2', async (t) => {
  for (const n of ['0', '17', 'x', '2.5']) {
    const r = await runBin(['dht', '--listen', '127.0.0.1:0', '--nodes', n])
    t.equal(r.code, 2, `--nodes ${n}: exit 2`)
    t.match(r.stderr, new RegExp(`invalid --nodes '${n.replace('.', '\\.')}': give 1 to 16`), `--nodes ${n}: says why`)
  }
})
