// The one seam between the core and the network. A transport hands the node
// links that are already authenticated (the remote public key is known); the
// node exchanges whole frames over them.
import type { EventEmitter } from 'events'

export type Via = 'tcp' | 'swarm' | 'memory'
/** What led to a link: LAN multicast DNS, the DHT, peer exchange, or an address given to this node (--peer, /connect). */
export type Found = 'mdns' | 'dht' | 'pex' | 'peer'

export interface Link extends EventEmitter {
  /** The remote node's ed25519 public key, proven by the transport's handshake. */
  readonly remotePublicKey: Buffer
  /** Where the other end of this connection is, `host:port` (for display and peer exchange). */
  readonly remoteAddress: string
  readonly via: Via
  /** What led to this link, set by whoever dialled it (unset: the peer dialled us). */
  found?: Found
  /** True when this side dialled. */
  readonly initiator: boolean
  /** Bytes queued for sending and not yet handed to the network. */
  readonly bufferedBytes: number
  readonly closed: boolean
  /** Queues one whole frame. */
  send (frame: Buffer): void
  /** Closes the link; emits 'close' once with the error, if any. */
  destroy (err?: Error): void
  // events: 'frame' (frame: Buffer), 'close' (err?: Error)
}

/** Dials an address and resolves with an authenticated link, or rejects with CONNECT_FAILED. */
export type Dialer = (address: string) => Promise<Link>
