#!/usr/bin/env node
// meshchat: parse the command line, build a node and its transport, pick a
// front end, and own the exit codes (0 quit, 1 cannot start, 2 bad options).
import { buildProgram, toConfig, type Config } from './options'
import { failer, parseOrExit, type Fail } from './exit'
import { MeshNode } from '../lib/core/node'
import { DEFAULT_HISTORY_SIZE } from '../lib/core/history'
import { TcpTransport } from '../lib/transport/tcp'
import { closeWithin, CLOSE_FALLBACK_MS } from '../lib/transport/close'
import { FaultThrottle } from '../lib/transport/fault-throttle'
import type { SwarmTransport } from '../lib/transport/swarm'
import type { MdnsDiscovery } from '../lib/transport/mdns-discovery'
import { loadOrCreateIdentity } from '../lib/store/identity'
import { prepareDataDir } from '../lib/store/data-dir'
import { lockDataDir } from '../lib/store/data-lock'
import { floodId } from '../lib/protocol/envelope'
import { chooseListen, movedMessage } from './default-listen'
import { openNodeHistory, type LoadedNodeHistory } from '../lib/store/open-history'
import type { HistoryStore } from '../lib/core/types'
import { FileNickBook } from '../lib/store/nick-book'
import { Headless } from '../lib/ui/headless'
import { AnchorLog } from '../lib/ui/anchor-log'
import { TextGateway } from '../lib/gateway/text-gateway'
import { MeshError, errorMessage } from '../lib/protocol/errors'
import { parseAddress } from '../lib/protocol/address'

const fail: Fail = failer('meshchat')

/** On /quit, SIGINT or SIGTERM: how long the signed goodbye may take to leave before the links close. */
export const QUIT_FLUSH_MS = 300

function parseArgs (argv: string[]): Config {
  const program = buildProgram()
  parseOrExit(program, argv, fail)
  try {
    return toConfig(program.opts(), program.getOptionValueSource('listen') !== 'default')
  } catch (err) {
    fail(2, errorMessage(err))
  }
}

async function main (): Promise<void> {
  const config = parseArgs(process.argv)
  let keyPair
  try {
    // Created 0700 if missing; refused (DATA_DIR_UNSAFE) if others can write to it.
    prepareDataDir(config.dataDir)
    // One process per data directory (one identity): a second one exits 1 with DATA_DIR_IN_USE.
    lockDataDir(config.dataDir)
    keyPair = loadOrCreateIdentity(config.dataDir).keyPair
  } catch (err) {
    fail(1, errorMessage(err))
  }
  const nickBook = new FileNickBook(config.dataDir)
  const build = (historyStore?: HistoryStore) => new MeshNode({
    historyStore, keyPair, nick: config.nick, rooms: config.rooms, nickBook, ttl: config.ttl, pex: config.pex,
    minLinks: config.minLinks, maxLinks: config.maxLinks, ratePerSecond: config.ratePerSecond,
    rateBurst: config.rateBurst, authorRate: config.authorRate, authorBurst: config.authorBurst, linkMessageRate: config.linkMessageRate, linkMessageBurst: config.linkMessageBurst, timing: config.timing, anchor: config.anchor
  })
  let node!: MeshNode
  let history: LoadedNodeHistory | null = null
  try {
    if (config.history) {
      history = openNodeHistory(config.dataDir, DEFAULT_HISTORY_SIZE * Math.max(1, config.rooms.length), build)
      node = history.node
    } else {
      node = build()
    }
  } catch (err) {
    fail(1, errorMessage(err))
  }
  // Transport faults (refused or failed handshakes, oversized messages) are
  // caused by strangers: one line per code per few seconds, with a count.
  const faults = new FaultThrottle((code, message) => node.reportFault(code, message))
  const { listen, movedFrom } = await chooseListen(config.listen, config.listenGiven)
  const tcp = new TcpTransport({
    keyPair, host: listen.host, port: listen.port,
    handshakeTimeoutMs: node.timing.helloTimeoutMs,
    onLink: link => node.addLink(link),
    onFault: err => faults.report(err)
  })
  try {
    node.setListenAddress(await tcp.listen())
  } catch (err) {
    fail(1, errorMessage(err))
  }
  node.setDialer(address => tcp.dial(address))
  for (const p of config.peers) node.addPeer(p)
  const gateway = config.textListen && new TextGateway({
    node, host: config.textListen.host, port: config.textListen.port,
    ratePerSecond: config.gatewayRate, rateBurst: config.gatewayBurst, limits: config.gatewayLimits
  })
  if (gateway) await gateway.listen().catch(err => fail(1, errorMessage(err)))
  // The IRC face (--irc-listen) loads only when asked for; QUIT from a client detaches that client, never stops the node.
  const irc = config.ircListen.length > 0
    ? new (require('../lib/irc/server') as typeof import('../lib/irc/server')).IrcFace({
      node, listen: config.ircListen, password: config.ircPassword, serverName: config.ircServerName
    })
    : null
  const ircAddresses = irc ? await irc.listen().catch(err => fail(1, errorMessage(err))) : []
  const moved = movedFrom && movedMessage(movedFrom, node.listenAddress)

  let swarm: SwarmTransport | null = null
  let lan: MdnsDiscovery | null = null
  let closing = false
  /** `reason`: what stopped the node (the anchor log says it); `message`: the user's goodbye from /quit. */
  const shutdown = async (status: number, reason = 'quit', message?: string) => {
    if (closing) return
    closing = true
    if (front instanceof AnchorLog) front.stop(reason)
    else front.stop()
    faults.close()
    // Say goodbye to every room first (signed, flooded), then give it a bounded moment on the wire.
    node.quit(message)
    if (node.linkCount > 0) await new Promise(resolve => setTimeout(resolve, QUIT_FLUSH_MS))
    if (gateway) await closeWithin(() => gateway.close(), CLOSE_FALLBACK_MS)
    if (irc) await closeWithin(() => irc.close(), CLOSE_FALLBACK_MS)
    await node.close()
    nickBook.flush()
    lan?.close()
    if (swarm) await swarm.close()
    if (history) await history.store.close()
    await tcp.close()
    process.exit(status)
  }
  // The terminal view needs a real terminal on both ends; otherwise (pipes, TERM=dumb) run headless, and say why.
  const terminal = !config.headless && !config.anchor && !!process.stdout.isTTY && !!process.stdin.isTTY && process.env.TERM !== 'dumb'
  if (!terminal && !config.headless && !config.anchor) process.stderr.write(`meshchat: ${headlessReason()}: running headless (JSON lines on stdout, commands on stdin); --headless makes this explicit\n`)
  // Where the default port gave way: a line in the terminal view, else on stderr (stdout is for JSON or the log).
  if (moved && !terminal) process.stderr.write(`meshchat: ${moved}\n`)
  const front = config.anchor && !config.headless
    ? new AnchorLog({
      node, output: process.stdout, textListen: gateway ? gateway.address : undefined, guests: gateway || undefined,
      // What the history file already holds is never logged again when sync brings it.
      knownIds: history ? node.historyFrames().map(f => floodId(f).toString('hex')) : [],
      maxQueuedBytes: config.outputQueueBytes
    })
    : terminal
      ? loadTerminalView()({ node, dataDir: config.dataDir, onQuit: (message?: string) => { void shutdown(0, 'quit', message) } })
      : new Headless({ node, input: process.stdin, output: process.stdout, onQuit: message => { void shutdown(0, 'quit', message) }, ready: irc ? { irc: ircAddresses[0], ircListen: ircAddresses } : undefined, maxQueuedBytes: config.outputQueueBytes })
  process.stdout.on('error', () => { void shutdown(0, 'stdout closed') })
  process.on('SIGINT', () => { void shutdown(0, 'SIGINT') })
  process.on('SIGTERM', () => { void shutdown(0, 'SIGTERM') })
  node.start()
  front.start()
  if (moved && terminal) node.reportFault('LISTEN_PORT_MOVED', moved)
  if (config.topics.length > 0) {
    const { SwarmTransport } = require('../lib/transport/swarm') as typeof import('../lib/transport/swarm')
    swarm = new SwarmTransport({
      keyPair, host: config.listen.host, bootstrap: config.bootstrap ?? undefined, maxPeers: config.maxLinks, timing: config.swarmTiming,
      onLink: link => { node.addLink(link) },
      onDiscovery: d => node.reportDiscovery(d),
      onFault: err => faults.report(err)
    })
    for (const topic of config.topics) void swarm.join(topic)
    if (config.mdns) lan = startMdns(node, tcp, keyPair.publicKey.toString('hex'), faults)
    for (const topic of config.topics) lan?.join(topic)
    // A node on the DHT also looks up every room it /joins later (on the LAN too).
    node.on('rooms', (rooms: string[]) => { for (const r of rooms) { void swarm?.join(r).catch(() => {}); lan?.join(r) } })
  }
  if (history?.report) node.reportFault(history.report.code, history.report.message)
  if (gateway && front instanceof Headless) front.write({ event: 'text-listen', listen: gateway.address })
}

/** Why there is no terminal view although none of --headless and --anchor was given. */
function headlessReason (): string {
  if (process.env.TERM === 'dumb') return 'TERM=dumb'
  if (!process.stdout.isTTY) return 'stdout is not a terminal'
  return 'stdin is not a terminal'
}

/** LAN discovery by mDNS: found peers are dialled over TCP and must prove the key they announced. */
function startMdns (node: MeshNode, tcp: TcpTransport, key: string, faults: FaultThrottle): MdnsDiscovery {
  const { MdnsDiscovery } = require('../lib/transport/mdns-discovery') as typeof import('../lib/transport/mdns-discovery')
  const lan = new MdnsDiscovery({
    key,
    host: parseAddress(node.listenAddress).host,
    port: parseAddress(node.listenAddress).port,
    isLinked: peer => node.peers().some(p => p.peer === peer),
    dial: async (peer, address) => {
      const link = await tcp.dial(address)
      link.found = 'mdns'
      if (link.remotePublicKey.toString('hex') !== peer) {
        link.destroy()
        throw new MeshError('CONNECT_FAILED', `${address} answered with another key than it announced`)
      }
      if (!node.addLink(link, address)) throw new MeshError('CONNECT_FAILED', `the link to ${address} was refused`)
    },
    onDiscovery: d => node.reportDiscovery(d),
    onFault: err => faults.report(err)
  })
  node.on('peer-up', () => lan.reportAll())
  node.on('peer-down', () => lan.reportAll())
  return lan
}

// The terminal view (blessed), the swarm (hyperswarm) and `dht` load only
// when used: a headless node starts faster and smaller without them.
function loadTerminalView (): typeof import('../lib/ui/tui').createTerminalView {
  return (require('../lib/ui/tui') as typeof import('../lib/ui/tui')).createTerminalView
}

if (process.argv[2] === 'dht') (require('./dht') as typeof import('./dht')).runDht([...process.argv.slice(0, 2), ...process.argv.slice(3)]).catch((err) => fail(1, errorMessage(err)))
else main().catch((err) => fail(1, errorMessage(err)))
