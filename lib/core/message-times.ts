// The time a node dates a message it signs. A FLOOD's id is the hash of its
// body and the body has no nonce, so two messages alike in everything (kind,
// room, nick, ttl, text) and dated the same millisecond would be one message:
// the second dropped everywhere as a duplicate. Such a repeat is dated 1 ms
// after the last of its kind; every other message keeps the clock's time, so
// a node signing thousands of different messages a second (a benchmark's
// soak) does not run ahead of its clock.

/** Past this many remembered lines, those dated before now are forgotten (none of them can clash any more). */
export const MESSAGE_TIMES_PRUNE_AT = 256

export class MessageTimes {
  /** The last time each recently signed body (without its time) was dated. */
  private readonly last = new Map<string, number>()

  /** Bodies remembered now. */
  get size (): number { return this.last.size }

  /** The time to sign a body `key` with at `now`: now, or 1 ms after the same body's last time. */
  date (key: string, now: number): number {
    const before = this.last.get(key)
    const ts = before === undefined || before < now ? now : before + 1
    this.last.delete(key)
    this.last.set(key, ts)
    if (this.last.size > MESSAGE_TIMES_PRUNE_AT) for (const [k, t] of this.last) { if (t >= now) break; this.last.delete(k) }
    return ts
  }
}
