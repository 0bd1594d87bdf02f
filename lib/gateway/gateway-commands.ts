// The commands a plain client has, as a table: each is a command of the
// core's table (lib/core/commands.ts gives its usage), with what it does on
// the gateway. /help is written from this table; anything else is refused.
import { findCommand, usage } from '../core/commands'

export type GatewayCommand = 'nick' | 'quit' | 'help'

export interface GatewayCommandSpec { name: GatewayCommand; help: string }

export const GATEWAY_COMMANDS: GatewayCommandSpec[] = [
  { name: 'nick', help: 'change your name' },
  { name: 'quit', help: 'leave' },
  { name: 'help', help: 'this list' }
]

/** `//text`: how a line that starts with a slash is said (core parseLine). */
const SLASH_LINE: [string, string] = ['//text', 'say a line that starts with a slash']

export function isGatewayCommand (name: string): name is GatewayCommand {
  return GATEWAY_COMMANDS.some(c => c.name === name)
}

/** The /help answer, one `***` line each. */
export function gatewayHelp (): string[] {
  const rows: Array<[string, string]> = GATEWAY_COMMANDS.map(c => {
    const spec = findCommand(c.name)
    return [spec ? usage(spec) : `/${c.name}`, c.help]
  })
  rows.push(SLASH_LINE)
  const width = Math.max(...rows.map(r => r[0].length))
  return ['*** Type a line and press enter to say it to the room.', ...rows.map(([u, h]) => `***   ${u.padEnd(width)}  ${h}`)]
}
