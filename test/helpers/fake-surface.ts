// A fake surface for the terminal view and a two-node memory mesh behind it:
// what a person sees after each event and key, without a terminal.
import type test from 'tape'
import { TerminalView, type TerminalViewOptions } from '../../lib/ui/tui/terminal-view'
import type { Frame, Key, Surface, SurfaceHandlers } from '../../lib/ui/tui/surface'
import type { Ignores } from '../../lib/core/command-runner'
import { rowText } from '../../lib/ui/tui/style'
import { MemMesh } from './mesh'
import type { NodeOptions } from '../../lib/core/options'

export class FakeSurface implements Surface {
  frames: Frame[] = []
  bells = 0
  destroyed = false
  color = true
  constructor (readonly handlers: SurfaceHandlers, public width = 100, public height = 20) {}
  draw (frame: Frame): void { this.frames.push(frame) }
  redraw (): void {}
  bell (): void { this.bells++ }
  destroy (): void { this.destroyed = true }
  get last (): Frame { return this.frames[this.frames.length - 1] }
  pane (): string[] { return this.last.messages.map(rowText) }
  paneText (): string { return this.pane().join('\n') }
}

export function key (name: string, mods: Partial<Key> = {}): Key {
  return { name, ctrl: false, meta: false, shift: false, ...mods }
}

/** `nodes`: how many nodes the mesh has (2: alice, whose view this is, and bob; more are m2, m3, ...), none linked yet. */
export async function setup (t: test.Test, width = 100, height = 20, extra: { ignores?: Ignores; mesh?: Partial<NodeOptions>; nodes?: number; presenceBursts?: TerminalViewOptions['presenceBursts'] } = {}) {
  // The view's tests send other members' lines in bursts as soon as the two nodes link; no author is held as young here.
  const mesh = new MemMesh(extra.nodes ?? 2, { ...extra.mesh, timing: { tickMs: 50, ...extra.mesh?.timing, youngAuthorMs: 0 } })
  mesh.nodes.forEach((n, i) => n.setNick(i === 0 ? 'alice' : i === 1 ? 'bob' : `m${i}`))
  const quits: Array<string | undefined> = []
  let surface!: FakeSurface
  const view = new TerminalView({
    node: mesh.nodes[0],
    surface: h => (surface = new FakeSurface(h, width, height)),
    onQuit: (message?: string) => { quits.push(message) },
    ignores: extra.ignores,
    renderDelayMs: 0,
    presenceBursts: extra.presenceBursts
  })
  view.start()
  t.teardown(async () => { view.stop(); await mesh.close() })
  const keys = (...ks: Key[]) => { for (const k of ks) surface.handlers.onKey(k) }
  const type = (s: string) => { for (const ch of s) surface.handlers.onKey({ ch, ctrl: false, meta: false, shift: false }); surface.handlers.onKey(key('enter')) }
  const settle = async () => { await new Promise(resolve => setTimeout(resolve, 5)); view.render() }
  return { mesh, view, get surface () { return surface }, type, keys, settle, quits: () => quits.length, quitMessages: quits }
}

