// What the terminal view prints for the outcome of a command, pure: lines
// with their level. Outcomes that act on the view itself (connecting,
// clear, quit) are handled by the view.
import type { ChatNode, WhoisInfo } from '../../core/types'
import type { Outcome } from '../../core/command-runner'
import { parseLine, findCommand, usage } from '../../core/commands'
import { formatTime, type SystemLevel } from './format'
import { padEnd, strWidth } from './text'

export const KEY_HELP = 'keys: Enter send · ↑/↓ history · Tab complete · Alt-1..9, Ctrl-N/Ctrl-P buffers · PgUp/PgDn or wheel scroll · Ctrl-L redraw · Ctrl-C quit'

export interface OutputContext {
  node: ChatNode
  /** `nick#tag` for a key. */
  label: (key: string, nick?: string) => string
  now: number
  /** Columns of the message pane: /who fills its rows with names. */
  width?: number
}

/** Members /who names in the view; the rest are counted (a room of 10,000 would push every other line out of the buffer). */
export const WHO_MAX_SHOWN = 500
/** A name in /who's columns is cut to this many columns. */
const WHO_COLUMN_MAX = 28
/** The columns a system line's time and marker take before its text (`11:45 -!- `). */
const SYSTEM_PREFIX_COLUMNS = 10

export type OutputLine = [SystemLevel, string]

export function outcomeLines (line: string, o: Outcome, ctx: OutputContext): OutputLine[] {
  const out = (text: string): OutputLine => ['output', text]
  switch (o.kind) {
    case 'none': case 'sent': case 'connecting': case 'clear': case 'quit': return []
    case 'help':
      if (o.command !== undefined) return o.lines.map(out)
      return [out('commands (/help COMMAND for one):'), ...o.lines.map(l => out('  ' + l)), out(KEY_HELP)]
    case 'peers':
      if (o.peers.length === 0) return [out('no peers linked; /connect HOST:PORT to dial one')]
      return [
        out(`${o.peers.length} peer${o.peers.length === 1 ? '' : 's'} linked:`),
        ...o.peers.map(p => out(`  ${ctx.label(p.peer, p.nick)}  ${p.via} ${p.address}${p.score < 0 ? `  score ${p.score}` : ""}${p.dropped ? `  dropped ${p.dropped}` : ""}`))
      ]
    case 'nick': return [out(`you are now known as ${ctx.label(ctx.node.id, o.nick)}`)]
    case 'joined': return [out(`joined #${o.room}; your lines now go there (/room to switch, /leave to part)`)]
    case 'left': return [out(`left #${o.room}${o.message ? ` (${o.message})` : ''}; now in #${ctx.node.room}`)]
    case 'room': return [out(`now talking in #${o.room}`)]
    case 'rooms': return [out(`your rooms: ${o.rooms.map(r => r === o.room ? `#${r} (current)` : `#${r}`).join(', ')}; /room ROOM to switch`)]
    case 'query': return [out(`private conversation with ${ctx.label(o.peer, o.nick)}: lines typed here go only to them; /leave closes it`)]
    case 'ignored': return [out(o.added ? `ignoring ${o.label} (key ${o.peer.slice(0, 16)}…); /unignore to undo` : `${o.label} was already ignored`)]
    case 'unignored': return [out(o.removed ? `no longer ignoring ${o.label}` : `${o.label} was not ignored`)]
    case 'ignores':
      if (o.list.length === 0) return [out('you ignore no one; /ignore TARGET to hide someone\'s lines')]
      return [out(`ignoring ${o.list.length}:`), ...o.list.map(e => out(`  ${e.label}  ${e.key}`))]
    case 'members': return memberLines(o, ctx).map(out)
    case 'whois': return whoisLines(o.info, ctx.now, ctx.label).map(out)
    case 'error': return [['error', withUsage(line, o.message)]]
    default:
      // A command added to the core that this view does not format yet.
      return [out(`${line.trim()}: done`)]
  }
}

/**
 * The lines /who prints: a count, then the names in columns as wide as the
 * pane allows (IRC clients print NAMES so), you first, then by nick; past
 * WHO_MAX_SHOWN the rest are counted, with how to narrow the list.
 */
export function memberLines (o: Extract<Outcome, { kind: 'members' }>, ctx: OutputContext): string[] {
  const names = [...o.members].sort((a, b) => Number(b.self) - Number(a.self) || a.nick.localeCompare(b.nick, undefined, { numeric: true, sensitivity: 'base' }))
    .slice(0, WHO_MAX_SHOWN).map(m => `${ctx.label(m.peer, m.nick)}${m.self ? ' (you)' : ''}`)
  const hidden = o.members.length - names.length
  const head = o.pattern === undefined ? `#${o.room}: ${o.total} here` : `#${o.room}: ${o.members.length} of ${o.total} here match '${o.pattern}'`
  const lines = [hidden > 0 ? `${head}; ${names.length} shown (/who #${o.room} PATTERN narrows the list)` : head]
  const column = Math.min(WHO_COLUMN_MAX, Math.max(0, ...names.map(strWidth))) + 2
  const perRow = Math.max(1, Math.floor(((ctx.width ?? 80) - SYSTEM_PREFIX_COLUMNS - 2) / column))
  for (let i = 0; i < names.length; i += perRow) lines.push('  ' + names.slice(i, i + perRow).map(n => padEnd(n, column - 2)).join('  ').trimEnd())
  if (hidden > 0) lines.push(`  … and ${hidden} more`)
  return lines
}

/** The lines /whois prints. */
export function whoisLines (w: WhoisInfo, now: number, label: (key: string, nick: string) => string): string[] {
  const hops = w.hops === null ? 'unknown hops' : `${w.hops} hop${w.hops === 1 ? '' : 's'}`
  return [
    label(w.peer, w.nick),
    `  key       ${w.peer}`,
    `  nicks     ${w.nicks.join(', ') || '-'}`,
    `  addresses ${w.addresses.join(', ') || '-'}`,
    `  rooms     ${w.rooms.map(r => '#' + r).join(' ') || '-'}`,
    `  reached   ${w.reached === 'direct' ? `directly over ${w.via ?? '?'}${w.remote ? ` at ${w.remote}` : ''}${w.found ? `, found by ${w.found}` : ''}` : `through the mesh, ${hops}`}`,
    `  seen      first ${formatTime(w.firstSeen, now)}, last ${formatTime(w.lastSeen, now)}`
  ]
}

/** Adds the usage of the command a failed line named, unless the message has it. */
export function withUsage (line: string, message: string): string {
  if (/usage:/.test(message)) return message
  const parsed = parseLine(line)
  if (parsed.type !== 'command') return message
  const spec = findCommand(parsed.name)
  return spec ? `${message} (usage: ${usage(spec)})` : message
}
