// How often a member repeats its "still here", and when a silent member
// expires: the periodic announcement backs off with the room's known size so
// the room-wide rate stays about PRESENCE_ROOM_ANNOUNCERS per base interval
// (constant per node, not O(N)); crashes are caught sooner by the members'
// neighbours (a LOST announcement, see presence.ts), not by this timeout.

/** Room-wide, about this many periodic announcements per base interval, however large the room. */
export const PRESENCE_ROOM_ANNOUNCERS = 8
/** A member silent for this many of its own announced intervals drops out (2.5: one lost announcement is forgiven). */
export const PRESENCE_TIMEOUT_FACTOR = 2.5
/**
 * Longest interval a member may announce (and receivers accept): 24 h,
 * reached at 8 x 2,880 = 23,040 members with the 30 s default, so the
 * room-wide rate stays flat past a 10,000-member room. (It was 4 h until
 * 2026-11-29: past 3,840 members the idle cost grew with N again, about
 * 250 B/s per node at 10,000.) Crashes are caught by LOST reports, not by
 * this timeout; it only bounds how long a member cut off together with all
 * its neighbours stays listed (2.5 intervals).
 */
export const MAX_PRESENCE_INTERVAL_MS = 24 * 60 * 60 * 1000
/**
 * How long a member reported LOST by a neighbour (its link closed without a
 * leave) has to answer with a fresh announcement before every node drops it.
 * It hears the report like everyone else and answers within
 * PRESENCE_REPLY_MIN_MS, so this covers two floods across the room.
 */
export const PRESENCE_SUSPECT_GRACE_MS = 20_000

/**
 * The interval this node announces with in a room of `members` known
 * entries (itself, other members and guests): base x max(1, members / K),
 * at most MAX_PRESENCE_INTERVAL_MS (never below the base).
 */
export function presenceInterval (baseMs: number, members: number): number {
  const scaled = baseMs * Math.max(1, members / PRESENCE_ROOM_ANNOUNCERS)
  return Math.max(baseMs, Math.min(MAX_PRESENCE_INTERVAL_MS, Math.round(scaled)))
}

/**
 * How long a member that announced `announcedMs` (0 or absent: an older node,
 * which announces every base interval) may stay silent: PRESENCE_TIMEOUT_FACTOR
 * of its interval, clamped to MAX_PRESENCE_INTERVAL_MS, and never less than
 * this node's own `timeoutMs`.
 */
export function memberTimeout (announcedMs: number | undefined, timeoutMs: number): number {
  const interval = Math.min(announcedMs ?? 0, MAX_PRESENCE_INTERVAL_MS)
  return Math.max(timeoutMs, Math.round(interval * PRESENCE_TIMEOUT_FACTOR))
}

/** A member reported LOST that is still here answers after this long (a fresh announcement clears the report everywhere). */
export const PRESENCE_REPLY_MIN_MS = 1000
/** Links coming up within this window share one announcement (a forming mesh is not flooded once per link). */
export const PRESENCE_LINK_UP_DELAY_MS = 250
