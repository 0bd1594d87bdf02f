// LAN discovery by multicast DNS on a LAN with no router and no DHT
// (helpers/netns.ts): two nodes find each other by topic alone and link
// directly over TCP; --no-mdns keeps a node out of it. Needs root; skipped,
// with the reason, without it.
import { labTest } from './helpers/netns'
import { labNode } from './helpers/lab-nodes'

labTest('a LAN with no router and no DHT: two nodes find each other by topic alone', 20_000, async (t, lab) => {
  const lan = lab.isolatedLan(['i1', 'i2'])
  const [a, b] = await Promise.all([labNode(lab, lan.hosts[0], 'a', ['--topic', 'team']), labNode(lab, lan.hosts[1], 'b', ['--topic', 'team'])])
  const up = await a.waitPeerUp(b.id, 10_000)
  await b.waitPeerUp(a.id, 5000)
  t.equal(up.via, 'tcp', 'linked directly over TCP')
  t.equal(up.remote.split(':')[0], lan.ips[1], `remote: the link came over b's LAN address (${up.remote})`)
  t.equal(up.listen, `${lan.ips[1]}:${b.listen.split(':')[1]}`, `listen: b's TCP port on that host (${up.listen})`)
  const back = await b.waitPeerUp(a.id, 1)
  t.ok([up.found, back.found].includes('mdns'), `the dialling side says mDNS found the peer (${up.found}/${back.found})`)
  const d = await a.waitFor(e => e.event === 'discovery' && e.via === 'mdns' && e.linked === 1, 5000, 'an mdns discovery report')
  t.equal(d.found, 1, 'mDNS found one peer')
  t.equal(d.topic, 'team', 'for the topic')
  a.send('hello over mdns')
  await b.waitMessage('hello over mdns', 5000)
  t.equal(b.messages('hello over mdns').length, 1, 'message arrived once')
})

labTest('--no-mdns: a node neither announces nor looks on the LAN', 25_000, async (t, lab) => {
  const lan = lab.isolatedLan(['i1', 'i2', 'i3'])
  const quiet = await labNode(lab, lan.hosts[2], 'q', ['--topic', 'team', '--no-mdns'])
  const [a, b] = await Promise.all([labNode(lab, lan.hosts[0], 'a', ['--topic', 'team']), labNode(lab, lan.hosts[1], 'b', ['--topic', 'team'])])
  await a.waitPeerUp(b.id, 10_000)
  // b's announcements reach a; the quiet node's would have come in the same early rounds (0, 1, 3 s)
  await b.waitFor(e => e.event === 'discovery' && e.via === 'mdns' && e.linked === 1, 5000, 'b linked by mdns')
  await new Promise(resolve => setTimeout(resolve, 3500))
  a.send('marker')
  await b.waitMessage('marker', 5000)
  t.notOk(a.events.some(e => e.event === 'discovery' && e.via === 'mdns' && e.found > 1), 'a never found more than b')
  t.notOk(quiet.events.some(e => e.event === 'peer-up' || (e.event === 'discovery' && e.via === 'mdns')), 'the --no-mdns node found no one and reported no mdns discovery')
})
