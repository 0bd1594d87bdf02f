// Minimal declarations for irc-framework (untyped): the line parser and
// message class the IRC face uses, and the Client the IRC tests drive.
declare module 'irc-framework' {
  import { EventEmitter } from 'events'
  export class Message {
    constructor (command?: string, ...params: string[])
    tags: Record<string, string | true>
    prefix: string
    nick: string
    ident: string
    hostname: string
    command: string
    params: string[]
    to1459 (): string
  }
  export function ircLineParser (line: string): Message
  export class Client extends EventEmitter {
    constructor (options?: Record<string, unknown>)
    user: { nick: string }
    network: { cap: { enabled: string[] }; options: Record<string, string | string[] | boolean> }
    connected: boolean
    connect (options?: Record<string, unknown>): void
    raw (...args: string[]): void
    join (channel: string, key?: string): void
    part (channel: string, message?: string): void
    say (target: string, text: string, tags?: Record<string, string>): void
    action (target: string, text: string): void
    notice (target: string, text: string): void
    changeNick (nick: string): void
    whois (nick: string, cb?: (info: Record<string, any>) => void): void
    who (target: string, cb?: (info: Record<string, any>) => void): void
    quit (message?: string): void
    ping (message?: string): void
    list (...args: string[]): void
    requestCap (cap: string | string[]): void
    use (middleware: unknown): void
    connection: { end (): void }
  }
}

// The face loads the parser and message class alone: the package's index also
// loads the whole client (about 0.3 s of start-up).
declare module 'irc-framework/src/irclineparser' {
  import type { Message } from 'irc-framework'
  function parseIrcLine (line: string): Message
  export = parseIrcLine
}
declare module 'irc-framework/src/ircmessage' {
  import { Message } from 'irc-framework'
  export = Message
}
