import type { ErrorCode } from '../protocol/errors'
// Limits of the plain-text line gateway, named once. Tests shrink some of
// them through the hidden --gateway-limits option.

/** Plain clients one gateway serves at once; one more gets an error line and is closed. */
export const MAX_GATEWAY_CLIENTS = 256
/** Plain clients from one remote IP address at once; one more gets GATEWAY_IP_FULL and is closed. */
export const MAX_GATEWAY_CLIENTS_PER_IP = 16
/** A client that sends no line for this long (an empty line counts) gets GATEWAY_IDLE and is closed. */
export const DEFAULT_GATEWAY_IDLE_MS = 300_000
/** Bytes queued for one client that is not reading; past this it is dropped. */
export const MAX_CLIENT_QUEUED_BYTES = 1024 * 1024
/** Longest unfinished line held for a client; a longer one is refused and skipped to its newline. */
export const MAX_LINE_BUFFER_BYTES = 16 * 1024
/** Lines a second one client may post (the gateway stops reading from it while over). */
export const DEFAULT_GATEWAY_RATE = 500
/** Lines a client may post at once before the rate applies. */
export const DEFAULT_GATEWAY_BURST = 500
/**
 * How long a closing client's connection stays up after its last line is
 * flushed, so it reads it, before it is reset (a reset, unlike a FIN, ends
 * clients like nc that keep their own side open).
 */
export const HANGUP_LINGER_MS = 200
/** Longest a closing connection is kept for a client that does not read its last line. */
export const MAX_HANGUP_WAIT_MS = 1000
/** Longest the gateway waits before it looks at a rate-limited client again. */
export { MAX_RATE_PAUSE_MS } from '../core/send-budget'

export interface GatewayLimits {
  maxClients: number
  maxClientsPerIp: number
  idleMs: number
  maxQueuedBytes: number
  maxLineBytes: number
  /**
   * Tests and benchmarks: lines a second all clients may post together, and
   * the burst, from a budget of the gateway's own. Unset (always, outside
   * them), the clients share the node's send budget with its other front
   * ends (lib/core/send-budget.ts): every guest line is a message signed by
   * this node, and relays drop an author over DEFAULT_AUTHOR_RATE. Over the
   * budget the gateway stops reading from its clients; no line is lost.
   */
  totalRate?: number
  totalBurst?: number
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxClients: MAX_GATEWAY_CLIENTS,
  maxClientsPerIp: MAX_GATEWAY_CLIENTS_PER_IP,
  idleMs: DEFAULT_GATEWAY_IDLE_MS,
  maxQueuedBytes: MAX_CLIENT_QUEUED_BYTES,
  maxLineBytes: MAX_LINE_BUFFER_BYTES
}

/** Stable codes of the error lines a plain client can get (all listed in protocol/errors.ts). */
export type GatewayErrorCode = Extract<ErrorCode,
  | 'TEXT_TOO_LONG' | 'TEXT_EMPTY' | 'BAD_NICK' | 'NICK_IN_USE' | 'BINARY_INPUT' | 'LINE_TOO_LONG'
  | 'UNKNOWN_COMMAND' | 'BAD_COMMAND' | 'GATEWAY_FULL' | 'GATEWAY_IP_FULL' | 'GATEWAY_IDLE' | 'NODE_CLOSED'>

/**
 * How long a guest line waits for others to share its signature (the mesh
 * side only: the gateway's own clients get the line at once, see post() in
 * text-gateway.ts); MAX_GUEST_BATCH_LINES waiting post at once. 0 would mean
 * the end of the current tick (process.nextTick): one batch a socket read.
 * Measured side by side (fan-out bench, two runs each, 2026-11-28): 5 ms met
 * 7-8 of the 12 fan-out targets, the end of the tick 4-6, the end of the
 * event-loop turn (setImmediate) 4-6; at 100 lines/s from each of 10 guests
 * the 5 ms batches cut the gateway's p99 from 7.3-7.7 to 4.0-4.3 ms, since
 * one signature serves the lines of several reads. Before the local echo,
 * waiting for the turn's end held a ten-client burst's first line 470 ms.
 */
export const GUEST_BATCH_DELAY_MS = 5
