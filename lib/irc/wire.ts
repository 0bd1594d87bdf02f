// IRC lines in and out: irc-framework's parser and serializer, the checks a
// client line must pass (length, no NUL or bare CR), and what makes mesh text
// safe to put in an IRC line (no CR, LF or NUL; IRC formatting codes kept).
// irc-framework's ircLineParser and Message, loaded without its client (start-up time).
import ircLineParser = require('irc-framework/src/irclineparser')
import Message = require('irc-framework/src/ircmessage')
import { MeshError } from '../protocol/errors'
import { sanitizeText } from '../core/sanitize'
import { MAX_IRC_LINE_BYTES, MAX_IRC_TAG_BYTES } from './limits'

export { Message }
export type Tags = Record<string, string | true>

/** A parsed client line. */
export interface IrcLine { command: string; params: string[]; tags: Tags }

/**
 * Checks and parses one client line (without its CRLF). Throws BINARY_INPUT
 * for a NUL or a CR inside the line, LINE_TOO_LONG past MAX_IRC_LINE_BYTES
 * (tags excluded) or MAX_IRC_TAG_BYTES of tags.
 */
export function parseClientLine (bytes: Buffer): IrcLine {
  if (bytes.includes(0)) throw new MeshError('BINARY_INPUT', 'the line holds a NUL byte; it was dropped')
  if (bytes.includes(0x0d)) throw new MeshError('BINARY_INPUT', 'the line holds a CR that does not end it; it was dropped')
  let tagBytes = 0
  if (bytes[0] === 0x40) {
    const space = bytes.indexOf(0x20)
    tagBytes = space === -1 ? bytes.length : space + 1
    if (tagBytes > MAX_IRC_TAG_BYTES) throw lineTooLong(`its tags are ${tagBytes} bytes, more than ${MAX_IRC_TAG_BYTES}`)
  }
  if (bytes.length - tagBytes + 2 > MAX_IRC_LINE_BYTES) throw lineTooLong(`it is ${bytes.length - tagBytes + 2} bytes with CRLF, more than ${MAX_IRC_LINE_BYTES}`)
  const m = ircLineParser(bytes.toString('utf8'))
  return { command: m.command, params: m.params, tags: m.tags }
}

export function lineTooLong (why: string): MeshError {
  return new MeshError('LINE_TOO_LONG', `input line was too long: ${why}; it was dropped`)
}

/** Commands whose last parameter is a name, sent without `:` (`:bob!u@h JOIN #rust`); every other last parameter is trailing. */
const BARE_LAST = new Set(['JOIN', 'NICK', 'MODE'])

/**
 * One line to a client, CRLF added: irc-framework's Message serializes the
 * prefix, tags and middle parameters; the last parameter goes as a trailing
 * one (`:text`) except after JOIN, NICK and MODE (and always when it holds a
 * space, starts with `:` or is empty). CR, LF and NUL are removed from every
 * parameter first, whatever called this.
 */
export function serialize (prefix: string, command: string, params: string[], tags?: Tags): string {
  const safe = params.map(p => p.replace(/[\r\n\0]/g, ' '))
  const last = safe.pop()
  const m = new Message(command, ...safe)
  m.prefix = prefix.replace(/[\r\n\0 ]/g, '')
  if (tags) m.tags = tags
  let line = m.to1459()
  if (last !== undefined) {
    const bare = BARE_LAST.has(command) && last !== '' && !last.includes(' ') && !last.startsWith(':')
    line += bare ? ` ${last}` : ` :${last}`
  }
  return line + '\r\n'
}

/** IRC formatting codes: bold, colour (with its digits), hex colour, reset, monospace, reverse, italic, strike, underline. */
const FORMATTING = /(\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f])/

/**
 * Mesh text made fit for an IRC line: the shared sanitiser removes escape
 * sequences, controls (CR, LF and NUL among them) and bidi overrides from
 * each piece between IRC formatting codes, which pass through as they are.
 */
export function ircText (text: string): string {
  return String(text).split(FORMATTING).map((piece, i) => i % 2 === 1 ? piece : sanitizeText(piece)).join('')
}
