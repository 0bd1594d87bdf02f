// The terminal view's lines for renames and comings and goings, over a fake
// surface and real nodes on memory links, plus their pure formatting.
import test from 'tape'
import { TerminalView } from '../lib/ui/tui/terminal-view'
import { nickLine, presenceLine } from '../lib/ui/tui/format'
import type { Frame, Surface, SurfaceHandlers } from '../lib/ui/tui/surface'
import { rowText } from '../lib/ui/tui/style'
import { MemMesh } from './helpers/mesh'

class FakeSurface implements Surface {
  frames: Frame[] = []
  color = true
  constructor (readonly handlers: SurfaceHandlers, public width = 100, public height = 20) {}
  draw (frame: Frame): void { this.frames.push(frame) }
  redraw (): void {}
  bell (): void {}
  destroy (): void {}
  get last (): Frame { return this.frames[this.frames.length - 1] }
  paneText (): string { return this.last.messages.map(rowText).join('\n') }
}

test('format: rename and presence lines', (t) => {
  t.equal(nickLine('bob#f16b', 'bobby#f16b'), 'bob#f16b is now known as bobby#f16b')
  t.equal(presenceLine('bob#f16b', { room: 'lobby', state: 'join' }), 'bob#f16b joined #lobby')
  t.equal(presenceLine('bob#f16b', { room: 'lobby', state: 'leave' }), 'bob#f16b left #lobby', 'a timeout says nothing more')
  t.equal(presenceLine('bob#f16b', { room: 'lobby', state: 'leave', reason: 'quit', message: 'see\x1b[2J you' }), 'bob#f16b left #lobby (quit: see you)', 'reason and message, escapes stripped')
  t.equal(presenceLine('carol@gw#3fa2', { room: 'lobby', state: 'leave', reason: 'part' }), 'carol@gw#3fa2 left #lobby (part)')
  t.end()
})

test('view: a peer rename is one line and renames the sidebar; a part shows its reason and message', async (t) => {
  t.timeoutAfter(5000)
  const mesh = new MemMesh(2, { timing: { tickMs: 50, presenceIntervalMs: 30_000, presenceTimeoutMs: 75_000 }, rooms: ['lobby', 'team'] })
  mesh.nodes[0].setNick('alice')
  mesh.nodes[1].setNick('bob')
  let surface!: FakeSurface
  const view = new TerminalView({ node: mesh.nodes[0], surface: h => (surface = new FakeSurface(h)), onQuit: () => {}, renderDelayMs: 0 })
  view.start()
  t.teardown(async () => { view.stop(); await mesh.close() })
  mesh.connect(0, 1)
  t.ok(await mesh.until(() => mesh.nodes[0].who('team').length === 2), 'bob is in #team')
  mesh.nodes[1].setNick('bobby')
  t.ok(await mesh.until(() => /is now known as/.test(surface.paneText())), 'rename line shown')
  view.render()
  t.match(surface.paneText(), /-!- bob#([0-9a-f]{4}) is now known as bobby#\1/, 'old and new label, same tag')
  t.match(surface.last.sidebar!.map(rowText).join('\n'), /● bobby#/, 'sidebar shows the new nick')
  mesh.nodes[1].leave('team', 'lunch')
  // The part line goes to #team's buffer (buffer 2), not the current one.
  t.ok(await mesh.until(() => mesh.nodes[0].who('team').length === 1), 'bob left #team')
  surface.handlers.onKey({ name: '2', ctrl: false, meta: true, shift: false })
  t.ok(await mesh.until(() => /left #team/.test(surface.paneText())), 'part line shown in #team')
  view.render()
  t.match(surface.paneText(), /bobby#[0-9a-f]{4} left #team \(part: lunch\)/, 'reason and message')
})
