// The DHT of a private hyperswarm network (`meshchat dht`): several persistent
// hyperdht nodes in one process, on consecutive UDP ports of one address,
// bootstrapped to each other, needing no other node. Peers pass any of their
// addresses to --bootstrap (one is enough: the rest are learnt from it); the
// nodes store topic announcements, answer lookups, and are the >= 3 distinct
// answering nodes hyperdht needs to learn a peer's NAT type before it will
// hole-punch (measured: README "Across networks").
import dgram from 'dgram'
import net from 'net'
import os from 'os'
import DHT from 'hyperdht'
import { MeshError } from '../protocol/errors'
import { closeWithin } from './close'
import { errnoText } from './errno'
import { formatAddress, isWildcardHost } from '../protocol/address'

/**
 * Default port of `meshchat dht`: just below hyperdht's default range
 * (49737-49741), which peers started earlier on the same host may occupy.
 * Further nodes take the ports below it (49735, 49734, ...).
 */
export const DEFAULT_DHT_PORT = 49736
/** Longest a DHT node may take to close before it is dropped. */
export const DHT_CLOSE_TIMEOUT_MS = 2000
/**
 * Nodes `meshchat dht` runs by default. hyperdht samples its public address
 * from up to 4 nodes (`Nat._minSamples`) and decides its NAT type only after 3
 * answers; with fewer every hole punch aborts (HOLEPUNCH_ABORTED). 4 leaves
 * one node of slack.
 */
export const DEFAULT_DHT_NODES = 4
/** Most nodes one `meshchat dht` may run (--nodes). */
export const MAX_DHT_NODES = 16
/** Fewest nodes that let two firewalled peers hole-punch (hyperdht's NAT sampler, measured). */
export const MIN_DHT_NODES_FOR_HOLEPUNCH = 3

export interface DhtNode {
  /** `host:port` of the first node: on its own, enough for --bootstrap. */
  readonly address: string
  /** Every node's `host:port`, first one first. */
  readonly addresses: string[]
  close (): Promise<void>
}

/** The first non-internal IPv4 address of this machine, or 127.0.0.1. */
export function defaultDhtHost (): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return '127.0.0.1'
}

/** Asks the OS for a free UDP port on host. */
function freeUdpPort (host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4')
    socket.once('error', (err) => { socket.close(); reject(err) })
    socket.bind(0, host, () => {
      const port = socket.address().port
      socket.close(() => resolve(port))
    })
  })
}

/** Starts one bootstrap node on host:port (port 0: a free port). Throws BAD_OPTION or LISTEN_FAILED. */
export async function startDhtNode (host: string, port: number): Promise<DhtNode> {
  return startDhtNodes(host, port, 1)
}

/**
 * Starts `count` nodes on host: ports port, port-1, ... (port 0: free ports),
 * each bootstrapped to those before it. Throws BAD_OPTION or LISTEN_FAILED;
 * on failure every node started so far is closed.
 */
export async function startDhtNodes (host: string, port: number, count = DEFAULT_DHT_NODES): Promise<DhtNode> {
  if (isWildcardHost(host) || net.isIPv4(host) === false) {
    throw new MeshError('BAD_OPTION', `invalid --listen host '${host}' for a DHT node: give the IPv4 address peers will reach it at, e.g. ${formatAddress(defaultDhtHost(), DEFAULT_DHT_PORT)}`)
  }
  if (!Number.isInteger(count) || count < 1 || count > MAX_DHT_NODES) {
    throw new MeshError('BAD_OPTION', `invalid --nodes ${count}: give 1 to ${MAX_DHT_NODES}`)
  }
  if (port !== 0 && port - count + 1 < 1) throw new MeshError('BAD_OPTION', `invalid --listen port ${port} for ${count} nodes: they take ports ${port} down to ${port - count + 1}`)
  const nodes: DHT[] = []
  const addresses: string[] = []
  const closeAll = () => Promise.all(nodes.map(n => closeDht(n))).then(() => {})
  let p = port
  try {
    for (let i = 0; i < count; i++) {
      p = port === 0 ? await freeUdpPort(host) : port - i
      const dht = DHT.bootstrapper(p, host, { host, bootstrap: [...addresses] })
      nodes.push(dht)
      await dht.fullyBootstrapped()
      addresses.push(formatAddress(host, dht.address().port))
    }
  } catch (err) {
    await closeAll()
    throw new MeshError('LISTEN_FAILED', `cannot run a DHT node on ${formatAddress(host, p)} (UDP): ${errnoText(err)}`)
  }
  return { address: addresses[0], addresses, close: closeAll }
}

/** Destroys a DHT node, forcing it when a graceful close takes longer than DHT_CLOSE_TIMEOUT_MS. */
export async function closeDht (dht: DHT, timeoutMs = DHT_CLOSE_TIMEOUT_MS): Promise<void> {
  await closeWithin(() => dht.destroy(), timeoutMs, () => dht.destroy({ force: true }))
}
