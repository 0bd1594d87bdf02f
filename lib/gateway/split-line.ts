// A guest's long line becomes several messages, the way IRC clients split a
// paste: each part fits the text limit, cut after a space when one is near
// the end, else between two characters (never inside a UTF-8 sequence or a
// surrogate pair). Local to the gateway until lib/core has a shared splitter.
import { MAX_TEXT_BYTES } from '../protocol/limits'

/** A cut goes after the last space only when the part keeps at least this share of the limit (so parts stay few). */
export const MIN_SPLIT_FILL = 0.75

/** Parts of `text`, each at most `max` UTF-8 bytes and not empty; a text that fits is one part. */
export function splitLine (text: string, max: number = MAX_TEXT_BYTES): string[] {
  const parts: string[] = []
  let rest = text
  while (Buffer.byteLength(rest) > max) {
    let cut = 0
    let bytes = 0
    let space = -1
    for (const ch of rest) {
      const n = Buffer.byteLength(ch)
      if (bytes + n > max) break
      bytes += n
      cut += ch.length
      if (ch === ' ' && bytes >= max * MIN_SPLIT_FILL) space = cut
    }
    if (cut === 0) throw new RangeError(`splitLine: a character is longer than ${max} bytes`)
    if (space > 0) cut = space
    parts.push(rest.slice(0, cut).trimEnd() || rest.slice(0, cut))
    rest = rest.slice(cut)
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest)
  return parts
}
