// The slash-command parser shared by every front end.
import { MeshError } from '../protocol/errors'

export interface CommandSpec { name: string; args: string; help: string; min: number; max: number }

export const COMMANDS: CommandSpec[] = [
  { name: 'help', args: '', help: 'list the commands', min: 0, max: 0 },
  { name: 'nick', args: 'NAME', help: 'change your display name', min: 1, max: 1 },
  { name: 'peers', args: '', help: 'list the peers you are linked to', min: 0, max: 0 },
  { name: 'connect', args: 'HOST:PORT', help: 'dial a peer once', min: 1, max: 1 },
  { name: 'join', args: 'ROOM', help: 'join a room and make it current', min: 1, max: 1 },
  { name: 'leave', args: 'ROOM', help: 'leave a room', min: 1, max: 1 },
  { name: 'room', args: 'ROOM', help: 'switch the room your lines go to', min: 1, max: 1 },
  { name: 'msg', args: 'TARGET TEXT', help: 'private message to nick, nick#tag or key prefix', min: 2, max: Infinity },
  { name: 'who', args: '[ROOM]', help: 'list everyone reachable in a room', min: 0, max: 1 },
  { name: 'whois', args: 'TARGET', help: 'full key, nicks, addresses and route of a peer', min: 1, max: 1 },
  { name: 'clear', args: '', help: 'clear the message pane', min: 0, max: 0 },
  { name: 'quit', args: '', help: 'close all links and exit', min: 0, max: 0 }
]

export type ParsedLine =
  | { type: 'text'; text: string }
  | { type: 'command'; name: string; args: string[] }
  | { type: 'error'; error: MeshError }
  | { type: 'empty' }

export function usage (spec: CommandSpec): string {
  return `/${spec.name}${spec.args ? ' ' + spec.args : ''}`
}

export function findCommand (name: string): CommandSpec | undefined {
  return COMMANDS.find(c => c.name === name)
}

export function parseLine (line: string): ParsedLine {
  const trimmed = line.replace(/[\r\n]+$/, '')
  if (trimmed.trim() === '') return { type: 'empty' }
  // "//text" sends a line that starts with a slash.
  if (trimmed.startsWith('//')) return { type: 'text', text: trimmed.slice(1) }
  if (!trimmed.startsWith('/')) return { type: 'text', text: trimmed }
  const words = trimmed.slice(1).trim().split(/\s+/)
  const name = words[0].toLowerCase()
  const spec = findCommand(name)
  if (!spec) return { type: 'error', error: new MeshError('UNKNOWN_COMMAND', `unknown command /${name}; try /help`) }
  const args = words.slice(1).filter(Boolean)
  if (args.length < spec.min || args.length > spec.max) {
    return { type: 'error', error: new MeshError('BAD_COMMAND', `usage: ${usage(spec)}`) }
  }
  // The last argument of a command that takes free text keeps its spacing.
  if (spec.max === Infinity) {
    const rest = trimmed.slice(1).trim().replace(/^\S+\s+\S+\s?/, '')
    return { type: 'command', name, args: [args[0], rest] }
  }
  return { type: 'command', name, args }
}

export function helpLines (): string[] {
  const width = Math.max(...COMMANDS.map(c => usage(c).length))
  return COMMANDS.map(c => `${usage(c).padEnd(width)}  ${c.help}`)
}
