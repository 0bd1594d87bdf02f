// How every meshchat command ends: a one-line diagnostic on stderr and an exit
// status (0 done, 1 cannot start, 2 bad options), and commander made to
// follow those rules.
import { type Command, CommanderError } from 'commander'

/** Prints one line and exits; typed `never` so callers' control flow knows it does not return. */
export type Fail = (status: number, message: string) => never

export function failer (prefix: string): Fail {
  return (status, message) => {
    process.stderr.write(`${prefix}: ${message}\n`)
    process.exit(status)
  }
}

/** Parses argv; --help and --version exit 0, any commander error exits 2 with one line. */
export function parseOrExit (program: Command, argv: string[], fail: Fail): void {
  program.exitOverride()
  program.configureOutput({ writeErr: () => {}, outputError: () => {} })
  try {
    program.parse(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0)
      if (err.code === 'commander.excessArguments') fail(2, unexpectedArguments(program))
      fail(2, err.message.replace(/^error: /, ''))
    }
    throw err
  }
}

/** Names what was not expected, instead of commander's `too many arguments`. */
function unexpectedArguments (program: Command): string {
  const extra = program.args.map(a => `'${a}'`).join(', ')
  return `unexpected argument${program.args.length === 1 ? '' : 's'} ${extra}: ${program.name()} takes only options (a peer goes after --peer, a room after --room); see ${program.name()} --help`
}
