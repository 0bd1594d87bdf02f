// Why swarm peers that discovery found never linked. hyperswarm retries failed
// connections silently; this book keeps the last failure of each peer (from
// hyperdht's error codes, or a link closed before the far node greeted) and
// turns them into a reason a person can act on, for the discovery report
// ("found 2, linked 0") and its fault line.

/** Fewest DHT nodes hyperdht needs answering to learn this node's NAT type (measured; see dht-node.ts). */
export const MIN_DHT_NODES_TO_PUNCH = 3
/** Most peers whose last failure is remembered; the oldest is forgotten first. */
export const MAX_REMEMBERED_FAILURES = 1024

/** hyperdht error codes of a failed connect, in words. */
const REASONS: Record<string, string> = {
  HOLEPUNCH_ABORTED: 'hole punch aborted: a hard NAT (a new port per destination) on one or both sides, or UDP blocked between you; link through a reachable node with --peer',
  REMOTE_ABORTED: 'hole punch aborted by the peer',
  HOLEPUNCH_PROBE_TIMEOUT: 'hole punch probe timed out: a NAT type could not be learnt',
  HOLEPUNCH_DOUBLE_RANDOMIZED_NATS: 'both sides are behind hard NATs (a new port per destination): hole punching cannot work; link to a reachable node with --peer',
  CANNOT_HOLEPUNCH: 'hole punching cannot work between these two NATs',
  REMOTE_NOT_HOLEPUNCHABLE: 'the peer\'s NAT cannot be hole-punched',
  REMOTE_NOT_HOLEPUNCHING: 'the peer did not take part in the hole punch',
  PEER_CONNECTION_FAILED: 'the peer did not answer through the DHT',
  PEER_NOT_FOUND: 'the peer is no longer announced on the DHT',
  HANDSHAKE_UNFINISHED: 'the encrypted handshake did not finish',
  CONNECTION_TIMEOUT: 'the connection timed out'
}

const PUNCH_CODES = new Set(['HOLEPUNCH_ABORTED', 'REMOTE_ABORTED', 'HOLEPUNCH_PROBE_TIMEOUT'])

/**
 * A failed connect in words. dhtNodes: how many DHT nodes this node knows; a
 * punch aborted with fewer than MIN_DHT_NODES_TO_PUNCH says that is the cause.
 */
export function connectFailureReason (code: string | undefined, message: string, dhtNodes: number): string {
  const base = (code && REASONS[code]) ?? `connection failed: ${code ?? message}`
  if (code && PUNCH_CODES.has(code) && dhtNodes < MIN_DHT_NODES_TO_PUNCH) {
    return `${base.replace(/:.*/, '')}: the DHT knows too few nodes (${dhtNodes}) to learn your NAT type; run \`meshchat dht\` with --nodes ${MIN_DHT_NODES_TO_PUNCH} or more`
  }
  return base
}

export interface FailureSummary { failed: number; reason: string | null }

export class FailureBook {
  private readonly last = new Map<string, string>()

  /** Remembers why the peer (hex key) could not be reached. */
  record (peer: string, reason: string): void {
    this.last.delete(peer)
    this.last.set(peer, reason)
    if (this.last.size > MAX_REMEMBERED_FAILURES) this.last.delete(this.last.keys().next().value as string)
  }

  /** The peer linked: its failures are history. */
  clear (peer: string): void { this.last.delete(peer) }

  /** Of these found-but-unlinked peers, how many failed, and the latest reason. */
  among (unlinked: Iterable<string>): FailureSummary {
    let failed = 0
    let reason: string | null = null
    let newest = -1
    const order = [...this.last.keys()]
    for (const peer of unlinked) {
      const r = this.last.get(peer)
      if (r === undefined) continue
      failed++
      const at = order.indexOf(peer)
      if (at > newest) { newest = at; reason = r }
    }
    return { failed, reason }
  }
}
