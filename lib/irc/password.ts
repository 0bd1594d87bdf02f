// The password rule of the IRC face: an address other than loopback needs
// --irc-password, so no one else on the network can speak as this node.
import { MeshError } from '../protocol/errors'
import { formatAddress, type HostPort } from '../protocol/address'

/** Whether a listen host only accepts connections from this machine. */
export function isLoopback (host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost'
}

/** Throws BAD_OPTION when a non-loopback address has no password. */
export function checkPasswordRule (listen: HostPort[], password: string | null | undefined): void {
  const open = listen.find(a => !isLoopback(a.host))
  if (open && !password) throw new MeshError('BAD_OPTION', `--irc-listen ${formatAddress(open.host, open.port)} is reachable from other machines: give --irc-password too`)
}
