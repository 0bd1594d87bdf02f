// Splits a line that is too long for one message into consecutive pieces,
// the way IRC clients split a long paste: each piece at most `maxBytes` of
// UTF-8, cut between code points (never inside a character, never between
// the halves of a surrogate pair), at the last space of a piece when there
// is one in its second half. Used by the terminal view and the text gateway;
// headless mode keeps refusing with TEXT_TOO_LONG.
import { MAX_TEXT_BYTES } from '../protocol/limits'

/** Pieces one long line may become; beyond it the rest is refused (a paste of a whole file is a mistake, not a chat). */
export const MAX_SPLIT_PIECES = 16

/** A cut at a space is taken only when the piece keeps at least this share of its byte budget. */
const MIN_SPACE_CUT_SHARE = 0.5

function utf8Bytes (cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
}

/**
 * The pieces of `text`, each at most `maxBytes` bytes of UTF-8 and none
 * blank; a text that fits comes back alone. Spaces at a cut are dropped.
 */
export function splitText (text: string, maxBytes: number = MAX_TEXT_BYTES): string[] {
  if (!Number.isInteger(maxBytes) || maxBytes < 4) throw new RangeError(`maxBytes ${maxBytes} is below one character`)
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return [text]
  const pieces: string[] = []
  let rest = text
  while (rest.length > 0) {
    if (Buffer.byteLength(rest, 'utf8') <= maxBytes) { pieces.push(rest); break }
    // The longest prefix that fits, in UTF-16 units, and the last space in it.
    let bytes = 0
    let end = 0
    let space = -1
    for (const ch of rest) {
      const n = utf8Bytes(ch.codePointAt(0)!)
      if (bytes + n > maxBytes) break
      bytes += n
      if (ch === ' ') space = end
      end += ch.length
    }
    const cut = space > 0 && Buffer.byteLength(rest.slice(0, space), 'utf8') >= maxBytes * MIN_SPACE_CUT_SHARE ? space : end
    const piece = rest.slice(0, cut).replace(/ +$/, '')
    if (piece.trim() !== '') pieces.push(piece)
    rest = rest.slice(cut).replace(/^ +/, '')
  }
  return pieces
}
