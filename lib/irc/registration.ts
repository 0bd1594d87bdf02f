// Registration of an IRC client: PASS, NICK, USER and CAP (LS 302 / REQ /
// LIST / END), then the welcome burst (001-005 with a truthful ISUPPORT,
// MOTD) and a JOIN for every room of the node. PING, PONG and QUIT work
// before registration too. A wrong or missing password gets 464 and ERROR.
import { errorMessage } from '../protocol/errors'
import { MAX_NICK_BYTES, MAX_ROOM_BYTES } from '../protocol/limits'
import { shortKey } from '../core/names'
import { VERSION } from '../version'
import { validateIrcNick } from './nicks'
import { ERR, RPL, SUPPORTED_CAPS, type Cap } from './numerics'
import type { IrcSession } from './session'
import type { IrcFace } from './server'
import type { IrcLine } from './wire'
import { IRC_NETWORK } from './limits'

/** The ISUPPORT tokens (005): what this face does, nothing more. */
export function isupport (): string[] {
  return [
    'CHANTYPES=#', `NICKLEN=${MAX_NICK_BYTES}`, `CHANNELLEN=${MAX_ROOM_BYTES + 1}`, 'CASEMAPPING=ascii', 'PREFIX=()',
    `NETWORK=${IRC_NETWORK}`, 'CHANMODES=,,,n', 'TARGMAX=PRIVMSG:1,NOTICE:1', 'UTF8ONLY'
  ]
}

/** Handles a line if it is a registration command (or one allowed before it); returns whether it did. */
export function handleRegistration (face: IrcFace, s: IrcSession, line: IrcLine): boolean {
  const p = line.params
  switch (line.command) {
    case 'PING':
      if (p.length === 0) s.numeric(ERR.NEEDMOREPARAMS, 'PING', 'Not enough parameters')
      else s.send(face.serverName, 'PONG', [face.serverName, p[0]])
      return true
    case 'PONG': return true
    case 'QUIT':
      s.close(`Closing Link: ${s.address} (Quit: ${p[0] ?? 'Client quit'})`, `Quit: ${p[0] ?? 'Client quit'}`)
      return true
    case 'CAP': cap(face, s, p); return true
    case 'PASS':
      if (s.registered) s.numeric(ERR.ALREADYREGISTERED, 'You may not reregister')
      else if (p.length === 0) s.numeric(ERR.NEEDMOREPARAMS, 'PASS', 'Not enough parameters')
      else s.password = p[0]
      return true
    case 'USER':
      if (s.registered) s.numeric(ERR.ALREADYREGISTERED, 'You may not reregister')
      else if (p.length < 4 || p[0] === '') s.numeric(ERR.NEEDMOREPARAMS, 'USER', 'Not enough parameters')
      else { s.user = p[0].replace(/[^A-Za-z0-9._-]/g, '').slice(0, 16) || 'irc'; s.realname = p[3]; tryRegister(face, s) }
      return true
    case 'NICK':
      if (s.registered) return false
      if (p.length === 0 || p[0] === '') { s.numeric(ERR.NONICKNAMEGIVEN, 'No nickname given'); return true }
      try {
        const nick = validateIrcNick(p[0])
        if (face.nickTaken(nick, s)) s.numeric(ERR.NICKNAMEINUSE, nick, 'Nickname is already in use (by another IRC client of this node or a mesh peer)')
        else { s.nick = nick; tryRegister(face, s) }
      } catch (err) {
        s.numeric(ERR.ERRONEUSNICKNAME, p[0], `Erroneous nickname: ${errorMessage(err)}`)
      }
      return true
  }
  return false
}

function cap (face: IrcFace, s: IrcSession, p: string[]): void {
  const sub = (p[0] ?? '').toUpperCase()
  switch (sub) {
    case 'LS':
      if (!s.registered) s.capHold = true
      s.send(face.serverName, 'CAP', [s.nick, 'LS', SUPPORTED_CAPS.join(' ')])
      return
    case 'LIST':
      s.send(face.serverName, 'CAP', [s.nick, 'LIST', [...s.caps].join(' ')])
      return
    case 'REQ': {
      if (!s.registered) s.capHold = true
      const asked = (p[1] ?? '').split(' ').filter(Boolean)
      const known = asked.every(c => (SUPPORTED_CAPS as readonly string[]).includes(c.replace(/^-/, '')))
      if (!known || asked.length === 0) { s.send(face.serverName, 'CAP', [s.nick, 'NAK', p[1] ?? '']); return }
      for (const c of asked) {
        if (c.startsWith('-')) s.caps.delete(c.slice(1) as Cap)
        else s.caps.add(c as Cap)
      }
      s.send(face.serverName, 'CAP', [s.nick, 'ACK', p[1]])
      return
    }
    case 'END':
      if (!s.registered) { s.capHold = false; tryRegister(face, s) }
      return
  }
  s.numeric(ERR.INVALIDCAPCMD, p[0] ?? '*', 'Invalid CAP command')
}

function tryRegister (face: IrcFace, s: IrcSession): void {
  if (s.registered || s.nick === '*' || !s.user || s.capHold) return
  if (face.password !== null && s.password !== face.password) {
    s.numeric(ERR.PASSWDMISMATCH, s.password === null ? 'Password required (PASS): this node was started with --irc-password' : 'Password incorrect')
    s.close('Closing Link: bad password (IRC_PASSWORD_MISMATCH)', 'bad password')
    return
  }
  const node = face.node
  if (face.nickTaken(s.nick, s)) {
    // Taken while CAP negotiation was open.
    s.numeric(ERR.NICKNAMEINUSE, s.nick, 'Nickname is already in use (by another IRC client of this node or a mesh peer)')
    s.nick = '*'
    return
  }
  // With no owner attached, the nick a client registers becomes this node's mesh nick (and the client its owner).
  if (s.nick !== node.nick && !face.clients().some(c => face.isOwner(c))) node.setNick(s.nick)
  s.markRegistered()
  face.sendRenames(face.nicks.localChanged(s.nick))
  const me = s.nick
  const srv = face.serverName
  s.numeric(RPL.WELCOME, `Welcome to the ${IRC_NETWORK} IRC face, ${face.selfMask(me)}`)
  s.numeric(RPL.YOURHOST, `Your host is ${srv}, running version meshchat-${VERSION}`)
  s.numeric(RPL.CREATED, `This server was created ${face.created.toISOString()}`)
  s.numeric(RPL.MYINFO, srv, `meshchat-${VERSION}`, 'i', 'n')
  s.numeric(RPL.ISUPPORT, ...isupport(), 'are supported by this server')
  s.numeric(RPL.MOTDSTART, `- ${srv} Message of the day -`)
  for (const l of motd(face)) s.numeric(RPL.MOTD, `- ${l}`)
  s.numeric(RPL.ENDOFMOTD, 'End of /MOTD command')
  for (const room of node.rooms) face.joinBurst(s, room)
}

function motd (face: IrcFace): string[] {
  const node = face.node
  return [
    `You are ${node.label(node.id, node.nick)} on the mesh (key ${shortKey(node.id)}…).`,
    `This node links to the mesh on ${node.listenAddress || '(no address)'}; IRC clients attach on ${face.addresses.join(', ')}.`,
    'Channels are mesh rooms (JOIN #name is /join name); people are mesh keys.',
    'Two people sharing a nick appear as nick|tag; PRIVMSG nick is a sealed private message.',
    `The client holding the mesh nick (${node.nick} now) speaks as this node; other clients of it post as its guests.`,
    'QUIT detaches this client only: the node keeps running.'
  ]
}
