// Makes peer text safe to show on a terminal or send as one line: strips
// escape sequences (even unterminated ones), control characters, bidi
// overrides and hidden characters, so a peer cannot move the cursor, recolour
// the screen, retitle the window or fake a line of its own. Shared by every
// front end (terminal view, anchor log, text gateway).

// ESC sequences: CSI (also the 8-bit \x9b form), OSC/DCS/SOS/PM/APC strings (terminated by BEL or ST, or
// running to the end of the text), and two- or three-byte escapes.
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~]?)|\x9b[0-?]*[ -/]*[@-~]?/g
// Controls left after the line breaks and tabs are dealt with: C0, DEL, C1.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g
// Bidirectional overrides and isolates reorder what follows them; tag
// characters and interlinear annotations hide text; lone surrogates are broken.
const INVISIBLE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\u{e0000}-\u{e007f}]|\p{Cs}/gu
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
// More than a few stacked combining marks ("zalgo") spill into other rows.
const MARK_PILE = /(\p{M}{3})\p{M}+/gu

export interface SanitizeOptions {
  /** Keep line breaks (as '\n') instead of turning them into spaces. */
  newlines?: boolean
}

/**
 * Makes text from a peer safe to print: no escape sequence, control byte or
 * bidi override survives, so a peer cannot move the cursor, change colours or
 * retitle the window. Tabs become spaces.
 */
export function sanitize (text: string, opts: SanitizeOptions = {}): string {
  let s = String(text)
  // Printable ASCII holds nothing to strip (the common case, and a hot path of the text gateway).
  if (PRINTABLE_ASCII.test(s)) return s
  s = s.replace(ESCAPE_SEQUENCE, '')
  s = s.replace(/\r\n|[\r\n\u0085\u2028\u2029]/g, opts.newlines ? '\n' : ' ')
  s = s.replace(/\t/g, '    ')
  s = s.replace(CONTROL, '')
  s = s.replace(INVISIBLE, '')
  s = s.replace(MARK_PILE, '$1')
  return s
}

/** One-line form of sanitize(), for logs and line clients. */
export function sanitizeText (text: string): string {
  return sanitize(text)
}
