// Every key this node has heard of: nicks it used, addresses, rooms, how far
// away it is. Gives short key tags (alice#3fa2, longer only where two known
// keys share a prefix), resolves /msg and /whois targets, and flags a nick
// that shows up with a different key than the one first seen with it.
import { KeyPrefixes } from './key-prefixes'
import { shortKey } from './names'
import { MeshError } from '../protocol/errors'
import { PUBLIC_KEY_BYTES } from '../protocol/crypto'

/** Hex digits of a key shown in a tag, at least. */
export const KEY_TAG_DIGITS = 4
/** Nicks remembered per key for /whois. */
export const MAX_NICK_HISTORY = 8
/** Rooms remembered per key for /whois (the most recent). */
export const MAX_ROOMS_PER_KEY = 16
/** Addresses remembered per key for /whois (the most recent). */
export const MAX_ADDRESSES_PER_KEY = 4
/** Keys remembered; the least recently seen are forgotten first. At least a full room (MAX_ROOM_MEMBERS). */
export const MAX_DIRECTORY_KEYS = 12_000
/** A target that is a key prefix: at least KEY_TAG_DIGITS hex digits, at most a whole key. */
const KEY_PREFIX_RE = new RegExp(`^[0-9a-fA-F]{${KEY_TAG_DIGITS},${PUBLIC_KEY_BYTES * 2}}$`)
/** Rooms whose one-room list keys share (onlyRoom); a room past these gets lists of its own. */
export const MAX_SHARED_ROOM_LISTS = 64
/** Nick/key pairs already warned about; the oldest is forgotten first. */
export const MAX_WARNED = 1000

const NONE: readonly string[] = Object.freeze([])

export interface KnownKey {
  key: string
  nick: string
  /**
   * The nicks it used, oldest first, once it used more than its current one;
   * empty while that is its only one (a list of one cost 56 bytes a key).
   * Read with nicksOf().
   */
  nicks: readonly string[]
  /** Replaced, never changed in place: a key seen at no address shares one empty list. */
  addresses: readonly string[]
  /** Oldest first; replaced, never changed in place (a Set per key was a fifth of a member's cost in a large room), and frozen when shared by keys seen in one room. */
  rooms: readonly string[]
  firstSeen: number
  lastSeen: number
  hops: number | null
  /** Timestamp of the signed message that set `nick` (0: from a HELLO or nothing signed yet): an older message never turns a rename back. */
  nickTs: number
}

/** The nicks a key used, oldest first, its current one last unless an older message brought another since. */
export function nicksOf (k: KnownKey): readonly string[] {
  return k.nicks.length > 0 ? k.nicks : k.nick ? [k.nick] : NONE
}

/** Persistent memory of which key first used each nick (implemented in lib/store). */
export interface NickBook {
  firstKeyFor (nick: string): string | undefined
  remember (nick: string, key: string): void
  /** The nick was seen again with its first key (entries seen often outlive throw-away ones). */
  confirm? (nick: string): void
}

export interface NickWarning { code: 'NICK_KEY_CHANGED'; nick: string; peer: string; known: string; message: string }

/** `ts`: the timestamp of the signed message the nick came in (absent for a HELLO). */
export interface Sighting { address?: string; room?: string; hops?: number; ts?: number }

export class Directory {
  private readonly keys = new Map<string, KnownKey>()
  /** The known keys and our own, sorted: for tags. */
  private readonly prefixes = new KeyPrefixes()
  private readonly warned = new Set<string>()
  private readonly oneRoom = new Map<string, readonly string[]>()

  constructor (
    private readonly selfKey: string,
    private readonly now: () => number,
    private readonly book: NickBook | null,
    private readonly onWarning: (w: NickWarning) => void
  ) {
    this.prefixes.add(selfKey)
  }

  get (key: string): KnownKey | undefined { return this.keys.get(key) }

  /**
   * The string this directory keeps for hex key `key`, if it knows the key,
   * else `key`: structures that keep a key per member (the roster, the
   * author limits, the push trees) then share one string instead of each
   * holding a copy made from the message it came in (80 bytes each).
   */
  canonical (key: string): string { return this.keys.get(key)?.key ?? key }

  all (): KnownKey[] { return [...this.keys.values()] }

  /**
   * Records a sighting of a key. Returns the key's previous nick when this
   * sighting renamed it (a known key, a new nick, from a message no older than
   * the one that set the current nick), otherwise null.
   */
  see (key: string, nick: string, at: Sighting = {}): string | null {
    let k = this.keys.get(key)
    const t = this.now()
    let renamedFrom: string | null = null
    if (!k) {
      if (this.keys.size >= MAX_DIRECTORY_KEYS) {
        const oldest = this.keys.keys().next().value as string
        this.keys.delete(oldest)
        if (oldest !== this.selfKey) this.prefixes.delete(oldest)
      }
      k = { key, nick, nicks: NONE, addresses: NONE, rooms: NONE, firstSeen: t, lastSeen: t, hops: null, nickTs: at.ts ?? 0 }
      this.keys.set(key, k)
      this.prefixes.add(key)
    } else {
      // Re-insert so iteration order is least recently seen first.
      this.keys.delete(key)
      this.keys.set(key, k)
    }
    k.lastSeen = t
    const used = nicksOf(k)
    if (nick && nick !== k.nick && (at.ts === undefined || at.ts >= k.nickTs)) {
      if (k.nick) renamedFrom = k.nick
      k.nick = nick
    }
    if (nick && used[used.length - 1] !== nick) {
      const next = used.filter(n => n !== nick).concat(nick).slice(-MAX_NICK_HISTORY)
      k.nicks = next.length === 1 && next[0] === k.nick ? NONE : next
    }
    if (nick && at.ts !== undefined && at.ts >= k.nickTs && nick === k.nick) k.nickTs = at.ts
    if (at.address && !k.addresses.includes(at.address)) k.addresses = [at.address, ...k.addresses].slice(0, MAX_ADDRESSES_PER_KEY)
    if (at.room && k.rooms[k.rooms.length - 1] !== at.room) k.rooms = k.rooms.length === 0 ? this.onlyRoom(at.room) : [...k.rooms.filter(r => r !== at.room), at.room].slice(-MAX_ROOMS_PER_KEY)
    if (at.hops !== undefined) k.hops = at.hops
    if (nick) this.checkNick(nick, key)
    return renamedFrom
  }

  /** The list of one room, shared by every key seen only there (a list each cost 57 bytes a key, 3% of a member's cost in a simulated room of 300). */
  private onlyRoom (room: string): readonly string[] {
    let list = this.oneRoom.get(room)
    if (list) return list
    list = Object.freeze([room])
    if (this.oneRoom.size < MAX_SHARED_ROOM_LISTS) this.oneRoom.set(room, list)
    return list
  }

  private checkNick (nick: string, key: string): void {
    if (!this.book) return
    const first = this.book.firstKeyFor(nick)
    if (first === undefined) { this.book.remember(nick, key); return }
    if (first === key) { this.book.confirm?.(nick); return }
    if (this.warned.has(`${nick}/${key}`)) return
    if (this.warned.size >= MAX_WARNED) this.warned.delete(this.warned.values().next().value as string)
    this.warned.add(`${nick}/${key}`)
    this.onWarning({
      code: 'NICK_KEY_CHANGED', nick, peer: key, known: first,
      message: `'${nick}' is now used by key ${shortKey(key)}…, but was first seen with key ${shortKey(first)}…: it may be someone else`
    })
  }

  /** The shortest prefix (at least KEY_TAG_DIGITS) that no other known key shares. */
  tag (key: string): string {
    return this.prefixes.tag(key, KEY_TAG_DIGITS)
  }

  label (key: string, nick?: string): string {
    return `${nick ?? this.keys.get(key)?.nick ?? '?'}#${this.tag(key)}`
  }

  /**
   * Resolves `nick#tag`, a unique nick, or a key prefix (4+ hex digits) to a
   * key. A nick nobody uses now still finds a key that used it recently (the
   * last MAX_NICK_HISTORY nicks), so `/msg bob` works after bob renamed.
   * Throws AMBIGUOUS_TARGET (listing the candidates) or UNKNOWN_TARGET.
   */
  resolve (target: string, include: (k: KnownKey) => boolean = () => true): string {
    const t = target.trim()
    const pool = this.all().filter(k => k.key !== this.selfKey && include(k))
    let matches: KnownKey[]
    const hash = t.lastIndexOf('#')
    if (hash > 0) {
      const nick = t.slice(0, hash)
      const prefix = t.slice(hash + 1).toLowerCase()
      matches = pool.filter(k => k.key.startsWith(prefix) && (k.nick === nick || k.nicks.includes(nick)))
    } else {
      matches = pool.filter(k => k.nick === t)
      if (matches.length === 0) matches = pool.filter(k => nicksOf(k).includes(t))
      if (matches.length === 0 && KEY_PREFIX_RE.test(t)) matches = pool.filter(k => k.key.startsWith(t.toLowerCase()))
    }
    if (matches.length === 1) return matches[0].key
    if (matches.length === 0) throw new MeshError('UNKNOWN_TARGET', `no known peer matches '${t}'; try /who or /peers`)
    const names = matches.map(k => this.label(k.key, k.nick)).sort()
    throw new MeshError('AMBIGUOUS_TARGET', `'${t}' matches ${matches.length} peers: ${names.join(', ')}; use nick#tag`)
  }
}
