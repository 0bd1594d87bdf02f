// Command-line options: commander definitions and validation into a config.
import os from 'os'
import path from 'path'
import { Command, Option } from 'commander'
import { parseAddress, type HostPort } from '../lib/protocol/address'
import { MeshError } from '../lib/protocol/errors'
import { MAX_TTL } from '../lib/protocol/limits'
import { validateNick, validateRoom } from '../lib/core/names'
import {
  DEFAULT_ROOM, DEFAULT_TTL, DEFAULT_MIN_LINKS, DEFAULT_MAX_LINKS, DEFAULT_RATE_PER_SECOND, DEFAULT_RATE_BURST,
  DEFAULT_TIMING, type Timing
} from '../lib/core/options'
import { VERSION } from '../lib/version'

export const DEFAULT_LISTEN = '0.0.0.0:8081'
export const DEFAULT_DATA_DIR = path.join(os.homedir(), '.meshchat')

export interface Config {
  listen: HostPort
  peers: string[]
  nick: string
  room: string
  ttl: number
  dataDir: string
  pex: boolean
  minLinks: number
  maxLinks: number
  ratePerSecond: number
  rateBurst: number
  headless: boolean
  timing: Partial<Timing>
}

const collect = (value: string, prev: string[]) => prev.concat([value])

export function buildProgram (): Command {
  const program = new Command()
  program
    .name('meshchat')
    .description('Serverless peer-to-peer mesh chat. Every node listens, dials the peers it knows,\nand floods each signed message to its neighbours, so it reaches everyone once.')
    .version(VERSION, '-V, --version')
    .option('-l, --listen <host:port>', 'address to accept links on (port 0 picks a free port)', DEFAULT_LISTEN)
    .option('-p, --peer <host:port>', 'a peer to dial and keep redialling; repeatable', collect, [])
    .option('-n, --nick <name>', 'display name (default: your user name)')
    .option('--room <name>', 'room to chat in', DEFAULT_ROOM)
    .option('--ttl <hops>', `hop limit of your messages (1-${MAX_TTL})`, String(DEFAULT_TTL))
    .option('--data-dir <dir>', 'where the identity key pair is kept', DEFAULT_DATA_DIR)
    .option('--no-pex', 'turn peer exchange off: neither share addresses nor dial exchanged ones')
    .option('--min-links <n>', 'dial addresses learnt by peer exchange while below this many links', String(DEFAULT_MIN_LINKS))
    .option('--max-links <n>', 'accept or dial no more than this many links', String(DEFAULT_MAX_LINKS))
    .option('--rate-limit <n[:burst]>', 'inbound frames per second per link, and the burst', `${DEFAULT_RATE_PER_SECOND}:${DEFAULT_RATE_BURST}`)
    .option('--headless', 'no terminal view: read lines on stdin, write JSON events on stdout')
    .addOption(new Option('--timing <json>', 'override timing options (tests only)').hideHelp())
    .addHelpText('after', `
Examples:
  meshchat --nick alice --listen 127.0.0.1:8081
  meshchat --nick bob --listen 127.0.0.1:8082 --peer 127.0.0.1:8081
  echo hello | meshchat --headless --listen 127.0.0.1:0 --peer 127.0.0.1:8081

In the chat, type /help for commands. Data lives in ~/.meshchat unless --data-dir says otherwise.
Exit status: 0 on /quit, SIGINT or SIGTERM; 1 when the node cannot start; 2 for bad options.`)
  return program
}

function intOption (name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(String(value))) throw new MeshError('BAD_OPTION', `invalid ${name} '${value}': expected a whole number from ${min} to ${max}`)
  const n = Number(value)
  if (n < min || n > max) throw new MeshError('BAD_OPTION', `invalid ${name} '${value}': must be from ${min} to ${max}`)
  return n
}

function defaultNick (): string {
  let name = 'anon'
  try { name = os.userInfo().username || name } catch {}
  try { return validateNick(name.replace(/[^\p{L}\p{N}._-]/gu, '').slice(0, 32) || 'anon') } catch { return 'anon' }
}

function wrap<T> (name: string, value: string, fn: () => T): T {
  try { return fn() } catch (err) {
    throw new MeshError('BAD_OPTION', `invalid ${name} '${value}': ${(err as Error).message.replace(/^invalid address '[^']*': /, '')}`)
  }
}

export function toConfig (o: Record<string, any>): Config {
  const listen = wrap('--listen', o.listen, () => parseAddress(o.listen))
  const peers: string[] = o.peer.map((p: string) => { wrap('--peer', p, () => parseAddress(p)); return p })
  const nick = o.nick === undefined ? defaultNick() : wrap('--nick', o.nick, () => validateNick(o.nick))
  const room = wrap('--room', o.room, () => validateRoom(o.room))
  const ttl = intOption('--ttl', o.ttl, 1, MAX_TTL)
  const minLinks = intOption('--min-links', o.minLinks, 0, 1000)
  const maxLinks = intOption('--max-links', o.maxLinks, 1, 1000)
  const [rateText, burstText] = String(o.rateLimit).split(':')
  const ratePerSecond = intOption('--rate-limit', rateText, 1, 1_000_000)
  const rateBurst = burstText === undefined ? Math.max(ratePerSecond, DEFAULT_RATE_BURST) : intOption('--rate-limit burst', burstText, 1, 10_000_000)
  let timing: Partial<Timing> = {}
  if (o.timing) {
    timing = wrap('--timing', o.timing, () => JSON.parse(o.timing))
    for (const [k, v] of Object.entries(timing)) {
      if (!(k in DEFAULT_TIMING) || typeof v !== 'number' || v <= 0) throw new MeshError('BAD_OPTION', `invalid --timing field '${k}'`)
    }
  }
  if (!o.dataDir) throw new MeshError('BAD_OPTION', 'invalid --data-dir \'\': empty')
  return {
    listen, peers, nick, room, ttl, dataDir: path.resolve(o.dataDir), pex: o.pex !== false, minLinks, maxLinks,
    ratePerSecond, rateBurst, headless: !!o.headless, timing
  }
}
