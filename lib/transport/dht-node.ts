// A DHT bootstrap node for a private hyperswarm network (`meshchat dht`): a
// persistent hyperdht node that needs no other node. Peers pass its address
// to --bootstrap; it stores their topic announcements and answers lookups.
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
 */
export const DEFAULT_DHT_PORT = 49736
/** Longest a DHT node may take to close before it is dropped. */
export const DHT_CLOSE_TIMEOUT_MS = 2000

export interface DhtNode {
  /** `host:port` to give to --bootstrap. */
  readonly address: string
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

/** Starts a bootstrap node on host:port (port 0: a free port). Throws BAD_OPTION or LISTEN_FAILED. */
export async function startDhtNode (host: string, port: number): Promise<DhtNode> {
  if (isWildcardHost(host) || net.isIPv4(host) === false) {
    throw new MeshError('BAD_OPTION', `invalid --listen host '${host}' for a DHT node: give the IPv4 address peers will reach it at, e.g. ${formatAddress(defaultDhtHost(), DEFAULT_DHT_PORT)}`)
  }
  let dht: DHT | null = null
  try {
    const p = port === 0 ? await freeUdpPort(host) : port
    dht = DHT.bootstrapper(p, host, { host })
    await dht.fullyBootstrapped()
    const node = dht
    const address = formatAddress(host, node.address().port)
    return {
      address,
      close: () => closeDht(node)
    }
  } catch (err) {
    if (dht) await closeDht(dht)
    throw new MeshError('LISTEN_FAILED', `cannot run a DHT node on ${formatAddress(host, port)} (UDP): ${errnoText(err)}`)
  }
}

/** Destroys a DHT node, forcing it when a graceful close takes longer than DHT_CLOSE_TIMEOUT_MS. */
export async function closeDht (dht: DHT, timeoutMs = DHT_CLOSE_TIMEOUT_MS): Promise<void> {
  await closeWithin(() => dht.destroy(), timeoutMs, () => dht.destroy({ force: true }))
}
