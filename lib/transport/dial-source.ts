// The source address of an outbound TCP link: the --listen host when it is a
// specific address that can reach the destination, so the peer sees the
// connection come from the address this node listens on (and a per-address
// cap at the peer counts it as that address).
import net from 'net'
import { isWildcardHost } from '../protocol/address'

function isLoopback (host: string): boolean {
  return host === '::1' || (net.isIPv4(host) && host.startsWith('127.'))
}

/** localAddress for a dial from listenHost to destHost, or undefined to let the OS choose. */
export function dialSource (listenHost: string, destHost: string): string | undefined {
  if (isWildcardHost(listenHost)) return undefined
  const family = net.isIP(listenHost)
  if (family === 0 || net.isIP(destHost) !== family) return undefined
  // A loopback source cannot reach another machine.
  if (isLoopback(listenHost) && !isLoopback(destHost)) return undefined
  return listenHost
}
