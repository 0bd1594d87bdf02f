// The wire length guard for swarm connections. hyperdht hands a connection
// over as a secret-stream whose handshake is already done (and whose parser
// may be inside a message), so the guard starts where secret-stream's own
// parser stands (secret-stream-position.ts) and wraps the 'data' events of
// the connection's raw UDX stream, as guardSocket does for a TCP socket. An
// announced length over the limit destroys the connection before
// secret-stream sees the chunk, so no buffer of that size is allocated.
import { MeshError } from '../protocol/errors'
import { guardDataEvents, wireTooLarge, WireLengthGuard, MAX_WIRE_MESSAGE_BYTES, type DataEmitter } from './wire-guard'
import { secretStreamPosition } from './secret-stream-position'

export interface SwarmWireStats {
  /** Connections a guard was put in front of. */
  guarded: number
  /** Connections closed for announcing a message over the limit. */
  oversize: number
  /** Connections left without a guard because secret-stream's parser could not be read. */
  unguarded: number
}

/** A connection as hyperswarm hands it over: a secret-stream with its raw stream. */
export interface GuardableConnection {
  readonly rawStream: unknown
  destroy (err?: Error): void
}

/** Guards every swarm connection of one transport; reports through onFault. */
export class SwarmWireGuard {
  readonly stats: SwarmWireStats = { guarded: 0, oversize: 0, unguarded: 0 }
  private unavailableReported = false

  constructor (private readonly onFault: (err: MeshError) => void, readonly maxBytes = MAX_WIRE_MESSAGE_BYTES) {}

  /**
   * Puts a guard in front of conn's raw stream, in step with conn's parser.
   * 'unguarded': conn is left as it is, working, because its parser state or
   * raw stream is not what this code knows; the first such connection is
   * reported (WIRE_GUARD_UNAVAILABLE), later ones are only counted.
   * 'tripped': conn was already inside a message over the limit and is
   * destroyed.
   */
  attach (conn: GuardableConnection, what: string): 'guarded' | 'unguarded' | 'tripped' {
    const raw = conn.rawStream as Partial<DataEmitter> | null | undefined
    const position = secretStreamPosition(conn)
    if (typeof position === 'string') return this.unavailable(`secret-stream's parser state is not readable (${position})`)
    if (typeof raw?.emit !== 'function') return this.unavailable('the connection has no raw stream emitting data')
    const guard = new WireLengthGuard(this.maxBytes, position)
    const trip = (announced: number) => {
      this.stats.oversize++
      const err = wireTooLarge(what, announced, this.maxBytes)
      conn.destroy(err)
      this.onFault(err)
    }
    this.stats.guarded++
    if (guard.tripped >= 0) { trip(guard.tripped); return 'tripped' }
    guardDataEvents(raw as DataEmitter, guard, trip)
    return 'guarded'
  }

  private unavailable (why: string): 'unguarded' {
    this.stats.unguarded++
    if (!this.unavailableReported) {
      this.unavailableReported = true
      this.onFault(new MeshError('WIRE_GUARD_UNAVAILABLE', `swarm links run without the wire length guard: ${why}; ` +
        'is the installed @hyperswarm/secret-stream another version than meshchat was built against?'))
    }
    return 'unguarded'
  }
}
