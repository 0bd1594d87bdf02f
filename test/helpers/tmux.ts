// A private tmux server for end-to-end terminal tests: sessions are real
// terminals; keys go in with `send-keys`, the screen comes back with
// `capture-pane`. One server per test file (its own socket name), killed and
// its socket file removed by close().
import { execFileSync } from 'child_process'
import fs from 'fs'

const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Whether `cmd arg` runs (e.g. `tmux -V`, `irssi --version`). */
export function installed (cmd: string, arg: string): boolean {
  try { execFileSync(cmd, [arg], { stdio: 'ignore' }); return true } catch { return false }
}

export class TmuxServer {
  readonly env: NodeJS.ProcessEnv

  /** `socket`: a name unique to the test file and process; `env` is added to a UTF-8 environment without TMUX. */
  constructor (readonly socket: string, env: NodeJS.ProcessEnv = {}, unset: string[] = []) {
    this.env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', ...env }
    for (const k of ['TMUX', ...unset]) delete this.env[k]
  }

  run (...args: string[]): string {
    return execFileSync('tmux', ['-u', '-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: this.env, stdio: ['ignore', 'pipe', 'pipe'] })
  }

  screen (session: string): string { return this.run('capture-pane', '-p', '-t', session) }

  hasSession (name: string): boolean {
    try { this.run('has-session', '-t', name); return true } catch { return false }
  }

  async waitScreen (session: string, re: RegExp, what: string, timeoutMs = 15_000): Promise<string> {
    const end = Date.now() + timeoutMs
    let last = ''
    while (Date.now() < end) {
      last = this.screen(session)
      if (re.test(last)) return last
      await wait(100)
    }
    throw new Error(`${session}: timed out waiting for ${what}; screen was:\n${last}`)
  }

  /** Types text literally, then Enter. */
  typeLine (session: string, text: string): void {
    this.run('send-keys', '-t', session, '-l', text)
    this.run('send-keys', '-t', session, 'Enter')
  }

  /** Kills the server and removes the socket file tmux can leave behind. */
  close (): void {
    try { this.run('kill-server') } catch {}
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0
    fs.rmSync(`${process.env.TMUX_TMPDIR ?? '/tmp'}/tmux-${uid}/${this.socket}`, { force: true })
  }
}
