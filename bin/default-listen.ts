// The default listen address gives way: without --listen, a second node on
// the same machine (the README's examples run twice) finds 8081 taken and
// listens on a free port instead, saying so. An explicit --listen never moves.
import net from 'net'
import type { HostPort } from '../lib/protocol/address'
import { formatAddress } from '../lib/protocol/address'

/** Whether `host:port` is bound by someone else right now (EADDRINUSE); any other outcome is "not busy". */
export function portBusy (host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const probe = net.createServer()
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'))
    probe.listen(port, host, () => probe.close(() => resolve(false)))
  })
}

export interface ListenChoice {
  listen: HostPort
  /** Set when the default port was busy: the line that says where the node listens instead is written once bound. */
  movedFrom: string | null
}

/** The address to bind: the given one, or for a busy default port the same host with port 0 (a free port). */
export async function chooseListen (listen: HostPort, given: boolean): Promise<ListenChoice> {
  if (given || listen.port === 0 || !(await portBusy(listen.host, listen.port))) return { listen, movedFrom: null }
  return { listen: { ...listen, port: 0 }, movedFrom: formatAddress(listen.host, listen.port) }
}

/** The one line that says the default port gave way. */
export function movedMessage (from: string, to: string): string {
  return `${from} is in use (another meshchat on this machine?); listening on ${to} instead (give --listen to choose)`
}
