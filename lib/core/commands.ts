// The slash-command parser shared by every front end: the command table
// (with aliases), argument counts, free-text tails and the help text.
import { MeshError } from '../protocol/errors'

export interface CommandSpec {
  name: string
  args: string
  help: string
  /** Words before the free-text tail (or all the words when there is no tail). */
  min: number
  max: number
  /** The text after `max` words is one argument that keeps its spacing (required when `restRequired`). */
  rest?: boolean
  restRequired?: boolean
  /** Another name for a command (`/part` is `/leave`). */
  alias?: string
}

export const COMMANDS: CommandSpec[] = [
  { name: 'help', args: '[COMMAND]', help: 'list the commands, or explain one', min: 0, max: 1 },
  { name: 'nick', args: 'NAME', help: 'change your display name (one word)', min: 1, max: 1 },
  { name: 'peers', args: '', help: 'list the peers you are linked to', min: 0, max: 0 },
  { name: 'connect', args: 'HOST:PORT', help: 'dial a peer once', min: 1, max: 1 },
  { name: 'join', args: 'ROOM', help: 'join a room and make it current', min: 1, max: 1 },
  { name: 'leave', args: '[ROOM] [MESSAGE]', help: 'leave a room (default: the current one), with a parting message', min: 0, max: 0, rest: true },
  { name: 'part', args: '[ROOM] [MESSAGE]', help: 'same as /leave', min: 0, max: 0, rest: true, alias: 'leave' },
  { name: 'room', args: '[ROOM]', help: 'switch the room your lines go to; alone, list your rooms', min: 0, max: 1 },
  { name: 'msg', args: 'TARGET TEXT', help: 'private message to nick, nick#tag or key prefix', min: 1, max: 1, rest: true, restRequired: true },
  { name: 'query', args: 'TARGET', help: 'open a private conversation; lines typed there go to TARGET', min: 1, max: 1 },
  { name: 'me', args: 'ACTION', help: 'say what you do: /me waves shows "* you waves"', min: 0, max: 0, rest: true, restRequired: true },
  { name: 'who', args: '[ROOM] [PATTERN]', help: 'list everyone reachable in a room; with PATTERN, those whose nick#tag contains it', min: 0, max: 2 },
  { name: 'names', args: '[ROOM] [PATTERN]', help: 'same as /who', min: 0, max: 2, alias: 'who' },
  { name: 'whois', args: 'TARGET', help: 'full key, nicks, addresses and route of a peer', min: 1, max: 1 },
  { name: 'ignore', args: '[TARGET]', help: 'hide the lines of a key, here only and across restarts; alone, list them', min: 0, max: 1 },
  { name: 'unignore', args: 'TARGET', help: 'show the lines of an ignored key again', min: 1, max: 1 },
  { name: 'clear', args: '', help: 'clear the message pane', min: 0, max: 0 },
  { name: 'quit', args: '[MESSAGE]', help: 'say goodbye, close all links and exit', min: 0, max: 0, rest: true }
]

export type ParsedLine =
  | { type: 'text'; text: string }
  /** `name` is the command's own name (an alias is resolved); `rest` is the free-text tail, if any. */
  | { type: 'command'; name: string; args: string[]; rest?: string }
  | { type: 'error'; error: MeshError }
  | { type: 'empty' }

export function usage (spec: CommandSpec): string {
  return `/${spec.name}${spec.args ? ' ' + spec.args : ''}`
}

export function findCommand (name: string): CommandSpec | undefined {
  return COMMANDS.find(c => c.name === name.toLowerCase().replace(/^\//, ''))
}

/** Why a command's argument words do not fit, as one line naming the problem. */
function argumentError (spec: CommandSpec, words: string[]): MeshError {
  if (spec.name === 'nick' && words.length > 1) {
    return new MeshError('BAD_NICK', `a nick is one word: '${words.join(' ')}' has spaces (usage: ${usage(spec)})`)
  }
  if (words.length < spec.min || (spec.restRequired && words.length <= spec.max)) {
    return new MeshError('BAD_COMMAND', `usage: ${usage(spec)}`)
  }
  return new MeshError('BAD_COMMAND', `/${spec.name} takes ${spec.max === 0 ? 'no arguments' : `at most ${spec.max}`}, got ${words.length}: '${words.join(' ')}' (usage: ${usage(spec)})`)
}

export function parseLine (line: string): ParsedLine {
  const trimmed = line.replace(/[\r\n]+$/, '')
  if (trimmed.trim() === '') return { type: 'empty' }
  // "//text" sends a line that starts with a slash.
  if (trimmed.startsWith('//')) return { type: 'text', text: trimmed.slice(1) }
  if (!trimmed.startsWith('/')) return { type: 'text', text: trimmed }
  const body = trimmed.slice(1).replace(/^\s+/, '')
  const name = (/^\S+/.exec(body)?.[0] ?? '').toLowerCase()
  const spec = findCommand(name)
  if (!spec) return { type: 'error', error: new MeshError('UNKNOWN_COMMAND', `unknown command /${name}; try /help`) }
  const canonical = spec.alias ?? spec.name
  let tail = body.slice(name.length).replace(/^\s+/, '')
  const args: string[] = []
  if (spec.rest) {
    // The first `max` words are arguments; the rest keeps its spacing.
    while (args.length < spec.max && tail !== '') {
      const w = /^\S+/.exec(tail)![0]
      args.push(w)
      tail = tail.slice(w.length).replace(/^\s+/, '')
    }
    const rest = tail.replace(/\s+$/, '')
    if (args.length < spec.min || (spec.restRequired && rest === '')) return { type: 'error', error: argumentError(spec, args) }
    return rest === '' ? { type: 'command', name: canonical, args } : { type: 'command', name: canonical, args, rest }
  }
  const words = tail.split(/\s+/).filter(Boolean)
  if (words.length < spec.min || words.length > spec.max) return { type: 'error', error: argumentError(spec, words) }
  return { type: 'command', name: canonical, args: words }
}

/** Every command, one line each (aliases included). */
export function helpLines (): string[] {
  const width = Math.max(...COMMANDS.map(c => usage(c).length))
  return COMMANDS.map(c => `${usage(c).padEnd(width)}  ${c.help}`)
}

/** The help of one command: usage, what it does, and its other names. Throws UNKNOWN_COMMAND. */
export function commandHelp (name: string): string[] {
  const spec = findCommand(name)
  if (!spec) throw new MeshError('UNKNOWN_COMMAND', `unknown command /${name.replace(/^\//, '')}; /help lists them`)
  const main = spec.alias ? findCommand(spec.alias)! : spec
  const others = COMMANDS.filter(c => c !== main && (c.alias ?? c.name) === main.name).map(c => '/' + c.name)
  const lines = [`usage: ${usage(spec)}`, `  ${main.help}`]
  if (spec.alias) lines.push(`  /${spec.name} is another name for /${main.name}`)
  else if (others.length) lines.push(`  also: ${others.join(', ')}`)
  return lines
}
