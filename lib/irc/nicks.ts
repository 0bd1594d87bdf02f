// How mesh people appear as IRC nicks. Nicks are unique on IRC but not on the
// mesh: a peer whose nick is unique (ASCII case-folded) among the keys this
// face knows, and not held locally (this node's nick, a local IRC client's),
// appears as that nick; peers that share
// one appear as `nick|tag` (the key's disambiguated tag), so an IRC client can
// always address exactly one key. Characters IRC reserves in nicks become
// `_` (and the nick gets its tag, so `bob|3fa2` is never a peer's own nick).
import { MeshError } from '../protocol/errors'
import { MAX_NICK_BYTES } from '../protocol/limits'
import { validateNick } from '../core/names'
import { MAX_IRC_KNOWN_KEYS } from './limits'

/** CASEMAPPING=ascii */
export function foldNick (nick: string): string { return nick.replace(/[A-Z]/g, c => c.toLowerCase()) }

/** Characters IRC gives other meanings in nicks (targets, masks, prefixes, our tag separator). */
const RESERVED = /[\s!@,*?:|&.$%+~#]/g
/** What an IRC nick may not start with. */
const BAD_START = /^[-0-9'"]/

/** A mesh nick with IRC's reserved characters replaced. */
export function ircBase (meshNick: string): string {
  const n = meshNick.replace(RESERVED, '_')
  return BAD_START.test(n) ? `_${n}` : n || '_'
}

/** Checks a nick an IRC client asks for (432 when it fails): a valid mesh nick that IRC can carry unchanged. */
export function validateIrcNick (nick: string): string {
  const n = validateNick(nick)
  if (ircBase(n) !== n) throw new MeshError('BAD_NICK', `nick '${n}' may not start with '-' or a digit or contain spaces or ${'! @ , * ? : | & . $ % + ~ #'}`)
  if (Buffer.byteLength(n) > MAX_NICK_BYTES) throw new MeshError('BAD_NICK', `nick is longer than ${MAX_NICK_BYTES} bytes`)
  return n
}

export interface Rename { key: string; old: string; nick: string }

interface Entry { key: string; meshNick: string; base: string; irc: string }

export class NickMap {
  private readonly byKey = new Map<string, Entry>()
  /** Keys per folded base nick. */
  private readonly byBase = new Map<string, Set<string>>()
  /** Key per folded IRC nick shown. */
  private readonly byIrc = new Map<string, string>()

  /** `tag(key)`: the node's disambiguated key tag; `local(folded)`: whether this node or one of its IRC clients holds a nick. */
  constructor (private readonly tag: (key: string) => string, private readonly local: (folded: string) => boolean) {}

  /** The IRC nick of a known key (undefined when never seen). */
  nickOf (key: string): string | undefined { return this.byKey.get(key)?.irc }

  /** The key shown as an IRC nick (case-folded), if any. */
  keyOf (ircNick: string): string | undefined { return this.byIrc.get(foldNick(ircNick)) }

  /** The mesh nick last seen with a key. */
  meshNickOf (key: string): string | undefined { return this.byKey.get(key)?.meshNick }

  /**
   * Records that `key` uses `meshNick`; returns the IRC nicks that changed
   * because of it (its own, and others' that now collide or no longer do).
   */
  see (key: string, meshNick: string): Rename[] {
    const prev = this.byKey.get(key)
    if (prev && prev.meshNick === meshNick) { this.touch(prev); return [] }
    const base = ircBase(meshNick)
    const touched = new Set<string>([key])
    if (prev) { this.unlink(prev); for (const k of this.byBase.get(foldNick(prev.base)) ?? []) touched.add(k) }
    else if (this.byKey.size >= MAX_IRC_KNOWN_KEYS) this.forget(this.byKey.keys().next().value as string)
    const entry: Entry = { key, meshNick, base, irc: '' }
    this.byKey.set(key, entry)
    const group = this.byBase.get(foldNick(base)) ?? new Set<string>()
    group.add(key)
    this.byBase.set(foldNick(base), group)
    for (const k of group) touched.add(k)
    const renames: Rename[] = []
    for (const k of touched) {
      const e = this.byKey.get(k)
      if (!e) continue
      const old = e === entry ? prev?.irc ?? '' : e.irc
      if (e.irc) this.byIrc.delete(foldNick(e.irc))
      e.irc = this.display(e)
      this.byIrc.set(foldNick(e.irc), k)
      if (old && old !== e.irc) renames.push({ key: k, old, nick: e.irc })
    }
    return renames
  }

  /** Local nicks (this node's, its IRC clients') changed: peers sharing a new one get their tag, and an old one's may lose it. */
  localChanged (...nicks: string[]): Rename[] {
    const renames: Rename[] = []
    for (const base of new Set(nicks.map(foldNick))) {
      for (const k of this.byBase.get(base) ?? []) {
        const e = this.byKey.get(k)!
        const irc = this.display(e)
        if (irc === e.irc) continue
        this.byIrc.delete(foldNick(e.irc))
        renames.push({ key: k, old: e.irc, nick: irc })
        e.irc = irc
        this.byIrc.set(foldNick(irc), k)
      }
    }
    return renames
  }

  private display (e: Entry): string {
    const group = this.byBase.get(foldNick(e.base))
    const unique = (group?.size ?? 0) <= 1 && !this.local(foldNick(e.base))
    return unique && e.base === e.meshNick ? e.base : `${e.base}|${this.tag(e.key)}`
  }

  private touch (e: Entry): void { this.byKey.delete(e.key); this.byKey.set(e.key, e) }

  private unlink (e: Entry): void {
    const group = this.byBase.get(foldNick(e.base))
    group?.delete(e.key)
    if (group && group.size === 0) this.byBase.delete(foldNick(e.base))
    if (this.byIrc.get(foldNick(e.irc)) === e.key) this.byIrc.delete(foldNick(e.irc))
  }

  private forget (key: string): void {
    const e = this.byKey.get(key)
    if (!e) return
    this.unlink(e)
    this.byKey.delete(key)
  }
}
