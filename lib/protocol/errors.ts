// Coded errors: every failure a user or a peer can cause carries a stable
// SCREAMING_SNAKE code and a message a person can act on.

export type ErrorCode =
  | 'BAD_ADDRESS'
  | 'BAD_OPTION'
  | 'TEXT_TOO_LONG'
  | 'TEXT_EMPTY'
  | 'BAD_NICK'
  | 'BAD_ROOM'
  | 'FRAME_TOO_LARGE'
  | 'FRAME_INVALID'
  | 'FRAME_TRUNCATED'
  | 'UNKNOWN_FRAME'
  | 'BAD_SIGNATURE'
  | 'VERSION_MISMATCH'
  | 'RATE_LIMITED'
  | 'TOO_MANY_LINKS'
  | 'LINK_TIMEOUT'
  | 'HANDSHAKE_TIMEOUT'
  | 'HANDSHAKE_FAILED'
  | 'HANDSHAKE_LIMIT'
  | 'WIRE_FRAME_TOO_LARGE'
  | 'WIRE_GUARD_UNAVAILABLE'
  | 'SLOW_LINK'
  | 'PENALTY_LIMIT'
  | 'SELF_LINK'
  | 'DUPLICATE_LINK'
  | 'CONNECT_FAILED'
  | 'PEERS_UNREACHABLE'
  | 'MDNS_INVALID'
  | 'LISTEN_FAILED'
  | 'UNKNOWN_COMMAND'
  | 'BAD_COMMAND'
  | 'NODE_CLOSED'
  | 'IDENTITY_INVALID'
  | 'AMBIGUOUS_TARGET'
  | 'UNKNOWN_TARGET'
  | 'NOT_IN_ROOM'
  | 'LAST_ROOM'
  | 'NICK_IN_USE'
  | 'BINARY_INPUT'
  | 'IGNORE_LIST_FULL'
  | 'LINE_TOO_LONG'
  | 'GATEWAY_FULL'
  | 'GATEWAY_IP_FULL'
  | 'GATEWAY_IDLE'
  | 'HISTORY_TORN'
  | 'HISTORY_CORRUPT'
  | 'HISTORY_WRITE_FAILED'
  | 'HISTORY_BEHIND'
  | 'DATA_DIR_UNSAFE'
  | 'DATA_DIR_IN_USE'
  | 'LISTEN_PORT_MOVED'
  | 'DHT_UNREACHABLE'
  | 'TIME_SKEW'
  | 'EXPIRED'
  | 'TOO_OLD'
  | 'AUTHOR_RATE'
  | 'LINK_MESSAGE_RATE'
  | 'NEW_AUTHOR_LIMIT'
  | 'NEW_AUTHOR_BURST'
  | 'NEW_AUTHOR_HOLD_FULL'
  | 'SYNC_FLOOD'
  | 'SYNC_USELESS'
  | 'SYNC_UNSOLICITED'
  | 'ROSTER_LIMIT'
  | 'GRAFT_FLOOD'
  | 'BANNED'
  | 'FRONTEND_ERROR'
  | 'PRIVATE_INVALID'
  | 'PRIVATE_FORGED'
  | 'PRIVATE_REPLAY'
  | 'PRIVATE_STALE'
  | 'PEX_LIMIT'
  | 'GUEST_LIMIT'
  | 'GUEST_BATCH_INVALID'

/**
 * A peer's fault as a plain value: what a link is penalised for. Refusals
 * come by the thousand under attack, so they carry no stack trace (a
 * MeshError is one too, structurally).
 */
export interface PeerFault { readonly code: ErrorCode; readonly message: string }

export class MeshError extends Error {
  readonly code: ErrorCode
  /** What was wrong, without naming the value (for callers that name it themselves, like option errors). */
  readonly reason: string
  constructor (code: ErrorCode, message: string, reason: string = message) {
    super(message)
    this.name = 'MeshError'
    this.code = code
    this.reason = reason
  }

  static frameTooLarge (size: number, max: number): MeshError {
    return new MeshError('FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the ${max} byte limit`)
  }

  static frameInvalid (why: string): MeshError {
    return new MeshError('FRAME_INVALID', `invalid frame: ${why}`)
  }

  static textTooLong (size: number, max: number): MeshError {
    return new MeshError('TEXT_TOO_LONG', `message of ${size} bytes is over the ${max} byte limit; nothing was sent`)
  }

  static badAddress (value: string, why: string): MeshError {
    return new MeshError('BAD_ADDRESS', `invalid address '${value}': ${why} (expected host:port)`, `${why} (expected host:port)`)
  }
}

export function errorCode (err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code
  return 'ERROR'
}

export function errorMessage (err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
