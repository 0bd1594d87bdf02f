// Makes peer text safe to show on a terminal or send as one line: strips ANSI
// escape sequences, control characters and bidi overrides (a peer must not be
// able to move the cursor, recolour the screen or fake a line of its own).

/** CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and other two-byte ESC sequences; also the 8-bit CSI. */
const ANSI_RE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g
/** Line breaks and tabs become spaces so a message stays on one line. */
const SPACE_RE = /[\t\n\r\v\f\u2028\u2029]+/g
/** Remaining C0/C1 controls, DEL, and bidi embedding/override/isolate marks. */
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** Returns `text` with escape sequences and control characters removed, on one line. */
export function sanitizeText (text: string): string {
  return String(text).replace(ANSI_RE, '').replace(SPACE_RE, ' ').replace(CONTROL_RE, '')
}
