// Failures people can see, on real networks (helpers/netns.ts): when the DHT
// finds peers but no link comes up, a node says how many it found, how many
// it linked, and why the others failed, as a discovery event and a fault.
// Needs root; skipped, with the reason, without it.
import { labTest, PUBLIC_HOST } from './helpers/netns'
import { labDht, labNode } from './helpers/lab-nodes'

labTest('`meshchat dht --nodes 1` is not enough to hole-punch, and a node there says why', 30_000, async (t, lab) => {
  const l1 = lab.natLan('a')
  const l2 = lab.natLan('b')
  const dht = await labDht(lab, { nodes: 1 })
  t.ok(dht.proc.stderr.some(l => /fewer than 3 nodes/.test(l)), 'meshchat dht warns that one node is too few for NATs')
  const boot = ['--topic', 'lab1', '--bootstrap', dht.addresses[0]]
  const [a, b] = await Promise.all([labNode(lab, l1.host, 'a', boot), labNode(lab, l2.host, 'b', boot)])
  const report = await a.waitFor(e => e.event === 'discovery' && e.found >= 1 && e.linked === 0 && e.reason, 25_000, 'a discovery failure report')
  t.match(report.reason, /hole punch/, `the report names the cause: ${report.reason}`)
  t.notOk(a.events.some(e => e.event === 'peer-up' && e.peer === b.id), 'and no link came up')
})

labTest('both sides behind hard NATs: found, not linked, and the fault line says why', 30_000, async (t, lab) => {
  const l1 = lab.natLan('a', { hard: true })
  const l2 = lab.natLan('b', { hard: true })
  await labDht(lab)
  const boot = ['--topic', 'hard2', '--bootstrap', `${PUBLIC_HOST}:49736`]
  const [a, b] = await Promise.all([labNode(lab, l1.host, 'a', boot), labNode(lab, l2.host, 'b', boot)])
  const report = await a.waitFor(e => e.event === 'discovery' && e.found >= 1 && e.linked === 0 && e.reason, 25_000, 'a discovery failure report')
  t.equal(report.via, 'dht', 'the report says the DHT found the peer')
  t.match(report.reason, /hard NATs|hole punch/, `the report names the cause: ${report.reason}`)
  const fault = await a.waitFor(e => e.event === 'error' && e.code === 'PEERS_UNREACHABLE', 5000, 'the fault line')
  t.match(fault.message, /^#hard2: found 1 peer, could not connect to 1 \(/, `fault line: ${fault.message}`)
  t.notOk(a.events.some(e => e.event === 'peer-up' && e.peer === b.id), 'and no link came up')
})

labTest('a LAN with no router and a one-node DHT: a greeting timeout or a failed punch is reported, never silence', 30_000, async (t, lab) => {
  const lan = lab.isolatedLan(['i1', 'i2', 'i3'])
  await labDht(lab, { ns: lan.hosts[2], host: lan.ips[2], nodes: 1 })
  const boot = ['--topic', 'iso1', '--bootstrap', `${lan.ips[2]}:49736`, '--swarm-timing', JSON.stringify({ greetingTimeoutMs: 3000 }), '--no-mdns']
  const [a, b] = await Promise.all([labNode(lab, lan.hosts[0], 'a', boot), labNode(lab, lan.hosts[1], 'b', boot)])
  const first = await Promise.race([a, b].map(p => p.waitFor(e => e.event === 'peer-up' || (e.event === 'error' && /HANDSHAKE_TIMEOUT|PEERS_UNREACHABLE/.test(e.code)), 25_000, 'a link or a reported failure')))
  t.comment(`first outcome: ${JSON.stringify(first)}`)
  if (first.event === 'peer-up') t.equal(first.via, 'swarm', 'linked (hyperdht took its same-network shortcut this time)')
  else t.match(first.message, /could not connect to 1 \(hole punch|sent nothing within 3000 ms .*closed it/, 'the failure is reported with its reason')
})
