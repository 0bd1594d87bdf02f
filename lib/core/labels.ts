// How every front end names a person: `nick#tag` from one Labeler (the
// directory's, whose tags grow past 4 hex digits where two known keys share
// them), a guest of a text gateway as `guest-1 via gw#3fa2`, and one plain-text
// line for a room message (the gateway and the anchor log both print it).
import { sanitizeText } from './sanitize'

/** Between a guest's name and its gateway's label: `guest-1 via gw#3fa2` (nicks hold no spaces, so this never occurs in one). */
export const GUEST_VIA = ' via '

/** `nick#tag` for a key, with a tag long enough to tell every known key apart. */
export type Labeler = (key: string, nick: string) => string

/** What a Labeler is taken from: anything with the node's `label`. */
export interface LabelSource { label (key: string, nick?: string): string }

/** The node's own labels (its directory's disambiguated tags). */
export function nodeLabeler (node: LabelSource): Labeler {
  return (key, nick) => node.label(key, nick)
}

/** The parts of a message that say who wrote it. */
export interface Authored {
  nick: string
  /** The author's key (hex); for a guest line, the gateway node's key. */
  from: string
  /** For a guest line posted by a text gateway: the gateway node's nick. */
  via?: string
}

/**
 * Who wrote a message: `bob#3fa2`, or for a guest `guest-1 via gw#3fa2` (the
 * guest name, then the label of the gateway that signed the line). Nicks go through
 * `clean` (sanitising by default) before they are shown.
 */
export function authorLabel (m: Authored, label: Labeler, clean: (s: string) => string = sanitizeText): string {
  if (m.via !== undefined) return `${clean(m.nick)}${GUEST_VIA}${label(m.from, clean(m.via))}`
  return label(m.from, clean(m.nick))
}

/** A room message as one plain-text line: `bob#3fa2: hi`, `guest-1 via gw#3fa2: hi`, `* bob#3fa2 waves` (a /me), `... (history)`. */
export function plainLine (m: Authored & { text: string; history?: boolean; action?: boolean }, label: Labeler): string {
  const body = m.action ? `* ${authorLabel(m, label)} ${sanitizeText(m.text)}` : `${authorLabel(m, label)}: ${sanitizeText(m.text)}`
  return `${body}${m.history ? ' (history)' : ''}`
}
