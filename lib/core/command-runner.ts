// Runs one input line (text or slash command) against a node and says what
// happened; front ends only format the outcome.
import type { ChatNode } from './types'
import type { ChatMessage, PeerInfo, MemberInfo, WhoisInfo } from './types'
import { parseLine, helpLines } from './commands'
import { MeshError, errorCode, errorMessage } from '../protocol/errors'
import { parseAddress } from '../protocol/address'

export type Outcome =
  | { kind: 'none' }
  | { kind: 'sent'; message: ChatMessage }
  | { kind: 'help'; lines: string[] }
  | { kind: 'peers'; peers: PeerInfo[] }
  | { kind: 'nick'; nick: string; old: string }
  | { kind: 'connecting'; address: string; done: Promise<PeerInfo> }
  | { kind: 'clear' }
  | { kind: 'joined'; room: string }
  | { kind: 'left'; room: string }
  | { kind: 'room'; room: string }
  | { kind: 'members'; room: string; members: MemberInfo[] }
  | { kind: 'whois'; info: WhoisInfo }
  | { kind: 'quit'; message?: string }
  | { kind: 'error'; code: string; message: string }

function fail (err: unknown): Outcome {
  return { kind: 'error', code: errorCode(err), message: errorMessage(err) }
}

export function runLine (node: ChatNode, line: string): Outcome {
  const parsed = parseLine(line)
  try {
    switch (parsed.type) {
      case 'empty': return { kind: 'none' }
      case 'error': return fail(parsed.error)
      case 'text': return { kind: 'sent', message: node.send(parsed.text) }
    }
    const [arg] = parsed.args
    switch (parsed.name) {
      case 'help': return { kind: 'help', lines: helpLines() }
      case 'nick': { const old = node.nick; node.setNick(arg); return { kind: 'nick', nick: node.nick, old } }
      case 'peers': return { kind: 'peers', peers: node.peers() }
      case 'clear': return { kind: 'clear' }
      case 'join': return { kind: 'joined', room: node.join(arg) }
      case 'leave': return { kind: 'left', room: node.leave(arg, parsed.args.slice(1).join(' ') || undefined) }
      case 'room': return { kind: 'room', room: node.switchRoom(arg) }
      case 'msg': return { kind: 'sent', message: node.sendPrivate(arg, parsed.args[1]) }
      case 'who': {
        const room = arg === undefined ? node.room : node.switchRoomCheck(arg)
        return { kind: 'members', room, members: node.who(room) }
      }
      case 'whois': return { kind: 'whois', info: node.whois(arg) }
      case 'quit': return parsed.args.length ? { kind: 'quit', message: parsed.args.join(' ') } : { kind: 'quit' }
      case 'connect': {
        parseAddress(arg)
        const done = node.dial(arg).catch(
          (err) => { throw new MeshError('CONNECT_FAILED', errorCode(err) === 'CONNECT_FAILED' ? errorMessage(err) : `cannot connect to ${arg}: ${errorMessage(err)}`) })
        done.catch(() => {})
        return { kind: 'connecting', address: arg, done }
      }
    }
    return fail(new MeshError('UNKNOWN_COMMAND', `/${parsed.name} is not available here`))
  } catch (err) {
    return fail(err)
  }
}
