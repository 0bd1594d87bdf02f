// IRC commands that ask: NAMES and WHO (a room's members mesh-wide), WHOIS
// (key, tag, addresses, route), LIST (the node's rooms), MODE (no modes to
// speak of, answered truthfully), USERHOST, ISON and AWAY.
import { errorMessage } from '../protocol/errors'
import { ERR, RPL } from './numerics'
import { foldNick } from './nicks'
import type { IrcSession } from './session'
import type { IrcFace } from './server'
import type { IrcLine } from './wire'
import { IRC_MESH_HOST } from './limits'

export function handleQuery (face: IrcFace, s: IrcSession, line: IrcLine): boolean {
  const p = line.params
  switch (line.command) {
    case 'NAMES':
      for (const chan of p[0] ? p[0].split(',') : [...s.channels].map(r => `#${r}`)) face.sendNames(s, chan.replace(/^#/, ''))
      return true
    case 'WHO': who(face, s, p[0] ?? '*'); return true
    case 'WHOIS': whois(face, s, p[p.length - 1]); return true
    case 'LIST':
      s.numeric(RPL.LISTSTART, 'Channel', 'Users Name')
      for (const room of face.node.rooms) s.numeric(RPL.LIST, `#${room}`, String(face.node.who(room).length), '')
      s.numeric(RPL.LISTEND, 'End of /LIST')
      return true
    case 'MODE': mode(face, s, p); return true
    case 'USERHOST':
      s.numeric(RPL.USERHOST, p.slice(0, 5).map(n => userhost(face, n)).filter(Boolean).join(' '))
      return true
    case 'ISON':
      s.numeric(RPL.ISON, p.join(' ').split(' ').filter(n => n && face.resolve(n) !== undefined).join(' '))
      return true
    case 'AWAY':
      s.away = p[0] ? p[0] : null
      if (s.away) s.numeric(RPL.NOWAWAY, 'You have been marked as being away')
      else s.numeric(RPL.UNAWAY, 'You are no longer marked as being away')
      return true
  }
  return false
}

function userhost (face: IrcFace, nick: string): string {
  const who = face.resolve(nick)
  if (who === undefined) return ''
  return `${who.local?.nick ?? face.peerNick(who.key)}=+${face.node.tag(who.key)}@${IRC_MESH_HOST}`
}

function who (face: IrcFace, s: IrcSession, mask: string): void {
  const reply = (chan: string, key: string, nick: string, hops: number | null, real: string) =>
    s.numeric(RPL.WHOREPLY, chan, face.node.tag(key), IRC_MESH_HOST, face.serverName, nick, 'H', `${hops ?? 0} ${real}`)
  if (mask.startsWith('#')) {
    const room = mask.slice(1)
    if (face.node.rooms.includes(room)) {
      for (const m of face.node.who(room)) {
        const nick = face.peerNick(m.peer, m.self ? undefined : m.nick)
        reply(mask, m.peer, nick, m.self ? 0 : null, face.node.label(m.peer, m.nick))
      }
      for (const c of face.guestsIn(room)) reply(mask, face.node.id, c.nick, 0, c.realname)
    }
  } else {
    const who = face.resolve(mask)
    if (who !== undefined) reply('*', who.key, who.local?.nick ?? face.peerNick(who.key), who.key === face.node.id ? 0 : null, who.local?.realname ?? face.node.label(who.key))
  }
  s.numeric(RPL.ENDOFWHO, mask, 'End of /WHO list')
}

function whois (face: IrcFace, s: IrcSession, nick: string | undefined): void {
  if (!nick) { s.numeric(ERR.NONICKNAMEGIVEN, 'No nickname given'); return }
  const node = face.node
  const who = face.resolve(nick)
  if (who === undefined) {
    s.numeric(ERR.NOSUCHNICK, nick, 'No such nick: no known mesh peer is shown with that nick')
    s.numeric(RPL.ENDOFWHOIS, nick, 'End of /WHOIS list')
    return
  }
  const key = who.key
  const shown = who.local?.nick ?? face.peerNick(key)
  if (key === node.id) {
    s.numeric(RPL.WHOISUSER, shown, node.tag(key), IRC_MESH_HOST, '*', who.local && !face.isOwner(who.local) ? `${who.local.realname} (a guest of ${node.label(key, node.nick)})` : node.label(key, node.nick))
    s.numeric(RPL.WHOISSERVER, shown, face.serverName, `this node, linked to the mesh on ${node.listenAddress}`)
    s.numeric(RPL.WHOISCHANNELS, shown, node.rooms.map(r => `#${r}`).join(' '))
  } else {
    try {
      const info = node.whois(key)
      s.numeric(RPL.WHOISUSER, shown, node.tag(key), IRC_MESH_HOST, '*', node.label(key, info.nick))
      const route = info.reached === 'direct' ? `linked directly (${info.via ?? 'link'})` : `reached through the mesh${info.hops === null ? '' : `, ${info.hops} hops`}`
      s.numeric(RPL.WHOISSERVER, shown, face.serverName, route)
      if (info.rooms.length) s.numeric(RPL.WHOISCHANNELS, shown, info.rooms.map(r => `#${r}`).join(' '))
      if (info.addresses.length) s.numeric(RPL.WHOISKEY, shown, `addresses ${info.addresses.join(' ')}`)
      if (info.nicks.length > 1) s.numeric(RPL.WHOISKEY, shown, `also known as ${info.nicks.join(' ')}`)
    } catch (err) {
      s.numeric(RPL.WHOISUSER, shown, node.tag(key), IRC_MESH_HOST, '*', shown)
      s.numeric(RPL.WHOISSERVER, shown, face.serverName, errorMessage(err))
    }
  }
  s.numeric(RPL.WHOISKEY, shown, `key ${key}`)
  s.numeric(RPL.ENDOFWHOIS, shown, 'End of /WHOIS list')
}

function mode (face: IrcFace, s: IrcSession, p: string[]): void {
  const target = p[0]
  if (!target) { s.numeric(ERR.NEEDMOREPARAMS, 'MODE', 'Not enough parameters'); return }
  if (target.startsWith('#')) {
    const room = target.slice(1)
    if (!face.node.rooms.includes(room)) { s.numeric(ERR.NOSUCHCHANNEL, target, 'No such channel'); return }
    if (p.length === 1) s.numeric(RPL.CHANNELMODEIS, target, '+n')
    else if (/^[+-]?b$/.test(p[1]) && p.length === 2) s.numeric(RPL.BANLIST_END, target, 'End of channel ban list')
    else s.numeric(ERR.CHANOPRIVSNEEDED, target, 'Mesh rooms have no modes to change')
    return
  }
  if (foldNick(target) !== foldNick(s.nick)) { s.numeric(ERR.USERSDONTMATCH, "Can't change mode for other users"); return }
  if (p.length === 1) { s.numeric(RPL.UMODEIS, `+${[...s.umodes].join('')}`); return }
  let sign = '+'
  let changed = ''
  for (const c of p[1]) {
    if (c === '+' || c === '-') { sign = c; continue }
    if (c !== 'i') { s.numeric(ERR.UMODEUNKNOWNFLAG, `Unknown MODE flag ${c}`); continue }
    if (sign === '+' ? !s.umodes.has(c) : s.umodes.has(c)) changed += `${sign}${c}`
    if (sign === '+') s.umodes.add(c); else s.umodes.delete(c)
  }
  if (changed) s.send(face.selfMask(s.nick), 'MODE', [s.nick, changed])
}
