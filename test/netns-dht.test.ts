// `meshchat dht` alone on real networks (network namespaces with iptables NAT,
// helpers/netns.ts): peers on two NATed LANs link by UDP hole punch; an easy
// NAT reaches a hard one (--random-fully); a LAN with no router works with a
// DHT on one of its hosts. Needs root; skipped, with the reason, without it.
import { labTest, PUBLIC_HOST } from './helpers/netns'
import { labDht, labNode } from './helpers/lab-nodes'
import type { Proc } from './helpers/proc'

/** Longest an easy-NAT-to-hard-NAT link may take: 1.5-41.2 s measured over 10 runs (README "Across networks"), with room for a slow one. */
const HARD_NAT_LINK_MS = 75_000

async function exchange (a: Proc, b: Proc, tag: string): Promise<void> {
  a.send(`hello from a ${tag}`)
  b.send(`hello from b ${tag}`)
  await b.waitMessage(`hello from a ${tag}`, 5000)
  await a.waitMessage(`hello from b ${tag}`, 5000)
}

labTest('two NATed LANs link through one `meshchat dht` and chat', 30_000, async (t, lab) => {
  const l1 = lab.natLan('a')
  const l2 = lab.natLan('b')
  const dht = await labDht(lab)
  t.ok(dht.addresses.length >= 3, `meshchat dht runs ${dht.addresses.length} nodes by default: ${dht.addresses.join(', ')}`)
  t.equal(new Set(dht.addresses).size, dht.addresses.length, 'every node on its own port')
  const boot = ['--topic', 'lab', '--bootstrap', `${PUBLIC_HOST}:49736`]
  const started = Date.now()
  const [a, b] = await Promise.all([labNode(lab, l1.host, 'a', boot), labNode(lab, l2.host, 'b', boot)])
  const up = await a.waitPeerUp(b.id, 20_000)
  await b.waitPeerUp(a.id, 5000)
  t.comment(`linked across two NATs in ${Date.now() - started} ms`)
  t.equal(up.via, 'swarm', 'the link is a swarm link')
  t.equal(up.remote.split(':')[0], l2.wanIp, `remote: a reached b at its NAT's public address, hole punched (${up.remote})`)
  t.equal(up.listen, `${l2.wanIp}:${b.listen.split(':')[1]}`, `listen: b's advertised 0.0.0.0 port, on the host the link came from (${up.listen})`)
  t.notEqual(up.remote, up.listen, 'the path taken (UDP) is told apart from the advertised TCP listen address')
  const back = await b.waitPeerUp(a.id, 1)
  t.ok([up.found, back.found].includes('dht'), `the dialling side says the DHT found the peer (${up.found}/${back.found})`)
  const peers = (await a.askPeers()).peers
  t.deepEqual(peers.map((p: any) => [p.remote, p.listen]), [[up.remote, up.listen]], '/peers carries remote and listen too')
  await exchange(a, b, 'nat')
  t.equal(b.messages('hello from a nat').length, 1, 'message arrived once')
})

labTest('easy NAT to hard NAT (--random-fully) links through `meshchat dht`', HARD_NAT_LINK_MS + 15_000, async (t, lab) => {
  const l1 = lab.natLan('a')
  const l2 = lab.natLan('c', { hard: true })
  await labDht(lab)
  const boot = ['--topic', 'hard', '--bootstrap', `${PUBLIC_HOST}:49736`]
  const started = Date.now()
  const [a, c] = await Promise.all([labNode(lab, l1.host, 'a', boot), labNode(lab, l2.host, 'c', boot)])
  await a.waitPeerUp(c.id, HARD_NAT_LINK_MS)
  t.comment(`easy NAT to hard NAT linked in ${Date.now() - started} ms`)
  await exchange(a, c, 'hard')
  t.equal(c.messages('hello from a hard').length, 1, 'message arrived once')
})

labTest('a LAN with no router: `meshchat dht` on one host is enough', 20_000, async (t, lab) => {
  const lan = lab.isolatedLan(['i1', 'i2', 'i3'])
  await labDht(lab, { ns: lan.hosts[2], host: lan.ips[2] })
  const boot = ['--topic', 'iso', '--bootstrap', `${lan.ips[2]}:49736`, '--no-mdns']
  const [a, b] = await Promise.all([labNode(lab, lan.hosts[0], 'a', boot), labNode(lab, lan.hosts[1], 'b', boot)])
  const up = await a.waitPeerUp(b.id, 15_000)
  t.equal(up.via, 'swarm', 'linked through the DHT (mDNS is off)')
  await exchange(a, b, 'iso')
  t.equal(b.messages('hello from a iso').length, 1, 'message arrived once')
})
