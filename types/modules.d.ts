// Minimal declarations for the untyped holepunch modules meshchat uses.
declare module 'sodium-universal' {
  export const crypto_sign_PUBLICKEYBYTES: number
  export const crypto_sign_SECRETKEYBYTES: number
  export const crypto_sign_BYTES: number
  export const crypto_generichash_BYTES: number
  export const crypto_box_SEALBYTES: number
  export const crypto_box_PUBLICKEYBYTES: number
  export const crypto_box_SECRETKEYBYTES: number
  export function crypto_sign_keypair(pk: Uint8Array, sk: Uint8Array): void
  export function crypto_sign_detached(sig: Uint8Array, m: Uint8Array, sk: Uint8Array): void
  export function crypto_sign_verify_detached(sig: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean
  export function crypto_generichash(out: Uint8Array, m: Uint8Array, key?: Uint8Array): void
  export function crypto_sign_ed25519_pk_to_curve25519(out: Uint8Array, pk: Uint8Array): void
  export function crypto_sign_ed25519_sk_to_curve25519(out: Uint8Array, sk: Uint8Array): void
  export function crypto_box_seal(c: Uint8Array, m: Uint8Array, pk: Uint8Array): void
  export function crypto_box_seal_open(m: Uint8Array, c: Uint8Array, pk: Uint8Array, sk: Uint8Array): boolean
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
  interface DHTOptions {
    bootstrap?: Array<string | { host: string; port: number }>
    host?: string
    port?: number
    ephemeral?: boolean
    firewalled?: boolean
    keyPair?: { publicKey: Buffer; secretKey: Buffer }
  }
  class DHT extends EventEmitter {
    constructor(opts?: DHTOptions)
    static keyPair(seed?: Buffer): { publicKey: Buffer; secretKey: Buffer }
    ready(): Promise<void>
    fullyBootstrapped(): Promise<void>
    address(): { host: string; port: number }
    destroy(opts?: { force?: boolean }): Promise<void>
    readonly destroyed: boolean
  }
  export = DHT
}

declare module 'hyperswarm' {
  import { EventEmitter } from 'events'
  interface Discovery {
    flushed(): Promise<void>
    refresh(opts?: { client?: boolean; server?: boolean }): Promise<void>
    destroy(): Promise<void>
  }
  interface PeerInfo { publicKey: Buffer; topics: Buffer[]; client: boolean }
  class Hyperswarm extends EventEmitter {
    constructor(opts?: { keyPair?: { publicKey: Buffer; secretKey: Buffer }; dht?: unknown; bootstrap?: unknown; maxPeers?: number; firewall?: (remotePublicKey: Buffer) => boolean })
    readonly keyPair: { publicKey: Buffer; secretKey: Buffer }
    readonly dht: any
    readonly connections: Set<any>
    join(topic: Buffer, opts?: { client?: boolean; server?: boolean }): Discovery
    leave(topic: Buffer): Promise<void>
    flush(): Promise<void>
    destroy(): Promise<void>
  }
  export = Hyperswarm
}
