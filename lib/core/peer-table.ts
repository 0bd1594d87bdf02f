// Addresses this node has heard of through peer exchange, with dial backoff,
// plus the addresses known to be this node itself (never dialled). Every
// address is kept in its canonical spelling (protocol/address.ts), so twelve
// spellings of one host are one entry. Failures count per address and survive
// a change of the claimed key; an address that keeps failing is forgotten and
// refused for BAD_ADDRESS_TTL_MS. Every map here is capped.
import { canonicalAddress } from '../protocol/address'
import {
  MAX_KNOWN_ADDRESSES, MAX_PEX_DIAL_FAILURES, MAX_SELF_ADDRESSES, MAX_BAD_ADDRESSES, BAD_ADDRESS_TTL_MS, ExpiringSet
} from './pex-limits'

export interface KnownAddress {
  /** Canonical address. */
  address: string
  /** The key last claimed for it. */
  key: string
  failures: number
  nextAttempt: number
  /** A dial to it has succeeded (sticky until it is forgotten): only verified entries are passed on, and only unverified ones spend the dial budget. */
  verified: boolean
}

/** What learn() did with an address. */
export type LearnOutcome = 'new' | 'known' | 'invalid' | 'self' | 'bad'

export interface PeerTableStats {
  /** Addresses added. */
  learned: number
  /** Entries refused as not a dialable address (unspecified, multicast, port 0, ...). */
  invalid: number
  /** Entries refused because the address was forgotten for failing. */
  badRefused: number
  /** Addresses forgotten after MAX_PEX_DIAL_FAILURES failures. */
  forgotten: number
  /** Addresses dropped to stay within MAX_KNOWN_ADDRESSES. */
  evicted: number
  /** Own addresses dropped to stay within MAX_SELF_ADDRESSES. */
  selfEvicted: number
}

export class PeerTable {
  readonly stats: PeerTableStats = { learned: 0, invalid: 0, badRefused: 0, forgotten: 0, evicted: 0, selfEvicted: 0 }
  private readonly known = new Map<string, KnownAddress>()
  private readonly self = new Set<string>()
  private readonly bad: ExpiringSet

  constructor (private readonly now: () => number, private readonly retryMs: number) {
    this.bad = new ExpiringSet(MAX_BAD_ADDRESSES, BAD_ADDRESS_TTL_MS, now)
  }

  get size (): number { return this.known.size }
  get selfCount (): number { return this.self.size }
  get badCount (): number { return this.bad.size }

  /** An address our own dial reached ourselves at (the link table's onSelfAddress); never from peer exchange. */
  markSelf (address: string): void {
    const a = canonicalAddress(address)
    if (!a || this.self.has(a)) return
    if (this.self.size >= MAX_SELF_ADDRESSES) {
      this.self.delete(this.self.values().next().value as string)
      this.stats.selfEvicted++
    }
    this.self.add(a)
    this.known.delete(a)
  }

  isSelf (address: string): boolean {
    const a = canonicalAddress(address)
    return a !== null && this.self.has(a)
  }

  /** Whether an address is known (in any spelling). */
  has (address: string): boolean {
    const a = canonicalAddress(address)
    return a !== null && this.known.has(a)
  }

  get (address: string): KnownAddress | undefined {
    const a = canonicalAddress(address)
    return a === null ? undefined : this.known.get(a)
  }

  /**
   * Learns an address for a key. `direct` when the claim comes from the peer
   * itself over its own link (its HELLO); a claim passed on by a third party
   * never replaces the key of an address we have verified.
   */
  learn (address: string, key: string, direct = false): LearnOutcome {
    const a = canonicalAddress(address)
    if (!a) { this.stats.invalid++; return 'invalid' }
    if (this.self.has(a)) return 'self'
    const prev = this.known.get(a)
    if (prev) {
      // A key change never resets failures: failing is a property of the address.
      if (prev.key !== key && (direct || !prev.verified)) prev.key = key
      return 'known'
    }
    if (this.bad.has(a)) { this.stats.badRefused++; return 'bad' }
    if (this.known.size >= MAX_KNOWN_ADDRESSES) this.evictOne()
    this.known.set(a, { address: a, key, failures: 0, nextAttempt: 0, verified: false })
    this.stats.learned++
    return 'new'
  }

  /** Drops the oldest unverified address, or the oldest of all when every one is verified. */
  private evictOne (): void {
    let victim: string | undefined
    for (const e of this.known.values()) if (!e.verified) { victim = e.address; break }
    if (victim === undefined) victim = this.known.keys().next().value as string
    this.known.delete(victim)
    this.stats.evicted++
  }

  /** Addresses worth dialling now, excluding those that pass `skip`. */
  candidates (skip: (e: KnownAddress) => boolean): KnownAddress[] {
    const t = this.now()
    const out: KnownAddress[] = []
    for (const e of this.known.values()) if (e.nextAttempt <= t && !skip(e)) out.push(e)
    return out
  }

  succeeded (address: string): void {
    const a = canonicalAddress(address)
    if (!a) return
    this.bad.delete(a)
    const e = this.known.get(a)
    if (e) { e.failures = 0; e.nextAttempt = 0; e.verified = true }
  }

  /** Our dial to `address` reached the peer with `key`: that is its key now, whatever was claimed. */
  confirm (address: string, key: string): void {
    this.succeeded(address)
    const e = this.get(address)
    if (e) e.key = key
  }

  failed (address: string): void {
    const a = canonicalAddress(address)
    const e = a === null ? undefined : this.known.get(a)
    if (!e) return
    e.failures++
    if (e.failures >= MAX_PEX_DIAL_FAILURES) {
      this.known.delete(e.address)
      this.bad.add(e.address)
      this.stats.forgotten++
      return
    }
    e.nextAttempt = this.now() + this.retryMs * 2 ** e.failures
  }

  entries (): KnownAddress[] { return [...this.known.values()] }
}
