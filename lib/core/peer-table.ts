// Addresses this node has heard of through peer exchange, with dial backoff,
// plus the addresses known to be this node itself (never dialled).
import { MAX_KNOWN_ADDRESSES, MAX_PEX_DIAL_FAILURES } from './options'

export interface KnownAddress {
  address: string
  key: string
  failures: number
  nextAttempt: number
}

export class PeerTable {
  private readonly known = new Map<string, KnownAddress>()
  private readonly self = new Set<string>()

  constructor (private readonly now: () => number, private readonly retryMs: number) {}

  get size (): number { return this.known.size }

  markSelf (address: string): void {
    this.self.add(address)
    this.known.delete(address)
  }

  isSelf (address: string): boolean { return this.self.has(address) }

  /** Learns an address for a key; returns true if it was new. */
  learn (address: string, key: string): boolean {
    if (this.self.has(address)) return false
    const prev = this.known.get(address)
    if (prev) {
      if (prev.key !== key) { prev.key = key; prev.failures = 0 }
      return false
    }
    if (this.known.size >= MAX_KNOWN_ADDRESSES) {
      const oldest = this.known.keys().next().value as string
      this.known.delete(oldest)
    }
    this.known.set(address, { address, key, failures: 0, nextAttempt: 0 })
    return true
  }

  /** Addresses worth dialling now, excluding keys that pass `skip`. */
  candidates (skip: (e: KnownAddress) => boolean): KnownAddress[] {
    const t = this.now()
    const out: KnownAddress[] = []
    for (const e of this.known.values()) if (e.nextAttempt <= t && !skip(e)) out.push(e)
    return out
  }

  succeeded (address: string): void {
    const e = this.known.get(address)
    if (e) { e.failures = 0; e.nextAttempt = 0 }
  }

  failed (address: string): void {
    const e = this.known.get(address)
    if (!e) return
    e.failures++
    if (e.failures >= MAX_PEX_DIAL_FAILURES) { this.known.delete(address); return }
    e.nextAttempt = this.now() + this.retryMs * 2 ** e.failures
  }

  entries (): KnownAddress[] { return [...this.known.values()] }
}
