// IRC commands that change or say something: JOIN (/join for the node's first
// client in a room), PART (/leave when the last of its clients leaves),
// PRIVMSG and NOTICE to a channel (a room message) or a nick (a sealed /msg,
// with a delivery NOTICE later), TOPIC, and NICK after registration (/nick).
import { errorCode, errorMessage } from '../protocol/errors'
import { validateRoom } from '../core/names'
import { validateIrcNick } from './nicks'
import { ERR, RPL } from './numerics'
import type { IrcSession } from './session'
import type { IrcFace } from './server'
import type { IrcLine } from './wire'

/** A channel name as a room name, or null (after a 403 to the client) when it cannot be one. */
function roomOf (s: IrcSession, chan: string): string | null {
  if (!chan.startsWith('#')) { s.numeric(ERR.NOSUCHCHANNEL, chan, 'No such channel: channels start with #'); return null }
  try { return validateRoom(chan.slice(1)) } catch (err) {
    s.numeric(ERR.NOSUCHCHANNEL, chan, `No such channel: ${errorMessage(err)}`)
    return null
  }
}

export function handleChat (face: IrcFace, s: IrcSession, line: IrcLine): boolean {
  const p = line.params
  switch (line.command) {
    case 'JOIN':
      if (!p[0]) return need(s, 'JOIN')
      if (p[0] === '0') { for (const room of [...s.channels]) part(face, s, room, 'left all channels'); return true }
      for (const chan of p[0].split(',')) {
        const room = roomOf(s, chan)
        if (room === null) continue
        if (face.node.rooms.includes(room)) { if (!s.channels.has(room)) face.joinBurst(s, room); continue }
        // The node joins the room (/join); only this client is shown in the new channel.
        face.joiner = s
        try { face.node.join(room) } finally { face.joiner = null }
      }
      return true
    case 'PART':
      if (!p[0]) return need(s, 'PART')
      for (const chan of p[0].split(',')) {
        const room = roomOf(s, chan)
        if (room === null) continue
        if (!s.channels.has(room)) s.numeric(ERR.NOTONCHANNEL, chan, "You're not on that channel")
        else part(face, s, room, p[1])
      }
      return true
    case 'PRIVMSG':
    case 'NOTICE':
      if (!p[0]) { s.numeric(ERR.NORECIPIENT, `No recipient given (${line.command})`); return true }
      if (p.length < 2 || p[1] === '') { s.numeric(ERR.NOTEXTTOSEND, 'No text to send'); return true }
      for (const target of p[0].split(',')) say(face, s, line.command, target, p[1])
      return true
    case 'TOPIC': {
      if (!p[0]) return need(s, 'TOPIC')
      const room = roomOf(s, p[0])
      if (room === null) return true
      if (!s.channels.has(room)) s.numeric(ERR.NOTONCHANNEL, p[0], "You're not on that channel")
      else if (p.length > 1) s.numeric(ERR.CHANOPRIVSNEEDED, p[0], 'Mesh rooms have no topic to set')
      else s.numeric(RPL.NOTOPIC, p[0], 'No topic is set (mesh rooms have none)')
      return true
    }
    case 'NICK': {
      if (!p[0]) { s.numeric(ERR.NONICKNAMEGIVEN, 'No nickname given'); return true }
      let nick: string
      try { nick = validateIrcNick(p[0]) } catch (err) {
        s.numeric(ERR.ERRONEUSNICKNAME, p[0], `Erroneous nickname: ${errorMessage(err)}`)
        return true
      }
      if (nick === s.nick) return true
      if (face.nickTaken(nick, s)) {
        s.numeric(ERR.NICKNAMEINUSE, nick, 'Nickname is already in use (by another IRC client of this node or a mesh peer)')
        return true
      }
      // The owner's NICK is /nick (every client sees it through the node's nick event); a guest renames only itself.
      if (face.isOwner(s)) { face.node.setNick(nick); return true }
      const old = s.nick
      for (const c of face.clients()) c.send(face.maskOf(s), 'NICK', [nick])
      s.nick = nick
      face.sendRenames(face.nicks.localChanged(old, nick))
      return true
    }
  }
  return false
}

function need (s: IrcSession, command: string): true {
  s.numeric(ERR.NEEDMOREPARAMS, command, 'Not enough parameters')
  return true
}

/**
 * PART: when no other client of the node is in the channel, the node leaves
 * the room (/leave), unless it is its last room; otherwise only this client
 * leaves the channel (the others see a guest's PART).
 */
function part (face: IrcFace, s: IrcSession, room: string, message: string | undefined): void {
  const others = face.clients().filter(c => c !== s && c.channels.has(room))
  if (others.length === 0 && face.node.rooms.length > 1) {
    face.partMessage = message
    try { face.node.leave(room) } finally { face.partMessage = undefined }
    return
  }
  s.channels.delete(room)
  const line = [`#${room}`, ...(message ? [message] : [])]
  s.send(face.maskOf(s), 'PART', line)
  if (!face.isOwner(s)) for (const c of others) c.send(face.maskOf(s), 'PART', line)
  if (others.length === 0) s.send(face.serverName, 'NOTICE', [s.nick, `#${room} is this node's only room: the node stays in it (JOIN another room first to leave it on the mesh)`])
}

/**
 * `\x01ACTION waves\x01` (a /me) is an action: a room line goes to the mesh
 * as MessageKind ACTION; a private one or a guest's, which the mesh cannot
 * mark, as `* nick waves`. Other CTCP is refused (null).
 */
function ctcpText (text: string): { text: string; action: boolean } | null {
  if (!text.startsWith('\x01')) return { text, action: false }
  const body = text.replace(/^\x01|\x01$/g, '')
  if (/^ACTION( |$)/.test(body)) return { text: body.slice(7).trim(), action: true }
  return null
}

function say (face: IrcFace, s: IrcSession, command: string, target: string, raw: string): void {
  const ctcp = ctcpText(raw)
  if (ctcp === null) {
    if (command === 'PRIVMSG') s.send(face.serverName, 'FAIL', [command, 'UNKNOWN_COMMAND', 'CTCP other than ACTION is not carried over the mesh'])
    return
  }
  const owner = face.isOwner(s)
  const text = ctcp.action && !(owner && target.startsWith('#')) ? `* ${owner ? face.node.nick : s.nick} ${ctcp.text}`.trimEnd() : ctcp.text
  face.author = s
  try {
    if (target.startsWith('#')) {
      const room = roomOf(s, target)
      if (room === null) return
      if (!face.node.rooms.includes(room)) { s.numeric(ERR.NOSUCHCHANNEL, target, 'No such channel: this node is not in that room; JOIN it first'); return }
      if (!s.channels.has(room)) { s.numeric(ERR.CANNOTSENDTOCHAN, target, 'Cannot send to channel: JOIN it first'); return }
      face.node.send(text, owner ? { room, action: ctcp.action } : { room, guest: s.nick })
      return
    }
    const who = face.resolve(target)
    if (who === undefined) { s.numeric(ERR.NOSUCHNICK, target, 'No such nick: no IRC client of this node or known mesh peer is shown with that nick'); return }
    if (who.key === face.node.id) {
      // To a client of this node (or the node's own nick): delivered here, nothing goes to the mesh.
      const to = who.local ? [who.local] : face.clients().filter(c => face.isOwner(c))
      if (s.caps.has('echo-message') && !to.includes(s)) to.push(s)
      for (const c of to) c.send(face.maskOf(s), command, [target, text])
      return
    }
    // Sealed from this node's key, whichever of its clients typed it.
    const m = face.node.sendPrivate(who.key, text)
    face.events.recordPrivate(m.id, who.key, text)
  } catch (err) {
    s.send(face.serverName, 'FAIL', [command, errorCode(err), errorMessage(err)])
  } finally {
    face.author = null
  }
}
