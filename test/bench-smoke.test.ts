// Smoke test of the benchmark on tiny sizes: the in-memory parts, and the
// adversary section on a few real processes (needs the built bin). The
// figures must be sane (full delivery, at least one transmission per
// delivery, a bounded seen cache, each attack refused with its code, the
// attacker's frames made beforehand in its own process). No timing
// assertions: speed is for `npm run bench`.
import test from 'tape'
import { lineScenario, paced, randomScenario, runMeshScenario } from '../bench/mesh-scenarios'
import { runSoak } from '../bench/soak'
import { encodeLine, parseLine } from '../bench/fanout-lines'
import { paddedText, quantile, round } from '../bench/stats'
import { HONEST_BURST, adversaryPlan, isReference, rowMeetsTarget, runAdversarySection, type AdversaryRow } from '../bench/adversary'
import { summariseRounds, withRoundRatios } from '../bench/adversary-rounds'
import { ATTACKS } from '../bench/adversary-attacks'
import { adversaryTable } from '../bench/adversary-report'
import { FUTURE_MS, IDLE, prepareAttack, type AttackPlan } from '../bench/adversary-frames'
import { AttackerProc } from '../bench/adversary-attacker-proc'
import { decodeFlood, verifyFlood } from '../lib/protocol/envelope'
import net from 'net'
import { meshchatSpec, pubsubSideBySide, pubsubTargets, runPubsubSection, type PubsubSection } from '../bench/pubsub'
import type { PubsubSystemResult } from '../bench/pubsub-run'
import { SocketMeter, parseSs, ssListing } from '../bench/socket-bytes'
import { runTcpScenario } from '../bench/tcp-mesh'
import { line } from '../bench/graph'
import { killAll, machineBusy, machineCpuTicks } from '../bench/procs'
import fs from 'fs'
import os from 'os'
import path from 'path'

const TIMEOUT_MS = 60_000
/** When this file began: the data directories made since are its sections'. */
const STARTED = Date.now()

test('bench smoke: random graph floods to every node', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const r = await runMeshScenario(randomScenario(12, 4, paced(2, 5, 50)))
  t.equal(r.messages, 10, 'all messages sent')
  t.equal(r.expected, 10 * 11, 'every other node expected each message')
  t.equal(r.delivered, r.expected, 'delivered everything')
  t.equal(r.deliveryRatio, 1, '100% delivery')
  t.equal(r.duplicateDeliveries, 0, 'no message delivered twice to a node')
  t.ok(r.copiesPerDelivery >= 1, `copies per delivery ${r.copiesPerDelivery} >= 1`)
  t.ok(r.copiesPerDelivery <= 4, `copies per delivery ${r.copiesPerDelivery} <= degree`)
  t.ok(r.bytesPerDelivery > 100, 'bytes per delivery covers the 100-byte text')
  t.ok(r.cpuMsPerDelivery > 0, 'cpu per delivery measured')
  t.ok(Number.isFinite(r.latencyP50Ms) && r.latencyP99Ms >= r.latencyP50Ms, 'latency percentiles ordered')
  t.ok(r.heapPerNodeAfterKiB > 0, 'memory per node measured')
})

test('bench smoke: a line forwards each message exactly once per hop', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const r = await runMeshScenario(lineScenario(5, 5, 50))
  t.ok(r.ttl >= 4, 'the default hop limit covers the 4 hops of a 5-node line')
  t.equal(r.deliveryRatio, 1, '100% delivery to the far end')
  t.equal(r.copiesPerDelivery, 1, 'one transmission per delivery on a line')
})

test('bench smoke: seen cache stays bounded under a flood', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const r = await runSoak({ messages: 2000, sampleEvery: 500, maxMs: 30_000, seenMaxSize: 300 })
  t.equal(r.sent, 2000, 'all sent')
  t.equal(r.delivered, 2000, 'all delivered')
  t.equal(r.samples.length, 5, 'sampled at 0 and every 500')
  const seen = r.samples.map(s => s.seenEntries)
  t.ok(Math.max(...seen) <= 300, `seen cache never above its bound (max ${Math.max(...seen)})`)
})

test('bench smoke: fan-out lines survive a prefix and catch corruption', (t) => {
  const line = encodeLine(3, 42, 123456).trimEnd()
  t.deepEqual(parseLine(`<127.0.0.1> ${line}`), { kind: 'data', sender: 3, seq: 42, sentAtUs: 123456 }, 'parsed behind a classic prefix')
  t.deepEqual(parseLine(`guest-1 via gw#3fa2: ${line}\r`), { kind: 'data', sender: 3, seq: 42, sentAtUs: 123456 }, 'parsed behind a gateway prefix')
  t.equal(parseLine(line.slice(0, 50) + '<127.0.0.1> ' + line.slice(50)).kind, 'corrupt', 'a prefix inside the line is corruption')
  t.equal(parseLine(line.replace('|42|', '|43|')).kind, 'corrupt', 'a changed field fails the checksum')
  t.equal(parseLine('Welcome to this chatroom!').kind, 'other', 'server chatter is not data')
  t.equal(quantile([5, 1, 3, 2, 4], 0.5), 3, 'median')
  t.end()
})

test('bench smoke: adversary section (quick) runs every attack beside the baseline on real processes', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const plan = adversaryPlan(true)
  const r = await runAdversarySection(plan)
  t.deepEqual(r.rows.map(x => x.attack), ['baseline', IDLE, ...ATTACKS, HONEST_BURST, 'baseline again'], 'the idle control, one row per attack and the honest burst, between two baselines')
  for (const row of r.rows) {
    t.equal(row.expected, row.messages * (plan.nodes - 1), `${row.attack}: every honest node expected every honest message`)
    t.equal(row.deliveryRatio, 1, `${row.attack}: all honest messages delivered`)
    t.equal(row.duplicates, 0, `${row.attack}: each id delivered once`)
    t.ok(row.victimAlive, `${row.attack}: the victim survived`)
    t.ok(row.victimRssPeakMiB >= row.victimRssBeforeMiB && row.victimRssBeforeMiB > 0, `${row.attack}: victim RSS sampled (${row.victimRssPeakMiB} MiB)`)
    t.equal(row.attacker === null, isReference(row.attack), `${row.attack}: an attacker only in attack rows`)
  }
  const row = (name: string) => r.rows.find(x => x.attack === name)!
  const idle = row(IDLE)
  t.deepEqual(idle.attacker, { links: 1, framesSent: 0, linksClosedByVictim: 0 }, 'the idle attacker held one link, sent no attack frame and was not closed')
  t.deepEqual(idle.victimErrors, {}, 'the idle attacker gave the victim nothing to refuse')
  t.equal(idle.p99xIdle, 1, 'the idle row is its own reference')
  for (const name of ATTACKS) {
    const a = row(name)
    t.ok(a.attackerFramesPrepared! >= a.attacker!.framesSent, `${name}: sent ${a.attacker!.framesSent} of ${a.attackerFramesPrepared} frames made beforehand`)
    t.ok(a.attackerCpuMs! > 0, `${name}: the attacker process reported its own CPU (${a.attackerCpuMs} ms)`)
  }
  t.ok(row('sync-offers').victimErrors.SYNC_FLOOD > 0, 'unread sync offers were refused as SYNC_FLOOD')
  // The member linked just before the window: the victim met it lately, so its flood past its first burst is held, not dropped.
  t.ok(row('member-flood').victimErrors.NEW_AUTHOR_BURST > 0, 'one member\'s flood past its first burst was held as NEW_AUTHOR_BURST')
  t.ok(row('future-dated').victimErrors.TIME_SKEW > 0, 'future-dated messages were refused as TIME_SKEW')
  // Useless when it lands in the answer window of the victim's offer to that link; unsolicited once that window is closed or spent.
  const replay = row('sync-replay').victimErrors
  t.ok((replay.SYNC_USELESS ?? 0) + (replay.SYNC_UNSOLICITED ?? 0) > 0, `replayed sync data was refused as SYNC_USELESS or SYNC_UNSOLICITED (${JSON.stringify(replay)})`)
  t.ok(row('preauth-length').victimErrors.WIRE_FRAME_TOO_LARGE > 0, 'oversized length prefixes were refused as WIRE_FRAME_TOO_LARGE')
  // Future-dated messages cost a link only 1 point each (a wrong clock is not banned quickly): refused, not closed, at these counts.
  for (const name of ['sync-offers', 'sync-replay', 'preauth-length']) {
    const a = row(name).attacker!
    t.ok(a.linksClosedByVictim >= 1 && a.linksClosedByVictim <= a.links, `${name}: the victim closed ${a.linksClosedByVictim} of the attacker's ${a.links} links`)
  }
  t.equal(r.targetMet, r.rows.filter(x => !isReference(x.attack)).every(rowMeetsTarget), 'the verdict is the conjunction of the attack rows and the idle control')
  t.deepEqual(r.rows.filter(x => isReference(x.attack)).map(x => x.attack), ['baseline', HONEST_BURST, 'baseline again'], 'the baselines and the honest burst are held to no target')
  t.ok(/baseline\s/.test(adversaryTable(r)), 'the table prints')
})

const TINY: AttackPlan = { maxLinks: 2, syncOffers: 3, freshKeyMessages: 6, messagesPerKey: 4, memberFloodMessages: 5, futureMessages: 3, syncReplays: 2, rawSockets: 2, rawRounds: 3 }

test('bench smoke: attack frames are made beforehand, signed, one set per link', (t) => {
  const now = Date.now()
  const fresh = prepareAttack('fresh-keys', TINY, now)
  t.equal(fresh.frames, 2 * 6, 'fresh-keys: every message of every link made')
  t.equal(fresh.keys, 2 + 2 * 2, 'fresh-keys: one identity per link plus a fresh author every 4 messages')
  const authors = fresh.links.map(l => l.frames.map(f => decodeFlood(f)))
  t.ok(authors.flat().every(verifyFlood), 'every prepared message carries a valid signature')
  t.deepEqual(authors.map(ms => new Set(ms.map(m => m.author.toString('hex'))).size), [2, 2], 'each link switches author after 4 messages')
  t.notOk(authors[0][0].author.equals(authors[1][0].author), 'links do not share authors')
  t.notOk(fresh.links[0].identity.publicKey.equals(fresh.links[1].identity.publicKey), 'each link dials with its own identity')
  const flood = prepareAttack('member-flood', TINY, now)
  t.deepEqual(flood.links.map(l => new Set(l.frames.map(f => decodeFlood(f).author.toString('hex'))).size), [1, 1], 'member-flood: one author a link')
  t.equal(flood.frames, 2 * 5, 'member-flood: every message of every link made')
  const future = prepareAttack('future-dated', TINY, now)
  t.ok(future.links.flatMap(l => l.frames).every(f => decodeFlood(f).ts >= now + FUTURE_MS), 'future-dated: every message dated ahead')
  t.equal(prepareAttack(IDLE, TINY, now).frames, 0, 'the idle control makes no frame')
  t.equal(prepareAttack('preauth-length', TINY, now).links.length, 0, 'preauth-length needs no member link')
  t.end()
})

test('bench smoke: the attacker process exits by itself when the bench goes away', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const a = new AttackerProc({ role: 'fresh-keys', plan: TINY, durationMs: 500 })
  const exited = new Promise<number | null>(resolve => a.child.once('exit', code => resolve(code)))
  a.child.stdin!.end()
  t.equal(await exited, 2, 'stdin closed before start: exit status 2, no signal needed')
})

test('bench smoke: adversary rounds are summarised against each round\'s own baseline', (t) => {
  const row = (attack: AdversaryRow['attack'], p99: number, delivered: number, dup = 0): AdversaryRow => ({
    attack, messages: 10, expected: 40, delivered, deliveryRatio: delivered / 40, duplicates: dup, latencyP50Ms: p99 / 2, latencyP99Ms: p99,
    victimRssPeakMiB: 60 + p99 / 10, victimRssBeforeMiB: 50, victimCpuMs: 100, meshCpuMs: 1200, machineBusy: p99 / 400, windowMs: 1000, victimAlive: true, p99x: 1, rssx: 1, cpux: 1, p99xIdle: 1,
    victimErrors: attack === 'fresh-keys' ? { NEW_AUTHOR_LIMIT: 1 } : {}, attacker: null, attackerCpuMs: null, attackerPrepareMs: null, attackerFramesPrepared: null, attackerKeys: null
  })
  // Round 2 is a slow machine: its baselines are 4x round 1's, and so is the attack; round 3's two baselines differ (50 and 200: reference 100).
  const rounds = [
    withRoundRatios([row('baseline', 40, 40), row(IDLE, 40, 40), row('fresh-keys', 60, 40), row('baseline again', 40, 40)], IDLE),
    withRoundRatios([row('baseline', 160, 40), row(IDLE, 160, 40), row('fresh-keys', 200, 39, 1), row('baseline again', 160, 40)], IDLE),
    withRoundRatios([row('baseline', 50, 40), row(IDLE, 50, 40), row('fresh-keys', 300, 40), row('baseline again', 200, 40)], IDLE)
  ]
  const [base, , fresh, again] = summariseRounds(rounds)
  t.deepEqual(fresh.p99xRounds, [1.5, 1.25, 3], 'each round\'s attack is divided by the geometric mean of that round\'s two baselines')
  t.equal(fresh.p99x, 1.5, 'the summary ratio is the median of the rounds, not a ratio of medians (200/50 would be 4)')
  t.equal(fresh.latencyP99Ms, 200, 'the p99 shown is the median round')
  t.equal(fresh.delivered, 119, 'deliveries are summed over the rounds')
  t.equal(fresh.deliveryRatio, round(119 / 120, 5), 'so one lost message in one round shows')
  t.equal(fresh.duplicates, 1, 'duplicates are summed')
  t.deepEqual(fresh.victimErrors, { NEW_AUTHOR_LIMIT: 3 }, 'victim errors are summed')
  t.equal(fresh.victimRssPeakMiB, 90, 'memory is the worst round')
  t.equal(rowMeetsTarget(fresh), false, 'a lost message misses the target whatever the latency')
  t.deepEqual(base.p99xRounds, [1, 1, 0.5], 'the first baseline reads 1x where the two agree, and shows the spread where they do not')
  t.deepEqual(again.p99xRounds, [1, 1, 2], 'and the last one its inverse')
  t.equal(fresh.machineBusy, 0.5, 'how busy the machine was is the median round')
  t.end()
})

test('bench smoke: how busy the machine was comes from /proc/stat counters', (t) => {
  const now = machineCpuTicks()
  t.ok(now && now.busy >= 0 && now.busy <= now.total, 'busy and total ticks read on this machine')
  t.equal(machineBusy({ busy: 100, total: 400 }, { busy: 250, total: 600 }), 0.75, 'busy ticks over all ticks between the readings')
  t.ok(Number.isNaN(machineBusy(null, now)), 'no reading: not a number, never a made-up 0')
  t.ok(Number.isNaN(machineBusy(now, now)), 'no time between readings: not a number')
  t.end()
})

const SS_SAMPLE = [
  '0      0      127.0.0.1:45031 127.0.0.1:35345 users:(("node",pid=300,fd=20))',
  '\t bbr wscale:10,10 rto:208 cwnd:16 bytes_sent:7812 bytes_retrans:496 bytes_acked:7317 bytes_received:2549 segs_out:42',
  '0      0      127.0.0.1:34939 127.0.0.1:44785 users:(("node",pid=301,fd=19))',
  '\t cubic wscale:7,7 rto:204 cwnd:10 bytes_received:12 segs_out:1',
  '0      0      10.0.0.1:22 10.0.0.2:5000',
  '\t cubic bytes_sent:999 bytes_acked:999'
].join('\n')

test('bench smoke: socket byte counts come from ss, retransmissions not counted twice', (t) => {
  t.deepEqual(parseSs(SS_SAMPLE), [
    { pid: 300, local: '127.0.0.1:45031', peer: '127.0.0.1:35345', written: 7812 - 496 },
    { pid: 301, local: '127.0.0.1:34939', peer: '127.0.0.1:44785', written: 0 }
  ], 'sent minus retransmitted per owned socket; a socket with nothing sent is 0; one without an owner is skipped')
  t.end()
})

test('bench smoke: the kernel counters see exactly the bytes this process wrote to a loopback socket', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const N = 10_000
  let received = 0
  let done!: () => void
  const all = new Promise<void>(resolve => { done = resolve })
  const server = net.createServer(s => s.on('data', (d: Buffer) => { received += d.length; if (received >= N) done() }))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
  await new Promise<void>(resolve => client.once('connect', resolve))
  // Only this socket: other tests in the same process may still hold sockets of their own.
  const mine = async () => parseSs(await ssListing()).filter(x => x.pid === process.pid && x.local === `127.0.0.1:${client.localPort}`).map(x => x.written)
  const [before] = await mine()
  client.write(Buffer.alloc(N, 1))
  await all
  const [after] = await mine()
  client.destroy()
  server.close()
  t.equal(after - before, N, `counted ${after - before} bytes written for ${N} written`)
})

/** A loopback server in this process and a way to open a client, write n bytes and wait until all arrived. */
async function loopbackPair () {
  let received = 0
  const waiters: Array<() => void> = []
  const server = net.createServer(s => s.on('data', (d: Buffer) => { received += d.length; waiters.splice(0).forEach(fn => fn()) }))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const connect = async () => {
    const c = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
    await new Promise<void>(resolve => c.once('connect', resolve))
    return c
  }
  const write = async (c: net.Socket, n: number) => {
    const target = received + n
    c.write(Buffer.alloc(n, 2))
    while (received < target) await new Promise<void>(resolve => waiters.push(resolve))
  }
  const port = (server.address() as net.AddressInfo).port
  /** Sockets of this pair only (either end on the server's port). */
  const ours = (x: { local: string; peer: string }) => x.local.endsWith(`:${port}`) || x.peer.endsWith(`:${port}`)
  return { server, connect, write, ours }
}

test('bench smoke: the socket meter keeps the bytes of a socket that closed and counts a new one from zero', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const { server, connect, write, ours } = await loopbackPair()
  const a = await connect()
  await write(a, 1000)
  const meter = new SocketMeter([process.pid], ours)
  await meter.sample()
  await write(a, 5000)
  await meter.sample()
  a.destroy()
  const b = await connect()
  await write(b, 3000)
  await meter.sample()
  b.destroy()
  server.close()
  t.equal(meter.written(), 5000 + 3000, 'bytes before the first sample left out, the closed socket\'s 5000 kept, the new socket\'s 3000 counted')
  t.equal(meter.closed, 2, 'both ends of the closed connection counted as closed')
  t.equal(meter.opened, 2, 'both ends of the new connection counted as opened')
})

test('bench smoke: pubsub section, meshchat half (quick plan, no gossipsub install needed)', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  t.equal(Buffer.byteLength(paddedText('g12-3', 100)), 100, 'texts are padded to the schedule\'s size')
  const r = await runPubsubSection(true, () => {}, [meshchatSpec])
  t.equal(r.gossipsubSkipped, null, 'given systems: nothing is installed or skipped')
  t.deepEqual(r.rows.map(x => x.system), ['meshchat'], 'one row for the one system asked for')
  const m = r.rows[0]
  const k = r.plan.schedule
  t.equal(m.messages, k.senders.length * k.perSender, 'every scheduled message sent')
  t.equal(m.expected, m.messages * (r.plan.nodes - 1), 'every other node expected each message')
  t.equal(m.deliveryRatio, 1, 'all delivered')
  t.equal(m.duplicates, 0, 'no message shown twice on a node')
  t.ok(m.bytesPerDelivery >= k.textBytes, `TCP bytes per delivery ${m.bytesPerDelivery} cover the ${k.textBytes}-byte text`)
  t.ok(m.latencyP99Ms >= m.latencyP50Ms, 'latency percentiles ordered')
  t.ok(/meshchat\s/.test(pubsubSideBySide(r)), 'the table prints')
})

test('bench smoke: pubsub targets compare meshchat with each gossipsub run', (t) => {
  const row = (system: string, bytesPerDelivery: number, latencyP99Ms: number, deliveryRatio = 1): PubsubSystemResult => ({
    system, nodes: 20, messages: 200, expected: 3800, delivered: Math.round(3800 * deliveryRatio), deliveryRatio, duplicates: 0, latencyP50Ms: latencyP99Ms / 2, latencyP99Ms,
    latencyMaxMs: latencyP99Ms, bytesPerDelivery, idleBytesPerSecPerNode: 0, cpuMsPerDelivery: 1, linksLost: 0, socketsClosed: 0, socketsOpened: 0, errors: 0, firstError: null, loadAverage: 1, formMs: 1
  })
  const section = (rows: PubsubSystemResult[]): PubsubSection => ({ plan: { nodes: 20, degree: 4, schedule: { senders: [0], perSender: 1, ratePerSender: 1, textBytes: 100 } }, graph: 'g', gossipsubSkipped: null, rows })
  const checks = pubsubTargets(section([row('meshchat', 500, 100, 0.999), row('gossipsub D=6 (defaults)', 1000, 500), row('gossipsub D=4', 900, 2000)]))
  t.deepEqual(checks.map(c => [c.target, c.measured, c.met]), [
    ['pubsub (processes): meshchat delivered', 0.999, false],
    ['pubsub: bytes/delivery vs gossipsub D=6 (defaults)', 0.5, true],
    ['pubsub: p99 vs gossipsub D=6 (defaults)', 0.2, false],
    ['pubsub: bytes/delivery vs gossipsub D=4', 0.556, false],
    ['pubsub: p99 vs gossipsub D=4', 0.05, true]
  ], 'one delivery row, then bytes and p99 against each gossipsub run; exactly at the limit is met, one lost message is not')
  t.deepEqual(pubsubTargets(section([row('gossipsub D=4', 900, 2000)])), [], 'no meshchat row, no target rows')
  t.end()
})

test('bench smoke: the tcp section measures after its warm-up and shows the warm-up apart', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const r = await runTcpScenario({ name: 'line 2 hops', graph: line(3), senders: [0], perSender: 4, ratePerSender: 20, ttl: 2, warmupPerSender: 3 })
  t.equal(r.messages, 4, 'only the measured messages count')
  t.equal(r.expected, 8, 'each reaches both other nodes')
  t.equal(r.delivered, 8, 'and did, warm-up deliveries not counted')
  t.ok(Number.isFinite(r.coldFarEndMaxMs) && r.coldFarEndMaxMs > 0, `the warm-up's slowest far-end delivery is shown (${r.coldFarEndMaxMs} ms)`)
  t.ok(Number.isFinite(r.farEndP99Ms), 'and the measured far-end p99 apart from it')
})

// Runs last: the sections above leave their processes' data directories to the bench's final clean-up.
test('bench smoke: the data directories the sections made are removed once the bench is done with them', async (t) => {
  const made = () => fs.readdirSync(os.tmpdir()).filter(d => d.startsWith('meshchat-bench-') && fs.statSync(path.join(os.tmpdir(), d)).mtimeMs >= STARTED)
  t.ok(made().length > 0, `the sections made data directories (${made().length})`)
  await killAll()
  t.deepEqual(made(), [], 'none is left in the temp directory')
})
