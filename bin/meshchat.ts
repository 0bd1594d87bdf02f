#!/usr/bin/env node
// meshchat: parse the command line, build a node and its transport, pick a
// front end, and own the exit codes (0 quit, 1 cannot start, 2 bad options).
import { CommanderError } from 'commander'
import { buildProgram, toConfig, type Config } from './options'
import { MeshNode } from '../lib/core/node'
import { TcpTransport } from '../lib/transport/tcp'
import { loadOrCreateIdentity } from '../lib/store/identity'
import { Headless } from '../lib/ui/headless'
import { formatAddress } from '../lib/protocol/address'
import { errorMessage } from '../lib/protocol/errors'

function fail (status: number, message: string): never {
  process.stderr.write(`meshchat: ${message}\n`)
  process.exit(status)
}

function parseArgs (argv: string[]): Config {
  const program = buildProgram()
  program.exitOverride()
  program.configureOutput({ writeErr: () => {}, outputError: () => {} })
  try {
    program.parse(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0)
      fail(2, err.message.replace(/^error: /, ''))
    }
    throw err
  }
  try {
    return toConfig(program.opts())
  } catch (err) {
    fail(2, errorMessage(err))
  }
}

async function main (): Promise<void> {
  const config = parseArgs(process.argv)
  let keyPair
  try {
    keyPair = loadOrCreateIdentity(config.dataDir).keyPair
  } catch (err) {
    fail(1, errorMessage(err))
  }
  const node = new MeshNode({
    keyPair, nick: config.nick, rooms: [config.room], ttl: config.ttl, pex: config.pex,
    minLinks: config.minLinks, maxLinks: config.maxLinks, ratePerSecond: config.ratePerSecond,
    rateBurst: config.rateBurst, timing: config.timing
  })
  const tcp = new TcpTransport({
    keyPair, host: config.listen.host, port: config.listen.port,
    handshakeTimeoutMs: node.timing.helloTimeoutMs,
    onLink: link => node.addLink(link),
    onError: () => {}
  })
  try {
    node.setListenAddress(await tcp.listen())
  } catch (err) {
    fail(1, errorMessage(err))
  }
  node.setDialer(address => tcp.dial(address))
  for (const p of config.peers) node.addPeer(p)

  let closing = false
  const shutdown = async (status: number) => {
    if (closing) return
    closing = true
    front.stop()
    await node.close()
    await Promise.race([tcp.close(), new Promise(resolve => setTimeout(resolve, 1000))])
    process.exit(status)
  }
  if (!config.headless && process.stdout.isTTY) {
    process.stderr.write('meshchat: the terminal view is not built yet; running headless\n')
  }
  const front = new Headless({ node, input: process.stdin, output: process.stdout, onQuit: () => { void shutdown(0) } })
  process.stdout.on('error', () => { void shutdown(0) })
  process.on('SIGINT', () => { void shutdown(0) })
  process.on('SIGTERM', () => { void shutdown(0) })
  node.start()
  front.start()
  void formatAddress
}

main().catch((err) => fail(1, errorMessage(err)))
