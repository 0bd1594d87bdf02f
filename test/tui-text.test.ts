// Terminal text as pure functions: sanitising peer text, column widths,
// wrapping and truncation.
import test from 'tape'
import { sanitize, strWidth, codePointWidth, wrap, truncate, padEnd, wideRanges } from '../lib/ui/tui/text'

test('sanitize: escape sequences cannot move the cursor, recolour or retitle', (t) => {
  t.equal(sanitize('\x1b[31mred\x1b[0m'), 'red', 'SGR colour')
  t.equal(sanitize('a\x1b[2J\x1b[Hb'), 'ab', 'clear screen and cursor home')
  t.equal(sanitize('a\x1b[10;20Hb'), 'ab', 'cursor position')
  t.equal(sanitize('x\x1b]0;pwned\x07y'), 'xy', 'OSC title ended by BEL')
  t.equal(sanitize('x\x1b]2;pwned\x1b\\y'), 'xy', 'OSC title ended by ST')
  t.equal(sanitize('x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\y'), 'xlinky', 'OSC 8 hyperlink')
  t.equal(sanitize('x\x1b]0;unterminated title'), 'x', 'unterminated OSC swallows the rest')
  t.equal(sanitize('x\x1bPqdcs\x1b\\y'), 'xy', 'DCS string')
  t.equal(sanitize('x\x1bcy'), 'xy', 'RIS reset')
  t.equal(sanitize('x\x1b(0y'), 'xy', 'charset switch')
  t.equal(sanitize('x\x1b7\x1b8y'), 'xy', 'save/restore cursor')
  t.equal(sanitize('x\x1b'), 'x', 'lone ESC at the end')
  t.equal(sanitize('x\x9b31my'), 'xy', '8-bit CSI is removed with its parameters')
  t.end()
})

test('sanitize: control bytes, bidi overrides, line breaks', (t) => {
  t.equal(sanitize('a\x00b\x07c\x08d\x7fe\x9df'), 'abcdef', 'NUL, BEL, BS, DEL, C1 gone')
  t.equal(sanitize('a\x85b'), 'a b', 'NEL (next line) is a line break, so a space')
  t.equal(sanitize('a\rb'), 'a b', 'CR cannot rewrite the line')
  t.equal(sanitize('a\nb'), 'a b', 'newline becomes a space by default')
  t.equal(sanitize('a\r\nb\nc', { newlines: true }), 'a\nb\nc', 'newlines kept when asked')
  t.equal(sanitize('a\tb'), 'a    b', 'tab becomes spaces')
  t.equal(sanitize('abc\u202edcba'), 'abcdcba', 'right-to-left override removed')
  t.equal(sanitize('\u2066x\u2069\u200fy'), 'xy', 'isolates and marks removed')
  t.equal(sanitize('hidden\u{e0041}\u{e0042}'), 'hidden', 'tag characters removed')
  t.equal(sanitize('e\u0301\u0301\u0301\u0301\u0301\u0301'), 'e\u0301\u0301\u0301', 'combining pile capped')
  t.equal(sanitize('plain text, ünïcödé, 中文, 😀'), 'plain text, ünïcödé, 中文, 😀', 'ordinary text untouched')
  t.equal(sanitize('{bold}not a tag{/bold}'), '{bold}not a tag{/bold}', 'braces are text (the surface escapes them)')
  t.end()
})

test('sanitize: every split of an escape sequence is still stripped or harmless', (t) => {
  const seq = 'A\x1b[1;31mB\x1b]0;T\x07C'
  for (let i = 0; i <= seq.length; i++) {
    const a = sanitize(seq.slice(0, i))
    const b = sanitize(seq.slice(i))
    t.notOk(/[\x00-\x1f\x7f-\x9f]/.test(a + b), `split at ${i} leaves no control byte`)
  }
  t.end()
})

test('widths: ASCII 1, CJK and emoji 2, combining marks 0', (t) => {
  t.equal(strWidth('hello'), 5)
  t.equal(strWidth('中文'), 4, 'CJK ideographs')
  t.equal(strWidth('한국어'), 6, 'Hangul')
  t.equal(strWidth('ｆｕｌｌ'), 8, 'fullwidth forms')
  t.equal(strWidth('😀'), 2, 'emoji')
  t.equal(strWidth('🎉👍'), 4, 'astral emoji')
  t.equal(strWidth('e\u0301'), 1, 'combining acute')
  t.equal(strWidth('a\u200bb'), 2, 'zero-width space')
  t.equal(strWidth('🇫🇷'), 2, 'regional indicators are one column each')
  t.equal(codePointWidth(0x1b), 0, 'control')
  t.equal(codePointWidth(0x3000), 2, 'ideographic space')
  t.equal(codePointWidth(0x303f), 1, 'half-fill space is narrow')
  const ranges = wideRanges()
  const inRanges = (cp: number) => ranges.some(([lo, hi]) => cp >= lo && cp <= hi)
  for (const cp of [0x4e2d, 0x1f600, 0x1f389, 0xac00, 0xff21, 0x20000]) t.ok(inRanges(cp), `U+${cp.toString(16)} listed as wide`)
  for (const cp of [0x41, 0xe9, 0x301, 0x1f1eb, 0x303f]) t.notOk(inRanges(cp), `U+${cp.toString(16)} not listed as wide`)
  t.end()
})

test('wrap: at spaces, inside long words only, never past the width', (t) => {
  t.deepEqual(wrap('the quick brown fox', 10), ['the quick', 'brown fox'])
  t.deepEqual(wrap('short', 10), ['short'])
  t.deepEqual(wrap('', 10), [''], 'empty text is one empty row')
  t.deepEqual(wrap('abcdefghijkl', 5), ['abcde', 'fghij', 'kl'], 'a long word is cut')
  t.deepEqual(wrap('ab abcdefghij', 5), ['ab ab', 'cdefg', 'hij'], 'a long word fills the row it starts on')
  t.deepEqual(wrap('one\ntwo', 10), ['one', 'two'], 'newline breaks')
  t.deepEqual(wrap('aaa bbb ccc', 20, 5), ['aaa', 'bbb ccc'], 'narrower first row')
  t.deepEqual(wrap('中文中文中文', 5), ['中文', '中文', '中文'], 'wide characters are not split across rows')
  t.deepEqual(wrap('ab😀cd', 3), ['ab', '😀c', 'd'], 'emoji take two columns')
  t.deepEqual(wrap('e\u0301e\u0301e\u0301', 2), ['e\u0301e\u0301', 'e\u0301'], 'combining marks stay with their letter')
  // Columns counted here independently of strWidth: in these texts only 中, 文 and 😀 are wide.
  const columns = (s: string) => [...s].reduce((n, c) => n + (/[中文😀]/u.test(c) ? 2 : 1), 0)
  for (const text of ['the quick brown 中文 fox 😀😀 jumps', 'x'.repeat(50), 'a b c d e f g h i j']) {
    for (let w = 2; w <= 12; w++) {
      const rows = wrap(text, w)
      t.ok(rows.every(r => columns(r) <= w), `"${text.slice(0, 12)}…" fits ${w} columns`)
      t.equal(rows.join('').replace(/ /g, ''), text.replace(/ /g, ''), `"${text.slice(0, 12)}…" loses nothing at ${w}`)
    }
  }
  t.end()
})

test('truncate and padEnd count columns', (t) => {
  t.equal(truncate('hello world', 8), 'hello w…')
  t.equal(truncate('hello', 8), 'hello')
  t.equal(truncate('中文中文', 5), '中文…', 'a wide character that does not fit is dropped')
  t.equal(truncate('abc', 0), '')
  t.equal(padEnd('中', 4), '中  ')
  t.equal(padEnd('😀 long text here', 6), '😀 lo…', 'too long: cut to exactly 6 columns (😀 is 2)')
  t.end()
})
