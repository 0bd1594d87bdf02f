import type { ErrorCode } from '../protocol/errors'
// Limits of the plain-text line gateway, named once. Tests shrink some of
// them through the hidden --gateway-limits option.

/** Plain clients one gateway serves at once; one more gets an error line and is closed. */
export const MAX_GATEWAY_CLIENTS = 256
/** Bytes queued for one client that is not reading; past this it is dropped. */
export const MAX_CLIENT_QUEUED_BYTES = 1024 * 1024
/** Longest unfinished line held for a client; a longer one is refused and skipped to its newline. */
export const MAX_LINE_BUFFER_BYTES = 16 * 1024
/** Lines a second one client may post (the gateway stops reading from it while over). */
export const DEFAULT_GATEWAY_RATE = 500
/** Lines a client may post at once before the rate applies. */
export const DEFAULT_GATEWAY_BURST = 500
/** Longest the gateway waits before it looks at a rate-limited client again. */
export const MAX_RATE_PAUSE_MS = 1000

export interface GatewayLimits {
  maxClients: number
  maxQueuedBytes: number
  maxLineBytes: number
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxClients: MAX_GATEWAY_CLIENTS,
  maxQueuedBytes: MAX_CLIENT_QUEUED_BYTES,
  maxLineBytes: MAX_LINE_BUFFER_BYTES
}

/** Stable codes of the error lines a plain client can get (all listed in protocol/errors.ts). */
export type GatewayErrorCode = Extract<ErrorCode,
  | 'TEXT_TOO_LONG' | 'TEXT_EMPTY' | 'BAD_NICK' | 'NICK_IN_USE' | 'BINARY_INPUT' | 'LINE_TOO_LONG'
  | 'UNKNOWN_COMMAND' | 'BAD_COMMAND' | 'GATEWAY_FULL' | 'NODE_CLOSED'>
