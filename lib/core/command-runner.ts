// Runs one input line (text or slash command) against a node and says what
// happened; front ends only format the outcome. What a front end adds (a
// private conversation its lines go to, splitting long lines, an ignore
// list) comes in through RunContext.
import type { ChatNode } from './types'
import type { ChatMessage, PeerInfo, MemberInfo, WhoisInfo } from './types'
import { parseLine, helpLines, commandHelp } from './commands'
import { splitText, MAX_SPLIT_PIECES } from './split-text'
import { MeshError, errorCode, errorMessage } from '../protocol/errors'
import { parseAddress } from '../protocol/address'
import { MAX_TEXT_BYTES } from '../protocol/limits'
import { validateRoom } from './names'

/** Keys whose lines a front end hides (lib/store/ignore-list.ts keeps them on disk). */
export interface Ignores {
  has (key: string): boolean
  /** False when the key was already there. */
  add (key: string, label: string): boolean
  /** False when the key was not there. */
  remove (key: string): boolean
  list (): Array<{ key: string; label: string }>
}

export interface RunContext {
  /** Plain lines (and /me) go privately to this key: a private conversation's buffer. */
  privateTo?: string
  /** Plain lines (and /me) go to this room rather than the node's current one: a line typed in one room's buffer that ran later. */
  room?: string
  /** Split a line over the text limit into consecutive messages instead of refusing it (TEXT_TOO_LONG). */
  split?: boolean
  ignores?: Ignores
}

export type Outcome =
  | { kind: 'none' }
  /** `messages`: every piece when the line was split (the first is `message`). */
  | { kind: 'sent'; message: ChatMessage; messages: ChatMessage[] }
  | { kind: 'help'; lines: string[]; command?: string }
  | { kind: 'peers'; peers: PeerInfo[] }
  | { kind: 'nick'; nick: string; old: string }
  | { kind: 'connecting'; address: string; done: Promise<PeerInfo> }
  | { kind: 'clear' }
  | { kind: 'joined'; room: string }
  | { kind: 'left'; room: string; message?: string }
  | { kind: 'room'; room: string }
  | { kind: 'rooms'; room: string; rooms: string[] }
  | { kind: 'query'; peer: string; nick: string }
  | { kind: 'ignored'; peer: string; label: string; added: boolean }
  | { kind: 'unignored'; peer: string; label: string; removed: boolean }
  | { kind: 'ignores'; list: Array<{ key: string; label: string }> }
  /** `members`: those matching `pattern` when one was given, of `total` in the room. */
  | { kind: 'members'; room: string; members: MemberInfo[]; total: number; pattern?: string }
  | { kind: 'whois'; info: WhoisInfo }
  | { kind: 'quit'; message?: string }
  | { kind: 'error'; code: string; message: string }

function fail (err: unknown): Outcome {
  return { kind: 'error', code: errorCode(err), message: errorMessage(err) }
}

/** Sends text (split when the context allows) to a room or a private peer. */
function sendText (node: ChatNode, text: string, ctx: RunContext, action = false): Outcome {
  let pieces = [text]
  if (ctx.split && Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) {
    pieces = splitText(text, MAX_TEXT_BYTES)
    if (pieces.length > MAX_SPLIT_PIECES) {
      throw new MeshError('TEXT_TOO_LONG', `a line of ${Buffer.byteLength(text, 'utf8')} bytes would be ${pieces.length} messages; at most ${MAX_SPLIT_PIECES} are sent for one line`)
    }
  }
  if (action && ctx.privateTo !== undefined) throw new MeshError('BAD_COMMAND', '/me works in rooms only, not in a private conversation')
  const messages = pieces.map(p => ctx.privateTo !== undefined
    ? node.sendPrivate(ctx.privateTo, p)
    : node.send(p, action ? { action: true, room: ctx.room } : { room: ctx.room }))
  return { kind: 'sent', message: messages[0], messages }
}

/** The room named by `/leave`'s first word, or null when that word is the start of the message. */
function leaveRoom (node: ChatNode, word: string | undefined): string | null {
  if (word === undefined) return null
  if (word.startsWith('#')) return validateRoom(word)
  try { return node.rooms.includes(validateRoom(word)) ? validateRoom(word) : null } catch { return null }
}

function ignoresOf (ctx: RunContext): Ignores {
  if (!ctx.ignores) throw new MeshError('UNKNOWN_COMMAND', '/ignore is not available here')
  return ctx.ignores
}

/** The key a target names: a known peer (nick, nick#tag, key prefix), or a full key. */
function targetKey (node: ChatNode, target: string): { peer: string; label: string } {
  if (/^[0-9a-f]{64}$/i.test(target)) return { peer: target.toLowerCase(), label: node.label(target.toLowerCase()) }
  const w = node.whois(target)
  return { peer: w.peer, label: node.label(w.peer, w.nick) }
}

export function runLine (node: ChatNode, line: string, ctx: RunContext = {}): Outcome {
  const parsed = parseLine(line)
  try {
    switch (parsed.type) {
      case 'empty': return { kind: 'none' }
      case 'error': return fail(parsed.error)
      case 'text': return sendText(node, parsed.text, ctx)
    }
    const [arg] = parsed.args
    const rest = parsed.rest
    switch (parsed.name) {
      case 'help': return arg === undefined ? { kind: 'help', lines: helpLines() } : { kind: 'help', lines: commandHelp(arg), command: arg }
      case 'nick': { const old = node.nick; node.setNick(arg); return { kind: 'nick', nick: node.nick, old } }
      case 'peers': return { kind: 'peers', peers: node.peers() }
      case 'clear': return { kind: 'clear' }
      case 'join': return { kind: 'joined', room: node.join(arg) }
      case 'leave': {
        // `/leave dev bye`, `/leave #dev`, `/leave bye all` (the current room).
        const first = rest === undefined ? undefined : /^\S+/.exec(rest)![0]
        const named = leaveRoom(node, first)
        const room = named ?? node.room
        const message = (named === null ? rest : rest!.slice(first!.length).trim()) || undefined
        const left = node.leave(room, message)
        return message === undefined ? { kind: 'left', room: left } : { kind: 'left', room: left, message }
      }
      case 'room':
        if (arg === undefined) return { kind: 'rooms', room: node.room, rooms: [...node.rooms] }
        return { kind: 'room', room: node.switchRoom(arg) }
      case 'msg': return sendText(node, rest!, { ...ctx, privateTo: node.whois(arg).peer })
      case 'query': {
        const w = node.whois(arg)
        if (w.peer === node.id) throw new MeshError('BAD_COMMAND', 'that is you; /query someone else')
        return { kind: 'query', peer: w.peer, nick: w.nick }
      }
      case 'me': return sendText(node, rest!, ctx, true)
      case 'who': {
        const room = arg === undefined ? node.room : node.switchRoomCheck(arg)
        const all = node.who(room)
        const pattern = parsed.args[1]
        if (pattern === undefined) return { kind: 'members', room, members: all, total: all.length }
        const p = pattern.toLowerCase()
        return { kind: 'members', room, members: all.filter(m => node.label(m.peer, m.nick).toLowerCase().includes(p)), total: all.length, pattern }
      }
      case 'whois': return { kind: 'whois', info: node.whois(arg) }
      case 'ignore': {
        const ignores = ignoresOf(ctx)
        if (arg === undefined) return { kind: 'ignores', list: ignores.list() }
        if (arg === node.nick) throw new MeshError('BAD_COMMAND', 'you cannot ignore yourself')
        const { peer, label } = targetKey(node, arg)
        if (peer === node.id) throw new MeshError('BAD_COMMAND', 'you cannot ignore yourself')
        return { kind: 'ignored', peer, label, added: ignores.add(peer, label) }
      }
      case 'unignore': {
        const ignores = ignoresOf(ctx)
        const hex = /^[0-9a-f]{4,64}$/i.test(arg)
        const listed = ignores.list().find(e => (hex && e.key.startsWith(arg.toLowerCase())) || e.label === arg || e.label.split('#')[0] === arg)
        const { peer, label } = listed ? { peer: listed.key, label: listed.label } : targetKey(node, arg)
        return { kind: 'unignored', peer, label, removed: ignores.remove(peer) }
      }
      case 'quit': return rest === undefined ? { kind: 'quit' } : { kind: 'quit', message: rest }
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
