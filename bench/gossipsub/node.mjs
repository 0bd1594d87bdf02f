// One js-libp2p gossipsub node for meshchat's `pubsub` benchmark section,
// driven like `meshchat --headless`: JSON lines in on stdin, JSON events out
// on stdout. Listens on 127.0.0.1 only and dials only what it is told to (no
// discovery, no peer exchange), so the graph is the bench's graph.
//
//   node node.mjs [--D 6 --Dlo 4 --Dhi 12 --Dscore 4 --Dout 2 --Dlazy 6]
//   in:  {"cmd":"dial","addr":"/ip4/127.0.0.1/tcp/N/p2p/..."}
//        {"cmd":"publish","text":"..."}   {"cmd":"stats"}   {"cmd":"quit"}
//   out: {"event":"ready","listen":"<multiaddr>","peerId":"..."}
//        {"event":"peer-up","peer":"..."}  {"event":"peer-down","peer":"..."}
//        {"event":"message","text":"...","from":"..."}
//        {"event":"stats","mesh":N,"subscribers":N,"connections":N}
//        {"event":"error","message":"..."}
// Every message is signed (gossipsub's default StrictSign policy).
import readline from 'node:readline'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { multiaddr } from '@multiformats/multiaddr'

/** The one topic every node joins. */
export const TOPIC = 'meshchat-bench'
/** Mesh parameters that may be set on the command line; unset ones keep gossipsub's defaults. */
const MESH_PARAMS = ['D', 'Dlo', 'Dhi', 'Dscore', 'Dout', 'Dlazy']

function meshOptions (argv) {
  const out = {}
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '')
    const value = Number(argv[i + 1])
    if (!MESH_PARAMS.includes(key) || !Number.isInteger(value) || value < 0) throw new Error(`bad option ${argv[i]} ${argv[i + 1]}`)
    out[key] = value
  }
  return out
}

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const encoder = new TextEncoder()
const decoder = new TextDecoder()

let closing = false

async function main () {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({ ...meshOptions(process.argv.slice(2)), allowPublishToZeroTopicPeers: true })
    }
  })
  const pubsub = node.services.pubsub
  pubsub.subscribe(TOPIC)
  pubsub.addEventListener('message', (evt) => {
    const m = evt.detail
    if (m.topic !== TOPIC) return
    emit({ event: 'message', text: decoder.decode(m.data), from: m.type === 'signed' ? m.from.toString() : null })
  })
  node.addEventListener('connection:open', (evt) => emit({ event: 'peer-up', peer: evt.detail.remotePeer.toString() }))
  node.addEventListener('connection:close', (evt) => { if (!closing) emit({ event: 'peer-down', peer: evt.detail.remotePeer.toString() }) })
  const listen = node.getMultiaddrs().map(String).find(a => a.startsWith('/ip4/127.0.0.1/'))
  if (!listen) throw new Error('not listening on 127.0.0.1')
  emit({ event: 'ready', listen, peerId: node.peerId.toString() })
  const quit = async () => {
    if (closing) return
    closing = true
    const timer = setTimeout(() => process.exit(0), 1000)
    try { await node.stop() } catch {}
    clearTimeout(timer)
    process.exit(0)
  }
  process.on('SIGTERM', quit)
  process.stdin.on('end', quit)
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    let c
    try { c = JSON.parse(line) } catch { emit({ event: 'error', message: 'not JSON' }); return }
    if (c.cmd === 'dial') {
      let addr
      try { addr = multiaddr(String(c.addr)) } catch (err) { emit({ event: 'error', message: `dial: ${err.message}` }); return }
      if (!addr.toString().startsWith('/ip4/127.0.0.1/')) { emit({ event: 'error', message: 'refusing a non-loopback address' }); return }
      node.dial(addr).catch(err => emit({ event: 'error', message: `dial: ${err.message}` }))
    } else if (c.cmd === 'publish') {
      pubsub.publish(TOPIC, encoder.encode(String(c.text))).catch(err => emit({ event: 'error', message: `publish: ${err.message}` }))
    } else if (c.cmd === 'stats') {
      emit({ event: 'stats', mesh: pubsub.getMeshPeers(TOPIC).length, subscribers: pubsub.getSubscribers(TOPIC).length, connections: node.getConnections().length })
    } else if (c.cmd === 'quit') {
      quit()
    } else {
      emit({ event: 'error', message: `unknown command ${c.cmd}` })
    }
  })
}

main().catch((err) => {
  process.stderr.write(`gossipsub node: ${err.stack ?? err}\n`)
  process.exit(1)
})
