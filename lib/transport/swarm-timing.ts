// Timing of the swarm transport, apart from it so the command line can
// validate options without loading hyperswarm.

export interface SwarmTiming {
  /** No DHT node answering for this long reports DHT_UNREACHABLE. */
  unreachableMs: number
  /** Interval of the extra topic refreshes right after joining (peers joining in the same instant miss each other). */
  earlyRefreshMs: number
  /** How many extra refreshes right after joining. */
  earlyRefreshes: number
  /** While a topic is not joined (DHT unreachable), query again this often. */
  retryMs: number
  /** A connection we dialled must carry the far node's first frame within this time. */
  greetingTimeoutMs: number
}

export const DEFAULT_SWARM_TIMING: SwarmTiming = {
  unreachableMs: 10_000,
  earlyRefreshMs: 1000,
  earlyRefreshes: 5,
  retryMs: 10_000,
  greetingTimeoutMs: 10_000
}
