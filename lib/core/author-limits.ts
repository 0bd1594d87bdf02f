// Per-author limits on flooded messages. Keys are free to mint, so two things
// are bounded: how fast one author's messages are accepted (a token bucket per
// author key, applied at every relay), and how many authors this node has not
// met before one link may introduce per minute.
import { refilled, TokenBucket } from './token-bucket'

/**
 * Messages a second one author may flood (every relay drops the excess). A
 * chat rate, not a pipe's: every member's node spends about 1 ms of CPU on
 * each message it relays and prints (BENCHMARKS.md, adversary section), so one
 * member at this rate costs each node about 5% of a core. Until 2026-11-29
 * it was 500, burst 2000: one member's 600 messages at once took the honest
 * p99 of a 12-process mesh to 30x its baseline.
 */
export const DEFAULT_AUTHOR_RATE = 50
/**
 * Messages one author may flood at once before the rate applies. Every node
 * relays and prints a burst at once, so it is what a member can do to
 * everyone's latency: in the adversary bench (12 processes on 2 cores) one
 * member's burst of 100 took the honest p99 to 13.9x its baseline (2026-11-29
 * 01:23 UTC), while one person pasting 20 lines moved it 1.5x.
 */
export const DEFAULT_AUTHOR_BURST = 20
/**
 * This node's own messages are paced to this share of the author limits
 * (lib/core/send-budget.ts), so what it sends stays under what its relays
 * accept with room for timing jitter; front ends wait, nothing is dropped.
 */
export const OWN_SEND_SHARE = 0.9
/**
 * Messages new to this node that one link may bring a second, whoever wrote
 * them, and at once. Keys are free and each admitted author has its own
 * rate, so without this one peer introducing authors at the new-author pace
 * could send, a minute later, as fast as the link's frame limit (1000/s) lets
 * it, and every node would relay it all. Over it a link's messages are held
 * (with the new authors' ones, MAX_HELD_BYTES_PER_LINK) and let in as the
 * budget refills: an honest relay's burst is delayed, not lost.
 */
export const DEFAULT_LINK_MESSAGE_RATE = 200
export const DEFAULT_LINK_MESSAGE_BURST = 400
/**
 * Share of DEFAULT_AUTHOR_BURST (or --author-rate's burst) an author's
 * bucket starts with when this node meets it (its first message taken):
 * 2 of 20. It refills at the author's rate as any bucket does. Keys are
 * free, and each fresh key came with a whole burst: with 5 keys let in at
 * once a link brought 100 valid messages at once, which every node relays
 * and prints (the adversary bench's fresh-keys row read 3.6-16x the honest
 * p99; 2026-11-29).
 */
export const NEW_AUTHOR_FIRST_SHARE = 0.1
/**
 * Tokens a node's own send budget starts with, and drops to at its first
 * message after a link came up (its announcement and one line; then 90% of
 * the author rate): what a relay meeting it lets in at once, so a script's
 * paste as it joins is paced at home, not held at its relays.
 */
export const OWN_FIRST_BURST = 2
/**
 * For this long after this node met an author, its messages over its bucket
 * are held (NEW_AUTHOR_BURST), not dropped, and let in at the link's young
 * pace (YOUNG_MESSAGE_RATE): the author cannot know what each relay saw of
 * it (a newcomer meets a member in the middle of a paste its relay passes
 * on), while a fresh key's burst is let in slowly.
 */
export const YOUNG_AUTHOR_MS = 10_000
/** Held messages of young authors one link lets in a second, whoever wrote them, and at once. */
export const YOUNG_MESSAGE_RATE = 5
export const YOUNG_MESSAGE_BURST = 2
/** Authors tracked at once; the least recently active are forgotten first. At least a full room (MAX_ROOM_MEMBERS): a member forgotten would count as met lately again. */
export const MAX_TRACKED_AUTHORS = 12_000
/** Authors this node has not met before that one link may introduce per minute. */
export const DEFAULT_NEW_AUTHORS_PER_LINK_PER_MIN = 120
/** ...and how many it may introduce at once (a burst of fresh keys is a burst of traffic every node relays). */
export const DEFAULT_NEW_AUTHORS_BURST = 5

export interface AuthorLimitOptions {
  rate: number
  burst: number
  newPerLinkPerMin: number
  newBurst?: number
  /** YOUNG_AUTHOR_MS unless given; 0: no author is young, and each starts with its whole burst. */
  youngMs?: number
  now: () => number
}

/** What an author's bucket starts with when this node meets it. */
export function firstBurst (burst: number, youngMs: number): number {
  return youngMs > 0 ? Math.max(1, Math.round(burst * NEW_AUTHOR_FIRST_SHARE)) : burst
}

/** An author's token bucket, inline (a TokenBucket object each was a quarter of what an author costs a node in a large room). */
interface Author { tokens: number; last: number; metAt: number }

export class AuthorLimits {
  private readonly buckets = new Map<string, Author>()
  private readonly youngMs: number
  /** What a new author's bucket starts with. */
  private readonly first: number

  constructor (private readonly o: AuthorLimitOptions) {
    this.youngMs = o.youngMs ?? YOUNG_AUTHOR_MS
    this.first = firstBurst(o.burst, this.youngMs)
  }

  known (author: string): boolean { return this.buckets.has(author) }

  /** Whether this node met `author` less than YOUNG_AUTHOR_MS ago (an author forgotten is met again). */
  young (author: string): boolean {
    const a = this.buckets.get(author)
    return a !== undefined && this.o.now() - a.metAt < this.youngMs
  }

  /** A fresh per-link budget for introducing authors. */
  linkBudget (): TokenBucket {
    const per = this.o.newPerLinkPerMin
    return new TokenBucket(per / 60, Math.min(per, this.o.newBurst ?? DEFAULT_NEW_AUTHORS_BURST), this.o.now)
  }

  /** A fresh per-link budget for letting in young authors' held messages. */
  youngBudget (): TokenBucket { return new TokenBucket(YOUNG_MESSAGE_RATE, YOUNG_MESSAGE_BURST, this.o.now) }

  /** Whether `author` has fewer than `cost` tokens now (nothing taken): its next message would be over its rate. */
  spent (author: string, cost = 1): boolean {
    const a = this.buckets.get(author)
    return a !== undefined && this.refill(a) < cost
  }

  /** Tokens `a` has now, as TokenBucket counts them. */
  private refill (a: Author): number {
    const t = this.o.now()
    a.tokens = refilled(a.tokens, a.last, t, this.o.rate, this.o.burst)
    a.last = t
    return a.tokens
  }

  /** Takes `cost` tokens (one a message; one a line of a guest batch) for `author`; false when the author is over its rate. */
  take (author: string, cost = 1): boolean {
    let a = this.buckets.get(author)
    if (a) {
      this.buckets.delete(author)
    } else {
      if (this.buckets.size >= MAX_TRACKED_AUTHORS) this.buckets.delete(this.buckets.keys().next().value as string)
      const t = this.o.now()
      a = { tokens: Math.min(this.o.burst, this.first), last: t, metAt: t }
    }
    this.buckets.set(author, a)
    if (this.refill(a) < cost) return false
    a.tokens -= cost
    return true
  }
}
