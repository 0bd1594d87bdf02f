// Minimal declarations for the untyped holepunch modules meshchat uses.
declare module 'sodium-universal' {
  export const crypto_sign_PUBLICKEYBYTES: number
  export const crypto_sign_SECRETKEYBYTES: number
  export const crypto_sign_BYTES: number
  export const crypto_generichash_BYTES: number
  export const crypto_box_SEALBYTES: number
  export const crypto_box_PUBLICKEYBYTES: number
  export const crypto_box_SECRETKEYBYTES: number
  export const crypto_box_NONCEBYTES: number
  export const crypto_box_MACBYTES: number
  export function crypto_sign_keypair(pk: Uint8Array, sk: Uint8Array): void
  export function crypto_sign_seed_keypair(pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void
  export function crypto_sign_detached(sig: Uint8Array, m: Uint8Array, sk: Uint8Array): void
  export function crypto_sign_verify_detached(sig: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean
  export function crypto_generichash(out: Uint8Array, m: Uint8Array, key?: Uint8Array): void
  export function crypto_sign_ed25519_pk_to_curve25519(out: Uint8Array, pk: Uint8Array): void
  export function crypto_sign_ed25519_sk_to_curve25519(out: Uint8Array, sk: Uint8Array): void
  export function crypto_box_seal(c: Uint8Array, m: Uint8Array, pk: Uint8Array): void
  export function crypto_box_seal_open(m: Uint8Array, c: Uint8Array, pk: Uint8Array, sk: Uint8Array): boolean
  export function crypto_box_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, pk: Uint8Array, sk: Uint8Array): void
  export function crypto_box_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, pk: Uint8Array, sk: Uint8Array): boolean
  export function randombytes_buf(buf: Uint8Array): void
}

declare module '@hyperswarm/secret-stream' {
  import { Duplex } from 'stream'
  interface KeyPair { publicKey: Buffer; secretKey: Buffer }
  class SecretStream extends Duplex {
    constructor(isInitiator: boolean, rawStream?: unknown, opts?: { keyPair?: KeyPair; remotePublicKey?: Buffer })
    readonly isInitiator: boolean
    readonly publicKey: Buffer
    readonly remotePublicKey: Buffer | null
    readonly rawStream: any
    readonly rawBytesWritten: number
    setTimeout(ms: number): void
    setKeepAlive(ms: number): void
  }
  export = SecretStream
}

declare module 'hyperdht' {
  import { EventEmitter } from 'events'
  type Node = string | { host: string; port: number }
  interface DHTOptions {
    bootstrap?: Node[]
    host?: string
    /** A port, or a range [start, end) tried in order; port 0 asks the OS for a free one. */
    port?: number | [number, number]
    anyPort?: boolean
    ephemeral?: boolean
    firewalled?: boolean
    keyPair?: { publicKey: Buffer; secretKey: Buffer }
  }
  class DHT extends EventEmitter {
    constructor(opts?: DHTOptions)
    static keyPair(seed?: Buffer): { publicKey: Buffer; secretKey: Buffer }
    /** A persistent node that needs no other node: the first node of a private DHT. */
    static bootstrapper(port: number, host: string, opts?: DHTOptions): DHT
    ready(): Promise<void>
    fullyBootstrapped(): Promise<void>
    address(): { host: string; port: number }
    destroy(opts?: { force?: boolean }): Promise<void>
    readonly destroyed: boolean
    readonly bootstrapped: boolean
    readonly ephemeral: boolean
    readonly firewalled: boolean
    readonly stats: { requests: { total: number; responses: number; timeouts: number } }
  }
  export = DHT
}

declare module 'hyperdht/testnet' {
  import DHT = require('hyperdht')
  interface Testnet {
    nodes: DHT[]
    bootstrap: Array<{ host: string; port: number }>
    createNode(opts?: object): DHT
    destroy(): Promise<void>
  }
  function createTestnet(size?: number, opts?: { host?: string; port?: number; bootstrap?: Array<{ host: string; port: number }> }): Promise<Testnet>
  export = createTestnet
}

declare module 'hyperswarm' {
  import { EventEmitter } from 'events'
  import SecretStream = require('@hyperswarm/secret-stream')
  /** One join of a topic; refresh and flushed resolve false when the DHT query failed. */
  interface PeerDiscoverySession {
    flushed(): Promise<boolean>
    refresh(opts?: { client?: boolean; server?: boolean }): Promise<boolean>
    destroy(): Promise<void>
  }
  interface PeerInfo { publicKey: Buffer; topics: Buffer[]; client: boolean; banned: boolean }
  /** A swarm connection: a secret-stream over a UDX stream. */
  type SwarmConnection = SecretStream & { rawStream: { remoteHost: string | null; remotePort: number } | null }
  class Hyperswarm extends EventEmitter {
    constructor(opts?: { keyPair?: { publicKey: Buffer; secretKey: Buffer }; dht?: unknown; bootstrap?: unknown; maxPeers?: number; firewall?: (remotePublicKey: Buffer) => boolean })
    readonly keyPair: { publicKey: Buffer; secretKey: Buffer }
    readonly dht: any
    readonly connections: Set<SwarmConnection>
    /** Peers found by lookups or that connected, by hex key. */
    readonly peers: Map<string, PeerInfo>
    readonly destroyed: boolean
    join(topic: Buffer, opts?: { client?: boolean; server?: boolean }): PeerDiscoverySession
    leave(topic: Buffer): Promise<void>
    flush(): Promise<void>
    destroy(opts?: { force?: boolean }): Promise<void>
    on(event: 'connection', fn: (conn: SwarmConnection, info: PeerInfo) => void): this
    on(event: string, fn: (...args: any[]) => void): this
  }
  namespace Hyperswarm { export { SwarmConnection, PeerInfo, PeerDiscoverySession } }
  export = Hyperswarm
}

declare module 'multicast-dns' {
  import { EventEmitter } from 'events'
  interface Answer { name: string; type: string; ttl?: number; data: unknown }
  interface Packet { type: 'query' | 'response'; questions?: Array<{ name: string; type: string }>; answers?: Answer[] }
  interface RemoteInfo { address: string; port: number }
  interface MulticastDns extends EventEmitter {
    query (q: { questions: Array<{ name: string; type: string }> }, cb?: (err?: Error) => void): void
    respond (r: { answers: Answer[] }, cb?: (err?: Error) => void): void
    destroy (cb?: () => void): void
    on (event: 'query' | 'response', fn: (packet: Packet, rinfo: RemoteInfo) => void): this
    on (event: 'error' | 'warning', fn: (err: Error) => void): this
    on (event: 'ready', fn: () => void): this
  }
  function mdns (opts?: { interface?: string; bind?: string; port?: number; reuseAddr?: boolean; loopback?: boolean; ttl?: number }): MulticastDns
  namespace mdns { export { MulticastDns, Packet, RemoteInfo, Answer } }
  export = mdns
}
