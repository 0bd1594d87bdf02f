// Keys and IP addresses refused for a while after their link was closed for
// a low score: an expiring set, bounded; the oldest ban is lifted first when full.
import { ExpiringSet } from './pex-limits'

/** How long a key and its IP stay refused after a link is closed for its score. */
export const DEFAULT_BAN_MS = 10 * 60 * 1000
/** Bans held at once (keys and IPs together). */
export const MAX_BANS = 4096

export class Bans extends ExpiringSet {
  constructor (now: () => number, banMs = DEFAULT_BAN_MS) { super(MAX_BANS, banMs, now) }

  ban (...names: Array<string | null | undefined>): void {
    for (const n of names) if (n) this.add(n)
  }
}
