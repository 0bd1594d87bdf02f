// The one module that imports blessed. It paints the rows the view computed
// into four plain boxes and reports keys, wheel turns and resizes.
//
// blessed 0.1.81's textbox/textarea type each character twice once they are
// re-focused after a submit (upstream issues 435, 362, 109). This surface has
// no focusable widget at all: it reads keypresses from the screen, and the
// input line is a plain box the view redraws, so the bug cannot happen.
//
// Two more corrections to blessed, kept here:
// - Column widths: blessed counts most emoji as one column while terminals
//   draw two, which shifts everything after them. Its width functions are
//   pointed at ours (text.ts, wcwidth rules) so both agree.
// - Dim text: blessed has no SGR 2. The 'blink' attribute, unused otherwise,
//   is drawn as dim.
import blessed from 'blessed'
import { codePointWidth, wideRanges } from './text'
import type { Row, Style } from './style'
import type { Frame, Key, Surface, SurfaceHandlers } from './surface'

let patched = false

function patchBlessedWidths (): void {
  if (patched) return
  patched = true
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const unicode = require('blessed/lib/unicode')
  const tabWidth = 4
  unicode.charWidth = (str: string | number, i?: number): number => {
    const cp = typeof str === 'number' ? str : unicode.codePointAt(str, i || 0)
    if (cp === 0x09) return tabWidth
    return codePointWidth(cp)
  }
  const hex = (n: number) => n.toString(16)
  const cls = wideRanges().map(([lo, hi]) => lo === hi ? `\\u{${hex(lo)}}` : `\\u{${hex(lo)}}-\\u{${hex(hi)}}`).join('')
  // blessed puts a placeholder cell after every match of this (group 1).
  unicode.chars.all = new RegExp(`([${cls}])`, 'gu')
  unicode.combining = new Proxy({}, {
    get: (_t, prop) => {
      const cp = Number(prop)
      return Number.isInteger(cp) && cp >= 0xa0 && codePointWidth(cp) === 0
    }
  })
}

/** Rewrites SGR 5 (blink) as SGR 2 (dim) in an output string, leaving 38;5;N and 48;5;N alone. */
export function blinkToDim (text: string): string {
  if (!text.includes('\x1b[')) return text
  return text.replace(/\x1b\[([0-9;]*)m/g, (whole, params: string) => {
    if (!/(^|;)5(;|$)/.test(params)) return whole
    const p = params.split(';')
    for (let i = 0; i < p.length; i++) {
      if ((p[i] === '38' || p[i] === '48') && (p[i + 1] === '5' || p[i + 1] === '2')) { i += p[i + 1] === '5' ? 2 : 4; continue }
      if (p[i] === '5') p[i] = '2'
      else if (p[i] === '25') p[i] = '22'
    }
    return `\x1b[${p.join(';')}m`
  })
}

function patchDim (program: any): void {
  const write = program._owrite
  program._owrite = program.write = function (text: string) {
    return write.call(this, typeof text === 'string' ? blinkToDim(text) : text)
  }
}

function tagName (c: string): string { return c.replace(/ /g, '-') }

function toTags (row: Row, color: boolean): string {
  let out = ''
  for (const s of row) {
    if (!s.text) continue
    const st: Style = s.style ?? {}
    const open: string[] = []
    if (color && st.fg) open.push(`${tagName(st.fg)}-fg`)
    if (color && st.bg) open.push(`${tagName(st.bg)}-bg`)
    if (st.bold) open.push('bold')
    if (st.underline) open.push('underline')
    if (st.inverse || (!color && st.bg)) open.push('inverse')
    if (st.dim) open.push('blink')
    const text = blessed.escape(s.text)
    out += open.length ? `${open.map(t => `{${t}}`).join('')}${text}{/}` : text
  }
  return out
}

export interface BlessedSurfaceOptions {
  input?: NodeJS.ReadableStream
  output?: NodeJS.WritableStream
  title?: string
  /** Override colour detection (tests); otherwise NO_COLOR and the terminal decide. */
  color?: boolean
}

export function createBlessedSurface (handlers: SurfaceHandlers, opts: BlessedSurfaceOptions = {}): Surface {
  patchBlessedWidths()
  const screen = blessed.screen({
    input: opts.input as any,
    output: opts.output as any,
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    autoPadding: false,
    warnings: false,
    dockBorders: false,
    title: opts.title,
    sendFocus: false
  } as any)
  const s: any = screen
  patchDim(s.program)
  // Draw box characters as UTF-8, not through the terminal's alternate
  // character set (which text capture, and some terminals, show as letters).
  s.tput.brokenACS = true
  const color = opts.color ?? (!process.env.NO_COLOR && (s.tput?.colors ?? 8) >= 8)

  const box = (o: Record<string, unknown>): any => blessed.box({ parent: screen, tags: true, wrap: false, scrollable: false, ...o } as any)
  const messages = box({ top: 0, left: 0 })
  const sidebar = box({ top: 0 })
  const status = box({ height: 1, left: 0 })
  const input = box({ height: 1, left: 0 })

  let pendingHigh = ''
  s.on('keypress', (ch: string | undefined, key: any) => {
    key = key ?? {}
    // '\r' arrives as 'return' and again as a synthesised 'enter': take one.
    if (key.name === 'return') return
    if (ch && ch.length === 1) {
      const c = ch.charCodeAt(0)
      // blessed splits input by UTF-16 unit: join surrogate pairs again.
      if (c >= 0xd800 && c <= 0xdbff) { pendingHigh = ch; return }
      if (c >= 0xdc00 && c <= 0xdfff) {
        if (!pendingHigh) return
        ch = pendingHigh + ch
        pendingHigh = ''
        handlers.onKey({ ch, ctrl: false, meta: false, shift: false })
        return
      }
    }
    pendingHigh = ''
    const name: string | undefined = key.name === 'linefeed' ? 'enter' : key.name
    const k: Key = { name, ctrl: !!key.ctrl, meta: !!key.meta, shift: !!key.shift }
    if (ch && !key.ctrl && !key.meta && ch >= ' ' && ch !== '\x7f' && name !== 'enter' && name !== 'tab' && name !== 'escape') {
      k.ch = ch
    }
    handlers.onKey(k)
  })

  s.enableMouse()
  s.on('mouse', (data: any) => {
    if (data.action === 'wheelup') handlers.onWheel(-1)
    else if (data.action === 'wheeldown') handlers.onWheel(1)
  })
  s.on('resize', () => handlers.onResize())

  let last: Frame | null = null
  let destroyed = false

  const surface: Surface = {
    get width () { return s.width as number },
    get height () { return s.height as number },
    color,
    draw (frame: Frame) {
      if (destroyed) return
      last = frame
      const w: number = s.width
      const h: number = s.height
      const paneH = Math.max(0, h - 2)
      const sw = frame.sidebar ? Math.min(frame.sidebarWidth, w) : 0
      messages.width = Math.max(1, w - sw)
      messages.height = Math.max(1, paneH)
      messages.setContent(frame.messages.map(r => toTags(r, color)).join('\n'))
      if (frame.sidebar && sw > 0) {
        sidebar.show()
        sidebar.left = w - sw
        sidebar.width = sw
        sidebar.height = Math.max(1, paneH)
        const border = '{blink}│{/} '
        const rows: string[] = []
        for (let i = 0; i < paneH; i++) rows.push(border + (frame.sidebar[i] ? toTags(frame.sidebar[i], color) : ''))
        sidebar.setContent(rows.join('\n'))
      } else {
        sidebar.hide()
      }
      status.top = Math.max(0, h - 2)
      status.width = w
      status.setContent(toTags(frame.status, color))
      input.top = Math.max(0, h - 1)
      input.width = w
      input.setContent(toTags(frame.input, color))
      screen.render()
      s.program.cup(h - 1, Math.min(frame.cursor, w - 1))
      s.program.showCursor()
    },
    redraw () {
      if (destroyed) return
      s.realloc()
      if (last) surface.draw(last)
    },
    bell () { if (!destroyed) s.program.bell() },
    destroy () {
      if (destroyed) return
      destroyed = true
      screen.destroy()
    }
  }
  return surface
}
