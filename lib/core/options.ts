// Node defaults. Every timeout, interval and size is an option so tests can
// shrink it instead of sleeping.
import type { KeyPair } from '../protocol/crypto'
import type { Dialer } from './link'
import type { NickBook } from './directory'
import type { Clock } from './clock'
import type { HistoryStore } from './types'
import type { FloodMessage } from '../protocol/envelope'
import { DEFAULT_AUTHOR_BURST, DEFAULT_AUTHOR_RATE, DEFAULT_NEW_AUTHORS_PER_LINK_PER_MIN, YOUNG_AUTHOR_MS } from './author-limits'
import { ROOM_CUT_OFF_MS } from './cut-off'
import { DEFAULT_BAN_MS } from './bans'

export const DEFAULT_ROOM = 'lobby'
export const DEFAULT_TTL = 16
export const DEFAULT_MIN_LINKS = 4
export const DEFAULT_MAX_LINKS = 32
export const DEFAULT_RATE_PER_SECOND = 1000
export const DEFAULT_RATE_BURST = 4000
/** A link over its rate limit for this long without a pause is closed. */
export const RATE_LIMIT_GRACE_MS = 3000
/** Bytes queued for one link before it counts as stuck and is closed (every frame to a link counts). */
export const MAX_LINK_BUFFERED_BYTES = 8 * 1024 * 1024
/** Synced messages older than this are refused, and not offered to peers (a node's own log may hold older ones). */
export const DEFAULT_HISTORY_WINDOW_MS = 24 * 60 * 60 * 1000
/** Addresses remembered from peer exchange. */
export const MAX_KNOWN_ADDRESSES = 1024
/** Failed dials after which an exchanged address is forgotten. */
export const MAX_PEX_DIAL_FAILURES = 5

export interface Timing {
  /** How often the node checks links, sends keep-alives and dials. */
  tickMs: number
  /** Send a ping when nothing was sent for this long. */
  keepAliveMs: number
  /** Close a link that received nothing for this long. */
  idleTimeoutMs: number
  /** Close a link whose HELLO did not arrive in this time. */
  helloTimeoutMs: number
  /** Re-send peer exchange to every link this often. */
  pexIntervalMs: number
  redialMinMs: number
  redialMaxMs: number
  /** How long a message stays valid (its expiry); shorter than the seen cache's age. */
  messageLifetimeMs: number
  /** How often a node announces itself to its rooms; 0 turns presence off. */
  presenceIntervalMs: number
  /** A member not heard from for this long drops out of /who. */
  presenceTimeoutMs: number
  /** A private message without an ack for this long is reported undelivered. */
  privateAckTimeoutMs: number
  /** Synced messages older than this are refused, and not offered to peers. */
  historyWindowMs: number
  /** How long a key and IP stay refused after their link was closed for its score. */
  banMs: number
  /** A link over its inbound rate for this long without a pause is closed. */
  rateLimitGraceMs: number
  /** Lazy push: how long ids for a lazy link are gathered before one IHAVE carries them. */
  ihaveDelayMs: number
  /** Lazy push: how long an announced id may stay missing before it is asked for (GRAFT), and between asks. */
  graftTimeoutMs: number
  /** How long an author this node met stays young (YOUNG_AUTHOR_MS, author-limits.ts); 0: never, and each new author has its whole burst at once. */
  youngAuthorMs: number
  /** A room this node has had no link into for this long drops its members (ROOM_CUT_OFF_MS, cut-off.ts). */
  roomCutOffMs: number
}

export const DEFAULT_TIMING: Timing = {
  tickMs: 1000,
  keepAliveMs: 5000,
  idleTimeoutMs: 15000,
  helloTimeoutMs: 10000,
  pexIntervalMs: 15000,
  redialMinMs: 500,
  redialMaxMs: 30000,
  messageLifetimeMs: 5 * 60 * 1000,
  presenceIntervalMs: 30_000,
  presenceTimeoutMs: 75_000,
  privateAckTimeoutMs: 30_000,
  historyWindowMs: DEFAULT_HISTORY_WINDOW_MS,
  banMs: DEFAULT_BAN_MS,
  rateLimitGraceMs: RATE_LIMIT_GRACE_MS,
  ihaveDelayMs: 50,
  graftTimeoutMs: 250,
  youngAuthorMs: YOUNG_AUTHOR_MS,
  roomCutOffMs: ROOM_CUT_OFF_MS
}

export interface NodeOptions {
  keyPair: KeyPair
  nick: string
  rooms?: string[]
  ttl?: number
  pex?: boolean
  anchor?: boolean
  minLinks?: number
  maxLinks?: number
  ratePerSecond?: number
  rateBurst?: number
  seenMaxSize?: number
  seenMaxAgeMs?: number
  /** Messages kept in memory per room, for history sync. */
  historySize?: number
  protocolVersion?: number
  timing?: Partial<Timing>
  dialer?: Dialer
  /** Remembers the first key seen with each nick (lib/store/nick-book.ts). */
  nickBook?: NickBook
  /** Where messages are kept on disk (lib/store); also what loadHistory() reads into. */
  historyStore?: HistoryStore
  /** Messages a second one author may flood, and its burst (relays drop the excess). */
  authorRate?: number
  authorBurst?: number
  /** Authors new to this node that one link may introduce per minute. */
  newAuthorsPerLinkPerMin?: number
  /** Messages new to this node one link may bring a second, and at once (DEFAULT_LINK_MESSAGE_RATE, _BURST). */
  linkMessageRate?: number
  linkMessageBurst?: number
  /** Slots of maxLinks kept for links this node dials (default a quarter, at most 4). */
  reservedOutbound?: number
  /** Bytes queued for one link before it is closed (SLOW_LINK). */
  maxQueuedBytes?: number
  /** Lazy push (core/lazy-push.ts), on by default; false floods every message whole on every link of its room. */
  lazyPush?: boolean
  /** Roster sync (core/roster-sync.ts), on by default; false: members are learnt only from announcements (an older node). */
  rosterSync?: boolean
  clock?: Clock
  random?: () => number
  /**
   * Checks a flooded message's signature in place of verifyFlood (the
   * simulator's shortcut: one check per message shared by every simulated
   * node, bench/sim-net.ts). Unset everywhere else.
   */
  verify?: (m: FloodMessage) => boolean
}

/** The defaults of the per-author limits, for --help and README. */
export const AUTHOR_DEFAULTS = { rate: DEFAULT_AUTHOR_RATE, burst: DEFAULT_AUTHOR_BURST, newPerLinkPerMin: DEFAULT_NEW_AUTHORS_PER_LINK_PER_MIN }

/** Slots kept for our own dials when reservedOutbound is not given. */
export function defaultReserved (maxLinks: number): number { return Math.min(4, Math.floor(maxLinks / 4)) }

export const DEFAULT_SEEN_MAX_SIZE = 100_000
export const DEFAULT_SEEN_MAX_AGE_MS = 10 * 60 * 1000
